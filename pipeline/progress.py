"""Progress of every target (pure): result so far, share of target, share expected by now, status,
projection, and freshness. The methodology page explains each formula; thresholds come from
config/method.yml.

Count targets (cumulative over the plan, or per year):
    elapsed    = months of the window covered by the data / months in the window
    expected   = target × elapsed
    pace ratio = result / expected
    achieved   when result >= target; otherwise, by the pace ratio: on track (>= on_track_from),
               behind (>= behind_from), well behind (below). A window that has ended cannot be
               "on track": it was achieved or not.
    projection = result / elapsed (the same pace to the end of the window)

Share targets (end state, e.g. the 15:65:20 skill mix):
    baseline   = the share at the first report; current = the share at the latest report
    gap closed = (current - baseline) / (target - baseline)
    elapsed    = months from the baseline to now / months from the baseline to the plan's end
    pace ratio = gap closed / elapsed; achieved when the current share meets the target
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import pandas as pd

from pipeline.config import Config, Target
from pipeline.periods import Period

#: Every status: id -> (Chinese word, symbol, colour). Words and symbols carry the meaning;
#: colour only repeats it (never the only cue).
STATUSES = {
    "achieved": ("已完成", "✔", "#1a7f37"),
    "on_track": ("进度正常", "●", "#0969da"),
    "behind": ("进度滞后", "▲", "#9a6700"),
    "well_behind": ("严重滞后", "✖", "#cf222e"),
    "no_data": ("暂无数据", "○", "#6e7781"),
}
STATUS_ORDER = list(STATUSES)

PROGRESS_COLUMNS = [
    "target_id", "programme_id", "target_name", "kind", "unit", "target_value", "comparison", "scope",
    "is_headline", "window_start", "window_end", "data_through", "elapsed_pct", "result_value",
    "baseline_value", "baseline_date", "completion_pct", "expected_pct", "pace_ratio", "status", "status_zh",
    "projected_value", "final", "reason_zh", "last_period", "last_submitted_on", "next_due_on", "overdue",
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
    elapsed_pct: float | None
    result_value: float | None
    baseline_value: float | None
    baseline_date: dt.date | None
    completion_pct: float | None
    expected_pct: float | None
    pace_ratio: float | None
    status: str
    status_zh: str
    projected_value: float | None
    final: bool
    reason_zh: str
    last_period: str | None
    last_submitted_on: dt.date | None
    next_due_on: dt.date | None
    overdue: bool


def months_between(start: dt.date, through: dt.date) -> float:
    """Months from the start of day `start` to the end of day `through`, partial months by day."""
    if through < start:
        return 0.0

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
    if pace >= t.on_track_from and not final:
        return "on_track"
    if pace >= t.behind_from:
        return "behind"
    return "well_behind"


# ---------------------------------------------------------------------------------------------
# Freshness


@dataclass(frozen=True)
class Freshness:
    data_through: dt.date | None
    last_period: str | None
    last_submitted_on: dt.date | None
    next_due_on: dt.date
    overdue: bool


def indicator_coverage(submissions: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """The files that reported an indicator and count (status used)."""
    if submissions.empty:
        return submissions
    used = submissions[submissions["status"] == "used"]
    return used[used["indicators"].str.split().map(lambda ids: indicator in ids)]


def next_period_after(source_frequency: str, period: Period | None, plan_start: dt.date) -> Period:
    if period is None:
        return Period.quarter_of(plan_start.year, 1) if source_frequency == "quarterly" else Period.whole_year(plan_start.year)
    if source_frequency == "quarterly":
        return Period.of_date(period.end + dt.timedelta(days=1))
    return Period.whole_year(period.year + 1)


def freshness(config: Config, target: Target, submissions: pd.DataFrame, reference_date: dt.date) -> Freshness:
    """When the target's figures were last updated and when the next ones are due."""
    indicator = target.measure.indicator
    files = indicator_coverage(submissions, indicator)
    producing = config.sources_of(indicator)
    source = producing[0] if producing else None
    frequency = source.frequency if source else "yearly"
    due_days = source.due_days if source else 0
    if files.empty:
        data_through, last_period, last_submitted = None, None, None
    else:
        latest = files.sort_values("coverage_end").iloc[-1]
        data_through, last_period = latest["coverage_end"], latest["period"]
        dates = files["submitted_on"].dropna()
        last_submitted = max(dates) if len(dates) else None
    nxt = next_period_after(frequency, Period.from_label(last_period) if last_period else None, config.plan.start)
    nxt_end = (source.coverage_end(nxt.year) if source and nxt.quarter is None else None) or nxt.end
    next_due = nxt_end + dt.timedelta(days=due_days)
    if nxt.start > config.plan.end:
        next_due = None
    return Freshness(data_through=data_through, last_period=last_period, last_submitted_on=last_submitted,
                     next_due_on=next_due, overdue=bool(next_due and next_due < reference_date))


