"""MkDocs' conversion of each page's Markdown, remembered between builds: a page whose Markdown
(and everything its conversion depends on) is the same as in the last successful build gets its
HTML, table of contents, title and anchors back instead of being converted again. After one
department file changed, about one page in ten has new Markdown.

What a conversion depends on, all in the key: the page's Markdown and address; every file of the
site and its address (links between pages are checked and rewritten against them); mkdocs.yml
(the Markdown extensions and their settings) and the versions of MkDocs, Markdown, the
extensions and the theme. Everything else MkDocs does (the menu, the theme's templates, the
search index, the other events of its plugins) runs as always, so the site is what a build
without this cache makes. The entries are saved only after MkDocs finished without a warning
(a warning stops the build: mkdocs.yml is strict), so a page whose conversion warned is never
remembered. They hold the pages' HTML only, which is published anyway.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import pickle
from collections.abc import Iterator
from pathlib import Path

from pipeline.basics import paths
from pipeline.basics.workdir import write_whole

CACHE_FILE = "pages.pickle"
LIBRARIES = ("mkdocs", "markdown", "pymdown-extensions", "mkdocs-material")
VERSION = 1  # raise when what an entry holds changes


def context_key(mkdocs_yml: Path = paths.MKDOCS_YML, plan_site: bytes = b"") -> bytes:
    """What every page's conversion depends on besides its own Markdown and the site's files: the
    libraries, the website's settings and the plan's site identity (config/plan.yml: site)."""
    digest = hashlib.sha256(f"{VERSION}\0".encode())
    for name in LIBRARIES:
        digest.update(f"{name}={importlib.metadata.version(name)}\0".encode())
    digest.update(mkdocs_yml.read_bytes())
    digest.update(plan_site)
    return digest.digest()


@contextlib.contextmanager
def remembered_pages(folder: Path | None, context: bytes) -> Iterator[dict[str, int]]:
    """Within: MkDocs converts only the pages it has not converted before (with folder None, every
    page, as without this cache). Yields the counts of pages converted and reused; the entries
    are saved when the block ends without an exception."""
    counts = {"converted": 0, "reused": 0}
    if folder is None:
        yield counts
        return
    from mkdocs.structure.pages import Page

    convert = Page.render
    known = _load(folder / CACHE_FILE)
    made: dict[str, bytes] = {}  # key -> the pickled entry
    sites: dict[int, bytes] = {}  # id(files) -> hash of every file's path and address

    def render(page, config, files) -> None:
        if id(files) not in sites:
            listing = sorted(f"{f.src_uri}\0{f.url}" for f in files)
            sites[id(files)] = hashlib.sha256("\n".join(listing).encode()).digest()
        key = hashlib.sha256(context + sites[id(files)] + f"\0{page.file.src_uri}\0{page.file.url}\0".encode()
                             + (page.markdown or "").encode()).hexdigest()
        entry = known.get(key)
        if entry is None:
            convert(page, config, files)
            entry = pickle.dumps(_entry(page), protocol=pickle.HIGHEST_PROTOCOL)  # as it is now, whatever comes later
            counts["converted"] += 1
        else:
            _restore(page, pickle.loads(entry), files)
            counts["reused"] += 1
        made[key] = entry

    Page.render = render
    try:
        yield counts
    finally:
        Page.render = convert
    _save(folder / CACHE_FILE, made)


def _entry(page) -> dict:
    links = page.links_to_anchors
    return {"content": page.content, "toc": page.toc, "title": page._title_from_render,
            "anchors": page.present_anchor_ids,
            "links": None if links is None else {f.src_uri: dict(v) for f, v in links.items()}}


def _restore(page, entry: dict, files) -> None:
    """The page as Page.render leaves it."""
    page.content, page.toc, page._title_from_render = entry["content"], entry["toc"], entry["title"]
    page.present_anchor_ids = set(entry["anchors"]) if entry["anchors"] is not None else None
    if entry["links"] is not None:
        page.links_to_anchors = {files.get_file_from_path(uri): dict(v) for uri, v in entry["links"].items()}


def _load(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return {}  # none yet, or written by other code: every page is converted


def _save(path: Path, entries: dict) -> None:
    with contextlib.suppress(OSError):  # (on a full disk: pages converted again next time; the build says so)
        write_whole(path, pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))
