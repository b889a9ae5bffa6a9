"""Progress of every target (pure): result so far, share of target, value expected by now, status,
projection and freshness, each computed once, as a field. The methodology page explains each
formula; thresholds and statuses come from config/method.yml.

A target is judged over windows: the plan (cumulative and share targets) or each calendar year
(annual targets; when every year's figures are in, also the plan, which every year must meet).
A window's data reach `data_through`, the end of the latest period covered by the files that
report the target's indicator within the window; a window without such a file has no data,
whatever other windows hold.

Count targets:
    elapsed    = months of the window covered by the data / months in the window (1 once final)
    expected   = target × elapsed
    pace ratio = result / expected
    status     achieved when result >= target; once the window's last figures are in (final), not
               achieved is "missed"; before that, by the pace ratio: on track, behind, well behind
    projection = result / elapsed (the same pace to the end of the window; none once final)

Share targets (end state, e.g. the 15:65:20 skill mix):
    baseline   = the share at the first report; current = the share at the latest report
    gap closed = (current - baseline) / (target - baseline)
    elapsed    = months from the baseline to now / months from the baseline to the plan's end
    pace ratio = gap closed / elapsed; achieved when the current share meets the target

Without data a window is "not due" while its first figures are not yet due by the release date,
and "no data" after that.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import pandas as pd

from pipeline.basics.format import date_zh, percent, value_with_unit
from pipeline.basics.periods import Period
from pipeline.config import Config, Source, Target

PROGRESS_COLUMNS = [
    "target_id", "programme_id", "target_name", "kind", "unit", "target_value", "comparison", "scope",
    "is_headline", "window_start", "window_end", "data_through", "elapsed_pct", "result_value",
    "baseline_value", "baseline_date", "completion_pct", "expected_pct", "expected_value", "result_of_target_pct",
    "pace_ratio", "status", "status_zh", "projected_value", "final", "reason_zh", "last_period",
    "last_submitted_on", "next_due_on", "overdue",
]


@dataclass(frozen=True)
class Progress:
    """The progress of one target over one window (the plan, or one year of an annual target)."""

    target_id: str
    programme_id: str
    target_name: str
    kind: str
    unit: str
    target_value: float
    comparison: str
    scope: str  # "2009-2011" for the plan, or a year "2009"
    is_headline: bool
    window_start: dt.date
    window_end: dt.date
    data_through: dt.date | None
    elapsed_pct: float
    result_value: int | float | None  # a whole number for counts, the share (in the unit) for shares
    baseline_value: float | None
    baseline_date: dt.date | None
    completion_pct: float | None  # result / target (shares: share of the gap closed since the baseline)
    expected_pct: float | None  # the completion expected by now (= elapsed_pct)
    expected_value: float | None  # the result expected by now (count targets)
    result_of_target_pct: float | None  # result / target value, for counts and shares alike
    pace_ratio: float | None
    status: str
    status_zh: str
    projected_value: float | None
    final: bool  # the window's last figures are in
    reason_zh: str
    last_period: str | None
    last_submitted_on: dt.date | None
    next_due_on: dt.date | None
    overdue: bool


# ---------------------------------------------------------------------------------------------
# Time


def months_between(start: dt.date, through: dt.date) -> float:
    """Months from the start of `start` to the end of `through` (whole months count as 1 each)."""
    def position(day: dt.date) -> float:
        days_in_month = ((day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)).day
        return day.year * 12 + day.month - 1 + (day.day - 1) / days_in_month

    return position(through + dt.timedelta(days=1)) - position(start)


def elapsed_fraction(start: dt.date, end: dt.date, through: dt.date | None) -> float:
    """Share of the window [start, end] covered by data through `through` (0 to 1)."""
    if through is None or through < start:
        return 0.0
    if through >= end:
        return 1.0
    return months_between(start, through) / months_between(start, end)


def status_from_pace(pace: float, *, achieved: bool, final: bool, config: Config) -> str:
    """The status for a pace ratio (see the module docstring)."""
    t = config.method.status_thresholds
    if achieved:
        return "achieved"
    if final:
        return "missed"
    if pace >= t.on_track_from:
        return "on_track"
    if pace >= t.behind_from:
        return "behind"
    return "well_behind"


def release_date(submissions: pd.DataFrame) -> dt.date | None:
    """The date of this data release: the latest submission date, or the latest day covered."""
    if submissions.empty:
        return None
    used = submissions[submissions["status"] == "used"]
    candidates = list(used["submitted_on"].dropna()) + list(used["coverage_end"].dropna())
    return max(candidates) if candidates else None


# ---------------------------------------------------------------------------------------------
# What reached us, and what is due


@dataclass(frozen=True)
class Coverage:
    """The files that report a target's indicator and count, and the sources that send them."""

    files: pd.DataFrame  # submissions (status used)
    sources: list[Source]

    def within(self, start: dt.date, end: dt.date) -> pd.DataFrame:
        f = self.files
        return f[(f["coverage_start"] >= start) & (f["coverage_end"] <= end)] if len(f) else f

    def data_end(self, window_end: dt.date) -> dt.date:
        """The last day a window's figures can cover: its end, or for a yearly form whose figures
        stop before December (教育局: 9月30日), that day of the window's last year."""
        ends = [(s.coverage_end(window_end.year) if s.frequency == "yearly" else None) or window_end
                for s in self.sources]
        return max(ends) if ends else window_end

    def first_due(self, start: dt.date, end: dt.date) -> dt.date | None:
        """When the first figures of a window are due: its first period's end plus the days allowed."""
        dues = []
        for s in self.sources:
            first = Period.quarter_of(start.year, 1) if s.frequency == "quarterly" else Period.whole_year(start.year)
            first_end = (s.coverage_end(first.year) if first.is_year else None) or first.end
            if first_end <= end:
                dues.append(first_end + dt.timedelta(days=s.due_days))
        return min(dues) if dues else None