def reference_date(submissions: pd.DataFrame) -> dt.date | None:
    """The date of this data release: the latest submission date, or the latest day covered."""
    if submissions.empty:
        return None
    used = submissions[submissions["status"] == "used"]
    candidates = list(used["submitted_on"].dropna()) + list(used["coverage_end"].dropna())
    return max(candidates) if candidates else None


# ---------------------------------------------------------------------------------------------
# Series


def aggregate(observations: pd.DataFrame) -> pd.DataFrame:
    """Observations summed per indicator, breakdown and period: all that progress needs (a list of a
    million records becomes a few hundred rows)."""
    keys = ["indicator", "breakdown", "period", "period_end"]
    return observations.groupby(keys, as_index=False, sort=False)["value"].sum()


def measure_rows(observations: pd.DataFrame, target: Target) -> pd.DataFrame:
    rows = observations[observations["indicator"] == target.measure.indicator]
    if target.measure.breakdown and not target.measure.share_of:
        rows = rows[rows["breakdown"].isin(target.measure.breakdown)]
    return rows


def count_series(observations: pd.DataFrame, target: Target) -> pd.DataFrame:
    """Value per reported period (period label, end date, value), oldest first."""
    rows = measure_rows(observations, target)
    series = rows.groupby(["period", "period_end"], as_index=False)["value"].sum()
    series["value"] = series["value"].astype("int64")
    return series.sort_values(["period_end", "period"]).reset_index(drop=True)


def share_series(observations: pd.DataFrame, target: Target) -> pd.DataFrame:
    """Share (in the target's unit) per reported period, with the numerator and denominator."""
    rows = measure_rows(observations, target)
    kept = rows["breakdown"].isin(target.measure.breakdown or rows["breakdown"].unique())
    num = rows[kept].groupby(["period", "period_end"])["value"].sum().rename("numerator")
    den = rows.groupby(["period", "period_end"])["value"].sum().rename("denominator")
    series = pd.concat([num, den], axis=1).fillna(0).reset_index()
    series = series[series["denominator"] > 0]
    series["value"] = series["numerator"] / series["denominator"] * target.share_scale
    return series.sort_values("period_end").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Progress


