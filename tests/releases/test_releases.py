"""Dated releases (pipeline/releases/, pipeline/archive/): a closed release is stored in
data/releases and placed in the site byte for byte, never worked out again; a quarter is closed by
`make release` on its date, a closed release corrected only by `make reissue` (the original kept,
both carrying the 勘误 note); a late file counts from the next open quarter; the current chart
pages cite their release version; the receipt-date rule."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.archive.record import from_manifest, to_manifest
from pipeline.archive.store import ArchiveError, load_closed
from pipeline.basics import paths
from pipeline.basics.periods import Period
from pipeline.images.frame import svg_size
from pipeline.images.render import PAGE_MAX_TOTAL
from pipeline.ingest.receipts import Receipt, closing_date, read_register, receipts, release_of
from pipeline.releases.assemble import Request
from pipeline.releases.plan import next_quarter, plan_releases
from tests.conftest import TODAY, made_once, shared_images

SITE_URL = "https://rencai.example.gov.cn/"  # mkdocs.yml site_url (the example address)
SHIPPED = sorted(p.name for p in paths.RELEASES_DIR.iterdir() if (p / "manifest.json").is_file())
HEALTH_CHART = "p5-bachelors-trajectory"  # fed by the health bureau's files
CLOSE_2011Q1 = dt.date(2011, 5, 3)  # after 2011Q1's closing date (2011-04-30)
CORRECTION = "卫生局/卫生局_2010Q2_卫生人才引进（更正）.csv"  # a correction of a closed quarter, sent later
REISSUED_ON = dt.date(2011, 6, 1)


def _labels(site: Path) -> list[str]:
    return sorted((p.name for p in (site / paths.RELEASES_FOLDER).iterdir() if p.is_dir()),
                  key=lambda n: (Period.from_label(n.split("-r")[0]), n))


def _charts(site: Path) -> list[str]:
    return sorted(p.name for p in (site / "charts").iterdir() if (p / "index.html").is_file())


def version_folder(site: Path, label: str, chart_id: str) -> Path:
    """The folder of the chart's version cited in a release: its own, or (a chart that did not
    change) the earlier release's its short page points to."""
    folder = site / paths.RELEASES_FOLDER / label / "charts" / chart_id
    found = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', (folder / "index.html").read_text(encoding="utf-8"))
    return (folder / found.group(1)).resolve() if found else folder


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- the shipped closed releases ----------------------------------------------------------------------------


def test_the_shipped_releases_are_published_byte_for_byte(built):
    """A fresh clone's build places data/releases in the site as it is: nothing worked out again."""
    site = built["site"]
    assert SHIPPED and _labels(site) == SHIPPED
    for name in SHIPPED:
        stored, published = tree(paths.RELEASES_DIR / name), tree(site / paths.RELEASES_FOLDER / name)
        assert stored.keys() == published.keys() and [k for k in stored if stored[k] != published[k]] == [], name
    assert built["outputs"].stored == []


def test_each_release_has_one_date_on_or_after_its_closing_date(built):
    """The release page, its charts' CSVs and citations, and its briefing give one date: the day it
    was closed."""
    closed = load_closed(paths.RELEASES_DIR)
    assert [r.name for r in closed] == SHIPPED
    for release in closed:
        assert release.released_on >= release.closing, release.name
        folder = paths.RELEASES_DIR / release.name
        day = release.released_on
        index = (folder / "index.html").read_text(encoding="utf-8")
        assert f"发布日期 {day.year}年{day.month}月{day.day}日" in index
        # the list of releases gives it beside its closing date
        listed = (built["site"] / "releases" / "index.html").read_text(encoding="utf-8")
        row = listed[listed.index(f'href="{release.name}/"'):]
        row = row[:row.index("</tr>")]
        assert re.findall(r"<td>([^<]*)</td>", row)[:2] == [
            f"{d.year}年{d.month}月{d.day}日" for d in (release.closing, release.released_on)], row
        for csv in folder.glob("charts/*/*.csv"):
            table = pd.read_csv(csv, encoding="utf-8-sig", dtype=str)
            assert set(table["发布日期"]) == {day.isoformat()}, csv
        for page in folder.glob("charts/*/index.html"):
            text = page.read_text(encoding="utf-8")
            assert "[引用日期]" not in text or f"({day.isoformat()})" in text, page


