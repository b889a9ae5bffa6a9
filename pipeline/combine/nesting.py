"""Files of one source whose periods contain one another (pure): a report over several months sent
after reports of some of those months — a 1-9月累计 after the first half-year, a 前三季度 after the
first quarter, a year's list after a half-year's list.

The rule (methodology page, data/raw/README.md):
- Table layouts (one row per town, unit…, counts per column): a figure over several months that
  contains figures already reported for some of them counts only for the months not yet reported:
  1-9月累计 3,500 after 上半年 2,300 gives 1,200 for 7-9月. Each such value keeps its cell (file, row,
  column, raw value) and says how it was derived. The months left must be one run (a gap in the
  middle cannot be placed); none left means the file repeats what was reported and must agree with
  it; a running total smaller than its parts is an error. Levels (stocks, such as certificates
  held) are not added up: a level at the same date as a contained report must be the same.
- Records layouts (one row per person): a list over several months is the complete list for them,
  so it replaces the lists it contains (as a correction would); what it changed is recorded.
- Two files whose periods overlap without one containing the other cannot be told apart: error.
Each indicator is resolved with the files that report it (an optional column absent from an
earlier file leaves the later figure whole).
"""

from __future__ import annotations

from pathlib import PurePosixPath

import pandas as pd

from pipeline.basics.format import number
from pipeline.basics.periods import Period
from pipeline.basics.problems import Problem
from pipeline.clean import FileResult
from pipeline.combine.resubmissions import diff_figures
from pipeline.config import Config


def _period(result: FileResult) -> Period:
    return Period.from_label(result.submission["period"])


def _name(result: FileResult) -> str:
    return PurePosixPath(result.submission["file"]).name


def _months(period: Period) -> set[int]:
    return set(period.month_numbers())


def resolve_nesting(results: list[FileResult], config: Config) -> tuple[list[Problem], list[dict]]:
    """Resolve every source's nested files in place (observations re-dated and differenced, or
    lists superseded); return the problems found and the corrections that lists imply."""
    problems: list[Problem] = []
    corrections: list[dict] = []
    by_source: dict[str, list[FileResult]] = {}
    for r in results:
        if r.submission["status"] == "used":
            by_source.setdefault(r.submission["source_id"], []).append(r)
    for source_id, files in sorted(by_source.items()):
        files.sort(key=lambda r: (_period(r), r.submission["file"]))
        overlaps = _partial_overlaps(files)
        problems += overlaps
        if overlaps:
            continue
        if config.sources[source_id].layout == "records":
            corrections += _supersede_contained_lists(files)
        else:
            problems += _difference_contained_tables(files, config)
    return problems, corrections


def _partial_overlaps(files: list[FileResult]) -> list[Problem]:
    problems = []
    for i, a in enumerate(files):
        for b in files[i + 1:]:
            pa, pb = _period(a), _period(b)
            if pa.overlaps(pb) and not pa.contains(pb) and not pb.contains(pa):
                problems.append(Problem(
                    code="period_overlap", file=b.submission["file"],
                    found=f"报送期{pb.label_zh}与 {_name(a)} 的{pa.label_zh}部分重叠",
                    expected="同一报表的各期或者互不重叠，或者一期包含另一期（如1-9月累计包含上半年）",
                    fix="核对两个文件的报送期是否写错；如确有重叠，请报送部门改报不重叠的期间，或报一个包含两期的累计数。"))
    return problems


def _contained(outer: FileResult, files: list[FileResult]) -> list[FileResult]:
    """The files directly inside `outer`: contained in it, and not inside another contained file."""
    po = _period(outer)
    inside = [f for f in files if f is not outer and po.contains(_period(f)) and _period(f) != po]
    return [f for f in inside if not any(g is not f and _period(g).contains(_period(f)) and _period(g) != _period(f)
                                         for g in inside)]


def _supersede_contained_lists(files: list[FileResult]) -> list[dict]:
    """A list over several months replaces the lists of those months."""
    corrections = []
    for outer in sorted(files, key=lambda r: -_period(r).months):
        if outer.submission["status"] != "used":
            continue
        for inner in _contained(outer, [f for f in files if f.submission["status"] == "used"]):
            inner.submission["status"] = "superseded"
            inner.submission["superseded_by"] = outer.submission["file"]
            inner.actions[("superseded", outer.submission["file"])] += len(inner.observations)
            span = _period(inner)
            within = outer.observations[(outer.observations["period_start"] >= span.start)
                                        & (outer.observations["period_end"] <= span.end)]
            corrections += diff_figures(inner, FileResult(submission={**outer.submission, "period": span.label},
                                                          observations=within))
    return corrections


def _difference_contained_tables(files: list[FileResult], config: Config) -> list[Problem]:
    problems = []
    indicators = sorted({i for f in files for i in f.submission["indicators"].split()})
    # Innermost first: a file's figures are differenced against its parts' original figures
    # (copied only for the files inside another: a copy of every file doubled the memory a single
    # large file took).
    inside = [f for f in files if any(_period(g).contains(_period(f)) and _period(g) != _period(f) for g in files)]
    original = {id(f): f.observations.copy() for f in inside}
    for outer in sorted(files, key=lambda r: _period(r).months):
        for indicator in indicators:
            reporting = [f for f in files if indicator in f.submission["indicators"].split()]
            if outer not in reporting:
                continue
            parts = _contained(outer, reporting)
            if parts:
                problems += _difference(outer, parts, indicator, original, config)
    return problems


