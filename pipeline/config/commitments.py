"""The plan's measures (三、主要措施) and working mechanism (四、组织领导: config/commitments.yml parts) as commitments
(config/commitments.yml): typed, validated once, and read against the plan's own text.

Every passage of parts 三 and 四 is either the quote of a commitment or listed as not a
commitment with a reason; `coverage_gaps` finds any letter of those parts that is in neither,
and loading fails on one, so no sentence of the plan can be skipped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from pipeline.basics import paths
from pipeline.basics.parse import tidy_name
from pipeline.config import Config, ConfigError, ConfigModel, parse_file

FILE_NAME = "commitments.yml"


class Status(ConfigModel):
    word: str
    meaning: str
    symbol: str
    colour: str = Field(pattern=r"^#[0-9a-f]{6}$")
    rank: int
    aliases: tuple[str, ...] = ()
    evidence_required: bool = False
    date_required: bool = False
    in_form: bool = True


class Frequency(ConfigModel):
    word: str
    expected: Literal["each_quarter", "each_year", "none"]


class FormColumns(ConfigModel):
    id: str
    section: str
    name: str
    department: str
    kind: str
    status: str
    status_date: str
    occurrences: str
    evidence: str
    document_number: str
    address: str
    note: str


class Form(ConfigModel):
    name: str
    department: str
    due_days: int = Field(ge=0, le=92)
    sheet: str
    title: str
    submitted_label: str
    internal_word: str
    date_separators: tuple[str, ...] = Field(min_length=1)
    columns: FormColumns

    @property
    def informational(self) -> tuple[str, ...]:
        """Columns the template fills in for the reader's sake (not read, except the name)."""
        c = self.columns
        return (c.section, c.department, c.kind)


class Section(ConfigModel):
    part: str  # a key of `parts`
    number: int | None
    heading: str
    page: str = Field(pattern=r"^[a-z0-9-]+$")


class DepartmentPage(ConfigModel):
    department: str
    member: bool
    plan_names: tuple[str, ...] = ()


class Commitment(ConfigModel):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    section: str
    name: str
    quote: str
    done_when: str
    department: str
    kind: Literal["one_off", "recurring"]
    frequency: str | None = None
    reading: str | None = None

    @model_validator(mode="after")
    def _frequency_fits(self) -> "Commitment":
        if (self.kind == "recurring") != (self.frequency is not None):
            raise ValueError("kind: recurring 须写明 frequency；one_off 不写 frequency")
        return self


class NotACommitment(ConfigModel):
    text: str
    reason: str
    tracked_by: tuple[str, ...] = ()


class RegistryFile(ConfigModel):
    statuses: dict[str, Status]
    frequencies: dict[str, Frequency]
    kinds: dict[Literal["one_off", "recurring"], str]
    form: Form
    parts: dict[str, str] = Field(min_length=1)  # the plan's parts tracked here, in order: number -> heading
    mechanism_part: str  # the part that sets up the leading group and lists its members
    part_examples: dict[str, str] = {}  # part -> a few of its measures (the methodology page)
    departments_basis: str | None = None  # the plan's words the departments page answers to (…… for words left out)
    sections: dict[str, Section]
    departments: dict[str, DepartmentPage]
    other_bodies: tuple[str, ...]
    default_department: str
    commitments: tuple[Commitment, ...]
    not_a_commitment: tuple[NotACommitment, ...]


