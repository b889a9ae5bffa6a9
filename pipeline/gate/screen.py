"""Screening a file before anything of it is kept (pure): personal numbers in its cells.

`screen_grid` runs on a grid right after it is read (pipeline/gate/admit.py), before any reader
looks at a cell and before the read cache stores anything. It reads the cells the file's reader
keeps (`KeptCells`, worked out for each kind of file in pipeline/gate/kinds.py): every such cell
alone, and every such cell joined with its right neighbour when both are kept (an ID number typed
as 110101 | 199003077715, a mobile number as 139 | 12345678). An ID or mobile number found is an
error that names the file, sheet, row and column and shows the number masked (138****5678), and
the cells are masked in the grid the reader gets, so the number reaches neither the cache nor any
message nor the site. Sheet names are screened too (they are shown with the figures).

Values beyond what any district could report are checked once the file is cleaned
(pipeline/ingest/plausible.py).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Callable

import numpy as np
import pandas as pd

from pipeline.basics.problems import Problem
from pipeline.gate.privacy import (
    MIN_DIGITS,
    SEPARATORS,
    find_personal_numbers,
    hidden_digits,
    mask,
    mask_text,
    normalise,
    personal_number_hits,
)
from pipeline.gate.read import Grid

_DIGITS = "[0-9０-９]"  # ASCII and full-width digits: a quick count (as a literal class, Arrow counts them itself)
#: Numbers at or above this are shown by Excel with 15 significant digits (1.10101199003077E+17),
#: and so are screened in that form: an 18-digit ID number typed as a number keeps its region and
#: birth date there (privacy.py reads scientific notation).
EXCEL_DIGITS_LIMIT = 1e15


def as_text(value: object) -> str | None:
    """A cell as the text a person would read in it: an Excel number 13812345678.0 as 13812345678,
    a number of 16 digits or more as Excel shows it (1.10101199003077E+17); None for a date, a
    truth value, or a number with a fraction (which no personal number has)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        if abs(value) >= EXCEL_DIGITS_LIMIT:
            return f"{value:.15G}"
        if value.is_integer():
            return str(int(value))
    return None


@dataclasses.dataclass(frozen=True)
class Area:
    """A block of cells a reader keeps: rows first_row to last_row (None: to the end), at these
    column positions (ascending), each with the name a message shows."""

    first_row: int
    last_row: int | None
    columns: tuple[int, ...]
    names: tuple[str, ...]


def _keeps_every_row(row: int) -> bool:
    return False


@dataclasses.dataclass(frozen=True)
class KeptCells:
    """The cells of a grid its reader keeps, and what a message says of a personal number in one."""

    areas: tuple[Area, ...]
    expected: str  # 应为 of the message
    fix: str  # 处理 of the message ({column}: the column's name)
    dropped: Callable[[int], bool] = _keeps_every_row  # rows of the areas the reader drops unread (note rows)


@dataclasses.dataclass(frozen=True)
class Screened:
    """A grid after the screen: its cells with every personal number masked, the errors found, and
    how many kept cells and pairs of neighbouring kept cells were read."""

    grid: Grid
    problems: list[Problem]
    cells: int = 0
    pairs: int = 0


@dataclasses.dataclass
class _Found:
    """Personal numbers found in one column of one area, alone or joined with the next column."""

    area: Area
    column: int  # position
    joined: bool
    rows: list[int] = dataclasses.field(default_factory=list)
    numbers: list[str] = dataclasses.field(default_factory=list)


def _rows_text(rows: list[int]) -> str:
    shown = "、".join(str(r) for r in rows[:8])
    return f"第 {shown} 行" if len(rows) <= 8 else f"第 {shown} 等 {len(rows)} 行"


def _what(numbers: list[str]) -> str:
    kinds = {"手机号" if len(n) == 11 else "身份证号" for n in numbers}
    return "或".join(sorted(kinds, reverse=True))