def coverage_of(config: Config, target: Target, submissions: pd.DataFrame) -> Coverage:
    indicator = target.measure.indicator
    files = submissions
    if len(files):
        files = files[(files["status"] == "used") & files["indicators"].str.split().map(lambda ids: indicator in ids)]
    return Coverage(files=files, sources=config.sources_of(indicator))


@dataclass(frozen=True)
class Freshness:
    last_period: str | None
    last_submitted_on: dt.date | None
    next_due_on: dt.date | None
    overdue: bool


def freshness(config: Config, coverage: Coverage, release: dt.date | None) -> Freshness:
    """When the target's figures were last updated and when the next ones are due (none once the
    next period would begin after the plan)."""
    files, plan = coverage.files, config.plan
    source = coverage.sources[0] if coverage.sources else None
    frequency = source.frequency if source else "yearly"
    if files.empty:
        last_period, last_submitted = None, None
        nxt = Period.quarter_of(plan.start.year, 1) if frequency == "quarterly" else Period.whole_year(plan.start.year)
    else:
        latest = files.sort_values(["coverage_end", "coverage_start"]).iloc[-1]
        last_period = latest["period"]
        source = config.sources[latest["source_id"]]
        dates = files["submitted_on"].dropna()
        last_submitted = max(dates) if len(dates) else None
        period = Period.from_label(last_period)
        nxt = (Period.of_date(period.end + dt.timedelta(days=1)) if source.frequency == "quarterly"
               else Period.whole_year(period.year + 1))
    next_due = None
    if nxt.start <= plan.end and source is not None:
        nxt_end = (source.coverage_end(nxt.year) if nxt.is_year else None) or nxt.end
        next_due = nxt_end + dt.timedelta(days=source.due_days)
    return Freshness(last_period=last_period, last_submitted_on=last_submitted, next_due_on=next_due,
                     overdue=bool(next_due and release and next_due < release))


# ---------------------------------------------------------------------------------------------
# One window


def _without_data(coverage: Coverage, start: dt.date, end: dt.date, scope_zh: str, release: dt.date | None) -> dict:
    due = coverage.first_due(start, end)
    if due is not None and (release is None or release < due):
        status, reason = "not_due", f"{scope_zh}的数据还不到报送时间（第一期数据应于{date_zh(due)}前报送）。"
    elif not coverage.sources:
        status, reason = "no_data", "没有部门报送这项数据。"
    else:
        status, reason = "no_data", f"尚未收到{scope_zh}的数据" + (f"（应于{date_zh(due)}前报送）。" if due else "。")
    return dict(data_through=None, elapsed_pct=0.0, result_value=None, completion_pct=None, expected_pct=None,
                expected_value=None, result_of_target_pct=None, pace_ratio=None, status=status,
                projected_value=None, final=False, reason_zh=reason)