def test_each_quarters_release_keeps_its_chart_pages_images_and_data(built):
    site = built["site"]
    charts = _charts(site)
    seen = 0
    for label in SHIPPED:
        release = site / paths.RELEASES_FOLDER / label
        assert f"{Period.from_label(label).label_zh}发布" in (release / "index.html").read_text(encoding="utf-8")
        for chart_id in charts:
            if not (release / "charts" / chart_id).is_dir():
                continue  # a chart the release has no data for yet (the teachers' before 2009Q3)
            folder = version_folder(site, label, chart_id)
            assert folder.parent.parent.parent.name == paths.RELEASES_FOLDER  # always an archived version
            assert Period.from_label(folder.parent.parent.name) <= Period.from_label(label)
            assert (folder / f"{chart_id}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert (folder / f"{chart_id}.svg").read_text(encoding="utf-8").lstrip().startswith("<svg")
            table = pd.read_csv(folder / f"{chart_id}.csv", encoding="utf-8-sig")
            assert len(table) and set(table["引用地址"]) == {f"{SITE_URL}{folder.relative_to(site).as_posix()}/"}
            seen += 1
    assert seen > 8 * 40  # every release, most charts
    # the latest release holds every chart of the current site
    assert all((site / paths.RELEASES_FOLDER / SHIPPED[-1] / "charts" / c / "index.html").is_file() for c in charts)


def test_a_release_keeps_its_own_stylesheets_and_embed_script(built):
    """A later change of the site's look cannot change a closed release: it links its own copies (its
    copy buttons too: release.js)."""
    assert len(SHIPPED) >= 8
    for name in SHIPPED:
        folder = paths.RELEASES_DIR / name
        assert sorted(p.name for p in (folder / "assets").iterdir()) == ["embed.css", "embed.js", "release.css", "release.js"]
        for page in [folder / "index.html", *folder.glob("charts/*/index.html"), *folder.glob("charts/*/embed/index.html")]:
            text = page.read_text(encoding="utf-8")
            assert "assets/stylesheets/" not in text and "assets/javascripts/" not in text, page


def test_a_chart_whose_content_did_not_change_is_stored_once(built):
    site = built["site"]
    shared = 0
    for before, after in zip(SHIPPED, SHIPPED[1:]):
        for chart in (site / paths.RELEASES_FOLDER / after / "charts").iterdir():
            folder = version_folder(site, after, chart.name)
            if folder != chart:  # a short page: no images or data of its own
                shared += 1
                assert sorted(p.name for p in chart.rglob("*")) == ["index.html"]
                assert Period.from_label(folder.parent.parent.name) <= Period.from_label(before)
    assert shared > 0


# -- the current site points to the releases -------------------------------------------------------


def test_the_current_chart_page_lists_the_charts_earlier_releases(built):
    site = built["site"]
    assert len(_charts(site)) >= 60
    for chart_id in _charts(site):
        page = (site / "charts" / chart_id / "index.html").read_text(encoding="utf-8")
        section = page.split('id="chart-releases"', 1)[1].split("</section>", 1)[0]
        links = re.findall(r'href="\.\./\.\./releases/(\d{4}Q\d)/charts/([^/]+)/"', section)
        own = [label for label in SHIPPED
               if (site / paths.RELEASES_FOLDER / label / "charts" / chart_id / f"{chart_id}.csv").is_file()]
        assert [label for label, _ in links] == own[::-1] and {c for _, c in links} == {chart_id}, chart_id
        assert "即本页现在显示的版本" in section  # the shipped data are the latest release's


def test_citations_embeds_and_downloads_give_the_release_address(built):
    site = built["site"]
    assert len(_charts(site)) >= 60
    for chart_id in _charts(site):
        folder = version_folder(site, SHIPPED[-1], chart_id)
        address = f"{SITE_URL}{folder.relative_to(site).as_posix()}/"
        page = (site / "charts" / chart_id / "index.html").read_text(encoding="utf-8")
        citation = page.split('id="share-url"', 1)[1][:600]
        assert address in citation, chart_id
        embed = re.search(r"&lt;iframe[^\n]*?src=(?:&#34;|&quot;)([^&]+)(?:&#34;|&quot;)", page)
        assert embed and embed.group(1) == address + "embed/", chart_id
        assert (folder / "embed" / "index.html").is_file()
        table = pd.read_csv(site / "charts" / chart_id / f"{chart_id}.csv", encoding="utf-8-sig")
        assert set(table["引用地址"]) == {address}


def test_the_change_log_links_each_release_and_its_briefing(built):
    site = built["site"]
    page = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    linked = re.findall(r'href="\.\./releases/(\d{4}Q\d)/"', page)
    assert linked == SHIPPED[::-1]
    assert re.findall(r'href="\.\./releases/(\d{4}Q\d)/briefing/"', page) == linked
    assert all((site / paths.RELEASES_FOLDER / label / "briefing" / "index.html").is_file() for label in linked)


# -- closing a quarter, and what no later change can alter ---------------------------------------------


def _closed_project(root: Path) -> dict:
    """A copy of the data folder with the 2011Q1 files (generated, received by 2011-04-30), built
    and closed by `make release` on CLOSE_2011Q1; then built again after a template, a threshold,
    a stylesheet and the chart renderer's output changed; then a correction of the closed 2010Q2
    sent and that release re-issued with it. The trees of each step."""
    from pipeline.build import build
    from tests.future import future

    future(root, "all", seed=5, through=closing_date(Period.from_label("2011Q1"), 1))
    raw, releases = root / "raw", root / "releases"
    cache = shared_images(root / "cache")
    first = build(raw, root / "site1", today=TODAY, keep_docs=None, cache_dir=cache,
                  request=Request(close=True, day=CLOSE_2011Q1))
    closed = {name: tree(releases / name) for name in sorted(p.name for p in releases.iterdir() if p.is_dir())}
    site1 = tree(root / "site1")
    changed = _change_everything_but_the_data(root)
    second = build(raw, root / "site2", today=TODAY, keep_docs=None, cache_dir=root / "cache2", **changed)
    site2 = tree(root / "site2")
    _send_correction(raw)
    third = build(raw, root / "site3", today=TODAY, keep_docs=None, cache_dir=cache,
                  request=Request(reissue="2010Q2", day=REISSUED_ON, take=(CORRECTION,),
                                  note="卫生局2010年第二季度报送的本科生人数有误，已按其更正文件重新计算"))
    return {"closed": closed, "site1": site1, "site2": site2, "stored": [r.name for r in first.stored],
            "reissued": [r.name for r in third.stored], "second_stored": second.stored,
            "problems1": [(p.code, p.file) for p in first.problems], "site3": root / "site3", "releases": releases}


def _change_everything_but_the_data(root: Path) -> dict:
    """A template, a threshold (config/method.yml), a stylesheet and the drawing of every chart
    (another plot width, no cached image) changed for the next build: the build's arguments."""
    from pipeline.images import render
    from pipeline.publish import render as pages_render

    templates = root / "templates"
    shutil.copytree(paths.PAGE_TEMPLATES_DIR, templates)
    for name in ("release_index.html.j2", "index.md.j2"):
        page = templates / name
        page.write_text(page.read_text(encoding="utf-8").replace("本期", "本次", 1), encoding="utf-8")
    docs = root / "docs-src"
    shutil.copytree(paths.DOCS_SRC_DIR, docs)
    css = docs / "assets" / "stylesheets" / "release.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody.release { color: #000; }\n", encoding="utf-8")
    config = root / "config"
    shutil.copytree(paths.CONFIG_DIR, config)
    method = config / "method.yml"
    text = method.read_text(encoding="utf-8")
    assert "0.95" in text
    method.write_text(text.replace("0.95", "0.9", 1), encoding="utf-8")
    paths.PAGE_TEMPLATES_DIR, paths.DOCS_SRC_DIR = templates, docs
    render.EXPORT_WIDTH = 600
    pages_render.environment.cache_clear()
    return {"config_dir": config}


