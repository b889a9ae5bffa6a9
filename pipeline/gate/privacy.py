"""Finding personal numbers in text: mainland resident ID numbers and mobile numbers, however people
(and Excel) write them. Used on every cell a build keeps and on every pair of neighbouring kept
cells (pipeline/gate/screen.py), as the last guard on everything the build publishes
(build.check_no_personal_data), and by the site's tests.

A text is read in three steps, the same for a cell and for a published file:

1. normalise: NFKC (full-width digits, letters, spaces and brackets as ASCII) and any other decimal
   digit as its ASCII digit. Every character a person puts between the digits of a number is one
   class, SEPARATORS: every dash (- ‐ ‑ ‒ – — ― − ﹣ － …), space (ASCII, no-break, full-width, thin,
   tab, line break, zero-width), dot (. · ． 。 ・), underscore, slash, and bracket ((139), 【139】).
2. digit runs: digits with at most three separators between each two. A run is made of groups (the
   digits between separators) and a group is never cut: 313812345678 holds no mobile number, and
   neither does a 19-digit bank account. A group of one digit is never part of a number (nobody
   writes 1 3812345678; lists of small numbers, such as an icon's path 6.5 0 0 1 16 9.5, are).
3. validate: every span of whole groups of a run with as many digits as a number has, written in no
   more groups than such a number is (MAX_GROUPS: 3 for a mobile, and one more for 86 / 0086; 5 for
   an ID; 3 for an old ID), is tested from the left, the longest valid span first, spans never
   overlapping (13812345678 13987654321 is two numbers):
   - a mobile number: 11 digits 13x-19x, or 86 / 0086 and those 11 (+86, (+86), 0086-);
   - an ID number: 18 characters (the last may be X) with a valid GB 11643 check digit, a real birth
     date (1900-2099) and a province code that exists; or 18 digits ending in 000 with a real
     province code and birth date (an ID typed into Excel as a number keeps 15 significant digits
     and shows the rest as 0: the region and the birth date are still there);
   - an old (15-digit) ID number: a province code that exists and a birth date in 1910-1999 (old IDs
     have no check digit).

Letters and words around a number do not hide it (Tel13812345678, ID110101…, 身份证：…, No.…).

Two more rules, for numbers as Excel and Python write them:
- a decimal number (a run of two groups with one ASCII dot between them: 0.13812345678, 3.5) is not
  a personal number, but its integer part is read alone (13812345678.0 is how Python prints a
  mobile number Excel stored as a number);
- scientific notation (1.10101199003077E+17 as Excel shows an ID typed as a number,
  1.101011990030777e+17 as Python prints it): the mantissa's digits are the number's leading digits,
  the rest zeros (as Excel shows the number: 110101199003077000). With exponent 17 (18 digits) that
  is an ID number when its first 14 digits give a province code that exists and a real birth date
  (the check digit is lost; a display rounded to a few digits, 1.10101E+17, has no birth date);
  with exponent 14 (15 digits), an old ID by the same test; with exponent 10 (or 12, after 86), a
  mobile number.

What is never a hit: counts, years, dates (20211231, 2021-12-31), amounts (with or without
thousands separators), decimal numbers, 文号 (区委发〔2021〕70号), landlines (their area codes start with
0), bank accounts and other numbers of another length in one group, a mobile number written as a
decimal (138.12345678: one dot between two groups reads as a decimal number), and the digits of a
hash (32, 40, 64 or 128 lower-case hexadecimal characters with a letter among them, as programs
write MD5, SHA-1 and SHA-256: a release's manifest lists them).

`find_personal_numbers(text, any_check_digit=True)`, for the last guard, also takes an 18-digit ID
with a wrong check digit (a typing error leaves a person's region and birth date readable).
"""

from __future__ import annotations

import dataclasses
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


def _span(first: str, last: str) -> str:
    return "".join(chr(c) for c in range(ord(first), ord(last) + 1))


