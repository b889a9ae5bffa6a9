"""The configuration's shapes (pydantic models, frozen): each file's keys, types and the checks
that need no other file. pipeline/config/__init__.py loads the files and checks them together."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.basics.format import count_zh


class ConfigModel(BaseModel):
    """Every configuration shape: an unknown key is an error, and a loaded value never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------------------------------------
# plan.yml


class PlanInfo(ConfigModel):
    title: str
    short_title: str
    start: dt.date
    end: dt.date
    period_note: str
    office_short: str = Field(min_length=1)  # how the site names the office that runs the plan (its status form, file names)
    leading_group: str = Field(min_length=1)  # the body that leads the plan, as the plan names it in full
    leading_group_short: str = Field(min_length=1)  # how the site names it in a sentence (…例会)
    text_preamble_lines: int = Field(ge=0)  # non-empty lines before the plan's title in data/plan's text

    @model_validator(mode="after")
    def _ordered(self) -> "PlanInfo":
        if self.end <= self.start:
            raise ValueError("end 必须晚于 start")
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    @property
    def months(self) -> int:
        """The plan's length in months (from the first day of its first month to its end)."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def example_years(self) -> tuple[int, int, int]:
        """Years for the examples in staff messages and column notes: the first, the last but one
        (the first of a one-year plan) and the last year of the plan."""
        return self.years[0], (self.years[-2] if len(self.years) > 1 else self.years[0]), self.years[-1]

    @property
    def span_zh(self) -> str:
        """The plan's span in words, as its text says it: N年 in Chinese numerals (whole years), else 30个月."""
        return f"{count_zh(self.months // 12)}年" if self.months % 12 == 0 else f"{self.months}个月"


#: A programme's or a target's id: lower-case ascii words joined by hyphens (talent-1, gaoceng), used
#: in addresses; a target's id starts with its programme's (checked when plan.yml is loaded).
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class Programme(ConfigModel):
    id: str = Field(pattern=ID_PATTERN)
    number: int
    name: str
    department: str
    sentence: str


#: How a per-N ratio is said: 10000 -> 每万 (每万人口…: per 10,000 residents).
PER_WORDS = {100: "每百", 1000: "每千", 10000: "每万", 100000: "每十万"}


class Per(ConfigModel):
    """The denominator of a ratio target: another indicator (possibly of another department's
    form), summed over its breakdown values (all of them, or those listed), and the scale (10000:
    per 10,000)."""

    indicator: str
    breakdown: tuple[str, ...] | None = None
    scale: Literal[100, 1000, 10000, 100000] = 10000

    @property
    def words(self) -> str:
        return PER_WORDS[self.scale]


class Measure(ConfigModel):
    indicator: str
    breakdown: tuple[str, ...] | None = None
    share_of: bool = False
    per: Per | None = None  # ratio targets: the denominator


TargetKind = Literal["annual", "cumulative", "end_state", "level", "ratio"]
#: Targets judged by a level at the plan's end (a share, a stock, a ratio), not by a running total:
#: their result is the latest level, their pace the gap closed since the first report.
LEVEL_KINDS = ("end_state", "level", "ratio")


