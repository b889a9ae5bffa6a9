"""Chart images made at build time: SVG and 2x PNG that carry their own title, source, date and
address (for journalists), and a plain SVG of each page chart (for readers without JavaScript).

Vega draws each chart twice: at the page width (the page figure, also framed into the export)
and at a phone's width (a third time, narrower, if its labels made it too wide for a phone). Drawing is the slow part of a build, so each image is cached under
build/cache/exports by a hash of everything it depends on (the spec, the frame's text,
vl-convert's version, the drawing code's version), and the images not in the cache are drawn by
worker processes on all cores, started while the data is still being read. A rebuild after one
department file changed redraws only the charts whose figures changed.
"""

from __future__ import annotations

import concurrent.futures
import copy
import hashlib
import json
import multiprocessing
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import vl_convert
from altair import SCHEMA_URL

from pipeline.basics.workdir import write_whole
from pipeline.charts.kit import FONT, INK, MUTED, Chart
from pipeline.images.frame import DRAWING_VERSION, PNG_SCALE, Frame, framed, number_clips_from_one, svg_size
from pipeline.images.portrait import PORTRAIT_SCALE, PORTRAIT_VERSION, PortraitFrame, portrait, portrait_png

EXPORT_WIDTH = 640  # pixels of the plot area in exported images (PNG at 2x: about 1,350 wide)
# A phone's column (375 px less margins) shows the figure for phones at most this wide without
# shrinking its text: Vega fits the whole figure, labels beside the plot included, to this width
# (in one drawing, as the page's own script does), but keeps the plot at least NARROW_MIN_WIDTH
# wide (labels that long make the figure wider instead).
NARROW_MAX_TOTAL = 350
NARROW_MIN_WIDTH = 150
# The page's column at 1280 px (the theme's content column between its two sidebars): a page
# figure whose labels beside the plot make it wider is laid out again to this width, so that the
# browser never shrinks its text (a programme's overview, 930 px wide, showed its 12 px text at 8.8 px).
PAGE_MAX_TOTAL = 688
_PLOT_WIDTH = re.compile(r'class="background"[^>]*\bd="M[\d.]+,[\d.]+h([\d.]+)')  # the first: the plot's frame
# Drawn by each worker when it starts, so that its JavaScript engine is ready for the real charts.
_WARM_UP_SPEC = {"data": {"values": [{"x": 1}]}, "mark": "bar", "encoding": {"x": {"field": "x", "type": "quantitative"}}}


@dataclass(frozen=True)
class Images:
    """The images of one chart."""

    svg: bytes  # export: title, subtitle, chart, source line
    png_file: Path  # the same at 2x, in the image cache (complete once DrawingPool.finish() returned)
    png_size: tuple[int, int]  # its width and height in pixels
    figure_svg: bytes  # the page chart without title, for readers without JavaScript
    figure_size: tuple[int, int]  # width, height of figure_svg in CSS pixels
    narrow_svg: bytes  # the same for phones
    narrow_size: tuple[int, int]
    portrait_file: Path | None = None  # the portrait PNG for phone feeds, in the image cache (portrait.py)
    portrait_size: tuple[int, int] = (0, 0)


def export_spec(chart: Chart, footer_lines: list[str]) -> dict:
    """The page spec made self-describing: fixed width, title, subtitle and a source footer (the
    Vega-Lite download, for those who redraw the chart themselves)."""
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
    out = {
        "$schema": SCHEMA_URL,
        "vconcat": [spec, footer],
        "spacing": 14,
        "title": {"text": chart.title, "subtitle": chart.subtitle_lines, "anchor": "start"},
        "description": top_level.get("description", chart.summary),
        "background": "white",
        "padding": 16,
        "config": {**top_level.get("config", {}), "concat": {"spacing": 14}},
    }
    if "datasets" in top_level:
        out["datasets"] = top_level["datasets"]
    out["config"].pop("padding", None)
    return out


def figure_spec(chart: Chart, width: int | None = None) -> dict:
    """The page spec with its plot `width` pixels wide (EXPORT_WIDTH), for the static image shown
    before (or without) JavaScript; the labels beside it are added to that width."""
    spec = copy.deepcopy(chart.spec)
    spec["width"] = width or EXPORT_WIDTH
    spec["autosize"] = {"type": "pad"}
    return spec


def phone_figure_spec(chart: Chart) -> dict:
    """The same for phones (the chart's layout for phones, if it has one): the whole figure,
    labels included, fitted to a phone's column (NARROW_MAX_TOTAL)."""
    spec = copy.deepcopy(chart.narrow_spec or chart.spec)
    spec["width"] = NARROW_MAX_TOTAL
    # resize: Vega lays the figure out again until it fits (labels beside the bars move with them)
    spec["autosize"] = {"type": "fit-x", "contains": "padding", "resize": True}
    return spec


