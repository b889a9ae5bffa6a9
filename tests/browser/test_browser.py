"""The built site in a real browser (Debian's Chromium, driven by Playwright): every page loads,
every chart is drawn, no console error, no request leaves 127.0.0.1, axe-core finds no WCAG 2.1
AA violation, nothing scrolls sideways on a 375-pixel phone, and without JavaScript every figure
is still there."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
# Flags that keep Chromium from calling Google's hosts by itself (see STACK-NOTES); they do not
# hide requests made by a page, which are what the tests watch.
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# axe-core's options: the WCAG 2.1 A and AA rules, and only the violations sent back in full.
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}
# Every page, in groups so that the test runner can spread them over both cores.
GROUPS = ["pages", "programmes", "charts-a", "charts-b", "embeds"]

ALL_DRAWN = "() => [...document.querySelectorAll('.vega-chart')].every(e => e.dataset.rendered === 'true')"


def point_at_each_chart(page, touch: bool = False) -> None:
    """The interactive chart loads when a reader points at (or touches) a chart: do that to each."""
    for frame in page.locator(".chart-frame").all():
        if touch:
            frame.tap()
        else:
            frame.hover()


# How many charts show their image (the picture each chart shows before it is drawn).
IMAGES_SHOWN = """async () => { const images = [...document.querySelectorAll('.chart-frame img.chart-static')];
    await Promise.all(images.map(i => i.decode().catch(() => null)));
    return images.filter(i => i.naturalWidth > 0 && i.getBoundingClientRect().height > 50).length }"""

DRAWN_CHARTS = """() => [...document.querySelectorAll('.vega-chart')].filter(e =>
    e.dataset.rendered === 'true' && e.querySelector('svg') &&
    e.querySelector('svg').getBoundingClientRect().width > 200 &&
    e.querySelectorAll('svg path, svg rect, svg line').length > 3 &&
    e.querySelectorAll('.mark-rect.role-mark > path, .mark-symbol.role-mark > path').length > 0).length"""

# The words of drawn charts that end past their chart's edge (cut off), with by how many pixels:
# Vega lays a chart out to fit its box, and labels beside the bars must fit with it.
TEXT_CUT = """() => [...document.querySelectorAll('.vega-chart svg')].flatMap(svg => {
    const box = svg.getBoundingClientRect();
    return [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBoundingClientRect()])
        .filter(([, r]) => r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1))
        .map(([words, r]) => [words, Math.round(Math.max(r.right - box.right, box.left - r.left))]); })"""


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
    """Every page of the current site; the dated releases' pages (plain HTML, never changed once
    closed) are visited by tests/browser/test_release_browser.py."""
    urls = []
    for page in sorted(site.rglob("index.html")):
        rel = page.parent.relative_to(site).as_posix()
        if rel.startswith("releases/"):
            continue
        urls.append("" if rel == "." else rel + "/")
    return urls


def group_urls(site: Path, group: str) -> list[str]:
    urls = site_urls(site)
    charts = [u for u in urls if u.startswith("charts/") and not u.endswith("/embed/")]
    return {
        "pages": [u for u in urls if not u.startswith(("charts/", "programmes/"))],
        "programmes": [u for u in urls if u.startswith("programmes/")],
        "charts-a": charts[: len(charts) // 2],
        "charts-b": charts[len(charts) // 2:],
        "embeds": [u for u in urls if u.endswith("/embed/")],
    }[group]


def test_the_accessibility_check_reports_a_violation_in_a_page_and_in_a_context_without_it(browser, serve, tmp_path):
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>测试</title><body><main><h1>测试</h1>'
        '<img src="data:,"><p style="color:#ccc;background:#fff">浅色文字</p></main></body></html>', encoding="utf-8")
    url = serve(tmp_path)
    for context in (axe_context(browser), browser.new_context()):
        page = context.new_page()
        page.goto(url, wait_until="load")
        assert {rule for rule, _, _ in axe_found(page)} == {"image-alt", "color-contrast"}
        context.close()


def test_the_groups_cover_every_page(built):
    every = set(site_urls(built["site"]))
    grouped = [u for g in GROUPS for u in group_urls(built["site"], g)]
    assert sorted(grouped) == sorted(every) and len(every) > 140
    # every chart is on a page or programme page (drawn there on a desktop and on a phone), from
    # the same chart.json as its chart page and embed page (where one of each kind is drawn)
    site = built["site"]
    specs = {(site / url / "index.html").parent.joinpath(src).resolve().relative_to(site).as_posix()
             for url in group_urls(site, "pages") + group_urls(site, "programmes")
             for src in re.findall(r'data-spec-src="([^"]+)"', (site / url / "index.html").read_text(encoding="utf-8"))}
    charts = {f"charts/{p.parent.name}/chart.json" for p in (site / "charts").glob("*/index.html")}
    assert specs == charts
    for url in group_urls(site, "charts-a") + group_urls(site, "charts-b") + group_urls(site, "embeds"):
        chart = url.removeprefix("charts/").split("/")[0]
        srcs = re.findall(r'data-spec-src="([^"]+)"', (site / url / "index.html").read_text(encoding="utf-8"))
        assert [(site / url).joinpath(src).resolve().relative_to(site).as_posix() for src in srcs] == [f"charts/{chart}/chart.json"]


# No transition or animation of a set length is running (the theme fades its header title in
# when the page scrolls: contrast measured mid-fade is not what a reader sees).
SETTLED = """() => document.getAnimations().every(a => a.playState !== 'running'
    || !Number.isFinite(a.effect && a.effect.getComputedTiming().endTime))"""


def one_of_each_kind(urls: list[str]) -> set[str]:
    """The first chart or embed page of each kind of chart (…-progress, …-trajectory, …-overview,
    …-status, …-history): the pages of a kind are one template and differ only in their words and
    figures, which the desktop pass checks on every page."""
    first: dict[str, str] = {}
    for url in urls:
        chart_id = url.rstrip("/").removesuffix("/embed").rsplit("/", 1)[-1]
        first.setdefault(chart_id.rsplit("-", 1)[-1], url)
    return set(first.values())


def axe_script() -> Path:
    """axe-core as the axe-playwright-python package ships it (pinned in requirements/test.lock)."""
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).parent / "axe.min.js"


def axe_context(browser, **options):
    """A browser context (options as for browser.new_context) whose pages load axe-core before
    their own scripts: injected once per page by the browser, it costs a third of what sending
    it with each check does (the checks of every page of the site, at two widths, are minutes)."""
    context = browser.new_context(**options)
    context.add_init_script(path=str(axe_script()))
    return context


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now (axe-core is added first
    if the page's context is not an axe_context)."""
    if page.evaluate("() => typeof axe === 'undefined'"):
        page.add_script_tag(path=str(axe_script()))
    # Colours are measured as they end, not mid-fade: a fade the page starts after a scroll (the
    # header's title) may not have begun yet, so every transition is ended now.
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; animation: none !important; }")
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.wait_for_function(SETTLED, timeout=10_000)
    return page.evaluate("options => axe.run(document, options).then(results => results.violations)", WCAG_AA)


