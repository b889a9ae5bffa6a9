"""The pages of the plan's measures and of the departments in a real browser: axe-core finds no
WCAG 2.1 AA violation on a desktop and on a 375-pixel phone, nothing scrolls sideways on the
phone, everything is readable without JavaScript, and each commitment's address opens at it."""

from __future__ import annotations

import pytest

from tests.browser.test_browser import ALL_DRAWN, Watch, axe_context, axe_found, base, browser, point_at_each_chart  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "desktop": dict(viewport={"width": 1280, "height": 900}),
    "phone": dict(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True, device_scale_factor=2),
}


def measure_urls(built) -> list[str]:
    measures = built["outputs"].site.commitments
    return (["measures/", "departments/"] + [f"measures/{p}/" for p in measures.facts.registry.pages]
            + [f"departments/{d['id']}/" for d in measures.departments])


@pytest.mark.parametrize("device", VIEWPORTS)
def test_the_measures_and_department_pages_pass_axe_and_fit_a_phone(browser, base, built, device):
    context = axe_context(browser, **VIEWPORTS[device])
    failures = []
    page = context.new_page()  # one tab, each address opened in turn
    watch = Watch(page)
    for url in measure_urls(built):
        watch.goto(page, base + url)
        if page.locator(".vega-chart").count():
            point_at_each_chart(page, touch=device == "phone")
            page.wait_for_function(ALL_DRAWN, timeout=20_000)
        found = axe_found(page)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        fits = page.evaluate("""() => [...document.querySelectorAll('.vega-chart svg, .chart-static, .md-content table')]
            .every(e => e.closest('.table-wrap') || e.getBoundingClientRect().right <= window.innerWidth + 1)""")
        if found or watch.errors or watch.outside or width > VIEWPORTS[device]["viewport"]["width"] or not fits:
            failures.append((url, found, list(watch.errors), list(watch.outside), width, fits))
    context.close()
    assert failures == []


def test_without_javascript_every_status_figure_and_fact_is_readable(browser, base, built):
    measures = built["outputs"].site.commitments
    facts = measures.facts
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "measures/", wait_until="load")
    text = page.inner_text("article")
    assert f"{len(facts.registry.commitments)} 项措施中" in text and "2010年第一季度\t未开展" in text
    for img in page.locator("img.chart-static").all():
        img.scroll_into_view_if_needed()
        page.wait_for_function("e => e.complete && e.naturalWidth > 0", arg=img.element_handle(), timeout=10_000)
        assert img.get_attribute("alt")
    for page_id in facts.registry.pages:
        page.goto(base + f"measures/{page_id}/", wait_until="load")
        text = page.inner_text("article")
        for c in facts.registry.in_page(page_id):
            assert c.name in text and facts.registry.statuses[facts.latest_row(c.id)["status"]].word in text
    page.goto(base + "departments/talent-office/", wait_until="load")
    assert "逾期 6 天" in page.inner_text("article")
    context.close()


def test_a_commitments_address_opens_at_it(browser, base):
    for device in VIEWPORTS.values():
        context = browser.new_context(**device)
        page = context.new_page()
        page.goto(base + "measures/s4/#quarterly-meeting", wait_until="load")
        heading = page.locator("#quarterly-meeting")
        assert heading.inner_text() == "领导小组季度例会"
        top = heading.evaluate("e => e.getBoundingClientRect().top")
        assert 0 <= top < device["viewport"]["height"] / 2
        context.close()