def _count_progress(config: Config, target: Target, series: pd.DataFrame, fresh: Freshness,
                    window_start: dt.date, window_end: dt.date, scope: str) -> dict:
    through = fresh.data_through
    covered_through = min(through, window_end) if through else None
    in_window = series[(series["period_end"] >= window_start) & (series["period_end"] <= window_end)]
    if covered_through is None or covered_through < window_start:
        started = through is not None and through >= window_start
        reason = "尚未收到任何数据。" if through is None else f"尚无{scope}年的数据。"
        return dict(data_through=None, elapsed_pct=0.0, result_value=None, completion_pct=None, expected_pct=None,
                    pace_ratio=None, status="no_data", projected_value=None, final=False, reason_zh=reason,
                    _started=started)
    elapsed = elapsed_fraction(window_start, window_end, covered_through)
    result = float(in_window["value"].sum())
    final = covered_through >= window_end
    expected = target.value * elapsed
    pace = result / expected if expected > 0 else 0.0
    achieved = result >= target.value
    status = status_from_pace(pace, achieved=achieved, final=final, config=config)
    projected = result if final else result / elapsed
    unit = target.unit
    if achieved:
        reason = f"已完成 {result:,.0f}{unit}，达到目标 {target.value:,.0f}{unit}。"
    elif final:
        reason = f"期限已过，完成 {result:,.0f}{unit}，为目标的 {result / target.value:.1%}。"
    else:
        reason = (f"已完成 {result:,.0f}{unit}，按时间进度（{elapsed:.0%}）应完成约 {expected:,.0f}{unit}，"
                  f"完成进度是时间进度的 {pace:.2f} 倍；照此速度期末约为 {projected:,.0f}{unit}。")
    return dict(data_through=covered_through, elapsed_pct=elapsed * 100, result_value=result,
                completion_pct=result / target.value * 100, expected_pct=elapsed * 100, pace_ratio=pace,
                status=status, projected_value=projected, final=final, reason_zh=reason)


def _share_progress(config: Config, target: Target, series: pd.DataFrame, fresh: Freshness) -> dict:
    plan = config.plan
    series = series[series["period_end"] <= (fresh.data_through or plan.start)]
    if series.empty:
        return dict(data_through=None, elapsed_pct=0.0, result_value=None, baseline_value=None, baseline_date=None,
                    completion_pct=None, expected_pct=None, pace_ratio=None, status="no_data",
                    projected_value=None, final=False, reason_zh="尚未收到任何数据。")
    first, last = series.iloc[0], series.iloc[-1]
    baseline, current = float(first["value"]), float(last["value"])
    baseline_date, through = first["period_end"], last["period_end"]
    met = current >= target.value if target.comparison == "at_least" else current <= target.value
    final = through >= plan.end
    # The baseline is the level at the end of its day: time runs from the next day.
    elapsed = elapsed_fraction(baseline_date + dt.timedelta(days=1), plan.end, through)
    gap = target.value - baseline
    gap_closed = (current - baseline) / gap if gap != 0 else (1.0 if met else 0.0)
    if met:
        status, pace = "achieved", None
    elif elapsed <= 0:
        status, pace = "behind", None
    else:
        pace = gap_closed / elapsed
        status = status_from_pace(pace, achieved=False, final=final, config=config)
    projected = current if final or elapsed <= 0 else baseline + (current - baseline) / elapsed
    unit = target.unit
    word = "不低于" if target.comparison == "at_least" else "不高于"
    if met:
        reason = f"目前为 {current:.2f}{unit}，已达到“{word} {target.value:g}{unit}”，需保持到规划期末。"
    elif pace is None:
        reason = f"目前为 {current:.2f}{unit}，目标为{word} {target.value:g}{unit}；只有一期数据，尚不能判断趋势。"
    else:
        reason = (f"从 {baseline:.2f}{unit}（{Period.of_date(baseline_date).label_zh}末）变为 {current:.2f}{unit}，"
                  f"目标为{word} {target.value:g}{unit}：差距缩小了 {gap_closed:.0%}，按时间应缩小 {elapsed:.0%}；"
                  f"照此趋势规划期末约为 {projected:.2f}{unit}。")
    return dict(data_through=through, elapsed_pct=elapsed * 100, result_value=current, baseline_value=baseline,
                baseline_date=baseline_date, completion_pct=gap_closed * 100, expected_pct=elapsed * 100,
                pace_ratio=pace, status=status, projected_value=projected, final=final, reason_zh=reason)