def plot_width(svg: str) -> float:
    """The width of a Vega SVG's plot (its first frame), in CSS pixels."""
    return float(_PLOT_WIDTH.search(svg).group(1))


def export_frame(chart: Chart, footer_lines: list[str]) -> Frame:
    """The text around the figure in an exported image."""
    padding = chart.spec.get("config", {}).get("padding", 0)
    return Frame(title=chart.title, subtitle=chart.subtitle_lines, source=footer_lines,
                 description=chart.spec.get("description", chart.summary), font=FONT, title_colour=INK,
                 text_colour=MUTED, figure_left_padding=padding.get("left", 0) if isinstance(padding, dict) else padding)




def _key(*parts: object) -> str:
    text = json.dumps([vl_convert.__version__, DRAWING_VERSION, *parts], ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class DrawingPool:
    """Worker processes that draw with vl-convert (one JavaScript engine each), started at once
    and warmed up in the background: `with DrawingPool() as pool: ... render_images(..., pool)`.

    The workers run vl-convert's functions directly, so they import nothing of the pipeline (nor
    pandas): starting one takes a fraction of a second. PNGs are made last and need not be waited
    for until the site is written: finish() waits for them."""

    #: Workers kept running between builds (keep_workers), or None.
    kept: concurrent.futures.ProcessPoolExecutor | None = None
    keep = False

    @classmethod
    def keep_workers(cls) -> None:
        """Keep the workers running after each build, for the next one (a process that builds
        again and again: pipeline/warm.py): starting them and their JavaScript engines is a
        second or more of each rebuild otherwise."""
        cls.keep = True

    def __init__(self, workers: int | None = None):
        """workers: how many processes (default: one per core); 0 draws in this process, one
        image at a time (for a profiler, which sees only this process)."""
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self.pngs: dict[concurrent.futures.Future, Path] = {}  # PNGs being made -> where they go
        if self.workers == 0:
            self.executor = _ThisProcess()
            return
        if self.keep and DrawingPool.kept is not None:
            self.executor = DrawingPool.kept
            return
        self.executor = concurrent.futures.ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=vl_convert.vegalite_to_svg, initargs=(_WARM_UP_SPEC,))
        # Workers are started on demand: one small job each starts them all now.
        for _ in range(self.workers):
            self.executor.submit(abs, 0)

    def finish(self) -> None:
        """Wait until every PNG asked for is made, and put it in the image cache."""
        for future, path in self.pngs.items():
            write_whole(path, future.result())
        self.pngs.clear()

    def __enter__(self) -> "DrawingPool":
        return self

    def __exit__(self, error_type, *exc) -> None:
        if self.keep and error_type is None and isinstance(self.executor, concurrent.futures.ProcessPoolExecutor):
            DrawingPool.kept = self.executor  # every job is done (finish): ready for the next build
            return
        DrawingPool.kept = None  # after a failure, the next build starts afresh
        self.executor.shutdown(wait=True, cancel_futures=True)


class _ThisProcess(concurrent.futures.Executor):
    """An executor that runs each job at once, in this process."""

    def submit(self, fn, /, *args, **kwargs) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


