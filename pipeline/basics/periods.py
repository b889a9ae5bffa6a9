"""Reporting periods: what span of months a file, a title or a cell says its figures cover.

A period is a run of whole months within one calendar year: a year, a half-year, a quarter, a
month, or any run of months (1-9月, 前三季度, a year-to-date running total). Every wording is read
completely or refused: a text that says more about its period than the reader understands (a
half-year after the year, 旬, a quarter followed by 累计) is a PeriodError, never read as the year
alone. The file contract (data/raw/README.md) lists every accepted form.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

_ZH_NUMBERS = "一二三四五六七八九十"


@functools.total_ordering
@dataclass(frozen=True)
class Period:
    """Months first_month..last_month of a year; ordered by when it ends, then by when it starts."""

    year: int
    first_month: int = 1
    last_month: int = 12

    def __post_init__(self) -> None:
        if not 1 <= self.first_month <= self.last_month <= 12:
            raise ValueError(f"not a run of months: {self.first_month}-{self.last_month}")

    # -- constructors ------------------------------------------------------------------------

    @classmethod
    def whole_year(cls, year: int) -> "Period":
        return cls(year, 1, 12)

    @classmethod
    def quarter_of(cls, year: int, quarter: int) -> "Period":
        return cls(year, 3 * quarter - 2, 3 * quarter)

    @classmethod
    def of_date(cls, day: dt.date) -> "Period":
        """The quarter a day falls in."""
        return cls.quarter_of(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def from_label(cls, label: str) -> "Period":
        """The inverse of `label`: 2021, 2021Q1, 2023H1, 2023M03, 2023M01-M09."""
        m = re.fullmatch(r"(\d{4})(?:Q([1-4])|H([12])|M(\d{2})(?:-M(\d{2}))?)?", str(label))
        if not m:
            raise ValueError(f"not a period label: {label!r}")
        year = int(m.group(1))
        if m.group(2):
            return cls.quarter_of(year, int(m.group(2)))
        if m.group(3):
            return cls(year, 1, 6) if m.group(3) == "1" else cls(year, 7, 12)
        if m.group(4):
            return cls(year, int(m.group(4)), int(m.group(5) or m.group(4)))
        return cls.whole_year(year)

    # -- what it is -------------------------------------------------------------------------

    def __lt__(self, other: "Period") -> bool:
        return (self.end, self.start) < (other.end, other.start)

    @property
    def months(self) -> int:
        return self.last_month - self.first_month + 1

    @property
    def is_year(self) -> bool:
        return self.months == 12

    @property
    def quarter(self) -> int | None:
        """1-4 when the period is exactly a quarter, else None."""
        if self.months == 3 and self.first_month % 3 == 1:
            return (self.first_month + 2) // 3
        return None

    @property
    def half(self) -> int | None:
        if self.months == 6 and self.first_month in (1, 7):
            return 1 if self.first_month == 1 else 2
        return None

    @property
    def label(self) -> str:
        """Machine label: 2021, 2021Q1, 2023H1, 2023M03 or 2023M01-M09."""
        if self.is_year:
            return f"{self.year}"
        if self.quarter:
            return f"{self.year}Q{self.quarter}"
        if self.half:
            return f"{self.year}H{self.half}"
        if self.months == 1:
            return f"{self.year}M{self.first_month:02d}"
        return f"{self.year}M{self.first_month:02d}-M{self.last_month:02d}"

    @property
    def label_zh(self) -> str:
        """Reader's label: 2021年, 2021年第一季度, 2023年上半年, 2023年3月 or 2023年1-9月."""
        if self.is_year:
            return f"{self.year}年"
        if self.quarter:
            return f"{self.year}年第{_ZH_NUMBERS[self.quarter - 1]}季度"
        if self.half:
            return f"{self.year}年{'上' if self.half == 1 else '下'}半年"
        if self.months == 1:
            return f"{self.year}年{self.first_month}月"
        return f"{self.year}年{self.first_month}-{self.last_month}月"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1])

    def contains(self, other: "Period") -> bool:
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: "Period") -> bool:
        return self.start <= other.end and other.start <= self.end

    def month_numbers(self) -> range:
        return range(self.first_month, self.last_month + 1)


