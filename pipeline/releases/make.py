"""The record of a release made now (pure, but for the code version): closed by `make release`,
or re-issued by `make reissue`. Its charts are versions: a chart whose content is the same as in
the release before keeps that release's page and is cited there; only the charts that changed get
pages of their own. Also: where the current site's charts are cited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import subprocess

from pipeline.analyse.changes import changes, snapshot
from pipeline.archive.record import Release, Releases
from pipeline.basics import paths
from pipeline.publish.site import Site
from pipeline.releases.content import content_keys


@dataclasses.dataclass(frozen=True)
class Made:
    """A release made in this build, with the site its pages are made from."""

    release: Release
    site: Site  # its site, with its own Releases (shown: this release)


def make_release(site: Site, label: str, closing: dt.date, files: list[str], hashes: dict[str, str],
                 history: tuple[Release, ...], released_on: dt.date, code: str, *, folder: str = "",
                 reissue_of: str | None = None) -> Made:
    """A release of the quarter `label` worked out from `site` (the analysis of exactly `files`),
    after the releases in `history` (its versions and changes compare with the last of them)."""
    before = history[-1] if history else None
    contents = content_keys(site)
    name = folder or label
    versions = {c: (before.versions[c] if before and before.contents.get(c) == k and c in before.versions else name)
                for c, k in contents.items()}
    snap = snapshot(site, closing, site.config)
    release = Release(
        label=label, closing=closing, released_on=released_on, files=tuple(files),
        file_hashes={f: hashes[f] for f in files},
        new_files=tuple(f for f in files if not before or hashes[f] not in set(before.file_hashes.values())),
        as_of=site.as_of, good=site.analysis.good_count, total=len(site.analysis.headlines),
        counts=site.analysis.status_counts, versions=versions, contents=contents,
        charts={c.chart_id: (c.title, c.as_of) for c in site.charts}, snapshot=snap,
        changes=changes(before.snapshot if before else None, snap, site.config), folder=folder,
        reissue_of=reissue_of, code=code, headline=site.analysis.headline_zh)
    shown = dataclasses.replace(site, releases=Releases(all=(*history, release), shown=name))
    return Made(release=release, site=shown)


def current_releases(site: Site, releases: tuple[Release, ...], open_label: str | None,
                     checked_on: dt.date | None) -> Releases:
    """The current site's releases: each chart cited at its version in the latest release if its
    content is that version's, else at its own current page; and what changed since that release
    (the latest release's own changes when the site is that release; for a quarter being
    prepared, as of checked_on: the forms due by then and not received are the missing ones)."""
    latest = releases[-1] if releases else None
    cited = {}
    if latest is not None:
        for chart_id, key in content_keys(site).items():
            version = latest.versions.get(chart_id)
            if version is not None and latest.contents.get(chart_id) == key:
                cited[chart_id] = version
    if open_label is None:
        now = latest.changes if latest else None
    else:
        now = changes(latest.snapshot if latest else None, snapshot(site, checked_on, site.config), site.config)
    return Releases(all=releases, cited=cited, changes=now, open_label=open_label)


def code_version() -> str:
    """The version of the code making a release: the git commit (with "+changes" when pipeline/,
    config/ or the page assets differ from it), or, outside a git checkout, a hash of the code."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=paths.ROOT, capture_output=True, text=True,
                                check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "pipeline", "config", "docs", "mkdocs.yml"],
                               cwd=paths.ROOT, capture_output=True, text=True, check=True, timeout=10).stdout.strip()
        return f"git {commit}" + ("+changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        digest = hashlib.sha256()
        for module in sorted(paths.PIPELINE_DIR.rglob("*.py")):
            digest.update(module.read_bytes())
        return f"sha256 {digest.hexdigest()[:16]}"
