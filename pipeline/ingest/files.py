"""Finding the department files under data/raw and reading each one (the IO edge of ingestion)."""

from __future__ import annotations

import calendar
import contextlib
import ctypes
import dataclasses
import datetime as dt
import hashlib
import importlib.metadata
import os
import pickle
import platform
import sys
from pathlib import Path

from pipeline.basics import paths
from pipeline.basics.periods import PeriodError, read_statement
from pipeline.basics.problems import Problem
from pipeline.basics.workdir import write_whole
from pipeline.clean import FileResult, clean_file, empty_observations, new_submission
from pipeline.clean.when import accepted
from pipeline.config import Config
from pipeline.gate.admit import admitted_bytes, screened_grid
from pipeline.gate.kinds import DepartmentFile
from pipeline.gate.privacy import mask_text
from pipeline.gate.read import FileProblem
from pipeline.ingest.plausible import implausible_values, reject

#: Files in data/raw that are documentation, not submissions.
DOCUMENTATION = {"README.md", "README.txt", "说明.txt"}
#: Files that office software leaves behind (lock files, thumbnails): ignored with a warning.
LEFTOVERS = ("~$", ".~lock", "Thumbs.db", ".DS_Store", "desktop.ini")
#: Extensions read as submissions (whatever the source's usual format, so that a department that
#: switches from .xlsx to .csv with the same columns needs no change, and an old .xls gets a clear
#: message); any other file in a department folder is listed as not read.
SPREADSHEETS = (".csv", ".xlsx", ".xlsm", ".xls", ".et", ".ods")


def discover(raw_dir: Path, config: Config) -> tuple[list[tuple[Path, str, str]], list[Problem]]:
    """Every submission file as (path, path shown to staff, source id), and files that are not read.

    Symbolic links are never followed (a link could lead anywhere on the machine): each is an
    error. A folder inside a department's folder is not entered: the set-aside folder (暂不采用/,
    set_aside_results) quietly, any other (<department>/作废/) with a warning naming it: what is kept
    aside there is not a live submission."""
    by_folder = {src.folder: (key, src) for key, src in config.sources.items()}
    found, problems = [], []
    for folder, dirs, names in os.walk(raw_dir):
        here = Path(folder)
        parts = here.relative_to(raw_dir).parts
        if parts and parts[0] == config.defaults.status_form_folder:
            dirs[:] = []
            continue  # the status forms of the plan's measures: read by pipeline/clean/status_form.py
        for name in sorted(dirs):
            rel = (here / name).relative_to(raw_dir).as_posix()
            if (here / name).is_symlink():
                problems.append(_link_problem(rel + "/"))
            elif len(parts) == 1 and parts[0] in by_folder and name == config.defaults.set_aside_folder:
                continue  # files set aside on purpose: set_aside_results() names them
            elif len(parts) == 1 and parts[0] in by_folder:
                count = sum(len(f) for _, _, f in os.walk(here / name))
                problems.append(Problem(code="file_ignored", file=rel + "/", found=f"子目录“{name}”（其中 {count} 个文件）未读取",
                                        expected=f"报送文件直接放在部门目录 data/raw/{parts[0]}/ 中",
                                        fix=f"子目录用于存放作废、备份的旧文件，不计入网站；如其中有要计入的文件，请移到 data/raw/{parts[0]}/ 中。"))
        in_department = len(parts) == 1 and parts[0] in by_folder
        dirs[:] = sorted(d for d in dirs if not (here / d).is_symlink() and not in_department)
        for name in sorted(names):
            path = here / name
            rel = path.relative_to(raw_dir).as_posix()
            if path.is_symlink():
                problems.append(_link_problem(rel))
            elif name not in DOCUMENTATION and not is_register(rel, config):
                problem = _not_read(path, rel, by_folder)
                if problem is None:
                    found.append((path, rel, by_folder[parts[0]][0]))
                else:
                    problems.append(problem)
    return sorted(found), problems


def is_register(rel: str, config: Config) -> bool:
    """The staff's receipts register at the top of data/raw (config/method.yml releases.register_file,
    .csv or .xlsx): read by pipeline/ingest/receipts.py, not as a department's file."""
    stem, _, ext = rel.rpartition(".")
    return "/" not in rel and stem == config.method.releases.register_file and ext.lower() in ("csv", "xlsx")


