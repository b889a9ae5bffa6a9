"""Excel templates for the departments: one workbook per source (python -m pipeline.excel_templates.departments).

A template is laid out exactly as config/sources.yml reads that source, so that a filled template
needs no cleaning: the header has the configured column names, closed lists of names are
pre-filled rows or dropdowns of canonical names (vocabulary.yml), periods are dropdowns of the
plan's periods (plan.yml) written the way the parser reads them, and numbers must be whole and
not negative. Everything comes from the configuration: a renamed column or a new source changes
the templates with no change here.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.basics.periods import Period
from pipeline.config import Config, Source
from pipeline.excel_templates import style

#: The data sheet's name when the source does not name one (the pipeline reads the first sheet).
DATA_SHEET = "报送表"
#: Written in the title where the department writes the period; it contains no digit, so an
#: unfilled title names no period (the file name still does).
PERIOD_PLACEHOLDER = {"quarterly": "____年第__季度", "yearly": "____年度"}
def template_name(source: Source) -> str:
    """<folder>_<name>_报送模板.xlsx (config/sources.yml): no period in it, so it is never read as a submission."""
    return f"{source.folder}_{source.name}_报送模板.xlsx"


def columns(source: Source) -> list[str]:
    """Every column the source names, in the order the template shows them (config: column_roles)."""
    return list(dict.fromkeys(column for column, _ in source.column_roles()))


def plan_periods(source: Source, config: Config) -> list[Period]:
    """The periods of the plan at the source's frequency."""
    plan = config.plan
    periods = [p for year in plan.years for p in ([Period.whole_year(year)] if source.frequency == "yearly"
                                                   else [Period.quarter_of(year, q) for q in range(1, 5)])]
    return [p for p in periods if plan.start <= p.start and p.end <= plan.end]


def dropdowns(source: Source, config: Config) -> dict[str, list[str]]:
    """Column -> the values a department picks from: canonical names only (an alias is accepted
    by the pipeline, but then the file needs cleaning), and periods as the parser reads them."""
    lists: dict[str, list[str]] = {}
    vocab = config.breakdown_vocabulary(source)
    if not vocab.open:
        lists[source.breakdown] = list(vocab.names)
    for rule in (source.indicator_by, source.include):
        if rule:
            lists[rule.column] = list(config.vocabularies[rule.vocabulary].names)
    if source.department_column:
        lists[source.department_column] = [source.department]  # any other department is an error
    for place in source.period:
        if place.kind == "column":
            lists[place.arg] = [p.label_zh for p in plan_periods(source, config)]
    return lists


def _write_header(ws: Worksheet, names: list[str], top: int, rows: int) -> None:
    """The header over `rows` rows: 市级/学科带头人 is 市级 above 学科带头人, with 市级 merged over
    its neighbours that share it; a name with fewer parts is merged down to the last header row.
    clean.column_names joins them back to the configured names."""
    parts = [name.split("/", rows - 1) for name in names]
    for level in range(rows):
        c = 0
        while c < len(names):
            if level >= len(parts[c]):
                c += 1
                continue
            last = level == len(parts[c]) - 1
            end = c
            while (not last and end + 1 < len(names) and len(parts[end + 1]) > level + 1
                   and parts[end + 1][: level + 1] == parts[c][: level + 1]):
                end += 1
            ws.cell(top + level, c + 1, parts[c][level])
            bottom = top + rows - 1 if last else top + level
            if end > c or bottom > top + level:
                ws.merge_cells(start_row=top + level, start_column=c + 1, end_row=bottom, end_column=end + 1)
            c = end + 1
    for r in range(top, top + rows):
        for c in range(1, len(names) + 1):
            cell = ws.cell(r, c)
            cell.font, cell.fill, cell.border, cell.alignment = style.BOLD, style.HEADER_FILL, style.BOX, style.CENTRE


