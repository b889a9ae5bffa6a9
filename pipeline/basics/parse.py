"""Parsers for what departments write in cells: counts, dates and names (periods: periods.py).

Pure functions, no IO. Counts are parsed a whole column at a time (vectorised, with a record of
every cleaning step per cell); dates and names are parsed once per distinct value.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd

# ---------------------------------------------------------------------------------------------
# Counts

#: What a count cell may be tidied by, in the order the steps apply. Keys are the names used in
#: the cleaning log and on the data-quality page.
COUNT_ACTIONS = {
    "excel_number": "Excel 数值单元格直接读取",
    "text_number": "文本格式的数字转为数值",
    "fullwidth": "全角数字、符号转为半角",
    "whitespace": "去除首尾空格",
    "thousands_separator": "去除千位分隔符（如 1,952）",
    "unit_suffix": "去除数字后的单位（如 3人、1个）",
    "decimal_zero": "去除多余的小数位（如 12.0）",
    "dash_as_zero": "“—”等无数据符号按 0 计（报表注明“—”表示无）",
    "blank_as_zero": "空白单元格按 0 计（该来源约定空白表示无）",
}

#: Why a count cell cannot be read. Keys are error codes used in messages and tests.
COUNT_ERRORS = {
    "blank": "空白单元格",
    "excel_error": "Excel 错误值",
    "negative": "负数",
    "fraction": "非整数",
    "not_a_number": "不是数字",
    "too_large": "数字大得不可能",
}

#: No count reaches this: larger numbers are refused before they are made integers (a 64-bit
#: integer holds up to 9.2e18; an Excel cell holds integers exactly only below 2**53 ≈ 9.0e15).
COUNT_CEILING = 10**15

EXCEL_ERROR_VALUES = ("#REF!", "#VALUE!", "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!",
                      "#SPILL!", "#CALC!", "#GETTING_DATA")

_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+$")
_INTEGER = re.compile(r"^\d+$")
_DECIMAL_ZERO = re.compile(r"^\d+\.0+$")
_NEGATIVE = re.compile(r"^-\s*\d[\d,]*(\.\d+)?$")
_FRACTION = re.compile(r"^\d[\d,]*\.\d+$")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def parse_counts(
    cells: pd.Series,
    *,
    blank_as_zero: bool,
    zero_marks: tuple[str, ...],
    unit_suffixes: tuple[str, ...],
) -> pd.DataFrame:
    """Parse a column of count cells.

    Returns a frame with the cells' index and columns: `value` (Int64, missing where the cell
    could not be read), `error` (an error code from COUNT_ERRORS or ""), and one boolean column
    per cleaning step in COUNT_ACTIONS telling whether that step was applied to the cell.

    A column of text (every CSV cell) is parsed once per distinct text: a list of a million
    companies has a few dozen different counts in it. Cells of other types (Excel's numbers,
    dates, booleans, which hashing would not tell apart: True == 1 == 1.0) are parsed one by one.
    """
    rules = dict(blank_as_zero=blank_as_zero, zero_marks=zero_marks, unit_suffixes=unit_suffixes)
    if not isinstance(cells.dtype, pd.StringDtype):
        return _parse_each(cells, **rules)
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    parsed = _parse_each(pd.Series([*uniques, None], dtype=object), **rules)  # the last: a missing cell
    out = parsed.iloc[np.where(codes < 0, len(uniques), codes)]
    out.index = cells.index
    return out


def _parse_each(
    cells: pd.Series,
    *,
    blank_as_zero: bool,
    zero_marks: tuple[str, ...],
    unit_suffixes: tuple[str, ...],
) -> pd.DataFrame:
    """parse_counts, cell by cell (vectorised over the column)."""
    n = len(cells)
    out = pd.DataFrame(index=cells.index)
    values = np.zeros(n, dtype="int64")
    known = np.zeros(n, dtype=bool)
    error = np.full(n, "", dtype=object)
    actions = {name: np.zeros(n, dtype=bool) for name in COUNT_ACTIONS}

    objs = cells.to_numpy(dtype=object)
    is_missing = pd.isna(cells).to_numpy()
    is_number = np.array(
        [isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in objs],
        dtype=bool,
    ) & ~is_missing

    # Numbers straight from Excel cells.
    if is_number.any():
        nums = np.array([float(v) for v in objs[is_number]])
        idx = np.flatnonzero(is_number)
        huge = ~(np.abs(nums) < COUNT_CEILING)  # infinities and NaN too
        integral = ~huge & np.isclose(nums, np.round(nums))
        ok = integral & (nums >= 0)
        values[idx[ok]] = np.round(nums[ok]).astype("int64")
        known[idx[ok]] = True
        actions["excel_number"][idx[ok]] = True
        error[idx[~integral & ~huge]] = "fraction"
        error[idx[integral & (nums < 0)]] = "negative"
        error[idx[huge]] = "too_large"

    # Text (everything else that is not missing).
    is_text = ~is_number & ~is_missing
    text = pd.Series(objs, index=range(n)).where(is_text, "").astype(str)
    normal = text.map(_nfkc)
    actions["fullwidth"] |= (normal != text).to_numpy() & is_text
    stripped = normal.str.strip()
    actions["whitespace"] |= (stripped != normal).to_numpy() & is_text
    blank = is_missing | (is_text & (stripped == "").to_numpy())

    if blank.any():
        if blank_as_zero:
            known[blank] = True
            actions["blank_as_zero"][blank] = True
        else:
            error[blank] = "blank"

    todo = is_text & ~blank
    upper = stripped.str.upper()
    excel_err = todo & upper.isin(EXCEL_ERROR_VALUES).to_numpy()
    error[excel_err] = "excel_error"
    todo &= ~excel_err

    zero_mark = todo & stripped.isin([_nfkc(m) for m in zero_marks]).to_numpy()
    known[zero_mark] = True
    actions["dash_as_zero"][zero_mark] = True
    todo &= ~zero_mark

    body = stripped
    if unit_suffixes:
        suffix = "(?:" + "|".join(re.escape(_nfkc(u)) for u in sorted(unit_suffixes, key=len, reverse=True)) + r")$"
        without_unit = body.str.replace(r"\s*" + suffix, "", regex=True)
        had_unit = todo & (without_unit != body).to_numpy() & (without_unit.str.len() > 0).to_numpy()
        actions["unit_suffix"] |= had_unit
        body = without_unit.where(pd.Series(had_unit), body)

    thousands = todo & body.str.match(_THOUSANDS).to_numpy()
    actions["thousands_separator"] |= thousands
    body = body.where(~pd.Series(thousands), body.str.replace(",", "", regex=False))

    decimal_zero = todo & body.str.match(_DECIMAL_ZERO).to_numpy()
    actions["decimal_zero"] |= decimal_zero
    body = body.where(~pd.Series(decimal_zero), body.str.replace(r"\.0+$", "", regex=True))

    integer = todo & body.str.match(_INTEGER).to_numpy()
    too_large = integer & (body.str.lstrip("0").str.len() > len(str(COUNT_CEILING - 1))).to_numpy()
    error[too_large] = "too_large"
    integer &= ~too_large
    if integer.any():
        values[integer] = body[integer].astype("int64").to_numpy()
        known[integer] = True
        actions["text_number"] |= integer
    rest = todo & ~integer & ~too_large
    negative = rest & body.str.match(_NEGATIVE).to_numpy()
    error[negative] = "negative"
    fraction = rest & ~negative & body.str.match(_FRACTION).to_numpy()
    error[fraction] = "fraction"
    error[rest & ~negative & ~fraction] = "not_a_number"

    # Steps that only tidied a cell which then failed are not cleaning actions.
    failed = error != ""
    for name in actions:
        actions[name] &= ~failed

    out["value"] = pd.array(np.where(known & ~failed, values, 0), dtype="Int64")
    out.loc[~(known & ~failed), "value"] = pd.NA
    out["error"] = error
    for name, mask in actions.items():
        out[name] = mask
    return out


class CountError(ValueError):
    """A single count cell that cannot be read; `code` is a key of COUNT_ERRORS."""

    def __init__(self, code: str, cell: object):
        super().__init__(f"{COUNT_ERRORS[code]}: {cell!r}")
        self.code = code


# ---------------------------------------------------------------------------------------------
# Dates

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_PATTERNS = [
    re.compile(r"^(?P<y>\d{4})\s*[-./]\s*(?P<m>\d{1,2})\s*[-./]\s*(?P<d>\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日?$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
]


class DateError(ValueError):
    """A cell that is not a calendar date."""


def parse_date(cell: object) -> dt.date:
    """Read a date written as an Excel date, an Excel serial number or text.

    Text forms: 2021-01-02, 2021.1.26, 2021/10/7, 2021年6月25日, 20210625.
    """
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, pd.Timestamp):
        return cell.date()
    if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, bool):
        if np.isnan(cell) if isinstance(cell, (float, np.floating)) else False:
            raise DateError("空白")
        serial = float(cell)
        if 20000 <= serial <= 80000 and serial == int(serial):
            return _EXCEL_EPOCH + dt.timedelta(days=int(serial))
        if 19000101 <= serial <= 20991231:
            return parse_date(str(int(serial)))
        raise DateError(f"不是日期：{cell!r}")
    if cell is None:
        raise DateError("空白")
    s = _nfkc(str(cell)).strip()
    if not s:
        raise DateError("空白")
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            try:
                return dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            except ValueError as exc:
                raise DateError(f"不存在的日期：{s!r}") from exc
    raise DateError(f"不是日期：{s!r}")


# ---------------------------------------------------------------------------------------------
# Names

_SPACES = re.compile(r"\s+")


def tidy_name(cell: object) -> str:
    """Tidy a name for lookup: full-width forms to half-width, all whitespace removed.

    Chinese names have no meaningful spaces; the ones found in files (leading, trailing,
    full-width U+3000, non-breaking) are typing noise.
    """
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return ""
    return _SPACES.sub("", _nfkc(str(cell)))


def tidy_text(cell: object) -> str:
    """Tidy free text (company names, notes): half-width forms, outer spaces removed, inner runs of
    spaces collapsed to one."""
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return ""
    return _SPACES.sub(" ", _nfkc(str(cell))).strip()


def missing(value: object) -> bool:
    """An empty cell as read: None, or NaN (a cell pandas read as missing)."""
    return value is None or (isinstance(value, float) and value != value)