def _difference(outer: FileResult, parts: list[FileResult], indicator: str, original: dict,
                config: Config) -> list[Problem]:
    """Outer's figures of one indicator for the months its parts do not cover (in place)."""
    po = _period(outer)
    left = _months(po) - set().union(*(_months(_period(p)) for p in parts))
    part_names = "、".join(f"{_name(p)}（{_period(p).label_zh}）" for p in parts)
    obs = outer.observations
    rows = obs["indicator"] == indicator
    name = config.indicators[indicator].name

    def problem(code: str, found: str, expected: str, fix: str, row=None, column=None) -> Problem:
        return Problem(code=code, file=outer.submission["file"], sheet=outer.submission.get("sheet"), row=row,
                       column=column, found=found, expected=expected, fix=fix)

    if left and max(left) - min(left) + 1 != len(left):
        return [problem("period_split_unclear",
                        f"{po.label_zh}的数字包含已报送的 {part_names}，余下的月份（{_runs(left)}）不连续",
                        "累计数减去已报各期后，余下的是连续的几个月", "请补报中间缺少的那一期，或请报送部门改报该期的数字。")]
    reported = pd.concat([original[id(p)] for p in parts], ignore_index=True)
    reported = reported[reported["indicator"] == indicator].groupby("breakdown")["value"].sum()
    stock = config.indicators[indicator].measure_type == "stock"
    problems = []
    if stock:
        same_end = [p for p in parts if _period(p).end == po.end]
        if not same_end:
            _redate(obs, rows, Period(po.year, min(left), max(left)))
            return []
        level = original[id(same_end[0])]
        level = level[level["indicator"] == indicator].set_index("breakdown")["value"]
        for i in obs.index[rows]:
            b, v = obs.at[i, "breakdown"], obs.at[i, "value"]
            if b in level and int(level[b]) != int(v):
                problems.append(problem(
                    "cumulative_mismatch", f"{b}期末{name}为 {number(v)}，而 {_name(same_end[0])} 同一日期为 {number(level[b])}",
                    "同一日期的累计数（存量）相同", "向报送部门核实哪一个正确，并删除或更正另一个文件。",
                    row=int(obs.at[i, "row"]), column=obs.at[i, "column"]))
        if not problems:
            outer.observations = obs[~rows]  # the level at that date is already reported
        return problems
    for i in obs.index[rows]:
        b, v = obs.at[i, "breakdown"], int(obs.at[i, "value"])
        before = int(reported.get(b, 0))
        own = v - before
        where = dict(row=int(obs.at[i, "row"]), column=obs.at[i, "column"])
        if own < 0:
            problems.append(problem(
                "cumulative_below_parts", f"{b}{po.label_zh}累计 {number(v)}，小于已报送的 {part_names} 之和 {number(before)}",
                "累计数不小于其中各期之和", "向报送部门核实：是累计数填错，还是此前某期需要更正（更正文件名加“（更正）”）。", **where))
        elif not left and own != 0:
            problems.append(problem(
                "cumulative_mismatch", f"{b}{po.label_zh}为 {number(v)}，已报送的 {part_names} 之和为 {number(before)}",
                "包含的各期都已报送时，累计数等于各期之和", "向报送部门核实哪一个正确：更正该期文件，或删除多余的累计文件。", **where))
        else:
            obs.at[i, "value"] = own
            obs.at[i, "derivation"] = (f"{po.label_zh}累计 {number(v)} 减去已报送的 {part_names} {number(before)}")
    missing = set(reported.index) - set(obs.loc[rows, "breakdown"])
    for b in sorted(missing):
        if int(reported[b]) > 0:
            problems.append(problem(
                "cumulative_below_parts", f"{po.label_zh}没有“{b}”这一行，而已报送的 {part_names} 中为 {number(reported[b])}",
                "累计文件包含此前各期报过的每一行", "请报送部门补上这一行。"))
    if problems:
        return problems
    if left:
        _redate(obs, rows, Period(po.year, min(left), max(left)))
    else:
        outer.observations = obs[~rows]  # the file repeats what was reported: nothing new
    return []


def _redate(obs: pd.DataFrame, rows: pd.Series, period: Period) -> None:
    """The rows' figures now cover `period` (ending no later than the file's figures did)."""
    obs.loc[rows, "period"] = period.label
    obs.loc[rows, "period_start"] = period.start
    obs.loc[rows, "period_end"] = obs.loc[rows, "period_end"].map(lambda end: min(end, period.end))


def _runs(months: set[int]) -> str:
    ordered = sorted(months)
    runs, start = [], ordered[0]
    for a, b in zip(ordered, ordered[1:] + [None]):
        if b != a + 1:
            runs.append(f"{start}月" if start == a else f"{start}-{a}月")
            start = b
    return "、".join(runs)
