"""Problems found in department files: where, what was found, what was expected, how to fix it.

An error stops the build (the public site stays as it was); a warning is shown on the
data-quality page for a person to look at. Messages are in Chinese, with the English term in
brackets where it helps staff search for help.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import pandas as pd

Severity = Literal["error", "warning"]

#: Every kind of problem: code -> (severity, short Chinese title with the English term).
KINDS: dict[str, tuple[Severity, str]] = {
    # the file as a whole
    "file_unreadable": ("error", "文件无法读取（unreadable file）"),
    "file_empty": ("error", "文件为空（empty file）"),
    "file_type_mismatch": ("error", "文件内容与扩展名不符（file type mismatch）"),
    "file_type_unsupported": ("error", "不支持的文件类型（unsupported file type）"),
    "encoding_undetected": ("error", "无法识别文字编码（unknown encoding）"),
    "file_too_large": ("error", "文件过大（file too large）"),
    "file_link": ("error", "符号链接不读取（symbolic link）"),
    "sheet_missing": ("error", "找不到工作表（missing sheet）"),
    "header_missing": ("error", "找不到表头（header not found）"),
    "column_missing": ("error", "缺少列（missing column）"),
    "column_duplicated": ("error", "列名重复（duplicate column）"),
    "column_unclear": ("error", "列名像是约定的列，但无法确定（unclear column）"),
    "column_unit": ("error", "列名中的单位与指标不符（unit of a column differs）"),
    "no_data_rows": ("error", "没有数据行（no data rows）"),
    # periods and dates
    "period_missing": ("error", "找不到报送期（period not found）"),
    "period_unclear": ("error", "报送期写法无法完全读懂（unclear period）"),
    "period_conflict": ("error", "报送期前后不一致（conflicting periods）"),
    "period_overlap": ("error", "两个文件的报送期部分重叠（overlapping periods）"),
    "period_split_unclear": ("error", "累计数无法拆分到月份（cumulative figure cannot be split）"),
    "cumulative_below_parts": ("error", "累计数小于其中各期之和（running total below its parts）"),
    "cumulative_mismatch": ("error", "累计数与已报各期不符（running total disagrees with its parts）"),
    "period_outside_plan": ("error", "报送期不在规划期内（period outside the plan）"),
    "period_in_future": ("error", "报送期尚未结束（period in the future）"),
    "date_invalid": ("error", "日期无法识别（invalid date）"),
    "date_outside_period": ("error", "日期不在报送期内（date outside the period）"),
    # values and names
    "value_invalid": ("error", "数值无法读取（invalid number）"),
    "value_negative": ("error", "数值为负（negative value）"),
    "value_implausible": ("error", "数值超出合理范围（implausible value）"),
    "personal_data": ("error", "发现身份证号或手机号（personal number）"),
    "excel_error": ("error", "Excel 错误值（Excel error cell）"),
    "name_unknown": ("error", "名称不在词表中（unknown name）"),
    "name_blank": ("error", "名称为空白（blank name）"),
    "department_mismatch": ("error", "填报单位与目录不符（department mismatch）"),
    "category_unknown": ("error", "类别不在词表中（unknown category / target）"),
    "duplicate_row": ("error", "重复的行（duplicate rows）"),
    "duplicate_person": ("error", "同一人重复计数（duplicate person）"),
    "submissions_conflict": ("error", "同期多份报送且无法判断以哪份为准（conflicting submissions）"),
    "folder_unknown": ("error", "未知的报送目录（unknown folder）"),
    "no_submissions": ("error", "没有可读取的报送文件（no submissions）"),
    "sources_overlap": ("error", "两种报表报送了同一指标的同一时期（double reporting）"),
    # the quarterly status form of the plan's measures (pipeline/clean/status_form.py)
    "commitment_unknown": ("error", "编号不在措施清单中（unknown commitment）"),
    "commitment_mismatch": ("error", "编号与措施名称不符（commitment id and name disagree）"),
    "status_unknown": ("error", "状态不是规定的选项（unknown status）"),
    "date_missing": ("error", "缺少日期（missing date）"),
    "evidence_missing": ("error", "已落实的措施缺少依据（evidence missing）"),
    "address_invalid": ("error", "网址不是网址也不是“内部”（invalid address）"),
    # the receipts register (pipeline/ingest/receipts.py)
    "register_columns": ("error", "收文登记缺少列（receipts register: missing column）"),
    "register_file_unknown": ("error", "收文登记中的文件不存在（receipts register: unknown file）"),
    "register_duplicate": ("error", "收文登记重复登记一个文件（receipts register: file listed twice）"),
    "register_date_future": ("error", "收文日期晚于今天（receipts register: date in the future）"),
    # warnings: the build goes on
    "register_date_early": ("warning", "收文日期早于报送期结束（received before the period ended）"),
    "release_changed": ("warning", "文件会改变已发布的季度发布（a closed release would change）"),
    "column_unexpected": ("warning", "未识别的列，已忽略（unexpected column）"),
    "sheet_ignored": ("warning", "其他工作表未读取（other sheets ignored）"),
    "period_sheet_differs": ("warning", "工作表名的报送期与文件不符（sheet named after another period）"),
    "total_mismatch": ("warning", "合计行与明细之和不符（total does not match rows）"),
    "value_jump": ("warning", "数值与前几期相差悬殊（unusual jump）"),
    "period_gap": ("warning", "序列中间缺少报送期（missing period）"),
    "stock_decrease": ("warning", "累计数比上期减少（running total fell）"),
    "stock_flow_mismatch": ("warning", "累计数变化与本期新增不符（stock and flow disagree）"),
    "submission_duplicate": ("warning", "同期重复报送，内容相同（duplicate submission）"),
    "file_ignored": ("warning", "文件未读取（file ignored）"),
    "file_set_aside": ("warning", "文件已收到，暂不采用（file set aside）"),
    "submitted_missing": ("warning", "未注明报送日期（no submission date）"),
    "commitment_not_reported": ("warning", "进展表缺少措施（commitment not reported）"),
    "status_backwards": ("warning", "状态倒退且未说明（status went back without a note）"),
    "status_date_before_change": ("warning", "状态变化的日期早于上季度末（change dated before the last report）"),
    "submitted_early": ("warning", "报送日期早于报送期结束（submitted before the period ended）"),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in the data, with its exact place."""

    code: str
    file: str
    found: str
    expected: str
    fix: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __post_init__(self) -> None:
        if self.code not in KINDS:
            raise ValueError(f"unknown problem code {self.code!r}")

    @property
    def severity(self) -> Severity:
        return KINDS[self.code][0]

    @property
    def title(self) -> str:
        return KINDS[self.code][1]

    @property
    def place(self) -> str:
        """文件 X，工作表 Y，第 N 行，“列”列."""
        parts = [f"文件 {self.file}"]
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"“{self.column}”列")
        return "，".join(parts)

    def message(self) -> str:
        label = "错误" if self.severity == "error" else "提醒"
        return (
            f"[{label}] {self.title}\n"
            f"  位置：{self.place}\n"
            f"  发现：{self.found}\n"
            f"  应为：{self.expected}\n"
            f"  处理：{self.fix}"
        )


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table (for the data-quality page and problems.csv)."""
    columns = ["severity", "code", "title", "file", "sheet", "row", "column", "found", "expected", "fix"]
    rows = [{**asdict(p), "severity": p.severity, "title": p.title} for p in problems]
    frame = pd.DataFrame(rows, columns=columns)
    frame["row"] = frame["row"].astype("Int64")
    return frame


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Errors first, then by file and row, so a long report reads top to bottom."""
    return sorted(problems, key=lambda p: (p.severity != "error", p.file, p.sheet or "", p.row or 0, p.column or ""))
