"""The build folder beside the site: one build at a time, and what a killed build left removed.

A build works in build/build-*/ (a temporary folder) and replaces site/ only when it has
succeeded. A build that is killed (kill -9, a power cut) cannot remove its temporary folder;
the next build does, but only while it holds the build lock, so that the folder of a build
still running is never touched: a second build waits for the first to finish.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

LOCK_FILE = ".lock"
TEMPORARY_PREFIX = "build-"  # the prefix of each build's temporary folder
REPORT_FILE = "problems.txt"  # the last failed build's report (removed when a build succeeds)
TRASH_FOLDER = "trash"  # what a build replaced (the last site, the last pages), deleted by the next build

log = logging.getLogger(__name__)


#: A full disk, or a full quota of the user's.
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)

#: The writes of write_whole that failed in this build, by folder (the first error in each): a
#: cache entry the build could do without is skipped where it is written, and the build says so
#: when it ends (skipped_writes).
_failed_writes: dict[Path, OSError] = {}


def write_whole(path: Path, content: bytes, *, mode: int = 0o666) -> None:
    """A cache file written whole or not at all: under a temporary name of this process's own,
    then renamed over the entry. Two builds that share a cache (each with its own site) may write
    the same entry at once; each rename puts a whole file in place. mode: its permissions (less
    the umask) from the moment it is made (0o600: a secret no one else can read, even briefly).
    An OSError names the file (a full disk's, raised by write(), names none)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)  # left by a killed process of the same number: its mode is not ours
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "wb") as f:
            f.write(content)
        tmp.replace(path)
    except OSError as exc:
        exc.filename = exc.filename or str(path)
        _failed_writes.setdefault(path.parent, exc)
        raise
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def disk_full(exc: BaseException) -> bool:
    """Whether an error is a full disk (or quota)."""
    return isinstance(exc, OSError) and exc.errno in DISK_FULL


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """An OSError raised inside names `path` (the folder being written) if it names no file: a
    full disk's, raised by write(), names none, and a message must say where."""
    try:
        yield
    except OSError as exc:
        exc.filename = exc.filename or str(path)
        raise


def skipped_writes() -> dict[Path, OSError]:
    """The folders where write_whole failed in this build (by the first error in each)."""
    return dict(_failed_writes)


def skipped_writes_message(failed: dict[Path, OSError]) -> str:
    """What a build that went on without some cache entries says (one line per folder)."""
    full = any(disk_full(exc) for exc in failed.values())
    lines = [f"提醒：{'磁盘已满，' if full else ''}以下缓存文件未能写入，已跳过（网站照常生成；下次生成会重新计算这些内容，用时更长）："]
    lines += [f"  {folder}/（{exc.strerror}）" for folder, exc in sorted(failed.items())]
    if full:
        lines.append("  请尽快腾出磁盘空间（删除不需要的文件，或运行 make clean 删除 build/ 中的缓存），否则下次生成可能因磁盘已满而中止。")
    return "\n".join(lines)


def disk_full_message(exc: OSError, site_dir: Path) -> str:
    """Why the build stopped on a full disk, where, what is left, and what to do."""
    where = exc.filename or str(site_dir.parent)
    free = shutil.disk_usage(_existing(Path(where))).free
    site_size = sum(f.stat().st_size for f in site_dir.rglob("*") if f.is_file()) if site_dir.is_dir() else 0
    need = f"上一次发布的网站 {site_dir.name}/ 占 {_megabytes(site_size)}，生成新网站时另需差不多同样多的空间，另加缓存。" if site_size else ""
    return (f"生成中止：磁盘已满（{exc.strerror}），写入 {where} 时没有剩余空间。网站保持上一次的版本（{site_dir.name}/ 未作任何改动）。\n"
            f"该磁盘现在还剩 {_megabytes(free)}。{need}\n"
            "请先腾出空间：删除该磁盘上不再需要的文件，或运行 make clean 删除 build/ 中的缓存（下次生成会重新生成，用时更长），"
            "然后重新运行 make。")


def _megabytes(size: int) -> str:
    return f"{size / 2**20:,.1f} MB" if size >= 2**20 / 10 else f"{size / 1024:,.0f} KB"


def _existing(path: Path) -> Path:
    """The nearest folder that exists at or above path."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


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
    folders of builds that were killed, and (in a thread, while this build works) what the last
    build put in the trash; the thread ends before the lock is let go. The writes that fail are
    counted anew for each build."""
    work_root.mkdir(parents=True, exist_ok=True)
    with open(work_root / LOCK_FILE, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("另一次生成正在进行（%s），等它结束后继续……", work_root / LOCK_FILE)
            fcntl.flock(lock, fcntl.LOCK_EX)
        remove_stale_folders(work_root)
        _failed_writes.clear()
        emptying = threading.Thread(target=shutil.rmtree, args=(work_root / TRASH_FOLDER,),
                                    kwargs={"ignore_errors": True}, name="empty-trash")
        emptying.start()
        try:
            yield  # the lock is released when the file is closed, by this process or by its death
        finally:
            emptying.join()


def discard(path: Path, work_root: Path) -> None:
    """Move a folder a build has replaced (the last site, the last pages) into the trash, which
    the next build empties while it works: removing thousands of files is seconds of a rebuild.
    A file, a link, or a folder on another disk is removed now."""
    if not path.is_dir() or path.is_symlink():
        if path.exists() or path.is_symlink():
            path.unlink()
        return
    trash = work_root / TRASH_FOLDER
    trash.mkdir(parents=True, exist_ok=True)
    try:
        path.rename(trash / f"{path.name}-{os.getpid()}-{time.monotonic_ns()}")
    except OSError:
        shutil.rmtree(path)


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