class Target(ConfigModel):
    id: str = Field(pattern=ID_PATTERN)
    programme: str
    name: str
    unit: Literal["名", "人次", "个", "%", "‰"]
    value: int | float = Field(gt=0)  # a whole number stays whole (printed and published as 750, never 750.0)
    kind: TargetKind
    comparison: Literal["at_least", "at_most"] = "at_least"
    measure: Measure
    sentence: str

    @field_validator("value", mode="after")
    @classmethod
    def _whole_if_whole(cls, v: int | float) -> int | float:
        return int(v) if float(v).is_integer() else v

    @model_validator(mode="after")
    def _kind_fits(self) -> "Target":
        share = self.unit in ("%", "‰")
        if self.kind == "end_state" and not (share and self.measure.share_of):
            raise ValueError("end_state 目标的 unit 须为 % 或 ‰，measure 须有 share_of: true")
        if self.kind != "end_state" and (share or self.measure.share_of):
            raise ValueError("只有 end_state 目标可以是比例（% 或 ‰，share_of）；每万人的比率用 kind: ratio")
        if (self.kind == "ratio") != (self.measure.per is not None):
            raise ValueError("kind: ratio 的 measure 须写明 per（分母指标，如 {indicator: population, scale: 10000}）；"
                             "其他目标不写 per")
        if not self.is_level and self.comparison != "at_least":
            raise ValueError("comparison 只用于 end_state、level、ratio 目标")
        return self

    @property
    def is_level(self) -> bool:
        """Judged by a level at the plan's end (LEVEL_KINDS), not by a running total."""
        return self.kind in LEVEL_KINDS

    @property
    def level_word(self) -> str:
        """What a level target's figure is called (chart axes, table headers): 占比, 总量, 比率（每万）."""
        if self.measure.per is not None:
            return f"比率（{self.measure.per.words}）"
        return {"end_state": "占比", "level": "总量"}.get(self.kind, "完成数")

    @property
    def indicators(self) -> tuple[str, ...]:
        """The indicators the target is computed from: its own, and a ratio's denominator."""
        per = self.measure.per
        return (self.measure.indicator,) if per is None else (self.measure.indicator, per.indicator)

    @property
    def comparison_zh(self) -> str:
        """不低于 or 不高于 (share targets), as the plan's "以上" reads."""
        return "不低于" if self.comparison == "at_least" else "不高于"

    @property
    def comparison_sign(self) -> str:
        return "≥" if self.comparison == "at_least" else "≤"

    @property
    def share_scale(self) -> float:
        """Multiplier from a fraction to this target's unit (100 for %, 1000 for ‰)."""
        return {"%": 100.0, "‰": 1000.0}.get(self.unit, 1.0)


class Reading(ConfigModel):
    """How an ambiguous part of the plan's text is read (shown on the methodology page)."""

    subject: str
    reading: str


class SiteIdentity(ConfigModel):
    """The plan's site: its name and description (the website's own settings, its address, licence
    and registration numbers, stay in mkdocs.yml), and whether its figures are sample data."""

    site_name: str = Field(min_length=1)  # the site's name: every page's title, citations, images
    site_description: str = Field(min_length=1)  # the pages' description (search engines, link previews)
    sample_data: bool  # true: a banner on every page says the figures are not official


class PlanFile(ConfigModel):
    plan: PlanInfo
    site: SiteIdentity
    programmes: tuple[Programme, ...]
    targets: tuple[Target, ...]
    readings: tuple[Reading, ...] = ()


# ---------------------------------------------------------------------------------------------
# indicators.yml


class Indicator(ConfigModel):
    name: str
    unit: Literal["名", "人次", "个"]
    measure_type: Literal["flow", "stock"]
    breakdown: str
    plausible_max: int = Field(gt=0)
    accumulates: str | None = None


class IndicatorsFile(ConfigModel):
    indicators: dict[str, Indicator]


# ---------------------------------------------------------------------------------------------
# vocabulary.yml


class Vocabulary(ConfigModel):
    names: dict[str, tuple[str, ...]]
    kind: Literal["name", "category"] = "name"  # names of places and units, or categories of people
    open: bool = False
    complete_with_endings: tuple[str, ...] = ()

    @field_validator("names", mode="before")
    @classmethod
    def _none_is_empty(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: (() if a is None else a) for k, a in v.items()}
        return v

    @cached_property
    def lookup(self) -> dict[str, str]:
        """Every accepted spelling (tidied) -> canonical name."""
        from pipeline.basics.parse import tidy_name

        table: dict[str, str] = {}
        for name, aliases in self.names.items():
            table[tidy_name(name)] = name
            for alias in aliases:
                table[tidy_name(alias)] = name
        return table


# ---------------------------------------------------------------------------------------------
# sources.yml


class Place(ConfigModel):
    """Where a period or a date is written: filename, title, workbook, column:X or label:X."""

    kind: Literal["filename", "title", "workbook", "column", "label"]
    arg: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, v: Any) -> Any:
        if isinstance(v, str):
            kind, _, arg = v.partition(":")
            return {"kind": kind.strip(), "arg": arg.strip() or None}
        return v

    @model_validator(mode="after")
    def _arg_fits(self) -> "Place":
        if (self.kind in ("column", "label")) != bool(self.arg):
            raise ValueError("column 和 label 须写成 column:列名 或 label:文字；其余不带冒号")
        return self

    def __str__(self) -> str:
        return self.kind if self.arg is None else f"{self.kind}:{self.arg}"