def render_images(charts: list[Chart], footers: dict[str, list[str]], cache_dir: Path,
                  pool: DrawingPool | None = None, portraits: dict[str, PortraitFrame] | None = None,
                  ) -> tuple[dict[str, Images], dict[str, int]]:
    """Images of every chart, from the cache or drawn now; also how many were drawn and reused.
    With `portraits` (chart id -> its frame), also each chart's portrait PNG, framed from its
    figure for phones.

    With a pool, this returns when every SVG is ready; the PNGs are ready after pool.finish().
    Without a pool, one is started if anything needs drawing, and everything is ready on return."""
    cache = cache_dir / "exports"
    cache.mkdir(parents=True, exist_ok=True)
    figures: dict[str, dict] = {}  # cache key -> spec, not in the cache
    # export key -> (its figure's key, frame) not in the cache (portraits too: a PortraitFrame)
    exports: dict[str, tuple[str, Frame | PortraitFrame]] = {}
    keys: dict[str, tuple[str, str, str, str | None]] = {}  # chart id -> (export, figure, narrow figure, portrait key)
    for chart in charts:
        figure, narrow = figure_spec(chart), phone_figure_spec(chart)
        frame = export_frame(chart, footers[chart.chart_id])
        fk, nk = _key("figure", figure), _key("figure", narrow)
        ek = _key("export", fk, PNG_SCALE, asdict(frame))
        portrait_frame = (portraits or {}).get(chart.chart_id)
        pk = _key("portrait", PORTRAIT_VERSION, nk, PORTRAIT_SCALE, asdict(portrait_frame)) if portrait_frame else None
        keys[chart.chart_id] = (ek, fk, nk, pk)
        for key, spec in ((fk, figure), (nk, narrow)):
            if not (cache / f"{key}.svg").exists():
                figures[key] = spec
        for key, on, its_frame in ((ek, fk, frame), (pk, nk, portrait_frame)):
            if key and (not (cache / f"{key}.svg").exists() or not (cache / f"{key}.png").exists()):
                exports[key] = (on, its_frame)
    if figures or exports:
        if pool is None:
            with DrawingPool() as own_pool:
                _draw(figures, exports, cache, own_pool)
                own_pool.finish()
        else:
            _draw(figures, exports, cache, pool)
    images = {}
    for chart_id, (ek, fk, nk, pk) in keys.items():
        svg, figure, narrow = ((cache / f"{key}.svg").read_bytes() for key in (ek, fk, nk))
        width, height = svg_size(svg)
        portrait_width, portrait_height = svg_size((cache / f"{pk}.svg").read_bytes()) if pk else (0, 0)
        images[chart_id] = Images(svg=svg, png_file=cache / f"{ek}.png", png_size=(width * PNG_SCALE, height * PNG_SCALE),
                                  figure_svg=figure, figure_size=svg_size(figure), narrow_svg=narrow,
                                  narrow_size=svg_size(narrow), portrait_file=cache / f"{pk}.png" if pk else None,
                                  portrait_size=(portrait_width * PORTRAIT_SCALE, portrait_height * PORTRAIT_SCALE))
    drawn = len(set(figures) | set(exports))
    made = sum(len([k for k in chart_keys if k]) for chart_keys in keys.values())
    return images, {"drawn": drawn, "reused": made - drawn}


def _draw(figures: dict[str, dict], exports: dict[str, tuple[str, Frame | PortraitFrame]], cache: Path,
          pool: DrawingPool) -> None:
    """Figures drawn by Vega in the workers; each export framed here from its figure as soon as
    that is ready, and turned into a PNG by a worker once every figure is drawn (pool.pngs: not
    waited for here)."""
    def save(name: str, content: bytes) -> None:
        write_whole(cache / name, content)

    waiting: dict[str, list[str]] = {}  # figure key -> export keys that frame it
    for ek, (fk, _) in exports.items():
        waiting.setdefault(fk, []).append(ek)

    framed_exports: list[tuple[str, str, bool]] = []  # (export key, SVG, is a portrait) whose PNG is to be made

    def frame_exports(fk: str, figure_svg: str) -> None:
        for ek in waiting.pop(fk, []):
            frame = exports[ek][1]
            is_portrait = isinstance(frame, PortraitFrame)
            svg = portrait(figure_svg, frame) if is_portrait else framed(figure_svg, frame)
            save(f"{ek}.svg", svg.encode())
            framed_exports.append((ek, svg, is_portrait))

    def draw(spec: dict) -> concurrent.futures.Future:
        return pool.executor.submit(vl_convert.vegalite_to_svg, spec, allowed_base_urls=[])

    drawing = {draw(spec): (key, spec) for key, spec in figures.items()}
    for fk in [fk for fk in waiting if fk not in figures]:  # the figure is in the cache, its frame is new
        frame_exports(fk, (cache / f"{fk}.svg").read_text(encoding="utf-8"))
    while drawing:
        done, _ = concurrent.futures.wait(drawing, return_when=concurrent.futures.FIRST_COMPLETED)
        for future in done:
            key, spec = drawing.pop(future)
            svg = future.result()
            if spec["autosize"]["type"] == "pad" and spec["width"] == EXPORT_WIDTH and svg_size(svg)[0] > PAGE_MAX_TOTAL:
                fitted = {**spec, "width": PAGE_MAX_TOTAL, "autosize": {"type": "fit-x", "contains": "padding", "resize": True}}
                drawing[draw(fitted)] = (key, fitted)
                continue
            if spec["autosize"]["type"] == "fit-x" and plot_width(svg) < NARROW_MIN_WIDTH:
                # labels too long to fit beside a readable plot: once more, the plot at its narrowest
                narrowest = {**spec, "width": NARROW_MIN_WIDTH, "autosize": {"type": "pad"}}
                drawing[draw(narrowest)] = (key, narrowest)
                continue
            svg = number_clips_from_one(svg)
            save(f"{key}.svg", svg.encode())
            frame_exports(key, svg)
    # The PNGs last, when every figure is drawn (a figure drawn again for phones would otherwise
    # wait behind them): the build makes its pages meanwhile.
    for ek, svg, is_portrait in framed_exports:
        job = pool.executor.submit(portrait_png, svg) if is_portrait else pool.executor.submit(
            vl_convert.svg_to_png, svg, scale=PNG_SCALE)
        pool.pngs[job] = cache / f"{ek}.png"
