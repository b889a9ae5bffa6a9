"""Checks across files and periods (pure): warnings for a person to look at, and the schema of the
published observations.

Warnings do not stop the build: a quarter missing in the middle of a series, a value far from
the same department's earlier quarters, a running total that falls, and a stock whose change does
not match the period's new people. The schema check is the last gate before anything is written:
if it fails, the pipeline has a bug, and the build stops.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pandera.pandas as pa

from pipeline.basics.periods import Period
from pipeline.basics.problems import Problem
from pipeline.config import Config


def period_gaps(submissions: pd.DataFrame, config: Config) -> list[Problem]:
    """Months no file covers, between the first and the last month a source's files cover (a
    quarterly form missing a quarter; a yearly form missing a year)."""
    problems = []
    used = submissions[submissions["status"] == "used"]
    for source_id, files in used.groupby("source_id"):
        source = config.sources[source_id]
        periods = [Period.from_label(p) for p in files["period"].unique()]
        if not periods:
            continue
        covered = {(p.year, m) for p in periods for m in p.month_numbers()}
        first, last = min(covered), max(covered)
        months = [(y, m) for y in range(first[0], last[0] + 1) for m in range(1, 13) if first <= (y, m) <= last]
        for gap in _runs_of_months([ym for ym in months if ym not in covered]):
            problems.append(Problem(
                code="period_gap", file=f"{source.folder}/",
                found=f"{source.department}的{source.name}缺少{gap.label_zh}的文件（前后各期都有）",
                expected=f"从{min(periods, key=lambda p: p.start).label_zh}到{max(periods).label_zh}每期一份文件",
                fix=("向报送部门索取该期文件；在补齐之前，该期按没有数据计算，网站写明缺这一期，"
                     "它所在的年度（或规划期）结束后标为“数据未报齐”，不作为最终结果。")))
    return problems


def _runs_of_months(months: list[tuple[int, int]]) -> list[Period]:
    """Consecutive (year, month) pairs as periods, none across a year's end."""
    runs: list[Period] = []
    for year, month in months:
        if runs and runs[-1].year == year and runs[-1].last_month == month - 1:
            runs[-1] = Period(year, runs[-1].first_month, month)
        else:
            runs.append(Period(year, month, month))
    return runs


def value_jumps(observations: pd.DataFrame, config: Config) -> list[Problem]:
    """A period's total far from the same months a year earlier (or, before that exists, from the
    median of earlier periods, compared per month so that a half-year is not twice a quarter):
    seasonal intakes such as July graduates do not raise warnings."""
    factor = config.method.jump_warning_factor
    min_periods = config.method.jump_warning_min_periods
    flow_ids = [i for i, indicator in config.indicators.items() if indicator.measure_type == "flow"]
    keys = ["source_id", "indicator", "period"]
    is_flow = observations["indicator"].isin(flow_ids)
    # the columns needed, of the flows' rows (not a copy of every column, nor of every row when all are flows)
    flows = observations[[*keys, "value"]] if is_flow.all() else observations.loc[is_flow, [*keys, "value"]]
    problems = []
    totals = flows.groupby(keys, observed=True)["value"].sum().reset_index()
    for (source_id, indicator), series in totals.groupby(["source_id", "indicator"], observed=True):
        by_period = {Period.from_label(p): int(v) for p, v in zip(series["period"], series["value"])}
        ordered = sorted(by_period)
        for i, period in enumerate(ordered):
            earlier = ordered[:i]
            last_year = Period(period.year - 1, period.first_month, period.last_month)
            value = by_period[period]
            # Last year's same months, also when they were sent in parts (a half-year against two quarters).
            parts = [p for p in ordered if last_year.contains(p)]
            if parts and sum(p.months for p in parts) == last_year.months:
                ratio_to = sum(by_period[p] for p in parts)
                against = f"上年同期（{last_year.label_zh}）{ratio_to:,}"
            elif len(earlier) >= min_periods:
                monthly = float(pd.Series([by_period[p] / p.months for p in earlier]).median())
                ratio_to = monthly * period.months
                against = f"此前 {len(earlier)} 期按月计的中位数（折合本期 {ratio_to:,.0f}）"
            else:
                continue
            if ratio_to <= 0 or value <= 0:
                continue
            ratio = value / ratio_to
            if ratio >= factor or ratio <= 1 / factor:
                files = observations.loc[(observations["indicator"] == indicator) & (observations["period"] == period.label), "file"]
                problems.append(Problem(
                    code="value_jump", file=files.iloc[0] if len(files) else config.sources[source_id].folder,
                    found=f"{config.indicators[indicator].name}{period.label_zh}为 {value:,}，是{against}的 {ratio:.1f} 倍",
                    expected=f"与上年同期或此前各期相差不到 {factor:g} 倍",
                    fix="请向报送部门核实这一数字（是否多录或漏录了单位、是否把累计数填成了本期数）；确认无误可忽略此提醒。"))
    return problems


