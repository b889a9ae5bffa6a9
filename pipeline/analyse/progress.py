"""Progress of every target (pure): result so far, share of target, value expected by now, status,
projection and freshness, each computed once, as a field. The methodology page explains each
formula; thresholds and statuses come from config/method.yml.

A target is judged over windows: the plan (cumulative and share targets) or each calendar year
(annual targets; also the plan, which every year must meet, once a year has been missed or every
year has ended). A window's data reach `data_through`, the end of the latest period covered by
the files that report the target's indicator within the window; a window without such a file has
no data, whatever other windows hold.

A window is over once the release date is after its end (or its data reach its end). Its result
is final only when it is complete: every month of the window is covered by a file (for a yearly
form, every year), and no file that would feed it was set aside (received, not used). A window
that is over and not complete is never judged by its pace: it is "incomplete" (unless its
figures already reach the target), and says which periods are missing and what the figure covers.

Count targets:
    elapsed    = months of the window covered by the data / months in the window (1 once over)
    expected   = target × elapsed
    pace ratio = result / expected
    status     achieved when result >= target; once the window is complete (final), not achieved
               is "missed"; over and not complete, "incomplete"; before that, by the pace ratio:
               on track, behind, well behind
    projection = result / elapsed (the same pace to the end of the window; none once over)

Level targets (config/models.py LEVEL_KINDS), judged by a level at the plan's end:
    end_state  a share of a stock (the 15:65:20 skill mix: kept breakdown values / all of them)
    level      a stock itself (e.g. a total of 120 000 people: its kept breakdown values summed)
    ratio      a stock per N of another stock, possibly from another department's form
               (per 10,000 residents: numerator / denominator × 10,000, at the dates both were reported;
               complete only when both are, see JointCoverage)
    baseline   = the level at the first report; current = the level at the latest report
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

from pipeline.basics.format import count_zh, date_zh, percent, value_with_unit
from pipeline.basics.periods import Period, month_number, periods_of_months, periods_zh
from pipeline.config import Config, Source, Target

PROGRESS_COLUMNS = [
    "target_id", "programme_id", "target_name", "kind", "unit", "target_value", "comparison", "scope",
    "is_headline", "window_start", "window_end", "data_through", "elapsed_pct", "result_value",
    "baseline_value", "baseline_date", "completion_pct", "expected_pct", "expected_value", "result_of_target_pct",
    "pace_ratio", "status", "status_zh", "projected_value", "final", "over", "missing_periods", "set_aside",
    "reason_zh", "figure_zh", "last_period", "last_submitted_on", "next_period", "next_due_on", "overdue",
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
    scope: str  # "2021-2023" for the plan, or a year "2021"
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
    final: bool  # complete: every period the window needs has come and none was set aside (its result stands)
    over: bool  # the window has ended (by the release date, or its data reach its end)
    missing_periods: str  # labels of the periods within the window no file covers (space-separated)
    set_aside: str  # files received but not used that would feed the window (；-separated)
    reason_zh: str
    figure_zh: str  # the window's figure in a few words (home cards, 本期变化): 2023年 2,040名（目标 2,000名）
    last_period: str | None
    last_submitted_on: dt.date | None
    next_period: str | None  # the period whose figures are due next (a missing one first)
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
class Completeness:
    """What a window's figures cover, as of the release date."""

    over: bool  # the window has ended (by the release date, or its data reach its end)
    reaches_end: bool  # the latest figures reach the last day the window's figures can cover
    missing: tuple[Period, ...]  # periods no file covers (all of the window once over; before the latest figures while it runs)
    missing_months: int
    covered: str  # what the files cover, in words: 三个季度, 两年
    set_aside: tuple[str, ...]  # files received but not used that would feed the window

    @property
    def complete(self) -> bool:
        return self.reaches_end and not self.missing and not self.set_aside


