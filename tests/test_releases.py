"""Dated releases (pipeline/ingest/receipts.py, releases.py, release_pages.py): every quarter's release
kept at /releases/<quarter>/ with its chart pages and downloads; a release made from data/raw
alone, from the files received by its closing date (a later file is absent from it, and changes
no earlier release); the current chart pages list their earlier releases; citations and embeds
give the release address; the change log links each release; the receipt-date rule."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.basics import paths
from pipeline.basics.periods import Period
from pipeline.ingest.receipts import closing_date, read_register, receipts, release_of
from tests.conftest import TODAY, copy_raw, made_once, shared_images

SITE_URL = "https://rencai.example.gov.cn/"  # mkdocs.yml site_url (the example address)
LATE_FILE = "卫生局/卫生局_2010Q4_卫生人才引进.csv"
LATE_DAY = dt.date(2011, 2, 20)  # after 2010Q4's closing date (2011-01-31)
HEALTH_CHART = "p5-bachelors-trajectory"  # fed by the health bureau's files
CORRECTION = "卫生局/卫生局_2010Q3_卫生人才引进（更正）.csv"  # dated 2010-10-23 in the file: release 2010Q3


def _submissions(site: Path) -> pd.DataFrame:
    return pd.read_csv(site / "data" / "submissions.csv", encoding="utf-8-sig", dtype=str)


def _labels(site: Path) -> list[str]:
    return sorted((p.name for p in (site / paths.RELEASES_FOLDER).iterdir()), key=Period.from_label)


def _charts(site: Path) -> list[str]:
    return sorted(p.name for p in (site / "charts").iterdir() if (p / "index.html").is_file())


def version_folder(site: Path, label: str, chart_id: str) -> Path:
    """The folder of the chart's version cited in a release: its own, or (a chart that did not
    change) the earlier release's its short page points to."""
    folder = site / paths.RELEASES_FOLDER / label / "charts" / chart_id
    found = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', (folder / "index.html").read_text(encoding="utf-8"))
    return (folder / found.group(1)).resolve() if found else folder


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def late(tmp_path_factory):
    """Two builds from a copy of data/raw: without the health bureau's 2010Q3 correction, then
    with it put back and a receipts register saying the bureau's 2010Q4 file came on LATE_DAY
    (their own release cache; chart images shared, they are content-addressed). The second
    build's site, and its problems."""
    from pipeline.build import build

    def builds(root: Path) -> tuple[Path, list]:
        raw = copy_raw(root)
        held = root / "held"
        held.mkdir()
        shutil.move(raw / CORRECTION, held / "correction.csv")
        cache = shared_images(root / "cache")
        build(raw, root / "first", today=TODAY, keep_docs=None, cache_dir=cache)
        shutil.move(held / "correction.csv", raw / CORRECTION)
        (raw / "收文登记.csv").write_text(f"文件,收文日期,经办人\n{LATE_FILE},{LATE_DAY.isoformat()},收发室\n", encoding="utf-8")
        outputs = build(raw, root / "site", today=TODAY, keep_docs=None, cache_dir=cache)
        return root / "site", outputs.problems

    return made_once(tmp_path_factory, "late", builds)  # the tests read the site, never change it


@pytest.fixture(scope="module")
def late_site(late):
    return late[0]


# -- every quarter's release, with its charts and downloads ---------------------------------------


def test_each_quarters_release_keeps_its_chart_pages_images_and_data(built):
    site = built["site"]
    quarters = sorted(set(_submissions(site)["release"].dropna()), key=Period.from_label)
    assert _labels(site) == quarters and quarters[0] == "2009Q1" and quarters[-1] == "2010Q4"
    charts = _charts(site)
    for label in quarters:
        release = site / paths.RELEASES_FOLDER / label
        page = (release / "index.html").read_text(encoding="utf-8")
        assert f"{Period.from_label(label).label_zh}发布" in page
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
    # the latest release holds every chart of the current site
    assert all((site / paths.RELEASES_FOLDER / quarters[-1] / "charts" / c / "index.html").is_file() for c in charts)


def test_a_chart_whose_content_did_not_change_is_stored_once(built):
    site = built["site"]
    labels = _labels(site)
    shared = 0
    for before, after in zip(labels, labels[1:]):
        for chart in (site / paths.RELEASES_FOLDER / after / "charts").iterdir():
            folder = version_folder(site, after, chart.name)
            if folder != chart:  # a short page: no images or data of its own
                shared += 1
                assert sorted(p.name for p in chart.rglob("*")) == ["index.html"]
                assert Period.from_label(folder.parent.parent.name) <= Period.from_label(before)
    assert shared > 0


# -- made from the files received by the closing date, from data/raw alone ---------------------------------