class Header(ConfigModel):
    contains: str
    rows: int = Field(default=1, ge=1, le=3)


class ValueColumn(ConfigModel):
    indicator: str
    required: bool = True


class Include(ConfigModel):
    column: str
    vocabulary: str
    values: tuple[str, ...]


class IndicatorBy(ConfigModel):
    """Records whose indicator depends on a column: category (canonical name) -> indicator id."""

    column: str
    vocabulary: str
    indicators: dict[str, str]


class Defaults(ConfigModel):
    max_file_mb: float = Field(gt=0)
    max_unpacked_mb: float = Field(gt=0)
    max_compression_ratio: float = Field(gt=1)
    max_sheets: int = Field(gt=0)
    max_parts: int = Field(gt=0)
    max_cells: int = Field(gt=0)
    max_columns: int = Field(gt=0)
    max_csv_cells: int = Field(gt=0)
    total_labels: tuple[str, ...]
    note_prefixes: tuple[str, ...]
    zero_marks: tuple[str, ...]
    unit_suffixes: tuple[str, ...]
    correction_markers: tuple[str, ...]
    instruction_sheets: tuple[str, ...]
    unit_words: dict[Literal["名", "人次", "个"], tuple[str, ...]]  # how a header writes each unit: 名 as 人
    period_column_names: tuple[str, ...]  # other names of a period column (统计期 for 季度)
    set_aside_folder: str = Field(min_length=1)  # in a department's folder: files received, deliberately not used
    status_form_folder: str = Field(min_length=1)  # in data/raw: the quarterly status forms of the plan's measures


class Source(ConfigModel):
    name: str
    department: str
    folder: str
    files: str
    frequency: Literal["quarterly", "yearly"]
    due_days: int = Field(ge=0, le=366)
    coverage_ends: str | None = Field(default=None, pattern=r"^\d{2}-\d{2}$")
    layout: Literal["table", "records"]
    sheet: str | None = None
    header: Header
    period: tuple[Place, ...] = Field(min_length=1)
    submitted: tuple[Place, ...] = ()
    department_column: str | None = None
    breakdown: str
    blank: Literal["zero", "error"] = "error"
    values: dict[str, ValueColumn] = {}
    indicator: str | None = None
    indicator_by: IndicatorBy | None = None
    event_date: str | None = None
    include: Include | None = None
    personal_columns: tuple[str, ...] = ()
    person_key: tuple[str, ...] = ()
    person_unique: Literal["file", "plan"] = "plan"
    ignore_columns: tuple[str, ...] = ()

    @field_validator("values", mode="before")
    @classmethod
    def _short_values(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: ({"indicator": x} if isinstance(x, str) else x) for k, x in v.items()}
        return v

    @model_validator(mode="after")
    def _layout_fits(self) -> "Source":
        if self.layout == "table":
            if not self.values:
                raise ValueError("layout: table 须列出 values（列名: 指标）")
            if self.indicator or self.indicator_by or self.event_date or self.include:
                raise ValueError("indicator、indicator_by、event_date、include 只用于 layout: records")
        else:
            if bool(self.indicator) == bool(self.indicator_by):
                raise ValueError("layout: records 须写明 indicator（所有记录计入同一指标）或 indicator_by（按某列分指标），二者选一")
            if self.values:
                raise ValueError("values 只用于 layout: table")
        if any(p.kind == "workbook" for p in self.period):
            raise ValueError("period 不能取自 workbook（那是文件的创建日期）")
        if self.person_key and self.layout != "records":
            raise ValueError("person_key 只用于 layout: records")
        return self

    def column_roles(self) -> list[tuple[str, str]]:
        """Every column this layout names, with its role, in the order a form shows them: what is
        not counted and the person first, then the row's group, category and date, then the counts.
        The one list of a source's columns: what is read, what is required, what a template has.
        A column may have two roles (an ID number is personal and identifies the person)."""
        roles = [(c, "ignored") for c in self.ignore_columns]
        roles += [(c, "personal") for c in self.personal_columns]
        roles += [(c, "person_key") for c in self.person_key]
        roles.append((self.breakdown, "breakdown"))
        for column, role in ((self.indicator_by and self.indicator_by.column, "category"),
                             (self.include and self.include.column, "include"),
                             (self.event_date, "event_date"), (self.department_column, "department")):
            if column:
                roles.append((column, role))
        roles += [(p.arg, "period") for p in self.period if p.kind == "column"]
        roles += [(p.arg, "submitted") for p in self.submitted if p.kind == "column"]
        roles += [(name, "value" if v.required else "optional_value") for name, v in self.values.items()]
        return roles

    @property
    def known_columns(self) -> set[str]:
        """Every raw column name this layout names (so any other column is unexpected)."""
        return {column for column, _ in self.column_roles()}

    @property
    def required_columns(self) -> list[str]:
        """The columns a file of this layout must have."""
        optional = {"ignored", "personal", "optional_value"}
        return list(dict.fromkeys(c for c, role in self.column_roles() if role not in optional))

    @property
    def indicator_ids(self) -> list[str]:
        """Every indicator this source can report."""
        if self.layout == "table":
            return [v.indicator for v in self.values.values()]
        return [self.indicator] if self.indicator else list(dict.fromkeys(self.indicator_by.indicators.values()))

    def coverage_end(self, year: int) -> dt.date | None:
        """The last day the figures of a yearly file cover, when the form says so."""
        if self.coverage_ends is None:
            return None
        month, day = (int(x) for x in self.coverage_ends.split("-"))
        return dt.date(year, month, day)


