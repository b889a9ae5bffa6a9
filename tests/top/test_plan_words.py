"""The code and the page templates hold no word of a particular plan (issue 23): its years, the
names of its departments and bodies, its programme ids, its commitment ids and its span in words
(三年) are read from config/, so a new plan is configuration alone.

The words looked for are read FROM the shipped plan's configuration, not written here: its years and
span, title and short title, departments (names, aliases, folders, the plan's names for them), the
bodies the plan lists as members of its leading group, the leading group and office, the folder of
the status form and the form's name, programme, target and commitment ids and names, indicator and
source ids and names, the names of the plan's parts and sections, the terms its measures quote
(“周末课堂”), the names of its places and categories (three characters or more), and every run of
four characters of a programme's or a commitment's name (年度考核 of 人才工作年度考核) except the few
words of talent work in general listed in GENERAL. They are searched for in pipeline/ (code and
page templates), overrides/ and docs/ (the site's scripts and stylesheets).

A hit in code or in a template's text fails; a hit in a comment or docstring passes only when the
same line cites the configuration it comes from (it names a config/ file or key)."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from pipeline.basics import paths
from pipeline.config import load_config
from pipeline.config.commitments import load_commitments

#: A line of a comment or docstring that says where its example comes from.
CITES_CONFIGURATION = re.compile(r"config/|\.yml|configuration|配置")

#: Words of the plan's names and lists that are words of talent work or of government in general, not
#: of this plan: a site for any talent plan may use them.
GENERAL = {"人才工作", "人员培训", "领导机构", "各部门", "各街镇"}

#: Runs of characters in 、-separated lists of the plan's text: the bodies it names (区委办、宣传部、发改局…).
LISTED = re.compile(r"(?:[\u4e00-\u9fff]{2,6}、){2,}[\u4e00-\u9fff]{2,6}")


def plan_words() -> dict[str, re.Pattern]:
    """Every plan-specific word of the shipped configuration -> the pattern that finds it."""
    config = load_config()
    registry = load_commitments(config, paths.PLAN_TEXT.read_text(encoding="utf-8"))
    plan = config.plan
    words: dict[str, str] = {}
    words.update({str(year): "year" for year in plan.years})
    words[plan.span_zh] = "span"
    for name, aliases in config.vocabularies["departments"].names.items():
        words.update({w: "department" for w in (name, *aliases)})
    words.update({s.folder: "department folder" for s in config.sources.values()})
    words.update({n: "department" for d in registry.departments.values() for n in d.plan_names})
    words.update({plan.leading_group: "leading group", plan.leading_group_short: "leading group",
                  plan.office_short: "office", config.defaults.status_form_folder: "status form folder"})
    words.update({p.id: "programme id" for p in config.programmes})
    words.update({t.id: "target id" for t in config.targets})
    words.update({c.id: "commitment id" for c in registry.commitments})
    words.update({p.name: "programme name" for p in config.programmes})
    words.update({t.name: "target name" for t in config.targets})
    words.update({i: "indicator id" for i in config.indicators})
    words.update({i.name: "indicator name" for i in config.indicators.values()})
    words.update({s: "source id" for s in config.sources})
    words.update({s.name: "source name" for s in config.sources.values()})
    words.update({h: "part name" for h in registry.parts.values()})
    words.update({s.heading: "section heading" for s in registry.sections.values() if s.number is not None})
    words.update({c.name: "commitment name" for c in registry.commitments})
    words.update({plan.title: "title", plan.short_title: "short title", registry.form.name: "status form",
                  registry.form.title: "status form"})
    passages = [c.quote for c in registry.commitments] + [n.text for n in registry.not_a_commitment]
    words.update({term: "quoted term" for c in registry.commitments for term in re.findall(r"“([^”]+)”", c.name)})
    words.update({body: "body the plan lists" for text in passages for run in LISTED.findall(text)
                  for body in run.split("、") if len(body) >= 3})
    for key, vocabulary in config.vocabularies.items():
        words.update({w: f"{key} (vocabulary.yml)" for name, aliases in vocabulary.names.items()
                      for w in (name, *aliases) if len(w) >= 3 and w not in words})
    for name in [p.name for p in config.programmes] + [c.name for c in registry.commitments]:
        for run in re.findall(r"[\u4e00-\u9fff]{4,}", name):
            words.update({run[i:i + 4]: "part of a name" for i in range(len(run) - 3) if run[i:i + 4] not in words})
    words = {w: kind for w, kind in words.items() if w not in GENERAL}
    assert words and sum(kind == "year" for kind in words.values()) == len(plan.years)
    # years and ids stand alone (2010 is not 20100 nor the character \u2010, but is in 2010Q4 and
    # 2010年; p1 is not p10 but is in p1的); Chinese words are found anywhere
    return {w: re.compile(rf"(?<!\d)(?<!\\u){w}(?!\d)" if kind == "year" else
                          rf"(?<![A-Za-z0-9_]){re.escape(w)}(?![A-Za-z0-9_])" if w.isascii() else re.escape(w))
            for w, kind in words.items()}


def python_parts(path: Path) -> list[tuple[int, str, bool]]:
    """(line, text, is documentation) for every token of a module: comments and docstrings are
    documentation, everything else (names, strings, f-strings) is code."""
    source = path.read_text(encoding="utf-8")
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            docstrings.update(range(node.lineno, node.end_lineno + 1))  # a bare string: a docstring
    parts = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.STRING, tokenize.NAME, tokenize.NUMBER, tokenize.OP):
            doc = token.type == tokenize.COMMENT or (token.type == tokenize.STRING and token.start[0] in docstrings)
            for offset, line in enumerate(token.string.split("\n")):
                parts.append((token.start[0] + offset, line, doc))
    return parts


def template_parts(path: Path) -> list[tuple[int, str, bool]]:
    """(line, text, is documentation) for a template: {# comments #} are documentation."""
    text = path.read_text(encoding="utf-8")
    parts = []
    for match in re.finditer(r"\{#.*?#\}|(?:(?!\{#).)+", text, flags=re.S):
        line = text.count("\n", 0, match.start()) + 1
        for offset, piece in enumerate(match.group().split("\n")):
            parts.append((line + offset, piece, match.group().startswith("{#")))
    return parts


def files() -> list[Path]:
    found = (sorted(paths.PIPELINE_DIR.rglob("*.py")) + sorted(paths.PAGE_TEMPLATES_DIR.rglob("*.j2"))
             + sorted((paths.ROOT / "overrides").rglob("*.html")) + sorted(paths.DOCS_SRC_DIR.rglob("*.js"))
             + sorted(paths.DOCS_SRC_DIR.rglob("*.css")))
    assert len(found) > 50 and {".j2", ".html", ".js", ".css"} <= {p.suffix for p in found}
    return found


def found_in(path: Path, words: dict[str, re.Pattern]) -> list[tuple[int, str, bool, str]]:
    """(line, word, is documentation, text) for every word found in a file, but in a comment or
    docstring that cites the configuration. Only the words in the file's text are looked for part by part."""
    present = {w: p for w, p in words.items() if p.search(path.read_text(encoding="utf-8"))}
    if not present:
        return []
    parts = python_parts(path) if path.suffix == ".py" else template_parts(path)  # .js, .css: all code
    return [(line, word, doc, text) for line, text, doc in parts for word, pattern in present.items()
            if pattern.search(text) and not (doc and CITES_CONFIGURATION.search(text))]


def hits(path: Path, words: dict[str, re.Pattern]) -> list[str]:
    return [f"{path.relative_to(paths.ROOT)}:{line}: {word!r} in {'a comment' if doc else 'code'}: {text.strip()[:100]}"
            for line, word, doc, text in found_in(path, words)]


def test_the_words_looked_for_come_from_the_configuration():
    words = plan_words()
    assert {"2009", "2011", "三年", "卫生局", "p1", "p8", "quarterly-meeting"} <= set(words)
    assert {"农村实用人才培训计划", "区以上优秀创业人才", "p1_talents_recognised", "p6_rural_training",
            "农村实用人才培训情况统计表", "主要措施", "组织领导", "区推进人才强区战略的意见", "人才强区战略三年目标",
            "周末课堂", "年度考核", "农村实用", "宣传部", "发改局", "北山镇"} <= set(words)
    assert not GENERAL & set(words)


@pytest.mark.parametrize("kind", ["code", "comments"])
def test_no_word_of_the_plan_is_in_the_code_or_the_templates(kind):
    words = plan_words()
    found = [h for p in files() for h in hits(p, words) if (" in code:" in h) == (kind == "code")]
    assert found == [], "\n".join(found)


def test_the_search_finds_a_plan_word_where_there_is_one(tmp_path):
    """The search itself works: a year in an f-string and a department in a template are found,
    a year in a comment that cites plan.yml is not."""
    words = plan_words()
    module = tmp_path / "m.py"
    module.write_text('"""Docs."""\nx = f"如 {y}-01-01 或 2010年"  # 2011: plan.yml start\n# 2009 here\n', encoding="utf-8")
    template = tmp_path / "t.md.j2"
    template.write_text("{# 卫生局: config/vocabulary.yml #}\n由卫生局报送\n", encoding="utf-8")
    found = [h.split(": ", 1)[1] for h in _hits_outside(module, words) + _hits_outside(template, words)]
    assert found == ["'2010' in code", "'2009' in a comment", "'卫生局' in code"], found


def _hits_outside(path: Path, words: dict[str, re.Pattern]) -> list[str]:
    return [f"{path.name}:{line}: {word!r} in {'a comment' if doc else 'code'}" for line, word, doc, _ in found_in(path, words)]