@dataclass(frozen=True)
class Coverage:
    """The files that report a target's indicator and count, the files set aside that would, and
    the sources that send them."""

    files: pd.DataFrame  # submissions (status used)
    sources: list[Source]
    set_aside: pd.DataFrame  # submissions (status set_aside) of those sources

    def within(self, start: dt.date, end: dt.date) -> pd.DataFrame:
        f = self.files
        return f[(f["coverage_start"] >= start) & (f["coverage_end"] <= end)] if len(f) else f

    @property
    def part_months(self) -> int:
        """The periods a reader names missing figures by: quarters for a quarterly form, else years."""
        return 3 if any(s.frequency == "quarterly" for s in self.sources) else 12

    def data_end(self, window_end: dt.date) -> dt.date:
        """The last day a window's figures can cover: its end, or for a yearly form whose figures
        stop before December (config/sources.yml coverage_ends: 09-30), that day of the window's last year."""
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

    def covered_months(self, start: dt.date, end: dt.date) -> set[int]:
        """The months of a window that files cover (a file covers the months of its period: a
        yearly form as of September covers its year)."""
        months: set[int] = set()
        for label in self.within(start, end)["period"] if len(self.files) else ():
            period = Period.from_label(label)
            months.update(range(month_number(period.start), month_number(period.end) + 1))
        return months

    def completeness(self, start: dt.date, end: dt.date, release: dt.date | None, *, level: bool = False) -> Completeness:
        """What the figures of [start, end] cover as of the release date. level: a share target,
        whose result is its latest level, needs only the figures at the end."""
        files = self.within(start, end)
        through = max(files["coverage_end"]) if len(files) else None
        data_end = self.data_end(end)
        reaches_end = through is not None and through >= data_end
        over = reaches_end or (release is not None and release > end)
        covered = self.covered_months(start, end)
        if level:  # only what comes after the latest level is missing
            covered = set(range(month_number(start), max(covered) + 1)) if covered else covered
        horizon = month_number(end) if over else (max(covered) if covered else month_number(start) - 1)
        missing = set(range(month_number(start), horizon + 1)) - covered
        feeding = self.set_aside_for(start, end, through if level else None)
        return Completeness(over=over, reaches_end=reaches_end, missing=tuple(periods_of_months(missing, self.part_months)),
                            missing_months=len(missing), covered=self._covered_words(covered), set_aside=feeding)

    def set_aside_for(self, start: dt.date, end: dt.date, after: dt.date | None) -> tuple[str, ...]:
        """Files set aside whose period overlaps the window (for a level, ends after `after`)."""
        window = Period(start.year, start.month, end.month) if start.year == end.year else None
        out = []
        for r in self.set_aside.to_dict("records") if len(self.set_aside) else []:
            period = Period.from_label(r["period"])
            inside = period.start <= end and start <= period.end if window is None else window.overlaps(period)
            if inside and (after is None or period.end > after):
                out.append(r["file"])
        return tuple(out)

    def _covered_words(self, months: set[int]) -> str:
        """三个季度, 十一个季度, 两年, 8个月: how much of a window the files cover."""
        if self.part_months == 12:
            years = {m // 12 for m in months}
            return f"{_count_words(len(years))}年"
        if len(months) % 3 == 0:
            return f"{_count_words(len(months) // 3)}个季度"
        return f"{len(months)}个月"


@dataclass(frozen=True)
class JointCoverage:
    """A ratio's coverage: its numerator's and its denominator's, which may come from different
    forms. Its figures exist only where both do, so a window is complete only when both are, its
    first figures are due when the later of the two is, and a period is missing when either is."""

    parts: tuple[Coverage, ...]

    @property
    def files(self) -> pd.DataFrame:
        frames = [c.files for c in self.parts if len(c.files)]
        return pd.concat(frames, ignore_index=True) if frames else self.parts[0].files

    @property
    def sources(self) -> list[Source]:
        return list({id(s): s for c in self.parts for s in c.sources}.values())

    @property
    def part_months(self) -> int:
        return min(c.part_months for c in self.parts)

    def within(self, start: dt.date, end: dt.date) -> pd.DataFrame:
        inside = [c.within(start, end) for c in self.parts]
        if any(f.empty for f in inside):  # no ratio without both of its figures
            return inside[0].iloc[:0]
        return pd.concat(inside, ignore_index=True)

    def first_due(self, start: dt.date, end: dt.date) -> dt.date | None:
        dues = [c.first_due(start, end) for c in self.parts]
        return None if any(d is None for d in dues) else max(dues)

    def completeness(self, start: dt.date, end: dt.date, release: dt.date | None, *, level: bool = False) -> Completeness:
        each = [c.completeness(start, end, release, level=level) for c in self.parts]
        missing = sorted({p.label: p for g in each for p in g.missing}.values(), key=lambda p: (p.start, p.end))
        return Completeness(over=any(g.over for g in each), reaches_end=all(g.reaches_end for g in each),
                            missing=tuple(missing), missing_months=max(g.missing_months for g in each),
                            covered=each[0].covered, set_aside=tuple(dict.fromkeys(f for g in each for f in g.set_aside)))


def _count_words(n: int) -> str:
    return "两" if n == 2 else count_zh(n)


def coverage_of(config: Config, target: Target, submissions: pd.DataFrame) -> Coverage | JointCoverage:
    """The files of a target's indicator (for a ratio, of its numerator's and its denominator's)."""
    if target.measure.per is not None:
        return JointCoverage(tuple(indicator_coverage(config, i, submissions) for i in target.indicators))
    return indicator_coverage(config, target.measure.indicator, submissions)


def indicator_coverage(config: Config, indicator: str, submissions: pd.DataFrame) -> Coverage:
    sources = config.sources_of(indicator)
    files = set_aside = submissions
    if len(submissions):
        files = submissions[(submissions["status"] == "used")
                            & submissions["indicators"].str.split().map(lambda ids: indicator in ids)]
        ids = {k for k, s in config.sources.items() if indicator in s.indicator_ids}
        set_aside = submissions[(submissions["status"] == "set_aside") & submissions["source_id"].isin(ids)]
    return Coverage(files=files, sources=sources, set_aside=set_aside)


@dataclass(frozen=True)
class Freshness:
    last_period: str | None
    last_submitted_on: dt.date | None
    next_period: str | None
    next_due_on: dt.date | None
    overdue: bool


def freshness(config: Config, coverage: Coverage | JointCoverage, release: dt.date | None) -> Freshness:
    """When the target's figures were last updated and which are due next: the first period
    missing before the latest figures, or else the period after them (none once that would
    begin after the plan)."""
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
        gaps = coverage.completeness(plan.start, plan.end, None).missing
        if gaps:  # the first period missing: its quarter (or its year, for a yearly form)
            nxt = Period.of_date(gaps[0].start) if source.frequency == "quarterly" else Period.whole_year(gaps[0].year)
    next_due = None
    if nxt.start <= plan.end and source is not None:
        nxt_end = (source.coverage_end(nxt.year) if nxt.is_year else None) or nxt.end
        next_due = nxt_end + dt.timedelta(days=source.due_days)
    return Freshness(last_period=last_period, last_submitted_on=last_submitted,
                     next_period=nxt.label if next_due else None, next_due_on=next_due,
                     overdue=bool(next_due and release and next_due < release))


# ---------------------------------------------------------------------------------------------
# One window


def _without_data(coverage: Coverage, gaps: Completeness, start: dt.date, end: dt.date, scope_zh: str,
                  release: dt.date | None) -> dict:
    due = coverage.first_due(start, end)
    aside = _set_aside_words(gaps)
    if due is not None and (release is None or release < due):
        status, reason = "not_due", f"{scope_zh}的数据还不到报送时间（第一期数据应于{date_zh(due)}前报送）。"
    elif not coverage.sources:
        status, reason = "no_data", "没有部门报送这项数据。"
    else:
        status, reason = "no_data", f"尚未收到{scope_zh}的数据" + (f"（应于{date_zh(due)}前报送）。" if due else "。")
    return dict(data_through=None, elapsed_pct=0.0, result_value=None, completion_pct=None, expected_pct=None,
                expected_value=None, result_of_target_pct=None, pace_ratio=None, status=status,
                projected_value=None, final=False, over=gaps.over, missing_periods=_labels(gaps),
                set_aside="；".join(gaps.set_aside), reason_zh=reason + aside,
                figure_zh=f"{scope_zh}尚无数据" if status == "no_data" else f"{scope_zh}未到报送期")


def _labels(gaps: Completeness) -> str:
    return " ".join(p.label for p in gaps.missing)


def _set_aside_words(gaps: Completeness) -> str:
    if not gaps.set_aside:
        return ""
    names = "、".join(f.rsplit("/", 1)[-1] for f in gaps.set_aside)
    return f"已收到但暂不采用的文件：{names}（见数据更新记录）。"


def gap_words(gaps: Completeness, scope_zh: str, done: str) -> str:
    """What an incomplete window's figure covers: 2023年缺第三季度数据：已报三个季度合计 1,563名."""
    aside = "报来的文件暂不采用"
    if gaps.missing:  # the year said once: 2023年缺第三季度数据
        said = f"{scope_zh}缺{periods_zh(list(gaps.missing)).removeprefix(scope_zh)}数据" + (f"（{aside}）" if gaps.set_aside else "")
    else:
        said = f"{scope_zh}有{aside}"
    return f"{said}：已报{gaps.covered}合计 {done}"


def count_window(config: Config, target: Target, series: pd.DataFrame, coverage: Coverage, start: dt.date,
                 end: dt.date, scope_zh: str, release: dt.date | None) -> dict:
    """The figures of a count target over one window."""
    gaps = coverage.completeness(start, end, release)
    if coverage.within(start, end).empty:
        return _without_data(coverage, gaps, start, end, scope_zh, release)
    through = max(coverage.within(start, end)["coverage_end"])
    in_window = series[(series["period_start"] >= start) & (series["period_end"] <= end)]
    result = int(in_window["value"].sum())
    final, achieved = gaps.complete, result >= target.value
    done, goal = value_with_unit(result, target.unit), value_with_unit(target.value, target.unit)
    share = percent(result / target.value)
    gap = gap_words(gaps, scope_zh, done) if not gaps.complete and (gaps.over or gaps.missing or gaps.set_aside) else ""
    figures = dict(data_through=through, result_value=result, completion_pct=result / target.value * 100,
                   result_of_target_pct=result / target.value * 100, final=final, over=gaps.over,
                   missing_periods=_labels(gaps), set_aside="；".join(gaps.set_aside),
                   figure_zh=gap or f"{scope_zh} {done}（目标 {goal}）")
    if achieved or gaps.over:
        status = "achieved" if achieved else ("missed" if final else "incomplete")
        if achieved:
            reason = f"已完成 {done}，达到目标 {goal}。" + (f"（{gap}，已报的各期已经达到目标。）" if gap else "")
        elif final:
            reason = f"{scope_zh}已结束，未达到目标：完成 {done}，为目标 {goal} 的 {share}。"
        else:
            reason = f"{gap}，为目标 {goal} 的 {share}；缺的数据报来后才能确定是否达到目标。"
        return dict(**figures, elapsed_pct=100.0 if gaps.over else elapsed_fraction(start, end, through) * 100,
                    expected_pct=None, expected_value=None, pace_ratio=None, status=status, projected_value=None,
                    reason_zh=reason + _set_aside_words(gaps))
    elapsed = (months_between(start, through) - gaps.missing_months) / months_between(start, end)
    expected = target.value * elapsed
    pace = result / expected if expected > 0 else 0.0
    projected = result / elapsed if elapsed > 0 else None
    reason = (f"已完成 {done}，按时间进度（{percent(elapsed, 0)}）应完成约 {value_with_unit(round(expected), target.unit)}，"
              f"完成进度是时间进度的 {pace:.2f} 倍；照此速度期末约为 {value_with_unit(round(projected or 0), target.unit)}。")
    if gap:
        reason = f"{gap}（按已报的各期计算进度）。" + reason
    return dict(**figures, elapsed_pct=elapsed * 100, expected_pct=elapsed * 100, expected_value=expected,
                pace_ratio=pace, status=status_from_pace(pace, achieved=False, final=False, config=config),
                projected_value=projected, reason_zh=reason + _set_aside_words(gaps))


def level_window(config: Config, target: Target, series: pd.DataFrame, coverage: Coverage | JointCoverage,
                 release: dt.date | None) -> dict:
    """The figures of a target judged by its level at the plan's end (a share, a stock, a ratio)."""
    plan = config.plan
    files = coverage.within(plan.start, plan.end)
    gaps = coverage.completeness(plan.start, plan.end, release, level=True)
    if files.empty or series.empty:
        return {**_without_data(coverage, gaps, plan.start, plan.end, "规划期", release), "baseline_value": None,
                "baseline_date": None}
    first, last = series.iloc[0], series.iloc[-1]
    baseline, current = float(first["value"]), float(last["value"])
    baseline_date, through = first["period_end"], last["period_end"]
    met = current >= target.value if target.comparison == "at_least" else current <= target.value
    final = gaps.complete
    # The baseline is the level at the end of its day: time runs from the next day.
    elapsed = 1.0 if gaps.over else elapsed_fraction(baseline_date + dt.timedelta(days=1), plan.end, through)
    gap = target.value - baseline
    gap_closed = (current - baseline) / gap if gap != 0 else (1.0 if met else 0.0)
    pace = None
    if met:
        status = "achieved"
    elif final:
        status = "missed"
    elif gaps.over:
        status = "incomplete"
    elif elapsed <= 0:
        status = "behind"
    else:
        pace = gap_closed / elapsed
        status = status_from_pace(pace, achieved=False, final=False, config=config)
    projected = None if gaps.over else (current if elapsed <= 0 else baseline + (current - baseline) / elapsed)
    unit, goal = target.unit, f"{target.comparison_zh} {value_with_unit(target.value, target.unit)}"
    now, latest = value_with_unit(current, unit), f"{Period.of_date(through).label_zh}末"
    missing = f"规划期末的数据没有报来（缺{periods_zh(list(gaps.missing))}）" if gaps.missing else ""
    if final:
        reason = f"规划期末为 {now}，{'达到' if met else '未达到'}目标（{goal}）。"
    elif gaps.over:
        reason = (f"{missing or '规划期末有报来的文件暂不采用'}：最近一期（{latest}）为 {now}，"
                  f"{'已达到' if met else '未达到'}目标（{goal}）；期末的数据报来后才能确定。")
    elif met:
        reason = f"目前为 {now}，已达到“{goal}”，需保持到规划期末。"
    elif pace is None:
        reason = f"目前为 {now}，目标为{goal}；只有一期数据，尚不能判断趋势。"
    else:
        reason = (f"从 {value_with_unit(baseline, unit)}（{Period.of_date(baseline_date).label_zh}末）变为 {now}，"
                  f"目标为{goal}：差距缩小了 {percent(gap_closed, 0)}，按时间应缩小 {percent(elapsed, 0)}；"
                  f"照此趋势规划期末约为 {value_with_unit(projected, unit)}。")
    figure = f"{latest} {now}（目标{goal}）" + ("" if final or not gaps.over else "，期末数据未报齐")
    return dict(data_through=through, elapsed_pct=elapsed * 100, result_value=current, baseline_value=baseline,
                baseline_date=baseline_date, completion_pct=gap_closed * 100, expected_pct=None if gaps.over else elapsed * 100,
                expected_value=None, result_of_target_pct=current / target.value * 100, pace_ratio=pace,
                status=status, projected_value=projected, final=final, over=gaps.over,
                missing_periods=_labels(gaps), set_aside="；".join(gaps.set_aside),
                reason_zh=reason + _set_aside_words(gaps), figure_zh=figure)


def every_year_window(target: Target, years: list[dict]) -> dict:
    """An annual target over the whole plan ("每年……": every year must reach it): missed as soon
    as one year has been missed (with its figures complete), achieved when every year was, and
    otherwise incomplete (every year has ended, some without all their figures)."""
    unit, goal = target.unit, value_with_unit(target.value, target.unit)
    missed = [y for y in years if y["status"] == "missed"]
    short = [y for y in years if y["status"] != "achieved"]
    # met every year <=> the lowest year's completion reaches 100%: that year (of those with figures) is the measure
    reported = [y["result_of_target_pct"] for y in years if y["result_of_target_pct"] is not None]

    def listed(rows: list[dict]) -> str:
        return "、".join(f"{y['scope']}年（{value_with_unit(y['result_value'], unit)}）" if y["result_value"] is not None
                        else f"{y['scope']}年（无数据）" for y in rows)

    if missed:
        status, final = "missed", True
        reason = f"规划期每年都要达到 {goal}，未达到：{listed(missed)}。"
        figure = "、".join(f"{y['scope']}年 {value_with_unit(y['result_value'], unit)}" for y in missed) + f"（目标每年 {goal}）"
    elif not short:
        status, final = "achieved", all(y["final"] for y in years)
        reason = f"{len(years)}个年度都达到了每年 {goal} 的目标。"
        figure = "每年都达到：" + "、".join(f"{y['scope']}年 {value_with_unit(y['result_value'], unit)}" for y in years)
    else:
        status, final = "incomplete", False
        reason = f"规划期每年都要达到 {goal}；{listed(short)}的数据没有报齐，还不能确定。" + " ".join(
            y["reason_zh"] for y in short if y["status"] == "incomplete")
        figure = "；".join(y["figure_zh"] for y in short)
    return dict(data_through=max((y["data_through"] for y in years if y["data_through"]), default=None),
                elapsed_pct=100.0 if all(y["over"] for y in years) else None, result_value=None,
                completion_pct=None, expected_pct=None, expected_value=None,
                result_of_target_pct=min(reported) if reported else None, pace_ratio=None, status=status,
                projected_value=None, final=final, over=all(y["over"] for y in years),
                missing_periods=" ".join(y["missing_periods"] for y in years if y["missing_periods"]),
                set_aside="；".join(dict.fromkeys(f for y in years for f in y["set_aside"].split("；") if f)),
                reason_zh=reason, figure_zh=figure)


# ---------------------------------------------------------------------------------------------
# Every window of every target


def target_progress(config: Config, target: Target, series: pd.DataFrame, submissions: pd.DataFrame,
                    release: dt.date | None) -> list[Progress]:
    """Progress rows of one target: one for the plan, or one per year for an annual target (and one
    for the plan once a year has been missed or every year has ended)."""
    plan = config.plan
    coverage = coverage_of(config, target, submissions)
    fresh = freshness(config, coverage, release)
    plan_scope = f"{plan.start.year}-{plan.end.year}"
    rows: list[dict] = []
    if target.is_level:
        rows.append({**level_window(config, target, series, coverage, release), "scope": plan_scope,
                     "window_start": plan.start, "window_end": plan.end})
    elif target.kind == "cumulative":
        rows.append({**count_window(config, target, series, coverage, plan.start, plan.end, "规划期", release),
                     "scope": plan_scope, "window_start": plan.start, "window_end": plan.end})
    else:
        for year in plan.years:
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
            rows.append({**count_window(config, target, series, coverage, start, end, f"{year}年", release),
                         "scope": str(year), "window_start": start, "window_end": end})
        if any(r["status"] == "missed" for r in rows) or all(r["over"] for r in rows):
            rows.append({**every_year_window(target, rows), "scope": plan_scope,
                         "window_start": plan.start, "window_end": plan.end})
    headline = _headline(rows, plan.start)
    common = dict(target_id=target.id, programme_id=target.programme, target_name=target.name, kind=target.kind,
                  unit=target.unit, target_value=target.value, comparison=target.comparison,
                  last_period=fresh.last_period, last_submitted_on=fresh.last_submitted_on,
                  next_period=fresh.next_period, next_due_on=fresh.next_due_on, overdue=fresh.overdue)
    return [Progress(**common, **{"baseline_value": None, "baseline_date": None, **row},
                     status_zh=config.method.status(row["status"]).word, is_headline=i == headline)
            for i, row in enumerate(rows)]


def _headline(rows: list[dict], plan_start: dt.date) -> int:
    """The row the home page shows: the plan's, or (annual targets, while every year so far is met
    or running) the latest year with data, or the first year."""
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
