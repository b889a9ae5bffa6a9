"""Chart images made at build time: SVG and 2x PNG that carry their own title, source, date and
address (for journalists), and a plain SVG of each page chart (for readers without JavaScript).

Rendering is the slow part of a build, so each image is cached under build/cache/exports by a
hash of everything it depends on (the spec, vl-convert's version, the drawing code's version),
and the images not in the cache are drawn on all cores at once. A rebuild after one department
file changed redraws only the charts whose figures changed.
"""

from __future__ import annotations

import concurrent.futures
import copy
import hashlib
import json
import multiprocessing
import os
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.charts import MUTED, Chart
from pipeline.draw import DRAWING_VERSION, render

EXPORT_WIDTH = 640  # pixels of the plot area in exported images (PNG at 2x: about 1,350 wide)
NARROW_WIDTH = 300  # the page figure for phones: shown at about its own size, text stays legible


@dataclass(frozen=True)
class Images:
    """The images of one chart."""

    svg: bytes  # export: title, subtitle, chart, source line
    png: bytes  # the same at 2x
    figure_svg: bytes  # the page chart without title, for readers without JavaScript
    figure_size: tuple[int, int]  # width, height of figure_svg in CSS pixels
    narrow_svg: bytes  # the same for phones
    narrow_size: tuple[int, int]

    @property
    def png_size(self) -> tuple[int, int]:
        """Width and height of the PNG in pixels (from its header)."""
        return int.from_bytes(self.png[16:20], "big"), int.from_bytes(self.png[20:24], "big")


def export_spec(chart: Chart, footer_lines: list[str]) -> dict:
    """The page spec made self-describing: fixed width, title, subtitle and a source footer."""
    spec = copy.deepcopy(chart.spec)
    top_level = {k: spec.pop(k) for k in ("config", "autosize", "datasets", "description", "padding",
                                         "background") if k in spec}
    spec["width"] = EXPORT_WIDTH
    footer = {
        "data": {"values": [{"line": line, "i": i} for i, line in enumerate(footer_lines)]},
        "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": 11, "color": MUTED},
        "encoding": {"text": {"field": "line", "type": "nominal"},
                     "y": {"field": "i", "type": "ordinal", "axis": None},
                     "x": {"value": 0}},
        "width": EXPORT_WIDTH,
        "height": 16 * len(footer_lines),
    }
    subtitle = [line for line in chart.subtitle.split(" · ") if line]
    out = {
        "vconcat": [spec, footer],
        "spacing": 14,
        "title": {"text": chart.title, "subtitle": subtitle, "anchor": "start"},
        "description": top_level.get("description", chart.summary),
        "background": "white",
        "padding": 16,
        "config": {**top_level.get("config", {}), "concat": {"spacing": 14}},
    }
    if "datasets" in top_level:
        out["datasets"] = top_level["datasets"]
    out["config"].pop("padding", None)
    return out


def figure_spec(chart: Chart, width: int = EXPORT_WIDTH) -> dict:
    """The page spec at a fixed width, for the static image shown before (or without) JavaScript."""
    spec = copy.deepcopy(chart.spec)
    spec["width"] = width
    spec["autosize"] = {"type": "pad"}
    return spec


def _key(kind: str, spec: dict) -> str:
    import vl_convert

    text = json.dumps(spec, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{kind}|{vl_convert.__version__}|{DRAWING_VERSION}|{text}".encode()).hexdigest()[:32]


def _size(svg: bytes) -> tuple[int, int]:
    head = svg[:400].decode(errors="replace")
    w = re.search(r'\bwidth="([\d.]+)"', head)
    h = re.search(r'\bheight="([\d.]+)"', head)
    return (round(float(w.group(1))), round(float(h.group(1)))) if w and h else (EXPORT_WIDTH, 300)


def render_images(charts: list[Chart], footers: dict[str, list[str]], cache_dir: Path,
                  workers: int | None = None) -> tuple[dict[str, Images], dict[str, int]]:
    """Images of every chart, from the cache or drawn now; also how many were drawn and reused."""
    cache = cache_dir / "exports"
    cache.mkdir(parents=True, exist_ok=True)
    jobs: dict[str, tuple[str, dict]] = {}  # cache key -> (kind, spec)
    keys: dict[str, tuple[str, str, str]] = {}  # chart id -> (export key, figure key, narrow figure key)
    for chart in charts:
        export, figure, narrow = (export_spec(chart, footers[chart.chart_id]), figure_spec(chart),
                                  figure_spec(chart, NARROW_WIDTH))
        ek, fk, nk = _key("export", export), _key("figure", figure), _key("figure", narrow)
        keys[chart.chart_id] = (ek, fk, nk)
        if not (cache / f"{ek}.svg").exists() or not (cache / f"{ek}.png").exists():
            jobs[ek] = ("export", export)
        for key, spec in ((fk, figure), (nk, narrow)):
            if not (cache / f"{key}.svg").exists():
                jobs[key] = ("figure", spec)
    if jobs:
        _draw(jobs, cache, workers or os.cpu_count() or 1)
    images = {}
    for chart_id, (ek, fk, nk) in keys.items():
        figure, narrow = (cache / f"{fk}.svg").read_bytes(), (cache / f"{nk}.svg").read_bytes()
        images[chart_id] = Images(svg=(cache / f"{ek}.svg").read_bytes(), png=(cache / f"{ek}.png").read_bytes(),
                                  figure_svg=figure, figure_size=_size(figure), narrow_svg=narrow,
                                  narrow_size=_size(narrow))
    return images, {"drawn": len(jobs), "reused": 3 * len(charts) - len(jobs)}


def _draw(jobs: dict[str, tuple[str, dict]], cache: Path, workers: int) -> None:
    def save(key: str, result: dict[str, bytes]) -> None:
        for ext, content in result.items():
            tmp = cache / f"{key}.{ext}.tmp"
            tmp.write_bytes(content)
            tmp.replace(cache / f"{key}.{ext}")

    items = [(key, kind, json.dumps(spec, ensure_ascii=False)) for key, (kind, spec) in jobs.items()]
    # A few images are drawn here: starting workers would take longer than drawing them.
    if workers <= 1 or len(items) < 12:
        for key, kind, spec_json in items:
            save(key, render(kind, spec_json))
        return
    # Separate processes (not threads): vl-convert holds its own JavaScript engine per process.
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(render, kind, spec_json): key for key, kind, spec_json in items}
        for future in concurrent.futures.as_completed(futures):
            save(futures[future], future.result())
