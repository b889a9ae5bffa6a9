"""Finding personal data in text: Chinese resident ID numbers (with a valid check digit) and mobile
numbers. Used as a last guard on everything the build writes, and by the site's tests."""

from __future__ import annotations

import re

_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[0-9Xx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z.])(1[3-9]\d{9})(?![0-9A-Za-z])")
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def valid_id_number(text: str) -> bool:
    """True when an 18-character ID number has the right check digit (GB 11643)."""
    if not re.fullmatch(r"\d{17}[0-9Xx]", text):
        return False
    total = sum(int(d) * w for d, w in zip(text[:17], _WEIGHTS))
    return _CHECK[total % 11] == text[17].upper()


def find_personal_numbers(text: str) -> list[str]:
    """ID numbers with a valid check digit and mobile numbers found in a text."""
    found = [m for m in _ID.findall(text) if valid_id_number(m)]
    found += _MOBILE.findall(text)
    return found
