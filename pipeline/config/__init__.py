"""The project's configuration (config/*.yml), loaded once into typed, frozen objects.

Every file is checked on load: an unknown key, a missing field, a wrong type or a reference to
something that does not exist is a ConfigError naming the file and the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pipeline.basics import paths
from pipeline.config.models import (  # noqa: F401 - the models are part of this package's interface
    LEVEL_KINDS,
    STATUS_IDS,
    ConfigModel,
    Defaults,
    Header,
    Include,
    Indicator,
    IndicatorBy,
    IndicatorsFile,
    Measure,
    MethodFile,
    Per,
    Place,
    PlanFile,
    PlanInfo,
    Programme,
    Reading,
    SiteIdentity,
    Source,
    SourcesFile,
    Status,
    StatusThresholds,
    Target,
    TargetKind,
    ValueColumn,
    Vocabulary,
)


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

    def lines(self) -> list[str]:
        """One line per problem, each naming the file and the key (make check-config)."""
        return [f"{_display(self.file)}：{p.rstrip('。')}。请改正该文件中的这一项（各键的含义见文件开头的注释）。"
                for p in self.problems]


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(paths.ROOT))
    except ValueError:
        return str(path)




@dataclass(frozen=True)
class Config:
    """Everything in config/, checked and cross-checked."""

    plan: PlanInfo
    site: SiteIdentity
    programmes: tuple[Programme, ...]
    targets: tuple[Target, ...]
    readings: tuple[Reading, ...]
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

    def breakdown_vocabulary(self, source: Source) -> Vocabulary:
        """The vocabulary a source's breakdown column is read with (its indicators' breakdown:
        the same for all of a source's indicators, checked on load)."""
        return self.vocabularies[self.indicators[source.indicator_ids[0]].breakdown]

    def example_file(self, period: str, source: Source | None = None) -> str:
        """A file name for the examples in staff messages: a source's folder, a period and its form's
        name (config/sources.yml: <folder>_2023Q1_<name>.csv); the first quarterly source when none is given."""
        source = source or next((s for s in self.sources.values() if s.frequency == "quarterly"),
                                next(iter(self.sources.values())))
        extension = source.files.rsplit(".", 1)[-1] if "." in source.files else "xlsx"
        return f"{source.folder}_{period}_{source.name}.{extension}"

    def short_name_example(self, vocabulary: Vocabulary | None = None) -> tuple[str, str] | None:
        """A short name and the full name it stands for, for the examples of pages and messages: the
        first alias that begins its name, in `vocabulary` or else in the vocabularies of names
        (config/vocabulary.yml: 东城 for 东城街道); None if there is none."""
        found = vocabulary.names.items() if vocabulary else \
            [kv for v in self.vocabularies.values() if v.kind == "name" for kv in v.names.items()]
        return next(((alias, name) for name, aliases in found for alias in aliases
                     if name.startswith(alias) and alias != name), None)

    def unit_column_example(self) -> tuple[str, str] | None:
        """A column of a table layout and its indicator's unit, for the examples of the methodology
        page (a column written with its unit): one counted in 人次 if there is one."""
        columns = [(c, self.indicators[v.indicator].unit) for s in self.sources.values() for c, v in s.values.items()]
        return next((c for c in columns if c[1] == "人次"), columns[0] if columns else None)

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


def parse_file(model: type[ConfigModel], path: Path) -> Any:
    """A YAML file of config/ read into its model; ConfigError names the file and every wrong key."""
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
    """targets.3.unit -> targets[3](<its id>).unit, so the entry is easy to find."""
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

    plan = parse_file(PlanFile, plan_path)
    indicators = parse_file(IndicatorsFile, indicators_path).indicators
    vocabularies = _parse_vocabularies(vocab_path)
    sources_file = parse_file(SourcesFile, sources_path)
    method = parse_file(MethodFile, method_path)

    _check_plan(plan, indicators, vocabularies, plan_path)
    _check_programme_departments(plan, vocabularies, plan_path)
    _check_indicators(indicators, vocabularies, indicators_path)
    _check_vocabularies(vocabularies, vocab_path)
    _check_sources(sources_file, indicators, vocabularies, sources_path)

    return Config(
        plan=plan.plan,
        site=plan.site,
        programmes=plan.programmes,
        targets=plan.targets,
        readings=plan.readings,
        indicators=indicators,
        vocabularies=vocabularies,
        defaults=sources_file.defaults,
        sources=sources_file.sources,
        method=method,
    )


