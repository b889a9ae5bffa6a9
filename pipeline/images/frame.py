"""Chart images as SVG text: the clip-path numbering of Vega's SVG, and the exported image made
from the page figure by framing it with its title, subtitle and source lines.

The exported image is not drawn by Vega a second time: the figure it shows is the page figure
(the same spec at the same width), so framing that SVG with a few lines of text gives the same
picture for a fraction of the cost, and lets the source lines wrap to the figure's width.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

PNG_SCALE = 2  # exported PNGs are drawn at twice their size, for print and high-density screens
# Part of each image's cache key: raise it when the drawing below changes what it writes.
DRAWING_VERSION = 5  # 5: a page figure wider than the page column is laid out to it (render.PAGE_MAX_TOTAL)

# Text of the frame around an exported figure, in CSS pixels.
FRAME_PADDING = 16
TITLE_SIZE, TITLE_LINE = 15, 21
SUBTITLE_SIZE, SUBTITLE_LINE = 12, 17
SOURCE_SIZE, SOURCE_LINE = 11, 16
GAP_ABOVE_FIGURE, GAP_BELOW_FIGURE = 10, 12
MIN_TEXT_WIDTH = 480  # lines wrap at the figure's width, but never narrower than this

_CLIP_REFERENCE = re.compile(r'(id="|url\(#)clip(\d+)(?=[")])')
_SVG_OPEN = re.compile(r'^<svg\b[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"[^>]*>')
# A line may not start with closing punctuation, nor end with opening punctuation (GB/T 15834).
_NO_LINE_START = set("，。、；：？！）》」』】〕〉”’…·,.;:?!)]}%")
_NO_LINE_END = set("（《「『【〔〈“‘([{")


def number_clips_from_one(svg: str) -> str:
    """The SVG with its clip paths numbered clip1, clip2, … in order of first mention.

    vl-convert numbers clip paths across all the charts one process draws, so an image's bytes
    would depend on which worker drew it and after which other charts: two builds of the same
    data would differ."""
    numbers: dict[str, int] = {}

    def renumber(match: re.Match) -> str:
        return f"{match.group(1)}clip{numbers.setdefault(match.group(2), len(numbers) + 1)}"

    return _CLIP_REFERENCE.sub(renumber, svg)


def svg_size(svg: str | bytes) -> tuple[int, int]:
    """Width and height of a Vega SVG in CSS pixels (from its opening tag)."""
    head = svg[:600].decode(errors="replace") if isinstance(svg, bytes) else svg[:600]
    match = _SVG_OPEN.match(head)
    if not match:
        raise ValueError("not an SVG with a width and a height: " + head[:80])
    return round(float(match.group(1))), round(float(match.group(2)))


def text_width(text: str, font_size: float) -> float:
    """An estimate of the width of a line of text in pixels: a full-width (CJK) character is one
    em, anything else about 0.6 em (digits and Latin letters of the sans-serif CJK fonts)."""
    return sum(font_size if unicodedata.east_asian_width(ch) in "WF" else 0.6 * font_size for ch in text)


def wrap(text: str, font_size: float, width: float) -> list[str]:
    """Lines of text no wider than width (estimated): breaks between CJK characters or at spaces,
    never inside a run of Latin letters and digits (an address, a number), and not before closing
    punctuation."""
    tokens = re.findall(r"[^\s\u2E80-\uFFEF]+\s*|\s+|.", text)
    lines: list[str] = []
    line = ""
    for token in tokens:
        if line and text_width((line + token).rstrip(), font_size) > width:
            if token[0] in _NO_LINE_START:  # carry the last character over with the punctuation
                line, token = line[:-1], line[-1] + token
            while line and line[-1] in _NO_LINE_END:
                line, token = line[:-1], line[-1] + token
            if line.strip():
                lines.append(line.rstrip())
                line = ""
        line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


@dataclass(frozen=True)
class Frame:
    """What an exported image says around its figure."""

    title: str
    subtitle: list[str]  # lines
    source: list[str]  # lines under the figure: source, as-of date, address
    description: str  # the text alternative: one sentence with the figures
    font: str  # CSS font-family list
    title_colour: str
    text_colour: str
    figure_left_padding: int = 0  # the figure's own padding left of its axis labels


def framed(figure_svg: str, frame: Frame) -> str:
    """The exported image: title and subtitle, the figure, then the source lines, on white.

    The figure (a Vega SVG) goes in as a group moved into place: its clip ids are already unique
    within the image. (A nested <svg> would say the same, but resvg rasterizes it five times
    slower.)"""
    figure_width, figure_height = svg_size(figure_svg)
    text_width_px = max(figure_width - frame.figure_left_padding, MIN_TEXT_WIDTH)
    width = text_width_px + 2 * FRAME_PADDING
    font = quoteattr(frame.font)
    parts: list[str] = []
    y = FRAME_PADDING

    def lines(texts: list[str], size: int, line_height: int, colour: str, weight: str = "") -> None:
        nonlocal y
        made, y = text_lines(texts, size, line_height, colour, text_width_px, FRAME_PADDING, y, font, weight)
        parts.extend(made)

    lines([frame.title], TITLE_SIZE, TITLE_LINE, frame.title_colour, ' font-weight="600"')
    lines(frame.subtitle, SUBTITLE_SIZE, SUBTITLE_LINE, frame.text_colour)
    y += GAP_ABOVE_FIGURE
    figure_x = FRAME_PADDING - frame.figure_left_padding
    parts.append(f'<g transform="translate({figure_x},{y})">{figure_body(figure_svg)}</g>')
    y += figure_height + GAP_BELOW_FIGURE
    lines(frame.source, SOURCE_SIZE, SOURCE_LINE, frame.text_colour)
    return svg_document(width, y + FRAME_PADDING, frame.title, frame.description, parts)


def text_lines(texts: list[str], size: int, line_height: int, colour: str, width: float, x: float, y: int,
               font: str, weight: str = "") -> tuple[list[str], int]:
    """<text> elements of texts wrapped to width, the first line's top at y, and the y below them
    (font: the quoted font-family attribute)."""
    parts = []
    for text in texts:
        for line in wrap(text, size, width):
            # the baseline sits about four fifths of the line down
            parts.append(f'<text x="{x}" y="{y + round(line_height * 0.78)}" font-family={font} '
                         f'font-size="{size}px"{weight} fill="{colour}">{escape(line)}</text>')
            y += line_height
    return parts, y


def svg_document(width: int, height: int, title: str, description: str, parts: list[str]) -> str:
    """An image of the given parts on white, with its title and text alternative."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">'
            f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
            f'<rect width="{width}" height="{height}" fill="white"/>' + "".join(parts) + "</svg>")


def figure_body(figure_svg: str) -> str:
    """A Vega SVG's content without its <svg> element, to place in another image."""
    return _SVG_OPEN.sub("", figure_svg, count=1).removesuffix("</svg>")
