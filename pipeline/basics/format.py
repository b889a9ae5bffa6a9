"""How numbers, shares and dates are written for readers (zh-CN), in one place."""

from __future__ import annotations

import datetime as dt


def missing(value: object) -> bool:
    """None, NaN, NaT or pd.NA: a value that is not there."""
    if value is None:
        return True
    try:
        return bool(value != value) or str(value) in ("<NA>", "NaT")
    except (TypeError, ValueError):
        return str(value) in ("<NA>", "NaT")


def number(value: float | None, decimals: int = 0) -> str:
    """1930 -> 1,930; None -> —."""
    if missing(value):
        return "—"
    return f"{value:,.{decimals}f}"


def figure(value: object) -> str:
    """A table cell: 1930.0 -> 1,930; 11.8723 -> 11.87; text stays text; missing -> —."""
    if missing(value):
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return number(value, 0 if float(value).is_integer() else 2)


def value_with_unit(value: float | None, unit: str) -> str:
    """A count with its unit (1,930名, 2,890人次) or a share (11.87%, 2.41‰)."""
    if missing(value):
        return "—"
    if unit in ("%", "‰"):
        # a share to two decimals (11.87%); a whole target share as written in the plan (15%, 2‰)
        return f"{value:.0f}{unit}" if float(value).is_integer() else f"{value:.2f}{unit}"
    decimals = 0 if float(value).is_integer() else 1
    return f"{number(value, decimals)}{unit}"


def percent(fraction: float | None, decimals: int = 1) -> str:
    """0.72 -> 72.0%."""
    if missing(fraction):
        return "—"
    return f"{fraction * 100:.{decimals}f}%"


def date_zh(day: dt.date | None) -> str:
    """2022-12-31 -> 2022年12月31日."""
    if missing(day):
        return "—"
    return f"{day.year}年{day.month}月{day.day}日"


def as_of_phrase(day: dt.date | None) -> str:
    """2022-12-31 -> 2022年第四季度; a day that is not the end of a quarter -> 2022年9月15日."""
    from pipeline.basics.periods import Period

    if missing(day):
        return "—"
    period = Period.of_date(day)
    return period.label_zh if period.end == day else date_zh(day)


_DIGITS_ZH = "零一二三四五六七八九"


def count_zh(n: int) -> str:
    """A small count in Chinese numerals, as in 八项重点工程: 8 -> 八, 12 -> 十二, 30 -> 三十."""
    if not 0 <= n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS_ZH[ones]
    return (_DIGITS_ZH[tens] if tens > 1 else "") + "十" + (_DIGITS_ZH[ones] if ones else "")
