"""The build folder beside the site: one build at a time, and what a killed build left removed.

A build works in build/build-*/ (a temporary folder) and replaces site/ only when it has
succeeded. A build that is killed (kill -9, a power cut) cannot remove its temporary folder;
the next build does, but only while it holds the build lock, so that the folder of a build
still running is never touched: a second build waits for the first to finish.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

LOCK_FILE = ".lock"
TEMPORARY_PREFIX = "build-"  # the prefix of each build's temporary folder
REPORT_FILE = "problems.txt"  # the last failed build's report (removed when a build succeeds)

log = logging.getLogger(__name__)


def write_whole(path: Path, content: bytes, *, mode: int = 0o666) -> None:
    """A cache file written whole or not at all: under a temporary name of this process's own,
    then renamed over the entry. Two builds that share a cache (each with its own site) may write
    the same entry at once; each rename puts a whole file in place. mode: its permissions (less
    the umask) from the moment it is made (0o600: a secret no one else can read, even briefly)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.unlink(missing_ok=True)  # left by a killed process of the same number: its mode is not ours
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "wb") as f:
            f.write(content)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def link_or_copy(source: str | Path, target: str | Path) -> None:
    """A file put in a second place as a hard link (no bytes copied: the files linked are never
    changed in place, only replaced whole), or a copy on another file system. Usable as
    shutil.copytree's copy_function."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


@contextlib.contextmanager
def build_lock(work_root: Path) -> Iterator[None]:
    """Hold the build folder's lock (waiting for a build that holds it), then remove the temporary
    folders of builds that were killed."""
    work_root.mkdir(parents=True, exist_ok=True)
    with open(work_root / LOCK_FILE, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("另一次生成正在进行（%s），等它结束后继续……", work_root / LOCK_FILE)
            fcntl.flock(lock, fcntl.LOCK_EX)
        remove_stale_folders(work_root)
        yield  # the lock is released when the file is closed, by this process or by its death


def remove_stale_folders(work_root: Path) -> list[Path]:
    """Remove the temporary folders left by killed builds (call only while holding the lock)."""
    stale = sorted(p for p in work_root.glob(TEMPORARY_PREFIX + "*") if p.is_dir() and not p.is_symlink())
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return stale


def clear_report(work_root: Path) -> Path:
    """Remove the last failed build's report (a build that fails writes its own); its path."""
    report = work_root / REPORT_FILE
    with contextlib.suppress(OSError):
        report.unlink(missing_ok=True)
    return report


def failed(message: str, report: Path, code: int) -> int:
    """Print why the build stopped, keep it in the build folder (if the disk allows); the exit code."""
    print(message, file=sys.stderr)
    with contextlib.suppress(OSError):
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(message + "\n", encoding="utf-8")
    return code


_CHOWN = "如曾用 sudo 运行过 make，请运行 sudo chown -R \"$(id -un)\" {paths} 把它们改回自己名下，再运行 make。"


def replace_failed(site_dir: Path, old: Path, exc: OSError) -> str:
    """Why the finished site could not replace the last one, and what to do."""
    return (f"发布中止：无法替换网站目录 {site_dir.name}/（{exc.strerror}：{exc.filename}）。网站保持上一次的版本。\n"
            f"请检查 {site_dir.name}/、{old.name}/ 和它们所在目录的所有者与写权限。"
            + _CHOWN.format(paths=f"{site_dir.name} {old.name} build"))


def permission_message(exc: PermissionError) -> str:
    """A file or folder the build may not read or write, and what to do."""
    return (f"生成中止：没有权限读写 {exc.filename}（{exc.strerror}）。网站保持上一次的版本。\n"
            "请检查它的所有者和权限。" + _CHOWN.format(paths=exc.filename or "site build"))
