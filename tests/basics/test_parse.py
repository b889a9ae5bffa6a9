"""Parsers for counts, dates and names: tables of what departments write (periods: test_periods.py)."""

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.basics.parse import (
    COUNT_ACTIONS,
    CountError,
    DateError,
    parse_counts,
    parse_date,
    tidy_name,
    tidy_text,
)

ZERO_MARKS = ("—", "–", "－", "-", "无", "/")
UNITS = ("人次", "人", "名", "个")


def parse_count(
    cell: object,
    *,
    blank_as_zero: bool = False,
    zero_marks: tuple[str, ...] = ("—", "-", "－", "无"),
    unit_suffixes: tuple[str, ...] = ("人次", "人", "名", "个"),
) -> tuple[int, frozenset[str]]:
    """One count cell through parse_counts (the cleaner parses whole columns): the count and the
    cleaning steps applied; CountError if it is not a count."""
    row = parse_counts(pd.Series([cell], dtype=object), blank_as_zero=blank_as_zero,
                       zero_marks=zero_marks, unit_suffixes=unit_suffixes).iloc[0]
    if row["error"]:
        raise CountError(row["error"], cell)
    return int(row["value"]), frozenset(k for k in COUNT_ACTIONS if row[k])


@pytest.mark.parametrize(
    ("cell", "value", "steps"),
    [
        ("12", 12, {"text_number"}),
        ("0", 0, {"text_number"}),
        (12, 12, {"excel_number"}),
        (12.0, 12, {"excel_number"}),
        ("1,952", 1952, {"text_number", "thousands_separator"}),
        ("16,250", 16250, {"text_number", "thousands_separator"}),
        ("1,234,567", 1234567, {"text_number", "thousands_separator"}),
        ("１１", 11, {"text_number", "fullwidth"}),
        ("３", 3, {"text_number", "fullwidth"}),
        ("3人", 3, {"text_number", "unit_suffix"}),
        ("1个", 1, {"text_number", "unit_suffix"}),
        ("20人次", 20, {"text_number", "unit_suffix"}),
        ("5 名", 5, {"text_number", "unit_suffix"}),
        ("１,２００人次", 1200, {"text_number", "fullwidth", "thousands_separator", "unit_suffix"}),
        (" 7 ", 7, {"text_number", "whitespace"}),
        ("7\u3000", 7, {"text_number", "fullwidth", "whitespace"}),
        ("12.0", 12, {"text_number", "decimal_zero"}),
        ("—", 0, {"dash_as_zero"}),
        ("-", 0, {"dash_as_zero"}),
        ("－", 0, {"dash_as_zero", "fullwidth"}),
        ("无", 0, {"dash_as_zero"}),
    ],
)
def test_count_cells_that_read(cell, value, steps):
    assert parse_count(cell, zero_marks=ZERO_MARKS, unit_suffixes=UNITS) == (value, frozenset(steps))


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("", "blank"),
        (None, "blank"),
        ("   ", "blank"),
        ("-3", "negative"),
        (-3, "negative"),
        ("- 3", "negative"),
        ("1.5", "fraction"),
        (2.5, "fraction"),
        ("1,5", "not_a_number"),
        ("abc", "not_a_number"),
        ("约20", "not_a_number"),
        ("20左右", "not_a_number"),
        ("人", "not_a_number"),
        ("#REF!", "excel_error"),
        ("#VALUE!", "excel_error"),
        ("#div/0!", "excel_error"),
        ("#N/A", "excel_error"),
    ],
)
def test_count_cells_that_do_not_read(cell, code):
    with pytest.raises(CountError) as err:
        parse_count(cell, zero_marks=ZERO_MARKS, unit_suffixes=UNITS)
    assert err.value.code == code


def test_blank_reads_as_zero_only_when_the_source_says_so():
    assert parse_count("", blank_as_zero=True) == (0, frozenset({"blank_as_zero"}))
    assert parse_count(None, blank_as_zero=True) == (0, frozenset({"blank_as_zero"}))


def test_a_column_is_parsed_at_once_and_keeps_its_index():
    cells = pd.Series(["1", "２", "—", "3人", "x"], index=[5, 6, 7, 8, 9], dtype=object)
    out = parse_counts(cells, blank_as_zero=False, zero_marks=ZERO_MARKS, unit_suffixes=UNITS)
    assert list(out.index) == [5, 6, 7, 8, 9]
    assert out["value"].tolist()[:4] == [1, 2, 0, 3]
    assert pd.isna(out.loc[9, "value"]) and out.loc[9, "error"] == "not_a_number"
    assert out["fullwidth"].sum() == 1 and out["unit_suffix"].sum() == 1


