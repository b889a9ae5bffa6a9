"""The project's configuration (config/*.yml), loaded once into typed, frozen objects.

Every file is checked on load: an unknown key, a missing field, a wrong type or a reference to
something that does not exist is a ConfigError naming the file and the key.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline import paths


class ConfigError(Exception):
    """A configuration file that cannot be used, with every problem found in it."""

    def __init__(self, file: Path, problems: list[str]):
        self.file = file
        self.problems = problems
        super().__init__(self.message())

    def message(self) -> str:
        lines = [f"配置文件有误（configuration error）：{_display(self.file)}"]
        lines += [f"  - {p}" for p in self.problems]
        lines.append("  请按上述键名改正该文件；各键的含义见文件开头的注释。")
        return "\n".join(lines)


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(paths.ROOT))
    except ValueError:
        return str(path)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------------------------------------
# plan.yml


class PlanInfo(_Model):
    title: str
    short_title: str
    start: dt.date
    end: dt.date
    period_note: str

    @model_validator(mode="after")
    def _ordered(self) -> "PlanInfo":
        if self.end <= self.start:
            raise ValueError("end 必须晚于 start")
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))


class Programme(_Model):
    id: str = Field(pattern=r"^p\d+$")
    number: int
    name: str
    department: str
    sentence: str


class Measure(_Model):
    indicator: str
    breakdown: tuple[str, ...] | None = None
    share_of: bool = False


TargetKind = Literal["annual", "cumulative", "end_state"]


class Target(_Model):
    id: str = Field(pattern=r"^p\d+-[a-z0-9-]+$")
    programme: str
    name: str
    unit: Literal["名", "人次", "个", "%", "‰"]
    value: float = Field(gt=0)
    kind: TargetKind
    comparison: Literal["at_least", "at_most"] = "at_least"
    measure: Measure
    sentence: str

    @model_validator(mode="after")
    def _kind_fits(self) -> "Target":
        share = self.unit in ("%", "‰")
        if self.kind == "end_state" and not (share and self.measure.share_of):
            raise ValueError("end_state 目标的 unit 须为 % 或 ‰，measure 须有 share_of: true")
        if self.kind != "end_state" and (share or self.measure.share_of):
            raise ValueError("只有 end_state 目标可以是比例（% 或 ‰，share_of）")
        if self.kind != "end_state" and self.comparison != "at_least":
            raise ValueError("comparison 只用于 end_state 目标")
        return self

    @property
    def share_scale(self) -> float:
        """Multiplier from a fraction to this target's unit (100 for %, 1000 for ‰)."""
        return {"%": 100.0, "‰": 1000.0}.get(self.unit, 1.0)


class PlanFile(_Model):
    plan: PlanInfo
    programmes: tuple[Programme, ...]
    targets: tuple[Target, ...]


# ---------------------------------------------------------------------------------------------
# indicators.yml


class Indicator(_Model):
    name: str
    unit: Literal["名", "人次", "个"]
    measure_type: Literal["flow", "stock"]
    breakdown: str
    plausible_max: int = Field(gt=0)
    accumulates: str | None = None


class IndicatorsFile(_Model):
    indicators: dict[str, Indicator]


# ---------------------------------------------------------------------------------------------
# vocabulary.yml


class Vocabulary(_Model):
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
        from pipeline.parse import tidy_name

        table: dict[str, str] = {}
        for name, aliases in self.names.items():
            table[tidy_name(name)] = name
            for alias in aliases:
                table[tidy_name(alias)] = name
        return table


# ---------------------------------------------------------------------------------------------
# sources.yml


class Place(_Model):
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


class Header(_Model):
    contains: str
    rows: int = Field(default=1, ge=1, le=3)


class ValueColumn(_Model):
    indicator: str
    required: bool = True


class Include(_Model):
    column: str
    vocabulary: str
    values: tuple[str, ...]


class IndicatorBy(_Model):
    """Records whose indicator depends on a column: category (canonical name) -> indicator id."""

    column: str
    vocabulary: str
    indicators: dict[str, str]


class Defaults(_Model):
    max_file_mb: float = Field(gt=0)
    max_unpacked_mb: float = Field(gt=0)
    max_compression_ratio: float = Field(gt=1)
    max_sheets: int = Field(gt=0)
    max_parts: int = Field(gt=0)
    max_cells: int = Field(gt=0)
    max_columns: int = Field(gt=0)
    total_labels: tuple[str, ...]
    note_prefixes: tuple[str, ...]
    zero_marks: tuple[str, ...]
    unit_suffixes: tuple[str, ...]
    correction_markers: tuple[str, ...]
    instruction_sheets: tuple[str, ...]


class Source(_Model):
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

    @property
    def known_columns(self) -> set[str]:
        """Every raw column name this layout names (so any other column is unexpected)."""
        cols = {self.breakdown, *self.values, *self.personal_columns, *self.ignore_columns}
        cols |= {p.arg for p in (*self.period, *self.submitted) if p.kind == "column" and p.arg}
        for extra in (self.department_column, self.event_date, self.include and self.include.column,
                      self.indicator_by and self.indicator_by.column):
            if extra:
                cols.add(extra)
        return cols

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


