"""Values beyond what any district could report (pure): a value (one cell of a table, or one
group's count in a list) above its indicator's plausible_max (config/indicators.yml) is an error;
a file with errors found on its way in is not counted."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from pipeline.basics.problems import Problem
from pipeline.clean import FileResult
from pipeline.config import Config, Source


def reject(result: FileResult, problems: list[Problem]) -> None:
    """Add errors found by the screen to a file's result: the file is then not counted."""
    if problems:
        result.problems[:0] = problems
        result.submission["status"] = "rejected"


def in_groups_above_maximum(observations: pd.DataFrame, config: Config, layout: str) -> np.ndarray:
    """Which observations are in a group (indicator, breakdown) whose values add up to more than
    the indicator's plausible_max. A table's groups are its cells (a name on two rows is refused
    before); a list's are summed by group codes. Without a copy of the observations or a row per
    group: a table of a million companies has three million groups, and grouping them with their
    places took longer, and more memory, than reading the file. (A sum above 2**53 is not exact,
    but is above any maximum.)"""
    value = observations["value"]
    counted = value.notna().to_numpy()
    maximum = {i: indicator.plausible_max for i, indicator in config.indicators.items()}
    if layout == "table":
        return counted & (value.fillna(0).to_numpy() > observations["indicator"].map(maximum).fillna(math.inf).to_numpy())
    indicator_codes, indicators = pd.factorize(observations["indicator"], use_na_sentinel=False)
    breakdown_codes, breakdowns = pd.factorize(observations["breakdown"], use_na_sentinel=False)
    group = indicator_codes.astype("int64") * max(len(breakdowns), 1) + breakdown_codes
    sums = np.bincount(group[counted], weights=value.to_numpy(dtype="float64", na_value=0)[counted],
                       minlength=len(indicators) * len(breakdowns))
    maxima = [maximum.get(i, math.inf) for i in indicators]
    return counted & (sums > np.repeat(maxima, len(breakdowns)))[group]


def implausible_values(observations: pd.DataFrame, source: Source, config: Config) -> list[Problem]:
    """Values above their indicator's plausible_max: a cell of a table, or the count of one
    group (town, category …) in a list of records."""
    near = observations[in_groups_above_maximum(observations, config, source.layout)]
    if near.empty:
        return []
    problems = []
    totals = near.groupby(["indicator", "breakdown"], dropna=False, sort=False, observed=True).agg(
        value=("value", "sum"), row=("row", "min"), column=("column", "first"), sheet=("sheet", "first"),
        file=("file", "first"))
    for (indicator_id, breakdown), group in totals.iterrows():
        indicator = config.indicators[indicator_id]
        if int(group["value"]) <= indicator.plausible_max:
            continue
        count = f"{int(group['value']):,}"
        found = f"{indicator.name}为 {count}{indicator.unit}"
        if source.layout == "records":  # a list: each record counts one
            found = f"{'' if pd.isna(breakdown) else f'{breakdown}的'}{indicator.name}共 {count} 条记录（{count}{indicator.unit}）"
        problems.append(Problem(
            code="value_implausible", file=str(group["file"]), row=int(group["row"]), column=str(group["column"]),
            sheet=None if pd.isna(group["sheet"]) else str(group["sheet"]),
            found=found,
            expected=f"0 至 {indicator.plausible_max:,}{indicator.unit}"
                     f"（config/indicators.yml 中 {indicator_id} 的 plausible_max）",
            fix="核对是否多打了数字、把其他数字（金额、编号、电话）填进了这一格，或把全区合计填进了一个单位的一行；"
                "确属实情，请调高 config/indicators.yml 中的 plausible_max。"))
    return problems