def _link_problem(rel: str) -> Problem:
    return Problem(code="file_link", file=rel, found="这是符号链接（symbolic link），不是文件本身",
                   expected="报送文件本身（复制进来，而不是链接）",
                   fix="程序不跟随链接读取 data/raw 以外的任何内容：请把要报送的文件复制到部门目录中，并删除这个链接。")


def _not_read(path: Path, rel: str, by_folder: dict) -> Problem | None:
    """Why a file found in data/raw is not read, or None if it is a submission."""
    parts = rel.split("/")
    if len(parts) == 1:
        return Problem(code="file_ignored", file=rel, found="文件直接放在 data/raw/ 下",
                       expected=f"放在报送部门的目录中，如 data/raw/{next(iter(by_folder))}/", fix="把文件移入对应部门的目录后重新运行 make。")
    folder = parts[0]
    if folder not in by_folder:
        known = "、".join(by_folder)
        return Problem(code="folder_unknown", file=rel, found=f"目录“{folder}”没有对应的读取配置",
                       expected=f"已配置的部门目录：{known}",
                       fix="如放错了目录，请移到正确的部门目录；如是新的报送部门，请在 config/sources.yml 中为它添加一节。")
    _, src = by_folder[folder]
    if path.name.startswith(LEFTOVERS) or path.name.startswith("."):
        return Problem(code="file_ignored", file=rel, found="办公软件留下的临时文件或隐藏文件",
                       expected="报送的数据文件", fix="可以删除该文件。")
    if path.suffix.lower() not in SPREADSHEETS:
        return Problem(code="file_ignored", file=rel, found=f"不是表格文件（扩展名 {path.suffix or '无'}）",
                       expected=f"{src.name}，文件名形如 {src.files}",
                       fix="该文件未读取。如是报送数据，请另存为 .csv 或 .xlsx；否则请移出 data/raw。")
    return None


def set_aside_results(raw_dir: Path, config: Config) -> tuple[list[FileResult], list[Problem]]:
    """The files staff set aside on purpose (<department>/暂不采用/, config/sources.yml
    set_aside_folder): never read, each recorded as received and not used, its period from its
    name (an error when the name does not say it: the site must say which figures it would feed)."""
    results, problems = [], []
    for key, source in config.sources.items():
        folder = raw_dir / source.folder / config.defaults.set_aside_folder
        if not folder.is_dir() or folder.is_symlink():
            continue
        for path in sorted(folder.iterdir()):
            rel = path.relative_to(raw_dir).as_posix()
            if path.is_symlink():
                problems.append(_link_problem(rel))
            elif path.is_file() and not path.name.startswith(LEFTOVERS + (".",)) and path.name not in DOCUMENTATION:
                try:
                    admitted_bytes(path, rel, config)  # its name is published: no personal number in it
                except FileProblem as exc:
                    problems.append(exc.problem)
                    continue
                result = _set_aside(rel, key, source, config)
                if result.submission["status"] == "set_aside":
                    results.append(result)
                else:
                    problems += result.problems
    return results, problems


def _set_aside(rel: str, key: str, source, config: Config) -> FileResult:
    """A file set aside: its record (status set_aside) with the period its name says, and the warning
    that names it; or, when its name says no clear period, a result whose one problem says so."""
    submission = new_submission(key, source, rel)
    stem = Path(rel).stem
    try:
        period, unclear = read_statement(stem).period(), None
    except PeriodError as exc:
        period, unclear = None, str(exc)
    if period is None:
        problem = Problem(code="period_unclear" if unclear else "period_missing", file=rel,
                          found=f"文件名“{stem}”" + (f"：{unclear}" if unclear else "中没有写报送期（年份）"),
                          expected=f"暂不采用的文件，文件名写明报送期（{accepted(config)}）",
                          fix="给这个文件改名，写上它的报送期：网站据此说明哪些数字因它不完整。")
        return FileResult(submission=submission, observations=empty_observations(), problems=[problem])
    coverage_end = (source.coverage_end(period.year) if period.is_year else None) or period.end
    submission.update(period=period.label, coverage_start=period.start, coverage_end=coverage_end, status="set_aside")
    folder = config.defaults.set_aside_folder
    warning = Problem(code="file_set_aside", file=rel, found=f"{period.label_zh}的文件放在“{folder}”目录中，未读取",
                      expected=f"报送文件直接放在 data/raw/{source.folder}/ 中",
                      fix=(f"网站列出这个文件“已收到，暂不采用”，它本应计入的数字都标为“数据未报齐”。部门重新报送后，"
                           f"把新文件放入 data/raw/{source.folder}/；这个文件可以留在“{folder}”中备查。"))
    return FileResult(submission=submission, observations=empty_observations(), problems=[warning])


