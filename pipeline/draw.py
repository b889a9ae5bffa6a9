"""Drawing one chart image with vl-convert, in a worker process.

Kept apart from the rest of the pipeline so that a worker imports only vl-convert, not pandas or
Altair: starting the workers is a good part of redrawing a few charts.
"""

from __future__ import annotations

import json

PNG_SCALE = 2  # exported PNGs are drawn at twice their size, for print and high-density screens


def render(kind: str, spec_json: str) -> dict[str, bytes]:
    """One image (and, for exports, its PNG from the same SVG) from a Vega-Lite spec in JSON."""
    import vl_convert

    spec = json.loads(spec_json)
    svg = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    if kind == "export":
        return {"svg": svg.encode(), "png": vl_convert.svg_to_png(svg, scale=PNG_SCALE)}
    return {"svg": svg.encode()}
