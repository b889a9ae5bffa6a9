"""What readers and journalists take away: one address per chart everywhere it is given, QR codes
that open it, a portrait image for phone feeds, reuse terms, the site-address guard, the
government-site footer links, chart titles that say how often their figures come, and a search
index that keeps runs of text whole."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import logging
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from pipeline.analyse.cadence import progress_word
from pipeline.basics import paths
from pipeline.build import DataErrors, build, load_site_settings
from pipeline.generator.search_index import WORD_MARK, whole_runs
from pipeline.images.frame import text_width
from pipeline.images.portrait import address_lines
from pipeline.publish.share import (
    SettingsError,
    chart_footers,
    check_settings,
    citations,
    cited_url,
    footer_links,
    licence,
    portraits,
)
from tests.conftest import TODAY, copy_raw

ADDRESS = re.compile(r"https?://[^\s\"'<>）)，。]+")


def _qr_text(png: bytes | Image.Image) -> list[str]:
    import zxingcpp

    image = png if isinstance(png, Image.Image) else Image.open(io.BytesIO(png))
    return [r.text for r in zxingcpp.read_barcodes(image)]


@pytest.fixture(scope="module")
def site(built):
    return built["outputs"].site


def test_every_address_a_chart_gives_is_the_one_cited_address(built, site):
    """Citations, the embed snippet, the QR code, the CSV and its metadata, the Vega-Lite file,
    the exported images and the portrait all give the address of `share.cited_url` (and the
    embed page beside it): when that one function changes, they all do."""
    import vl_convert

    footers = chart_footers(site)
    frames = portraits(site, footers)
    published = built["outputs"].files  # everything the build wrote under docs/
    assert len(site.charts) >= 60
    for chart in site.charts:
        url = cited_url(site, chart)
        folder = f"charts/{chart.chart_id}/"
        files = {name: content for name, content in published.items() if name.startswith(folder)}
        texts = [*citations(site, chart).values(), *footers[chart.chart_id],
                 frames[chart.chart_id].url, *frames[chart.chart_id].source]
        texts += [content.decode("utf-8-sig") for name, content in files.items()
                  if name.endswith((".md", ".svg", ".csv", ".json", ".html"))
                  and not name.endswith(("chart.json", "chart-narrow.json", "figure.svg", "figure-narrow.svg", "qr.svg"))]
        given_addresses = {a.rstrip(".").removesuffix("embed/") for text in texts for a in ADDRESS.findall(html.unescape(text))
                           if f"charts/{chart.chart_id}/" in a}
        assert given_addresses == {url}, chart.chart_id
        qr_svg = files[f"charts/{chart.chart_id}/qr.svg"].decode()
        assert _qr_text(vl_convert.svg_to_png(qr_svg, scale=4)) == [url]


def test_the_portrait_image_is_a_phone_feed_picture_whose_qr_code_opens_the_chart(built, site):
    assert len(site.charts) >= 12
    for chart in site.charts[:12]:
        image = Image.open(built["site"] / "charts" / chart.chart_id / f"{chart.chart_id}-phone.png")
        assert image.width == 1080 and image.height >= 1350, chart.chart_id  # at least as tall as 4:5
        assert _qr_text(image) == [cited_url(site, chart)]
        page = (built["site"] / "charts" / chart.chart_id / "index.html").read_text(encoding="utf-8")
        assert f'href="{chart.chart_id}-phone.png"' in page and f"1080×{image.height} 像素" in page


@given(st.text(alphabet="abc-/.:0123456789", min_size=1, max_size=120))
def test_an_address_in_the_portrait_breaks_into_lines_that_fit_and_lose_nothing(url):
    lines = address_lines(url, 10, 180)
    assert "".join(lines) == url
    assert all(text_width(line, 10) <= 180 for line in lines)


def test_reuse_terms_are_on_the_chart_page_the_images_and_the_embed(built, site):
    terms = licence(site.settings)
    chart = site.chart("p6-overview")
    folder = built["site"] / "charts" / chart.chart_id
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert terms.statement in page and f'href="{terms.url}" rel="license"' in page
    assert terms.line in (folder / f"{chart.chart_id}.svg").read_text(encoding="utf-8")
    assert terms.short in (folder / "embed" / "index.html").read_text(encoding="utf-8")
    assert terms.short in (built["site"] / "index.html").read_text(encoding="utf-8")  # every page's footer


@pytest.mark.parametrize("missing", ["name", "short", "url", "spdx", "statement"])
def test_the_build_needs_complete_reuse_terms(missing):
    settings = load_site_settings()
    settings["license"] = {k: v for k, v in settings["license"].items() if k != missing}
    with pytest.raises(SettingsError, match=f"extra.license 缺少 {missing}"):
        check_settings(settings)


@pytest.mark.parametrize("site_url, sample_data, outcome", [
    ("https://rencai.example.gov.cn/", True, "warning"),
    ("https://rencai.example.gov.cn/", False, "error"),
    ("https://example.com/talent/", False, "error"),
    ("https://rencai.sample.example/", True, "warning"),
    ("/", True, "warning"),
    ("", False, "error"),
    ("https://rencai.xihu.gov.cn/", False, "fine"),
    ("https://rencai.xihu.gov.cn/", True, "fine"),
    ("http://www.examples.gov.cn/", False, "fine"),  # a real name that merely contains "example"
])
def test_the_example_address_warns_and_stops_a_build_with_real_data(site_url, sample_data, outcome):
    settings = {**load_site_settings(), "site_url": site_url, "sample_data": sample_data}
    if outcome == "error":
        with pytest.raises(SettingsError) as caught:
            check_settings(settings)
        assert caught.value.args[0].startswith("发布中止") and "site_url" in caught.value.args[0]
        assert "sample_data 已设为 false" in caught.value.args[0]
    else:
        warnings = check_settings(settings)
        assert (warnings != []) == (outcome == "warning")
        assert all("site_url" in w and "正式发布前" in w for w in warnings)


def test_a_build_warns_about_the_example_address_before_it_reads_anything(tmp_path, caplog):
    raw = copy_raw(tmp_path, ["卫生局"])
    (raw / "卫生局" / "卫生局_2009Q1_卫生人才引进.csv").write_bytes(b"")  # the build then stops at the data
    with caplog.at_level(logging.WARNING, logger="pipeline.publish.share"), pytest.raises(DataErrors):
        build(raw, tmp_path / "site", today=TODAY, keep_docs=None, cache_dir=tmp_path / "cache")
    assert any("仍是示例地址" in r.getMessage() for r in caplog.records)


def test_real_data_under_the_example_address_is_refused_in_chinese(tmp_path, monkeypatch):
    """The build stops before reading a file, with the message a staff member needs."""
    import pipeline.build as build_module

    settings = {**load_site_settings(), "sample_data": False}
    monkeypatch.setattr(build_module, "load_site_settings", lambda **_: settings)
    with pytest.raises(SettingsError, match="发布中止.*sample_data 已设为 false.*示例地址.*重新运行 make"):
        build(paths.RAW_DIR, tmp_path / "site", today=TODAY, keep_docs=None, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "site").exists() and not (tmp_path / "cache" / "read").exists()


@pytest.mark.parametrize("settings, expected", [
    ({}, {"police_url": "", "error_report_url": ""}),
    ({"police_number": "京公网安备 11010502030143号"},
     {"police_url": "https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143", "error_report_url": ""}),
    ({"site_code": "3301000029"},
     {"police_url": "", "error_report_url":
      "https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo.action?sitecode=3301000029"}),
    ({"site_code": "3301000029", "error_report_url": "https://rencai.xihu.gov.cn/zhaocuo/"},
     {"police_url": "", "error_report_url": "https://rencai.xihu.gov.cn/zhaocuo/"}),
])
def test_the_footer_links_the_police_filing_and_the_error_report(settings, expected):
    assert footer_links(settings) == expected


def test_the_footer_links_work_from_every_depth_and_from_the_404_page(built):
    for rel, prefix in (("index.html", "./"), ("programmes/p1/index.html", "../../"),
                        ("charts/p1-overview/index.html", "../../"), ("404.html", "/")):
        page = (built["site"] / rel).read_text(encoding="utf-8")
        footer = page.split('class="md-copyright site-footer"')[1]
        assert f'href="{prefix}methodology/"' in footer, rel
        assert 'href="//' not in footer, rel


def test_pages_say_they_are_in_simplified_chinese_and_the_home_page_shares_with_the_site_name(built):
    settings = load_site_settings()
    for rel in ("index.html", "404.html", "charts/p1-overview/index.html"):
        assert '<html lang="zh-CN"' in (built["site"] / rel).read_text(encoding="utf-8"), rel
    home = (built["site"] / "index.html").read_text(encoding="utf-8")
    assert f'<meta property="og:title" content="{settings["site_name"]}">' in home


def test_the_404_page_is_in_chinese_and_links_every_section(built):
    page = (built["site"] / "404.html").read_text(encoding="utf-8")
    assert "<h1>页面不存在（404）</h1>" in page and "Not found" not in page
    for section in ("/programmes/p1/", "/methodology/", "/downloads/", "/changelog/"):
        assert f'href="{section}"' in page


@pytest.mark.parametrize("periods, word", [
    ([("2009-01-01", "2009-03-31"), ("2009-04-01", "2009-06-30"), ("2009-07-01", "2009-09-30")], "逐季进展"),
    ([("2009-01-01", "2009-12-31"), ("2010-01-01", "2010-12-31")], "逐年进展"),
    ([("2009-01-01", "2009-12-31")], "逐年进展"),
    ([("2009-10-01", "2009-12-31")], "逐季进展"),
    ([("2009-01-01", "2009-06-30"), ("2009-07-01", "2009-12-31")], "逐半年进展"),
    ([("2010-01-01", "2010-01-31"), ("2010-02-01", "2010-02-28")], "逐月进展"),
    # year-to-date running totals reported each quarter: quarterly
    ([("2010-01-01", "2010-03-31"), ("2010-01-01", "2010-06-30"), ("2010-01-01", "2010-09-30")], "逐季进展"),
    ([("2009-01-01", "2009-12-31"), ("2010-01-01", "2010-12-31"), ("2011-01-01", "2011-03-31")], "逐期进展"),
    ([], "逐期进展"),
])
def test_a_progress_title_says_how_often_its_figures_come(periods, word):
    spans = [(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in periods]
    assert progress_word(spans) == word


def test_teacher_targets_fed_by_annual_figures_are_not_titled_quarterly(site):
    for chart in site.charts:
        if chart.kind == "trajectory":
            periods = set(site.series[site.series["target_id"] == chart.target_id]["period"])
            quarterly = all("Q" in p for p in periods)
            assert chart.title.endswith("逐季进展" if quarterly else "逐年进展"), chart.chart_id
    assert site.chart("p4-district-teaching-newcomers-trajectory").title.endswith("逐年进展")


@pytest.mark.parametrize("text", ["人才强区\u200b战略\u200b三年", "<p>30\u200b项\u200b目标</p>", "plain", ""])
def test_the_search_index_keeps_runs_of_text_whole(text):
    index = {"config": {"lang": ["zh"]}, "docs": [{"location": "", "title": text, "text": text}]}
    out = whole_runs(index)
    assert out["config"] == index["config"]
    assert out["docs"][0]["text"] == text.replace(WORD_MARK, "") and WORD_MARK not in out["docs"][0]["title"]


def test_the_built_search_index_has_no_word_marks_and_readable_change_log_rows(built):
    index = json.loads((built["site"] / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert WORD_MARK not in json.dumps(index, ensure_ascii=False)
    rows = [d["text"] for d in index["docs"] if d["location"].startswith("changelog/#release-2010Q4")][0]
    assert "区卫生局 卫生局/卫生局_2010Q4_卫生人才引进.csv 40 个数 计入" in rows
