"""The state of one file while it is cleaned: its grid and source, the problems found and the
cleaning steps counted. Every part of the cleaner takes this and adds to it."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.basics.problems import Problem
from pipeline.config import Config, Place, Source
from pipeline.gate.read import Grid

MAX_LISTED_ROWS = 8
_RUN_SECRET = os.urandom(32)  # the person-hash key of a run without a read cache (which keeps its own)


@dataclass
class FileContext:
    """One file being cleaned."""

    grid: Grid
    source_id: str
    source: Source
    config: Config
    today: dt.date
    actions: Counter = field(default_factory=Counter)  # (action, detail) -> count
    problems: list[Problem] = field(default_factory=list)
    person_secret: bytes = _RUN_SECRET  # the key of the person hashes (ingest.person_secret)
    submitted_cell: tuple[int | None, str | None] | None = None  # where a date written in the file was read

    def problem(self, code: str, found: str, expected: str, fix: str,
                row: int | None = None, column: str | None = None) -> None:
        self.problems.append(Problem(code=code, file=self.grid.file, sheet=self.grid.sheet, row=row,
                                     column=column, found=found, expected=expected, fix=fix))

    def count(self, action: str, detail: str = "", n: int = 1) -> None:
        """Count a cleaning step (see clean.ACTIONS) applied to n cells or rows."""
        self.actions[(action, detail)] += int(n)

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def blank_cells(cells: pd.Series) -> pd.Series:
    """Whether each cell is empty: missing, or only spaces (ASCII, full-width or any other). A CSV
    cell of spaces looks empty to whoever fills the form in; Excel's are made missing when read
    (read.py)."""
    if isinstance(cells.dtype, pd.StringDtype):
        spaces = cells.str.isspace().fillna(False).to_numpy(dtype=bool)
    else:
        spaces = np.fromiter((isinstance(v, str) and v.isspace() for v in cells), dtype=bool, count=len(cells))
    return cells.isna() | spaces


def python_text(values: pd.Series) -> pd.Series:
    """Text stored as Python strings, as the published observations' schema expects: the fast CSV
    reader's text (stored by Arrow) converted, anything else as it is."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        return values.astype(pd.StringDtype("python", na_value=values.dtype.na_value))
    return values


def rows_text(rows: list[int]) -> str:
    """第 6 行; 第 2、14、76 行; 第 2、38、41 … 等 11 行."""
    listed = "、".join(str(r) for r in rows[:MAX_LISTED_ROWS])
    return f"第 {listed} 行" if len(rows) <= MAX_LISTED_ROWS else f"第 {listed} 等 {len(rows)} 行"


def place_zh(place: Place) -> str:
    """Where a period or date is read from, as staff call it."""
    return {"filename": "文件名", "title": "标题", "workbook": "文件属性"}.get(
        place.kind, f"“{place.arg}”{'列' if place.kind == 'column' else '标注'}")


def distinct(values: pd.Series) -> tuple[np.ndarray, list, np.ndarray]:
    """Codes (-1 for missing), distinct values and how often each occurs: a list of a million
    records has a few dozen towns and a few hundred dates, so work is done once per distinct value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    return codes, list(uniques), counts


def take(codes: np.ndarray, mapped: list, missing_value: object, index: pd.Index) -> pd.Series:
    """A Series from codes and the value for each distinct value (`missing_value` where the code is -1)."""
    table = np.empty(len(mapped) + 1, dtype=object)
    table[:-1] = mapped
    table[-1] = missing_value
    return pd.Series(table[codes], index=index, dtype=object)


def rows_of(values: pd.Series) -> dict[object, list[int]]:
    """The rows (index labels, in order) of each distinct value, missing values left out, in
    the order the values first occur; found in one pass. (Looking each value up in the whole
    column, values.index[values == v], takes time growing with the square of the rows when
    most values differ: a list pasted twice.)"""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    present = codes >= 0
    order = np.argsort(codes[present], kind="stable")
    labels = values.index.to_numpy()[present][order]
    ends = np.cumsum(np.bincount(codes[present], minlength=len(uniques)))[:-1]
    return {value: part.tolist() for value, part in zip(uniques, np.split(labels, ends))}