#: Libraries whose version can change what a file reads as (part of the read cache's key).
READING_LIBRARIES = ("pandas", "numpy", "openpyxl", "charset-normalizer", "pyarrow")


def pipeline_sources() -> list[tuple[str, Path]]:
    """Every module of the pipeline (subpackages such as the cleaner included), by its path in the
    package: what a file reads as depends on all of them."""
    package = paths.PIPELINE_DIR
    return [(module.relative_to(package).as_posix(), module) for module in sorted(package.rglob("*.py"))]


#: The key of the person hashes kept in the read cache, made once per build folder (never published).
PERSON_KEY_FILE = "person-key"


def person_secret(path: Path) -> bytes:
    """The random key kept at path (made on first use, readable by its owner only); a fresh random
    key, kept nowhere, when it cannot be read or written (the cache then misses, as it should)."""
    with contextlib.suppress(OSError):
        secret = path.read_bytes()
        if len(secret) == 32:
            return secret
    secret = os.urandom(32)
    with contextlib.suppress(OSError):
        write_whole(path, secret, mode=0o600)
    return secret


class ReadCache:
    """What each file gave (its FileResult), kept between builds under build/cache/read: a rebuild
    reads only the files that changed.

    An entry is found by a hash of everything the result depends on: the file's bytes and its
    path under data/raw, the whole configuration, today's date (periods in the future are
    errors), the pipeline's source code, and the versions of Python and of the libraries that
    read. So a changed file, setting, day or program is read again, never served stale. Entries
    hold the cleaned figures and hashes of personal key columns (to find one person reported
    twice), no names or ID numbers, and no personal number typed anywhere (a file's cells are
    screened before it is cleaned: screen.py); they stay on the build machine beside data/raw,
    like it. The person hashes are keyed (BLAKE2b with a random key made once and kept beside
    the entries, PERSON_KEY_FILE, never published): without the key, the hash of an ID number
    cannot be found by hashing every possible ID number. Entries of files no longer read are
    removed at the end of each build."""

    def __init__(self, folder: Path, config: Config, today: dt.date):
        self.folder = folder
        self.secret = person_secret(folder / PERSON_KEY_FILE)
        context = hashlib.sha256(hashlib.sha256(self.secret).digest())
        versions = [importlib.metadata.version(name) for name in READING_LIBRARIES]
        for part in (repr(config), today.isoformat(), sys.version, platform.machine(), *versions):
            context.update(part.encode("utf-8") + b"\0")
        for name, module in pipeline_sources():
            context.update(name.encode("utf-8") + b"\0" + module.read_bytes())
        self.context = context.digest()
        self.used: set[str] = set()
        self.counts = {"read": 0, "reused": 0}

    def key(self, file: str, data: bytes) -> str:
        """The entry name of a file (its path under data/raw and its bytes)."""
        digest = hashlib.sha256(self.context)
        digest.update(file.encode("utf-8") + b"\0")
        digest.update(data)
        return digest.hexdigest()

    def get(self, key: str, kind: type = FileResult):
        """The result kept under key (a FileResult, or for a status form its FormFile), or None."""
        self.used.add(key)
        entry = self.folder / f"{key}.pickle"
        try:
            with entry.open("rb") as f:
                result = pickle.load(f)
        except Exception:  # noqa: BLE001 - no entry, or a damaged one: the file is read again
            return None
        if not isinstance(result, kind):
            return None
        self.counts["reused"] += 1
        return result

    def put(self, key: str, result) -> None:
        """Keep a result; if it cannot be written (a full or read-only disk), the build goes on,
        says so when it ends (workdir.skipped_writes), and the file is read again next time."""
        self.counts["read"] += 1
        with contextlib.suppress(OSError):
            write_whole(self.folder / f"{key}.pickle", pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))

    def prune(self) -> None:
        """Remove the entries of files not read in this build (changed or removed since), and
        any half-written entry an interrupted build left: called once every file was read (the
        department files and the status forms)."""
        if self.folder.is_dir():
            for entry in self.folder.iterdir():
                if entry.suffix == ".tmp" or (entry.suffix == ".pickle" and entry.stem not in self.used):
                    with contextlib.suppress(OSError):
                        entry.unlink(missing_ok=True)