@pytest.mark.build  # the module's two builds (late)
def test_a_file_received_after_a_releases_closing_date_is_absent_from_it(late_site, built):
    late = late_site
    subs = _submissions(late).set_index("file")
    assert subs.loc[LATE_FILE, ["received_on", "received_basis", "release"]].tolist() == [LATE_DAY.isoformat(), "register", "2011Q1"]
    assert _labels(late) == _labels(built["site"]) + ["2011Q1"]

    def health(site: Path, label: str) -> dict:
        table = pd.read_csv(version_folder(site, label, HEALTH_CHART) / f"{HEALTH_CHART}.csv", encoding="utf-8-sig")
        return dict(zip(table["报送期"], table["累计（名）"]))

    current = pd.read_csv(built["site"] / "charts" / HEALTH_CHART / f"{HEALTH_CHART}.csv", encoding="utf-8-sig")
    want = dict(zip(current["报送期"], current["累计（名）"]))
    assert "2010Q4" in want
    assert health(late, "2010Q4") == {p: v for p, v in want.items() if p != "2010Q4"}  # without the late file
    assert health(late, "2011Q1") == want  # the release of the quarter it came in takes it
    assert health(built["site"], "2010Q4") == want
    page = (late / paths.RELEASES_FOLDER / "2010Q4" / "index.html").read_text(encoding="utf-8")
    files = (built["site"] / paths.RELEASES_FOLDER / "2010Q4" / "index.html").read_text(encoding="utf-8")
    count = re.compile(r"以前收到的 (\d+) 个")
    assert int(count.search(page).group(1)) == int(count.search(files).group(1)) - 1


@pytest.mark.build  # the module's two builds (late)
def test_a_later_file_changes_no_earlier_release_and_a_rebuild_makes_the_same_files(late_site, built):
    late = late_site
    for label in _labels(built["site"])[:-1]:  # made again in the other build, with its own cache
        a = _tree(built["site"] / paths.RELEASES_FOLDER / label)
        b = _tree(late / paths.RELEASES_FOLDER / label)
        assert a.keys() == b.keys() and [k for k in a if a[k] != b[k]] == [], label


@pytest.mark.build  # the module's two builds (late)
def test_a_file_that_would_change_a_closed_release_is_a_warning_naming_it(late):
    """The correction came back after 2010Q3's release was closed (2010Q4's existed): it changes
    2010Q3, and the warning says how to keep the release (the register). The file registered as
    late goes to a new release and changes none."""
    _, problems = late
    changed = [p for p in problems if p.code == "release_changed"]
    assert [(p.file, p.severity) for p in changed] == [(CORRECTION, "warning")]
    assert "2010年第三季度发布" in changed[0].found and "收文登记" in changed[0].fix


def test_releases_built_from_other_files_are_not_compared_as_the_last_build(tmp_path, config):
    """The cache holds the releases of the last build. Built from another folder (staff trying
    files with --raw, or a test), they are not the published ones of data/raw: no warning that a
    file of data/raw is "no longer there" or "would change" them; built from data/raw, they are,
    with one warning per file naming every release it changes."""
    import json
    import pickle

    from pipeline.analyse.commitments import read_commitments
    from pipeline.build import load_site_settings
    from pipeline.ingest.files import read_all
    from pipeline.releases.dated import LAST_BUILD_FILE, Release, ReleaseBuild

    folder = tmp_path / "cache" / "releases"
    folder.mkdir(parents=True)
    tried = "人事局/试算用的名单.csv"
    for label in ("2009Q1", "2009Q2", "2010Q4"):  # closed releases (a later one exists) that took a file data/raw lacks
        old = Release(label=label, closing=dt.date(2000, 1, 1), key=label, files=(tried,), new_files=(tried,),
                      as_of=None, released_on=None, good=0, total=0, counts={}, versions={}, contents={},
                      charts={}, snapshot=None, changes=None)
        (folder / f"{label}.pickle").write_bytes(pickle.dumps((old, {})))
    plan_text = paths.PLAN_TEXT.read_text(encoding="utf-8")
    results, _ = read_all(paths.RAW_DIR, config, TODAY)
    commitments = read_commitments(paths.RAW_DIR, config, plan_text, TODAY, paths.CONFIG_DIR)

    def warned(last_built_from: Path) -> dict[str, str]:
        (folder / LAST_BUILD_FILE).write_text(json.dumps({"raw": str(last_built_from.resolve())}), encoding="utf-8")
        planned = ReleaseBuild(paths.RAW_DIR, config, TODAY, results, commitments, load_site_settings(), plan_text,
                               tmp_path / "cache")
        found = [(p.file, p.found) for p in planned.problems if p.code == "release_changed"]
        assert len(found) == len(dict(found))
        return dict(found)

    assert warned(tmp_path / "raw") == {}
    assert warned(paths.RAW_DIR)[tried] == "这个文件已不在 data/raw 中，已发布的2009年第一季度至2009年第二季度的 2 期季度发布中由它算出的数字会改变"


# -- the current site points to the releases -------------------------------------------------------


def test_the_current_chart_page_lists_the_charts_earlier_releases(built):
    site = built["site"]
    for chart_id in _charts(site):
        page = (site / "charts" / chart_id / "index.html").read_text(encoding="utf-8")
        section = page.split('id="chart-releases"', 1)[1].split("</section>", 1)[0]
        links = re.findall(r'href="\.\./\.\./releases/(\d{4}Q\d)/charts/([^/]+)/"', section)
        own = [label for label in _labels(site)
               if (site / paths.RELEASES_FOLDER / label / "charts" / chart_id / f"{chart_id}.csv").is_file()]
        assert [label for label, _ in links] == own[::-1] and {c for _, c in links} == {chart_id}, chart_id


def test_citations_embeds_and_downloads_give_the_release_address(built):
    site = built["site"]
    latest = _labels(site)[-1]
    for chart_id in _charts(site):
        folder = version_folder(site, latest, chart_id)
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
    assert linked == _labels(site)[::-1]
    assert re.findall(r'href="\.\./releases/(\d{4}Q\d)/briefing/"', page) == linked
    assert all((site / paths.RELEASES_FOLDER / label / "briefing" / "index.html").is_file() for label in linked)


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
