"""What the site must publish, worked out from the figures the files were written with (or, for the
shipped 2009-2010 files, read from them by tests/future_forms.py): never by calling the pipeline.

It follows the rules the site documents (data/raw/README.md, methodology page):
- of two files for the same period, the one received later counts (on the same day, the one named
  更正); a correction that changes a figure is listed in the change log;
- a table file whose months contain files already received counts only for the months left
  (its figures less those of the files directly inside it); a list over several months replaces
  the lists inside it (and a changed count is a correction);
- a record counts in the quarter of its date (within its file's months); a table figure in its
  file's (remaining) months;
- a window's result is the sum of the figures inside it, when some file reporting the indicator
  lies inside it (none: no result); a share target's result is the share at its latest period;
- a window is over once the release date is after its end (or its figures reach its end); its
  result is final only when it is complete: every month of it is covered by a file counted (a
  year, for a yearly form), its figures reach its last day, and no file set aside would feed it;
  the periods missing are named by quarter (a quarterly form) or by year (a yearly form);
- an annual target has a row for the plan once a year has been missed (final and short of the
  target) or every year is over; that row is final when a year was missed or every year is final.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from pipeline.config import Config


@dataclass(frozen=True)
class Span:
    """Months first..last of a year."""

    year: int
    first: int
    last: int

    @property
    def months(self) -> set[int]:
        return set(range(self.first, self.last + 1))

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first, 1)

    @property
    def end(self) -> dt.date:
        return (dt.date(self.year + self.last // 12, self.last % 12 + 1, 1) - dt.timedelta(days=1))

    def contains(self, other: "Span") -> bool:
        return self.year == other.year and other.months <= self.months

    @property
    def label(self) -> str:
        """The site's period label: 2011, 2011Q1, 2011H1, 2011M03, 2011M01-M09."""
        if (self.first, self.last) == (1, 12):
            return str(self.year)
        if self.last - self.first == 2 and self.first % 3 == 1:
            return f"{self.year}Q{(self.first + 2) // 3}"
        if (self.first, self.last) in ((1, 6), (7, 12)):
            return f"{self.year}H{1 if self.first == 1 else 2}"
        if self.first == self.last:
            return f"{self.year}M{self.first:02d}"
        return f"{self.year}M{self.first:02d}-M{self.last:02d}"

    def quarter_of(self, day: dt.date) -> "Span":
        """The quarter of a day, within these months."""
        q = (day.month - 1) // 3
        return Span(self.year, max(3 * q + 1, self.first), min(3 * q + 3, self.last))


@dataclass
class Sent:
    """One file as sent: its months, when it came, and its figures (tables) or counted records."""

    source: str
    file: str
    span: Span
    received: dt.date
    named_correction: bool = False
    coverage_end: dt.date | None = None  # 教育局: 30 September of its year
    figures: dict[tuple[str, str], int] = field(default_factory=dict)  # (indicator, breakdown) -> value
    records: list[tuple[str, str, dt.date | None]] = field(default_factory=list)  # counted: (indicator, breakdown, date)
    indicators: frozenset[str] = frozenset()  # what it reports (a list: every indicator of its form)
    stock: frozenset[str] = frozenset()  # indicators that are levels, not flows
    set_aside: bool = False  # received and put in the department's 暂不采用/ folder: named, never counted

    @property
    def end(self) -> dt.date:
        return self.coverage_end or self.span.end


def _counts(sent: Sent, within: Span | None = None) -> dict[tuple[str, str], int]:
    if sent.records or not sent.figures:
        out: dict[tuple[str, str], int] = defaultdict(int)
        for indicator, breakdown, day in sent.records:
            if within is None or day is None or within.start <= day <= within.end:
                out[(indicator, breakdown)] += 1
        return dict(out)
    return dict(sent.figures)


@dataclass
class Truth:
    as_of: dt.date | None
    observations: pd.DataFrame  # indicator, breakdown, period, period_start, period_end, value
    files: list[Sent]  # the files that count
    corrections: set[tuple[str, str]]  # (source, period label) the change log must show
    set_aside: list[Sent] = field(default_factory=list)  # files received, not used


