"""The kinds of files that come in through the gate, and for each the cells its reader keeps, which
the screen reads for personal numbers (pure).

- a department's file (`DepartmentFile`, read by pipeline/clean/): from its header row down, every
  column but the source's personal columns (姓名, 身份证号, 联系电话 …, dropped on reading); the title
  rows above the header and the note rows below the table (填表人：… 联系电话：…) are dropped unread;
- a status form of the plan's measures (`StatusForm`, read by pipeline/clean/status_form.py): every
  cell above the header (the title and 填报日期, which the reader reads), and from the header down
  the form's own columns (编号 … 依据, 文号, 网址, 备注: what the site publishes); note rows below
  the table and columns the form does not have (ignored with a warning) are not read;
- the staff's receipts register (`Register`, read by pipeline/ingest/receipts.py): its 文件 and
  收文日期 columns from their header down (its other columns are never read).
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from pipeline.basics.parse import missing, tidy_name
from pipeline.config import Defaults, Source
from pipeline.config.commitments import Form
from pipeline.config.models import RegisterColumns
from pipeline.gate.read import Grid
from pipeline.gate.screen import Area, KeptCells

#: A department file's header is looked for in this many rows from the top (the cleaner too).
HEADER_SEARCH_ROWS = 100
#: A status form's header row (with 编号 and 状态) is looked for in this many rows from the top.
FORM_HEADER_SEARCH_ROWS = 15


def _missing(value: object) -> bool:
    return tidy_name(value) == ""


def _shown(value: object) -> str:
    return "" if _missing(value) else str(value).strip()


def _unnamed(position: int) -> str:
    return f"第 {position + 1} 列"


def _note_marks(defaults: Defaults) -> tuple[str, ...]:
    return tuple(tidy_name(n) + ":" for n in defaults.note_prefixes)


def _first_filled(values: pd.Series, positions: list[int], empty=_missing) -> object:
    return next((values.iloc[i] for i in positions if not empty(values.iloc[i])), None)


# -- a department's file ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DepartmentFile:
    """A file of a department, read as its source in config/sources.yml says."""

    source: Source

    @property
    def sheet(self) -> str | None:
        return self.source.sheet

    def skip_sheets(self, defaults: Defaults) -> tuple[str, ...]:
        return defaults.instruction_sheets

    def kept(self, grid: Grid, defaults: Defaults) -> KeptCells | None:
        """The header and columns of a grid, read as the cleaner reads them; None without a header
        (the cleaner then reports it and keeps nothing of the file)."""
        source, cells = self.source, grid.cells
        marker = tidy_name(source.header.contains)
        head = cells.head(HEADER_SEARCH_ROWS)
        header = next((int(r) for r, row in head.iterrows() if any(tidy_name(v) == marker for v in row)), None)
        if header is None:
            return None
        names = _header_names(grid, header, source.header.rows)
        personal = {tidy_name(c) for c in source.personal_columns}
        known = {tidy_name(c) for c in source.known_columns}
        screened = tuple(i for i, n in enumerate(names) if n not in personal)
        read = [i for i, n in enumerate(names) if n in known and n not in personal]
        breakdown = next((i for i, n in enumerate(names) if n == tidy_name(source.breakdown)), None)
        body, marks = header + source.header.rows, _note_marks(defaults)

        def is_note(row: int) -> bool:
            """A row the cleaner drops as a note (填表人：…): its breakdown cell, or when that is empty
            its first filled read cell, starts with a note label and a colon."""
            if row < body:
                return False
            values = cells.loc[row]
            label = values.iloc[breakdown] if breakdown is not None else None
            first = label if not missing(label) else _first_filled(values, read, missing)
            return first is not None and tidy_name(first).startswith(marks)

        area = Area(header, None, screened, tuple(names[i] or _unnamed(i) for i in screened))
        return KeptCells((area,), expected=_EXPECTED_DEPARTMENT, fix=_FIX_DEPARTMENT, dropped=is_note)


def _header_names(grid: Grid, header: int, rows: int) -> list[str]:
    """Column names by position, the header rows joined (merged cells filled across), as the
    cleaner names them ("" when unnamed)."""
    cells = grid.cells
    fill = {(r, c): cells.at[r1, c1] for r1, c1, r2, c2 in grid.merged if r1 in cells.index and c1 < cells.shape[1]
            for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    names = []
    for position in range(cells.shape[1]):
        parts: list[str] = []
        for r in range(header, header + rows):
            part = tidy_name(fill.get((r, position), cells.iat[r - 1, position] if r in cells.index else None))
            if part and part not in parts:
                parts.append(part)
        names.append("/".join(parts))
    return names


_EXPECTED_DEPARTMENT = "这一列不含个人信息（身份证号、手机号只能放在读取时删除的个人信息列中）"
_FIX_DEPARTMENT = ("个人信息不得进入网站：请报送部门删去这些号码后重新报送（不要自己修改原件）。如“{column}”本来就是"
                   "个人信息列，请把它列入 config/sources.yml 中该来源的 personal_columns，读取时整列删除。")


# -- a status form of the plan's measures -----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class StatusForm:
    """A quarter's status form (config/commitments.yml `form`)."""

    form: Form

    sheet = None  # the first sheet with data that is not an instruction sheet

    def skip_sheets(self, defaults: Defaults) -> tuple[str, ...]:
        return defaults.instruction_sheets

    def kept(self, grid: Grid, defaults: Defaults) -> KeptCells | None:
        cells, columns = grid.cells, self.form.columns
        wanted = {tidy_name(columns.id), tidy_name(columns.status)}
        header = next((int(r) for r, row in cells.head(FORM_HEADER_SEARCH_ROWS).iterrows()
                       if wanted <= {tidy_name(v) for v in row}), None)
        if header is None:
            return None  # the reader reads nothing of a form without its header
        own = {tidy_name(n) for n in columns.model_dump().values()}
        read = tuple(i for i, v in enumerate(cells.loc[header]) if tidy_name(v) in own)
        everything = tuple(range(cells.shape[1]))
        areas = [Area(header, None, read, tuple(_shown(cells.at[header, cells.columns[i]]) for i in read))]
        if header > 1:
            areas.insert(0, Area(1, header - 1, everything, tuple(_unnamed(i) for i in everything)))
        marks = _note_marks(defaults)

        def is_note(row: int) -> bool:
            """A row below the header whose first filled cell starts with a note label and a colon."""
            first = _first_filled(cells.loc[row], list(everything)) if row > header else None
            return first is not None and tidy_name(first).startswith(marks)

        return KeptCells(tuple(areas), expected=_EXPECTED_FORM, fix=_FIX_FORM, dropped=is_note)


