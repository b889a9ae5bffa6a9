"""make new-plan (issue 23): the shipped plan has ended and the example plan folder
(examples/plan-2012-2015) starts after it, in a copy of the project. The ended plan's pages are at
/plans/<id>/ as they were, its closed releases byte for byte at their addresses, its other
addresses lead to their copies, and the site is the new plan's."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pipeline.archive.plans import plan_id
from pipeline.basics import paths
from pipeline.basics.workdir import link_or_copy
from pipeline.config import load_config
from pipeline.new_plan import NewPlanRefused, start_new_plan
from tests.conftest import TODAY, made_once, shared_images
from tests.releases.test_plan_end import DEFINITIONS, PACE_WORDS

EXAMPLE = paths.ROOT / "examples" / "plan-2012-2015"

#: The tests share one build of the new plan (made_once): see conftest.pytest_collection_modifyitems.
pytestmark = pytest.mark.shares_build("new-plan")


def _project_copy(root: Path) -> Path:
    """The shipped plan's folder as staff have it: config/ and data/ (releases linked: never changed)."""
    project = root / "project"
    shutil.copytree(paths.CONFIG_DIR, project / "config")
    shutil.copytree(paths.PLAN_TEXT.parent, project / "data" / "plan")
    shutil.copytree(paths.RAW_DIR, project / "data" / "raw")
    shutil.copytree(paths.RELEASES_DIR, project / "data" / "releases", copy_function=link_or_copy)
    return project


def _start_and_build(root: Path) -> dict:
    from pipeline.build import build

    project = _project_copy(root)
    ended, folder = start_new_plan(EXAMPLE, TODAY, plan_dir=project, work_dir=root / "work")
    build(project / "data" / "raw", root / "site", config_dir=project / "config", today=TODAY, keep_docs=None,
          plan_text_file=project / "data" / "plan" / paths.PLAN_TEXT.name, cache_dir=shared_images(root / "cache"))
    return {"project": project, "site": root / "site", "archive": folder, "id": ended.id}


@pytest.fixture(scope="module")
def switched(tmp_path_factory):
    return made_once(tmp_path_factory, "new-plan", _start_and_build)


