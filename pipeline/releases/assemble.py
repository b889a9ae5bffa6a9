"""The releases of one build: the closed ones read from data/releases and placed in the site byte
for byte, never worked out again; and, when staff close a quarter (`make release`) or re-issue a
closed one with an erratum (`make reissue`), the releases made now, stored beside them.

A build costs the same whatever the number of closed releases: only the quarter being closed (or
re-issued) is analysed and drawn, and only in the build that closes it. An ordinary build draws
no release at all: the current site's charts cite their version in the latest closed release
when their content is that version's, and their own current page otherwise.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

from pipeline.archive.record import Erratum, Release
from pipeline.archive.store import add_erratum, load_closed, place, store
from pipeline.basics import paths
from pipeline.basics.periods import Period
from pipeline.ingest.receipts import closing_date, read_register, receipt_columns, receipts
from pipeline.publish.share import chart_footers, portraits
from pipeline.releases.make import Made, code_version, current_releases, make_release
from pipeline.releases.pages import release_files, small_pngs
from pipeline.releases.plan import plan_releases


class ReleaseRequestError(Exception):
    """A `make release` or `make reissue` that cannot be done; the message says why, in Chinese."""


@dataclasses.dataclass(frozen=True)
class Request:
    """What staff asked this build to do besides building: close the quarters whose closing date
    has passed, or re-issue one closed release; `day` is the date of the releases made now."""

    close: bool = False  # make release
    day: dt.date | None = None  # the day the releases made now are closed or re-issued: their one date
    reissue: str | None = None  # make reissue: the quarter (e.g. 2022Q3) of the closed release to correct
    note: str = ""  # make reissue: the 勘误 note, what was wrong
    take: tuple[str, ...] = ()  # make reissue: files (paths under data/raw) the corrected version takes too


def file_hashes(raw_dir: Path, files: list[str]) -> dict[str, str]:
    return {f: hashlib.sha256((raw_dir / f).read_bytes()).hexdigest() for f in files}


#: The releases' 256-colour PNGs in the build cache, by the full-colour image's name (a hash of its spec).
RELEASE_PNG_CACHE = "release-png"


class ReleaseBuild:
    """Planned after reading; the releases made now analysed with the current site, their images
    drawn with its images, their files made with its pages; all written into the new site."""

    def __init__(self, raw_dir: Path, releases_dir: Path, config, today: dt.date, results: list, commitments,
                 request: Request = Request()):
        """results: every file's read result, before combine.py changed them (kept as given).
        ArchiveError: a closed release differs from its manifest; ReleaseRequestError: see Request."""
        self.config, self.results, self.commitments = config, results, commitments
        self.releases_dir, self.request, self.today = releases_dir, request, today
        self.closed = load_closed(releases_dir)
        files = [r.submission["file"] for r in results] + [f.file for f in commitments.forms]
        register, self.problems = read_register(raw_dir, config, today, files)
        reg_name = next((f.name for f in raw_dir.glob(config.method.releases.register_file + ".*")), "")
        self.receipts, more = receipts(config, [r.submission for r in results], list(commitments.forms),
                                       commitments.registry.form.due_days, register, reg_name)
        self.hashes = file_hashes(raw_dir, sorted(self.receipts))
        self.plan = plan_releases(self.receipts, self.hashes, self.closed)
        self.problems += more + list(self.plan.problems)
        self.to_close = self._closable() if request.close else []
        self.original = self._original() if request.reissue else None
        self.made: list[Made] = []
        self.files: dict[str, dict[str, bytes]] = {}  # release folder -> its files under the site's root
        self.pngs: dict[str, dict[str, Path]] = {}  # release folder -> site path -> full-colour PNG

    def _closing(self, label: str) -> dt.date:
        return closing_date(Period.from_label(label), self.config.method.releases.months_after)

    def _closable(self) -> list[str]:
        """The quarters `make release` closes: every one not yet closed whose closing date has come."""
        day, last = self.request.day, self.plan.last_closed
        if day > self.today:
            raise ReleaseRequestError(f"发布日期 {day.isoformat()} 晚于今天（{self.today.isoformat()}）：发布日期是封存的那一天。")
        if last is not None and last.released_on and day < last.released_on:
            raise ReleaseRequestError(f"发布日期 {day.isoformat()} 早于上一期已封存的{last.label_zh}（{last.released_on.isoformat()}）：发布按日期先后封存。")
        ready = [label for label in self.plan.open_labels if self._closing(label) <= day]
        if not ready:
            waiting = "；".join(f"{Period.from_label(label).label_zh}发布（{self._closing(label).isoformat()} 收录截止）"
                               for label in self.plan.open_labels)
            raise ReleaseRequestError(
                "没有可以封存的发布：" + (f"{waiting}，收录截止以后才能封存。" if waiting else
                                    f"自{last.label_zh if last else '上一期'}以来没有收到新的文件。"))
        return ready

    def _original(self) -> Release:
        """The closed release `make reissue` corrects (its latest version), checked."""
        label, note = self.request.reissue, self.request.note.strip()
        versions = [r for r in self.closed if r.label == label]
        if not versions:
            closed = "、".join(dict.fromkeys(r.label for r in self.closed)) or "（没有）"
            raise ReleaseRequestError(f"没有已封存的 {label} 发布可以更正。已封存的发布：{closed}。")
        if not note:
            raise ReleaseRequestError("更正已封存的发布要写明勘误说明（什么错了，怎样更正的）：make reissue RELEASE=… NOTE=\"…\"")
        day, original = self.request.day, versions[-1]
        if day > self.today or (original.released_on and day < original.released_on):
            raise ReleaseRequestError(f"更正日期 {day.isoformat()} 要在原版的发布日期（{original.released_on}）和今天（{self.today.isoformat()}）之间。")
        unknown = [f for f in self.request.take if f not in self.hashes]
        if unknown:
            raise ReleaseRequestError(f"要更正版收录的文件不在 data/raw 中（或不是报送文件、进展表）：{'、'.join(unknown)}。"
                                      f"请写 data/raw 下的路径，如 {min(self.hashes, default='部门目录/文件名')}。")
        return versions[-1]

    # -- the current site's date and files -----------------------------------------------------------

    @property
    def release_date(self) -> dt.date | None:
        """The one date of the release the current site shows: the day the releases are closed
        (make release / make reissue); else today while a quarter is being prepared; else the
        latest closed release's date (the current site is that release)."""
        if self.request.day:
            return self.request.day
        if self.plan.open_labels:
            return self.today
        return self.plan.last_closed.released_on if self.plan.last_closed else None

    def submissions(self, submissions):
        """The current submissions table with receipt dates and the release that first takes each file."""
        found = {f: dataclasses.replace(r, release=self.plan.release_of[f]) for f, r in self.receipts.items()}
        return receipt_columns(submissions, found)

    # -- process ----------------------------------------------------------------------------------

    def attach(self, site, analyse_files):
        """The current site with its releases: the closed ones, and those made now (each analysed
        from exactly its files: analyse_files(results, forms, label, closing, day) -> Site)."""
        history, code = tuple(self.closed), code_version() if (self.to_close or self.original) else ""
        everything = set(self.receipts)
        for label in self.to_close:
            files = self.plan.files_up_to(label)
            mine = site if set(files) == everything else self._analyse(analyse_files, files, label)
            made = make_release(mine, label, self._closing(label), files, self.hashes, history,
                                self.request.day, code)
            self.made.append(made)
            history = (*history, made.release)
        if self.original is not None:
            history = self._reissue(analyse_files, history, code)
        still_open = [label for label in self.plan.open_labels if label not in self.to_close]
        open_label = still_open[-1] if still_open else None
        # a quarter being prepared is compared as of today, or its closing date if that has passed
        checked = min(self._closing(open_label), self.release_date) if open_label else None
        releases = current_releases(site, history, open_label, checked)
        return dataclasses.replace(site, releases=releases)

    def _analyse(self, analyse_files, files: list[str], label: str):
        wanted = set(files)
        return analyse_files(copy.deepcopy([r for r in self.results if r.submission["file"] in wanted]),
                             [f for f in self.commitments.forms if f.file in wanted], label, self._closing(label),
                             self.request.day)

    def _reissue(self, analyse_files, history: tuple[Release, ...], code: str) -> tuple[Release, ...]:
        """The corrected version of a closed release: the files it took (those still here, by
        their bytes) and the files named to correct them, worked out again beside it."""
        original, label = self.original, self.request.reissue
        by_hash = {h: f for f, h in self.hashes.items()}
        files = sorted({by_hash[h] for h in original.file_hashes.values() if h in by_hash} | set(self.request.take))
        revision = 1 + max(r.revision for r in self.closed if r.label == label)
        before = tuple(r for r in history if r.period < original.period)
        made = make_release(self._analyse(analyse_files, files, label), label, original.closing, files, self.hashes,
                            before, self.request.day, code, folder=f"{label}-r{revision}",
                            reissue_of=original.name)
        release = dataclasses.replace(made.release, reissue_note=_sentence(self.request.note))
        made = Made(release=release, site=dataclasses.replace(
            made.site, releases=dataclasses.replace(made.site.releases, all=(*before, release))))
        self.made.append(made)
        return tuple(sorted((*history, made.release), key=Release.sort_key))

    def render_images(self, current_images: dict, cache_dir: Path, pool) -> None:
        """Images of the charts new in each release made now (a chart the current site shows the
        same is drawn once)."""
        from pipeline.images.render import render_images

        for i, made in enumerate(self.made):
            release = made.release
            changed = [c for c in made.site.charts if release.versions[c.chart_id] == release.name]
            footers = chart_footers(made.site)
            images, _ = render_images(changed, footers, cache_dir, pool, portraits(made.site, footers))
            self.made[i] = dataclasses.replace(made, site=dataclasses.replace(made.site, images=images))

    def render_files(self) -> dict[str, bytes]:
        """The files of every release made now (their PNGs are added by write())."""
        out = {}
        for made in self.made:
            name = made.release.name
            self.files[name], self.pngs[name] = release_files(made.site, made.release)
            out.update(self.files[name])
        return out

    # -- save -------------------------------------------------------------------------------------

    def write(self, site_dir: Path, pool, cache_dir: Path) -> list[Release]:
        """The releases made now completed (PNGs in 256 colours, made by the pool's workers from the
        full-colour ones, kept in cache_dir for the next build) and stored in data/releases, with
        the erratum on a release re-issued; then every release there placed in the built site as
        stored. Returns the releases stored."""
        stored = []
        for made in self.made:
            name = made.release.name
            self.files[name].update(small_pngs(self.pngs[name], cache_dir / RELEASE_PNG_CACHE, pool))
            release = dataclasses.replace(made.release, size=sum(len(b) for b in self.files[name].values()))
            store(self.releases_dir, release, self.files[name], paths.RELEASES_FOLDER)
            if release.reissue_of:
                add_erratum(self.releases_dir, self.original,
                            Erratum(date=release.released_on, note=release.reissue_note, corrected_in=name))
            stored.append(release)
        place(self.releases_dir, load_closed(self.releases_dir) if stored else self.closed, site_dir,
              paths.RELEASES_FOLDER)
        return stored


def _sentence(note: str) -> str:
    """A note as a sentence (ending in 。)."""
    note = note.strip()
    return note if note.endswith(("。", "！", "？", ".")) else note + "。"
