"""QR codes of chart addresses as SVG, for the chart pages (qr.svg) and the portrait images.

Making a symbol is the slow part (segno tries eight masks and keeps the best: a few milliseconds
each, for some 450 addresses a build). Symbols already made are remembered in `QrSymbols`, which a
build loads from its cache and saves back (pipeline/build.py); the SVG written is the same either
way, since it is always made here from the symbol's modules.
"""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

import segno

from pipeline.basics.workdir import write_whole

QR_INK = "#1f2328"
CACHE_FILE = "qr-codes.json"  # the symbols made, in the build's cache folder
QUIET_ZONE = 4  # modules of white border, as the standard asks


class QrSymbols:
    """Symbols of addresses: address -> (width in modules, quiet zone included; the dark modules as
    SVG path data, one module = one unit)."""

    def __init__(self, known: dict[str, tuple[int, str]] | None = None):
        self.known = dict(known or {})
        self.made = 0  # symbols made since loading

    def __call__(self, url: str) -> tuple[int, str]:
        if url not in self.known:
            self.known[url] = make_symbol(url)
            self.made += 1
        return self.known[url]

    @classmethod
    def load(cls, path: Path) -> "QrSymbols":
        """The symbols saved by the last build (none if the file is missing, damaged, or from
        another version of segno)."""
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            if saved["segno"] != segno.__version__:
                return cls()
            return cls({url: (int(width), str(path_data)) for url, (width, path_data) in saved["symbols"].items()})
        except (OSError, ValueError, KeyError, TypeError):
            return cls()

    def save(self, path: Path) -> None:
        """Every symbol known, if any was made since loading (written whole or not at all). The
        file grows only with the site's own addresses: each chart in each release, and the
        current ones (all of them again if site_url changes)."""
        if not self.made:
            return
        try:
            write_whole(path, json.dumps({"segno": segno.__version__, "symbols": self.known}, ensure_ascii=False,
                                         sort_keys=True, separators=(",", ":")).encode())
        except OSError:
            pass  # made again next time


def make_symbol(url: str) -> tuple[int, str]:
    """The QR symbol of an address (medium error correction: still read when slightly damaged)."""
    qr = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=1, border=QUIET_ZONE, xmldecl=False, nl=False, svgns=False, omitsize=True,
            svgclass=None, lineclass=None)
    return qr.symbol_size(scale=1, border=QUIET_ZONE)[0], re.search(rb' d="([^"]*)"', out.getvalue()).group(1).decode()


# The symbols of this process's builds; a build replaces it with the ones of its cache.
symbols = QrSymbols()


def qr_svg(url: str, title: str) -> bytes:
    """The QR code as a standalone SVG, sized by its viewBox so that CSS sets its size."""
    width, path_data = symbols(url)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {width}">'
            f"<title>{html.escape(title, quote=False)}</title>"
            f'<path fill="#fff" d="M0 0h{width}v{width}h-{width}z"/>'
            f'<path stroke="{QR_INK}" d="{path_data}"/></svg>').encode()


def qr_path(url: str, size: float) -> str:
    """The QR code as SVG elements `size` pixels wide from (0, 0), quiet zone included (for
    drawing it into an image)."""
    width, path_data = symbols(url)
    return (f'<g transform="scale({size / width:.4f})"><rect width="{width}" height="{width}" fill="white"/>'
            f'<path stroke="{QR_INK}" d="{path_data}"/></g>')
