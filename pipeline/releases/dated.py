"""Dated releases: each quarter's publication kept at /releases/<quarter>/, its figures worked
out from exactly the files received by its closing date (pipeline/ingest/receipts.py), never edited.

A release's charts are versions: a chart whose content (figures, words, date) is the same as in
the release before keeps that release's page, images and downloads, and is cited there; only the
charts that changed get pages in the new release. So a release adds only what changed, and a
journalist's citation keeps showing what was cited.

The latest release is the current site's analysis (every file is received by its closing date),
so its images are the current site's. Each earlier release is analysed on its own files (read
results reused, copied: combine.py changes them in place); what it writes is cached under
build/cache/releases by a hash of everything it depends on, so a rebuild with nothing new makes
no earlier release again. Pages of a release depend only on the files received by its closing
date: a later file never changes them.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
import hashlib
import importlib.metadata
import json
import pickle
import sys
from pathlib import Path

from pipeline.basics import paths
from pipeline.basics.periods import Period
from pipeline.basics.workdir import write_whole
from pipeline.charts.kit import Chart
from pipeline.ingest.receipts import BASES as BASES_ZH
from pipeline.ingest.receipts import closing_date, read_register, receipt_columns, receipts

LAST_BUILD_FILE = "last-build.json"  # in the releases' cache: the folder of files they were built from


@dataclasses.dataclass(frozen=True)
class Release:
    """What the current site and later releases know of a release (kept in the cache)."""

    label: str  # its quarter, e.g. 2010Q4
    closing: dt.date  # files received by this day are in it
    key: str  # the hash of everything it depends on
    files: tuple[str, ...]  # the files it takes (department files and status forms)
    new_files: tuple[str, ...]  # not in the release before
    as_of: dt.date | None
    released_on: dt.date | None
    good: int  # targets achieved or on track
    total: int
    counts: dict  # status -> targets
    versions: dict  # chart id -> label of the release whose page of the chart is cited
    contents: dict  # chart id -> hash of the chart's content
    charts: dict  # chart id -> (title, as_of)
    snapshot: object  # changes.Snapshot: the facts compared with the next release
    changes: object  # changes.Changes against the release before (None for the first)
    size: int = 0  # bytes it adds to the site

    @property
    def period(self) -> Period:
        return Period.from_label(self.label)

    @property
    def label_zh(self) -> str:
        return f"{self.period.label_zh}发布"

    @property
    def path(self) -> str:
        return f"{paths.RELEASES_FOLDER}/{self.label}/"


@dataclasses.dataclass(frozen=True)
class Releases:
    """Where a site's citations point (share.cited_url), and every release up to the one shown."""

    all: tuple[Release, ...]  # oldest first
    shown: str | None = None  # the release a page belongs to (None: the current site)

    @property
    def latest(self) -> Release | None:
        return self.all[-1] if self.all else None

    @property
    def this(self) -> Release | None:
        """The release a page shows: the shown one, or for the current site the latest."""
        return next((r for r in self.all if r.label == self.shown), None) if self.shown else self.latest

    def chart_path(self, chart_id: str) -> str | None:
        """The cited page of a chart, from the site's root: releases/<label>/charts/<chart>/."""
        release = self.this
        label = release.versions.get(chart_id) if release else None
        return f"{paths.RELEASES_FOLDER}/{label}/charts/{chart_id}/" if label else None

    def history(self, chart_id: str) -> list[Release]:
        """The releases in which a chart got a new version, latest first."""
        return [r for r in reversed(self.all) if r.versions.get(chart_id) == r.label]


