"""Reading CSV files: the fast reader (Arrow, for files whose rows are all the same length) gives
exactly the cells pandas' own reader gives, so which one read a file never changes a figure or a
row number."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from pipeline.gate.read import _parse_csv, _read_rectangular_csv

RECTANGULAR = {
    "plain": "街镇,人数\n北山镇,12\n柳岸镇,7\n",
    "byte-order mark": "\ufeff街镇,人数\n北山镇,12\n",
    "blank lines kept as rows": "街镇,人数\n\n北山镇,12\n\n",
    "empty and blank cells": "街镇,人数,备注\n北山镇,, \n,3,\n",
    "leading zeros and long numbers stay text": "编号,身份证号\n007,320281197303080884\n",
    "quoted delimiter and line break": '街镇,备注\n北山镇,"含,逗号"\n柳岸镇,"两\n行"\n',
    "Windows line ends": "街镇,人数\r\n北山镇,12\r\n",
    "tab separated": "街镇\t人数\n北山镇\t12\n",
    "formula-like and markup text": '街镇,备注\n北山镇,=1+1\n柳岸镇,<b>x</b>\n',
}


def _pandas_cells(data: bytes, delimiter: str, encoding: str) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), sep=delimiter, header=None, dtype=str, keep_default_na=False,
                       na_values=[""], skip_blank_lines=False, engine="c", encoding=encoding)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert a.shape == b.shape
    for i in range(a.shape[1]):
        left, right = a.iloc[:, i].tolist(), b.iloc[:, i].tolist()
        assert [None if pd.isna(v) else v for v in left] == [None if pd.isna(v) else v for v in right]


@pytest.mark.parametrize("text", RECTANGULAR.values(), ids=RECTANGULAR.keys())
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_the_fast_reader_reads_what_pandas_reads(text, encoding):
    data = text.encode(encoding)
    delimiter = "\t" if "\t" in text else ","
    fast = _read_rectangular_csv(data, delimiter, encoding)
    assert fast is not None
    expected = _pandas_cells(data, delimiter, encoding)
    if text.startswith("\ufeff"):
        expected.iat[0, 0] = expected.iat[0, 0].lstrip("\ufeff")
        fast.iat[0, 0] = fast.iat[0, 0].lstrip("\ufeff")
    _same(fast, expected)


@pytest.mark.parametrize("text", ["2010年各街镇统计\n街镇,人数\n北山镇,12\n", "街镇,人数\n北山镇,12,多余\n", "\n街镇,人数\n"])
def test_files_with_rows_of_different_lengths_are_left_to_pandas(text):
    assert _read_rectangular_csv(text.encode(), ",", "utf-8") is None


def test_a_file_that_is_not_utf8_is_left_to_the_encoding_detection():
    assert _read_rectangular_csv("街镇,人数\n北山镇,12\n".encode("gb18030"), ",", "utf-8") is None


@pytest.mark.parametrize(("text", "rows"), [(RECTANGULAR["blank lines kept as rows"], 4),
                                            (RECTANGULAR["quoted delimiter and line break"], 3),
                                            ("\ufeff2010年各街镇统计\n街镇,人数\n\n北山镇,12\n", 4)])
def test_rows_are_numbered_as_in_the_file(text, rows):
    grid = _parse_csv(text.encode(), "x.csv", "utf-8")
    assert grid.cells.index.tolist() == list(range(1, rows + 1))
    assert not grid.cells.iat[0, 0].startswith("\ufeff")