class SourcesFile(ConfigModel):
    defaults: Defaults
    sources: dict[str, Source]


# ---------------------------------------------------------------------------------------------
# method.yml


class StatusThresholds(ConfigModel):
    on_track_from: float = Field(gt=0, le=1)
    behind_from: float = Field(gt=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> "StatusThresholds":
        if self.behind_from >= self.on_track_from:
            raise ValueError("behind_from 须小于 on_track_from")
        return self


#: The statuses progress.py gives; method.yml must describe each, in the order readers see them.
STATUS_IDS = ("achieved", "on_track", "behind", "well_behind", "missed", "incomplete", "not_due", "no_data")
#: The statuses that judge a target by its pace: never given once its window has ended.
PACE_STATUS_IDS = ("on_track", "behind", "well_behind")


class Status(ConfigModel):
    """How a status is shown: always in words and a symbol; the colour only repeats them."""

    word: str
    symbol: str = Field(min_length=1, max_length=2)
    colour: str = Field(pattern=r"^#[0-9a-f]{6}$")
    good: bool = False  # counted as "achieved or on track" in the headline
    listed: Literal["always", "running", "ended"] = Field(alias="while")  # when listed with no target in it
    meaning: str  # when it is given (methodology page); {on_track_from} and {behind_from} are filled in

    def listed_when(self, plan_over: bool) -> bool:
        """Whether the home page lists this status with no target in it (during the plan or after)."""
        return self.listed == "always" or self.listed == ("ended" if plan_over else "running")

    @property
    def label(self) -> str:
        return f"{self.symbol} {self.word}"


class RegisterColumns(ConfigModel):
    file: str = Field(min_length=1)  # the file as named under data/raw (or its name alone, if unique)
    received: str = Field(min_length=1)  # the day it was received


class ReleaseRules(ConfigModel):
    """Dated releases (pipeline/ingest/receipts.py): which files each quarter's release takes."""

    months_after: int = Field(ge=0, le=2)  # a release takes the files received by the end of this month after its quarter
    register_file: str = Field(min_length=1)  # the staff's receipts register in data/raw (this name, .csv or .xlsx; optional)
    register_columns: RegisterColumns


class MethodFile(ConfigModel):
    status_thresholds: StatusThresholds
    statuses: dict[str, Status]
    jump_warning_factor: float = Field(gt=1)
    jump_warning_min_periods: int = Field(ge=1)
    releases: ReleaseRules

    @model_validator(mode="after")
    def _every_status(self) -> "MethodFile":
        if set(self.statuses) != set(STATUS_IDS):
            raise ValueError(f"statuses 须恰好描述这些状态：{', '.join(STATUS_IDS)}")
        return self

    def status(self, status_id: str) -> Status:
        return self.statuses[status_id]

    def meaning(self, status_id: str) -> str:
        t = self.status_thresholds
        return self.statuses[status_id].meaning.format(on_track_from=t.on_track_from, behind_from=t.behind_from)


# ---------------------------------------------------------------------------------------------
# Loading
