"""Screening a file before anything of it is kept (pure): personal numbers in cells, and values
beyond what any district could report.

`screen_grid` runs on a grid right after it is read, before it is cleaned and before the read
cache stores anything: an ID or mobile number in a cell the build keeps is an error that names
the cell and shows the number masked (138****5678), and the cell is masked in the grid the
cleaner gets, so the number reaches neither the cache nor any message. Cells the cleaner drops
unread are not screened: the source's personal columns (姓名, 身份证号, 联系电话 …, where such
numbers belong), note rows such as 填表人：… 联系电话：…, and the title rows above the header.

`implausible_values` runs on a file's observations: a value (one cell of a table, or one
group's count in a list) above its indicator's plausible_max (config/indicators.yml) is an error.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from pipeline.basics.parse import tidy_name
from pipeline.basics.problems import Problem
from pipeline.clean import FileResult
from pipeline.config import Config, Defaults, Source
from pipeline.gate.privacy import MIN_DIGITS, find_personal_numbers, mask, mask_text
from pipeline.gate.read import Grid

_DIGITS = r"[0-9\uff10-\uff19]"  # ASCII and full-width digits
HEADER_SEARCH_ROWS = 100  # the header is looked for in the first rows, as the cleaner does


def _rows_text(rows: list[int]) -> str:
    shown = "、".join(str(r) for r in rows[:8])
    return f"第 {shown} 行" if len(rows) <= 8 else f"第 {shown} 等 {len(rows)} 行"


def _as_text(value: object) -> str | None:
    """A cell as the text a person would read in it (an Excel number 13812345678.0 as 13812345678)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e17:
        return str(int(value))
    return None


def personal_number_cells(cells: pd.DataFrame, skip: set[int] = frozenset()) -> dict[tuple[int, int], list[str]]:
    """(row, column position) -> the personal numbers found in that cell, for every cell (but
    those of the columns at the positions in skip).

    Only cells with at least MIN_DIGITS digits are read by the patterns (vectorised length and
    digit counts first), so a list of a million records is screened in a fraction of the time
    it takes to read."""
    found: dict[tuple[int, int], list[str]] = {}
    for position, column in enumerate(cells.columns):
        if position in skip:
            continue
        values = cells[column].dropna()
        if values.empty:
            continue
        if values.dtype == object:
            values = values.map(_as_text).dropna()
            if values.empty:
                continue
        if not pd.api.types.is_string_dtype(values.dtype):
            values = values.astype(str)
        values = values[values.str.len() >= MIN_DIGITS]  # (fast) a shorter text cannot hold enough digits
        candidates = values[values.str.count(_DIGITS) >= MIN_DIGITS]
        for row, text in candidates.items():
            numbers = find_personal_numbers(str(text))
            if numbers:
                found[(int(row), position)] = numbers
    return found


@dataclasses.dataclass(frozen=True)
class _Layout:
    """Where the header is and what the cleaner drops, as far as the screen needs it."""

    first_body_row: int
    names: list[str]  # tidied column names by position ("" when unnamed)
    personal: set[int]  # positions of personal columns
    kept: list[int]  # positions of the columns the cleaner keeps, in order
    breakdown: int | None
    note_marks: tuple[str, ...]