def stock_checks(observations: pd.DataFrame, config: Config) -> list[Problem]:
    """Running totals that fall, and stocks whose change differs from the new people of the
    months between the two reports."""
    problems = []
    for indicator_id, indicator in config.indicators.items():
        if indicator.measure_type != "stock":
            continue
        stock = observations[observations["indicator"] == indicator_id]
        if stock.empty:
            continue
        flow = observations[observations["indicator"] == indicator.accumulates] if indicator.accumulates else None
        # each breakdown's new people in each period, looked up (not a look through the flows for each pair of reports)
        added_by = flow.groupby(["breakdown", "period"], observed=True)["value"].sum() if flow is not None else None
        for breakdown, series in stock.groupby("breakdown"):
            series = series.assign(p=series["period"].map(Period.from_label)).sort_values("p")
            rows = list(series.itertuples())
            for before, after in zip(rows, rows[1:]):
                if after.value < before.value:
                    problems.append(Problem(
                        code="stock_decrease", file=after.file, row=after.row, column=after.column,
                        found=f"{breakdown}{after.p.label_zh}为 {after.value:,}，比上期（{before.p.label_zh}）的 {before.value:,} 少",
                        expected="累计数逐期不减少", fix="请向报送部门核实：累计数是否填错，或是否有注销、调出等原因。"))
                if flow is None or after.p.start != before.p.end + dt.timedelta(days=1):
                    continue
                added = added_by.get((breakdown, after.period))
                if added is not None and int(added) != after.value - before.value:
                    problems.append(Problem(
                        code="stock_flow_mismatch", file=after.file, row=after.row, column=after.column,
                        found=f"{breakdown}累计数从 {before.value:,} 变为 {after.value:,}（增加 {after.value - before.value:,}），"
                              f"本期新增却为 {int(added):,}",
                        expected="累计数的增加等于本期新增",
                        fix="请向报送部门核实哪一个数字正确；网站的“新增”目标按本期新增计算，比例目标按累计数计算。"))
    return problems


def warnings(observations: pd.DataFrame, submissions: pd.DataFrame, config: Config) -> list[Problem]:
    """All cross-period warnings."""
    if observations.empty:
        return []
    return period_gaps(submissions, config) + value_jumps(observations, config) + stock_checks(observations, config)


def observation_schema(config: Config) -> pa.DataFrameSchema:
    """What every published observation satisfies (a failure here is a bug, not a data problem)."""
    plan = config.plan

    def within_plan(label: str) -> bool:
        try:
            period = Period.from_label(label)
        except ValueError:
            return False
        return plan.start <= period.start and period.end <= plan.end

    text = dict(nullable=False)
    return pa.DataFrameSchema(
        {
            # text the same on every row of a file may be stored as a category (see clean._base)
            "source_id": pa.Column(None, pa.Check.isin(list(config.sources)), **text),
            "department": pa.Column(None, pa.Check.isin(list(config.vocabularies["departments"].names)), **text),
            "file": pa.Column(None, pa.Check.str_length(min_value=1), **text),
            "sheet": pa.Column(None, nullable=True),
            "row": pa.Column("Int64", pa.Check.ge(1), **text),
            "column": pa.Column(str, **text),
            "period": pa.Column(str, pa.Check(lambda labels: labels.map(within_plan), element_wise=False), **text),
            "period_start": pa.Column(object, **text),
            "period_end": pa.Column(object, **text),
            "indicator": pa.Column(str, pa.Check.isin(list(config.indicators)), **text),
            "breakdown": pa.Column(str, pa.Check.str_length(min_value=1), **text),
            "value": pa.Column("Int64", pa.Check.ge(0), **text),
            "raw_value": pa.Column(str, nullable=True),
            "submitted_on": pa.Column(object, nullable=True),
            "derivation": pa.Column(str, nullable=False),
        },
        strict=True,
        ordered=True,
        unique=["file", "row", "column", "indicator"],
        checks=[
            pa.Check(lambda df: (df["period_start"] <= df["period_end"]).all(), error="period_start after period_end"),
        ],
    )
