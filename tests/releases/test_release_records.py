"""A release made now, and what it changed (pipeline/releases/make.py, content.py, pages.py;
pipeline/analyse/changes.py), on the shipped site: a chart whose content is the latest release's
is cited there and not stored again; a changed one gets a version of its own; 本期变化 compares two
snapshots.

The sample plan's ids, years and departments are named here on purpose: these tests pin the
sample plan's published figures (config/ and data/raw as shipped), not a property of any plan."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from pipeline.analyse.changes import changes, snapshot
from pipeline.archive.store import load_closed
from pipeline.basics import paths
from pipeline.images.render import render_images
from pipeline.publish.share import chart_footers
from pipeline.releases.content import content_key, content_keys
from pipeline.releases.make import current_releases, make_release
from pipeline.releases.pages import FROZEN_ASSETS, release_files

DAY = dt.date(2011, 5, 3)


@pytest.fixture(scope="module")
def closed():
    return tuple(load_closed(paths.RELEASES_DIR))


@pytest.fixture(scope="module")
def site(built):
    return built["outputs"].site


def _retitled(site, chart_id: str):
    """The site with one chart's words changed (its content, not its figures)."""
    charts = [dataclasses.replace(c, summary=c.summary + "（改）") if c.chart_id == chart_id else c for c in site.charts]
    return dataclasses.replace(site, charts=charts)


def test_a_chart_is_its_content_not_its_address_nor_its_date(site):
    chart = site.charts[0]
    moved = dataclasses.replace(site, settings={**site.settings, "site_url": "https://elsewhere.example.org/"})
    assert content_key(moved, chart) == content_key(site, chart)
    assert content_key(_retitled(site, chart.chart_id), _retitled(site, chart.chart_id).charts[0]) != content_key(site, chart)


def test_the_current_site_cites_the_latest_release_only_where_its_content_is_that_versions(site, closed):
    latest = closed[-1]
    same = current_releases(site, closed, None, None)
    assert same.cited == {c: latest.versions[c] for c in content_keys(site)} and len(same.cited) == len(site.charts)
    assert same.changes == latest.changes  # the current site is that release: its own 本期变化
    chart_id = site.charts[0].chart_id
    changed = current_releases(_retitled(site, chart_id), closed, "2011Q1", dt.date(2011, 4, 30))
    assert chart_id not in changed.cited and len(changed.cited) == len(site.charts) - 1
    assert changed.chart_path(chart_id) is None  # its own current page
    assert changed.open_label == "2011Q1" and not changed.changes.first


def test_a_release_made_now_stores_only_the_charts_that_changed(site, closed):
    chart_id = site.charts[0].chart_id
    files = list(closed[-1].files)
    made = make_release(_retitled(site, chart_id), "2011Q1", dt.date(2011, 4, 30), files, closed[-1].file_hashes,
                        closed, DAY, "git test")
    release = made.release
    own = [c for c, v in release.versions.items() if v == "2011Q1"]
    assert own == [chart_id] and release.released_on == DAY and release.new_files == ()
    assert all(v == closed[-1].versions[c] for c, v in release.versions.items() if c != chart_id)
    assert made.site.releases.shown == "2011Q1" and made.site.releases.this is release


def test_a_release_s_files_keep_their_own_stylesheets_and_point_unchanged_charts_to_their_version(site, closed, tmp_path):
    chart_id = site.charts[0].chart_id
    made = make_release(_retitled(site, chart_id), "2011Q1", dt.date(2011, 4, 30), list(closed[-1].files),
                        closed[-1].file_hashes, closed, DAY, "git test")
    changed = [c for c in made.site.charts if c.chart_id == chart_id]
    images, _ = render_images(changed, chart_footers(made.site), tmp_path)
    files, pngs = release_files(dataclasses.replace(made.site, images=images), made.release)
    assert set(pngs) == {f"releases/2011Q1/charts/{chart_id}/{chart_id}.png"}
    assert {f"releases/2011Q1/assets/{name.rsplit('/', 1)[1]}" for name in FROZEN_ASSETS} <= set(files)
    stubs = [p for p in files if p.startswith("releases/2011Q1/charts/") and p.endswith("/index.html") and p.count("/") == 4]
    assert len(stubs) == len(site.charts)  # a page per chart: its own, or a short one
    for path in stubs:
        page = files[path].decode("utf-8")
        cid = path.split("/")[3]
        assert ("http-equiv=\"refresh\"" in page) == (cid != chart_id), cid
        assert "assets/stylesheets/" not in page and "../../assets/release.css" in page


def test_changes_name_the_status_moves_new_files_and_new_figures(site, closed):
    before = closed[-2].snapshot
    now = snapshot(site, closed[-1].closing, site.config)
    found = changes(before, now, site.config)
    moved_targets = {t for t, v in now.targets.items() if before.targets[t]["status"] != v["status"]}
    assert {m["name"] for m in found.status_moves} == {now.targets[t]["name"] for t in moved_targets}
    assert {f["file"] for f in found.new_files} == set(now.files) - set(before.files) and found.new_files
    assert all(p == "2010年第四季度" or "2010" in p for p in (f["period"] for f in found.new_figures))
    first = changes(None, now, site.config)
    assert first.first and len(first.new_files) == len(now.files) and not first.status_moves
    assert changes(now, now, site.config).nothing
