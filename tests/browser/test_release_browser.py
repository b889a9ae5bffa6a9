"""Dated releases in a real browser (helpers of tests/browser/test_browser.py): a release's page, its
briefing, a chart's archived page and embed, a short page of an unchanged chart, and the pages of
the current site that point to releases pass axe at 1280 and 375 px, fit a 375-pixel phone, draw
every chart image, log no error and ask no other host; a short page leads to the version it names."""

from __future__ import annotations

import re

import pytest

from pipeline.basics import paths
from tests.browser.test_browser import Watch, axe_context, axe_found, base, browser  # noqa: F401 - fixtures used by name

pytestmark = pytest.mark.browser

IMAGES_SHOWN = """() => [...document.querySelectorAll('main img')].map(e =>
    [e.getAttribute('src'), e.complete && e.naturalWidth > 0 && e.getBoundingClientRect().width > 100 && !!e.alt])"""


def release_urls(site) -> list[str]:
    """Every release's page; the latest's briefing, a chart page and its embed; a chart page of
    the first release; a short page; and the current pages that link releases."""
    releases = sorted((p for p in (site / paths.RELEASES_FOLDER).iterdir() if p.is_dir()), key=lambda p: p.name)
    latest, first = releases[-1], releases[0]
    stub = next(p for r in releases[1:] for p in sorted((r / "charts").iterdir())
                if sorted(x.name for x in p.iterdir()) == ["index.html"])
    rel = lambda p: p.relative_to(site).as_posix() + "/"  # noqa: E731
    return [*(rel(r) for r in releases), rel(latest / "briefing"), rel(latest / "charts" / "home-status"),
            rel(latest / "charts" / "home-status" / "embed"), rel(first / "charts" / "p1-overview"), rel(stub),
            "", "changelog/", "releases/", "charts/home-status/"]


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_release_pages_pass_axe_fit_a_phone_and_show_their_charts(browser, base, built, device):  # noqa: F811
    phone = device == "phone"
    context = axe_context(browser, **({"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True,
                                       "device_scale_factor": 2} if phone else {"viewport": {"width": 1280, "height": 900}}))
    failures = []
    urls = release_urls(built["site"])
    page = context.new_page()  # one tab, each address opened in turn
    watch = Watch(page)
    for url in urls:
        watch.goto(page, base + url)
        moved = stub_target(built["site"], url)
        if moved:  # a short page moves on to the version it names
            page.wait_for_url(base + moved, timeout=10_000)
            page.wait_for_load_state("load")
        for img in page.locator("main img").all():
            img.scroll_into_view_if_needed()
        page.wait_for_function("() => [...document.querySelectorAll('main img')].every(e => e.complete)", timeout=10_000)
        shown = page.evaluate(IMAGES_SHOWN)
        bad_images = [src for src, ok in shown if not ok]
        width = page.evaluate("() => document.documentElement.scrollWidth")
        found = axe_found(page)
        if bad_images or found or watch.errors or watch.outside or (phone and width > 375):
            failures.append((url, bad_images, found, list(watch.errors), list(watch.outside), width))
    context.close()
    assert failures == []


def test_a_release_chart_page_draws_its_chart_and_leads_to_the_current_one(browser, base, built):  # noqa: F811
    site = built["site"]
    latest = sorted(p.name for p in (site / paths.RELEASES_FOLDER).iterdir() if p.is_dir())[-1]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}{paths.RELEASES_FOLDER}/{latest}/charts/p7-overview/", wait_until="load")
    figure = page.locator(".release-figure img")
    assert page.evaluate("e => e.naturalWidth > 600 && e.getBoundingClientRect().height > 200", figure.element_handle())
    assert page.locator("h1").inner_text().strip()
    page.get_by_role("link", name="本图的最新版本").click()
    page.wait_for_load_state("load")
    assert page.url == f"{base}charts/p7-overview/"
    context.close()


def stub_target(site, url: str) -> str | None:
    """Where a short page of an unchanged chart leads (from the site's root), or None."""
    found = re.search(r'content="0; url=\.\./\.\./\.\./(\d{4}Q\d)/charts/([^/]+)/"',
                      (site / url / "index.html").read_text(encoding="utf-8"))
    return f"{paths.RELEASES_FOLDER}/{found.group(1)}/charts/{found.group(2)}/" if found else None


def test_a_short_page_of_an_unchanged_chart_opens_the_version_it_names(browser, base, built):  # noqa: F811
    url = next(u for u in release_urls(built["site"]) if stub_target(built["site"], u))
    target = stub_target(built["site"], url)
    assert target and target != url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + url)
    page.wait_for_url(base + target, timeout=10_000)
    assert page.locator(".release-figure img").count() == 1
    context.close()


def test_without_javascript_a_release_page_shows_its_figures(browser, base, built):  # noqa: F811
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    latest = sorted(p.name for p in (built["site"] / paths.RELEASES_FOLDER).iterdir() if p.is_dir())[-1]
    page.goto(f"{base}{paths.RELEASES_FOLDER}/{latest}/charts/home-status/", wait_until="load")
    text = page.inner_text("main")
    assert "图中的数字" in text and "引用" in text and page.locator("table td").count() > 3
    context.close()
