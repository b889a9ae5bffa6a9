"""Reading CSV files: the fast reader (Arrow, for files whose rows are all the same length) gives
exactly the cells pandas' own reader gives, so which one read a file never changes a figure or a
row number."""

from __future__ import annotations

import codecs
import io

import pandas as pd
import pytest

from pipeline.gate.read import (
    ENCODING_SAMPLE_BYTES,
    detect_encoding,
    grid_from_bytes,
    parse_csv,
    read_rectangular_csv,
)

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
    fast = read_rectangular_csv(data, delimiter, encoding)
    assert fast is not None
    expected = _pandas_cells(data, delimiter, encoding)
    if text.startswith("\ufeff"):
        expected.iat[0, 0] = expected.iat[0, 0].lstrip("\ufeff")
        fast.iat[0, 0] = fast.iat[0, 0].lstrip("\ufeff")
    _same(fast, expected)


@pytest.mark.parametrize("text", ["2010年各街镇统计\n街镇,人数\n北山镇,12\n", "街镇,人数\n北山镇,12,多余\n", "\n街镇,人数\n"])
def test_files_with_rows_of_different_lengths_are_left_to_pandas(text):
    assert read_rectangular_csv(text.encode(), ",", "utf-8") is None


def test_a_file_that_is_not_utf8_is_left_to_the_encoding_detection():
    assert read_rectangular_csv("街镇,人数\n北山镇,12\n".encode("gb18030"), ",", "utf-8") is None


@pytest.mark.parametrize(("text", "rows"), [(RECTANGULAR["blank lines kept as rows"], 4),
                                            (RECTANGULAR["quoted delimiter and line break"], 3),
                                            ("\ufeff2010年各街镇统计\n街镇,人数\n\n北山镇,12\n", 4)])
def test_rows_are_numbered_as_in_the_file(text, rows):
    grid = parse_csv(text.encode(), "x.csv", "utf-8")
    assert grid.cells.index.tolist() == list(range(1, rows + 1))
    assert not grid.cells.iat[0, 0].startswith("\ufeff")


# -- the encoding of a file larger than the sample it is guessed from --------------------------------

SIMPLIFIED = "绿源新港润泽汇通宏达金陵远航龙腾瑞丰华泰天润长江恒远电子科技医药物流有限公司"
TRADITIONAL = "綠源新港潤澤匯通宏達金陵遠航龍騰瑞豐華泰天潤長江恆遠電子科技醫藥物流有限公司"
FOUR_BYTES = "𠀀𠀁𪚥䶮"  # four bytes each in GB18030 (none in GBK or Big5)


def _company_list(characters: str, size: int) -> str:
    """A 科技局-like list of about `size` characters (more than the encoding sample in any encoding)."""
    import random

    rng = random.Random(7)
    lines = ["企业名称,季度,高层次经营管理人才,科技人才团队,紧缺专业技术人才(本科以上)" if characters != TRADITIONAL
             else "企業名稱,季度,高層次經營管理人才,科技人才團隊,緊缺專業技術人才(本科以上)"]
    length = len(lines[0]) + 1  # so far (summed as the list grows: summing it again for each line took a minute)
    while length < size:
        lines.append("".join(rng.choice(characters) for _ in range(rng.randint(4, 14))) + ",2010年第四季度,1人,,5")
        length += len(lines[-1]) + 1
    return "\n".join(lines) + "\n"


ENCODED = {
    "GB18030": (lambda t: t.encode("gb18030"), SIMPLIFIED + FOUR_BYTES),
    "GBK": (lambda t: t.encode("gbk"), SIMPLIFIED),
    "Big5": (lambda t: t.encode("big5"), TRADITIONAL),
    "UTF-8": (lambda t: t.encode("utf-8"), SIMPLIFIED),
    "UTF-8 with BOM": (lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), SIMPLIFIED),
    "UTF-16": (lambda t: t.encode("utf-16"), SIMPLIFIED),
}


@pytest.mark.parametrize("name", ENCODED)
def test_the_encoding_is_found_wherever_the_sample_ends(name):
    """Shifted by 0 to 39 bytes (an ASCII title row longer each time), the sample the encoding is
    guessed from ends at every place in a character: no copy is refused or read as other text.
    (The first 262,144 bytes were the sample: 11 of 40 copies of a 336 KB GB18030 file were refused.)"""
    encode, characters = ENCODED[name]
    text = _company_list(characters, 220_000)  # about 340 KB in GBK
    assert len(encode(text)) > 1.2 * ENCODING_SAMPLE_BYTES
    wrong = []
    for shift in range(40):
        shifted = "x" * shift + "\n" + text
        data = encode(shifted)
        found = detect_encoding(data)
        if found is None or data.decode(found).lstrip("\ufeff") != shifted:
            wrong.append((shift, found))
    assert wrong == []


def test_a_gb18030_file_larger_than_the_sample_is_read_whole():
    text = _company_list(SIMPLIFIED + FOUR_BYTES, 600_000)  # over a megabyte: read by Arrow
    for shift in (0, 1, 2, 3):
        data = ("报" * shift + text).encode("gb18030")
        grid = grid_from_bytes(data, ".csv", "科技局/科技局_2010年第四季度_企业引才情况.csv")
        assert grid.encoding == "gb18030" and grid.cells.iat[-1, 1] == "2010年第四季度"
