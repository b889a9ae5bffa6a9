"""A portrait image of each chart for phone feeds (WeChat Moments, Weibo): the chart's phone
layout, large, with its title, summary, source lines and a QR code of its address, on a canvas at
least as tall as 4:5 (what feeds show uncropped).

Nothing is drawn by Vega again: the figure is the chart's figure for phones (already drawn for
the page), framed as draw.framed frames the exported image, and rasterized by the drawing pool.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from pipeline.charts.kit import FONT, INK, MUTED, Chart
from pipeline.images.frame import figure_body, svg_document, svg_size, text_lines, text_width
from pipeline.images.qr import qr_path

PORTRAIT_SCALE = 3  # CSS pixels to PNG pixels: 360 wide -> 1080, the width feeds show
# Part of each portrait's cache key: raise it when the drawing below changes what it writes.
PORTRAIT_VERSION = 3
WIDTH = 360  # the canvas in CSS pixels
MIN_HEIGHT = 450  # 4:5
PADDING = 18
TITLE_SIZE, TITLE_LINE = 19, 26
SUMMARY_SIZE, SUMMARY_LINE = 13, 20
SOURCE_SIZE, SOURCE_LINE = 10, 15
QR_SIZE = 76
BAND = "#9f1d20"  # the site's red, as the band at the top of every page


@dataclass(frozen=True)
class PortraitFrame:
    """What the portrait image says around its figure."""

    site_name: str
    title: str
    summary: str
    source: list[str]  # source, as-of and address, licence
    url: str  # the address its QR code opens
    qr: str  # the QR code as SVG elements QR_SIZE wide (qr.qr_path)
    font: str
    title_colour: str
    text_colour: str
    figure_left_padding: int = 0


def portrait(figure_svg: str, frame: PortraitFrame) -> str:
    """The portrait SVG: a red band with the site's name, the title, the one-sentence summary,
    the figure scaled to the width, then the source lines beside a QR code."""
    figure_width, figure_height = svg_size(figure_svg)
    column = WIDTH - 2 * PADDING
    font = quoteattr(frame.font)
    parts: list[str] = []
    y = 0

    def lines(texts: list[str], size: int, line_height: int, colour: str, width: float, x: int = PADDING,
              weight: str = "") -> None:
        nonlocal y
        made, y = text_lines(texts, size, line_height, colour, width, x, y, font, weight)
        parts.extend(made)

    parts.append(f'<rect width="{WIDTH}" height="30" fill="{BAND}"/>')
    parts.append(f'<text x="{PADDING}" y="20" font-family={font} font-size="12px" font-weight="600" '
                 f'fill="white">{escape(frame.site_name)}</text>')
    y = 30 + 14
    lines([frame.title], TITLE_SIZE, TITLE_LINE, frame.title_colour, column, weight=' font-weight="600"')
    y += 6
    lines([frame.summary], SUMMARY_SIZE, SUMMARY_LINE, frame.text_colour, column)
    y += 10
    # the figure for phones, scaled to the text's width (its own left padding trimmed)
    scale = column / max(1, figure_width - frame.figure_left_padding)
    parts.append(f'<g transform="translate({PADDING - frame.figure_left_padding * scale:.2f},{y}) '
                 f'scale({scale:.4f})">{figure_body(figure_svg)}</g>')
    y += round(figure_height * scale) + 14
    # the source lines (the address on its own line), then the QR code with what it opens beside it
    lines([part for line in frame.source for part in line.split(" · ") if part != frame.url], SOURCE_SIZE,
          SOURCE_LINE, frame.text_colour, column)
    y += 8
    top_of_qr = y
    parts.append(f'<g transform="translate({PADDING},{top_of_qr})">{frame.qr}</g>')
    beside = PADDING + QR_SIZE + 10
    y += 8
    lines(["扫码查看本图和数据"], SUMMARY_SIZE, SUMMARY_LINE, frame.title_colour, column - QR_SIZE - 10, x=beside,
          weight=' font-weight="600"')
    for piece in address_lines(frame.url, SOURCE_SIZE, column - QR_SIZE - 10):
        lines([piece], SOURCE_SIZE, SOURCE_LINE, frame.text_colour, WIDTH, x=beside)
    y = max(y, top_of_qr + QR_SIZE) + PADDING
    return svg_document(WIDTH, max(MIN_HEIGHT, y), frame.title, frame.summary, parts)


def address_lines(url: str, size: float, width: float) -> list[str]:
    """An address in lines no wider than width (estimated), broken after a slash (or anywhere,
    for a part longer than a line)."""
    out: list[str] = []
    line = ""
    for part in re.findall(r"[^/]*/|[^/]+$", url):
        if line and text_width(line + part, size) > width:
            out.append(line)
            line = ""
        while text_width(part, size) > width:
            cut = max(1, int(width // (0.6 * size)))
            out.append(part[:cut])
            part = part[cut:]
        line += part
    return out + ([line] if line else [])


def portrait_png(svg: str) -> bytes:
    """The portrait as a PNG in 256 colours (run by the drawing workers): a seventh of the size
    of a full-colour PNG (about 100 KB rather than 700 KB on a phone's connection), with no
    difference to see: the image has few colours, and feeds recompress it anyway."""
    import io

    import vl_convert
    from PIL import Image

    image = Image.open(io.BytesIO(vl_convert.svg_to_png(svg, scale=PORTRAIT_SCALE))).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(out, format="PNG")
    return out.getvalue()


def portrait_file_name(chart_id: str) -> str:
    """The portrait PNG's name in the chart's folder."""
    return f"{chart_id}-phone.png"


def portrait_frames(charts: list[Chart], site_name: str, footers: dict[str, list[str]],
                    urls: dict[str, str]) -> dict[str, PortraitFrame]:
    """Each chart's portrait frame: footers are the source lines of its images, urls the address
    each chart is cited at (share.cited_url), printed and given as a QR code."""
    frames = {}
    for chart in charts:
        url = urls[chart.chart_id]
        padding = (chart.narrow_spec or chart.spec).get("config", {}).get("padding", 0)
        frames[chart.chart_id] = PortraitFrame(
            site_name=site_name, title=chart.title, summary=chart.summary, source=footers[chart.chart_id], url=url,
            qr=qr_path(url, QR_SIZE), font=FONT, title_colour=INK, text_colour=MUTED,
            figure_left_padding=padding.get("left", 0) if isinstance(padding, dict) else padding)
    return frames