def content_key(site, chart: Chart) -> str:
    """A hash of what a chart says: its figures, words, date and context (not its address, nor the
    release's date): equal keys in two releases mean the same chart."""
    from pipeline.publish.opendata import chart_context, chart_csv
    from pipeline.publish.share import chart_source

    plain = dataclasses.replace(site, releases=None)
    context = {k: v[2] for k, v in chart_context(plain, chart).items() if k not in ("released_on", "cite_url")}
    parts = [chart.spec, chart.narrow_spec, chart.title, chart.note, chart.summary, str(chart.as_of), chart.columns,
             chart_csv(chart).to_csv(index=False), context, chart_source(plain, chart)]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _inputs_hash(config, settings: dict, plan_text: str, config_dir: Path) -> bytes:
    """What every release depends on besides its files: the configuration, the pipeline's code and
    templates, every installed library's version, the site settings, the plan, config/ (not the
    day: a release's pages depend on its files alone, so a rebuild on another day reuses them)."""
    from pipeline.ingest.files import pipeline_sources

    h = hashlib.sha256(repr(config).encode())
    h.update(json.dumps(sorted((d.metadata["Name"] or "", d.version) for d in importlib.metadata.distributions())).encode())
    h.update(sys.version.encode())
    for name, module in pipeline_sources():
        h.update(name.encode() + b"\0" + module.read_bytes())
    h.update(json.dumps(settings, ensure_ascii=False, sort_keys=True, default=str).encode())
    h.update(plan_text.encode())
    for folder in (paths.PAGE_TEMPLATES_DIR, config_dir, paths.DOCS_SRC_DIR / "assets" / "stylesheets"):
        for f in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.digest()