def _send_correction(raw: Path) -> None:
    """卫生局 corrects its 2010Q2 file on 2011-05-20, after 2010Q2 was closed: 区人民医院 recruited
    5 bachelors, not 3."""
    text = (raw / CORRECTION.replace("（更正）", "")).read_text(encoding="utf-8")
    assert "区人民医院,2010年二季度,2010-07-07,0,—,３," in text
    text = text.replace("区人民医院,2010年二季度,2010-07-07,0,—,３,", "区人民医院,2010年二季度,2010-07-07,0,—,5,")
    (raw / CORRECTION).write_text(text.replace("2010-07-07", "2011-05-20"), encoding="utf-8")


@pytest.fixture(scope="module")
def closed_project(tmp_path_factory):
    import pipeline.images.render as render
    from pipeline.publish import render as pages_render

    saved = paths.PAGE_TEMPLATES_DIR, paths.DOCS_SRC_DIR, render.EXPORT_WIDTH
    try:
        return made_once(tmp_path_factory, "closed-project", _closed_project)
    finally:
        paths.PAGE_TEMPLATES_DIR, paths.DOCS_SRC_DIR, render.EXPORT_WIDTH = saved
        pages_render.environment.cache_clear()


@pytest.mark.build  # the module's builds (closed_project), made once for both workers
@pytest.mark.shares_build("closed-project")
def test_make_release_stores_the_quarter_and_leaves_the_earlier_ones_untouched(closed_project):
    closed = closed_project["closed"]
    assert closed_project["stored"] == ["2011Q1"] and list(closed) == [*SHIPPED, "2011Q1"]
    for name in SHIPPED:
        assert closed[name] == tree(paths.RELEASES_DIR / name), name
    manifest = json.loads(closed["2011Q1"]["manifest.json"])
    assert manifest["released_on"] == CLOSE_2011Q1.isoformat() and manifest["closing"] == "2011-04-30"
    assert manifest["code"].startswith(("git ", "sha256 ")) and manifest["published"]
    assert set(manifest["published"]) == set(closed["2011Q1"]) - {"manifest.json"}
    assert manifest["new_files"] and all("2011" in f for f in manifest["new_files"])  # the 2011Q1 files
    site = closed_project["site1"]
    assert {k.split("/")[1] for k in site if k.startswith("releases/")} == set(closed) | {"index.html"}  # and their list