@dataclass(frozen=True)
class Registry:
    """Every commitment, the status scale and the form, checked against the plan and config/."""

    file: RegistryFile
    text: str  # parts 三 and 四 of the plan, as in data/plan (the span every quote is found in)

    def __getattr__(self, name: str):
        # Only once the fields are set: an object being unpickled has none yet (no `file` to ask).
        if name == "file" or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.file, name)

    @cached_property
    def by_id(self) -> dict[str, Commitment]:
        return {c.id: c for c in self.file.commitments}

    @property
    def title(self) -> str:
        """The parts' headings together, as the menu and the measures' pages name them."""
        return "和".join(self.file.parts.values())

    @property
    def parts_zh(self) -> str:
        """The parts by number, as a sentence names them together: 第三、四部分."""
        return f"第{'、'.join(self.file.parts)}部分"

    @property
    def parts_named(self) -> str:
        """Each part by number and heading (config/commitments.yml parts): 第三部分（主要措施）和第四部分（组织领导）."""
        return "和".join(f"第{number}部分（{heading}）" for number, heading in self.file.parts.items())

    @property
    def first_part(self) -> str:
        """The first part's heading, as the titles of the measures' tables and charts name them
        (config/commitments.yml parts)."""
        return next(iter(self.file.parts.values()))

    def recurring_example(self, expected: str) -> Commitment | None:
        """A recurring commitment to be done as often as `expected` says (each_quarter, each_year),
        to name as an example: the one with the shortest name (None: the plan has none)."""
        found = [c for c in self.file.commitments
                 if c.frequency and self.file.frequencies[c.frequency].expected == expected]
        return min(found, key=lambda c: len(c.name)) if found else None

    @property
    def recurring_examples(self) -> list[Commitment]:
        """Recurring commitments to name as examples: the shortest-named of each frequency, in the
        order of `frequencies`, three at most."""
        out = []
        for key in self.file.frequencies:
            found = [c for c in self.file.commitments if c.frequency == key]
            if found:
                out.append(min(found, key=lambda c: len(c.name)))
        return out[:3]

    @property
    def split_example(self) -> list[Commitment]:
        """The commitments of the first sentence of the plan that holds more than one (an example
        of a sentence read as several commitments); none if no sentence does."""
        by_sentence: dict[int, list[Commitment]] = {}
        for c in self.file.commitments:
            before, _, _ = self.sentence(c.quote)
            by_sentence.setdefault(self.text.index(c.quote) - len(before), []).append(c)
        return next((cs for cs in by_sentence.values() if len(cs) > 1), [])

    def form_file(self, office: str, quarter_zh: str) -> str:
        """A status form's file name, as staff are asked to write it: the office, the quarter and
        the first part's heading (plan.yml office_short, parts: <office>_2022年第四季度_<heading>工作进展.xlsx)."""
        return f"{office}_{quarter_zh}_{next(iter(self.file.parts.values()))}工作进展.xlsx"

    @property
    def form_statuses(self) -> dict[str, Status]:
        """The statuses offered in the form, in the order of the scale."""
        return {k: s for k, s in self.file.statuses.items() if s.in_form}

    @property
    def done(self) -> str:
        """The status that says a commitment is carried out: the form's highest."""
        return max(self.form_statuses, key=lambda s: self.file.statuses[s].rank)

    @property
    def not_reported(self) -> str:
        """The status of a commitment missing from a quarter's form."""
        return next(k for k, s in self.file.statuses.items() if not s.in_form)

    @cached_property
    def status_lookup(self) -> dict[str, str]:
        """Every word accepted in the form's 状态 column (tidied) -> status id."""
        return {tidy_name(w): k for k, s in self.form_statuses.items() for w in (s.word, *s.aliases)}

    @cached_property
    def pages(self) -> dict[str, list[str]]:
        """Page id -> its sections, in the plan's order."""
        out: dict[str, list[str]] = {}
        for key, section in self.file.sections.items():
            out.setdefault(section.page, []).append(key)
        return out

    def page_title(self, page: str) -> str:
        sections = [self.file.sections[s] for s in self.pages[page]]
        if len(sections) == 1 and sections[0].number is not None:
            return f"{sections[0].number}. {sections[0].heading}"
        return self.file.parts[sections[0].part]

    def kind_word(self, commitment: Commitment) -> str:
        """一次性, or how often a recurring commitment is to happen (每季度, 每年, 定期, 按需)."""
        if commitment.frequency:
            return self.file.frequencies[commitment.frequency].word
        return self.file.kinds[commitment.kind]

    def section_title(self, key: str) -> str:
        s = self.file.sections[key]
        return f"{s.number}、{s.heading}" if s.number is not None else s.heading

    def in_page(self, page: str) -> list[Commitment]:
        sections = self.pages[page]
        return [c for c in self.file.commitments if c.section in sections]

    @cached_property
    def _names(self) -> dict[str, str]:
        return {n: page for page, d in self.file.departments.items() for n in d.plan_names}

    def department_page(self, commitment: Commitment) -> str | None:
        """The department page a commitment is listed on (None: a body with no page)."""
        return self._names.get(commitment.department)

    def sentence(self, passage: str) -> tuple[str, str, str]:
        """The plan's sentence around a passage: (before, the passage, after)."""
        start = self.text.index(passage)
        end = start + len(passage)
        first = max(self.text.rfind(stop, 0, start) for stop in ("。", "\n")) + 1
        last = min(i for i in (self.text.find("。", end), self.text.find("\n", end), len(self.text)) if i >= 0)
        last = last + 1 if self.text[last:last + 1] == "。" else last
        return self.text[first:start], passage, self.text[end:last]


