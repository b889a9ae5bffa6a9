"""Finding personal numbers (pipeline/gate/privacy.py): every way people write an ID or a mobile
number is found, and no count, date, amount, company name or address ever is."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.basics import paths
from pipeline.config import load_config
from pipeline.gate.privacy import find_personal_numbers, mask, mask_text, valid_id_number
from pipeline.gate.read import grid_from_bytes
from pipeline.gate.screen import as_text
from pipeline.ingest.files import discover

ID = "440301198506151238"  # valid check digit, born 1985-06-15 in Shenzhen (440301)
ID_X = "32011319840514487X"
MOBILE = "13812345678"

FOUND = {
    "mobile, one run": ("电话13812345678", MOBILE),
    "mobile 3-4-4 with hyphens": ("138-1234-5678", MOBILE),
    "mobile 3-4-4 with spaces": ("华瑞电气 138 1234 5678 有限公司", MOBILE),
    "mobile with dots": ("138.1234.5678", MOBILE),
    "mobile full-width": ("１３８１２３４５６７８", MOBILE),
    "mobile full-width hyphens": ("１３８－１２３４－５６７８", MOBILE),
    "mobile +86": ("+86 138 1234 5678", MOBILE),
    "mobile +86 no space": ("+8613812345678", MOBILE),
    "mobile 0086": ("0086-13812345678", MOBILE),
    "mobile (+86)": ("(+86)13812345678", MOBILE),
    "mobile after a Chinese colon": ("联系电话：13812345678", MOBILE),
    "mobile after a full stop": ("Tel.13812345678", MOBILE),
    "ID, one run": (f"身份证{ID}", ID),
    "ID ending x": (ID_X.lower(), ID_X),
    "ID 6-8-4 spaces": ("440301 19850615 1238", ID),
    "ID 6-8-4 hyphens": ("440301-19850615-1238", ID),
    "ID 6-4-4-4": ("440301 1985 0615 1238", ID),
    "ID in groups of four": ("4403 0119 8506 1512 38", ID),
    "ID full-width": ("４４０３０１１９８５０６１５１２３８", ID),
    "old 15-digit ID": ("440301850615123", "440301850615123"),
    "old ID 6-6-3": ("440301 850615 123", "440301850615123"),
    # the tester's writings (a 科技局 company-name cell)
    "mobile with en dashes": ("139–1234–5678", "13912345678"),
    "mobile 7-4": ("1391234 5678", "13912345678"),
    "mobile 3-8": ("139 12345678", "13912345678"),
    "mobile hyphen then space": ("139-1234 5678", "13912345678"),
    "mobile with its first group in brackets": ("(139)1234-5678", "13912345678"),
    "mobile right after a word": ("Tel13912345678", "13912345678"),
    "ID right after a word": ("ID110101199003077715", "110101199003077715"),
    "ID with underscores": ("110101_19900307_7715", "110101199003077715"),
    # other dashes, spaces, dots, brackets and words
    "mobile with em dashes and minus signs": ("138—1234−5678", MOBILE),
    "mobile with no-break and thin spaces": ("138\u00a01234\u20095678", MOBILE),
    "mobile with full-width spaces": ("138\u30001234\u30005678", MOBILE),
    "mobile with a tab": ("138\t1234\t5678", MOBILE),
    "mobile with zero-width spaces": ("138\u200b1234\u200b5678", MOBILE),
    "mobile with middle dots": ("138·1234·5678", MOBILE),
    "mobile with ideographic full stops": ("138。1234。5678", MOBILE),
    "mobile with slashes": ("138/1234/5678", MOBILE),
    "mobile with full-width brackets": ("（138）1234 5678", MOBILE),
    "mobile with square brackets": ("[138]1234-5678", MOBILE),
    "mobile in words": ("手机：13812345678（本人）", MOBILE),
    "mobile before letters": ("abc13812345678def", MOBILE),
    "mobile with mixed-width digits": ("13８１2345６78", MOBILE),
    "mobile with spaced separators": ("138 - 1234 - 5678", MOBILE),
    "ID with en dashes": ("440301–19850615–1238", ID),
    "ID after 身份证号：": ("身份证号：440301198506151238", ID),
    "ID with slashes": ("440301/19850615/1238", ID),
    # numbers as Excel and Python write them
    "an Excel number Python printed": ("13812345678.0", MOBILE),
    "an ID Excel shows in scientific notation": ("4.40301198506151E+17", "440301198506151000"),
    "an ID Python printed as a float": ("4.403011985061512e+17", "440301198506151200"),
    "an ID Excel shows with its last digits lost": ("440301198506151000", "440301198506151000"),
    "an old ID as a float": ("440301850615123.0", "440301850615123"),
    "a mobile in scientific notation": ("1.3812345678E+10", MOBILE),
}

NOT_FOUND = {
    "a count": "20000",
    "a large count with separators": "1,234,567,890",
    "a date": "20091231",
    "a date with hyphens": "2009-12-31",
    "a decimal fraction": "0.13812345678",
    "ten digits": "1381234567",
    "twelve digits": "138123456789",
    "a mobile-like run inside a longer number": "813812345678",
    "a decimal number": "138.12345678",
    "an ID's region in scientific notation, no birth date": "4.40301E+17",
    "a number of 18 digits, no birth date": "440301000000000000",
    "an icon's path": "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41",
    "dates in a list": "2010-04-13、2010-05-18 2010-06-29 2010/7/13 2010.08.13",
    "an address with a document number": "http://www.example.gov.cn/art/2009/6/23/art_1207_35871.html 区委发〔2009〕18号",
    "an ID with a wrong check digit": "440301198506151239",
    "an ID with an impossible birth date": "440301198513321230",
    "an ID of a province that does not exist": "990301198506151235",
    "a bank account": "6222021234567890123",
    "a 20-digit account": "32001234567890123456",
    "a business registration number": "320100000123456",
    "a social credit code": "91320102MA1MXXXX0X",
    "a landline": "025-84561234",
    "an address": "江苏省南京市玄武区中山路18号1301室",
    "a company": "南京华瑞电气股份有限公司（注册资本5000万元）",
    "a document number": "区委发〔2009〕70号",
    "a millisecond timestamp": "1356998400000",
}


@pytest.mark.parametrize(("text", "number"), FOUND.values(), ids=FOUND.keys())
def test_every_way_of_writing_a_personal_number_is_found_and_masked(text, number):
    assert find_personal_numbers(text) == [number]
    masked = mask_text(text)
    assert find_personal_numbers(masked) == [] and number[-4:] in masked and number[3:7] not in masked.replace(number[-4:], "")


def test_two_numbers_written_side_by_side_are_both_found():
    for text in ("13812345678 13987654321", "138-1234-5678/139-8765-4321", f"{MOBILE} {ID}"):
        assert len(find_personal_numbers(text)) == 2, text
        assert find_personal_numbers(mask_text(text)) == []


@pytest.mark.parametrize("text", NOT_FOUND.values(), ids=NOT_FOUND.keys())
def test_counts_dates_amounts_names_and_addresses_are_not_personal_numbers(text):
    assert find_personal_numbers(text) == []
    assert mask_text(text) == text


@pytest.mark.parametrize(("number", "masked"), [(MOBILE, "138****5678"), (ID, "4403**********1238"),
                                                ("440301850615123", "4403*******5123")])
def test_a_mask_keeps_enough_to_find_the_cell_and_not_enough_to_know_the_person(number, masked):
    assert mask(number) == masked


@given(st.integers(min_value=0, max_value=9_999_999_999))
def test_no_count_below_ten_billion_is_a_personal_number(n):
    for text in (str(n), f"{n:,}", f"{n}人", f"{n}.00"):
        assert find_personal_numbers(text) == []


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_no_date_is_a_personal_number(day):
    for text in (f"{day:%Y%m%d}", f"{day:%Y-%m-%d}", f"{day:%Y.%m.%d}", f"{day.year}年{day.month}月{day.day}日"):
        assert find_personal_numbers(text) == []


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_no_amount_is_a_personal_number(amount):
    assert find_personal_numbers(f"{amount}") == [] and find_personal_numbers(f"{amount:,}元") == []


def test_in_the_shipped_files_personal_numbers_are_only_where_they_are_dropped():
    """The shipped files hold hundreds of ID and phone numbers, all in personal columns or note
    rows (which the screen skips): reading them gives no personal_data problem (test_sample_data),
    and this checks that it is not for want of finding them."""
    config = load_config()
    files, _ = discover(paths.RAW_DIR, config)
    found, elsewhere = 0, []
    for path, rel, _ in files:
        cells = grid_from_bytes(path.read_bytes(), path.suffix, rel).cells
        for (row, col), value in cells.stack().items():
            if find_personal_numbers(as_text(value) or ""):
                found += 1
                column_names = {str(v).strip() for v in cells.iloc[:row - 1, col]}
                if not ({"身份证号", "联系电话"} & column_names or str(cells.iat[row - 1, 0]).startswith("填表人")):
                    elsewhere.append((rel, row, col))
    assert found > 400 and elsewhere == []


def test_valid_id_numbers_as_the_generators_make_them():
    assert valid_id_number(ID) and valid_id_number(ID_X) and valid_id_number(ID_X.lower())
    assert not valid_id_number("440301198502301234")  # 30 February


def test_the_digits_of_a_hash_are_no_personal_number():
    """A release's manifest lists the SHA-256 of its files; one of them held 16547199833."""
    import hashlib

    digest = "be3fb16547199833f492a1a354c378b0167036698d31e848dba40dcb717f86bb"
    assert find_personal_numbers(digest) == [] and find_personal_numbers(f'"index.html": "{digest}"') == []
    for data in (b"a", b"b", b"c"):
        for name in ("md5", "sha1", "sha256", "sha512"):
            assert find_personal_numbers(hashlib.new(name, data).hexdigest()) == []
    # a number beside letters that make no hash is still found: too short, upper case, or other letters
    assert find_personal_numbers("abcdef13912345678") == ["13912345678"]
    assert find_personal_numbers("BE3FB16547199833F492A1A354C378B0167036698D31E848DBA40DCB717F86BB") == ["16547199833"]
    assert find_personal_numbers("hash13912345678") == ["13912345678"]