def _data_sheet(ws: Worksheet, source: Source, config: Config) -> None:
    names = columns(source)
    letter = {name: get_column_letter(i + 1) for i, name in enumerate(names)}
    lists = dropdowns(source, config)

    # Title: the form's name and the period to write in (read by sources whose period is in the title).
    ws.cell(1, 1, f"{PERIOD_PLACEHOLDER[source.frequency]}{source.name}").font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(names))
    ws.row_dimensions[1].height = 28
    labels = [p.arg for p in source.submitted if p.kind == "label"]
    for i, label in enumerate(labels):
        # clean.submitted_on reads the date from the same cell as the label: 填报日期：<the year after the plan>-01-10.
        cell = ws.cell(2, 1 + i, f"{label}：")
        prompt = DataValidation(showInputMessage=True, promptTitle=label,
                                prompt=f"在冒号后直接写日期，如“{label}：{config.plan.end.year + 1}-01-10”。")
        prompt.add(cell.coordinate)
        ws.add_data_validation(prompt)
    header = 2 + bool(labels)
    _write_header(ws, names, header, source.header.rows)
    first = header + source.header.rows
    ws.freeze_panes = ws.cell(first, 1)

    # One row per name when the names are a closed list (a table of towns, units, levels…).
    vocab = config.breakdown_vocabulary(source)
    if source.layout == "table" and not vocab.open:
        for r, name in enumerate(vocab.names, start=first):
            ws.cell(r, names.index(source.breakdown) + 1, name)
            if source.department_column:
                ws.cell(r, names.index(source.department_column) + 1, source.department)

    def column_range(name: str) -> str:
        return f"{letter[name]}{first}:{letter[name]}{style.EXCEL_MAX_ROW}"

    for name, options in lists.items():
        validation = style.list_validation(name, options)
        validation.add(column_range(name))
        ws.add_data_validation(validation)
    if source.values:
        whole = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                               showErrorMessage=True, errorStyle="stop", errorTitle="只能填整数",
                               error="请填写不小于 0 的整数（阿拉伯数字，不带单位）；没有就填 0。")
        for name in source.values:
            whole.add(column_range(name))
        ws.add_data_validation(whole)
    # Dates: a record's date lies within the plan (the pipeline then checks the file's own period);
    # a submission date comes after the plan has begun.
    plan = config.plan
    dates = {p.arg: (plan.start, None) for p in source.submitted if p.kind == "column"}
    if source.event_date:
        dates[source.event_date] = (plan.start, plan.end)
    for name, (start, end) in dates.items():
        validation = DataValidation(
            type="date", operator="between" if end else "greaterThanOrEqual", formula1=style.excel_date(start),
            formula2=style.excel_date(end) if end else None, allow_blank=True, showErrorMessage=True,
            errorStyle="stop", errorTitle="日期有误",
            error=f"请填写 {start:%Y-%m-%d}" + (f" 至 {end:%Y-%m-%d} 之间" if end else " 以后") + f"的日期，如 {plan.end.year}-03-15。")
        validation.add(column_range(name))
        ws.add_data_validation(validation)

    # Column formats apply to the cells a department types in: text keeps an 18-digit ID number
    # and a phone number as written (Excel would round them), dates show as YYYY-MM-DD.
    for name in names:
        dim = ws.column_dimensions[letter[name]]
        if name in source.values:
            dim.number_format = "0"
        elif name in dates:
            dim.number_format = "yyyy-mm-dd"
        else:
            dim.number_format = "@"
        shown = [*name.split("/"), *lists.get(name, ())]
        free_text = name not in source.values and name not in lists and name not in dates
        dim.width = max(max(style.text_width(s) for s in shown) + 4, 24 if free_text else 12)


