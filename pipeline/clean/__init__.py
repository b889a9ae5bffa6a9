"""From a grid of raw cells to tidy observations, for one file (pure: no IO).

`clean_file` does it for every layout, driven by the source's configuration, in this order:
  layout.py   find the header, name the columns, drop personal columns, sort rows into
              data / total / note / blank;
  when.py     read the period (file name, title, column: all must agree) and the submission date;
  names.py    map names to the vocabulary;
  table.py    table layout: one observation per value cell, totals checked;
  records.py  records layout: one observation per counted record, people checked.
Every cleaning step is counted (ACTIONS); every problem is reported with its place; nothing is
dropped without a count.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from pipeline.basics.parse import COUNT_ACTIONS, tidy_name
from pipeline.basics.problems import Problem
from pipeline.clean import layout, when
from pipeline.clean.context import FileContext
from pipeline.clean.names import check_department
from pipeline.clean.records import person_keys, record_observations
from pipeline.clean.table import table_observations
from pipeline.config import Config, Source
from pipeline.gate.read import Grid

#: Every cleaning step, as shown to staff on the data-quality page (count cells: parse.COUNT_ACTIONS).
ACTIONS = {
    **COUNT_ACTIONS,
    "title_rows": "跳过表头以上的标题行",
    "multirow_header": "合并多行表头为列名（如“市级/学科带头人”）",
    "blank_rows": "删除空行",
    "note_rows": "删除表尾备注行（填表人、联系电话等，内容不保存）",
    "total_rows": "合计行不计入（已与明细逐列核对）",
    "personal_cells": "删除个人信息列（姓名、身份证号、联系电话等）的单元格",
    "unexpected_columns": "忽略未识别的列",
    "column_named": "列名带单位或报送期，按约定的列读取（如“1-9月累计新增”读作“本季新增”）",
    "name_tidied": "名称去除空格、全角字符",
    "name_alias": "名称按词表统一",
    "department_alias": "填报单位名称按词表统一",
    "company_completed": "企业简称补全为全称",
    "date_excel": "读取 Excel 日期单元格",
    "date_text": "文本日期转为日期",
    "excluded": "不计入目标的记录（按来源配置的 include 规则）",
    "superseded": "被同期更正文件取代，未计入",
}

OBSERVATION_COLUMNS = [
    "source_id", "department", "file", "sheet", "row", "column", "period", "period_start",
    "period_end", "indicator", "breakdown", "value", "raw_value", "submitted_on", "derivation",
]


@dataclass
class FileResult:
    """What one file gave: its submission record, observations, cleaning counts and problems."""

    submission: dict
    observations: pd.DataFrame
    actions: Counter = field(default_factory=Counter)  # (action, detail) -> count
    problems: list[Problem] = field(default_factory=list)
    person_keys: pd.Series | None = None  # row -> hash of the person's key columns; never written

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def empty_observations() -> pd.DataFrame:
    # the text columns as text (not object), as in a frame with rows: a build with no usable file
    # at all (every target "no data") passes the same schema check
    text = {c: "str" for c in ("column", "period", "indicator", "breakdown", "raw_value", "derivation")}
    return pd.DataFrame({c: pd.Series(dtype="object") for c in OBSERVATION_COLUMNS}).astype(
        {"row": "Int64", "value": "Int64", **text})


def new_submission(source_id: str, source: Source, file: str) -> dict:
    """A file's submission record before it is read (status rejected until it is read right)."""
    return {
        "source_id": source_id, "department": source.department, "file": file,
        "sheet": None, "encoding": None, "period": None, "coverage_start": None,
        "coverage_end": None, "submitted_on": None, "submitted_from": None, "rows_in_file": 0,
        "rows_data": 0, "rows_excluded": 0, "observations": 0, "indicators": "", "status": "rejected",
        "superseded_by": None,
        # when it was received and the release that first takes it (pipeline/ingest/receipts.py, set by the build)
        "received_on": None, "received_basis": None, "release": None,
    }


def clean_file(grid: Grid, source_id: str, source: Source, config: Config, today: dt.date,
               person_secret: bytes | None = None) -> FileResult:
    """Clean one file's grid into observations (see the module docstring); person_secret keys the
    hashes of the people listed (default: a key for this run only)."""
    ctx = FileContext(grid, source_id, source, config, today)
    if person_secret:
        ctx.person_secret = person_secret
    submission = {**new_submission(source_id, source, grid.file), "sheet": grid.sheet, "encoding": grid.encoding,
                  "rows_in_file": len(grid.cells)}
    result = FileResult(submission=submission, observations=empty_observations(), actions=ctx.actions,
                        problems=ctx.problems)
    for other in grid.other_sheets:
        ctx.problem("sheet_ignored", f"工作表“{other}”也有内容", "数据只放在一个工作表中",
                    f"只读取了工作表“{grid.sheet}”；请确认“{other}”中没有需要报送的数据。")

    table = layout.read_table(ctx)
    if table is None:
        return result
    kinds = layout.classify_rows(ctx, table.body)
    ctx.count("blank_rows", n=int((kinds == layout.ROW_BLANK).sum()))
    ctx.count("note_rows", n=int((kinds == layout.ROW_NOTE).sum()))
    # (every row a data row, as in most long lists: the rows as they are, not a copy of them)
    data = table.body if (kinds == layout.ROW_DATA).all() else table.body[kinds == layout.ROW_DATA]
    totals = table.body[kinds == layout.ROW_TOTAL]
    submission["rows_data"] = len(data)
    if data.empty:
        ctx.problem("no_data_rows", "表头下面没有数据行", "每个单位（街镇、医院、企业等）一行数据",
                    "请向报送部门索取填写完整的报表。", row=table.header_row)
        return result

    period = when.file_period(ctx, " ".join(str(v) for v in table.title_cells), data)
    submitted = when.submitted_on(ctx, table.title_cells, data)
    if period is None:
        return result
    coverage_end = when.check_period(ctx, period)
    when.check_sheet_name(ctx, period)
    when.check_header_periods(ctx, table.renamed.values(), table.header_row, period, coverage_end)
    when.check_submitted(ctx, submitted, period, coverage_end)
    submission.update(period=period.label, coverage_start=period.start, coverage_end=coverage_end,
                      submitted_on=submitted, submitted_from=when.submitted_from(ctx, submitted))
    if source.department_column:
        check_department(ctx, data)

    keys = person_keys(ctx, table.person_columns)
    if source.layout == "table":
        observations = table_observations(ctx, data, totals, period, coverage_end, table.written)
    else:
        observations, submission["rows_excluded"] = record_observations(ctx, data, totals, period, keys)
    if ctx.has_errors:
        return result
    observations["submitted_on"] = submitted
    observations["derivation"] = ""  # how a value was worked out from its cell, when not read as is (nesting.py)
    submission["observations"] = len(observations)
    submission["indicators"] = " ".join(reported_indicators(source, data))
    submission["status"] = "used"
    result.observations = observations[OBSERVATION_COLUMNS]
    result.person_keys = keys.loc[keys.index.isin(observations["row"])] if keys is not None else None
    return result


def reported_indicators(source: Source, data: pd.DataFrame) -> list[str]:
    """The indicators a file reports (a records file reports its indicators even when empty)."""
    if source.layout == "records":
        return source.indicator_ids
    return sorted({v.indicator for name, v in source.values.items() if tidy_name(name) in data.columns})
