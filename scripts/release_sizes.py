#!/usr/bin/env python3
"""Bytes per dated release: what each /releases/<quarter>/ folder adds to a built site, and the
site's size with 1, 2, … N releases (run from the project folder after `make`):

    .venv/bin/python scripts/release_sizes.py [site]

A release is only ever added: once closed, its folder never changes (tests/releases/test_releases.py), so
the site with the first k releases is the site without releases plus the first k folders. Each
folder holds the page, images (PNG in 256 colours, SVG, narrow SVG, QR), CSV and embed of only the
charts that changed since the release before; an unchanged chart is a short page pointing to its
earlier version (pipeline/releases/make.py).
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

RELEASES = "releases"  # pipeline/basics/paths.py RELEASES_FOLDER (kept free of imports: runs without the venv)


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def _size(files: list[Path]) -> tuple[int, int]:
    """Bytes as stored, and gzipped as a web server would send them."""
    return sum(p.stat().st_size for p in files), sum(len(gzip.compress(p.read_bytes(), 6)) for p in files)


def main(site: Path) -> int:
    folder = site / RELEASES
    if not folder.is_dir():
        print(f"{folder} 不存在：请先运行 make。", file=sys.stderr)
        return 1
    releases = sorted((p for p in folder.iterdir() if p.is_dir()), key=lambda p: p.name)
    every = _files(site)
    in_releases = {p for r in releases for p in _files(r)}
    base, base_gz = _size([p for p in every if p not in in_releases])
    print(f"site without releases: {base:>12,} bytes ({base_gz:,} gzipped)")
    print(f"{'release':<8} {'charts new':>10} {'unchanged':>9} {'files':>6} {'bytes':>12} {'gzipped':>11}"
          f" {'png':>11} {'svg':>11} {'site with 1..k':>15}")
    total = base
    sizes = []
    for release in releases:
        files = _files(release)
        charts = [c for c in (release / "charts").iterdir() if c.is_dir()] if (release / "charts").is_dir() else []
        new = sum(1 for c in charts if any(p.suffix == ".png" for p in c.iterdir()))
        size, gz = _size(files)
        png = sum(p.stat().st_size for p in files if p.suffix == ".png")
        svg = sum(p.stat().st_size for p in files if p.suffix == ".svg")
        total += size
        sizes.append(size)
        print(f"{release.name:<8} {new:>10} {len(charts) - new:>9} {len(files):>6} {size:>12,} {gz:>11,}"
              f" {png:>11,} {svg:>11,} {total:>15,}")
    if sizes:
        print(f"mean bytes per release: {sum(sizes) // len(sizes):,}; {len(sizes)} releases add "
              f"{sum(sizes):,} bytes to {base:,} ({sum(sizes) / base:.0%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("site")))
