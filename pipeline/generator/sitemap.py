"""The sitemap with the dated releases in it: MkDocs lists its own pages only, and the releases are
placed in the site beside them (archive/store.place), so each release's pages are added here, each
dated by its release (the same bytes whatever day the site is built)."""

from __future__ import annotations

import gzip
import html
from pathlib import Path

SITEMAP = "sitemap.xml"


def release_urls(releases, site_url: str, folder: str) -> list[tuple[str, str]]:
    """(address, date) of every page of every release that is not a pointer to an earlier version:
    its index, its briefing, and the pages of the charts new in it."""
    out = []
    for release in releases:
        base = f"{site_url}{folder}/{release.name}/"
        day = release.released_on.isoformat() if release.released_on else ""
        out += [(base, day), (f"{base}briefing/", day)]
        out += [(f"{base}charts/{chart}/", day) for chart, version in sorted(release.versions.items())
                if version == release.name]
    return out


def with_urls(sitemap: str, urls: list[tuple[str, str]]) -> str:
    """A sitemap's text with more addresses, before its closing tag (pure)."""
    entries = "".join(f"    <url>\n         <loc>{html.escape(loc)}</loc>\n" + (f"         <lastmod>{day}</lastmod>\n" if day else "")
                      + "    </url>\n" for loc, day in urls)
    return sitemap.replace("</urlset>", entries + "</urlset>")


def add_releases(site_dir: Path, releases, site_url: str, folder: str) -> None:
    """Add every release's pages to the built site's sitemap.xml and sitemap.xml.gz."""
    path = site_dir / SITEMAP
    if not path.exists() or not releases:
        return
    text = with_urls(path.read_text(encoding="utf-8"), release_urls(releases, site_url, folder))
    path.write_text(text, encoding="utf-8")
    with (site_dir / f"{SITEMAP}.gz").open("wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(text.encode("utf-8"))
