"""What a dated release is, as the site cites it: a Release (one quarter's publication, closed on
the day it was frozen, or being prepared), and Releases (all of them, and the page each chart's
citation points to).

A closed release is read from its manifest (archive/store.py) and never worked out again; the
release being closed in a build is made by pipeline/releases/. Both are the same record, so the
pages cannot tell, and need not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re

from pipeline.analyse.changes import Changes, Snapshot
from pipeline.basics import paths
from pipeline.basics.periods import Period

#: The manifest's format; a manifest of another format is refused (archive/store.py).
MANIFEST_FORMAT = 1


@dataclasses.dataclass(frozen=True)
class Erratum:
    """A dated correction of a closed release: the re-issue beside it and why (勘误)."""

    date: dt.date
    note: str
    corrected_in: str  # the folder of the corrected version, e.g. 2022Q3-r1


@dataclasses.dataclass(frozen=True)
class Release:
    """One quarter's publication: the files it took and what its pages said."""

    label: str  # its quarter, e.g. 2022Q4
    closing: dt.date  # files received by this day are in it
    released_on: dt.date | None  # the day it was closed (frozen): its one date
    files: tuple[str, ...]  # the files it takes (department files and status forms), paths under data/raw
    file_hashes: dict  # file -> sha256 of its bytes when the release was made
    new_files: tuple[str, ...]  # not in the release before
    as_of: dt.date | None
    good: int  # targets achieved or on track
    total: int
    counts: dict  # status -> targets
    versions: dict  # chart id -> folder of the release whose page of the chart is cited
    contents: dict  # chart id -> hash of the chart's content (releases/content.py)
    charts: dict  # chart id -> (title, as_of)
    snapshot: Snapshot  # the facts compared with the next release
    changes: Changes  # against the release before
    folder: str = ""  # its folder under /releases/: the label, or label-r1 for a re-issue ("": the label)
    reissue_of: str | None = None  # the folder of the release this one corrects
    reissue_note: str = ""  # why (the 勘误 note, also on every page of the release it corrects)
    errata: tuple[Erratum, ...] = ()  # corrections of this release, each with its re-issue
    code: str = ""  # the version of the code that made it
    size: int = 0  # bytes it adds to the site
    headline: str = ""  # the headline count as its pages said it (analysis.headline_zh; "": an older manifest)

    @property
    def headline_zh(self) -> str:
        """The headline count (a manifest made before it was kept: the count during the plan)."""
        return self.headline or f"{self.total} 项目标中，{self.good} 项已完成或进度正常"

    @property
    def period(self) -> Period:
        return Period.from_label(self.label)

    @property
    def name(self) -> str:
        """Its folder's name: the quarter, or the quarter and its revision (2022Q3-r1)."""
        return self.folder or self.label

    @property
    def revision(self) -> int:
        found = re.fullmatch(r".*-r(\d+)", self.name)
        return int(found.group(1)) if found else 0

    @property
    def label_zh(self) -> str:
        return folder_label_zh(self.name)

    @property
    def path(self) -> str:
        return f"{paths.RELEASES_FOLDER}/{self.name}/"

    @property
    def checked_on(self) -> dt.date:
        """The day its forms not received were counted as not received: its closing date."""
        return self.closing

    def sort_key(self) -> tuple:
        return (self.period, self.revision)


def folder_label_zh(name: str) -> str:
    """A release's folder name in words: 2022Q3 -> 2022年第三季度发布, 2022Q3-r1 -> …（更正版 1）."""
    label, _, revision = name.partition("-r")
    return f"{Period.from_label(label).label_zh}发布" + (f"（更正版 {revision}）" if revision else "")


