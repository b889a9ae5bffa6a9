"""The ways people and Excel write a mainland ID number or a mobile number: a grammar, as hypothesis
strategies, for the screen's property tests (tests/gate/test_screen_writings.py).

A writing is a number (a random valid mobile, 18-digit ID or old 15-digit ID) put in writing:
  - grouped: split into groups of two digits or more (3-4-4, 3-8, 7-4, 6-8-4, 6-4-4-4, 4-4-4-4-2, 6-6-3
    or any other split into as many groups as such a number is written in);
  - separated: between each two groups one to three characters of every kind of dash, space, dot,
    underscore and slash (mixed freely: 139-1234 5678), and any group in brackets ((139), 【139】);
  - in any width: each digit ASCII or full-width;
  - with 86 / +86 / 0086 / (+86) before a mobile, and words before and after (Tel, 电话：, ID, 身份证号：, No.);
  - or as Excel and Python write a number: 13812345678.0, 1.10101199003077E+17, 1.101011990030777e+17,
    110101199003077000, 440301850615123.0, and as the number an Excel cell holds;
  - or split over two neighbouring cells, at any place inside its digits.
The one writing left out on purpose: a number split into exactly two groups by one ASCII dot
(138.12345678), which reads as a decimal number (pipeline/gate/privacy.py).

The numbers are built here from the rules they follow (GB 11643's check digit written out again),
not with the code under test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import assume
from hypothesis import strategies as st

#: Province codes of mainland ID numbers (GB/T 2260), and Taiwan, Hong Kong and Macao.
PROVINCES = (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
             61, 62, 63, 64, 65, 71, 81, 82, 83)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

DASHES = ("-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\ufe63", "\uff0d", "\u2e3a")
SPACES = (" ", "\u00a0", "\u3000", "\u2009", "\u2002", "\u202f", "\t", "\u200b", "\n")
DOTS = (".", "\u00b7", "\uff0e", "\u3002", "\u30fb")
UNDERSCORES = ("_", "\uff3f")
SLASHES = ("/", "\uff0f", "\\")
SEPARATORS = DASHES + SPACES + DOTS + UNDERSCORES + SLASHES
BRACKETS = (("(", ")"), ("\uff08", "\uff09"), ("[", "]"), ("\u3010", "\u3011"), ("\u3014", "\u3015"), ("\uff3b", "\uff3d"))
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

MOBILE_PREFIXES = ("", "+86", "+86 ", "+86-", "0086", "0086 ", "0086-", "86 ", "(+86)", "\uff08+86\uff09", "+86\u3000")
BEFORE = ("", "Tel", "TEL:", "Tel.", "tel\uff1a", "电话", "电话\uff1a", "手机", "手机号码:", "联系方式 ", "ID", "ID:", "身份证",
          "身份证号\uff1a", "No.", "华瑞电气 ", "abc", "联系人王芳")
AFTER = ("", "\uff08本人\uff09", " 转", "号", "abc", "\uff1b", "\u3002", " 等", "（手机）")

#: How many groups each kind of number is written in, at most.
MAX_GROUPS = {"mobile": 3, "id": 5, "old_id": 3}


@dataclasses.dataclass(frozen=True)
class Writing:
    """A number as written: in one cell (text), or over two neighbouring cells (parts)."""

    text: str
    number: str  # the number it holds, as the screen reports it (an ID Excel cut: as Excel shows it)
    kind: str  # mobile, id, old_id
    parts: tuple[str, str] | None = None
    excel_value: float | int | None = None  # the value of an Excel number cell holding it, if one can


def check_digit(body: str) -> str:
    """GB 11643-1999: the 18th character of an ID number from its first 17 digits."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


@st.composite
def mobile_numbers(draw) -> str:
    return "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9, max_size=9))


@st.composite
def birth_dates(draw, first: int, last: int) -> dt.date:
    return draw(st.dates(dt.date(first, 1, 1), dt.date(last, 12, 31)))


@st.composite
def id_numbers(draw) -> str:
    region = f"{draw(st.sampled_from(PROVINCES))}{draw(st.integers(0, 9999)):04d}"
    body = f"{region}{draw(birth_dates(1900, 2099)):%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return body + check_digit(body)


@st.composite
def old_id_numbers(draw) -> str:
    region = f"{draw(st.sampled_from(PROVINCES))}{draw(st.integers(0, 9999)):04d}"
    return f"{region}{draw(birth_dates(1910, 1999)):%y%m%d}{draw(st.integers(0, 999)):03d}"