def _layout(grid: Grid, source: Source, defaults: Defaults) -> _Layout | None:
    """The header and columns of a grid, read as the cleaner reads them; None without a header
    (the cleaner then reports it and keeps nothing of the file)."""
    cells = grid.cells
    marker = tidy_name(source.header.contains)
    head = cells.head(HEADER_SEARCH_ROWS)
    header = next((int(r) for r, row in head.iterrows() if any(tidy_name(v) == marker for v in row)), None)
    if header is None:
        return None
    fill = {(r, c): cells.at[r1, c1] for r1, c1, r2, c2 in grid.merged if r1 in cells.index and c1 < cells.shape[1]
            for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    names = []
    for position in range(cells.shape[1]):
        parts: list[str] = []
        for r in range(header, header + source.header.rows):
            part = tidy_name(fill.get((r, position), cells.iat[r - 1, position] if r in cells.index else None))
            if part and part not in parts:
                parts.append(part)
        names.append("/".join(parts))
    personal_names = {tidy_name(c) for c in source.personal_columns}
    known = {tidy_name(c) for c in source.known_columns}
    personal = {i for i, n in enumerate(names) if n in personal_names}
    kept = [i for i, n in enumerate(names) if n in known and i not in personal]
    breakdown = next((i for i, n in enumerate(names) if n == tidy_name(source.breakdown)), None)
    return _Layout(header + source.header.rows, names, personal, kept, breakdown,
                   tuple(tidy_name(n) + ":" for n in defaults.note_prefixes))


def _is_note_row(cells: pd.DataFrame, row: int, layout: _Layout) -> bool:
    """A row the cleaner drops as a note (填表人：…): its breakdown cell, or when that is empty its
    first filled kept cell, starts with a note label and a colon."""
    values = cells.loc[row]
    if layout.breakdown is not None and not pd.isna(values.iloc[layout.breakdown]):
        return tidy_name(values.iloc[layout.breakdown]).startswith(layout.note_marks)
    first = next((values.iloc[i] for i in layout.kept if not pd.isna(values.iloc[i])), None)
    return first is not None and tidy_name(first).startswith(layout.note_marks)


def _what(numbers: list[str]) -> str:
    kinds = {"手机号" if len(n) == 11 else "身份证号" for n in numbers}
    return "或".join(sorted(kinds, reverse=True))


def screen_grid(grid: Grid, source: Source, defaults: Defaults) -> tuple[Grid, list[Problem]]:
    """Personal numbers in the cells the cleaner keeps: one error per column (with its rows), and
    the grid with those cells masked."""
    problems = []
    sheets = [s for s in (grid.sheet, *grid.other_sheets) if s and find_personal_numbers(s)]
    for sheet in sheets:
        problems.append(Problem(code="personal_data", file=grid.file, sheet=mask_text(sheet),
                                found=f"工作表名中有疑似{_what(find_personal_numbers(sheet))}",
                                expected="不含身份证号、手机号的工作表名", fix=_FIX_NAME))
    if sheets:
        grid = dataclasses.replace(grid, sheet=grid.sheet and mask_text(grid.sheet),
                                   other_sheets=tuple(mask_text(s) for s in grid.other_sheets))
    layout = _layout(grid, source, defaults)
    if layout is None:
        return grid, problems
    hits = personal_number_cells(grid.cells, skip=layout.personal)
    kept = {(row, col): numbers for (row, col), numbers in hits.items()
            if row >= layout.first_body_row - source.header.rows
            and not (row >= layout.first_body_row and _is_note_row(grid.cells, row, layout))}
    if not kept:
        return grid, problems
    cells = grid.cells.copy()
    by_column: dict[int, list[int]] = {}
    for row, col in sorted(kept):
        by_column.setdefault(col, []).append(row)
        cells.iloc[row - 1, col] = mask_text(_as_text(cells.iat[row - 1, col]) or "")
    for col, rows in by_column.items():
        numbers = [n for r in rows for n in kept[(r, col)]]
        name = mask_text(layout.names[col]) or f"第 {col + 1} 列"
        problems.append(Problem(
            code="personal_data", file=grid.file, sheet=grid.sheet, row=rows[0], column=name,
            found=f"{_rows_text(rows)}有疑似{_what(numbers)}（如 {mask(numbers[0])}），共 {len(numbers)} 个",
            expected="这一列不含个人信息（身份证号、手机号只能放在读取时删除的个人信息列中）",
            fix=_FIX_CELL.format(column=name)))
    return dataclasses.replace(grid, cells=cells), problems


_FIX_CELL = ("个人信息不得进入网站：请报送部门删去这些号码后重新报送（不要自己修改原件）。如“{column}”本来就是"
             "个人信息列，请把它列入 config/sources.yml 中该来源的 personal_columns，读取时整列删除。")
_FIX_NAME = "个人信息不得进入网站：请报送部门改正后重新报送。"


def screen_name(file: str) -> Problem | None:
    """An error if a file's name (shown on the site with every figure it gives) holds a personal number."""
    numbers = find_personal_numbers(file)
    if not numbers:
        return None
    return Problem(code="personal_data", file=mask_text(file),
                   found=f"文件名或目录名中有疑似{_what(numbers)}（{mask(numbers[0])}）", expected="不含身份证号、手机号的文件名",
                   fix="文件名会出现在网站上：请把文件改名（去掉号码）后重新运行 make。")


def reject(result: FileResult, problems: list[Problem]) -> None:
    """Add errors found by the screen to a file's result: the file is then not counted."""
    if problems:
        result.problems[:0] = problems
        result.submission["status"] = "rejected"


def in_groups_above_maximum(observations: pd.DataFrame, config: Config, layout: str) -> np.ndarray:
    """Which observations are in a group (indicator, breakdown) whose values add up to more than
    the indicator's plausible_max. A table's groups are its cells (a name on two rows is refused
    before); a list's are summed by group codes. Without a copy of the observations or a row per
    group: a table of a million companies has three million groups, and grouping them with their
    places took longer, and more memory, than reading the file. (A sum above 2**53 is not exact,
    but is above any maximum.)"""
    value = observations["value"]
    counted = value.notna().to_numpy()
    maximum = {i: indicator.plausible_max for i, indicator in config.indicators.items()}
    if layout == "table":
        return counted & (value.fillna(0).to_numpy() > observations["indicator"].map(maximum).fillna(math.inf).to_numpy())
    indicator_codes, indicators = pd.factorize(observations["indicator"], use_na_sentinel=False)
    breakdown_codes, breakdowns = pd.factorize(observations["breakdown"], use_na_sentinel=False)
    group = indicator_codes.astype("int64") * max(len(breakdowns), 1) + breakdown_codes
    sums = np.bincount(group[counted], weights=value.to_numpy(dtype="float64", na_value=0)[counted],
                       minlength=len(indicators) * len(breakdowns))
    maxima = [maximum.get(i, math.inf) for i in indicators]
    return counted & (sums > np.repeat(maxima, len(breakdowns)))[group]


def implausible_values(observations: pd.DataFrame, source: Source, config: Config) -> list[Problem]:
    """Values above their indicator's plausible_max: a cell of a table, or the count of one
    group (town, category …) in a list of records."""
    near = observations[in_groups_above_maximum(observations, config, source.layout)]
    if near.empty:
        return []
    problems = []
    totals = near.groupby(["indicator", "breakdown"], dropna=False, sort=False, observed=True).agg(
        value=("value", "sum"), row=("row", "min"), column=("column", "first"), sheet=("sheet", "first"),
        file=("file", "first"))
    for (indicator_id, breakdown), group in totals.iterrows():
        indicator = config.indicators[indicator_id]
        if int(group["value"]) <= indicator.plausible_max:
            continue
        count = f"{int(group['value']):,}"
        found = f"{indicator.name}为 {count}{indicator.unit}"
        if source.layout == "records":  # a list: each record counts one
            found = f"{'' if pd.isna(breakdown) else f'{breakdown}的'}{indicator.name}共 {count} 条记录（{count}{indicator.unit}）"
        problems.append(Problem(
            code="value_implausible", file=str(group["file"]), row=int(group["row"]), column=str(group["column"]),
            sheet=None if pd.isna(group["sheet"]) else str(group["sheet"]),
            found=found,
            expected=f"0 至 {indicator.plausible_max:,}{indicator.unit}"
                     f"（config/indicators.yml 中 {indicator_id} 的 plausible_max）",
            fix="核对是否多打了数字、把其他数字（金额、编号、电话）填进了这一格，或把全区合计填进了一个单位的一行；"
                "确属实情，请调高 config/indicators.yml 中的 plausible_max。"))
    return problems