class SourcesFile(_Model):
    defaults: Defaults
    sources: dict[str, Source]


# ---------------------------------------------------------------------------------------------
# method.yml


class StatusThresholds(_Model):
    on_track_from: float = Field(gt=0, le=1)
    behind_from: float = Field(gt=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> "StatusThresholds":
        if self.behind_from >= self.on_track_from:
            raise ValueError("behind_from 须小于 on_track_from")
        return self


class MethodFile(_Model):
    status_thresholds: StatusThresholds
    jump_warning_factor: float = Field(gt=1)
    jump_warning_min_periods: int = Field(ge=1)


# ---------------------------------------------------------------------------------------------
# Loading


@dataclass(frozen=True)
class Config:
    """Everything in config/, checked and cross-checked."""

    plan: PlanInfo
    programmes: tuple[Programme, ...]
    targets: tuple[Target, ...]
    indicators: dict[str, Indicator]
    vocabularies: dict[str, Vocabulary]
    defaults: Defaults
    sources: dict[str, Source]
    method: MethodFile

    def programme(self, programme_id: str) -> Programme:
        return next(p for p in self.programmes if p.id == programme_id)

    def targets_of(self, programme_id: str) -> list[Target]:
        return [t for t in self.targets if t.programme == programme_id]

    def department_of(self, target: Target) -> str:
        return self.programme(target.programme).department

    def target(self, target_id: str) -> Target:
        return next(t for t in self.targets if t.id == target_id)

    def sources_of(self, indicator: str) -> list[Source]:
        """The sources whose files report an indicator."""
        return [s for s in self.sources.values() if indicator in s.indicator_ids]


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, ["文件不存在（file not found）"]) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列：" if mark else ""
        raise ConfigError(path, [f"{where}YAML 格式错误（{getattr(exc, 'problem', exc)}）"]) from None


_PYDANTIC_ZH = {
    "extra_forbidden": "未知的键（unknown key），请检查拼写或删除",
    "missing": "缺少必填项（missing field）",
}