def _pages(site: Path) -> list[str]:
    """Every page of a built site but its releases (kept apart), the search page and 404."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("index.html")
                  if not p.relative_to(site).as_posix().startswith(("releases/", "plans/", "search/")))


def test_the_plan_is_archived_with_what_it_was_made_from_and_the_new_plan_takes_its_place(switched):
    project, archive = switched["project"], switched["archive"]
    config = load_config()
    assert switched["id"] == plan_id(config.plan.start, config.plan.end) and archive.parent.name == "plans"
    assert (archive / "source" / "config" / "plan.yml").read_bytes() == (paths.CONFIG_DIR / "plan.yml").read_bytes()
    assert sorted(p.name for p in (archive / "source" / "data" / "releases").iterdir()) == sorted(
        p.name for p in paths.RELEASES_DIR.iterdir())
    for part in ("config/plan.yml", "data/plan/strategy.zh.txt"):
        assert (project / part).read_bytes() == (EXAMPLE / part).read_bytes()
    assert sorted(p.name for p in (project / "data" / "raw").iterdir()) == sorted(
        p.name for p in (EXAMPLE / "data" / "raw").iterdir())


def test_every_page_of_the_ended_plan_is_at_its_permanent_address_with_its_final_result(switched, built):
    """The archive has every page of the ended plan's site as the last build before the switch made
    it (`built`: the same day), with the same figures from the same rows; its pages cite their
    permanent addresses, carry the archive's banner, and give the plan's final result: no target
    is judged by its pace (the shipped data end before the plan does: the sample site reads as a
    running plan, its last closed release's state; its archive as the ended plan it is)."""
    site, folder = switched["site"], f"plans/{switched['id']}/"
    before = _pages(built["site"])
    assert len(before) > 100 and _pages(site / folder) == before
    for table in ("observations.csv", "submissions.csv", "cleaning_log.csv"):
        assert (site / folder / "data" / table).read_bytes() == (built["site"] / "data" / table).read_bytes(), table
    site_url = re.search(r'<link rel="canonical" href="([^"]*)"', (built["site"] / "index.html").read_text(
        encoding="utf-8")).group(1)
    assert any(w in (built["site"] / "index.html").read_text(encoding="utf-8") for w in PACE_WORDS)
    for page in before:
        text = (site / folder / page).read_text(encoding="utf-8")
        if "<article" not in text:
            continue  # an embed page: no site around it, no banner
        assert f'<link rel="canonical" href="{site_url}{folder}{page.removesuffix("index.html")}">' in text, page
        assert "已存档" in text and "此后不再改变" in text, page
        if not page.startswith(DEFINITIONS):
            # what the last release closed while the plan ran said had changed, quoted as published
            quoted = re.sub(r'<section class="release-changes".*?</section>', "", text, flags=re.S)
            words = re.sub(r"<[^>]+>", "", quoted)
            assert not [w for w in PACE_WORDS if w in words], (page, [w for w in PACE_WORDS if w in words])
    assert "规划期已结束" in (site / folder / "index.html").read_text(encoding="utf-8")


def test_the_closed_releases_are_byte_for_byte_at_their_addresses(switched):
    site, folder = switched["site"], f"plans/{switched['id']}/"
    files = [p for p in paths.RELEASES_DIR.rglob("*") if p.is_file() and p.parent != paths.RELEASES_DIR]
    assert len(files) > 1000
    for stored in files:
        rel = stored.relative_to(paths.RELEASES_DIR)
        assert (site / "releases" / rel).read_bytes() == stored.read_bytes(), rel
        assert (site / folder / "releases" / rel).read_bytes() == stored.read_bytes(), rel


def test_the_ended_plans_other_addresses_lead_to_their_copies(switched, built):
    site, folder = switched["site"], f"plans/{switched['id']}/"
    own = {p for p in _pages(site) if 'http-equiv="refresh"' not in (site / p).read_text(encoding="utf-8")}
    led = [p for p in _pages(built["site"]) if p not in own]
    assert any(p.startswith("programmes/") for p in led) and any(p.startswith("charts/") for p in led)
    for page in led:
        text = (site / page).read_text(encoding="utf-8")
        where = page.removesuffix("index.html")
        target = "../" * where.count("/") + folder + where
        assert f'http-equiv="refresh" content="0; url={target}"' in text, page
        assert ((site / page).parent / target / "index.html").resolve().is_file(), page


def test_the_site_is_the_new_plans_and_links_the_ended_one(switched):
    site, folder = switched["site"], f"plans/{switched['id']}/"
    new = load_config(EXAMPLE / "config")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f"<title>首页 - {new.site.site_name}</title>" in home
    old = load_config()
    assert f'href="{folder}"' in home and f"《{old.plan.title}》" in home and "往期规划" in home
    for programme in new.programmes:
        assert (site / "programmes" / programme.id / "index.html").is_file()
    # The new plan has closed no release yet: the list of releases is the ended plan's
    releases = (site / "releases" / "index.html").read_text(encoding="utf-8")
    assert f'http-equiv="refresh" content="0; url=../{folder}releases/"' in releases


def test_a_new_plan_is_refused_before_the_end_or_when_its_folder_is_not_right(tmp_path):
    """Nothing is built nor moved when the new plan cannot start: each refusal says why, in Chinese."""
    project = tmp_path / "project"
    shutil.copytree(paths.CONFIG_DIR, project / "config")
    end = load_config().plan.end
    with pytest.raises(NewPlanRefused, match="结束以后才能开始新规划"):
        start_new_plan(EXAMPLE, end, plan_dir=project, work_dir=tmp_path / "work")
    with pytest.raises(NewPlanRefused, match="缺少 data/plan/、data/raw/"):
        start_new_plan(_only_config(tmp_path / "incoming"), TODAY, plan_dir=project, work_dir=tmp_path / "work")
    early = tmp_path / "early"
    shutil.copytree(EXAMPLE / "config", early / "config")
    shutil.copytree(EXAMPLE / "data" / "plan", early / "data" / "plan")
    (early / "data" / "raw").mkdir()
    plan_yml = early / "config" / "plan.yml"
    new_start = load_config(EXAMPLE / "config").plan.start
    plan_yml.write_text(plan_yml.read_text(encoding="utf-8").replace(
        f"start: {new_start.isoformat()}", f"start: {end.isoformat()}", 1), encoding="utf-8")
    with pytest.raises(NewPlanRefused, match="应在现行规划结束"):
        start_new_plan(early, TODAY, plan_dir=project, work_dir=tmp_path / "work")
    plan_yml.write_text(plan_yml.read_text(encoding="utf-8").replace("site:", "site_:", 1), encoding="utf-8")
    with pytest.raises(NewPlanRefused, match="(?s)配置检查未通过.*plan.yml：site：缺少必填项"):
        start_new_plan(early, TODAY, plan_dir=project, work_dir=tmp_path / "work")
    assert (project / "config" / "plan.yml").read_bytes() == (paths.CONFIG_DIR / "plan.yml").read_bytes()
    assert not (project / "data").exists()


def _only_config(folder: Path) -> Path:
    shutil.copytree(EXAMPLE / "config", folder / "config")
    return folder
