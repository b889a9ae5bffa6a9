"""What readers and journalists do with the site, in a real browser: embed a chart on another
site, read in large text or high contrast, print, share by link or QR code, land on a missing
address, search for any part of a name, and scroll a wide table with the keyboard."""

from __future__ import annotations

import io
import re
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect

from pipeline.build import load_site_settings
from tests.browser.test_browser import Watch, axe_context, axe_violations, base, browser, group_urls  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

CHART = "charts/p1-overview/"
TITLE_WHOLE = """() => { const e = document.querySelector('.md-header__topic:first-child .md-ellipsis');
    return e.scrollWidth <= e.clientWidth + 1 && e.getBoundingClientRect().right <= window.innerWidth }"""


def _axe(page) -> list:
    return [(v["id"], v["nodes"][0]["target"]) for v in axe_violations(page)]


def test_an_embedded_chart_fits_its_iframe_on_another_site(browser, base, serve, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + CHART, wait_until="load")
    snippet = page.inner_text("#embed-code")
    page.close()
    site_url = load_site_settings()["site_url"]
    # the journalist's page, on another origin, with the snippet as copied (pointing at this server)
    (tmp_path / "story.html").write_text(
        "<!doctype html><html lang=zh-CN><meta charset=utf-8><link rel=icon href=\"data:,\"><title>报道</title>"
        "<body><main><h1>报道</h1>"
        + snippet.replace(site_url.rstrip("/"), base.rstrip("/")) + "<p>正文。</p></main></body></html>", encoding="utf-8")
    story = serve(tmp_path)
    initial = int(snippet.split('height="')[1].split('"')[0])
    for width in (1280, 375):
        context = browser.new_context(viewport={"width": width, "height": 900})
        host = context.new_page()
        watch = Watch(host)
        host.goto(story + "story.html", wait_until="load")
        frame = host.frame_locator("iframe").locator("body")
        frame.locator("img.chart-static").wait_for()
        host.wait_for_function("""() => { const f = document.querySelector('iframe');
            return f.contentDocument === null && Math.abs(f.getBoundingClientRect().height - parseFloat(f.style.height || 0)) < 1 }""")
        inner = frame.evaluate("() => Math.ceil(document.documentElement.getBoundingClientRect().height)")
        outer = host.evaluate("() => document.querySelector('iframe').getBoundingClientRect().height")
        assert abs(outer - inner) <= 1 and outer != initial, (width, inner, outer, initial)
        assert watch.errors == []
        context.close()


def test_large_text_mode_enlarges_chart_text_and_keeps_the_site_title_whole(browser, base):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + CHART, wait_until="load")
    loaded = "e => e.complete && e.naturalWidth > 0"  # the figure may still be on its way
    page.wait_for_function(loaded, arg=page.locator(".chart-frame img.chart-static").element_handle())
    scale = "() => { const i = document.querySelector('.chart-frame img.chart-static'); return i.getBoundingClientRect().width / i.naturalWidth }"
    assert page.evaluate(scale) <= 1.01  # the page figure, at its own size: 12-px labels
    page.get_by_role("button", name="大字").click()
    page.wait_for_function("() => document.querySelector('.chart-frame img.chart-static').currentSrc.endsWith('figure-narrow.svg')")
    page.wait_for_function(loaded, arg=page.locator(".chart-frame img.chart-static").element_handle())
    assert page.evaluate(scale) * 12 >= 18  # chart labels now read at 18 px or more
    page.locator(".chart-frame").hover()  # the interactive chart (fixed-size text) is not drawn over it
    page.wait_for_timeout(300)
    assert page.evaluate("() => !document.querySelector('.vega-chart').dataset.rendered")
    assert page.evaluate(TITLE_WHOLE)
    context.close()
    phone = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(base + "programmes/p1/", wait_until="load")
    assert page.evaluate(TITLE_WHOLE)
    page.get_by_role("button", name="大字").click()
    assert page.evaluate(TITLE_WHOLE) and page.evaluate("() => document.documentElement.scrollWidth") <= 375
    phone.close()


def test_high_contrast_mode_is_remembered_and_passes_axe(browser, base):
    for viewport in ({"width": 1280, "height": 900}, {"width": 375, "height": 812}):
        context = axe_context(browser, viewport=viewport)
        page = context.new_page()
        page.goto(base, wait_until="load")
        toggle = page.get_by_role("button", name="高对比")
        assert toggle.get_attribute("aria-pressed") == "false"
        toggle.click()
        found = []
        for url in ("", "programmes/p7/", CHART, "methodology/", "changelog/", "no/such/page/"):
            page.goto(base + url, wait_until="load")
            assert page.evaluate("() => document.documentElement.classList.contains('high-contrast')"), url
            assert page.evaluate("() => getComputedStyle(document.querySelector('.md-header')).backgroundColor") == "rgb(0, 0, 0)"
            found += [(url, v) for v in _axe(page)]
        assert page.get_by_role("button", name="高对比").get_attribute("aria-pressed") == "true"
        context.close()
        assert found == [], viewport