_EXPECTED_FORM = "不含身份证号、手机号的单元格（进展表的内容在网站上公开）"
_FIX_FORM = "个人信息不得进入网站：请删去“{column}”中的号码（联系人、电话不要写在进展表中）后重新保存，再运行 make。"


# -- the receipts register ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Register:
    """The staff's receipts register (config/method.yml releases.register_file)."""

    columns: RegisterColumns

    sheet = None

    def skip_sheets(self, defaults: Defaults) -> tuple[str, ...]:
        return ()

    def kept(self, grid: Grid, defaults: Defaults) -> KeptCells | None:
        cells = grid.cells
        wanted = {tidy_name(self.columns.file), tidy_name(self.columns.received)}
        header = next((int(r) for r, row in cells.iterrows() if wanted <= {tidy_name(v) for v in row}), None)
        if header is None:
            return None  # the reader reads nothing of a register without its header
        read = tuple(i for i, v in enumerate(cells.loc[header]) if tidy_name(v) in wanted)
        names = tuple(_shown(cells.at[header, cells.columns[i]]) for i in read)
        return KeptCells((Area(header, None, read, names),), expected=_EXPECTED_REGISTER, fix=_FIX_REGISTER)


_EXPECTED_REGISTER = "文件名和收文日期（不含身份证号、手机号）"
_FIX_REGISTER = ("收文登记中的“{column}”会出现在提示中，号码不得进入网站：请删去这一格中的号码（经办人电话等可记在其他列，"
                 "其他列不读取）后重新保存，再运行 make。")
