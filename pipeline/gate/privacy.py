"""Finding personal numbers in text: mainland resident ID numbers and mobile numbers, written the
ways people write them. Used on every cell a build keeps (pipeline/gate/screen.py), as a last guard on
everything the build writes, and by the site's tests.

What counts as a hit, so that counts (20000), dates (20091231) and amounts never do:
- an ID number: 18 characters (the last may be X), as one run or grouped in any way by single
  spaces, hyphens or dots (6-8-4, 6-4-4-4, 4-4-4-4-2 …), with a valid GB 11643 check digit, a real birth date (1900 to
  2099) and a province code that exists; or an old 15-digit ID (6-6-3) with a real birth date
  (19YY) and a province code that exists (old IDs have no check digit);
- a mobile number: 11 digits starting 13-19, as one run or grouped 3-4-4, optionally after
  +86, 0086 or 86;
in any width of digits and separators (full-width １３８－１２３４ is read as 138-1234).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"
#: The first two digits of a mainland ID number: the province (GB/T 2260), plus Taiwan, Hong
#: Kong and Macao (71, 81, 82, 83 on residence permits).
PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                       50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83})

_SEP = r"[ \-.]"
_START = r"(?<![0-9A-Za-z])(?<!\d\.)"  # not inside a longer number, a word or a decimal fraction
_END = r"(?![0-9A-Za-z])"
_ID18 = re.compile(rf"{_START}(\d(?:{_SEP}?\d){{16}}{_SEP}?[\dXx]){_END}")
_ID15 = re.compile(rf"{_START}(\d{{6}})({_SEP}?)(\d{{6}})\2(\d{{3}}){_END}")
_MOBILE = re.compile(rf"{_START}(?:(?:\+|00)?86{_SEP}?|\(\+?86\){_SEP}?)?(1[3-9]\d)({_SEP}?)(\d{{4}})\2(\d{{4}}){_END}")
#: Each pattern, the groups that make up its number, and the test the number must pass.
_PATTERNS = ((_ID18, (1,), "id"), (_ID15, (1, 3, 4), "old_id"), (_MOBILE, (1, 3, 4), "mobile"))
#: A text with fewer digits than this holds no personal number (a quick test before the patterns).
MIN_DIGITS = 11
_DIGIT = re.compile(r"\d")


def _birth_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def valid_id_number(text: str) -> bool:
    """True when an 18-character ID number has a valid check digit (GB 11643), a real birth date
    and an existing province code."""
    if not re.fullmatch(r"\d{17}[0-9Xx]", text):
        return False
    if int(text[:2]) not in PROVINCES or not 1900 <= int(text[6:10]) <= 2099:
        return False
    if not _birth_date(int(text[6:10]), int(text[10:12]), int(text[12:14])):
        return False
    total = sum(int(d) * w for d, w in zip(text[:17], _WEIGHTS))
    return _CHECK[total % 11] == text[17].upper()


def valid_old_id_number(text: str) -> bool:
    """True when a 15-digit (pre-1999) ID number has an existing province code and a birth date
    in 1910-1999 (it has no check digit)."""
    if not re.fullmatch(r"\d{15}", text) or int(text[:2]) not in PROVINCES:
        return False
    year = 1900 + int(text[6:8])
    return year >= 1910 and _birth_date(year, int(text[8:10]), int(text[10:12]))


def normalise(text: str) -> str:
    """Full-width digits, letters and separators as their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


def _number(m: re.Match, groups: tuple[int, ...], kind: str) -> str | None:
    """The bare number of a match, or None when it is not a valid one of its kind."""
    number = re.sub(_SEP, "", "".join(m.group(*groups))).upper()
    valid = {"id": valid_id_number, "old_id": valid_old_id_number}.get(kind)
    return number if valid is None or valid(number) else None


def find_personal_numbers(text: str) -> list[str]:
    """Every ID number and mobile number in a text, as bare digits (separators removed)."""
    text = normalise(text)
    if next(itertools.islice(_DIGIT.finditer(text), MIN_DIGITS - 1, None), None) is None:
        return []  # fewer than MIN_DIGITS digits
    found = []
    for pattern, groups, kind in _PATTERNS:
        found += [n for m in pattern.finditer(text) if (n := _number(m, groups, kind))]
    return found


def mask(number: str) -> str:
    """A personal number with its middle hidden, as Chinese forms print them: 138****5678,
    3201**********7467. Enough to find the cell, not enough to know the person."""
    if len(number) == 11:
        return number[:3] + "*" * 4 + number[-4:]
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_text(text: str) -> str:
    """A text with every personal number in it masked (then in ASCII digits and punctuation);
    a text without any, as it is."""
    if not find_personal_numbers(text):
        return text
    text = normalise(text)
    for pattern, groups, kind in _PATTERNS:
        text = pattern.sub(lambda m, groups=groups, kind=kind: _masked(m, groups, kind), text)
    return text


def _masked(m: re.Match, groups: tuple[int, ...], kind: str) -> str:
    """A match with its number masked (a prefix such as +86 stays as written), or as it is if invalid."""
    number = _number(m, groups, kind)
    return m.group(0) if number is None else m.group(0)[: m.start(groups[0]) - m.start(0)] + mask(number)


def leak_message(path: str, hits: list[str]) -> str:
    """Why a build stopped when a file it was about to publish holds personal numbers, and what to do."""
    shown = "、".join(dict.fromkeys(mask(h) for h in hits[:3]))
    return (f"发布中止：要发布的网站文件 {path} 中有 {len(hits)} 处疑似身份证号或手机号（{shown}），网站保持上一次的版本。\n"
            "个人信息不得发布。请在 data/raw 的报送文件和 config/ 中搜索号码的末 4 位，找到出处：报送文件中的，"
            "请报送部门删去后重新报送；config/ 中的，请改写。然后重新运行 make。"
            "（如这串数字其实不是个人号码，如文号，请改变它的写法。）")
