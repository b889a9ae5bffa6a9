"""An ended plan's archive (pipeline/archive/plans.py): stored whole with its sources, checked
against its manifest at every build, and placed in a new plan's site so that every address of the
ended plan still answers (small made-up sites; the whole path is tests/top/test_new_plan.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.archive.plans import EndedPlan, load_ended, place_ended, plan_id, store_plan
from pipeline.archive.store import ArchiveError

ENDED = EndedPlan(id=plan_id(dt.date(2009, 1, 1), dt.date(2011, 12, 31)), title="某规划", site_name="某规划进展",
                  start=dt.date(2009, 1, 1), end=dt.date(2011, 12, 31), archived_on=dt.date(2012, 2, 1))
URL = "https://example.gov.cn/"


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def archived(tmp_path):
    """A plan folder whose ended plan was archived: its built site and its sources."""
    built = _write(tmp_path / "built", {
        "index.html": "旧首页", "programmes/p1/index.html": "旧工程一", "charts/a/index.html": "旧图表",
        "charts/a/a.png": "png", "data/old.csv": "csv", "releases/index.html": "发布列表", "releases/2011Q4/index.html": "发布",
        "releases/2011Q4/manifest.json": "{}"})
    plan = _write(tmp_path / "plan", {"config/plan.yml": "plan: {}", "data/raw/部门/a.csv": "1",
                                      "data/releases/2011Q4/manifest.json": "{}"})
    sources = {"config": plan / "config", "data/raw": plan / "data" / "raw", "data/releases": plan / "data" / "releases",
               "data/plan": plan / "data" / "plan"}  # no data/plan: a part that is not there is left out
    folder = store_plan(plan / "data" / "plans", ENDED, built, sources)
    return {"folder": folder, "plans": plan / "data" / "plans", "plan": plan}


def test_an_archive_holds_the_site_and_the_sources_moved_with_a_manifest_of_every_file(archived):
    folder, plan = archived["folder"], archived["plan"]
    assert folder.name == "2009-2011"
    assert (folder / "site" / "programmes" / "p1" / "index.html").read_text(encoding="utf-8") == "旧工程一"
    assert (folder / "source" / "data" / "raw" / "部门" / "a.csv").read_text(encoding="utf-8") == "1"
    assert not (plan / "config").exists() and not (plan / "data" / "raw").exists()  # moved, not copied
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["files"]) == 8 + 3 and manifest["title"] == "某规划" and manifest["end"] == "2011-12-31"
    assert load_ended(archived["plans"]) == [ENDED]


def test_a_second_archive_of_the_same_plan_is_refused_and_nothing_moves(archived, tmp_path):
    again = _write(tmp_path / "again", {"config/plan.yml": "x"})
    with pytest.raises(ArchiveError, match="已经存档过"):
        store_plan(archived["plans"], ENDED, archived["folder"] / "site", {"config": again / "config"})
    assert (again / "config" / "plan.yml").exists()


@pytest.mark.parametrize("damage, named", [
    (lambda f: (f / "site" / "index.html").write_text("改过", encoding="utf-8"), "index.html（内容与存档时不同）"),
    (lambda f: (f / "source" / "data" / "raw" / "部门" / "a.csv").unlink(), "a.csv（缺少）"),
    (lambda f: (f / "site" / "extra.html").write_text("多", encoding="utf-8"), "extra.html（多出）"),
    (lambda f: (f / "manifest.json").write_text("{", encoding="utf-8"), "无法读取"),
])
def test_a_changed_archive_stops_the_build_naming_the_file(archived, damage, named):
    damage(archived["folder"])
    with pytest.raises(ArchiveError, match="git checkout") as caught:
        load_ended(archived["plans"])
    assert named in str(caught.value)


def test_a_renamed_archive_is_refused(archived):
    archived["folder"].rename(archived["plans"] / "2009-2012")
    with pytest.raises(ArchiveError, match="不能改名"):
        load_ended(archived["plans"])


def test_every_address_of_the_ended_plan_still_answers(archived, tmp_path):
    """The new plan's own files stay; the ended plan's site is at /plans/<id>/; its releases and
    other files are themselves at their old addresses; its pages there lead to their copies."""
    site = _write(tmp_path / "site", {"index.html": "新首页", "programmes/p1/index.html": "新工程一"})
    led = place_ended(load_ended(archived["plans"]), archived["plans"], site, "plans", "releases", URL)
    assert (site / "index.html").read_text(encoding="utf-8") == "新首页"
    assert (site / "programmes" / "p1" / "index.html").read_text(encoding="utf-8") == "新工程一"  # the new plan's
    assert (site / "plans" / "2009-2011" / "programmes" / "p1" / "index.html").read_text(encoding="utf-8") == "旧工程一"
    assert (site / "releases" / "2011Q4" / "index.html").read_text(encoding="utf-8") == "发布"
    assert (site / "charts" / "a" / "a.png").read_text(encoding="utf-8") == "png"
    assert (site / "data" / "old.csv").read_text(encoding="utf-8") == "csv"
    assert led == ["charts/a/", "releases/"]  # pages lead to their copies; a release's own pages are themselves
    page = (site / "charts" / "a" / "index.html").read_text(encoding="utf-8")
    assert 'content="0; url=../../plans/2009-2011/charts/a/"' in page
    assert f'<link rel="canonical" href="{URL}plans/2009-2011/charts/a/">' in page
    assert "某规划" in page and "2011年12月31日结束" in page
    assert (site / "charts" / "a" / "../../plans/2009-2011/charts/a/index.html").resolve().is_file()


def test_no_archive_no_change(tmp_path):
    assert load_ended(tmp_path / "plans") == []
    site = _write(tmp_path / "site", {"index.html": "新首页"})
    assert place_ended([], tmp_path / "plans", site, "plans", "releases", URL) == []
    assert [p.name for p in site.iterdir()] == ["index.html"]