def test_print_keeps_the_notice_the_organisation_and_the_address_and_drops_buttons(browser, base):
    settings = load_site_settings()
    page = browser.new_page()
    page.goto(base + CHART, wait_until="load")
    page.emulate_media(media="print")
    visible = "s => [...document.querySelectorAll(s)].some(e => e.offsetParent !== null || getComputedStyle(e).display !== 'none' && e.getClientRects().length)"
    assert page.locator(".md-banner").is_visible() and "示例数据" in page.inner_text(".md-banner")
    footer = page.inner_text(".md-footer-meta")
    assert f"主办：{settings['copyright']}" in footer and f"本页地址：{settings['site_url']}{CHART}" in footer
    assert not page.evaluate(visible, "button.copy-button") and not page.evaluate(visible, ".reader-toggles")
    assert not page.locator(".md-footer__inner").is_visible()
    page.close()


def test_a_missing_address_gets_the_chinese_404_page_whose_links_all_work(browser, base):

    page = browser.new_page()
    response = page.goto(base + "charts/no-such-chart/deeper/", wait_until="load")
    assert response.status == 404
    assert page.inner_text("h1") == "页面不存在（404）"
    links = page.eval_on_selector_all("article a[href], .md-footer a[href]", "els => els.map(e => e.href)")
    local = [u for u in links if u.startswith(base)]
    assert len(local) >= 14
    for url in local:
        assert urlopen(url).status == 200, url
    assert _axe(page) == []
    page.close()


def test_a_chart_is_shared_by_copying_its_link_or_scanning_its_qr_code(browser, base):
    import zxingcpp
    from PIL import Image

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base.rstrip("/"))
    page = context.new_page()
    page.goto(base + CHART, wait_until="load")
    # what is shared is the permanent address of the figures seen: the chart in its dated release
    url = page.get_attribute("#share-url", "href")
    release_path = url.removeprefix(load_site_settings()["site_url"])
    assert re.fullmatch(rf"releases/\d{{4}}Q[1-4]/{CHART}", release_path), url
    assert urlopen(base + release_path).status == 200
    page.get_by_role("button", name="复制链接").click()
    expect(page.get_by_role("button", name="已复制")).to_be_visible()  # the clipboard answers later
    assert page.evaluate("() => navigator.clipboard.readText()") == url
    qr = page.locator(".share-qr img")
    qr.scroll_into_view_if_needed()
    page.wait_for_function("e => e.complete && e.naturalWidth > 0", arg=qr.element_handle())
    shot = Image.open(io.BytesIO(qr.screenshot()))
    assert [r.text for r in zxingcpp.read_barcodes(shot)] == [url]
    context.close()


@pytest.mark.parametrize("typed, found", [
    ("强区", "plan/"),  # inside 人才强区, a word of its own to the dictionary
    ("区战略", "plan/"),  # across two dictionary words (人才强区|战略)
    ("技师", "programmes/p7/"),
    ("教坛新秀", "programmes/p4/"),
    ("卫生局", "programmes/p5/"),
    ("创业", "programmes/p1/"),
])
def test_search_finds_any_run_of_characters_a_reader_types(browser, base, typed, found):
    page = browser.new_page()
    page.goto(base, wait_until="load")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    box = page.locator("input.md-search__input")
    box.fill(typed)
    box.press("End")  # the theme searches on keyup; typing Chinese fires none
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    links = page.eval_on_selector_all(".md-search-result__link", "els => els.map(e => e.getAttribute('href'))")
    marked = page.eval_on_selector_all(".md-search-result mark", "els => els.map(e => e.textContent)")
    page.close()
    assert any(found in (href or "") for href in links), (typed, links)
    assert marked and all(typed in m for m in marked), marked  # what is highlighted contains what was typed


def test_a_table_that_scrolls_sideways_is_reached_and_scrolled_with_the_keyboard(browser, base):
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(base + "methodology/", wait_until="load")
    boxes = page.locator(".md-typeset__scrollwrap")
    assert boxes.count() >= 1
    wide = [i for i in range(boxes.count())
            if boxes.nth(i).evaluate("e => e.scrollWidth > e.clientWidth")]
    assert wide, "no table scrolls sideways at 375 px: the test would show nothing"
    box = boxes.nth(wide[0])
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
    assert "表格" in box.get_attribute("aria-label")
    for _ in range(80):
        page.keyboard.press("Tab")
        if box.evaluate("e => e === document.activeElement"):
            break
    assert box.evaluate("e => e === document.activeElement")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("e => e.scrollLeft > 0", arg=box.element_handle())
    context.close()
