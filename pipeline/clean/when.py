"""When a file's figures are from: its period (from its name, title or a column, which must agree)
and the date it was submitted."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePosixPath

import pandas as pd
from openpyxl.utils import get_column_letter

from pipeline.basics.format import date_zh
from pipeline.basics.parse import DateError, parse_date, tidy_name
from pipeline.basics.periods import Period, PeriodError, Statement, read_statement
from pipeline.clean.context import FileContext, blank_cells, place_zh, rows_of, rows_text
from pipeline.config import Config, Place


def accepted(config: Config) -> str:
    """Shown wherever a period is not understood: the forms accepted (the file contract lists them
    all), with the plan's last year."""
    y = config.plan.example_years[-1]
    return f"如“{y}年第一季度”“{y}Q1”“{y}年上半年”“{y}年1-9月”“{y}年截至9月底”或“{y}年度”（见 data/raw/README.md）"


def _example_name(ctx: FileContext) -> str:
    """This form's file name with a period in it, as an example (config/sources.yml: <folder>_<year>Q1_<name>.csv)."""
    return ctx.config.example_file(f"{ctx.config.plan.example_years[-1]}Q1", ctx.source)


def file_period(ctx: FileContext, title: str, data: pd.DataFrame) -> Period | None:
    """The period the file reports, from every place the source names (all must agree); None, with
    the problem recorded, when none names it, one is not understood, or they disagree."""
    said: dict[str, Statement] = {}
    for place in ctx.source.period:
        if place.kind == "column":
            statement = _column_statement(ctx, place, data)
            where = f"“{place.arg}”列"
        else:
            text = PurePosixPath(ctx.grid.file).stem if place.kind == "filename" else title
            where = place_zh(place)
            try:
                statement = read_statement(text)
            except PeriodError as exc:
                ctx.problem("period_unclear", f"{where}“{text.strip()}”：{exc}", accepted(ctx.config),
                            "按上面的写法改正文件名或标题（文件名可直接改名），使报送期的每个字都能读懂。")
                continue
        if statement is not None and (statement.year is not None or statement.months is not None):
            said[where] = _as_year_if_coverage(ctx, statement)
    if ctx.has_errors:
        return None
    periods = {where: s.period() for where, s in said.items() if s.year is not None}
    if not periods:
        ctx.problem("period_missing", f"在{'、'.join(place_zh(p) for p in ctx.source.period)}中都没有找到年份",
                    accepted(ctx.config), f"请在文件名（如 {_example_name(ctx)}）或表格标题中写明报送期。")
        return None
    distinct = set(periods.values())
    months_only = {where: s.months for where, s in said.items() if s.year is None}
    if len(distinct) > 1 or any(months != _months(p) for months in months_only.values() for p in distinct):
        shown = [f"{where}为{p.label_zh}" for where, p in periods.items()]
        shown += [f"{where}为{Period(2000, *m).label_zh.removeprefix('2000年')}" for where, m in months_only.items()]
        ctx.problem("period_conflict", "；".join(shown), "文件名、标题和报送期列写的是同一个报送期",
                    "核对哪一个是对的并改正文件（文件名可直接改名；表内内容请报送部门更正）。")
        return None
    return distinct.pop()


def _months(period: Period) -> tuple[int, int]:
    return period.first_month, period.last_month


def _as_year_if_coverage(ctx: FileContext, statement: Statement) -> Statement:
    """For a yearly form whose figures stop before December (config/sources.yml coverage_ends: 数据截至当年9月30日), "截至9月底"
    says the same as the year."""
    ends = ctx.source.coverage_ends
    if ends and statement.months == (1, int(ends.split("-")[0])):
        return Statement(statement.year, (1, 12))
    return statement


def _column_statement(ctx: FileContext, place: Place, data: pd.DataFrame) -> Statement | None:
    """What a period column says: every cell a whole period, the same in every row."""
    values = data[tidy_name(place.arg)]
    blank = blank_cells(values)
    periods: dict[object, Period] = {}
    for raw, rows in rows_of(values[~blank]).items():
        try:
            period = read_statement(raw).period()
            reason = "没有年份"
        except PeriodError as exc:
            period, reason = None, str(exc)
        if period is None:
            ctx.problem("period_unclear", f"“{raw}”：{reason}", accepted(ctx.config), f"改正该单元格（{rows_text(rows)}）。",
                        row=rows[0], column=place.arg)
            continue
        periods[raw] = period
    if blank.any():
        rows = values.index[blank.to_numpy()].tolist()
        ctx.problem("period_missing", "报送期单元格为空白（没有内容，或只有空格）", "每一行都写明报送期",
                    f"补上{rows_text(rows)}的报送期。", row=rows[0], column=place.arg)
    distinct = set(periods.values())
    if len(distinct) > 1:
        rows_by = rows_of(values.map(periods.get))
        said = "；".join(f"{p.label_zh}（{rows_text(r)}）" for p, r in sorted(rows_by.items()))
        ctx.problem("period_conflict", f"同一文件中有多个报送期：{said}", "一个文件只报一个报送期",
                    "把不同报送期的数据分成不同文件，或改正写错的行。", column=place.arg)
        return None
    if not distinct:
        return None
    period = distinct.pop()
    return Statement(period.year, _months(period))