def axe_found(page) -> list[tuple]:
    """Each violation as (rule, how many elements, the first element's selector)."""
    return [(v["id"], len(v["nodes"]), v["nodes"][0]["target"]) for v in axe_violations(page)]


class Watch:
    """Console errors, page errors and requests to other hosts on one page."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", self._request)

    def goto(self, page, url: str) -> None:
        """Open the next address in the same tab (a new tab for each page costs four times the
        loading), counting from now."""
        self.errors.clear()
        self.outside.clear()
        page.goto(url, wait_until="load")

    def _request(self, request):
        if request.url.startswith(("data:", "blob:")):
            return
        if urlparse(request.url).hostname != "127.0.0.1":
            self.outside.append(request.url)


@pytest.mark.parametrize("group", GROUPS)
def test_every_page_draws_its_charts_passes_axe_and_asks_no_other_host(browser, base, built, group):
    desktop = {"viewport": {"width": 1280, "height": 900}}
    with_axe, plain = axe_context(browser, **desktop), browser.new_context(**desktop)
    failures = []
    urls = group_urls(built["site"], group)
    # Every chart is drawn on the pages and programme pages, from the same chart.json as its chart
    # page and its embed page: there, one chart of each kind is drawn, the others show their image.
    to_draw = set(urls) if group in ("pages", "programmes") else one_of_each_kind(urls)
    # Embed pages are one small template: axe checks one of each kind, and
    # test_every_embed_page_has_the_structure_axe_checked checks what varies with the chart on all.
    to_check = one_of_each_kind(urls) if group == "embeds" else set(urls)
    tabs = {context: context.new_page() for context in (with_axe, plain)}
    watches = {context: Watch(tab) for context, tab in tabs.items()}
    for url in urls:
        context = with_axe if url in to_check else plain
        page, watch = tabs[context], watches[context]
        watch.goto(page, base + url)
        expected = page.locator(".vega-chart").count()
        if url not in to_draw:
            drawn = page.evaluate(IMAGES_SHOWN)
        elif expected:
            point_at_each_chart(page)
            page.wait_for_function(ALL_DRAWN, timeout=20_000)
            drawn = page.evaluate(DRAWN_CHARTS)
        else:
            drawn = 0
        cut = page.evaluate(TEXT_CUT)
        found = axe_found(page) if url in to_check else []
        if drawn != expected or cut or watch.errors or watch.outside or found:
            failures.append((url, f"{drawn}/{expected} charts", cut, list(watch.errors), list(watch.outside), found))
    with_axe.close()
    plain.close()
    assert failures == []


class _Structure(HTMLParser):
    """The parts of a page that axe checks and its chart's words could change: the language, the
    title, the level-one headings, the main landmarks, text alternatives and link names."""

    def __init__(self, html: str):
        super().__init__()
        self.lang, self.main = None, 0
        self.texts: dict[str, list[str]] = {"title": [], "h1": [], "a": [], "img": []}
        self._open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        self.main += tag == "main"
        if tag == "img":
            self.texts["img"].append(dict(attrs).get("alt") or "")
        elif tag in ("title", "h1", "a"):
            self._open.append(tag)
            self.texts[tag].append("")

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data):
        for tag in self._open:
            self.texts[tag][-1] += data

    def problems(self) -> list[str]:
        blank = [kind for kind, texts in self.texts.items() if any(not t.strip() for t in texts)]
        return ([] if self.lang == "zh-CN" else [f"lang={self.lang}"]) + [f"blank {kind}" for kind in blank] + (
            [] if len(self.texts["h1"]) == 1 else [f"{len(self.texts['h1'])} h1"]) + (
            [] if self.main == 1 else [f"{self.main} main"]) + ([] if self.texts["img"] else ["no image"])


def test_every_embed_page_has_the_structure_axe_checked(built):
    bad = '<html lang="zh"><title> </title><main><h1>甲</h1><h1>乙</h1><img src="a.svg" alt=""><a href="/"></a></main>'
    assert _Structure(bad).problems() == ["lang=zh", "blank title", "blank a", "blank img", "2 h1"]
    site = built["site"]
    urls = group_urls(site, "embeds")
    wrong = {url: found for url in urls if (found := _Structure((site / url / "index.html").read_text(encoding="utf-8")).problems())}
    assert wrong == {} and len(urls) > 60


@pytest.mark.parametrize("group", GROUPS)
def test_nothing_scrolls_sideways_on_a_phone_and_axe_finds_nothing(browser, base, built, group):
    phone = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
    wide = []
    # Interactive charts are drawn on the pages and programme pages (every chart is on one of
    # them); on chart and embed pages the layout is checked around the same charts' images, on
    # every page, and axe checks one page of each kind (all of them are checked on a desktop:
    # axe-core is then added to those pages only, not loaded with every page).
    draw = group in ("pages", "programmes")
    urls = group_urls(built["site"], group)
    to_check = set(urls) if draw else one_of_each_kind(urls)
    context = axe_context(browser, **phone) if draw else browser.new_context(**phone)
    page = context.new_page()  # one tab, each address opened in turn
    for url in urls:
        page.goto(base + url, wait_until="load")
        if draw and page.locator(".vega-chart").count():
            point_at_each_chart(page, touch=True)
            page.wait_for_function(ALL_DRAWN, timeout=20_000)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        charts_fit = page.evaluate("""() => [...document.querySelectorAll('.vega-chart svg, .chart-static')]
            .every(e => e.getBoundingClientRect().right <= window.innerWidth + 1)""")
        cut = page.evaluate(TEXT_CUT)
        found = axe_found(page) if url in to_check else []
        if width > 375 or not charts_fit or cut or found:
            wide.append((url, width, charts_fit, cut, found))
    context.close()
    assert wide == []


def test_without_javascript_every_figure_is_still_shown(browser, base, built):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    missing = []
    for url in group_urls(built["site"], "pages") + group_urls(built["site"], "programmes"):
        page = context.new_page()
        page.goto(base + url, wait_until="load")
        for img in page.locator("img.chart-static").all():
            img.scroll_into_view_if_needed()
            page.wait_for_function("e => e.complete", arg=img.element_handle(), timeout=10_000)
            ok = page.evaluate("e => e.naturalWidth > 0 && e.getBoundingClientRect().height > 50 && !!e.alt", img.element_handle())
            if not ok:
                missing.append((url, img.get_attribute("src")))
        page.close()
    # the figures of each target are also in the page's text and tables
    page = context.new_page()
    page.goto(base + "programmes/p7/", wait_until="load")
    text = page.inner_text("article")
    assert "2010年 1,930名" in text and "96.5%" in text and "2010年第四季度" in text
    context.close()
    assert missing == []


def test_chinese_search_finds_a_programme_by_a_word_of_its_name(browser, base):
    for word, programme in (("技能人才", "programmes/p7/"), ("企业家", "programmes/p2/"), ("教坛新秀", "programmes/p4/")):
        # A fresh page per word: in one page the previous word's results are still
        # listed while the next search runs, and the test would read those.
        page = browser.new_page()
        page.goto(base, wait_until="load")
        page.locator("label.md-search__icon, .md-search__input").first.click()
        box = page.locator("input.md-search__input")
        box.fill(word)
        box.press("End")  # Material searches on keyup; typing Chinese fires none
        page.wait_for_selector(".md-search-result__item", timeout=10_000)
        links = page.eval_on_selector_all(".md-search-result__link", "els => els.map(e => e.getAttribute('href'))")
        page.close()
        assert any(programme in (href or "") for href in links), (word, links)


def test_a_chart_shows_figures_in_chinese_number_format(browser, base):
    page = browser.new_page()
    page.goto(base + "programmes/p6/", wait_until="load")
    point_at_each_chart(page)
    page.wait_for_function(ALL_DRAWN, timeout=20_000)
    text = page.inner_text("#chart-p6-practical-technology-progress .vega-chart")
    assert "20,000" in text and "单位：人次" in text
    page.close()


def test_the_keyboard_reaches_every_control_of_a_chart_page(browser, base):
    page = browser.new_page()
    page.goto(base + "charts/p6-overview/", wait_until="load")
    controls = page.evaluate("""() => [...document.querySelectorAll('article a[href], article button')]
        .filter(e => e.getBoundingClientRect().width > 0).length""")
    reached = set()
    for _ in range(200):
        page.keyboard.press("Tab")
        inside = page.evaluate("""() => { const e = document.activeElement;
            return e && e.closest('article') ? (e.tagName + '|' + (e.getAttribute('href') || e.dataset.copy || e.textContent)) : null }""")
        if inside:
            reached.add(inside)
    assert controls >= 8 and len(reached) >= controls
    page.close()


def test_the_larger_text_mode_enlarges_text_and_is_remembered(browser, base):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "programmes/p1/", wait_until="load")
    before = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.md-typeset p')).fontSize)")
    toggle = page.get_by_role("button", name="大字")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.focus()
    page.keyboard.press("Enter")
    after = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.md-typeset p')).fontSize)")
    assert after >= before * 1.2
    page.goto(base + "methodology/", wait_until="load")
    assert page.evaluate("() => document.documentElement.classList.contains('large-text')")
    assert page.get_by_role("button", name="大字").get_attribute("aria-pressed") == "true"
    context.close()


def test_the_cut_words_check_finds_a_label_past_the_edge(browser, serve, tmp_path):
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>测试</title><body><div class="vega-chart">'
        '<svg width="120" height="40"><text x="60" y="20">完成 2,150 名</text><text x="4" y="36">目标</text></svg>'
        '</div></body></html>', encoding="utf-8")
    page = browser.new_page()
    page.goto(serve(tmp_path), wait_until="load")
    assert [words for words, _ in page.evaluate(TEXT_CUT)] == ["完成 2,150 名"]
    page.close()


def test_charts_drawn_on_a_wide_window_fit_their_labels_when_it_narrows(browser, base):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "programmes/p7/", wait_until="load")
    point_at_each_chart(page)
    page.wait_for_function(ALL_DRAWN, timeout=20_000)
    fetched = []
    page.on("request", lambda r: fetched.append(r.url))
    page.set_viewport_size({"width": 375, "height": 812})
    # Vega follows the window at once (one layout, which cuts labels); a moment later the charts
    # are fitted again, or drawn again in their layout for phones
    fitted = f"""() => ({ALL_DRAWN})() && ({TEXT_CUT})().length === 0 && [...document.querySelectorAll('.vega-chart svg')]
        .every(svg => svg.getBoundingClientRect().right <= window.innerWidth)"""
    page.wait_for_function(fitted, timeout=10_000)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    # the overview is drawn again in its layout for phones (names above the bars), as its image
    assert any(u.endswith("charts/p7-overview/chart-narrow.json") for u in fetched)
    context.close()


def test_a_first_visit_loads_no_chart_library_and_drawing_a_chart_moves_nothing(browser, base):
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = context.new_page()
    fetched = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(base + "programmes/p7/", wait_until="networkidle")
    assert not any(u.endswith("vega.min.js") for u in fetched)
    figure = page.locator("#chart-p7-overview")
    next_heading = page.locator("h2#p7-new-skilled-workers")
    # where the next heading is on the page (not in the viewport: tapping may scroll)
    heading_top = "(el) => el.getBoundingClientRect().top + window.scrollY"
    before = (figure.bounding_box()["height"], next_heading.evaluate(heading_top))
    figure.locator(".chart-frame").tap()
    page.wait_for_function("() => document.querySelector('#chart-p7-overview .vega-chart').dataset.rendered === 'true'")
    assert any(u.endswith("vega.min.js") for u in fetched)
    # a phone gets the overview's own layout for phones (names above the bars), as its image
    assert any(u.endswith("charts/p7-overview/chart-narrow.json") for u in fetched)
    assert not any(u.endswith("charts/p7-overview/chart.json") for u in fetched)
    after = (figure.bounding_box()["height"], next_heading.evaluate(heading_top))
    assert abs(after[0] - before[0]) <= 1 and abs(after[1] - before[1]) <= 1
    assert page.evaluate("() => document.querySelector('#chart-p7-overview svg.marks, #chart-p7-overview .vega-chart svg') !== null")
    context.close()


def test_print_shows_content_and_figures_without_navigation(browser, base):
    page = browser.new_page()
    page.goto(base + "programmes/p5/", wait_until="load")
    page.emulate_media(media="print")
    assert page.evaluate("() => getComputedStyle(document.querySelector('.md-header')).display") == "none"
    assert page.evaluate("() => getComputedStyle(document.querySelector('.md-sidebar--primary')).display") == "none"
    assert page.locator("img.chart-static").first.is_visible()
    assert "2010年" in page.inner_text("article")
    page.close()


def test_every_page_says_when_its_data_were_released(built):
    # the release the site is: the latest closed one (2011-02-01, the day after 2010Q4's closing
    # date), or with no closed release the latest date the files give (2011-01-10)
    released = built["outputs"].site.reference
    assert released in (dt.date(2011, 2, 1), dt.date(2011, 1, 10))
    for rel in ("index.html", "programmes/p1/index.html", "methodology/index.html"):
        html = (built["site"] / rel).read_text(encoding="utf-8")
        assert f"数据截至2010年第四季度，本期数据发布于{released.year}年{released.month}月{released.day}日" in html