@pytest.mark.parametrize("storage", ["python", "pyarrow"])
@given(st.lists(st.one_of(st.none(), st.sampled_from(["1", "２", "—", "3人", " ", "x", "1,000", "-2", "0.5", "#REF!"]),
                          st.text(max_size=6)), min_size=1, max_size=30),
       st.booleans())
def test_a_text_column_parsed_once_per_distinct_text_reads_as_cell_by_cell(storage, cells, blank_as_zero):
    """Text (every CSV cell) is parsed once per distinct value; the cells one by one (object
    dtype, as Excel's mixed cells are) give the same frame."""
    rules = dict(blank_as_zero=blank_as_zero, zero_marks=ZERO_MARKS, unit_suffixes=UNITS)
    index = list(range(3, 3 + len(cells)))
    text = pd.Series([c if c != "" else None for c in cells], index=index, dtype=pd.StringDtype(storage, na_value=float("nan")))
    each = parse_counts(text.astype(object).where(text.notna(), None), **rules)
    pd.testing.assert_frame_equal(parse_counts(text, **rules), each)


@given(st.integers(min_value=0, max_value=10**12))
def test_any_written_integer_reads_back(n):
    for text in (str(n), f"{n:,}", f"{n}人", str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))):
        assert parse_count(text, unit_suffixes=UNITS)[0] == n


@given(st.integers(min_value=1, max_value=10**9))
def test_no_negative_number_is_ever_accepted(n):
    with pytest.raises(CountError) as err:
        parse_count(f"-{n}")
    assert err.value.code == "negative"


@given(st.text(max_size=12))
def test_any_text_either_reads_as_a_count_or_raises_count_error(text):
    try:
        value, _ = parse_count(text, unit_suffixes=UNITS)
    except CountError as err:
        assert err.code in {"blank", "negative", "fraction", "not_a_number", "excel_error"}
    else:
        assert value >= 0


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("2009-01-02", dt.date(2009, 1, 2)),
        ("2009.1.26", dt.date(2009, 1, 26)),
        ("2009/10/7", dt.date(2009, 10, 7)),
        ("2009年6月25日", dt.date(2009, 6, 25)),
        ("2009年6月25", dt.date(2009, 6, 25)),
        ("20090625", dt.date(2009, 6, 25)),
        ("2009-06-25 00:00:00", dt.date(2009, 6, 25)),
        (dt.datetime(2009, 6, 25), dt.date(2009, 6, 25)),
        (dt.date(2009, 6, 25), dt.date(2009, 6, 25)),
        (39995, dt.date(2009, 7, 1)),  # an Excel serial number
        ("２００９－０６－２５", dt.date(2009, 6, 25)),
    ],
)
def test_dates_are_read_in_every_way_they_are_written(cell, day):
    assert parse_date(cell) == day


@pytest.mark.parametrize("cell", ["", None, "2009-02-30", "2009-13-01", "昨天", "2009", 12.5])
def test_what_is_not_a_date_is_rejected(cell):
    with pytest.raises(DateError):
        parse_date(cell)


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_any_date_round_trips_through_its_written_forms(day):
    for text in (day.isoformat(), f"{day.year}.{day.month}.{day.day}", f"{day.year}/{day.month}/{day.day}",
                 f"{day.year}年{day.month}月{day.day}日"):
        assert parse_date(text) == day


@pytest.mark.parametrize(
    ("cell", "tidy"),
    [
        (" 东城街道", "东城街道"),
        ("柳岸镇\u3000", "柳岸镇"),
        ("白沙镇 ", "白沙镇"),
        ("东城 街道", "东城街道"),
        ("\u00a0北山\u00a0", "北山"),
        ("紧缺专业技术人才（本科以上）", "紧缺专业技术人才(本科以上)"),
        (None, ""),
        (12, "12"),
    ],
)
def test_names_are_tidied_for_lookup(cell, tidy):
    assert tidy_name(cell) == tidy


def test_free_text_keeps_single_inner_spaces():
    assert tidy_text("  ABC   Tech　有限公司 ") == "ABC Tech 有限公司"
