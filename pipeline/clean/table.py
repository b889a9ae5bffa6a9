"""The table layout: one row per town, unit or company, one column per indicator. Every value cell
becomes an observation; total rows are checked against the rows, not counted."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pipeline.basics.parse import COUNT_ACTIONS, COUNT_ERRORS, missing, parse_counts, tidy_name
from pipeline.basics.periods import Period
from pipeline.clean.context import FileContext, python_text, rows_of, rows_text
from pipeline.clean.names import breakdown_names

#: How to mend a count cell that cannot be read, by parse.COUNT_ERRORS code.
COUNT_FIXES = {
    "blank": "填写数字；没有就填 0（或按报表说明填“—”）。",
    "excel_error": "在 Excel 中修正该单元格的公式，或改为直接填写数字。",
    "negative": "人数不能为负：请核对后填写正确的人数。",
    "fraction": "人数应为整数：请核对后填写。",
    "not_a_number": "只填写数字（可带“人”“个”等单位）；没有就填 0。",
    "too_large": "核对是否多打了数字，或把编号、金额等其他内容填进了这一格。",
}
_PROBLEM_OF_COUNT_ERROR = {"excel_error": "excel_error", "negative": "value_negative"}  # others: value_invalid


def table_observations(ctx: FileContext, data: pd.DataFrame, totals: pd.DataFrame, period: Period,
                       coverage_end: dt.date, written=lambda column: column) -> pd.DataFrame:
    """One observation per value cell of the data rows; written(column): how the file writes a
    configured column (each observation names its cell's column as written)."""
    source = ctx.source
    breakdown = breakdown_names(ctx, data)
    dup = breakdown[breakdown.notna() & breakdown.duplicated(keep=False)]
    short = ctx.config.short_name_example(ctx.config.breakdown_vocabulary(source)) or ctx.config.short_name_example()
    for name, rows in rows_of(dup).items():
        ctx.problem("duplicate_row", f"“{name}”出现在{rows_text(rows)}", f"每个{source.breakdown}只有一行",
                    "合并或删除重复的行（注意简称与全称也算同一个" + (f"，如“{short[0]}”与“{short[1]}”" if short else "") + "）。",
                    row=rows[1], column=source.breakdown)
    present = {tidy_name(raw_name): (written(raw_name), spec.indicator) for raw_name, spec in source.values.items()
               if tidy_name(raw_name) in data.columns}  # an optional column may be absent
    # Every value cell of the file in one long column, parsed in one go.
    long = data[list(present)].melt(ignore_index=False, var_name="tidy_column", value_name="cell")
    long["row"] = long.index.astype("int64")
    long = long.reset_index(drop=True)
    long["column"] = long["tidy_column"].map({tidy: raw for tidy, (raw, _) in present.items()})
    value = parse_values(ctx, long)
    observations = pd.DataFrame({
        "source_id": ctx.source_id, "department": source.department, "file": ctx.grid.file,
        "sheet": ctx.grid.sheet, "row": long["row"], "column": long["column"],
        "indicator": long["tidy_column"].map({tidy: indicator for tidy, (_, indicator) in present.items()}),
        "breakdown": long["row"].map(breakdown),
        "value": value,
        "raw_value": raw_text(long["cell"]),
    }, copy=False)
    check_totals(ctx, totals, observations, {tidy: raw for tidy, (raw, _) in present.items()})
    observations["period"] = period.label
    observations["period_start"] = period.start
    observations["period_end"] = coverage_end
    ctx.count("total_rows", n=len(totals))
    return observations


def raw_text(cells: pd.Series) -> pd.Series:
    """Each cell as the text it was read as ("" when empty): a column of text as it is, other
    cells (Excel's numbers and dates) through str()."""
    if isinstance(cells.dtype, pd.StringDtype):
        return python_text(cells.fillna(""))
    return cells.map(lambda v: "" if missing(v) else str(v))


def parse_values(ctx: FileContext, long: pd.DataFrame) -> pd.Series:
    """The counts of value cells (a long frame with row, column and cell), their cleaning steps
    counted and the bad ones reported (only the counts are kept: the steps of three million
    cells, a column each, took a tenth of a gigabyte)."""
    d = ctx.config.defaults
    parsed = parse_counts(long["cell"], blank_as_zero=ctx.source.blank == "zero", zero_marks=d.zero_marks,
                          unit_suffixes=d.unit_suffixes)
    for action in COUNT_ACTIONS:
        if action == "text_number" and ctx.grid.kind == "csv":
            continue  # every CSV cell is text: not a cleaning step
        ctx.count(action, n=int(parsed[action].sum()))
    for i in parsed.index[parsed["error"] != ""]:
        code, raw = parsed.at[i, "error"], long.at[i, "cell"]
        ctx.problem(_PROBLEM_OF_COUNT_ERROR.get(code, "value_invalid"), f"{COUNT_ERRORS[code]}“{'' if missing(raw) else raw}”",
                    "不小于 0 的整数", COUNT_FIXES[code], row=int(long.at[i, "row"]), column=long.at[i, "column"])
    return parsed["value"]


def check_totals(ctx: FileContext, totals: pd.DataFrame, observations: pd.DataFrame, raw_names: dict[str, str]) -> None:
    """Each total row against the sum of the rows, column by column (a warning when they differ)."""
    if totals.empty:
        return
    stated = totals[list(raw_names)].melt(ignore_index=False, var_name="tidy_column", value_name="cell")
    stated["row"] = stated.index.astype("int64")
    stated = stated.reset_index(drop=True)
    d = ctx.config.defaults
    values = parse_counts(stated["cell"], blank_as_zero=True, zero_marks=d.zero_marks, unit_suffixes=d.unit_suffixes)["value"]
    unreadable = observations.groupby("column")["value"].agg(lambda v: v.isna().any())
    sums = observations.groupby("column")["value"].sum()
    for i in stated.index:
        column = raw_names[stated.at[i, "tidy_column"]]
        total = values.at[i]
        if pd.isna(total) or unreadable[column] or int(total) == int(sums[column]):
            continue
        ctx.problem("total_mismatch", f"合计行为 {int(total):,}，各行相加为 {int(sums[column]):,}",
                    "合计等于各行之和", "网站按各行明细计算（合计行不计入）；请向报送部门核实哪一个正确。",
                    row=int(stated.at[i, "row"]), column=column)