#: The characters that may stand between the digits of a number, by class (each written as
#: people write it: NFKC already turns full-width forms, no-break and thin spaces into ASCII ones).
SEPARATOR_CLASSES = {
    # every dash punctuation character (Unicode Pd), the minus sign and its look-alikes
    "dash": "-\u058a\u05be\u1400\u1806" + _span("\u2010", "\u2015") + "\u2e17\u2e1a\u2e3a\u2e3b\u2e40\u2e5d\u301c"
            "\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\u2212\u2043\u02d7\u2796\u2500\u23af",
    # every space separator (Zs), tab and line breaks, zero-width spaces and the soft hyphen
    "space": " \t\n\r\v\f\u00a0\u1680" + _span("\u2000", "\u200d") + "\u202f\u205f\u3000\u2060\ufeff\u00ad\u180e",
    "dot": ".\u00b7\u2022\u2024\u2027\u2219\u22c5\u3002\u30fb\uff0e\uff61\uff65",
    # every connector punctuation character (Unicode Pc)
    "underscore": "_\u203f\u2040\u2054\ufe33\ufe34\ufe4d\ufe4e\ufe4f\uff3f",
    "slash": "/\\\u2044\u2215\u29f8\uff0f\uff3c",
    "bracket": "()[]{}" + _span("\u3008", "\u3011") + _span("\u3014", "\u301b") + "\u2985\u2986\u27e8\u27e9\u2e28\u2e29"
               "\uff08\uff09\uff3b\uff3d\uff5b\uff5d",
}
#: Every separator, as one class: between the digits of a number, any of them is the same.
SEPARATORS = "".join(SEPARATOR_CLASSES.values())
_SEP = "[" + "".join(re.escape(c) for c in SEPARATORS) + "]"
#: A run of at least 11 digits (the fewest a personal number has), at most three separators between
#: each two, and an X that may end an ID number.
_RUN = re.compile(rf"[0-9](?:{_SEP}{{0,3}}[0-9]){{10,}}(?:{_SEP}{{0,3}}[Xx])?")
_GROUP = re.compile(r"[0-9]+")
#: A number in scientific notation whose exponent is that of a personal number (see the docstring).
_SCIENTIFIC = re.compile(r"(?<![0-9.])([0-9])\.([0-9]+) ?[eE] ?\+?0?(10|12|14|17)(?![0-9])")
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")  # a decimal digit of another script than ASCII
_DIGIT = re.compile(r"\d")
#: A text with fewer digits than this holds no personal number (a quick test before the patterns).
#: A hash as programs write one (MD5, SHA-1, SHA-256, SHA-512 in hexadecimal: a release's manifest
#: lists the SHA-256 of its files): machine-made, no person's number, whatever digits it shows.
_HASH = re.compile(r"(?<![0-9A-Za-z])(?=[0-9a-f]*[a-f])(?:[0-9a-f]{128}|[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{32})(?![0-9A-Za-z])")
MIN_DIGITS = 11
#: The longest span of digits tested: an ID number.
_LONGEST = 18


@dataclasses.dataclass(frozen=True)
class Hit:
    """A personal number found in a normalised text: the bare number (as 138****5678 would be
    shown unmasked), its kind, and where it is written (from its first digit, after any 86 or 0086,
    to its last character)."""

    number: str
    kind: str  # mobile, id (18 characters), old_id (15 digits), excel_id (18, its last digits lost)
    start: int
    end: int


def _birth_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _id_prefix(text: str) -> bool:
    """An existing province code and a real birth date (1900-2099) in the first 14 digits of an
    18-digit ID number."""
    if int(text[:2]) not in PROVINCES or not 1900 <= int(text[6:10]) <= 2099:
        return False
    return _birth_date(int(text[6:10]), int(text[10:12]), int(text[12:14]))


def _check_digit(text: str) -> bool:
    total = sum(int(d) * w for d, w in zip(text[:17], _WEIGHTS))
    return _CHECK[total % 11] == text[17].upper()


def valid_id_number(text: str) -> bool:
    """True when an 18-character ID number has a valid check digit (GB 11643), a real birth date
    and an existing province code."""
    return bool(re.fullmatch(r"\d{17}[0-9Xx]", text)) and _id_prefix(text) and _check_digit(text)


def _old_id_prefix(text: str) -> bool:
    """An existing province code and a birth date in 1910-1999 in the first 12 digits of a 15-digit
    ID number."""
    if int(text[:2]) not in PROVINCES:
        return False
    year = 1900 + int(text[6:8])
    return year >= 1910 and _birth_date(year, int(text[8:10]), int(text[10:12]))


def valid_old_id_number(text: str) -> bool:
    """True when a 15-digit (pre-1999) ID number has an existing province code and a birth date
    in 1910-1999 (it has no check digit)."""
    return bool(re.fullmatch(r"\d{15}", text)) and _old_id_prefix(text)