def count_window(config: Config, target: Target, series: pd.DataFrame, coverage: Coverage, start: dt.date,
                 end: dt.date, scope_zh: str, release: dt.date | None) -> dict:
    """The figures of a count target over one window."""
    files = coverage.within(start, end)
    if files.empty:
        return _without_data(coverage, start, end, scope_zh, release)
    through = max(files["coverage_end"])
    final = through >= coverage.data_end(end)
    elapsed = 1.0 if final else elapsed_fraction(start, end, through)
    in_window = series[(series["period_start"] >= start) & (series["period_end"] <= end)]
    result = int(in_window["value"].sum())
    expected = target.value * elapsed
    pace = result / expected if expected > 0 else 0.0
    achieved = result >= target.value
    status = status_from_pace(pace, achieved=achieved, final=final, config=config)
    projected = None if final else result / elapsed
    done, goal = value_with_unit(result, target.unit), value_with_unit(target.value, target.unit)
    if achieved:
        reason = f"已完成 {done}，达到目标 {goal}。"
    elif final:
        reason = f"{scope_zh}已结束，未达到目标：完成 {done}，为目标 {goal} 的 {percent(result / target.value)}。"
    else:
        reason = (f"已完成 {done}，按时间进度（{percent(elapsed, 0)}）应完成约 {value_with_unit(round(expected), target.unit)}，"
                  f"完成进度是时间进度的 {pace:.2f} 倍；照此速度期末约为 {value_with_unit(round(projected), target.unit)}。")
    return dict(data_through=through, elapsed_pct=elapsed * 100, result_value=result,
                completion_pct=result / target.value * 100, expected_pct=elapsed * 100, expected_value=expected,
                result_of_target_pct=result / target.value * 100, pace_ratio=pace, status=status,
                projected_value=projected, final=final, reason_zh=reason)


def share_window(config: Config, target: Target, series: pd.DataFrame, coverage: Coverage,
                 release: dt.date | None) -> dict:
    """The figures of a share target over the plan."""
    plan = config.plan
    files = coverage.within(plan.start, plan.end)
    if files.empty or series.empty:
        return {**_without_data(coverage, plan.start, plan.end, "规划期", release), "baseline_value": None,
                "baseline_date": None}
    first, last = series.iloc[0], series.iloc[-1]
    baseline, current = float(first["value"]), float(last["value"])
    baseline_date, through = first["period_end"], last["period_end"]
    met = current >= target.value if target.comparison == "at_least" else current <= target.value
    final = max(files["coverage_end"]) >= coverage.data_end(plan.end)
    # The baseline is the level at the end of its day: time runs from the next day.
    elapsed = 1.0 if final else elapsed_fraction(baseline_date + dt.timedelta(days=1), plan.end, through)
    gap = target.value - baseline
    gap_closed = (current - baseline) / gap if gap != 0 else (1.0 if met else 0.0)
    pace = None
    if met:
        status = "achieved"
    elif final:
        status = "missed"
    elif elapsed <= 0:
        status = "behind"
    else:
        pace = gap_closed / elapsed
        status = status_from_pace(pace, achieved=False, final=False, config=config)
    projected = None if final else (current if elapsed <= 0 else baseline + (current - baseline) / elapsed)
    unit, goal = target.unit, f"{target.comparison_zh} {value_with_unit(target.value, target.unit)}"
    now = value_with_unit(current, unit)
    if final:
        reason = f"规划期末为 {now}，{'达到' if met else '未达到'}目标（{goal}）。"
    elif met:
        reason = f"目前为 {now}，已达到“{goal}”，需保持到规划期末。"
    elif pace is None:
        reason = f"目前为 {now}，目标为{goal}；只有一期数据，尚不能判断趋势。"
    else:
        reason = (f"从 {value_with_unit(baseline, unit)}（{Period.of_date(baseline_date).label_zh}末）变为 {now}，"
                  f"目标为{goal}：差距缩小了 {percent(gap_closed, 0)}，按时间应缩小 {percent(elapsed, 0)}；"
                  f"照此趋势规划期末约为 {value_with_unit(projected, unit)}。")
    return dict(data_through=through, elapsed_pct=elapsed * 100, result_value=current, baseline_value=baseline,
                baseline_date=baseline_date, completion_pct=gap_closed * 100, expected_pct=elapsed * 100,
                expected_value=None, result_of_target_pct=current / target.value * 100, pace_ratio=pace,
                status=status, projected_value=projected, final=final, reason_zh=reason)