def resolve(sent: list[Sent]) -> Truth:
    """The figures that count, from every file received."""
    by_period: dict[tuple[str, Span], list[Sent]] = defaultdict(list)
    for s in sent:
        if not s.set_aside:
            by_period[(s.source, s.span)].append(s)
    corrections: set[tuple[str, str]] = set()
    used: list[Sent] = []
    for (source, span), files in by_period.items():
        files.sort(key=lambda s: (s.received, s.named_correction))
        winner = files[-1]
        if any(_counts(f) != _counts(winner) for f in files[:-1]):
            corrections.add((source, span.label))
        used.append(winner)
    rows: list[dict] = []
    by_source: dict[str, list[Sent]] = defaultdict(list)
    for s in used:
        by_source[s.source].append(s)
    counted: list[Sent] = []
    for source, files in by_source.items():
        files.sort(key=lambda s: (len(s.span.months), s.received))
        lists = any(f.records or not f.figures for f in files)
        for f in files:
            outer = [o for o in files if o is not f and o.span.contains(f.span) and o.span != f.span]
            if lists and outer:
                o = max(outer, key=lambda o: len(o.span.months))
                if _counts(f) != _counts(o, within=f.span):
                    corrections.add((source, f.span.label))
                continue  # the longer list replaces it
            counted.append(f)
            rows += _records_rows(f) if lists else _table_rows(f, files)
    obs = pd.DataFrame(rows, columns=["indicator", "breakdown", "period", "period_start", "period_end", "value"])
    as_of = max((f.end for f in counted), default=None)
    return Truth(as_of=as_of, observations=obs, files=counted, corrections=corrections,
                 set_aside=[s for s in sent if s.set_aside])


def _records_rows(f: Sent) -> list[dict]:
    rows = []
    for indicator, breakdown, day in f.records:
        span = f.span.quarter_of(day) if day else f.span
        rows.append(dict(indicator=indicator, breakdown=breakdown, period=span.label, period_start=span.start,
                         period_end=span.end, value=1))
    return rows


def _table_rows(f: Sent, files: list[Sent]) -> list[dict]:
    rows = []
    for indicator in sorted(f.indicators):
        reporting = [g for g in files if indicator in g.indicators and g is not f]
        inside = [g for g in reporting if f.span.contains(g.span) and g.span != f.span]
        direct = [g for g in inside if not any(h is not g and h.span.contains(g.span) and h.span != g.span for h in inside)]
        left = f.span.months - set().union(*(g.span.months for g in direct))
        if direct and indicator in f.stock and any(g.span.last == f.span.last for g in direct):
            raise NotImplementedError("the generator sends no running level at the date of a level reported")
        if not left:
            continue  # repeats what its parts said
        span = Span(f.span.year, min(left), max(left))
        for (ind, breakdown), value in f.figures.items():
            if ind == indicator:  # a level is the level at its end, dated to the months left; a flow, less its parts
                before = 0 if indicator in f.stock else sum(g.figures.get((ind, breakdown), 0) for g in direct)
                rows.append(dict(indicator=ind, breakdown=breakdown, period=span.label, period_start=span.start,
                                 period_end=min(f.end, span.end), value=value - before))
    return rows


# -- what each target publishes --------------------------------------------------------------------

def series(config: Config, truth: Truth) -> dict[str, dict[str, float]]:
    """Per target: period label -> published value (counts whole, shares in the target's unit)."""
    obs, out = truth.observations, {}
    for t in config.targets:
        rows = obs[obs["indicator"] == t.measure.indicator]
        keep = rows["breakdown"].isin(t.measure.breakdown) if t.measure.breakdown else pd.Series(True, index=rows.index)
        if t.kind == "end_state":
            num = rows[keep].groupby("period")["value"].sum()
            den = rows.groupby("period")["value"].sum()
            out[t.id] = {p: num.get(p, 0) / d * t.share_scale for p, d in den.items() if d > 0}
        else:
            out[t.id] = {p: int(v) for p, v in rows[keep].groupby("period")["value"].sum().items()}
    return out


