"""Drawing one chart image with vl-convert, in a worker process.

Kept apart from the rest of the pipeline so that a worker imports only vl-convert, not pandas or
Altair: starting the workers is a good part of redrawing a few charts.
"""

from __future__ import annotations

import json
import re

PNG_SCALE = 2  # exported PNGs are drawn at twice their size, for print and high-density screens
# Part of each image's cache key: raise it when the drawing below changes what it writes.
DRAWING_VERSION = 2

_CLIP_REFERENCE = re.compile(r'(id="|url\(#)clip(\d+)(?=[")])')


def render(kind: str, spec_json: str) -> dict[str, bytes]:
    """One image (and, for exports, its PNG from the same SVG) from a Vega-Lite spec in JSON."""
    import vl_convert

    spec = json.loads(spec_json)
    svg = number_clips_from_one(vl_convert.vegalite_to_svg(spec, allowed_base_urls=[]))
    if kind == "export":
        return {"svg": svg.encode(), "png": vl_convert.svg_to_png(svg, scale=PNG_SCALE)}
    return {"svg": svg.encode()}


def number_clips_from_one(svg: str) -> str:
    """The SVG with its clip paths numbered clip1, clip2, … in order of first mention.

    vl-convert numbers clip paths across all the charts one process draws, so an image's bytes
    would depend on which worker drew it and after which other charts: two builds of the same
    data would differ."""
    numbers: dict[str, int] = {}

    def renumber(match: re.Match) -> str:
        return f"{match.group(1)}clip{numbers.setdefault(match.group(2), len(numbers) + 1)}"

    return _CLIP_REFERENCE.sub(renumber, svg)