def first_due(config: Config) -> dt.date:
    """The day the plan's first figures are due: the earliest, over its forms, of the end of the
    first period (a quarter, or a year up to its coverage end) plus the days allowed. Before it, a
    new plan's site is built with no department file (every target: no data yet)."""
    start = config.plan.start
    last_month = (start.month - 1) // 3 * 3 + 3
    quarter_end = dt.date(start.year, last_month, calendar.monthrange(start.year, last_month)[1])
    ends = []
    for source in config.sources.values():
        if source.frequency == "quarterly":
            end = quarter_end
        else:
            month, day = map(int, (source.coverage_ends or "12-31").split("-"))
            end = dt.date(start.year, month, day)
        ends.append(end + dt.timedelta(days=source.due_days))
    return min(ends, default=start)


def read_all(raw_dir: Path, config: Config, today: dt.date,
             cache: ReadCache | None = None) -> tuple[list[FileResult], list[Problem]]:
    """Read and clean every file; problems of files that cannot be opened are returned apart.
    With a cache, a file read in an earlier build with the same bytes and settings is not read again."""
    files, problems = discover(raw_dir, config)
    problems = [dataclasses.replace(p, file=mask_text(p.file)) for p in problems]  # names are published
    if not files and not set_aside_results(raw_dir, config)[0] and today > first_due(config):
        problems.append(Problem(code="no_submissions", file="data/raw/", found="没有一个可以读取的报送文件（.csv 或 .xlsx）",
                                expected="各部门目录中至少有一个报送文件", fix="把部门报送的文件放进 data/raw/ 下对应部门的目录后重新运行 make。"))
    results, set_aside_problems = set_aside_results(raw_dir, config)
    problems += [dataclasses.replace(p, file=mask_text(p.file)) for p in set_aside_problems]
    for path, rel, key in files:
        try:
            result = read_file(path, rel, key, config, today, cache)
        except FileProblem as exc:
            problems.append(exc.problem)
            continue
        results.append(result)
    return results, problems


def read_file(path: Path, rel: str, source_id: str, config: Config, today: dt.date,
              cache: ReadCache | None = None) -> FileResult:
    """One file's result: from the cache if its bytes were read before, else taken in through the
    gate (name, size and workbook limits, the personal-number screen) and cleaned (and kept in the
    cache); FileProblem if it cannot be read at all."""
    src = config.sources[source_id]
    data = admitted_bytes(path, rel, config)
    cache_key = cache.key(rel, data) if cache else ""
    result = cache.get(cache_key) if cache else None
    if result is not None:
        return result
    screened = screened_grid(path, rel, config, DepartmentFile(src), data)
    del data  # a large file's bytes and then its cells are let go as soon as they are read
    result = clean_file(screened.grid, source_id, src, config, today, cache.secret if cache else None)
    private = screened.problems
    del screened
    return_freed_memory()
    reject(result, private + implausible_values(result.observations, src, config))
    if cache:
        cache.put(cache_key, result)
    return result


def return_freed_memory() -> None:
    """Give back to the system the memory a file's cells took, now freed: Arrow's pool (the fast
    CSV reader's text) and the C heap keep it for themselves otherwise, and every later step of
    the build starts from there (a 50 MB file's 300 MB, kept past its reading)."""
    import pyarrow

    pyarrow.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # malloc_trim: the GNU C library's only
        ctypes.CDLL(None).malloc_trim(0)
