"""From a grid of raw cells to tidy observations, for one file (pure: no IO).

One function, `clean_file`, does it for every layout, driven by the source's configuration:
find the header, name the columns, drop personal columns, sort rows into data / total / note /
blank, read the period and submission date, map names to the vocabulary, read the values, and
check what can be checked within the file. Every cleaning step is counted; every problem is
reported with its place; nothing is dropped without a count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from pipeline.config import Config, Place, Source, Vocabulary
from pipeline.format import date_zh
from pipeline.parse import (
    COUNT_ACTIONS,
    COUNT_ERRORS,
    DateError,
    Period,
    PeriodError,
    parse_counts,
    parse_date,
    parse_period,
    tidy_name,
    tidy_text,
)
from pipeline.problems import Problem
from pipeline.read import Grid

#: Cleaning steps other than those on count cells (see parse.COUNT_ACTIONS), as shown to staff.
ACTIONS = {
    **COUNT_ACTIONS,
    "title_rows": "跳过表头以上的标题行",
    "multirow_header": "合并多行表头为列名（如“市级/学科带头人”）",
    "blank_rows": "删除空行",
    "note_rows": "删除表尾备注行（填表人、联系电话等，内容不保存）",
    "total_rows": "合计行不计入（已与明细逐列核对）",
    "personal_cells": "删除个人信息列（姓名、身份证号、联系电话等）的单元格",
    "unexpected_columns": "忽略未识别的列",
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
    "period_end", "indicator", "breakdown", "value", "raw_value", "submitted_on",
]

MAX_LISTED_ROWS = 8
_RUN_SECRET = os.urandom(32)  # the person-hash key of a run without a read cache (which keeps its own)
ROW_DATA, ROW_BLANK, ROW_TOTAL, ROW_NOTE = 0, 1, 2, 3  # kinds of rows below the header
# A whole date (2011年1月10日, 2011-01-10), not a span of months such as 2009年1-3月.
_FULL_DATE = re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|(?:19|20)\d{2}([-./])\d{1,2}\1\d{1,2}(?!\s*月)")


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
    text = {c: "str" for c in ("column", "period", "indicator", "breakdown", "raw_value")}
    return pd.DataFrame({c: pd.Series(dtype="object") for c in OBSERVATION_COLUMNS}).astype(
        {"row": "Int64", "value": "Int64", **text})


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _distinct(values: pd.Series) -> tuple[np.ndarray, list, np.ndarray]:
    """Codes (-1 for missing), distinct values and how often each occurs: a list of a million
    records has a few dozen towns and a few hundred dates, so work is done once per distinct value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    return codes, list(uniques), counts


def _take(codes: np.ndarray, mapped: list, missing: object, index: pd.Index) -> pd.Series:
    """A Series from codes and the value for each distinct value (`missing` where the code is -1)."""
    table = np.empty(len(mapped) + 1, dtype=object)
    table[:-1] = mapped
    table[-1] = missing
    return pd.Series(table[codes], index=index, dtype=object)


def _rows_text(rows: list[int]) -> str:
    """第 6 行; 第 2、14、76 行; 第 2、38、41 … 等 11 行."""
    listed = "、".join(str(r) for r in rows[:MAX_LISTED_ROWS])
    return f"第 {listed} 行" if len(rows) <= MAX_LISTED_ROWS else f"第 {listed} 等 {len(rows)} 行"