def measures_text(plan_text: str, parts: dict[str, str]) -> str:
    """The plan's parts tracked here: from the heading of the first (三、主要措施: commitments.yml parts) to the end of the text."""
    first = next(iter(parts))
    heading = f"{first}、{parts[first]}"
    if heading not in plan_text:
        raise ValueError(f"规划原文中找不到“{heading}”")
    return plan_text[plan_text.index(heading):]


_HEADING = re.compile(r"^(?P<number>\d+)、(?P<heading>[^。]+)。")


def paragraphs(text: str, parts: dict[str, str]) -> list[tuple[str, int | None, int, int]]:
    """Each paragraph of 三 and 四 as (part, heading number or None, start, end) in `text`,
    after its heading; the part headings themselves are left out."""
    out, part, offset = [], None, 0
    for line in text.split("\n"):
        start, stripped = offset, line.strip()
        offset += len(line) + 1
        if not stripped:
            continue
        part_heading = next((p for p, h in parts.items() if stripped == f"{p}、{h}"), None)
        if part_heading:
            part = part_heading
            continue
        first = start + line.index(stripped)
        m = _HEADING.match(stripped)
        number = int(m.group("number")) if m else None
        out.append((part, number, first + (m.end() if m else 0), first + len(stripped)))
    return out


def coverage_gaps(registry: RegistryFile, text: str) -> list[str]:
    """Every run of letters and digits of parts 三 and 四 that is neither in a commitment's quote
    nor in a passage listed as not a commitment (headings excepted)."""
    covered = [False] * len(text)
    for passage in [c.quote for c in registry.commitments] + [n.text for n in registry.not_a_commitment]:
        start = text.find(passage)
        while start >= 0:
            covered[start:start + len(passage)] = [True] * len(passage)
            start = text.find(passage, start + 1)
    gaps, run = [], ""
    for _, _, start, end in paragraphs(text, registry.parts):
        for i in range(start, end + 1):
            ch = text[i] if i < end else "。"
            if i < end and not covered[i] and ch.isalnum():
                run += ch
            elif run and (i == end or covered[i] or ch in "。，,；;"):
                gaps.append(run)
                run = ""
            elif run:
                run += ch
    return gaps


def load_commitments(config: Config, plan_text: str, config_dir: Path = paths.CONFIG_DIR) -> Registry:
    """Load config/commitments.yml and check it against config/ and the plan's text."""
    path = config_dir / FILE_NAME
    file = parse_file(RegistryFile, path)
    try:
        text = measures_text(plan_text, file.parts)
    except ValueError as exc:
        raise ConfigError(path, [f"parts：{exc}"]) from None
    problems = _check(file, config, text)
    if problems:
        raise ConfigError(path, problems)
    return Registry(file=file, text=text)