def _mobile(digits: str) -> bool:
    return len(digits) == 11 and digits.isdigit() and digits[0] == "1" and digits[1] in "3456789"


def normalise(text: str) -> str:
    """Full-width digits, letters and separators as their ASCII forms (NFKC), and the digits of
    any other script as ASCII digits (one character for one: positions found in the result are
    positions in the text a message or a masked cell shows)."""
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii() and _OTHER_DIGIT.search(text):
        text = _OTHER_DIGIT.sub(lambda m: str(unicodedata.decimal(m.group())), text)
    return text


def _valid(digits: str, any_check_digit: bool) -> tuple[str, str, int] | None:
    """The number, its kind and the length of the prefix before it (86, 0086) when a span's
    digits (an ID's X included) are a personal number; None otherwise."""
    n = len(digits)
    if n == 11 and _mobile(digits):
        return digits, "mobile", 0
    if n == 13 and digits.startswith("86") and _mobile(digits[2:]):
        return digits[2:], "mobile", 2
    if n == 15 and digits.startswith("0086") and _mobile(digits[4:]):
        return digits[4:], "mobile", 4
    if n == 15 and digits.isdigit() and _old_id_prefix(digits):
        return digits, "old_id", 0
    if n == 18 and digits[:17].isdigit() and _id_prefix(digits):
        if _check_digit(digits) or any_check_digit:
            return digits.upper(), "id", 0
        if digits.endswith("000"):
            return digits, "excel_id", 0
    return None


#: The most groups each kind of number is written in (6-8-4 and 4-4-4-4-2 for an ID; 3-4-4 for a
#: mobile, and one more for 86 / 0086): lists of small numbers (an icon's path, 12 5 17 6 19) are
#: not read as one number.
MAX_GROUPS = {"mobile": 3, "id": 5, "excel_id": 5, "old_id": 3}


def _segments(text: str, groups: list[tuple[int, int]], x_end: int | None) -> list[list[tuple[int, int]]]:
    """The groups of a run that may make up one number together: a group of one digit ends a
    segment (nobody writes 1 3812345678; lists of small numbers, such as an icon's path, do; an X
    right after the last group counts as one of its characters), and a run that is a decimal number
    (two groups, one ASCII dot between them: 0.13812345678) keeps its integer part alone."""
    if len(groups) == 2 and text[groups[0][1]:groups[1][0]] == ".":
        groups = groups[:1]
    segments, current = [], []
    for group in groups:
        size = group[1] - group[0] + (group[1] == x_end - 1 if x_end is not None else 0)
        if size == 1:
            segments.append(current)
            current = []
        else:
            current.append(group)
    return [s for s in segments + [current] if s]


def _run_hits(text: str, start: int, end: int, any_check_digit: bool) -> list[Hit]:
    """The personal numbers in one digit run text[start:end]."""
    groups = [(m.start(), m.end()) for m in _GROUP.finditer(text, start, end)]
    x_end = end if text[end - 1] in "Xx" else None
    hits = []
    for segment in _segments(text, groups, x_end):
        x = x_end if segment[-1] == groups[-1] else None
        i = 0
        while i < len(segment):
            best = _longest_valid(text, segment, i, x, any_check_digit)
            if best is None:
                i += 1
                continue
            j, (number, kind, prefix), stop = best
            hits.append(Hit(number, kind, _digit_position(text, segment[i:j + 1], prefix), stop))
            i = j + 1
    return hits


def _longest_valid(text: str, groups: list[tuple[int, int]], i: int, x_end: int | None,
                   any_check_digit: bool) -> tuple[int, tuple[str, str, int], int] | None:
    """The longest span of groups from the i-th that is a personal number written in no more
    groups than MAX_GROUPS: (its last group, what _valid says, where it ends), or None."""
    best, digits = None, ""
    for j in range(i, len(groups)):
        digits += text[groups[j][0]:groups[j][1]]
        if len(digits) > _LONGEST:
            break
        spans = [(digits, groups[j][1])]
        if j == len(groups) - 1 and x_end is not None:
            spans.append((digits + "X", x_end))
        for candidate, stop in spans:
            found = _valid(candidate, any_check_digit)
            if found and j - i + 1 <= MAX_GROUPS[found[1]] + (found[2] > 0):
                best = (j, found, stop)
    return best