@pytest.mark.build  # the module's builds (closed_project), made once for both workers
@pytest.mark.shares_build("closed-project")
def test_no_change_of_template_threshold_stylesheet_or_drawing_alters_a_closed_release(closed_project):
    before, after, closed = closed_project["site1"], closed_project["site2"], closed_project["closed"]
    for name, files in closed.items():
        published = {k.split("/", 2)[2]: v for k, v in after.items() if k.startswith(f"releases/{name}/")}
        assert published == files, name
    # ... while each change did reach the current site
    assert before["assets/stylesheets/release.css"] != after["assets/stylesheets/release.css"]
    assert "本次" in after["index.html"].decode() and "本次" not in before["index.html"].decode()
    svgs = [k for k in before if k.startswith("charts/") and k.endswith("/figure.svg")]
    same = [k for k in svgs if before[k] == after[k]]
    # a figure wider than the page's column either way is laid out to the column both times
    assert svgs and len(same) < len(svgs) / 2 and all(svg_size(after[k])[0] == PAGE_MAX_TOTAL for k in same)
    assert before["data/target_progress.csv"] != after["data/target_progress.csv"]  # the 0.9 threshold
    assert closed_project["second_stored"] == []


@pytest.mark.build  # the module's builds (closed_project), made once for both workers
@pytest.mark.shares_build("closed-project")
def test_a_reissue_keeps_the_original_and_adds_the_correction_with_the_erratum_on_both(closed_project):
    releases, site, closed = closed_project["releases"], closed_project["site3"], closed_project["closed"]
    assert closed_project["reissued"] == ["2010Q2-r1"]
    original, corrected = tree(releases / "2010Q2"), tree(releases / "2010Q2-r1")
    changed = sorted(k for k in original if original[k] != closed["2010Q2"][k])
    assert set(original) == set(closed["2010Q2"]) and changed
    assert all(k.endswith(".html") or k == "manifest.json" for k in changed)  # its images and data as they were
    when = f"{REISSUED_ON.year}年{REISSUED_ON.month}月{REISSUED_ON.day}日"
    for page in [k for k in original if k.endswith("index.html") and "embed/" not in k]:
        text = original[page].decode()
        assert f"勘误（{when}）" in text and "按其更正文件重新计算" in text, page
        link = re.search(r'class="erratum".*?href="([^"]+)"', text, re.S).group(1)
        assert (releases / "2010Q2" / page).parent.joinpath(link).resolve().is_relative_to((releases / "2010Q2-r1").resolve())
    index = corrected["index.html"].decode()
    assert f"勘误（{when}）" in index and 'href="../2010Q2/"' in index
    manifest = json.loads(original["manifest.json"])
    assert manifest["errata"] == [{"date": REISSUED_ON.isoformat(), "note": manifest["errata"][0]["note"],
                                   "corrected_in": "2010Q2-r1"}]
    assert json.loads(corrected["manifest.json"])["reissue_of"] == "2010Q2"

    def bachelors(folder: Path) -> dict:
        table = pd.read_csv(version_folder(site, folder.name, HEALTH_CHART) / f"{HEALTH_CHART}.csv", encoding="utf-8-sig")
        return dict(zip(table["报送期"], table["本期数（名）"]))

    was, now = bachelors(releases / "2010Q2"), bachelors(releases / "2010Q2-r1")
    assert now["2010Q2"] == was["2010Q2"] + 2 and {k: v for k, v in now.items() if k != "2010Q2"} == \
        {k: v for k, v in was.items() if k != "2010Q2"}
    changelog = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    assert "2010年第二季度发布（更正版 1）" in changelog