NUMBERS = {"mobile": mobile_numbers(), "id": id_numbers(), "old_id": old_id_numbers()}


@st.composite
def groups(draw, digits: str, kind: str) -> list[str]:
    """The digits (an ID's X included) split into groups of two or more, at most as many as the
    kind is written in."""
    count = draw(st.integers(1, min(MAX_GROUPS[kind], len(digits) // 2)))
    sizes, left = [], len(digits)
    for i in range(count - 1):
        size = draw(st.integers(2, left - 2 * (count - 1 - i)))
        sizes.append(size)
        left -= size
    sizes.append(left)
    ends = [sum(sizes[:i + 1]) for i in range(count)]
    return [digits[a:b] for a, b in zip([0, *ends], ends)]


@st.composite
def gaps(draw) -> str:
    """One to three separator characters, of any kinds."""
    return "".join(draw(st.lists(st.sampled_from(SEPARATORS), min_size=1, max_size=3)))


@st.composite
def grouped(draw, digits: str, kind: str) -> str:
    """The digits grouped, separated, some groups in brackets, each digit in either width."""
    parts = draw(groups(digits, kind))
    written = []
    for i, part in enumerate(parts):
        if draw(st.booleans()):
            part = part.translate(FULL_WIDTH) if draw(st.booleans()) else "".join(
                d.translate(FULL_WIDTH) if draw(st.booleans()) else d for d in part)
        bracketed = draw(st.integers(0, 5)) == 0
        if bracketed:
            opening, closing = draw(st.sampled_from(BRACKETS))
            part = opening + part + closing
        if i:
            gap = "" if bracketed or written[-1][-1] in "".join(b[1] for b in BRACKETS) else draw(gaps())
            if len(parts) == 2 and gap in (".", "\uff0e"):
                gap = "-"  # one dot between two groups is a decimal point: not a writing of a number
            written.append(gap)
        written.append(part)
    return "".join(written)


@st.composite
def writings(draw, kind: str | None = None) -> Writing:
    """A number grouped and separated, with a prefix (mobiles) and words around it."""
    kind = kind or draw(st.sampled_from(sorted(NUMBERS)))
    number = draw(NUMBERS[kind])
    text = draw(grouped(number, kind))
    if kind == "mobile":
        text = draw(st.sampled_from(MOBILE_PREFIXES)) + text
    text = draw(st.sampled_from(BEFORE)) + text + draw(st.sampled_from(AFTER))
    return Writing(text, number, kind)


@st.composite
def excel_writings(draw) -> Writing:
    """A number as Excel or Python writes a number cell holding it, with that cell's value."""
    kind = draw(st.sampled_from(sorted(NUMBERS)))
    number = draw(NUMBERS[kind])
    if kind == "id" and not number[-1].isdigit():
        number = number[:-1] + "0"  # (an ID ending in X cannot be typed as a number; its 17 digits still can)
    value = float(number)
    if kind == "mobile":
        return Writing(draw(st.sampled_from([repr(value), f"{value:.10E}"])), number, kind, excel_value=value)
    if kind == "old_id":
        return Writing(repr(value), number, kind, excel_value=value)
    text = draw(st.sampled_from([f"{value:.15G}", f"{value:.15G}".lower(), repr(value), number[:15] + "000"]))
    mantissa = text.lower().split("e")[0].replace(".", "")
    shown = mantissa[:18].ljust(18, "0")  # the digits it shows, as Excel shows them in a number format
    assume(shown[:14] == number[:14])  # (rounding to 15 digits carried into the birth date: rare, and not a real date)
    return Writing(text, shown, "excel_id", excel_value=value)


@st.composite
def split_writings(draw) -> Writing:
    """A writing split over two cells, at a place inside its number's digits."""
    writing = draw(writings())
    digits = [i for i, c in enumerate(writing.text) if c.isdigit()]
    inside = digits[_prefix_digits(writing) + 1:]  # after the number's first digit
    at = draw(st.sampled_from(inside[:len(writing.number) - 1]))
    return dataclasses.replace(writing, parts=(writing.text[:at], writing.text[at:]))


def _prefix_digits(writing: Writing) -> int:
    """How many digits come before the number itself (86 or 0086)."""
    return sum(c.isdigit() for c in writing.text) - sum(c.isdigit() for c in writing.number)
