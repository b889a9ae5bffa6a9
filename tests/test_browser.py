"""The built site in a real browser (Debian's Chromium, driven by Playwright): every page loads,
every chart is drawn, no console error, and no request leaves 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
# Flags that keep Chromium from calling Google's hosts by itself (see STACK-NOTES); they do not
# hide requests made by a page, which are what the tests watch.
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `make test` (it installs it) or apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def base(built, serve):
    return serve(built["site"])


def site_urls(site: Path) -> list[str]:
    urls = []
    for page in sorted(site.rglob("index.html")):
        rel = page.parent.relative_to(site).as_posix()
        urls.append("" if rel == "." else rel + "/")
    return urls


class Watch:
    """Console errors, page errors and requests to other hosts on one page."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", self._request)

    def _request(self, request):
        host = urlparse(request.url).hostname
        if request.url.startswith(("data:", "blob:")):
            return
        if host != "127.0.0.1":
            self.outside.append(request.url)


ALL_DRAWN = "() => [...document.querySelectorAll('.vega-chart')].every(e => e.dataset.rendered === 'true')"
# Charts are drawn when they come near the screen: scroll to each as a reader would.
SCROLL_TO_EACH_CHART = """async () => {
    for (const el of document.querySelectorAll('.vega-chart')) {
        el.scrollIntoView();
        await new Promise(r => setTimeout(r, 30));
    }
}"""


def test_every_page_loads_and_draws_every_chart_with_no_error_and_no_outside_request(browser, base, built):
    urls = site_urls(built["site"])
    assert len(urls) > 140  # pages, chart pages and embed pages
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    failures, charts_drawn = [], 0
    for url in urls:
        page = context.new_page()
        watch = Watch(page)
        page.goto(base + url, wait_until="load")
        expected = page.locator(".vega-chart").count()
        if expected:
            page.evaluate(SCROLL_TO_EACH_CHART)
            page.wait_for_function(ALL_DRAWN, timeout=20_000)
        drawn = page.evaluate("""() => [...document.querySelectorAll('.vega-chart')].filter(e =>
            e.dataset.rendered === 'true' && e.querySelector('svg') &&
            e.querySelector('svg').getBoundingClientRect().width > 200 &&
            e.querySelectorAll('svg path, svg rect, svg line').length > 3).length""")
        charts_drawn += drawn
        if drawn != expected or watch.errors or watch.outside:
            failures.append((url, f"{drawn}/{expected} charts", watch.errors, watch.outside))
        page.close()
    context.close()
    assert failures == []
    # each chart on its page, on its chart page and on its embed page
    assert charts_drawn >= 3 * len(built["outputs"].site.charts)


def test_chinese_search_finds_a_programme_by_a_word_of_its_name(browser, base):
    page = browser.new_page()
    page.goto(base, wait_until="load")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    box = page.locator("input.md-search__input")
    for word, programme in (("技能人才", "programmes/p7/"), ("企业家", "programmes/p2/"), ("教坛新秀", "programmes/p4/")):
        box.fill(word)
        box.press("End")  # Material searches on keyup; typing Chinese fires none
        page.wait_for_selector(".md-search-result__item", timeout=10_000)
        links = page.eval_on_selector_all(".md-search-result__link", "els => els.map(e => e.getAttribute('href'))")
        assert any(programme in (href or "") for href in links), (word, links)
    page.close()


def test_a_chart_shows_figures_in_chinese_number_format(browser, base):
    page = browser.new_page()
    page.goto(base + "programmes/p6/", wait_until="load")
    page.evaluate(SCROLL_TO_EACH_CHART)
    page.wait_for_function(ALL_DRAWN, timeout=20_000)
    text = page.inner_text("#chart-p6-practical-technology-progress .vega-chart")
    assert "20,000" in text or "每年目标 20,000人次" in text
    assert "单位：人次" in text
    page.close()
