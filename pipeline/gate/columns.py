"""What each header cell of a department's file names (pure): one of its source's columns, written
as configured or with a unit in brackets and words of its period around it; or a column that
resembles one of the source's but cannot be placed; or nothing the source should have.

  农村财务人员培训（人次）  -> 农村财务人员 (a column of config/sources.yml, its unit 人次 written)
  1-9月累计新增            -> 本季新增 (the same figure: new in the file's months, 1-9月)
  9月末累计持证人数         -> 季末累计持证人数 (the level at the end of the file's period)
  统计期                   -> 季度 (a name of the period column, config/sources.yml defaults)

A header is read as its core, the words left once a year, period words at its start (本季, 季末,
1-9月累计, 9月末, 截至9月底, 第三季度, 上半年, 前三季度, 全年) and a unit or period in brackets
are taken off (a leading 累计 is part of the period words: 1-9月累计新增 and 本季新增 are both 新增).
A header whose core is the core of exactly one of the source's columns (or of the indicator a
value column counts) is that column; what its unit and period words say is checked by the
cleaner (the unit against the indicator's, the months against the file's period). A header that
is not placed but resembles a column the source reads (one core contains the other, or they are
alike by more than RESEMBLANCE) stops the build; any other is an unexpected column (a warning).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from pipeline.basics.parse import tidy_name
from pipeline.config import Config, Source

#: How alike two cores must be (difflib ratio) for a header to resemble a column it is not.
RESEMBLANCE = 0.6
#: Roles of columns that are read (a header resembling one of these cannot be passed over).
READ_ROLES = ("breakdown", "category", "include", "event_date", "department", "period", "submitted", "value",
              "optional_value", "person_key")

_NUM = r"(\d{1,2}|十[一二]|[一二三四五六七八九十])"
_ZH = "一二三四五六七八九十"
_DASH = r"(?:-|~|至|到|—|–)"
_YEAR = re.compile(r"^(?:19|20)\d{2}年度?")
_BRACKET = re.compile(r"\(([^()]*)\)")
_QUARTERS = {"一": 1, "二": 2, "两": 2, "三": 3, "2": 2, "3": 3}


def _n(text: str) -> int:
    if text.isdigit():
        return int(text)
    return 10 + (_ZH.index(text[1]) + 1 if len(text) > 1 else 0) if text.startswith("十") else _ZH.index(text) + 1


@dataclass(frozen=True)
class When:
    """What period words say: `first`..`last` months (first None: only its end, as in 9月末),
    or, with neither, the file's own period (本季, 季末)."""

    first: int | None = None
    last: int | None = None

    def fits(self, first_month: int, last_month: int) -> bool:
        """Whether the words fit a file of months first_month..last_month."""
        if self.last is None:
            return True
        return self.last == last_month and (self.first is None or self.first == first_month)

    @property
    def words(self) -> str:
        if self.last is None:
            return "本期"
        return f"{self.last}月末" if self.first is None else f"{self.first}-{self.last}月"


#: Period words at the start of a header: pattern -> what they say.
_WHEN: list[tuple[re.Pattern, object]] = [
    (re.compile(rf"^(?:截至|截止)?{_NUM}月?{_DASH}{_NUM}月份?"), lambda m: When(_n(m[1]), _n(m[2]))),
    (re.compile(rf"^(?:截至|截止){_NUM}月(?:底|末)?"), lambda m: When(1, _n(m[1]))),
    (re.compile(rf"^{_NUM}月(?:底|末)"), lambda m: When(None, _n(m[1]))),
    (re.compile(r"^第?([一二三四1-4])季度(末|底)?"),
     lambda m: When(None if m[2] else 3 * _n(m[1]) - 2, 3 * _n(m[1]))),
    (re.compile(r"^[Qq]([1-4])"), lambda m: When(3 * int(m[1]) - 2, 3 * int(m[1]))),
    (re.compile(r"^前([一二三两23])个?季度?"), lambda m: When(1, 3 * _QUARTERS[m[1]])),
    (re.compile(r"^(上|下)半年度?(末|底)?"), lambda m: When(None if m[2] else (1 if m[1] == "上" else 7),
                                                       6 if m[1] == "上" else 12)),
    (re.compile(r"^全年"), lambda m: When(1, 12)),
    (re.compile(r"^(?:本|当)(?:季度|季|期|年度|年|月份|月)"), lambda m: When()),
    (re.compile(r"^(?:季|期|年|月)(?:末|底)"), lambda m: When()),
]