@dataclasses.dataclass(frozen=True)
class Releases:
    """Where a site's citations point (share.cited_url), and every release up to the one shown."""

    all: tuple[Release, ...]  # oldest first (a re-issue after the release it corrects)
    shown: str | None = None  # the folder of the release a page belongs to (None: the current site)
    cited: dict = dataclasses.field(default_factory=dict)  # current site: chart id -> folder of its cited version
    changes: Changes | None = None  # current site: what changed since the latest closed release before it
    open_label: str | None = None  # current site: the quarter being prepared (None: it is the latest release)

    @property
    def latest(self) -> Release | None:
        return self.all[-1] if self.all else None

    @property
    def this(self) -> Release | None:
        """The release a page shows: the shown one, or for the current site the latest."""
        return next((r for r in self.all if r.name == self.shown), None) if self.shown else self.latest

    def chart_path(self, chart_id: str) -> str | None:
        """The cited page of a chart, from the site's root (releases/<folder>/charts/<chart>/), or
        None: the current chart page (a chart whose content differs from every release's)."""
        folder = self.cited.get(chart_id) if self.shown is None else (self.this.versions.get(chart_id) if self.this else None)
        return f"{paths.RELEASES_FOLDER}/{folder}/charts/{chart_id}/" if folder else None

    def cited_release(self, chart_id: str) -> Release | None:
        """The release whose version of a chart is cited (None: the current chart page)."""
        folder = self.cited.get(chart_id) if self.shown is None else (self.this.versions.get(chart_id) if self.this else None)
        return next((r for r in self.all if r.name == folder), None) if folder else None

    def history(self, chart_id: str) -> list[Release]:
        """The releases in which a chart got a new version, latest first."""
        return [r for r in reversed(self.all) if r.versions.get(chart_id) == r.name]


# -- the manifest: a release as JSON ---------------------------------------------------------------

#: Keys whose values are dates, wherever they are in a manifest (written as YYYY-MM-DD).
_DATE_KEYS = {"closing", "released_on", "as_of", "date", "due_on", "submitted_on", "received_on", "coverage_end",
              "coverage_start"}


def plain(value):
    """A value as JSON can hold it: dates as YYYY-MM-DD, missing numbers as null, tuples as lists."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if dataclasses.is_dataclass(value):
        return plain(dataclasses.asdict(value))
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # a numpy or pandas scalar
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is not None and type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value


def _dated(value, key: str = ""):
    """plain() undone: the values of date keys as dates again."""
    if isinstance(value, dict):
        return {k: _dated(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_dated(v, key) for v in value]
    if key in _DATE_KEYS and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return dt.date.fromisoformat(value)
    return value


def to_manifest(release: Release) -> dict:
    """A release as its manifest says it (without the list of its published files)."""
    out = plain(release)
    out["charts"] = {k: {"title": t, "as_of": plain(a)} for k, (t, a) in release.charts.items()}
    return {"format": MANIFEST_FORMAT, **out}


def from_manifest(data: dict) -> Release:
    """A release from its manifest (KeyError or TypeError if one is missing or wrong)."""
    d = _dated({k: v for k, v in data.items() if k not in ("format", "published")})
    snapshot = d["snapshot"]
    snapshot["series"] = {k: tuple(v) for k, v in snapshot["series"].items()}
    changes = d["changes"]
    changes["commitment_quarters"] = tuple(changes.get("commitment_quarters", ()))
    return Release(
        label=d["label"], closing=d["closing"], released_on=d["released_on"], files=tuple(d["files"]),
        file_hashes=d["file_hashes"], new_files=tuple(d["new_files"]), as_of=d["as_of"], good=d["good"],
        total=d["total"], counts=d["counts"], versions=d["versions"], contents=d["contents"],
        charts={k: (v["title"], v["as_of"]) for k, v in d["charts"].items()},
        snapshot=Snapshot(**snapshot), changes=Changes(**changes), folder=d.get("folder", ""),
        reissue_of=d.get("reissue_of"), reissue_note=d.get("reissue_note", ""), errata=tuple(Erratum(**e) for e in d.get("errata", ())),
        code=d.get("code", ""), size=d.get("size", 0), headline=d.get("headline", ""))