def _texts(cells: pd.DataFrame, area: Area, position: int) -> pd.Series:
    """A column's cells in an area as text (index: row number; missing: a cell with no text, such
    as a date)."""
    values = cells.iloc[:, position].loc[area.first_row:area.last_row]
    if values.dtype == object:
        return values.map(as_text)
    if not pd.api.types.is_string_dtype(values.dtype):
        return values.astype(str)
    return values


def _with_digits(values: pd.Series, at_least: int) -> pd.Series:
    """The cells with at least this many digits (the length first: counting digits costs more)."""
    values = values[values.str.len() >= at_least]
    return values[values.str.count(_DIGITS) >= at_least]


def _single_hits(texts: pd.Series, kept: KeptCells) -> dict[int, list[str]]:
    """Row -> the personal numbers in that cell (rows the reader drops left out). Only cells with
    at least MIN_DIGITS digits are read by the patterns (vectorised length and digit counts first),
    so a list of a million records is screened in a fraction of the time it takes to read."""
    found = {}
    for row, text in _with_digits(texts.dropna(), MIN_DIGITS).items():
        numbers = find_personal_numbers(str(text))
        if numbers and not kept.dropped(int(row)):
            found[int(row)] = numbers
    return found


_DIGIT_CHARS = frozenset("0123456789０１２３４５６７８９")
_SEPARATOR_CHARS = frozenset(SEPARATORS)


def _digit_at(values: pd.Series, end: str) -> np.ndarray:
    """Whether each text's last (end "last") or first (end "first") character other than
    separators is a digit (or, first, an ID's X), as a number split between two cells ends one and
    starts the next (no regular expression: cheap on a million rows; False for a missing cell)."""
    wanted = _DIGIT_CHARS if end == "last" else _DIGIT_CHARS | set("XxＸｘ")
    edge = values.str[-1:] if end == "last" else values.str[:1]
    digit = edge.isin(wanted).to_numpy(dtype=bool, copy=True)
    separated = edge.isin(_SEPARATOR_CHARS).to_numpy(dtype=bool)  # rarely: 139- | 1234-5678
    if separated.any():
        some = values[separated]
        some = some.str.rstrip(SEPARATORS).str[-1:] if end == "last" else some.str.lstrip(SEPARATORS).str[:1]
        digit[separated] = some.isin(wanted).to_numpy(dtype=bool)
    return digit


def _split_hits(left: pd.Series, right: pd.Series, kept: KeptCells) -> dict[int, tuple[set[int], set[int], list[str]]]:
    """Row -> (where in the left cell, where in the right cell its digits are to be hidden, the
    numbers: positions in the normalised texts) for each personal number that only the two cells
    together hold (110101 | 199003077715). Only pairs whose left cell ends and right cell starts
    with a digit, MIN_DIGITS characters long together, are read by the patterns."""
    ending = _digit_at(left, "last")
    if not ending.any():
        return {}
    left, right = left[ending], right[ending]
    starting = _digit_at(right, "first")
    found = {}
    for row, a, b in zip(left.index[starting], left[starting], right[starting]):
        a, b = normalise(str(a)), normalise(str(b))
        if len(a) + len(b) < MIN_DIGITS:
            continue
        joined, hits = personal_number_hits(a + b)
        split = [h for h in hits if h.start < len(a) < h.end]
        if split and not kept.dropped(int(row)):
            hidden = {i for h in split for i in hidden_digits(joined, h)}
            if len(joined) != len(a) + len(b):  # (NFKC joined a mark at the start of b to a: every digit hidden)
                hidden = {i for i, c in enumerate(a + b) if c.isdigit()}
            found[int(row)] = ({i for i in hidden if i < len(a)}, {i - len(a) for i in hidden if i >= len(a)},
                               [h.number for h in split])
    return found


def _screen_names(grid: Grid) -> tuple[Grid, list[Problem]]:
    """Personal numbers in the names of the sheet read and of the workbook's other sheets."""
    problems = []
    sheets = [s for s in (grid.sheet, *grid.other_sheets) if s and find_personal_numbers(s)]
    for sheet in sheets:
        problems.append(Problem(code="personal_data", file=grid.file, sheet=mask_text(sheet),
                                found=f"工作表名中有疑似{_what(find_personal_numbers(sheet))}",
                                expected="不含身份证号、手机号的工作表名", fix=_FIX_NAME))
    if sheets:
        grid = dataclasses.replace(grid, sheet=grid.sheet and mask_text(grid.sheet),
                                   other_sheets=tuple(mask_text(s) for s in grid.other_sheets))
    return grid, problems