@dataclass(frozen=True)
class Written:
    """A header as written: its core, and the unit and period words around it."""

    core: str
    unit: str | None = None
    when: When | None = None


def unit_words(config: Config) -> dict[str, str]:
    """How files write each unit: written word -> the indicators' unit (人 -> 名)."""
    return {word: unit for unit, words in config.defaults.unit_words.items() for word in words}


def read_header(text: object, units: dict[str, str]) -> Written:
    """A header's core, unit and period words (see the module docstring)."""
    rest, unit, when = tidy_name(text), None, None
    for m in list(_BRACKET.finditer(rest)):
        inside = m[1].removeprefix("单位:").removeprefix("单位")
        said = _leading_when(inside)
        if inside in units:
            unit = inside
        elif said is not None and not said[1]:
            when = said[0]
        else:
            continue
        rest = rest.replace(m[0], "", 1)
    rest = _YEAR.sub("", rest)
    said = _leading_when(rest)
    if said is not None and said[1]:
        when, rest = said
    return Written(core=rest.removeprefix("累计"), unit=unit, when=when)


def _leading_when(text: str) -> tuple[When, str] | None:
    for pattern, meaning in _WHEN:
        m = pattern.match(text)
        if m:
            return meaning(m), text[m.end():]
    return None


@dataclass(frozen=True)
class Header:
    """How one header cell was read."""

    written: str  # as written (tidied)
    column: str | None  # the source's column it is (its name in sources.yml), or None
    unit: str | None = None  # a unit written in brackets
    when: When | None = None  # what its period words say
    resembles: tuple[str, ...] = ()  # columns it resembles, when not placed (or when it could be several)

    @property
    def renamed(self) -> bool:
        return self.column is not None and tidy_name(self.column) != self.written


def _cores(source: Source, config: Config, units: dict[str, str]) -> dict[str, set[str]]:
    """Each column of the source -> the cores that name it (its own; a value column's indicator's
    name; the period column's other names)."""
    cores: dict[str, set[str]] = {}
    for column, role in source.column_roles():
        names = {read_header(column, units).core}
        if role in ("value", "optional_value"):
            names.add(read_header(config.indicators[source.values[column].indicator].name, units).core)
        if role == "period":
            names |= {tidy_name(n) for n in config.defaults.period_column_names}
        cores.setdefault(column, set()).update(names)
    return cores


def place_headers(names: list[str], source: Source, config: Config) -> list[Header]:
    """Each header name (tidied; "" when unnamed) read against the source's columns."""
    units = unit_words(config)
    roles = dict(source.column_roles())
    exact = {tidy_name(c): c for c in roles}
    cores = _cores(source, config, units)
    out = []
    for name in names:
        if not name or name in exact:
            out.append(Header(written=name, column=exact.get(name)))
            continue
        written = read_header(name, units)
        placed = [c for c, named in cores.items() if written.core in named and tidy_name(c) not in names]
        if len(placed) == 1:
            out.append(Header(name, placed[0], written.unit, written.when))
            continue
        alike = placed or [c for c, named in cores.items() if roles[c] in READ_ROLES
                           and any(_alike(written.core, core) for core in named)]
        out.append(Header(name, None, written.unit, written.when, tuple(alike)))
    return out


def _alike(a: str, b: str) -> bool:
    if len(a) >= 2 and len(b) >= 2 and (a in b or b in a):
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() > RESEMBLANCE
