"""The registry of the plan's commitments (config/commitments.yml): every passage of parts 三 and
四 is a commitment or listed as not one, every quote is the plan's own words, and every mistake
in the file is named by file and key."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.basics import paths
from pipeline.config import ConfigError
from pipeline.config.commitments import FILE_NAME, RegistryFile, coverage_gaps, load_commitments, measures_text

PLAN = paths.PLAN_TEXT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def registry(config):
    return load_commitments(config, PLAN)


def test_every_concrete_commitment_named_in_the_issue_is_in_the_registry(registry):
    names = " ".join(c.quote for c in registry.commitments)
    for words in ("大规模培训干部工作的实施意见", "周末课堂", "5+X", "人才协会运行机制", "创业投融资服务平台", "博士后工作站",
                  "还巢工程", "人才绿卡", "地方性职称评审", "区政府特殊津贴", "人才公寓", "购房补贴", "名特优教师奖励",
                  "人才信息服务网络", "人才需求目录", "高层次人才服务中心", "人才基金", "人才专项经费使用管理办法",
                  "领导小组", "每季度召开一次", "会商制度", "企业人才工作信息员制度", "每年进行一次考核"):
        assert words in names, words
    assert 40 <= len(registry.commitments) <= 60


def test_every_quote_and_passage_is_the_plans_own_words_once(registry):
    text = measures_text(PLAN, registry.parts)
    assert len(registry.commitments) >= 40 and registry.not_a_commitment
    for passage in [c.quote for c in registry.commitments] + [n.text for n in registry.not_a_commitment]:
        assert text.count(passage) == 1, passage


def test_no_letter_of_parts_three_and_four_is_left_unread(registry):
    assert coverage_gaps(registry.file, registry.text) == []
    # every sentence of 三 and 四 (headings aside) overlaps a commitment or a listed passage
    covered = [c.quote for c in registry.commitments] + [n.text for n in registry.not_a_commitment]
    headings = {registry.section_title(k) for k in registry.sections} | {f"{p}、{h}" for p, h in registry.parts.items()}
    for sentence in (s for s in re.split(r"[。\n]", registry.text) if s.strip() and s.strip() not in headings):
        assert any(p in sentence or sentence in p for p in covered), sentence


@settings(max_examples=30)
@given(st.data())
def test_dropping_any_passage_leaves_a_gap_that_is_named(registry, data):
    """Whatever commitment or listed passage is removed, its words are reported as unread."""
    file = registry.file
    quotes = [("c", i) for i in range(len(file.commitments))] + [("n", i) for i in range(len(file.not_a_commitment))]
    kind, i = data.draw(st.sampled_from(quotes))
    if kind == "c":
        dropped, rest = file.commitments[i].quote, file.model_copy(update={"commitments": file.commitments[:i] + file.commitments[i + 1:]})
    else:
        dropped, rest = file.not_a_commitment[i].text, file.model_copy(
            update={"not_a_commitment": file.not_a_commitment[:i] + file.not_a_commitment[i + 1:]})
    gaps = coverage_gaps(rest, registry.text)
    others = [c.quote for c in rest.commitments] + [n.text for n in rest.not_a_commitment]
    if any(dropped in other for other in others):
        return  # another passage contains it: nothing becomes unread
    assert gaps and all(g in dropped for g in gaps)


def test_each_commitment_is_in_its_own_section_and_page(registry):
    for c in registry.commitments:
        section = registry.sections[c.section]
        before, quote, after = registry.sentence(c.quote)
        assert quote == c.quote and (before + quote + after) in registry.text
        assert c in registry.in_page(section.page)
    assert list(registry.pages) == ["s3-1", "s3-2", "s3-3", "s3-4", "s3-5", "s3-6", "s4"]
    assert registry.page_title("s3-4") == "4. 进一步完善和创新人才激励机制" and registry.page_title("s4") == "组织领导"


def test_responsible_bodies_are_as_the_plan_names_them(registry, config):
    by_id = registry.by_id
    assert by_id["talent-budget"].department == "区财政局"
    assert by_id["talent-apartments"].department == "区人才服务中心"
    assert by_id["quarterly-meeting"].frequency == "quarterly" and by_id["annual-assessment"].frequency == "yearly"
    assert registry.department_page(by_id["weekend-class"]) == "talent-office"  # 人才办 where the plan names none
    assert registry.department_page(by_id["talent-budget"]) is None  # 区财政局: no department page
    assert {d.department for d in registry.departments.values()} == set(config.vocabularies["departments"].names)


def test_every_key_is_documented_in_the_files_opening_comment():
    header = (paths.CONFIG_DIR / FILE_NAME).read_text(encoding="utf-8").split("\nstatuses:")[0]
    documented = set(re.findall(r"^#\s+([a-z_]+)\s", header, flags=re.M))
    assert set(RegistryFile.model_fields) <= documented


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(paths.CONFIG_DIR, folder)
    return folder


@pytest.mark.parametrize(("old", "new", "named"), [
    ("    kind: one_off\n  - id: training-credits", "    knd: one_off\n  - id: training-credits",
     ["commitments[0](cadre-training-plan).knd", "unknown key"]),
    ("quote: 坚持举办“周末课堂”", "quote: 坚持举办周末课堂", ["commitments[2](weekend-class).quote", "不是规划第三、四部分中的原文"]),
    ("quote: 探索建立*人才基金", "quote: 人才", ["talent-fund", "出现了"]),
    ("section: s3-6\n    name: 人才基金", "section: s3-5\n    name: 人才基金", ["talent-fund", "不在 sections.s3-5"]),
    ("    department: 区财政局\n", "    department: 财政局\n", ["talent-budget", "other_bodies"]),
    ("    kind: recurring\n    frequency: regular\n  - id: study-observers", "    kind: recurring\n  - id: study-observers",
     ["weekend-class", "frequency"]),
    ("frequency: quarterly\n", "frequency: monthly\n", ["quarterly-meeting", "未知的频次"]),
    ("tracked_by: [p8-graduates-recruited]", "tracked_by: [p8-graduates]", ["not_a_commitment", "p8-graduates"]),
    ("  - text: 争取省公开招募本科生到基层卫生院工作的名额\n", "  - text: 争取省公开招募本科生到基层卫生院工作的名额额\n",
     ["既不是任何措施的 quote", "争取省公开招募本科生到基层卫生院工作的名额"]),
    ("commerce: {department: 区工商联,", "commerce: {department: 区总工会,", ["departments.commerce.department", "不在部门词表"]),
    ("heading: 优化工作机制", "heading: 优化机制", ["sections.s4-2.heading"]),
    ("    in_form: false\n", "    in_form: true\n", ["in_form: false"]),
    ("departments_basis: 建立健全", "departments_basis: 建立", ["departments_basis", "不是规划原文"]),
])
def test_a_mistake_in_the_registry_names_the_file_and_the_key(tmp_path, config, old, new, named):
    folder = _copy(tmp_path)
    path = folder / FILE_NAME
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_commitments(config, PLAN, folder)
    message = err.value.message()
    assert FILE_NAME in message
    for word in named:
        assert word in message, message


def test_the_registry_survives_pickling(registry):
    """A build's outputs go between processes pickled (the tests' made_once): unpickling a Registry
    asked it for its `file` before it had one, and it recursed without end."""
    import pickle

    again = pickle.loads(pickle.dumps(registry))
    assert again.file == registry.file and again.commitments == registry.commitments
    assert [c.id for c in again.by_id.values()] == [c.id for c in registry.commitments]