def config_errors(config_dir: Path = paths.CONFIG_DIR) -> tuple[Config | None, list[ConfigError]]:
    """Every problem of config/ at once (make check-config), not only the first file's: each file
    read on its own, then, when all five can be read, each cross-check; and the configuration when
    there is none."""
    parsers = {"plan.yml": lambda p: parse_file(PlanFile, p), "indicators.yml": lambda p: parse_file(IndicatorsFile, p),
               "vocabulary.yml": _parse_vocabularies, "sources.yml": lambda p: parse_file(SourcesFile, p),
               "method.yml": lambda p: parse_file(MethodFile, p)}
    read, errors = {}, []
    for name, parse in parsers.items():
        try:
            read[name] = parse(config_dir / name)
        except ConfigError as exc:
            errors.append(exc)
    if errors:
        return None, errors
    plan, indicators = read["plan.yml"], read["indicators.yml"].indicators
    vocabularies, sources = read["vocabulary.yml"], read["sources.yml"]
    checks = [lambda: _check_plan(plan, indicators, vocabularies, config_dir / "plan.yml"),
              lambda: _check_programme_departments(plan, vocabularies, config_dir / "plan.yml"),
              lambda: _check_indicators(indicators, vocabularies, config_dir / "indicators.yml"),
              lambda: _check_vocabularies(vocabularies, config_dir / "vocabulary.yml")]
    if "departments" in vocabularies:
        checks.append(lambda: _check_sources(sources, indicators, vocabularies, config_dir / "sources.yml"))
    for check in checks:
        try:
            check()
        except ConfigError as exc:
            errors.append(exc)
    return (None if errors else load_config(config_dir)), errors


def _check_programme_departments(plan: PlanFile, vocabularies: dict[str, Vocabulary], path: Path) -> None:
    """Each programme's department is one of vocabulary.yml's departments (its page, its forms)."""
    names = vocabularies["departments"].names if "departments" in vocabularies else {}
    problems = [f"programmes({p.id}).department：{p.department!r} 不在部门词表（vocabulary.yml departments）中"
                for p in plan.programmes if p.department not in names]
    if problems:
        raise ConfigError(path, problems)


def _parse_vocabularies(vocab_path: Path) -> dict[str, Vocabulary]:
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
    return vocabularies


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
        if t.is_level and indicator.measure_type != "stock":
            problems.append(f"{where}.measure.indicator：{t.kind} 目标须基于存量（stock）指标，"
                            f"{t.measure.indicator!r} 是增量（flow）指标")
        if not t.is_level and indicator.measure_type != "flow":
            problems.append(f"{where}.measure.indicator：{t.kind} 目标须基于增量（flow）指标，"
                            f"{t.measure.indicator!r} 是存量（stock）指标")
        if t.kind == "level" and t.unit != indicator.unit:
            problems.append(f"{where}.unit：level 目标的单位须与指标 {t.measure.indicator} 的单位 {indicator.unit!r} 相同，"
                            f"现为 {t.unit!r}")
        per = t.measure.per
        if per is not None:
            denominator = indicators.get(per.indicator)
            if denominator is None:
                problems.append(f"{where}.measure.per.indicator：未知指标 {per.indicator!r}（见 indicators.yml）")
            elif denominator.measure_type != "stock":
                problems.append(f"{where}.measure.per.indicator：分母 {per.indicator!r} 须是存量（stock）指标（如年末常住人口）")
            elif per.indicator == t.measure.indicator:
                problems.append(f"{where}.measure.per.indicator：分母不能与分子是同一指标（同一指标的占比用 end_state 和 share_of）")
            else:
                per_vocab = vocabularies.get(denominator.breakdown)
                if per.breakdown and per_vocab and not per_vocab.open:
                    unknown = [b for b in per.breakdown if b not in per_vocab.names]
                    if unknown:
                        problems.append(f"{where}.measure.per.breakdown：{unknown} 不在词表 {denominator.breakdown} 中")
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
        from pipeline.basics.parse import tidy_name

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