def _receipt(file: str, label: str) -> Receipt:
    return Receipt(file=file, received_on=closing_date(Period.from_label(label), 1), basis="due", release=label)


def test_a_file_is_its_bytes_a_rename_changes_no_release_and_a_late_file_goes_to_the_next_open_quarter():
    closed = load_closed(paths.RELEASES_DIR)
    last = closed[-1]
    found = {f: _receipt(f, "2009Q1") for f in last.files}
    renamed = dict(found)
    first = last.files[0]
    renamed[first.replace(".", "（副本）.", 1)] = renamed.pop(first)  # the same bytes under another name
    hashes = {f: last.file_hashes.get(f, last.file_hashes[first]) for f in renamed}
    late = "卫生局/卫生局_2010Q3_补报.csv"
    renamed[late], hashes[late] = _receipt(late, "2010Q3"), "0" * 64
    plan = plan_releases(renamed, hashes, closed)
    assert [p.file for p in plan.problems] == [late]  # the rename is no change; the late file is
    assert plan.release_of[late] == next_quarter(last.label) == "2011Q1" and plan.open_labels == ("2011Q1",)
    assert "下一期" in plan.problems[0].expected and "make reissue" in plan.problems[0].fix


def test_a_withdrawn_file_and_a_file_changed_in_place_are_one_warning_each():
    closed = load_closed(paths.RELEASES_DIR)
    last = closed[-1]
    gone, edited = last.files[0], last.files[1]
    found = {f: _receipt(f, "2009Q1") for f in last.files if f != gone}
    hashes = {f: ("1" * 64 if f == edited else last.file_hashes[f]) for f in found}
    plan = plan_releases(found, hashes, closed)
    found_text = {p.file: p.found for p in plan.problems}
    assert set(found_text) == {gone, edited} and len(plan.problems) == 2
    assert "已不在 data/raw 中" in found_text[gone] and "原件被改动过" in found_text[edited]


