"""The closed releases, kept in data/releases/<folder>/ (a folder per release, in the repository):
every file of the release exactly as published under /releases/<folder>/, and manifest.json (what
the release is, and the SHA-256 of each of its files).

A build reads the manifests, checks each release's files against them, and copies the files into
the site byte for byte: a closed release is never worked out again, so no change of code,
configuration, library or data can change it. Only two commands write here: closing a release
(`make release`) and re-issuing one with a dated erratum (`make reissue`), see pipeline/releases/.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import posixpath
import shutil
from pathlib import Path

from pipeline.archive.record import MANIFEST_FORMAT, Erratum, Release, from_manifest, plain, to_manifest
from pipeline.basics.format import date_zh
from pipeline.basics.workdir import TEMPORARY_PREFIX, link_or_copy, write_whole

MANIFEST = "manifest.json"


class ArchiveError(Exception):
    """A closed release that cannot be used as it is; the message says which and what to do."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest_path(releases_dir: Path, release: Release) -> Path:
    return releases_dir / release.name / MANIFEST


def _read_manifest(folder: Path) -> dict:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ArchiveError(f"已封存的发布 {folder} 的 {MANIFEST} 无法读取（{exc}）。已封存的发布不能修改："
                           "请用 git checkout 恢复这个目录。") from None
    if data.get("format") != MANIFEST_FORMAT:
        raise ArchiveError(f"已封存的发布 {folder} 的 {MANIFEST} 格式为 {data.get('format')!r}，本程序读取格式 "
                           f"{MANIFEST_FORMAT}：请用封存它的版本的程序构建，或用 git checkout 恢复这个目录。")
    return data


def load_closed(releases_dir: Path) -> list[Release]:
    """Every closed release in releases_dir, oldest first (a re-issue after what it corrects), each
    checked against its manifest: ArchiveError names a damaged or changed one."""
    if not releases_dir.is_dir():
        return []
    found = []
    for folder in sorted(p for p in releases_dir.iterdir() if p.is_dir() and not p.name.startswith(TEMPORARY_PREFIX)):
        data = _read_manifest(folder)
        try:
            release = from_manifest(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise ArchiveError(f"已封存的发布 {folder} 的 {MANIFEST} 缺少或写错了 {exc}：请用 git checkout 恢复这个目录。") from None
        if release.name != folder.name:
            raise ArchiveError(f"已封存的发布目录 {folder} 的 {MANIFEST} 说它是 {release.name}：目录不能改名，请改回 {release.name}。")
        _check_files(folder, data.get("published", {}))
        found.append(release)
    return sorted(found, key=Release.sort_key)


def _check_files(folder: Path, published: dict[str, str]) -> None:
    """Every file the manifest lists, with its bytes, and no other."""
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {MANIFEST}
    changed = sorted(f for f in published if f in present and _sha256((folder / f).read_bytes()) != published[f])
    missing, extra = sorted(set(published) - present), sorted(present - set(published))
    if changed or missing or extra:
        named = [*(f"{f}（内容与封存时不同）" for f in changed), *(f"{f}（缺少）" for f in missing),
                 *(f"{f}（多出）" for f in extra)]
        raise ArchiveError(f"已封存的发布 {folder} 与它的 {MANIFEST} 不符：{'；'.join(named[:5])}"
                           + (f" 等 {len(named)} 处" if len(named) > 5 else "") +
                           "。已封存的发布不能修改：请用 git checkout 恢复这个目录；要更正已封存的发布，用 make reissue。")


def place(releases_dir: Path, releases: list[Release], site_dir: Path, site_folder: str) -> None:
    """Each closed release's files (its manifest included) into the built site, byte for byte: as
    hard links where the disk allows (a closed release's files are only ever replaced whole, by
    make reissue, never changed in place; and a file changed in either place is found by the next
    build's check against the manifest)."""
    for release in releases:
        shutil.copytree(releases_dir / release.name, site_dir / site_folder / release.name, dirs_exist_ok=True,
                        copy_function=link_or_copy)


def store(releases_dir: Path, release: Release, files: dict[str, bytes], site_folder: str) -> Path:
    """A release closed now: its files (paths from the site's root, under site_folder/<name>/) and
    its manifest written to releases_dir/<name>/, whole or not at all. Returns the folder."""
    prefix = f"{site_folder}/{release.name}/"
    own = {path.removeprefix(prefix): content for path, content in files.items() if path.startswith(prefix)}
    manifest = {**to_manifest(release), "published": {p: _sha256(c) for p, c in sorted(own.items())}}
    target = releases_dir / release.name
    if target.exists():
        raise ArchiveError(f"{target} 已存在：{release.name} 已经封存过，不能再次封存（要更正它，用 make reissue）。")
    releases_dir.mkdir(parents=True, exist_ok=True)
    work = releases_dir / f"{TEMPORARY_PREFIX}{release.name}-{os.getpid()}"
    try:
        for rel, content in {**own, MANIFEST: manifest_bytes(manifest)}.items():
            path = work / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        work.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def manifest_bytes(manifest: dict) -> bytes:
    return (json.dumps(plain(manifest), ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def erratum_html(erratum: Erratum, original: str, page: str) -> str:
    """The 勘误 note put at the top of a page of a corrected release (original: its folder; page: the
    page's path in it), linking the same page of the corrected version."""
    here = posixpath.dirname(f"{original}/{page}")
    link = posixpath.relpath(posixpath.join(erratum.corrected_in, posixpath.dirname(page)), here).rstrip("/") + "/"
    return (f'<aside class="erratum" role="note" aria-label="勘误"><p><strong>勘误（{date_zh(erratum.date)}）：</strong>'
            f"{html.escape(erratum.note)} 本期发布已于{date_zh(erratum.date)}更正：<a href=\"{html.escape(link)}\">查看更正版</a>。"
            "以下是原版，保留不变，以便核对以前的引用。</p></aside>\n")


def add_erratum(releases_dir: Path, original: Release, erratum: Erratum) -> None:
    """A dated 勘误 note on every page of a closed release, and in its manifest: the one change a
    closed release ever gets, made only by `make reissue` (a statistical office's revision note)."""
    folder = releases_dir / original.name
    data = _read_manifest(folder)
    published = data["published"]
    for rel in sorted(published):
        if not rel.endswith(".html"):
            continue
        page = (folder / rel).read_text(encoding="utf-8")
        if '<main id="main">\n' not in page:
            continue
        note = erratum_html(erratum, original.name, rel)
        page = page.replace('<main id="main">\n', '<main id="main">\n' + note, 1)
        write_whole(folder / rel, page.encode("utf-8"))  # a new file, never the old one changed in place
        published[rel] = _sha256(page.encode("utf-8"))
    data["errata"] = [*data.get("errata", []), plain(erratum)]
    write_whole(folder / MANIFEST, manifest_bytes(data))