def screen_grid(grid: Grid, kept: KeptCells | None) -> Screened:
    """Personal numbers in the sheet names and in the cells a reader keeps (None: the reader keeps
    no cell, as when it finds no header): one error per column of an area (with its rows) for the
    numbers in its cells, one for those split between its cells and the next column's; and the grid
    with those cells masked. Every cell is screened as it was read, alone and with its neighbour."""
    grid, problems = _screen_names(grid)
    if kept is None:
        return Screened(grid, problems)
    found, masks, counted, paired = [], {}, 0, 0
    for area in kept.areas:
        texts = {p: _texts(grid.cells, area, p) for p in area.columns}
        counted += sum(int(t.notna().sum()) for t in texts.values())
        for position, column in texts.items():
            if hits := _single_hits(column, kept):
                found.append(_Found(area, position, False, list(hits), [n for ns in hits.values() for n in ns]))
                for row in hits:
                    masks.setdefault((row, position), set())
        for position in area.columns:
            if position + 1 not in texts:
                continue
            paired += int((texts[position].notna() & texts[position + 1].notna()).sum())
            if splits := _split_hits(texts[position], texts[position + 1], kept):
                found.append(_Found(area, position, True, list(splits), [n for s in splits.values() for n in s[2]]))
                for row, (in_left, in_right, _) in splits.items():
                    masks.setdefault((row, position), set()).update(in_left)
                    masks.setdefault((row, position + 1), set()).update(in_right)
    problems += [_problem(grid, f, kept) for f in found]
    return Screened(_masked(grid, masks), problems, counted, paired)


def _masked(grid: Grid, masks: dict[tuple[int, int], set[int]]) -> Grid:
    """The grid with these cells (row, column position) masked: the digits of a split number
    starred where they are written (positions in the normalised text), then every number the cell
    holds alone masked (138****5678). The grid read is never changed."""
    if not masks:
        return grid
    cells = grid.cells.copy()
    for position in sorted({p for _, p in masks}):
        column = cells.columns[position]
        if not pd.api.types.is_string_dtype(cells[column].dtype):  # (object columns are "string" to pandas)
            cells[column] = cells[column].astype(object)
    for (row, position), hidden in masks.items():
        column = cells.columns[position]
        text = normalise(as_text(cells.at[row, column]) or "")
        starred = "".join("*" if i in hidden else c for i, c in enumerate(text))
        cells.at[row, column] = mask_text(starred)
    return dataclasses.replace(grid, cells=cells)


def _problem(grid: Grid, found: _Found, kept: KeptCells) -> Problem:
    area, index = found.area, found.area.columns.index(found.column)
    name = mask_text(area.names[index])
    where = _rows_text(found.rows)
    if found.joined:
        where += f"与右边“{mask_text(area.names[index + 1])}”列的单元格连起来"
    return Problem(
        code="personal_data", file=grid.file, sheet=grid.sheet, row=found.rows[0], column=name,
        found=f"{where}有疑似{_what(found.numbers)}（如 {mask(found.numbers[0])}），共 {len(found.numbers)} 个",
        expected=kept.expected, fix=kept.fix.format(column=name))


_FIX_NAME = "个人信息不得进入网站：请报送部门改正后重新报送。"


def screen_name(file: str) -> Problem | None:
    """An error if a file's name (shown on the site with every figure it gives) holds a personal number."""
    numbers = find_personal_numbers(file)
    if not numbers:
        return None
    return Problem(code="personal_data", file=mask_text(file),
                   found=f"文件名或目录名中有疑似{_what(numbers)}（{mask(numbers[0])}）", expected="不含身份证号、手机号的文件名",
                   fix="文件名会出现在网站上：请把文件改名（去掉号码）后重新运行 make。")
