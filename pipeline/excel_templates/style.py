"""The look shared by every Excel template (make templates): header fill, borders, drop-down
lists and column widths."""

from __future__ import annotations

import datetime as dt
import unicodedata

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

#: Validations reach the last row Excel has, so rows a department adds are checked too.
EXCEL_MAX_ROW = 1_048_576
#: Excel rejects a list written inside a validation that is longer than this.
EXCEL_LIST_MAX = 255

BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)



def list_validation(column: str, options: list[str]) -> DataValidation:
    formula = '"' + ",".join(options) + '"'
    if len(formula) > EXCEL_LIST_MAX or any("," in o or '"' in o for o in options):
        # Excel would report the file as damaged; a longer list needs a (hidden) sheet of names.
        raise ValueError(f"“{column}”的下拉列表过长或含有逗号、引号，Excel 无法直接写入：{options}")
    return DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                          errorStyle="stop", errorTitle="不在列表中",
                          error=f"请从下拉列表中选择“{column}”（不要用简称或自行改写）。")


def excel_date(day: dt.date) -> str:
    return f"DATE({day.year},{day.month},{day.day})"


def text_width(text: str) -> int:
    """Columns Excel needs to show a text: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