class ReleaseBuild:
    """The releases of one build: planned after reading, analysed with the current site, their
    images drawn with the site's, their files made with its pages and written into the new site."""

    def __init__(self, raw_dir: Path, config, today: dt.date, results: list, commitments, settings: dict,
                 plan_text: str, cache_dir: Path, config_dir: Path = paths.CONFIG_DIR):
        """results: every file's read result, before combine.py changed them (kept as given)."""
        self.config, self.results, self.commitments = config, results, commitments
        self.cache = cache_dir / "releases"
        files = [r.submission["file"] for r in results] + [f.file for f in commitments.forms]
        register, self.problems = read_register(raw_dir, config, today, files)
        reg_name = next((f.name for f in raw_dir.glob(config.method.releases.register_file + ".*")), "")
        self.receipts, more = receipts(config, [r.submission for r in results], list(commitments.forms),
                                       commitments.registry.form.due_days, register, reg_name)
        self.problems += more
        base = _inputs_hash(config, settings, plan_text, config_dir)
        months_after = config.method.releases.months_after
        labels = sorted({r.release for r in self.receipts.values()}, key=Period.from_label)
        self.plans: list[tuple[str, dt.date, tuple[str, ...], str]] = []  # label, closing, files, key
        key, digests = base.hex(), {}
        for label in labels:
            mine = tuple(sorted(f for f, r in self.receipts.items() if Period.from_label(r.release) <= Period.from_label(label)))
            for f in mine:
                digests.setdefault(f, _digest(raw_dir / f))
            key = hashlib.sha256(json.dumps([key, label, [(f, digests[f]) for f in mine]]).encode()).hexdigest()
            self.plans.append((label, closing_date(Period.from_label(label), months_after), mine, key))
        self.cached = {label: self._load(key) for label, _, _, key in self.plans}
        # The releases in the cache are the last build's: compared with these only if that build
        # was of the same folder (not a try of other files with --raw, nor a test's).
        self.raw_dir = str(raw_dir.resolve())
        if _last_built_folder(self.cache) in (None, self.raw_dir):
            self.problems += closed_release_changes(self.cache, self.plans, self.cached, self.receipts, reg_name)
        self.made: dict[str, tuple[Release, object, dict]] = {}  # label -> (release, its site, images), made now
        self.files: dict[str, dict[str, bytes]] = {}  # label -> files under the site's root
        self.pngs: dict[str, dict[str, Path]] = {}  # label -> site path -> full-colour PNG in the image cache

    def submissions(self, submissions):
        """The current submissions table with receipt dates and releases."""
        return receipt_columns(submissions, self.receipts)

    def _load(self, key: str):
        try:
            with (self.cache / f"{key}.pickle").open("rb") as f:
                return pickle.load(f)
        except Exception:  # noqa: BLE001 - no entry, or a damaged one: made again
            return None

    # -- process ----------------------------------------------------------------------------

    def attach(self, site, analyse_files):
        """The current site with its releases: every release worked out (from the cache, or
        analysed now: analyse_files(results, forms) -> Site), the latest from the site itself."""
        from pipeline.analyse.changes import changes, snapshot
        from pipeline.publish.share import chart_footers

        done: list[Release] = []
        for label, closing, files, key in self.plans:
            if self.cached[label] is not None:
                done.append(self.cached[label][0])
                continue
            latest = label == self.plans[-1][0]
            if latest:
                mine = site
            else:
                wanted = set(files)
                mine = analyse_files(copy.deepcopy([r for r in self.results if r.submission["file"] in wanted]),
                                     [f for f in self.commitments.forms if f.file in wanted], label, closing)
            before = done[-1] if done else None
            contents = {c.chart_id: content_key(mine, c) for c in mine.charts}
            versions = {c: (before.versions[c] if before and before.contents.get(c) == k else label) for c, k in contents.items()}
            snap = snapshot(mine, closing, self.config)
            release = Release(label=label, closing=closing, key=key, files=files,
                              new_files=tuple(f for f in files if not before or f not in before.files),
                              as_of=mine.as_of, released_on=mine.reference, good=mine.analysis.good_count,
                              total=len(mine.analysis.headlines), counts=mine.analysis.status_counts, versions=versions,
                              contents=contents, charts={c.chart_id: (c.title, c.as_of) for c in mine.charts},
                              snapshot=snap, changes=changes(before.snapshot if before else None, snap, self.config))
            done.append(release)
            shown = dataclasses.replace(mine, releases=Releases(tuple(done), shown=label))
            self.made[label] = (release, shown, chart_footers(shown))
        return dataclasses.replace(site, releases=Releases(tuple(done)))

    def render_images(self, current_images: dict, cache_dir: Path, pool) -> None:
        """Images of the charts new in each release made now (the latest's are the site's)."""
        from pipeline.images.render import render_images

        for label, (release, shown, footers) in self.made.items():
            changed = [c for c in shown.charts if release.versions[c.chart_id] == label]
            if label == self.plans[-1][0]:
                images = {c.chart_id: current_images[c.chart_id] for c in changed}
            else:
                images, _ = render_images(changed, footers, cache_dir, pool)
            self.made[label] = (release, dataclasses.replace(shown, images=images), footers)

    def render_files(self) -> dict[str, bytes]:
        """The files of every release made now (their PNGs are added by write())."""
        from pipeline.releases.pages import release_files

        out = {}
        for label, (release, shown, _footers) in self.made.items():
            self.files[label], self.pngs[label] = release_files(shown, release)
            out.update(self.files[label])
        return out

    # -- save -------------------------------------------------------------------------------

    def write(self, site_dir: Path, pool) -> dict[str, int]:
        """Every release's files into the built site (PNGs in 256 colours, made by the pool's
        workers from the full-colour ones), new releases kept in the cache; unused entries removed.
        Returns each release's size in bytes."""
        from pipeline.releases.pages import small_pngs

        for label, pngs in self.pngs.items():
            self.files[label].update(small_pngs(pngs, self.cache.parent / "release-png", pool))
        sizes = {}
        for label, _, _, key in self.plans:
            if label in self.made:
                release = dataclasses.replace(self.made[label][0], size=sum(len(b) for b in self.files[label].values()))
                entry = (release, self.files[label])
                self._save(key, entry)
            else:
                entry = self.cached[label]
            for rel, content in entry[1].items():
                target = site_dir / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
            sizes[label] = entry[0].size
        keep = {f"{key}.pickle" for *_, key in self.plans}
        for old in self.cache.glob("*.pickle") if self.cache.is_dir() else []:
            if old.name not in keep:
                old.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            write_whole(self.cache / LAST_BUILD_FILE, json.dumps({"raw": self.raw_dir}, ensure_ascii=False).encode())
        return sizes

    def _save(self, key: str, entry) -> None:
        try:
            write_whole(self.cache / f"{key}.pickle", pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # made again next time


def _last_built_folder(cache: Path) -> str | None:
    """The folder of department files the releases in the cache were built from (None: not known)."""
    try:
        return json.loads((cache / LAST_BUILD_FILE).read_text(encoding="utf-8"))["raw"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def closed_release_changes(cache: Path, plans: list, cached: dict, found: dict, register_file: str) -> list:
    """A warning for each file that would enter or leave releases already closed in the build
    before (each with a later release; the releases of the last build are in the cache): a file
    received late but taken by an earlier release (its receipt date known only from its due day),
    or a withdrawn one. Published releases never change; the fix is its line in the register."""
    from pipeline.basics.problems import Problem

    def entry(path: Path):
        try:
            with path.open("rb") as f:
                return pickle.load(f)[0]
        except Exception:  # noqa: BLE001 - a damaged entry: nothing to compare with
            return None

    wanted = {key for *_, key in plans}
    old = [r for r in (entry(p) for p in sorted(cache.glob("*.pickle")) if p.stem not in wanted) if r is not None]
    old += [c[0] for c in cached.values() if c is not None]
    if not old:
        return []
    last = max(r.period for r in old)
    before = {r.label: r for r in old}
    hits: dict[str, list] = {}  # file -> (release, its closing day, file taken now) of each it changes, oldest first
    for label, closing, files, _ in plans:
        was = before.get(label)
        if cached[label] is not None or was is None or was.period >= last:
            continue
        for file in sorted(set(files) ^ set(was.files)):
            hits.setdefault(file, []).append((was, closing, file in files))
    problems = []
    for file, changed in hits.items():  # one warning per file, naming every release it changes
        (first, closing, came), latest = changed[0], changed[-1][0]
        named = first.label_zh if len(changed) == 1 else \
            f"{first.period.label_zh}至{latest.period.label_zh}的 {len(changed)} 期季度发布"
        how = found[file].basis if came else None
        problems.append(Problem(
            code="release_changed", file=file,
            found=(f"这个文件按收文日期 {found[file].received_on.isoformat()}（{BASES_ZH[how]}）属于已发布的{named}，会改变其中的数字"
                   if came else f"这个文件已不在 data/raw 中，已发布的{named}中由它算出的数字会改变"),
            expected=f"已发布的季度发布不再改变：{closing.isoformat()} 以后收到的文件计入以后的发布",
            fix=(f"如果这个文件是 {closing.isoformat()} 以后才收到的，在收文登记 {register_file or '收文登记.csv'} 中写上它的收文日期，"
                 "它就只计入收到时的那一期；如果确应改正已发布的数字，可以忽略这条提醒。") if came else
                "撤回文件会改变已发布的数字：如确需撤回，请在数据更新记录中说明；否则把文件放回原处。"))
    return problems


# -- what the current site's pages show of the releases -----------------------------------------------


def chart_history(site, chart_id: str, page: str) -> list[dict]:
    """A chart's versions in the dated releases, latest first, linked from `page` (the current
    chart page lists them; the first is the one its citation gives)."""
    from pipeline.publish.site import relative

    releases = getattr(site, "releases", None)
    if releases is None:
        return []
    return [{"label_zh": r.label_zh, "closing": r.closing, "as_of": r.charts[chart_id][1],
             "link": relative(page, f"{r.path}charts/{chart_id}/")} for r in releases.history(chart_id)]


def release_rows(site, page: str) -> list[dict]:
    """Every dated release, latest first, with links from `page` (the change log lists them)."""
    from pipeline.publish.site import relative

    releases = getattr(site, "releases", None)
    return [{"release": r, "link": relative(page, r.path), "briefing": relative(page, f"{r.path}briefing/"),
             "new_charts": sum(v == r.label for v in r.versions.values())}
            for r in reversed(releases.all)] if releases else []