def month_number(day: dt.date) -> int:
    """A month as one number (months since year 0), so runs of months are runs of numbers."""
    return day.year * 12 + day.month - 1


def period_of_months(first: int, last: int) -> Period:
    """The period of months first..last (month numbers within one year)."""
    return Period(first // 12, first % 12 + 1, last % 12 + 1)


def periods_of_months(months: set[int], part: int) -> list[Period]:
    """Months as the periods a reader names, each a whole year or within one part of its year
    (part: 3 for quarters, 12 for years): the missing months of a quarterly form as 2022年,
    2023年第三季度, 2023年7-8月."""
    out: list[Period] = []
    years = {m // 12 for m in months if all(y * 12 + k in months for y in [m // 12] for k in range(12))}
    for month in sorted(months):
        if month // 12 in years:
            if not out or out[-1] != Period.whole_year(month // 12):
                out.append(Period.whole_year(month // 12))
            continue
        last = out[-1] if out else None
        if (last is not None and month_number(last.end) + 1 == month
                and month // part == month_number(last.start) // part):
            out[-1] = period_of_months(month_number(last.start), month)
        else:
            out.append(period_of_months(month, month))
    return out


def periods_zh(periods: list[Period]) -> str:
    """Periods in words, the year said once: 2023年第三季度、第四季度; 2021年、2023年."""
    words, year = [], None
    for period in periods:
        label = period.label_zh
        if period.year == year and not period.is_year:
            label = label.removeprefix(f"{year}年")
        words.append(label)
        year = period.year
    return "、".join(words)


class PeriodError(ValueError):
    """A text that says something about its period which is not fully understood (or is not one
    run of months within one year). The message says what was found, in Chinese."""


@dataclass(frozen=True)
class Statement:
    """What one text says about a period: its year and its months, either possibly unsaid
    (a title "第一季度统计表" says the months, not the year; "2023年" says the whole year)."""

    year: int | None
    months: tuple[int, int] | None  # (first, last)

    def period(self) -> Period | None:
        """The period, when the text names its year."""
        if self.year is None:
            return None
        return Period(self.year, *(self.months or (1, 12)))


# ---------------------------------------------------------------------------------------------
# Reading a wording

_DASH = r"\s*(?:-|~|～|至|到|—|–|－)\s*"
_DASH_DATES = r"\s*(?:~|～|至|到|—|–|－|-{1,2})\s*"
_NUM = r"(\d{1,2}|[一二三四五六七八九十]|十[一二])"
_QNUM = r"([一二三四1-4])"
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)\s*(?:年\s*度?)?")
# Whole dates are dates, not periods (填报日期：2023年1月10日); after 截至 they end a running total.
_UP_TO = r"(?:截至|截止到|截止)"
_FULL_DATE = re.compile(r"(?P<upto>" + _UP_TO + r"\s*)?"
                        r"(?P<y>(?:19|20)\d{2})\s*(?:年\s*(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})(?!\d)\s*日?"
                        r"|(?P<sep>[-./])(?P<m2>\d{1,2})(?P=sep)(?P<d2>\d{1,2})(?!\d|\s*月))")
# From the first of a month to the last day of a month: 2023年1月1日至3月31日, 2023-01-01至2023-03-31.
_DAY = r"(?:(?P<{y}>(?:19|20)\d{{2}})\s*(?:年|[-./]))?\s*(?P<{m}>\d{{1,2}})\s*(?:月|[-./])\s*(?P<{d}>\d{{1,2}})\s*日?"
_DATE_RANGE = re.compile(_DAY.format(y="y1", m="m1", d="d1") + _DASH_DATES + _DAY.format(y="y2", m="m2", d="d2"))
_COMPACT_DATE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)")


def _n(text: str) -> int:
    """1-12 written in digits or Chinese numerals."""
    if text.isdigit():
        return int(text)
    if text.startswith("十"):
        return 10 + (_ZH_NUMBERS.index(text[1]) + 1 if len(text) > 1 else 0)
    return _ZH_NUMBERS.index(text) + 1


def _months_of_date_range(m: re.Match) -> str:
    """A range of whole months written as two dates, as a month range (2023年1-3月)."""
    year = m.group("y1") or m.group("y2")
    if not year or (m.group("y2") and m.group("y1") and m.group("y1") != m.group("y2")):
        raise PeriodError(f"“{m.group(0).strip()}”：起止日期须写明年份，且在同一年度之内")
    first, last, day1, day2 = (int(m.group(k)) for k in ("m1", "m2", "d1", "d2"))
    if day1 != 1 or not _month_end(last, day2) or not 1 <= first <= last <= 12:
        raise PeriodError(f"“{m.group(0).strip()}”不是整月：报送期须从某月1日到某月最后一天")
    return f"{year}年{first}-{last}月"


def _month_end(month: int, day: int) -> bool:
    """Whether a day is the last of its month in some year (29 February included)."""
    return 1 <= month <= 12 and day == calendar.monthrange(2000, month)[1] or (month == 2 and day == 28)


def _up_to_day(m: re.Match) -> tuple[int, int]:
    month, day = _n(m.group(1)), int(m.group(2))
    if not _month_end(month, day):
        raise PeriodError(f"“{m.group(0).strip()}”不是月末：报送期须是整月")
    return 1, month


_COUNT = {"一": 1, "二": 2, "两": 2, "三": 3, "2": 2, "3": 3}
_CUMULATIVE = r"\s*(?:累计|合计)?"
#: The wordings of months, longest first: pattern -> (first month, last month).
_QUALIFIERS: list[tuple[re.Pattern, object]] = [
    (re.compile(_UP_TO + r"\s*" + _NUM + r"\s*月\s*(\d{1,2})\s*日" + _CUMULATIVE), _up_to_day),
    (re.compile(_UP_TO + r"\s*" + _NUM + r"\s*月\s*(?:底|末|份)?\s*止?" + _CUMULATIVE), lambda m: (1, _n(m.group(1)))),
    (re.compile(_NUM + r"\s*月?" + _DASH + _NUM + r"\s*月\s*份?" + _CUMULATIVE), lambda m: (_n(m.group(1)), _n(m.group(2)))),
    (re.compile(r"前\s*([一二三两23])\s*个?\s*季\s*度?" + _CUMULATIVE), lambda m: (1, 3 * _COUNT[m.group(1)])),
    (re.compile(r"第?\s*" + _QNUM + _DASH + r"第?\s*" + _QNUM + r"\s*季\s*度?" + _CUMULATIVE),
     lambda m: (3 * _n(m.group(1)) - 2, 3 * _n(m.group(2)))),
    (re.compile(r"第?\s*" + _QNUM + r"\s*季\s*度?"), lambda m: (3 * _n(m.group(1)) - 2, 3 * _n(m.group(1)))),
    (re.compile(r"(?<![A-Za-z])[Qq]\s*([1-4])(?![0-9])"), lambda m: (3 * int(m.group(1)) - 2, 3 * int(m.group(1)))),
    (re.compile(r"(上|下)\s*半\s*年\s*度?"), lambda m: (1, 6) if m.group(1) == "上" else (7, 12)),
    (re.compile(r"(?<![A-Za-z])[Hh]\s*([12])(?![0-9])"), lambda m: (1, 6) if m.group(1) == "1" else (7, 12)),
    (re.compile(_NUM + r"\s*月\s*份?(?!\s*\d)"), lambda m: (_n(m.group(1)),) * 2),
    # the site's own labels (2023M03, 2023M01-M09), as found in its downloads
    (re.compile(r"(?<![A-Za-z])M(\d{2})(?:-M(\d{2}))?(?![0-9])"), lambda m: (int(m.group(1)), int(m.group(2) or m.group(1)))),
    (re.compile(r"全\s*年\s*度?" + _CUMULATIVE), lambda m: (1, 12)),
]
# Words that say something about a period: any of them left over once the wordings are read
# means the text says more than was understood.
_PERIOD_WORDS = re.compile(r"季|半年|月|旬|周|累计|截至|截止|全年|前[一二三两]|(?<![A-Za-z])[QqHhM]\s*\d|\d+\s*年")
# Words naming a kind of report: allowed where they fit the months read (季报 with a quarter…).
_REPORT_WORDS = {"半年报": 6, "月报": 1, "季报": 3, "年报": 12}
_REPORT = re.compile("|".join(_REPORT_WORDS))
_READ = "\x00"  # marks characters already read


def read_statement(text: object) -> Statement:
    """What a text (a file name, a title, a cell) says about its period; PeriodError if it says
    something that is not fully understood, or two different things.

    Accepted: a year (2023, 2023年, 2023年度, a bare 2021 cell) with, anywhere in the text, one of
    全年; 第一季度 / 一季度 / 1季度 / Q1; 上半年 / 下半年 / H1 / H2; 3月 / 3月份; 1-9月 / 1月-9月 /
    1至9月 / 7—9月; 截至9月底 / 截至9月末 / 截至9月 / 截至2023年9月30日 (from January); 前三季度;
    1-3季度 / 第二至第三季度; each range optionally followed by 累计 or 合计; and the report
    words 月报 / 季报 / 半年报 / 年报 where they fit the months. Whole days (填报日期：2023年1月10日,
    2023-01-10, 20230110) are dates, not periods, and are passed over.
    """
    if text is None or (isinstance(text, float) and text != text):
        return Statement(None, None)
    s = original = _normalise(text)
    if re.fullmatch(r"(?:19|20)\d{2}(?:\.0+)?", s):
        return Statement(int(float(s)), (1, 12))

    def date_or_end(m: re.Match) -> str:
        if not m.group("upto"):
            return _READ * len(m.group(0))
        month, day = int(m.group("m1") or m.group("m2")), int(m.group("d1") or m.group("d2"))
        if not _month_end(month, day):
            raise PeriodError(f"“{m.group(0).strip()}”不是月末：报送期须是整月")
        return f"{m.group('y')}年截至{month}月"

    s = _DATE_RANGE.sub(_months_of_date_range, s)
    s = _FULL_DATE.sub(date_or_end, s)
    s = _COMPACT_DATE.sub(lambda m: _READ * len(m.group(0)), s)

    years = sorted({int(m.group(1)) for m in _YEAR.finditer(s)})
    if len(years) > 1:
        raise PeriodError(f"写了 {len(years)} 个年份（{'、'.join(map(str, years))}）：一个报送期只能在一个年度之内")
    s = _YEAR.sub(lambda m: _READ * len(m.group(0)), s)
    spans: dict[tuple[int, int], str] = {}
    for pattern, months_of in _QUALIFIERS:
        def take(m: re.Match, months_of=months_of) -> str:
            first, last = months_of(m)
            if not 1 <= first <= last <= 12:
                raise PeriodError(f"“{m.group(0).strip()}”不是一个年度之内的月份范围")
            spans.setdefault((first, last), m.group(0).strip())
            return _READ * len(m.group(0))
        s = pattern.sub(take, s)
    if len(spans) > 1:
        raise PeriodError(f"同一处写了不同的报送期：{'、'.join(spans.values())}")
    months = next(iter(spans)) if spans else ((1, 12) if years else None)
    for report in _REPORT.findall(s):
        if months is not None and months[1] - months[0] + 1 != _REPORT_WORDS[report]:
            raise PeriodError(f"“{report}”与所写的报送期（{next(iter(spans.values()), '全年')}）不符")
    s = _REPORT.sub(_READ, s)
    left = _PERIOD_WORDS.search(s)
    if left:
        raise PeriodError(f"“{original}”中的“{left.group(0)}”没有读懂")
    return Statement(years[0] if years else None, months)


def _normalise(text: object) -> str:
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    return unicodedata.normalize("NFKC", str(text)).strip()
