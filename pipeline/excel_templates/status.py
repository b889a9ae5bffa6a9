"""The Excel template of the quarterly status form (written by `make templates`, beside the
departments' templates of pipeline/excel_templates/departments.py).

One row per commitment of config/commitments.yml, filled in: 编号, 所属部分, 措施, 责任单位 and
类型 are for the reader (only 编号 and 措施 are read back); 状态 is a drop-down of the status
scale; 状态日期 accepts dates within the plan. Everything comes from the registry: a new
commitment or status changes the template with no change here.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline.config import Config
from pipeline.config.commitments import Commitment, Registry
from pipeline.excel_templates import style

#: Written where staff write the quarter; it has no digit, so an unfilled title names no quarter.
QUARTER_PLACEHOLDER = "____年第__季度"
FIRST_ROW = 4  # title, 填报单位 and 填报日期, header, then the commitments


def template_name(registry: Registry, config: Config) -> str:
    """<office>_<form>_填报模板.xlsx (plan.yml office_short, commitments.yml form.name): no quarter in
    it, so it is never read as a form."""
    return f"{config.plan.office_short}_{registry.form.name}_填报模板.xlsx"


def row_values(registry: Registry, commitment: Commitment) -> dict[str, str]:
    """The columns the template fills in for a commitment."""
    c = registry.form.columns
    return {c.id: commitment.id, c.section: registry.section_title(commitment.section), c.name: commitment.name,
            c.department: commitment.department, c.kind: registry.kind_word(commitment)}


def instructions(registry: Registry, config: Config) -> list[str]:
    """The 填表说明 sheet, in plain Chinese, from the registry."""
    form, c = registry.form, registry.form.columns
    statuses = registry.form_statuses
    ranked = sorted(statuses.values(), key=lambda s: s.rank, reverse=True)
    year = config.plan.end.year
    example = config.plan.example_years[1]  # the year of the dates in the examples
    recurring = registry.recurring_examples
    examples = f"，如{'、'.join(c.name for c in recurring)}" if recurring else ""
    points = [
        f"填报单位：{form.department}。每季度填报一次，季度结束后 {form.due_days} 天内报送。本表的内容在网站上公开。",
        f"一个文件只填一个季度：文件名写明季度，如“{registry.form_file(config.plan.office_short, f'{year}年第一季度')}”；第 1 行标题中的"
        f"“{QUARTER_PLACEHOLDER}”改为同一季度，如“{year}年第一季度”。在“{form.submitted_label}：”之后写填报日期。",
        f"表中已列出规划{registry.parts_zh}的每一项措施，每项一行。不要改动“{c.id}”“{c.name}”两列，不要删行、加行或排序。",
        f"“{c.status}”从下拉列表中选择：" + "；".join(f"{s.word}——{s.meaning}" for s in statuses.values()) + "。",
        f"“{c.status_date}”填达到这一状态的日期（如文件印发日期、挂牌日期、交付日期），不晚于本季度末。"
        + "、".join(f"“{s.word}”" for s in statuses.values() if s.date_required) + "必须填写。",
        f"“{c.occurrences}”只填经常性工作（类型为{'、'.join(f.word for f in registry.frequencies.values())}的）在本季度"
        f"开展的每一次的日期{examples}；几次就写几个日期，用“、”分隔，如“{example}-04-13、{example}-06-29”。"
        "本季度没有开展的空着。",
        f"“{c.evidence}”写文件或事项的名称，“{c.document_number}”写文号（没有的空着），“{c.address}”写文件在政府网站上的网址，"
        f"没有公开的写“{form.internal_word}”。"
        + "、".join(f"“{s.word}”" for s in statuses.values() if s.evidence_required) + f"必须填写“{c.evidence}”和“{c.address}”。",
        f"状态比上一季度倒退（如由“{ranked[0].word}”变为“{ranked[1].word}”）或停止的，在“{c.note}”中写明原因。",
        f"“{c.note}”会在网站上公开：不要写个人姓名、电话、身份证号等个人信息。",
    ]
    return [f"{form.name} 填表说明"] + [f"{i}. {p}" for i, p in enumerate(points, start=1)]


def write_status_template(registry: Registry, config: Config, out_dir: Path) -> Path:
    """The status form's template in out_dir; returns its path."""
    form, c = registry.form, registry.form.columns
    names = list(form.columns.model_dump().values())
    letter = {name: get_column_letter(i + 1) for i, name in enumerate(names)}
    workbook = Workbook()
    ws = workbook.active
    ws.title = form.sheet
    ws.cell(1, 1, f"{QUARTER_PLACEHOLDER}{form.title}").font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(names))
    ws.row_dimensions[1].height = 28
    ws.cell(2, 1, f"填报单位：{form.department}")
    ws.cell(2, names.index(c.status) + 1, f"{form.submitted_label}：")
    for i, name in enumerate(names, start=1):
        cell = ws.cell(FIRST_ROW - 1, i, name)
        cell.font, cell.fill, cell.border, cell.alignment = Font(bold=True), style.HEADER_FILL, style.BOX, style.CENTRE
    ws.freeze_panes = ws.cell(FIRST_ROW, names.index(c.status) + 1)
    for r, commitment in enumerate(registry.commitments, start=FIRST_ROW):
        for name, value in row_values(registry, commitment).items():
            ws.cell(r, names.index(name) + 1, value)

    def column_range(name: str) -> str:
        return f"{letter[name]}{FIRST_ROW}:{letter[name]}{style.EXCEL_MAX_ROW}"

    status = style.list_validation(c.status, [s.word for s in registry.form_statuses.values()])
    status.add(column_range(c.status))
    ws.add_data_validation(status)
    plan = config.plan
    day = DataValidation(type="date", operator="between", formula1=style.excel_date(plan.start), formula2=style.excel_date(plan.end),
                         allow_blank=True, showErrorMessage=True, errorStyle="stop", errorTitle="日期有误",
                         error=f"请填写 {plan.start:%Y-%m-%d} 至 {plan.end:%Y-%m-%d} 之间的日期，如 {plan.example_years[1]}-06-18。")
    day.add(column_range(c.status_date))
    ws.add_data_validation(day)
    for name, prompt in ((c.occurrences, f"本季度开展的每一次的日期，用“、”分隔，如 {plan.example_years[1]}-04-13、{plan.example_years[1]}-06-29。"),
                         (c.address, f"网址以 http:// 开头；没有公开的写“{form.internal_word}”。")):
        hint = DataValidation(showInputMessage=True, promptTitle=name, prompt=prompt)
        hint.add(column_range(name))
        ws.add_data_validation(hint)
    widths = {c.id: 26, c.name: 30, c.section: 22, c.evidence: 34, c.note: 30, c.occurrences: 26, c.address: 30}
    for name in names:
        ws.column_dimensions[letter[name]].width = widths.get(name, max(style.text_width(name) + 4, 12))
        ws.column_dimensions[letter[name]].number_format = "yyyy-mm-dd" if name == c.status_date else "@"
    for row in ws.iter_rows(min_row=FIRST_ROW, max_row=FIRST_ROW + len(registry.commitments) - 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    notes = workbook.create_sheet(config.defaults.instruction_sheets[0])
    for r, line in enumerate(instructions(registry, config), start=1):
        notes.cell(r, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
    notes["A1"].font = Font(bold=True, size=14)
    notes.column_dimensions["A"].width = 100
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / template_name(registry, config)
    workbook.save(path)
    return path