def _instructions(source: Source, config: Config) -> list[str]:
    """The 填表说明 sheet, in plain Chinese, from the source's configuration: a heading, then
    numbered points."""
    quarterly = source.frequency == "quarterly"
    year = config.plan.end.year
    example = Period.quarter_of(year, 1) if quarterly else Period.whole_year(year)
    in_name, in_title = (example.label, example.label_zh) if quarterly else (f"{example.year}年度",) * 2
    points = [f"报送单位：{source.department}。{'每季度' if quarterly else '每年'}报送一次，"
              f"报送期结束后 {source.due_days} 天内报送。"]
    if source.coverage_ends:
        month, day = (int(x) for x in source.coverage_ends.split("-"))
        points[-1] += f"数据截至当年 {month} 月 {day} 日。"
    points.append(f"数据只填在第一个工作表“{source.sheet or DATA_SHEET}”中。不要修改表头（列名、列的顺序），"
                  "不要增删列，不要改动工作表的顺序。")
    period = (f"一个文件只报一个{'季度' if quarterly else '年度'}。另存文件时，文件名写明报送期，"
              f"如“{source.folder}_{in_name}_{source.name}.xlsx”；第 1 行标题中的"
              f"“{PERIOD_PLACEHOLDER[source.frequency]}”也改为报送期，如“{in_title}”，须与文件名一致。")
    period += "".join(f"“{p.arg}”列每一行都从下拉列表中选择报送期。" for p in source.period if p.kind == "column")
    points.append(period)
    for place in source.submitted:
        if place.kind == "label":
            points.append(f"在“{place.arg}：”之后直接写报送日期，如“{place.arg}：{year + 1}-01-10”。")
        elif place.kind == "column":
            points.append(f"“{place.arg}”列每一行都填写报送日期，如 {year + 1}-01-10。")
    lists = dropdowns(source, config)
    listed = "、".join(f"“{c}”" for c in lists if c not in {p.arg for p in source.period})
    if listed:
        points.append(f"{listed}请从下拉列表中选择，不要用简称或自行改写。")
    if source.layout == "table":
        if source.breakdown in lists:
            points.append(f"表中已列出全部“{source.breakdown}”，每个一行；某一行没有数就全部填 0，不要删行。")
        else:
            points.append(f"每个“{source.breakdown}”一行，写全称，同一个不要写两行。")
        points.append("数字只填不小于 0 的整数（阿拉伯数字，不带“人”“个”等单位）；没有就填 0，不要空着。"
                      "旧报表中的“—”表示没有（按 0 计），本模板中请直接填 0。")
    else:
        point = f"每条记录一行，程序逐行计数，按“{source.breakdown}”"
        point += f"和“{source.indicator_by.column}”" if source.indicator_by else ""
        point += "分类。"
        if source.event_date:
            point += f"“{source.event_date}”填写日期（如 {year}-03-15），须在报送期之内。"
        if source.include:
            point += (f"“{source.include.column}”为{'、'.join(source.include.values)}的记录计入目标，"
                      "其他的也请照实填写（不计入）。")
        points.append(point)
    points.append("数据行中不要合并单元格，不要插入空行、合计行或备注行（合计由程序计算）。")
    if source.personal_columns:
        point = (f"{'、'.join(source.personal_columns)}是个人信息：程序读取文件时即删除，"
                 "不会出现在网站和公开的数据中。")
        if source.person_key:
            point += f"{'、'.join(source.person_key)}只用于核对同一人是否被重复列出。"
        point += "请通过单位内部渠道报送文件，不要发到公共邮箱或网盘。"
        points.append(point)
    return [f"{source.name} 填表说明"] + [f"{i}. {point}" for i, point in enumerate(points, start=1)]


def write_template(source: Source, config: Config, path: Path) -> None:
    """One source's template: the data sheet first (the pipeline reads the first sheet), then
    the instructions."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = source.sheet or DATA_SHEET
    _data_sheet(ws, source, config)
    notes = workbook.create_sheet(config.defaults.instruction_sheets[0])
    for r, line in enumerate(_instructions(source, config), start=1):
        cell = notes.cell(r, 1, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    notes["A1"].font = Font(bold=True, size=14)
    notes.column_dimensions["A"].width = 100
    workbook.save(path)


def write_templates(config: Config, out_dir: Path) -> list[Path]:
    """One template per source in out_dir; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for source in config.sources.values():
        path = out_dir / template_name(source)
        write_template(source, config, path)
        written.append(path)
    return written
