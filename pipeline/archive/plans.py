"""Ended plans, kept in data/plans/<id>/ (a folder per plan, in the repository) when the next plan
starts (`make new-plan`, pipeline/new_plan.py):

- site/: the ended plan's final site, built once for its permanent address /plans/<id>/ and never
  worked out again (its pages, charts, downloads and its closed releases, byte for byte);
- source/: what it was made from, as it was: config/, data/plan/, data/raw/ and data/releases/;
- manifest.json: the plan (title, span, when it was archived) and the SHA-256 of every file of
  site/ and source/.

Every build checks each archive against its manifest and places it in the built site: its site at
/plans/<id>/, its closed releases at /releases/<label>/ as before, and at every other address of
the ended plan's site that the current plan does not use, what was there: a page that leads to its
copy under /plans/<id>/, any other file (a CSV, an image) itself. So every address cited while the
plan ran still answers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import posixpath
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline.archive.store import MANIFEST, ArchiveError
from pipeline.basics.format import date_zh
from pipeline.basics.workdir import TEMPORARY_PREFIX, link_or_copy

FORMAT = 1
SITE = "site"  # the ended plan's final site, in its archive folder
SOURCE = "source"  # what it was made from


@dataclass(frozen=True)
class EndedPlan:
    """An ended plan, as its archive's manifest says."""

    id: str  # its folder, and its address under /plans/: <first year>-<last year>
    title: str
    site_name: str
    start: dt.date
    end: dt.date
    archived_on: dt.date

    def path(self, folder: str) -> str:
        """Its address from the site's root: plans/<id>/."""
        return f"{folder}/{self.id}/"

    @property
    def span_zh(self) -> str:
        return f"{self.start.year}–{self.end.year}年" if self.start.year != self.end.year else f"{self.start.year}年"

    def for_pages(self, folder: str) -> dict:
        """What the pages say of it (the home page, the releases page)."""
        return {"id": self.id, "title": self.title, "site_name": self.site_name, "span": self.span_zh,
                "end": date_zh(self.end), "archived_on": date_zh(self.archived_on), "path": self.path(folder)}


def plan_id(start: dt.date, end: dt.date) -> str:
    """An ended plan's folder and address: its first and last years (<first>-<last>)."""
    return f"{start.year}-{end.year}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


