"""MkDocs' conversion of pages remembered between builds (pipeline/generator/page_cache.py): a page whose
Markdown is unchanged is not converted again, and the site is the same as without the cache,
byte for byte (links between pages and to their anchors included)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from pipeline.generator.page_cache import context_key, remembered_pages
from tests.top.test_rebuilds import differences

PAGES = {
    "index.md": "# 首页\n\n见[人才](people.md#引进)与[附表](more/table.md)。\n",
    "people.md": "# 人才\n\n## 引进\n\n共 20 人。\n\n## 培养\n\n见[首页](index.md)。\n",
    "more/table.md": "# 附表\n\n| 项 | 数 |\n| --- | --- |\n| 甲 | 1 |\n\n[回到引进](../people.md#引进)\n",
}


@pytest.fixture(autouse=True)
def _fixed_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1262304000")  # as a build sets it (the theme prints the date)


def _site(tmp_path: Path, name: str, pages: dict[str, str], cache: Path | None) -> tuple[Path, dict[str, int]]:
    docs, site = tmp_path / name / "docs", tmp_path / name / "site"
    for rel, text in pages.items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, encoding="utf-8")
    yml = tmp_path / name / "mkdocs.yml"
    yml.write_text(f"site_name: 测试\ndocs_dir: {docs}\nsite_dir: {site}\ntheme: mkdocs\nstrict: true\n"
                   "markdown_extensions: [toc, tables]\n", encoding="utf-8")
    settings = tmp_path / "settings.yml"  # what the conversions depend on (the project's mkdocs.yml in a build)
    settings.write_text("markdown_extensions: [toc, tables]\n", encoding="utf-8")
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    with remembered_pages(cache, context_key(settings)) as counts:
        mkdocs_build(load_config(config_file=str(yml)))
    return site, counts


@pytest.mark.parametrize(("changed", "converted"), [
    ({}, 0),  # nothing changed: every page reused
    ({"people.md": PAGES["people.md"].replace("20", "21")}, 1),  # one page's figure
    ({"people.md": PAGES["people.md"].replace("## 引进", "## 引才")}, 1),  # an anchor another page links to
    ({"new.md": "# 新页\n\n[首页](index.md)\n"}, 4),  # a new file: every page's links are checked again
])
def test_a_rebuild_converts_only_what_changed_and_gives_the_same_site(tmp_path, changed, converted):
    cache = tmp_path / "cache"
    _, first = _site(tmp_path, "first", PAGES, cache)
    assert first == {"converted": 3, "reused": 0}
    pages = {**PAGES, **changed}
    again, counts = _site(tmp_path, "again", pages, cache)
    assert counts == {"converted": converted, "reused": len(pages) - converted}
    clean, _ = _site(tmp_path, "clean", pages, None)
    assert differences(again, clean) == []


def test_a_build_that_failed_leaves_the_remembered_pages_as_they_were(tmp_path):
    cache = tmp_path / "cache"
    _site(tmp_path, "first", PAGES, cache)
    before = (cache / "pages.pickle").read_bytes()
    with pytest.raises(Abort):  # strict: a link to no page stops the build
        _site(tmp_path, "broken", {**PAGES, "index.md": "# 首页\n\n[无此页](missing.md)\n"}, cache)
    assert (cache / "pages.pickle").read_bytes() == before
