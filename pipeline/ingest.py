"""Finding the department files under data/raw and reading each one (the IO edge of ingestion)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline.clean import FileResult, clean_file
from pipeline.config import Config
from pipeline.problems import Problem
from pipeline.read import FileProblem, load_grid

#: Files in data/raw that are documentation, not submissions.
DOCUMENTATION = {"README.md", "README.txt", "说明.txt"}
#: Files that office software leaves behind (lock files, thumbnails): ignored with a warning.
LEFTOVERS = ("~$", ".~lock", "Thumbs.db", ".DS_Store", "desktop.ini")
#: Extensions read as submissions (whatever the source's usual format, so that a department that
#: switches from .xlsx to .csv with the same columns needs no change, and an old .xls gets a clear
#: message); any other file in a department folder is listed as not read.
SPREADSHEETS = (".csv", ".xlsx", ".xlsm", ".xls", ".et", ".ods")


def discover(raw_dir: Path, config: Config) -> tuple[list[tuple[Path, str, str]], list[Problem]]:
    """Every submission file as (path, path shown to staff, source id), and files that are not read."""
    by_folder = {src.folder: (key, src) for key, src in config.sources.items()}
    found, problems = [], []
    for path in sorted(p for p in raw_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(raw_dir).as_posix()
        if path.name in DOCUMENTATION:
            continue
        parts = path.relative_to(raw_dir).parts
        if len(parts) == 1:
            problems.append(Problem(code="file_ignored", file=rel, found="文件直接放在 data/raw/ 下",
                                    expected="放在报送部门的目录中，如 data/raw/卫生局/",
                                    fix="把文件移入对应部门的目录后重新运行 make。"))
            continue
        folder = parts[0]
        if folder not in by_folder:
            known = "、".join(by_folder)
            problems.append(Problem(code="folder_unknown", file=rel, found=f"目录“{folder}”没有对应的读取配置",
                                    expected=f"已配置的部门目录：{known}",
                                    fix="如放错了目录，请移到正确的部门目录；如是新的报送部门，请在 config/sources.yml 中为它添加一节。"))
            continue
        key, src = by_folder[folder]
        if path.name.startswith(LEFTOVERS) or path.name.startswith("."):
            problems.append(Problem(code="file_ignored", file=rel, found="办公软件留下的临时文件或隐藏文件",
                                    expected="报送的数据文件", fix="可以删除该文件。"))
            continue
        if path.suffix.lower() not in SPREADSHEETS:
            problems.append(Problem(code="file_ignored", file=rel, found=f"不是表格文件（扩展名 {path.suffix or '无'}）",
                                    expected=f"{src.name}，文件名形如 {src.files}",
                                    fix="该文件未读取。如是报送数据，请另存为 .csv 或 .xlsx；否则请移出 data/raw。"))
            continue
        found.append((path, rel, key))
    return found, problems


def read_all(raw_dir: Path, config: Config, today: dt.date) -> tuple[list[FileResult], list[Problem]]:
    """Read and clean every file; problems of files that cannot be opened are returned apart."""
    files, problems = discover(raw_dir, config)
    results = []
    for path, rel, key in files:
        src = config.sources[key]
        try:
            grid = load_grid(path, rel, max_file_mb=config.defaults.max_file_mb, sheet=src.sheet,
                             skip_sheets=config.defaults.instruction_sheets)
        except FileProblem as exc:
            problems.append(exc.problem)
            continue
        results.append(clean_file(grid, key, src, config, today))
    return results, problems