def check_period(ctx: FileContext, period: Period) -> dt.date:
    """Check the period against the plan and the calendar; return the last day its figures cover."""
    plan = ctx.config.plan
    coverage_end = (ctx.source.coverage_end(period.year) if period.is_year else None) or period.end
    if period.start < plan.start or period.end > plan.end:
        ctx.problem("period_outside_plan", f"报送期为{period.label_zh}",
                    f"规划期 {plan.start.year}年至{plan.end.year}年之内的报送期",
                    "核对文件名和表内的年份是否写错；规划期以外的数据不属于本网站，请移出 data/raw。")
    elif coverage_end > ctx.today:
        ctx.problem("period_in_future", f"报送期为{period.label_zh}，到 {date_zh(coverage_end)} 才结束",
                    f"已经结束的报送期（今天是 {date_zh(ctx.today)}）",
                    f"核对年份或季度是否写错（如把 {plan.example_years[1]} 写成 {plan.example_years[2]}）。")
    return coverage_end


def check_header_periods(ctx: FileContext, headers, header_row: int, period: Period, coverage_end: dt.date) -> None:
    """Period words in a column's name (1-9月累计新增, 9月末累计持证人数) must say the file's period:
    a column of other months cannot be placed (gate/columns.py reads the words)."""
    for h in headers:
        if h.when is not None and not h.when.fits(period.first_month, coverage_end.month):
            ctx.problem("period_conflict", f"列名“{h.written}”说的是{h.when.words}，而报送期为{period.label_zh}",
                        "列名中的月份与报送期一致（或不写月份，如“本季新增”）",
                        "核对这一列的数字是哪几个月的：请报送部门改正列名或报送期后重新报送。",
                        row=header_row, column=h.written)


def check_sheet_name(ctx: FileContext, period: Period) -> None:
    """A sheet named after another period ("2022年三季度" in the fourth quarter's file) may be last
    quarter's workbook sent again under a new name: worth a look, not a stop (a name such as
    "Sheet1" or "认定名单" says nothing; a year's sheet may hold any of its quarters)."""
    try:
        statement = read_statement(ctx.grid.sheet) if ctx.grid.sheet else None
    except PeriodError:
        return
    if statement is None or statement.months is None:
        return
    named = Period(statement.year or period.year, *statement.months)
    if not named.contains(period):
        ctx.problem("period_sheet_differs", f"工作表名为“{ctx.grid.sheet}”（{named.label_zh}），而报送期为{period.label_zh}",
                    "工作表名与报送期一致，或不写报送期",
                    "请确认表内数字确是本期的（而不是上期报表另存后未更新）；确认无误后可把工作表改名。")


def check_submitted(ctx: FileContext, submitted: dt.date | None, period: Period, coverage_end: dt.date) -> None:
    """A date written in the file (not the workbook's creation date, which may well precede the
    period's end) before the period ended: a typing slip (last year), or figures sent early and
    incomplete; either way worth a look, since the later of two submissions is the one that counts."""
    if submitted is None or ctx.submitted_cell is None or submitted >= coverage_end:
        return
    row, column = ctx.submitted_cell
    ctx.problem("submitted_early", f"报送日期为 {date_zh(submitted)}",
                f"{period.label_zh}的数据截至 {date_zh(coverage_end)}，报送日期应在此之后",
                "核对日期是否写错（如把年份写成了上一年）；如确是提前报送，数字可能不全，请向报送部门确认。"
                "同期有更正文件时以报送日期较晚者为准，日期写错可能让旧文件被当作更正。", row=row, column=column)


def submitted_from(ctx: FileContext, submitted: dt.date | None) -> str | None:
    """Where the submission date was read: "written" in the file (a column or a label, where
    submitted_on found its cell), or "workbook" (the Excel file's creation date); None: no date."""
    if submitted is None:
        return None
    return "written" if ctx.submitted_cell is not None else "workbook"


def submitted_on(ctx: FileContext, title_cells: list, data: pd.DataFrame) -> dt.date | None:
    """The submission date, from the first place of the source's `submitted` list that has one."""
    for place in ctx.source.submitted:
        if place.kind == "workbook" and ctx.grid.workbook_created:
            return ctx.grid.workbook_created
        if place.kind == "column":
            cells = data[tidy_name(place.arg)]
            rows = rows_of(cells[~blank_cells(cells)])  # a blank cell says no date (another row may)
            dates = {}
            for raw, found in rows.items():
                try:
                    dates[raw] = parse_date(raw)
                except DateError:
                    y = ctx.config.plan.example_years[1]
                    ctx.problem("date_invalid", f"“{raw}”不是日期", f"如 {y}-04-05 或 {y}年4月5日",
                                "改正该单元格。", row=found[0], column=place.arg)
            if dates:
                latest = max(dates, key=dates.get)
                ctx.submitted_cell = (int(rows[latest][0]), place.arg)
                return dates[latest]
        if place.kind == "label":
            label = tidy_name(place.arg)
            for cell in title_cells:
                m = re.search(re.escape(label) + r":?(.+)", tidy_name(cell))
                if m:
                    try:
                        day = parse_date(m.group(1))
                    except DateError:
                        continue
                    ctx.submitted_cell = next(((int(r), get_column_letter(c + 1))
                                               for r, row in ctx.grid.cells.iterrows() for c, v in enumerate(row)
                                               if v is cell or isinstance(v, str) and v == cell), (None, None))
                    return day
    if ctx.source.submitted:
        ctx.problem("submitted_missing", "文件中没有找到报送日期",
                    f"在{'、'.join(place_zh(p) for p in ctx.source.submitted)}中写明报送日期",
                    "不影响本次发布；数据更新记录中该文件的报送日期将显示为“未注明”。")
    return None
