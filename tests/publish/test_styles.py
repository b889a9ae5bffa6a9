"""The stylesheet keeps its contrast whatever the theme underneath: light text is never set on a
background it leaves to the theme (the theme's successor draws some bars light)."""

from __future__ import annotations

import re

from pipeline.basics import paths

LIGHT = re.compile(r"(?<![-\w])color:\s*(#fff\b|#ffffff\b|white\b)", re.I)


def rules(css: str) -> dict[str, str]:
    """Selector -> all its declarations (a selector list counts for each of its selectors)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out: dict[str, str] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        for selector in selectors.split(","):
            out[selector.strip()] = out.get(selector.strip(), "") + ";" + body
    return out


def test_light_text_always_comes_with_its_own_dark_background():
    light = 0
    for sheet in (paths.DOCS_SRC_DIR / "assets" / "stylesheets").glob("*.css"):
        found = rules(sheet.read_text(encoding="utf-8"))
        for selector, body in found.items():
            if not LIGHT.search(body):
                continue
            light += 1
            # the background is set on the element itself or on the bar it sits in
            owners = [s for s in found if selector.startswith(s.split(" ")[0]) and "background" in found[s]]
            assert "background" in body or owners, f"{sheet.name}: {selector} sets light text on the theme's background"
    assert light >= 3  # the check met light text to look at