def test_a_manifest_reads_back_as_the_release_it_was_written_from():
    assert len(SHIPPED) >= 8
    for name in SHIPPED:
        data = json.loads((paths.RELEASES_DIR / name / "manifest.json").read_text(encoding="utf-8"))
        release = from_manifest(data)
        assert release.name == name and release.released_on >= release.closing
        again = json.loads(json.dumps(to_manifest(release), ensure_ascii=False, default=str))
        assert again == {k: v for k, v in data.items() if k != "published"}, name


@pytest.mark.parametrize("damage", ["change", "remove", "add"])
def test_a_closed_release_that_differs_from_its_manifest_stops_the_build_naming_the_file(tmp_path, damage):
    releases = tmp_path / "releases"
    shutil.copytree(paths.RELEASES_DIR / SHIPPED[0], releases / SHIPPED[0])
    page = releases / SHIPPED[0] / "index.html"
    if damage == "change":
        page.write_text(page.read_text(encoding="utf-8").replace("发布", "发布 ", 1), encoding="utf-8")
    elif damage == "remove":
        page.unlink()
    else:
        (releases / SHIPPED[0] / "extra.html").write_text("x", encoding="utf-8")
    with pytest.raises(ArchiveError) as caught:
        load_closed(releases)
    message = str(caught.value)
    assert ("extra.html" if damage == "add" else "index.html") in message and "git checkout" in message


@pytest.mark.parametrize(("day", "expected"), [
    (TODAY + dt.timedelta(days=1), "晚于今天"),
    (dt.date(2011, 1, 5), "早于上一期已封存"),
    (dt.date(2011, 3, 1), "没有可以封存的发布"),
])
def test_make_release_refuses_what_cannot_be_closed_with_one_message(tmp_path, day, expected):
    from pipeline.build import BuildFailed, build
    from tests.conftest import copy_raw

    raw = copy_raw(tmp_path)
    site = tmp_path / "site"
    with pytest.raises(BuildFailed) as caught:
        build(raw, site, today=TODAY, keep_docs=None, cache_dir=shared_images(tmp_path / "cache"),
              request=Request(close=True, day=day))
    assert expected in str(caught.value) and not site.exists()
    assert tree(tmp_path / "releases") == tree(paths.RELEASES_DIR)  # nothing stored


# -- the receipt-date rule (README, methodology page) ------------------------------------------------


@pytest.mark.parametrize(("quarter", "months_after", "closing"), [
    ("2010Q4", 1, dt.date(2011, 1, 31)),
    ("2009Q1", 1, dt.date(2009, 4, 30)),
    ("2010Q2", 0, dt.date(2010, 6, 30)),
    ("2010Q4", 2, dt.date(2011, 2, 28)),
    ("2011Q3", 1, dt.date(2011, 10, 31)),
])
def test_closing_date(quarter, months_after, closing):
    assert closing_date(Period.from_label(quarter), months_after) == closing


@pytest.mark.parametrize(("day", "release"), [
    (dt.date(2011, 1, 31), "2010Q4"),  # the closing day itself
    (dt.date(2011, 2, 1), "2011Q1"),  # a day later: the next release
    (dt.date(2010, 12, 31), "2010Q4"),
    (dt.date(2010, 10, 31), "2010Q3"),
    (dt.date(2010, 11, 1), "2010Q4"),
])
def test_the_release_a_receipt_date_falls_in(day, release):
    assert release_of(day, 1).label == release


