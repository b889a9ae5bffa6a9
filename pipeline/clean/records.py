"""The records layout: one row per person (or person-time), counted. Each record counts towards its
indicator (the source's, or its category's), in the period of its date; rows that the source's
include rule leaves out are counted as excluded, never silently dropped."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd

from pipeline.basics.parse import DateError, missing, parse_date, tidy_name
from pipeline.basics.periods import Period
from pipeline.clean.context import FileContext, blank_cells, distinct, python_text, rows_of, rows_text, take
from pipeline.clean.names import breakdown_names, canonical_names


def person_keys(ctx: FileContext, person_columns: pd.DataFrame) -> pd.Series | None:
    """Row -> a hash of the person's key columns (to find one person listed twice); never written
    anywhere public. None when the source names no key."""
    if not ctx.source.person_key:
        return None
    tidy = person_columns.map(lambda v: tidy_name(v).upper())
    # the key columns joined column by column (joined row by row, a list of 200,000 people took 30 s)
    columns = [tidy.iloc[:, i] for i in range(tidy.shape[1])]
    joined = (columns[0].str.cat(columns[1:], sep="|") if len(columns) > 1 else columns[0]).where((tidy != "").all(axis=1))
    # keyed: without the key, a hash of an ID number cannot be found by hashing every possible ID
    key = ctx.person_secret
    return joined.map(lambda s: hashlib.blake2b(s.encode(), digest_size=12, key=key).hexdigest(), na_action="ignore")


def record_observations(ctx: FileContext, data: pd.DataFrame, totals: pd.DataFrame, period: Period,
                        keys: pd.Series | None) -> tuple[pd.DataFrame, int]:
    """One observation (value 1) per counted record, and how many records were excluded."""
    source = ctx.source
    breakdown = breakdown_names(ctx, data)
    keep = pd.Series(True, index=data.index)
    if source.include:
        rule = source.include
        canonical = canonical_names(ctx, data[tidy_name(rule.column)], rule.vocabulary, rule.column, rule.column)
        excluded = canonical.notna() & ~canonical.isin(rule.values)
        for value, count in canonical[excluded].value_counts().items():
            ctx.count("excluded", f"{rule.column}为“{value}”", count)
        keep &= ~excluded
    if source.indicator_by:
        rule = source.indicator_by
        category = canonical_names(ctx, data[tidy_name(rule.column)], rule.vocabulary, rule.column, rule.column)
        codes, categories, _ = distinct(category)
        indicator = take(codes, [rule.indicators.get(c) for c in categories], None, category.index)
        no_target = category.notna() & indicator.isna()
        for value, count in category[no_target].value_counts().items():
            ctx.count("excluded", f"{rule.column}为“{value}”（没有对应目标）", count)
        keep &= ~no_target
    else:
        indicator = pd.Series(source.indicator, index=data.index, dtype=object)

    if source.event_date:
        labels = event_periods(ctx, data[tidy_name(source.event_date)], period)
    else:
        labels = pd.Series(period.label, index=data.index, dtype=object)
    if keys is not None:
        check_people_in_file(ctx, keys.loc[data.index].dropna())
    for row in totals.index:
        numbers = [int(m) for v in totals.loc[row] if not missing(v) for m in re.findall(r"\d+", tidy_name(v))]
        if numbers and numbers[-1] != len(data):
            ctx.problem("total_mismatch", f"合计行写 {numbers[-1]}，名单实有 {len(data)} 行",
                        "合计等于名单行数", "网站按名单逐行计数；请向报送部门核实是否漏列或多列。", row=int(row))
    ctx.count("total_rows", n=len(totals))

    kept = data.index[keep.to_numpy()]
    frame = _provenance(ctx, kept)
    frame["column"] = source.breakdown
    frame["indicator"] = indicator.loc[kept]
    frame["breakdown"] = breakdown.loc[kept]
    frame["value"] = pd.array(np.ones(len(kept), dtype="int64"), dtype="Int64")
    raw = data.loc[kept, tidy_name(source.breakdown)]
    frame["raw_value"] = python_text(raw.where(raw.notna(), ""))
    codes, labels_kept, _ = distinct(labels.loc[kept])
    bounds = [Period.from_label(label) for label in labels_kept]
    frame["period"] = take(codes, labels_kept, None, frame.index)
    frame["period_start"] = take(codes, [p.start for p in bounds], None, frame.index)
    frame["period_end"] = take(codes, [p.end for p in bounds], None, frame.index)
    return frame.reset_index(drop=True), int((~keep).sum())


def _provenance(ctx: FileContext, rows: pd.Index) -> pd.DataFrame:
    """The provenance columns of one observation per record. The values that are the same on every
    row (source, department, file, sheet) are categorical: a million rows share one copy of the
    file name."""
    n = len(rows)
    constant = {"source_id": ctx.source_id, "department": ctx.source.department, "file": ctx.grid.file,
                "sheet": ctx.grid.sheet}
    columns = {
        k: pd.Categorical.from_codes(np.zeros(n, dtype=np.int8) if v is not None else np.full(n, -1, np.int8),
                                     categories=[v] if v is not None else [])
        for k, v in constant.items()
    }
    frame = pd.DataFrame(columns, index=rows)
    frame["row"] = rows.to_numpy(dtype="int64")
    return frame


def check_people_in_file(ctx: FileContext, keys: pd.Series) -> None:
    """One person listed twice in a file is counted twice."""
    dup = keys[keys.duplicated(keep=False)]
    for rows in rows_of(dup).values():
        ctx.problem("duplicate_person", f"{rows_text(rows)}是同一人（{'、'.join(ctx.source.person_key)}相同）",
                    "每人只列一次", "删除重复的行（为保护个人信息，此处不显示姓名和证件号）。",
                    row=rows[1], column=ctx.source.person_key[0])


def event_periods(ctx: FileContext, cells: pd.Series, period: Period) -> pd.Series:
    """The period label of each record: the quarter of its date, within the file's period (a
    record dated in May of a 1-5月 file is in 2023M04-M05, not in the whole second quarter)."""
    column = ctx.source.event_date
    codes, uniques, counts = distinct(cells)
    blank = blank_cells(cells)
    found: dict[object, list[int]] = {}

    def rows_with(raw: object) -> list[int]:
        """The rows of a refused date (every value's rows found in one pass, the first time)."""
        if not found:
            found.update(rows_of(cells))
        return found[raw]

    labels: dict[object, str | None] = {}
    text_dates = 0
    y = ctx.config.plan.example_years[0]  # the examples of a date
    for raw, count in zip(uniques, counts):
        if isinstance(raw, str) and raw.isspace():
            labels[raw] = None  # only spaces: a blank date (below)
            continue
        try:
            day = parse_date(raw)
        except DateError as exc:
            labels[raw] = None
            rows = rows_with(raw)
            ctx.problem("date_invalid", f"“{raw}”（{exc}）", f"如 {y}-07-01、{y}.7.1 或 {y}年7月1日",
                        f"改正{rows_text(rows)}的日期。", row=rows[0], column=column)
            continue
        text_dates += int(count) if isinstance(raw, str) else 0
        if not (period.start <= day <= period.end):
            labels[raw] = None
            rows = rows_with(raw)
            ctx.problem("date_outside_period", f"{column}为 {day:%Y-%m-%d}（{rows_text(rows)}）",
                        f"{period.label_zh}之内的日期（本文件的报送期）",
                        "核对日期是否写错；如属于其他报送期，请放入该期的文件。", row=rows[0], column=column)
            continue
        quarter = Period.of_date(day)
        labels[raw] = Period(period.year, max(quarter.first_month, period.first_month),
                             min(quarter.last_month, period.last_month)).label
    if blank.any():
        rows = cells.index[blank.to_numpy()].tolist()
        ctx.problem("date_invalid", "日期为空白（没有内容，或只有空格）", f"每条记录都有{column}",
                    f"补上{rows_text(rows)}的{column}。", row=rows[0], column=column)
    ctx.count("date_text", n=text_dates)
    ctx.count("date_excel", n=int(counts.sum()) - text_dates)
    return take(codes, [labels[u] for u in uniques], None, cells.index)