def every_year_window(target: Target, years: list[dict]) -> dict:
    """An annual target over the whole plan, once every year's figures are in: achieved when every
    year was ("每年……")."""
    missed = [y for y in years if y["status"] != "achieved"]
    unit = target.unit
    # met every year <=> the lowest year's completion reaches 100%: that year is the result's measure
    lowest = min(years, key=lambda y: y["result_of_target_pct"] if y["result_of_target_pct"] is not None else -1)
    if not missed:
        status, reason = "achieved", f"{len(years)}个年度都达到了每年 {value_with_unit(target.value, unit)} 的目标。"
    else:
        status = "missed"
        reason = (f"{len(years)}个年度中 {len(years) - len(missed)} 个达到每年 {value_with_unit(target.value, unit)} 的目标；未达到："
                  + "、".join(f"{y['scope']}年（{value_with_unit(y['result_value'], unit)}）" if y["result_value"] is not None
                             else f"{y['scope']}年（无数据）" for y in missed) + "。")
    return dict(data_through=max(y["data_through"] for y in years), elapsed_pct=100.0, result_value=None,
                completion_pct=None, expected_pct=None, expected_value=None,
                result_of_target_pct=lowest["result_of_target_pct"], pace_ratio=None, status=status,
                projected_value=None, final=True, reason_zh=reason)


# ---------------------------------------------------------------------------------------------
# Every window of every target


def target_progress(config: Config, target: Target, series: pd.DataFrame, submissions: pd.DataFrame,
                    release: dt.date | None) -> list[Progress]:
    """Progress rows of one target: one for the plan, or one per year for an annual target (and one
    for the plan once every year's figures are in)."""
    plan = config.plan
    coverage = coverage_of(config, target, submissions)
    fresh = freshness(config, coverage, release)
    plan_scope = f"{plan.start.year}-{plan.end.year}"
    rows: list[dict] = []
    if target.kind == "end_state":
        rows.append({**share_window(config, target, series, coverage, release), "scope": plan_scope,
                     "window_start": plan.start, "window_end": plan.end})
    elif target.kind == "cumulative":
        rows.append({**count_window(config, target, series, coverage, plan.start, plan.end, "规划期", release),
                     "scope": plan_scope, "window_start": plan.start, "window_end": plan.end})
    else:
        for year in plan.years:
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
            rows.append({**count_window(config, target, series, coverage, start, end, f"{year}年", release),
                         "scope": str(year), "window_start": start, "window_end": end})
        if all(r["final"] for r in rows):
            rows.append({**every_year_window(target, rows), "scope": plan_scope,
                         "window_start": plan.start, "window_end": plan.end})
    headline = _headline(rows, plan.start)
    common = dict(target_id=target.id, programme_id=target.programme, target_name=target.name, kind=target.kind,
                  unit=target.unit, target_value=target.value, comparison=target.comparison,
                  last_period=fresh.last_period, last_submitted_on=fresh.last_submitted_on,
                  next_due_on=fresh.next_due_on, overdue=fresh.overdue)
    return [Progress(**common, **{"baseline_value": None, "baseline_date": None, **row},
                     status_zh=config.method.status(row["status"]).word, is_headline=i == headline)
            for i, row in enumerate(rows)]


def _headline(rows: list[dict], plan_start: dt.date) -> int:
    """The row the home page shows: the plan's, or (annual targets, while the plan runs) the latest
    year with data, or the first year."""
    if rows[-1]["window_start"] == plan_start and rows[-1]["scope"] != str(plan_start.year):
        return len(rows) - 1
    with_data = [i for i, r in enumerate(rows) if r["data_through"] is not None]
    return with_data[-1] if with_data else 0


def progress_table(config: Config, series: dict[str, pd.DataFrame], submissions: pd.DataFrame,
                   release: dt.date | None) -> pd.DataFrame:
    """Progress of every target, as a table (PROGRESS_COLUMNS)."""
    rows = [asdict(p) for t in config.targets for p in target_progress(config, t, series[t.id], submissions, release)]
    frame = pd.DataFrame(rows, columns=PROGRESS_COLUMNS)
    # Counts stay whole numbers beside the shares' fractions (a float column would write 68.0).
    frame["result_value"] = pd.Series([r["result_value"] for r in rows], index=frame.index, dtype=object)
    return frame