@given(st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)), st.integers(0, 2))
def test_a_release_takes_a_file_by_its_closing_date_and_the_one_before_does_not(day, months_after):
    quarter = release_of(day, months_after)
    assert closing_date(quarter, months_after) >= day
    before = Period.quarter_of(quarter.start.year - (quarter.start.month == 1), (quarter.start.month - 4) % 12 // 3 + 1)
    assert closing_date(before, months_after) < day


# file, period end, date in the file and where it was read, registered -> receipt date, basis, release
RULES = [
    ("卫生局/a.csv", "2010-12-31", "2011-01-08", "written", None, "2011-01-08", "written", "2010Q4"),
    ("卫生局/b.csv", "2010-12-31", "2011-01-08", "written", "2011-02-03", "2011-02-03", "register", "2011Q1"),
    ("卫生局/c.csv", "2010-12-31", "2010-11-02", "workbook", None, "2011-01-15", "due", "2010Q4"),  # creation date: not used
    ("卫生局/d.csv", "2010-12-31", None, None, None, "2011-01-15", "due", "2010Q4"),
    ("卫生局/e.csv", "2010-09-30", "2011-02-10", "written", None, "2011-02-10", "written", "2011Q1"),  # a late file
    ("卫生局/f.csv", "2010-12-31", None, None, "2011-01-31", "2011-01-31", "register", "2010Q4"),
]


@pytest.mark.parametrize(("file", "period_end", "written", "written_from", "registered", "received", "basis", "release"), RULES)
def test_the_receipt_date_rule(tmp_path, config, file, period_end, written, written_from, registered, received, basis, release):
    raw = tmp_path / "raw"
    raw.mkdir()
    if registered:
        (raw / "收文登记.csv").write_text(f"文件,收文日期\n{file},{registered}\n", encoding="utf-8")
    register, problems = read_register(raw, config, TODAY, [file])
    submission = {"file": file, "source_id": "p5_health_recruitment", "coverage_end": dt.date.fromisoformat(period_end),
                  "submitted_on": dt.date.fromisoformat(written) if written else None, "submitted_from": written_from}
    found, warnings = receipts(config, [submission], [], 10, register, "收文登记.csv")
    got = found[file]
    assert (got.received_on.isoformat(), got.basis, got.release) == (received, basis, release)
    assert problems == warnings == []


@pytest.mark.parametrize(("text", "code", "row"), [
    ("文件,收文日期\n卫生局/x.csv,2011-01-09\n", "register_file_unknown", 2),
    ("文件,收文日期\na.csv,2011-01-09\na.csv,2011-01-12\n", "register_duplicate", 3),
    ("文件,收文日期\na.csv,2099-01-09\n", "register_date_future", 2),
    ("文件,收文日期\na.csv,下周一\n", "date_invalid", 2),
    ("文件名,日期\na.csv,2011-01-09\n", "register_columns", None),
])
def test_a_wrong_register_line_is_one_clear_message(tmp_path, config, text, code, row):
    (tmp_path / "收文登记.csv").write_text(text, encoding="utf-8")
    _, problems = read_register(tmp_path, config, TODAY, ["卫生局/a.csv"])
    assert [(p.code, p.file, p.row) for p in problems] == [(code, "收文登记.csv", row)]
    assert all(p.severity == "error" and p.fix for p in problems)


def test_a_register_date_before_the_period_ended_is_a_warning(config):
    from pipeline.ingest.receipts import Registered

    submission = {"file": "卫生局/a.csv", "source_id": "p5_health_recruitment", "coverage_end": dt.date(2010, 12, 31),
                  "submitted_on": None, "submitted_from": None}
    found, warnings = receipts(config, [submission], [], 10, {"卫生局/a.csv": Registered(dt.date(2010, 12, 1), 2)}, "收文登记.csv")
    assert found["卫生局/a.csv"].release == "2010Q4"
    assert [(w.code, w.severity, w.row) for w in warnings] == [("register_date_early", "warning", 2)]