def target_progress(config: Config, target: Target, observations: pd.DataFrame, submissions: pd.DataFrame,
                    reference: dt.date | None) -> list[Progress]:
    """Progress rows of one target: one for the plan, or one per year for an annual target."""
    plan = config.plan
    fresh = freshness(config, target, submissions, reference or plan.start)
    common = dict(target_id=target.id, programme_id=target.programme, target_name=target.name, kind=target.kind,
                  unit=target.unit, target_value=target.value, comparison=target.comparison,
                  last_period=fresh.last_period, last_submitted_on=fresh.last_submitted_on,
                  next_due_on=fresh.next_due_on, overdue=fresh.overdue)
    rows = []
    if target.kind == "end_state":
        figures = _share_progress(config, target, share_series(observations, target), fresh)
        rows.append({**common, **figures, "scope": f"{plan.start.year}-{plan.end.year}", "is_headline": True,
                     "window_start": plan.start, "window_end": plan.end})
    elif target.kind == "cumulative":
        figures = _count_progress(config, target, count_series(observations, target), fresh,
                                  plan.start, plan.end, f"{plan.start.year}-{plan.end.year}")
        rows.append({**common, **figures, "scope": f"{plan.start.year}-{plan.end.year}", "is_headline": True,
                     "window_start": plan.start, "window_end": plan.end})
    else:
        series = count_series(observations, target)
        headline_year = fresh.data_through.year if fresh.data_through else plan.start.year
        headline_year = min(max(headline_year, plan.start.year), plan.end.year)
        for year in plan.years:
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
            figures = _count_progress(config, target, series, fresh, start, end, str(year))
            rows.append({**common, **figures, "scope": str(year), "is_headline": year == headline_year,
                         "window_start": start, "window_end": end})
    out = []
    for row in rows:
        row.pop("_started", None)
        row.setdefault("baseline_value", None)
        row.setdefault("baseline_date", None)
        row["status_zh"] = STATUSES[row["status"]][0]
        out.append(Progress(**row))
    return out


def all_progress(config: Config, observations: pd.DataFrame, submissions: pd.DataFrame) -> pd.DataFrame:
    """Progress of every target, as a table (PROGRESS_COLUMNS)."""
    reference = reference_date(submissions)
    values = aggregate(observations)
    rows = [asdict(p) for t in config.targets for p in target_progress(config, t, values, submissions, reference)]
    return pd.DataFrame(rows, columns=PROGRESS_COLUMNS)


def target_series(config: Config, observations: pd.DataFrame, progress: pd.DataFrame) -> pd.DataFrame:
    """Per target and reported period: the value, the running total within its window, and where
    the target path stands at that date (for charts and the tables under them)."""
    frames = []
    plan = config.plan
    observations = aggregate(observations)
    for target in config.targets:
        headline = progress[(progress["target_id"] == target.id) & progress["is_headline"]].iloc[0]
        if target.kind == "end_state":
            s = share_series(observations, target)
            if s.empty:
                continue
            base, base_date = s["value"].iloc[0], s["period_end"].iloc[0]
            s["running_total"] = pd.NA
            s["target_path"] = [base + (target.value - base) * elapsed_fraction(base_date + dt.timedelta(days=1), plan.end, d)
                                for d in s["period_end"]]
            s["scope"] = headline["scope"]
        else:
            s = count_series(observations, target)
            if s.empty:
                continue
            if target.kind == "cumulative":
                s["scope"] = headline["scope"]
                s["running_total"] = s["value"].cumsum()
                s["target_path"] = [target.value * elapsed_fraction(plan.start, plan.end, d) for d in s["period_end"]]
            else:
                s["scope"] = s["period_end"].map(lambda d: str(d.year))
                s["running_total"] = s.groupby("scope")["value"].cumsum()
                s["target_path"] = [target.value * elapsed_fraction(dt.date(d.year, 1, 1), dt.date(d.year, 12, 31), d)
                                    for d in s["period_end"]]
            s["numerator"] = pd.NA
            s["denominator"] = pd.NA
        s.insert(0, "target_id", target.id)
        frames.append(s)
    columns = ["target_id", "scope", "period", "period_end", "value", "running_total", "target_path",
               "numerator", "denominator"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