def store_plan(plans_dir: Path, plan: EndedPlan, built_site: Path, sources: dict[str, Path]) -> Path:
    """An ended plan's archive: its built site (copied) and its sources (moved: source name -> its
    folder now, e.g. "config" -> config/, "data/raw" -> data/raw/), with a manifest of every file;
    written whole under plans_dir/<id>/ or not at all (the sources are moved back). Returns it."""
    target = plans_dir / plan.id
    if target.exists():
        raise ArchiveError(f"{target} 已存在：规划 {plan.id} 已经存档过，不能再次存档。")
    plans_dir.mkdir(parents=True, exist_ok=True)
    work = plans_dir / f"{TEMPORARY_PREFIX}{plan.id}-{os.getpid()}"
    moved: list[tuple[Path, Path]] = []
    try:
        shutil.copytree(built_site, work / SITE, copy_function=link_or_copy)  # the releases: one copy on disk
        for name, folder in sources.items():
            if folder.exists():
                (work / SOURCE / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(folder), work / SOURCE / name)
                moved.append((work / SOURCE / name, folder))
        manifest = {"format": FORMAT, "id": plan.id, "title": plan.title, "site_name": plan.site_name,
                    "start": plan.start.isoformat(), "end": plan.end.isoformat(),
                    "archived_on": plan.archived_on.isoformat(),
                    "files": {rel: _sha256(path) for rel, path in _files(work).items()}}
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                     encoding="utf-8")
        work.rename(target)
    except BaseException:
        for now, before in reversed(moved):
            shutil.move(str(now), before)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def load_ended(plans_dir: Path) -> list[EndedPlan]:
    """Every ended plan archived in plans_dir, oldest first, each checked against its manifest:
    ArchiveError names a damaged or changed file."""
    if not plans_dir.is_dir():
        return []
    found = []
    for folder in sorted(p for p in plans_dir.iterdir() if p.is_dir() and not p.name.startswith(TEMPORARY_PREFIX)):
        restore = f"已存档的规划不能修改：请用 git checkout 恢复 {folder}。"
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            plan = EndedPlan(id=data["id"], title=data["title"], site_name=data["site_name"],
                             start=dt.date.fromisoformat(data["start"]), end=dt.date.fromisoformat(data["end"]),
                             archived_on=dt.date.fromisoformat(data["archived_on"]))
            listed: dict[str, str] = data["files"]
            if data.get("format") != FORMAT:
                raise ValueError(f"format {data.get('format')!r}")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ArchiveError(f"已存档的规划 {folder} 的 {MANIFEST} 无法读取（{exc}）。{restore}") from None
        if plan.id != folder.name:
            raise ArchiveError(f"已存档的规划目录 {folder} 的 {MANIFEST} 说它是 {plan.id}：目录不能改名，请改回 {plan.id}。")
        present = {rel: path for rel, path in _files(folder).items() if rel != MANIFEST}
        named = [*(f"{rel}（内容与存档时不同）" for rel in sorted(set(present) & set(listed))
                   if _sha256(present[rel]) != listed[rel]),
                 *(f"{rel}（缺少）" for rel in sorted(set(listed) - set(present))),
                 *(f"{rel}（多出）" for rel in sorted(set(present) - set(listed)))]
        if named:
            raise ArchiveError(f"已存档的规划 {folder} 与它的 {MANIFEST} 不符：{'；'.join(named[:5])}"
                               + (f" 等 {len(named)} 处" if len(named) > 5 else "") + f"。{restore}")
        found.append(plan)
    return sorted(found, key=lambda p: p.start)


def place_ended(plans: list[EndedPlan], plans_dir: Path, site_dir: Path, folder: str, releases_folder: str,
                site_url: str) -> list[str]:
    """Each ended plan into the built site (see the module's docstring), newest first so that an
    address two plans used leads to the later one. Returns the addresses (paths from the site's
    root) that now lead to an ended plan's copy."""
    led = []
    taken = {p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file()}
    for plan in sorted(plans, key=lambda p: p.start, reverse=True):
        archived = plans_dir / plan.id / SITE
        shutil.copytree(archived, site_dir / folder / plan.id, copy_function=link_or_copy)
        for rel, path in _files(archived).items():
            if rel in taken:
                continue
            target = site_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if rel.startswith(f"{releases_folder}/") and rel.count("/") > 1 or not rel.endswith("index.html"):
                link_or_copy(path, target)  # a closed release's file, a download, an image: the file itself
            else:
                page = posixpath.dirname(rel)
                target.write_text(_lead_page(plan, page, folder, site_url), encoding="utf-8")
                led.append(page + "/" if page else "")
            taken.add(rel)
    return led


def _lead_page(plan: EndedPlan, page: str, folder: str, site_url: str) -> str:
    """The page left at an ended plan's address: it leads to the page's copy under /plans/<id>/."""
    up = "../" * (page.count("/") + 1) if page else ""
    relative = f"{up}{folder}/{plan.id}/{page + '/' if page else ''}"
    absolute = f"{site_url}{folder}/{plan.id}/{page + '/' if page else ''}"
    title = html.escape(plan.title)
    return (f'<!doctype html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="robots" content="noindex">\n<title>已存档：{title}</title>\n'
            f'<link rel="canonical" href="{html.escape(absolute)}">\n'
            f'<meta http-equiv="refresh" content="0; url={html.escape(relative)}">\n</head>\n<body>\n'
            f'<main><p>《{title}》（{plan.span_zh}）已于{date_zh(plan.end)}结束，本页已存档，此后不再改变：'
            f'<a href="{html.escape(relative)}">{html.escape(absolute)}</a>。</p></main>\n</body>\n</html>\n')
