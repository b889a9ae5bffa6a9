"""How often a series' figures come, in the words a chart title uses: 逐季进展 for quarterly
figures, 逐年进展 for annual ones (pure)."""

from __future__ import annotations

import datetime as dt

#: Months between one figure and the next -> the title word.
WORDS = {1: "逐月进展", 2: "逐两月进展", 3: "逐季进展", 6: "逐半年进展", 12: "逐年进展"}
MIXED = "逐期进展"  # figures at uneven intervals


def _months(start: dt.date, end: dt.date) -> int:
    """Whole months from the first day of start's month to the end of end's month."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def progress_word(spans: list[tuple[dt.date, dt.date]]) -> str:
    """The word for a series of periods (first day, last day), in time order: from the months
    between consecutive ends (a year-to-date series reported each quarter is quarterly), or for a
    single period, from its length."""
    ends = sorted(end for _, end in spans)
    if len(ends) > 1:
        steps = {_months(a, b) - 1 for a, b in zip(ends, ends[1:])}
    else:
        steps = {_months(*spans[0])} if spans else set()
    return WORDS.get(steps.pop(), MIXED) if len(steps) == 1 else MIXED