def _parse(model: type[_Model], path: Path) -> Any:
    data = _read_yaml(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(文件整体)"
            key = _name_list_items(key, data)
            text = _PYDANTIC_ZH.get(err["type"], err["msg"].removeprefix("Value error, "))
            problems.append(f"{key}：{text}")
        raise ConfigError(path, problems) from None


def _name_list_items(key: str, data: Any) -> str:
    """targets.3.unit -> targets[3](p2-high-growth).unit, so the entry is easy to find."""
    parts = key.split(".")
    out, node = [], data
    for part in parts:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
            label = node.get("id") if isinstance(node, dict) else None
            out[-1] += f"[{part}]" + (f"({label})" if label else "")
            continue
        out.append(part)
        node = node.get(part) if isinstance(node, dict) else None
    return ".".join(out)


def load_config(config_dir: Path = paths.CONFIG_DIR) -> Config:
    """Load and cross-check every configuration file."""
    plan_path = config_dir / "plan.yml"
    indicators_path = config_dir / "indicators.yml"
    vocab_path = config_dir / "vocabulary.yml"
    sources_path = config_dir / "sources.yml"
    method_path = config_dir / "method.yml"

    plan = _parse(PlanFile, plan_path)
    indicators = _parse(IndicatorsFile, indicators_path).indicators
    vocab_data = _read_yaml(vocab_path)
    if not isinstance(vocab_data, dict):
        raise ConfigError(vocab_path, ["文件应为“词表名: {names: …}”的映射"])
    vocabularies: dict[str, Vocabulary] = {}
    for name, entry in vocab_data.items():
        try:
            vocabularies[name] = Vocabulary.model_validate(entry)
        except ValidationError as exc:
            raise ConfigError(vocab_path, [
                f"{name}.{'.'.join(str(p) for p in e['loc'])}：{_PYDANTIC_ZH.get(e['type'], e['msg'])}"
                for e in exc.errors()
            ]) from None
    sources_file = _parse(SourcesFile, sources_path)
    method = _parse(MethodFile, method_path)

    _check_plan(plan, indicators, vocabularies, plan_path)
    _check_indicators(indicators, vocabularies, indicators_path)
    _check_vocabularies(vocabularies, vocab_path)
    _check_sources(sources_file, indicators, vocabularies, sources_path)

    return Config(
        plan=plan.plan,
        programmes=plan.programmes,
        targets=plan.targets,
        indicators=indicators,
        vocabularies=vocabularies,
        defaults=sources_file.defaults,
        sources=sources_file.sources,
        method=method,
    )


def _check_plan(plan: PlanFile, indicators: dict[str, Indicator],
                vocabularies: dict[str, Vocabulary], path: Path) -> None:
    problems = []
    programme_ids = [p.id for p in plan.programmes]
    problems += [f"programmes：编号 {i} 重复" for i in _duplicates(programme_ids)]
    problems += [f"targets：编号 {i} 重复" for i in _duplicates([t.id for t in plan.targets])]
    for t in plan.targets:
        where = f"targets({t.id})"
        if t.programme not in programme_ids:
            problems.append(f"{where}.programme：未知的重点工程 {t.programme!r}（可用：{', '.join(programme_ids)}）")
        if not t.id.startswith(t.programme + "-"):
            problems.append(f"{where}.id：编号须以所属工程 {t.programme}- 开头")
        indicator = indicators.get(t.measure.indicator)
        if indicator is None:
            problems.append(f"{where}.measure.indicator：未知指标 {t.measure.indicator!r}（见 indicators.yml）")
            continue
        vocab = vocabularies.get(indicator.breakdown)
        if t.measure.breakdown and vocab and not vocab.open:
            unknown = [b for b in t.measure.breakdown if b not in vocab.names]
            if unknown:
                problems.append(f"{where}.measure.breakdown：{unknown} 不在词表 {indicator.breakdown} 中")
        if t.kind == "end_state" and indicator.measure_type != "stock":
            problems.append(f"{where}：end_state 目标须基于存量（stock）指标")
        if t.kind != "end_state" and indicator.measure_type != "flow":
            problems.append(f"{where}：{t.kind} 目标须基于增量（flow）指标")
    for p in plan.programmes:
        if not any(t.programme == p.id for t in plan.targets):
            problems.append(f"programmes({p.id})：没有任何目标")
    if problems:
        raise ConfigError(path, problems)


def _check_indicators(indicators: dict[str, Indicator], vocabularies: dict[str, Vocabulary],
                      path: Path) -> None:
    problems = [
        f"indicators.{key}.breakdown：未知词表 {ind.breakdown!r}（见 vocabulary.yml）"
        for key, ind in indicators.items()
        if ind.breakdown not in vocabularies
    ]
    for key, ind in indicators.items():
        if ind.accumulates and (ind.measure_type != "stock" or ind.accumulates not in indicators
                                or indicators[ind.accumulates].measure_type != "flow"):
            problems.append(f"indicators.{key}.accumulates：须是存量指标，且指向一个已定义的增量（flow）指标")
    problems += [f"indicators.{key}：编号只能用小写字母、数字和下划线"
                 for key in indicators if not re.fullmatch(r"[a-z0-9_]+", key)]
    if problems:
        raise ConfigError(path, problems)


def _check_vocabularies(vocabularies: dict[str, Vocabulary], path: Path) -> None:
    problems = []
    if "departments" not in vocabularies:
        problems.append("departments：缺少部门词表")
    for name, vocab in vocabularies.items():
        seen: dict[str, str] = {}
        from pipeline.parse import tidy_name

        for canonical, aliases in vocab.names.items():
            for spelling in (canonical, *aliases):
                key = tidy_name(spelling)
                if key in seen and seen[key] != canonical:
                    problems.append(f"{name}：写法 {spelling!r} 同时属于 {seen[key]!r} 和 {canonical!r}")
                seen[key] = canonical
    if problems:
        raise ConfigError(path, problems)


def _check_sources(sources: SourcesFile, indicators: dict[str, Indicator],
                   vocabularies: dict[str, Vocabulary], path: Path) -> None:
    problems = []
    departments = vocabularies["departments"].names
    for key, src in sources.sources.items():
        where = f"sources.{key}"
        if src.department not in departments:
            problems.append(f"{where}.department：{src.department!r} 不在部门词表（vocabulary.yml departments）中")
        used = src.indicator_ids
        for ind in used:
            if ind not in indicators:
                problems.append(f"{where}：未知指标 {ind!r}（见 indicators.yml）")
        breakdowns = {indicators[i].breakdown for i in used if i in indicators}
        if len(breakdowns) > 1:
            problems.append(f"{where}：同一来源的指标须使用同一分组词表，现为 {sorted(breakdowns)}")
        rules = [("indicator_by", src.indicator_by, "indicators", src.indicator_by and src.indicator_by.indicators),
                 ("include", src.include, "values", src.include and src.include.values)]
        for name, rule, field, values in rules:
            if not rule:
                continue
            vocab = vocabularies.get(rule.vocabulary)
            if vocab is None:
                problems.append(f"{where}.{name}.vocabulary：未知词表 {rule.vocabulary!r}")
                continue
            unknown = [v for v in values if v not in vocab.names]
            if unknown:
                problems.append(f"{where}.{name}.{field}：{unknown} 不在词表 {rule.vocabulary} 中")
    if problems:
        raise ConfigError(path, problems)


def _duplicates(items: list[str]) -> list[str]:
    seen, dup = set(), []
    for item in items:
        if item in seen and item not in dup:
            dup.append(item)
        seen.add(item)
    return dup