def _missing(months: set[tuple[int, int]], quarterly: bool) -> set[str]:
    """(year, month) pairs as the labels of the periods a reader names: a whole year, else each
    quarter (or the months of one quarter) of a quarterly form, each year's months of a yearly one."""
    labels = set()
    for year in {y for y, _ in months}:
        if all((year, m) in months for m in range(1, 13)):
            labels.add(str(year))
            continue
        groups = [range(q, q + 3) for q in (1, 4, 7, 10)] if quarterly else [range(1, 13)]
        for group in groups:
            inside = sorted(m for y, m in months if y == year and m in group)
            if inside:  # the months found missing in one part are one run here (no file covers part of a quarter)
                labels.add(Span(year, inside[0], inside[-1]).label)
    return labels


def windows(config: Config, truth: Truth, released_on: dt.date) -> dict[tuple[str, str], dict]:
    """Per (target, scope): result_value, data_through, final and the periods missing."""
    obs, plan, out = truth.observations, config.plan, {}
    for t in config.targets:
        ind = t.measure.indicator
        files = [f for f in truth.files if ind in f.indicators]
        rows = obs[obs["indicator"] == ind]
        if t.measure.breakdown and t.kind != "end_state":
            rows = rows[rows["breakdown"].isin(t.measure.breakdown)]
        spans = ([(str(y), dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in plan.years] if t.kind == "annual"
                 else [(f"{plan.start.year}-{plan.end.year}", plan.start, plan.end)])
        found = []
        sources = config.sources_of(ind)
        quarterly = any(s.frequency == "quarterly" for s in sources)
        source_ids = {k for k, s in config.sources.items() if ind in s.indicator_ids}
        for scope, start, end in spans:
            inside = [f for f in files if f.span.start >= start and f.end <= end]
            aside = [f for f in truth.set_aside if f.source in source_ids and f.span.start <= end and start <= f.span.end]
            last_day = max((s.coverage_end(end.year) if s.frequency == "yearly" else None) or end for s in sources)
            through = max((f.end for f in inside), default=None)
            over = (through is not None and through >= last_day) or released_on > end
            months = {(y, m) for y in range(start.year, end.year + 1) for m in range(1, 13)}
            covered = {(f.span.year, m) for f in inside for m in f.span.months}
            if t.kind == "end_state" and covered:
                latest = max(covered)
                covered = {ym for ym in months if ym <= latest}
                aside = [f for f in aside if f.end > through]
            wanted = months if over else {ym for ym in months if covered and ym <= max(covered)}
            missing = _missing(wanted - covered, quarterly)
            if not inside:
                out[(t.id, scope)] = dict(result_value=None, data_through=None, final=False, missing=missing)
                found.append(dict(out[(t.id, scope)], over=over, met=False))
                continue
            if t.kind == "end_state":
                shares = series(config, truth)[t.id]
                latest = max(shares, key=lambda p: (rows.loc[rows["period"] == p, "period_end"].max(),))
                result, through = shares[latest], rows.loc[rows["period"] == latest, "period_end"].max()
            else:
                r = rows[(rows["period_start"] >= start) & (rows["period_end"] <= end)]
                result = int(r["value"].sum())
            final = through >= last_day and not missing and not aside
            out[(t.id, scope)] = dict(result_value=result, data_through=through, final=final, missing=missing)
            found.append(dict(out[(t.id, scope)], over=over, met=result >= t.value))
        if t.kind == "annual":
            missed = any(w["final"] and not w["met"] for w in found)
            if missed or all(w["over"] for w in found):
                out[(t.id, f"{plan.start.year}-{plan.end.year}")] = dict(
                    result_value=None, data_through=max((w["data_through"] for w in found if w["data_through"]), default=None),
                    final=missed or all(w["final"] for w in found), missing=set().union(*(w["missing"] for w in found)))
    return out