class _FileCleaner:
    """Holds one file's state while it is cleaned; `run` returns the FileResult."""

    def __init__(self, grid: Grid, source_id: str, source: Source, config: Config, today: dt.date,
                 person_secret: bytes | None = None):
        self.person_secret = person_secret or _RUN_SECRET
        self.submitted_cell: tuple[int | None, str | None] | None = None  # where a date written in the file was read
        self.grid = grid
        self.source_id = source_id
        self.source = source
        self.config = config
        self.today = today
        self.defaults = config.defaults
        self.actions: Counter = Counter()
        self.problems: list[Problem] = []

    # -- helpers ---------------------------------------------------------------------------

    def problem(self, code: str, found: str, expected: str, fix: str,
                row: int | None = None, column: str | None = None) -> None:
        self.problems.append(Problem(code=code, file=self.grid.file, sheet=self.grid.sheet, row=row,
                                     column=column, found=found, expected=expected, fix=fix))

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    # -- steps -----------------------------------------------------------------------------

    def find_header(self) -> int | None:
        marker = tidy_name(self.source.header.contains)
        cells = self.grid.cells.head(100)
        for row_number, row in cells.iterrows():
            if any(tidy_name(v) == marker for v in row if not _missing(v)):
                return int(row_number)
        self.problem("header_missing", f"前 {len(cells)} 行中没有内容为“{self.source.header.contains}”的单元格",
                     f"表头行含有“{self.source.header.contains}”列（sources.yml 中 {self.source_id}.header）",
                     "请使用约定的报表格式（表头列名不要改动），或在 sources.yml 中改正 header.contains。")
        return None

    def column_names(self, header_row: int) -> list[str]:
        """Names of the columns, joining the header rows (merged cells filled across)."""
        rows = self.source.header.rows
        cells = self.grid.cells
        width = cells.shape[1]
        names = []
        fill: dict[tuple[int, int], object] = {}
        for r1, c1, r2, c2 in self.grid.merged:
            top_left = cells.at[r1, c1] if r1 in cells.index and c1 < width else None
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    fill[(r, c)] = top_left
        for c in range(width):
            parts = []
            for r in range(header_row, header_row + rows):
                value = fill.get((r, c), cells.at[r, c] if r in cells.index else None)
                part = tidy_name(value)
                if part and part not in parts:
                    parts.append(part)
            names.append("/".join(parts))
        if rows > 1:
            self.actions[("multirow_header", "")] += 1
        return names

    def period_places(self, title: str, body: pd.DataFrame) -> Period | None:
        found: dict[str, Period] = {}
        for place in self.source.period:
            if place.kind == "filename":
                try:
                    found["文件名"] = parse_period(PurePosixPath(self.grid.file).stem)
                except PeriodError:
                    pass
            elif place.kind == "title":
                try:
                    # a full date above the table (填报日期：2011年1月10日) is not the period
                    found["标题"] = parse_period(_FULL_DATE.sub(" ", title))
                except PeriodError:
                    pass
            elif place.kind == "column":
                period = self.period_from_column(place, body)
                if period is not None:
                    found[f"“{place.arg}”列"] = period
        if self.has_errors:
            return None
        if not found:
            self.problem("period_missing",
                         f"在{'、'.join(self._place_zh(p) for p in self.source.period)}中都没有找到年份或季度",
                         "如“2009年第一季度”“2009Q1”“2009年1-3月”或“2009年度”",
                         "请在文件名（如 卫生局_2010Q1_卫生人才引进.csv）或表格标题中写明报送期。")
            return None
        distinct = set(found.values())
        if len(distinct) > 1:
            said = "；".join(f"{where}为{p.label_zh}" for where, p in found.items())
            self.problem("period_conflict", said, "文件名、标题和报送期列写的是同一个报送期",
                         "核对哪一个是对的并改正文件（文件名可直接改名；表内内容请报送部门更正）。")
            return None
        return distinct.pop()

    @staticmethod
    def _place_zh(place: Place) -> str:
        return {"filename": "文件名", "title": "标题", "workbook": "文件属性"}.get(
            place.kind, f"“{place.arg}”{'列' if place.kind == 'column' else '标注'}")

    def period_from_column(self, place: Place, body: pd.DataFrame) -> Period | None:
        column = tidy_name(place.arg)
        values = body[column]
        parsed: dict[object, Period] = {}
        for raw in values.dropna().unique():
            try:
                parsed[raw] = parse_period(raw)
            except PeriodError:
                rows = values.index[values == raw].tolist()
                self.problem("period_missing", f"“{raw}”不是可识别的年份或季度",
                             "如“2009年第一季度”“2009Q1”“2009年1-3月”或“2009年”",
                             f"改正该单元格（{_rows_text(rows)}）。", row=rows[0], column=place.arg)
        blank = values.index[values.isna()].tolist()
        if blank:
            self.problem("period_missing", "报送期单元格为空白", "每一行都写明报送期",
                         f"补上{_rows_text(blank)}的报送期。", row=blank[0], column=place.arg)
        periods = set(parsed.values())
        if len(periods) > 1:
            rows_by = {p: values.index[values.map(lambda v: parsed.get(v) == p)].tolist() for p in periods}
            said = "；".join(f"{p.label_zh}（{_rows_text(r)}）" for p, r in sorted(rows_by.items()))
            self.problem("period_conflict", f"同一文件中有多个报送期：{said}",
                         "一个文件只报一个报送期", "把不同报送期的数据分成不同文件，或改正写错的行。",
                         column=place.arg)
            return None
        return periods.pop() if periods else None

    def check_period(self, period: Period) -> dt.date:
        """Check the period against the plan and the calendar; return the last day it covers."""
        plan = self.config.plan
        coverage_end = (self.source.coverage_end(period.year) if period.quarter is None else None) or period.end
        if period.start < plan.start or period.end > plan.end:
            self.problem("period_outside_plan", f"报送期为{period.label_zh}",
                         f"规划期 {plan.start.year}年至{plan.end.year}年之内的报送期",
                         "核对文件名和表内的年份是否写错；规划期以外的数据不属于本网站，请移出 data/raw。")
        elif coverage_end > self.today:
            self.problem("period_in_future", f"报送期为{period.label_zh}，到 {date_zh(coverage_end)} 才结束",
                         f"已经结束的报送期（今天是 {date_zh(self.today)}）",
                         "核对年份或季度是否写错（如把 2010 写成 2011）。")
        return coverage_end

    def check_sheet_name(self, period: Period) -> None:
        """A sheet named after another period ("2010年三季度" in the fourth quarter's file) may be
        last quarter's workbook sent again under a new name: worth a look, not a stop (a name
        such as "Sheet1" or "认定名单" says nothing; a year's sheet may hold any of its quarters)."""
        try:
            named = parse_period(self.grid.sheet) if self.grid.sheet else None
        except PeriodError:
            return
        if named is not None and not named.contains(period):
            self.problem("period_sheet_differs", f"工作表名为“{self.grid.sheet}”（{named.label_zh}），"
                         f"而报送期为{period.label_zh}",
                         "工作表名与报送期一致，或不写报送期",
                         "请确认表内数字确是本期的（而不是上期报表另存后未更新）；确认无误后可把工作表改名。")

    def check_submitted(self, submitted: dt.date | None, period: Period, coverage_end: dt.date) -> None:
        """A date written in the file (not the workbook's creation date, which may well precede the
        period's end) before the period ended: a typing slip (last year), or figures sent early and
        incomplete; either way worth a look, since the later of two submissions is the one that counts."""
        if submitted is None or self.submitted_cell is None or submitted >= coverage_end:
            return
        row, column = self.submitted_cell
        self.problem("submitted_early", f"报送日期为 {date_zh(submitted)}",
                     f"{period.label_zh}的数据截至 {date_zh(coverage_end)}，报送日期应在此之后",
                     "核对日期是否写错（如把年份写成了上一年）；如确是提前报送，数字可能不全，请向报送部门确认。"
                     "同期有更正文件时以报送日期较晚者为准，日期写错可能让旧文件被当作更正。", row=row, column=column)

    def submitted_on(self, title_cells: list[object], body: pd.DataFrame) -> dt.date | None:
        for place in self.source.submitted:
            if place.kind == "workbook" and self.grid.workbook_created:
                return self.grid.workbook_created
            if place.kind == "column":
                column = tidy_name(place.arg)
                dates = {}
                for raw in body[column].dropna().unique():
                    try:
                        dates[raw] = parse_date(raw)
                    except DateError:
                        rows = body.index[body[column] == raw].tolist()
                        self.problem("date_invalid", f"“{raw}”不是日期", "如 2010-04-05 或 2010年4月5日",
                                     "改正该单元格。", row=rows[0], column=place.arg)
                if dates:
                    latest = max(dates, key=dates.get)
                    self.submitted_cell = (int(body.index[body[column] == latest][0]), place.arg)
                    return dates[latest]
            if place.kind == "label":
                label = tidy_name(place.arg)
                for cell in title_cells:
                    text = tidy_name(cell)
                    m = re.search(re.escape(label) + r":?(.+)", text)
                    if m:
                        try:
                            day = parse_date(m.group(1))
                        except DateError:
                            continue
                        self.submitted_cell = next(((int(r), get_column_letter(c + 1))
                                                    for r, row in self.grid.cells.iterrows() for c, v in enumerate(row)
                                                    if v is cell or isinstance(v, str) and v == cell), (None, None))
                        return day
        if self.source.submitted:
            self.problem("submitted_missing", "文件中没有找到报送日期",
                         f"在{'、'.join(self._place_zh(p) for p in self.source.submitted)}中写明报送日期",
                         "不影响本次发布；数据更新记录中该文件的报送日期将显示为“未注明”。")
        return None

    def classify_rows(self, body: pd.DataFrame) -> np.ndarray:
        """The kind of every body row: ROW_DATA, ROW_BLANK, ROW_TOTAL or ROW_NOTE.

        A total row starts with, or has in its breakdown column, a total label (合计, …); a note
        row starts with a note label and a colon (填表人：…, 注：…).
        """
        kind = np.full(len(body), ROW_DATA, dtype=np.int8)
        if body.empty:
            return kind
        # The first non-empty cell of each row (most rows have their first cell filled).
        first = body.iloc[:, 0].copy()
        empty = first.isna()
        for column in body.columns[1:]:
            if not empty.any():
                break
            first[empty] = body.loc[empty, column]
            empty = first.isna()
        kind[empty.to_numpy()] = ROW_BLANK
        totals = {tidy_name(t) for t in self.defaults.total_labels}
        notes = tuple(tidy_name(n) + ":" for n in self.defaults.note_prefixes)

        def distinct_texts(cells: pd.Series) -> tuple[np.ndarray, list[str], pd.Index]:
            """Codes, distinct tidied texts and rows of the non-empty cells."""
            text = cells.dropna()
            codes, uniques = pd.factorize(text)
            return codes, [tidy_name(u) for u in uniques], text.index

        def rows_where(candidates: tuple, test) -> np.ndarray:
            codes, texts, rows = candidates
            found = np.zeros(len(body), dtype=bool)
            if len(rows):
                hits = np.array([test(t) for t in texts], dtype=bool)
                found[body.index.get_indexer(rows[hits[codes]])] = True
            return found

        breakdown_col = tidy_name(self.source.breakdown)
        if breakdown_col in body.columns:
            # A total or note row has a label where the town, unit or category goes, or nothing
            # there at all: only rows with an empty breakdown need their first cell read, which
            # spares a million-row list a pass over every row.
            breakdown = body[breakdown_col]
            labels = distinct_texts(breakdown)
            kind[rows_where(labels, lambda t: t in totals)] = ROW_TOTAL
            kind[rows_where(labels, lambda t: t.startswith(notes))] = ROW_NOTE
            first = first[breakdown.isna().to_numpy()]
        firsts = distinct_texts(first)
        kind[rows_where(firsts, lambda t: t in totals)] = ROW_TOTAL
        kind[rows_where(firsts, lambda t: t.startswith(notes))] = ROW_NOTE
        return kind

    def vocabulary_lookup(self, values: pd.Series, vocab_name: str, raw_column: str,
                          what: str, action: str = "name_alias") -> pd.Series:
        """Canonical names for a column of names; unknown names are errors (closed vocabularies).

        Works on the distinct values (a list of a million records has a few dozen towns)."""
        vocab: Vocabulary = self.config.vocabularies[vocab_name]
        tidy_of = tidy_text if vocab.open else tidy_name
        codes, uniques, counts = _distinct(values)
        tidied, names = [], []
        for raw, count in zip(uniques, counts):
            tidy = tidy_of(raw)
            tidied.append(tidy)
            if tidy != str(raw):
                self.actions[("name_tidied", raw_column)] += int(count)
            if vocab.open:
                names.append(tidy or None)
                continue
            name = vocab.lookup.get(tidy)
            names.append(name)
            if name is not None and tidy != tidy_name(name):
                self.actions[(action, f"{tidy}→{name}")] += int(count)
        canonical = _take(codes, names, None, values.index)
        if vocab.open:
            return canonical
        unknown = canonical.isna()
        if unknown.any():
            tidy = _take(codes, tidied, "", values.index)[unknown]
            for raw_tidy in tidy.unique():
                rows = tidy.index[tidy == raw_tidy].tolist()
                if raw_tidy == "":
                    self.problem("name_unknown", f"{what}为空白", f"{what}（{vocab_name} 词表中的名称）",
                                 f"补上{_rows_text(rows)}的{what}。", row=rows[0], column=raw_column)
                    continue
                known = "、".join(list(vocab.names)[:12])
                self.problem("category_unknown" if vocab.kind == "category" else "name_unknown",
                             f"“{raw_tidy}”（{_rows_text(rows)}）",
                             f"{what}词表中的名称：{known}",
                             f"如为写错，请改正文件；如为新的名称或写法，请在 config/vocabulary.yml 的 {vocab_name} 下添加"
                             f"（新写法加在它所指的名称后面的列表里）。", row=rows[0], column=raw_column)
        return canonical

    # -- the whole file --------------------------------------------------------------------

    def run(self) -> FileResult:
        source = self.source
        grid = self.grid
        submission = {
            "source_id": self.source_id, "department": source.department, "file": grid.file,
            "sheet": grid.sheet, "encoding": grid.encoding, "period": None, "coverage_start": None,
            "coverage_end": None, "submitted_on": None, "rows_in_file": len(grid.cells),
            "rows_data": 0, "rows_excluded": 0, "observations": 0, "indicators": "", "status": "rejected",
            "superseded_by": None,
        }
        result = FileResult(submission=submission, observations=empty_observations(),
                            actions=self.actions, problems=self.problems)
        for other in grid.other_sheets:
            self.problem("sheet_ignored", f"工作表“{other}”也有内容", "数据只放在一个工作表中",
                         f"只读取了工作表“{grid.sheet}”；请确认“{other}”中没有需要报送的数据。")

        header_row = self.find_header()
        if header_row is None:
            return result
        names = self.column_names(header_row)
        first_body = header_row + source.header.rows
        above = grid.cells.loc[: header_row - 1]
        title_cells = [v for v in above.to_numpy().ravel() if not _missing(v)]
        self.actions[("title_rows", "")] += int(above.notna().any(axis=1).sum())
        body = grid.cells.loc[first_body:].copy()

        # Columns: name them, find the ones this layout needs, drop personal ones at once.
        named = {i: n for i, n in enumerate(names) if n}
        unnamed_with_data = [i for i in range(len(names)) if not names[i] and body[i].notna().any()]
        counts = Counter(named.values())
        for dup in [n for n, k in counts.items() if k > 1]:
            self.problem("column_duplicated", f"有 {counts[dup]} 列都叫“{dup}”", "每个列名只出现一次",
                         "删除重复的列，或改正写错的列名。", row=header_row, column=dup)
        body = body[list(named)].rename(columns=named)
        body = body.loc[:, ~body.columns.duplicated()]
        required = self.required_columns()
        missing = [c for c in required if tidy_name(c) not in body.columns]
        if missing:
            self.problem("column_missing", f"表头中的列：{'、'.join(named.values())}",
                         f"还应有列：{'、'.join(missing)}",
                         "请使用约定的报表格式补上这些列（列名须一字不差）；如格式已正式调整，请修改 config/sources.yml。",
                         row=header_row, column=missing[0])
            return result
        known = {tidy_name(c) for c in source.known_columns}
        for extra in [c for c in body.columns if c not in known]:
            self.actions[("unexpected_columns", extra)] += 1
            self.problem("column_unexpected", f"列“{extra}”", "sources.yml 中列出的列",
                         "该列未读取、不会发布。如含有个人信息，请列入该来源的 personal_columns；"
                         "如是需要统计的新指标，请在 sources.yml 中配置。", row=header_row, column=extra)
        for i in unnamed_with_data:
            self.problem("column_unexpected", f"第 {i + 1} 列没有列名但有内容", "每个有内容的列都有列名",
                         "该列未读取；请补上列名，或删除该列。", row=header_row)
        person_keys = self.person_keys(body)
        personal = [c for c in (tidy_name(p) for p in source.personal_columns) if c in body.columns]
        self.actions[("personal_cells", "、".join(personal))] += int(body[personal].notna().sum().sum())
        body = body.drop(columns=personal + [c for c in body.columns if c not in known])

        kinds = self.classify_rows(body)
        self.actions[("blank_rows", "")] += int((kinds == ROW_BLANK).sum())
        self.actions[("note_rows", "")] += int((kinds == ROW_NOTE).sum())
        data = body[kinds == ROW_DATA]
        totals = body[kinds == ROW_TOTAL]
        submission["rows_data"] = len(data)
        if data.empty:
            self.problem("no_data_rows", "表头下面没有数据行", "每个单位（街镇、医院、企业等）一行数据",
                         "请向报送部门索取填写完整的报表。", row=header_row)
            return result

        period = self.period_places(" ".join(str(v) for v in title_cells), data)
        submitted = self.submitted_on(title_cells, data)
        if period is None:
            return result
        coverage_end = self.check_period(period)
        self.check_sheet_name(period)
        self.check_submitted(submitted, period, coverage_end)
        submission.update(period=period.label, coverage_start=period.start, coverage_end=coverage_end,
                          submitted_on=submitted)
        if source.department_column:
            self.check_department(data)

        if source.layout == "table":
            observations = self.table_observations(data, totals, period, coverage_end)
        else:
            observations = self.record_observations(data, totals, period, person_keys)
        if self.has_errors:
            return result
        observations["submitted_on"] = submitted
        submission["observations"] = len(observations)
        submission["indicators"] = " ".join(self.reported_indicators(data))
        submission["status"] = "used"
        result.observations = observations[OBSERVATION_COLUMNS]
        result.person_keys = person_keys.loc[person_keys.index.isin(observations["row"])] if person_keys is not None else None
        return result

    def reported_indicators(self, data: pd.DataFrame) -> list[str]:
        """The indicators this file reports (a records file reports its indicators even when empty)."""
        if self.source.layout == "records":
            return self.source.indicator_ids
        return sorted({v.indicator for name, v in self.source.values.items() if tidy_name(name) in data.columns})

    def required_columns(self) -> list[str]:
        source = self.source
        cols = [source.breakdown]
        cols += [name for name, v in source.values.items() if v.required]
        cols += [p.arg for p in source.period if p.kind == "column"]
        cols += [p.arg for p in source.submitted if p.kind == "column"]
        for extra in (source.department_column, source.event_date, source.include and source.include.column,
                      source.indicator_by and source.indicator_by.column):
            if extra:
                cols.append(extra)
        cols += [c for c in source.person_key]
        return list(dict.fromkeys(cols))

    def person_keys(self, body: pd.DataFrame) -> pd.Series | None:
        if not self.source.person_key:
            return None
        cols = [tidy_name(c) for c in self.source.person_key]
        tidy = body[cols].map(lambda v: tidy_name(v).upper())
        joined = tidy.agg("|".join, axis=1).where((tidy != "").all(axis=1))
        # keyed: without the key, a hash of an ID number cannot be found by hashing every possible ID
        return joined.map(lambda s: hashlib.blake2b(s.encode(), digest_size=12, key=self.person_secret).hexdigest(),
                          na_action="ignore")

    def check_department(self, data: pd.DataFrame) -> None:
        column = tidy_name(self.source.department_column)
        canonical = self.vocabulary_lookup(data[column], "departments", self.source.department_column,
                                           "填报单位", action="department_alias")
        wrong = canonical.notna() & (canonical != self.source.department)
        for name in canonical[wrong].unique():
            rows = canonical.index[canonical == name].tolist()
            self.problem("department_mismatch", f"填报单位为“{name}”（{_rows_text(rows)}）",
                         f"{self.source.department}（文件放在 data/raw/{self.source.folder}/ 目录中）",
                         "如文件放错了目录，请移到正确的部门目录；否则请改正填报单位。",
                         row=rows[0], column=self.source.department_column)

    def _base(self, data: pd.DataFrame, period: Period) -> pd.DataFrame:
        """The provenance columns of one observation per data row. The values that are the same on
        every row (source, department, file, sheet) are categorical: a million rows share one
        copy of the file name."""
        n = len(data)
        constant = {"source_id": self.source_id, "department": self.source.department, "file": self.grid.file,
                    "sheet": self.grid.sheet}
        columns = {
            k: pd.Categorical.from_codes(np.zeros(n, dtype=np.int8) if v is not None else np.full(n, -1, np.int8),
                                         categories=[v] if v is not None else [])
            for k, v in constant.items()
        }
        frame = pd.DataFrame(columns, index=data.index)
        frame["row"] = data.index.to_numpy(dtype="int64")
        return frame

    def table_observations(self, data: pd.DataFrame, totals: pd.DataFrame, period: Period,
                           coverage_end: dt.date) -> pd.DataFrame:
        source = self.source
        breakdown_col = tidy_name(source.breakdown)
        indicators = [self.config.indicators[v.indicator] for v in source.values.values()]
        vocab_name = indicators[0].breakdown
        breakdown = self.vocabulary_lookup(data[breakdown_col], vocab_name, source.breakdown, source.breakdown)
        dup = breakdown[breakdown.notna() & breakdown.duplicated(keep=False)]
        for name in dup.unique():
            rows = dup.index[dup == name].tolist()
            self.problem("duplicate_row", f"“{name}”出现在{_rows_text(rows)}", f"每个{source.breakdown}只有一行",
                         "合并或删除重复的行（注意简称与全称也算同一个，如“北山”与“北山镇”）。",
                         row=rows[1], column=source.breakdown)
        present = [(raw_name, spec) for raw_name, spec in source.values.items()
                   if tidy_name(raw_name) in data.columns]  # an optional column may be absent
        # Every value cell of the file in one long column, parsed in one go.
        cells = data[[tidy_name(raw_name) for raw_name, _ in present]]
        long = cells.melt(ignore_index=False, var_name="tidy_column", value_name="cell")
        long["row"] = long.index.astype("int64")
        long = long.reset_index(drop=True)
        raw_names = {tidy_name(raw_name): raw_name for raw_name, _ in present}
        long["column"] = long["tidy_column"].map(raw_names)
        parsed = self.parse_values(long)
        observations = pd.DataFrame({
            "source_id": self.source_id, "department": source.department, "file": self.grid.file,
            "sheet": self.grid.sheet, "row": long["row"], "column": long["column"],
            "indicator": long["column"].map({raw_name: spec.indicator for raw_name, spec in present}),
            "breakdown": long["row"].map(breakdown),
            "value": parsed["value"],
            "raw_value": long["cell"].map(lambda v: "" if _missing(v) else str(v)),
        })
        self.check_totals(totals, observations, raw_names)
        observations["period"] = period.label
        observations["period_start"] = period.start
        observations["period_end"] = coverage_end
        self.actions[("total_rows", "")] += len(totals)
        return observations

    def parse_values(self, long: pd.DataFrame) -> pd.DataFrame:
        """Parse value cells (a long frame with row, column and cell) and report the bad ones."""
        d = self.defaults
        parsed = parse_counts(long["cell"], blank_as_zero=self.source.blank == "zero", zero_marks=d.zero_marks,
                              unit_suffixes=d.unit_suffixes)
        for action in COUNT_ACTIONS:
            if action == "text_number" and self.grid.kind == "csv":
                continue  # every CSV cell is text: not a cleaning step
            self.actions[(action, "")] += int(parsed[action].sum())
        fixes = {
            "blank": "填写数字；没有就填 0（或按报表说明填“—”）。",
            "excel_error": "在 Excel 中修正该单元格的公式，或改为直接填写数字。",
            "negative": "人数不能为负：请核对后填写正确的人数。",
            "fraction": "人数应为整数：请核对后填写。",
            "not_a_number": "只填写数字（可带“人”“个”等单位）；没有就填 0。",
            "too_large": "核对是否多打了数字，或把编号、金额等其他内容填进了这一格。",
        }
        for i in parsed.index[parsed["error"] != ""]:
            code, raw = parsed.at[i, "error"], long.at[i, "cell"]
            problem_code = {"excel_error": "excel_error", "negative": "value_negative"}.get(code, "value_invalid")
            self.problem(problem_code, f"{COUNT_ERRORS[code]}“{'' if _missing(raw) else raw}”",
                         "不小于 0 的整数", fixes[code], row=int(long.at[i, "row"]), column=long.at[i, "column"])
        return parsed

    def check_totals(self, totals: pd.DataFrame, observations: pd.DataFrame, raw_names: dict[str, str]) -> None:
        """Each total row against the sum of the rows, column by column (a warning when they differ)."""
        if totals.empty:
            return
        stated = totals[list(raw_names)].melt(ignore_index=False, var_name="tidy_column", value_name="cell")
        stated["row"] = stated.index.astype("int64")
        stated = stated.reset_index(drop=True)
        values = parse_counts(stated["cell"], blank_as_zero=True, zero_marks=self.defaults.zero_marks,
                              unit_suffixes=self.defaults.unit_suffixes)["value"]
        unreadable = observations.groupby("column")["value"].agg(lambda v: v.isna().any())
        sums = observations.groupby("column")["value"].sum()
        for i in stated.index:
            column = raw_names[stated.at[i, "tidy_column"]]
            total = values.at[i]
            if pd.isna(total) or unreadable[column] or int(total) == int(sums[column]):
                continue
            body_sum = int(sums[column])
            self.problem("total_mismatch", f"合计行为 {int(total):,}，各行相加为 {body_sum:,}",
                         "合计等于各行之和", "网站按各行明细计算（合计行不计入）；请向报送部门核实哪一个正确。",
                         row=int(stated.at[i, "row"]), column=column)

    def record_observations(self, data: pd.DataFrame, totals: pd.DataFrame, period: Period,
                            person_keys: pd.Series | None) -> pd.DataFrame:
        """One observation (value 1) per record; its indicator is the source's, or that of its
        category (indicator_by); its period is the quarter of its date, or the file's period."""
        source = self.source
        breakdown_col = tidy_name(source.breakdown)
        vocab_name = self.config.indicators[source.indicator_ids[0]].breakdown
        breakdown = self.vocabulary_lookup(data[breakdown_col], vocab_name, source.breakdown, source.breakdown)
        keep = pd.Series(True, index=data.index)
        if source.include:
            rule = source.include
            canonical = self.vocabulary_lookup(data[tidy_name(rule.column)], rule.vocabulary, rule.column, rule.column)
            excluded = canonical.notna() & ~canonical.isin(rule.values)
            for value, count in canonical[excluded].value_counts().items():
                self.actions[("excluded", f"{rule.column}为“{value}”")] += int(count)
            keep &= ~excluded
        if source.indicator_by:
            rule = source.indicator_by
            category = self.vocabulary_lookup(data[tidy_name(rule.column)], rule.vocabulary, rule.column, rule.column)
            codes, categories, _ = _distinct(category)
            indicator = _take(codes, [rule.indicators.get(c) for c in categories], None, category.index)
            no_target = category.notna() & indicator.isna()
            for value, count in category[no_target].value_counts().items():
                self.actions[("excluded", f"{rule.column}为“{value}”（没有对应目标）")] += int(count)
            keep &= ~no_target
        else:
            indicator = pd.Series(source.indicator, index=data.index, dtype=object)
        self.submission_excluded = int((~keep).sum())

        if source.event_date:
            labels = self.event_periods(data[tidy_name(source.event_date)], period)
        else:
            labels = pd.Series(period.label, index=data.index, dtype=object)

        if person_keys is not None:
            person_keys = person_keys.loc[data.index].dropna()
            dup = person_keys[person_keys.duplicated(keep=False)]
            for key in dup.unique():
                rows = dup.index[dup == key].tolist()
                self.problem("duplicate_person", f"{_rows_text(rows)}是同一人（{'、'.join(source.person_key)}相同）",
                             "每人只列一次", "删除重复的行（为保护个人信息，此处不显示姓名和证件号）。",
                             row=rows[1], column=source.person_key[0])

        for row in totals.index:
            numbers = [int(m) for v in totals.loc[row] if not _missing(v) for m in re.findall(r"\d+", tidy_name(v))]
            if numbers and numbers[-1] != len(data):
                self.problem("total_mismatch", f"合计行写 {numbers[-1]}，名单实有 {len(data)} 行",
                             "合计等于名单行数", "网站按名单逐行计数；请向报送部门核实是否漏列或多列。", row=int(row))
        self.actions[("total_rows", "")] += len(totals)

        kept = data.index[keep.to_numpy()]
        frame = self._base(pd.DataFrame(index=kept), period)
        frame["column"] = source.breakdown
        frame["indicator"] = indicator.loc[kept]
        frame["breakdown"] = breakdown.loc[kept]
        frame["value"] = pd.array(np.ones(len(kept), dtype="int64"), dtype="Int64")
        raw = data.loc[kept, breakdown_col]
        frame["raw_value"] = raw.where(raw.notna(), "")
        codes, labels_kept, _ = _distinct(labels.loc[kept])
        bounds = [Period.from_label(label) for label in labels_kept]
        frame["period"] = _take(codes, labels_kept, None, frame.index)
        frame["period_start"] = _take(codes, [p.start for p in bounds], None, frame.index)
        frame["period_end"] = _take(codes, [p.end for p in bounds], None, frame.index)
        return frame.reset_index(drop=True)

    def event_periods(self, cells: pd.Series, period: Period) -> pd.Series:
        """The period label of each record from its date (a quarter within a yearly file's year)."""
        column = self.source.event_date
        codes, uniques, counts = _distinct(cells)
        labels: dict[object, str | None] = {}
        text_dates = 0
        for raw, count in zip(uniques, counts):
            try:
                day = parse_date(raw)
            except DateError as exc:
                labels[raw] = None
                rows = cells.index[cells == raw].tolist()
                self.problem("date_invalid", f"“{raw}”（{exc}）", "如 2009-07-01、2009.7.1 或 2009年7月1日",
                             f"改正{_rows_text(rows)}的日期。", row=rows[0], column=column)
                continue
            text_dates += int(count) if isinstance(raw, str) else 0
            if not (period.start <= day <= period.end):
                labels[raw] = None
                rows = cells.index[cells == raw].tolist()
                self.problem("date_outside_period", f"{column}为 {day:%Y-%m-%d}（{_rows_text(rows)}）",
                             f"{period.label_zh}之内的日期（本文件的报送期）",
                             "核对日期是否写错；如属于其他报送期，请放入该期的文件。", row=rows[0], column=column)
                continue
            labels[raw] = (Period.of_date(day) if period.quarter is None else period).label
        blank = cells.index[cells.isna()].tolist()
        if blank:
            self.problem("date_invalid", "日期为空白", f"每条记录都有{column}",
                         f"补上{_rows_text(blank)}的{column}。", row=blank[0], column=column)
        self.actions[("date_text", "")] += text_dates
        self.actions[("date_excel", "")] += int(counts.sum()) - text_dates
        return _take(codes, [labels[u] for u in uniques], None, cells.index)


def clean_file(grid: Grid, source_id: str, source: Source, config: Config, today: dt.date,
               person_secret: bytes | None = None) -> FileResult:
    """Clean one file's grid into observations (see the module docstring)."""
    cleaner = _FileCleaner(grid, source_id, source, config, today, person_secret)
    result = cleaner.run()
    result.submission["rows_excluded"] = getattr(cleaner, "submission_excluded", 0)
    return result