def _check(file: RegistryFile, config: Config, text: str) -> list[str]:
    problems = []
    statuses = file.statuses
    if sum(not s.in_form for s in statuses.values()) != 1:
        problems.append("statuses：须有且只有一个 in_form: false 的状态（某季度进展表中没有这一项时使用）")
    words = [tidy_name(w) for s in statuses.values() for w in (s.word, *s.aliases)]
    problems += [f"statuses：写法 {w!r} 出现了不止一次" for w in sorted({w for w in words if words.count(w) > 1})]
    departments = config.vocabularies["departments"].names
    if file.form.department not in departments:
        problems.append(f"form.department：{file.form.department!r} 不在部门词表（vocabulary.yml departments）中")
    pages = {d.department for d in file.departments.values()}
    problems += [f"departments.{k}.department：{d.department!r} 不在部门词表中"
                 for k, d in file.departments.items() if d.department not in departments]
    problems += [f"departments：部门词表中的 {name} 没有页面（每个部门一节）" for name in departments if name not in pages]
    names = [n for d in file.departments.values() for n in d.plan_names] + list(file.other_bodies)
    problems += [f"departments / other_bodies：名称 {n!r} 出现了不止一次" for n in sorted({n for n in names if names.count(n) > 1})]
    if file.default_department not in names:
        problems.append(f"default_department：{file.default_department!r} 须是 departments 的 plan_names 之一")
    mechanism = file.mechanism_part
    if mechanism not in file.parts:
        problems.append(f"mechanism_part：{mechanism!r} 不是 parts 中的一部分（可用：{'、'.join(file.parts)}）")
    problems += [f"sections.{key}.part：{s.part!r} 不是 parts 中的一部分（可用：{'、'.join(file.parts)}）"
                 for key, s in file.sections.items() if s.part not in file.parts]
    problems += [f"part_examples.{key}：不是 parts 中的一部分（可用：{'、'.join(file.parts)}）"
                 for key in file.part_examples if key not in file.parts]
    if file.departments_basis and not all(w in text for w in file.departments_basis.split("……")):
        problems.append("departments_basis：不是规划原文（须一字不差，省略的字写作……）")
    heading = f"{mechanism}、{file.parts.get(mechanism, '')}"
    members = text[text.index(heading):] if heading in text else ""
    for key, d in file.departments.items():
        if d.member and not any(n in members for n in d.plan_names):
            problems.append(f"departments.{key}.member：规划第{mechanism}部分没有以 {list(d.plan_names)} 列出这个成员单位")
    numbered = {(p, n) for p, n, _, _ in paragraphs(text, file.parts) if n is not None}
    for key, s in file.sections.items():
        if s.number is not None and (s.part, s.number) not in numbered:
            problems.append(f"sections.{key}：规划第{s.part}部分没有第 {s.number} 条")
        elif s.number is not None and f"{s.number}、{s.heading}。" not in text:
            problems.append(f"sections.{key}.heading：与规划原文的标题不一致")
    ids = [c.id for c in file.commitments]
    problems += [f"commitments：编号 {i} 重复" for i in sorted({i for i in ids if ids.count(i) > 1})]
    targets = {t.id for t in config.targets}
    for i, c in enumerate(file.commitments):
        where = f"commitments[{i}]({c.id})"
        if c.section not in file.sections:
            problems.append(f"{where}.section：未知的部分 {c.section!r}（见 sections）")
        elif (span := _section_span(file, c.section, text)) and c.quote in text and \
                not (span[0] <= text.index(c.quote) and text.index(c.quote) + len(c.quote) <= span[1]):
            problems.append(f"{where}.quote：这段原文不在 sections.{c.section} 这一条中")
        if c.frequency is not None and c.frequency not in file.frequencies:
            problems.append(f"{where}.frequency：未知的频次 {c.frequency!r}（见 frequencies）")
        if c.department not in names:
            problems.append(f"{where}.department：{c.department!r} 既不是 departments 的 plan_names，也不在 other_bodies 中")
        problems += _passage_problems(f"{where}.quote", c.quote, text, file.parts)
    for i, n in enumerate(file.not_a_commitment):
        problems += _passage_problems(f"not_a_commitment[{i}].text", n.text, text, file.parts)
        problems += [f"not_a_commitment[{i}].tracked_by：未知的目标 {t!r}（见 plan.yml）" for t in n.tracked_by if t not in targets]
    problems += [f"规划原文中这段话既不是任何措施的 quote，也不在 not_a_commitment 中：“{gap}”"
                 for gap in coverage_gaps(file, text)]
    return problems


def _section_span(file: RegistryFile, key: str, text: str) -> tuple[int, int] | None:
    """Where a section's paragraphs are in the text (a closing paragraph: those after the last
    numbered heading of its part)."""
    s = file.sections[key]
    paras = paragraphs(text, file.parts)
    if s.number is not None:
        found = [(a, b) for p, n, a, b in paras if p == s.part and n == s.number]
    else:
        last = max((i for i, (p, n, _, _) in enumerate(paras) if p == s.part and n is not None), default=-1)
        found = [(a, b) for p, n, a, b in paras[last + 1:] if p == s.part and n is None]
    return (found[0][0], found[-1][1]) if found else None


def _passage_problems(where: str, passage: str, text: str, parts: dict[str, str]) -> list[str]:
    count = text.count(passage)
    if count == 0:
        return [f"{where}：不是规划第{'、'.join(parts)}部分中的原文（须一字不差，标点也要相同）"]
    if count > 1:
        return [f"{where}：在规划原文中出现了 {count} 次，请多引几个字，使它只出现一次"]
    return []