def _digit_position(text: str, groups: list[tuple[int, int]], skip: int) -> int:
    """Where the digit after the first `skip` digits of these groups is."""
    for first, last in groups:
        if skip < last - first:
            return first + skip
        skip -= last - first
    raise ValueError("fewer digits than skipped")


def _scientific_hits(text: str) -> list[Hit]:
    """Numbers in scientific notation whose leading digits are a personal number's (see the docstring)."""
    hits = []
    for m in _SCIENTIFIC.finditer(text):
        mantissa, size = m.group(1) + m.group(2), int(m.group(3)) + 1
        # the digits as Excel shows the number in a number format: 1.10101199003077E+17 is
        # 110101199003077000 (Excel and Python leave out a mantissa's trailing zeros)
        shown = mantissa[:size].ljust(size, "0")
        if size == 18 and _id_prefix(shown):
            hits.append(Hit(shown, "excel_id", m.start(), m.end()))
        elif size == 15 and _old_id_prefix(shown):
            hits.append(Hit(shown, "old_id", m.start(), m.end()))
        elif size in (11, 13) and (found := _valid(shown, False)) and found[1] == "mobile":
            hits.append(Hit(found[0], "mobile", m.start(), m.end()))
    return hits


def has_enough_digits(text: str) -> bool:
    """Whether a text has at least MIN_DIGITS digits (the regular expression stops at the
    eleventh): a text with fewer holds no personal number."""
    return next(itertools.islice(_DIGIT.finditer(text), MIN_DIGITS - 1, None), None) is not None


def personal_number_hits(text: str, *, any_check_digit: bool = False) -> tuple[str, list[Hit]]:
    """The normalised text and every personal number in it, in the order written."""
    if not has_enough_digits(text):
        return text, []
    text = normalise(text)
    hits = _scientific_hits(text)
    taken = [(h.start, h.end) for h in hits] + [m.span() for m in _HASH.finditer(text)]
    for m in _RUN.finditer(text):
        if not any(a < m.end() and m.start() < b for a, b in taken):
            hits += _run_hits(text, m.start(), m.end(), any_check_digit)
    return text, sorted(hits, key=lambda h: h.start)


def find_personal_numbers(text: str, *, any_check_digit: bool = False) -> list[str]:
    """Every ID number and mobile number in a text, as bare digits (separators removed; an ID
    number Excel cut as it shows it, 110101199003077000)."""
    return [h.number for h in personal_number_hits(text, any_check_digit=any_check_digit)[1]]


def mask(number: str) -> str:
    """A personal number with its middle hidden, as Chinese forms print them: 138****5678,
    3201**********7467. Enough to find the cell, not enough to know the person."""
    if len(number) == 11:
        return number[:3] + "*" * 4 + number[-4:]
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_text(text: str) -> str:
    """A text with every personal number in it masked (then in ASCII digits and punctuation;
    a prefix such as +86 stays as written); a text without any, as it is."""
    normalised, hits = personal_number_hits(text)
    if not hits:
        return text
    for hit in reversed(hits):
        normalised = normalised[:hit.start] + mask(hit.number) + normalised[hit.end:]
    return normalised


def hidden_digits(text: str, hit: Hit) -> list[int]:
    """Where in a normalised text are the digits of a hit that its mask hides (all but the first 3
    of a mobile number, 4 of an ID number, and the last 4): for a number split over two cells,
    each part is masked where it is written."""
    positions = [i for i in range(hit.start, hit.end) if text[i].isdigit()]
    return positions[3 if len(hit.number) == 11 else 4:len(positions) - 4]


def leak_message(path: str, hits: list[str]) -> str:
    """Why a build stopped when a file it was about to publish holds personal numbers, and what to do."""
    shown = "、".join(dict.fromkeys(mask(h) for h in hits[:3]))
    return (f"发布中止：要发布的网站文件 {path} 中有 {len(hits)} 处疑似身份证号或手机号（{shown}），网站保持上一次的版本。\n"
            "个人信息不得发布。请在 data/raw 的报送文件和 config/ 中搜索号码的末 4 位，找到出处：报送文件中的，"
            "请报送部门删去后重新报送；config/ 中的，请改写。然后重新运行 make。"
            "（如这串数字其实不是个人号码，如文号，请改变它的写法。）")
