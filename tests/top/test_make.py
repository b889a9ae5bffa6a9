"""`make` sees every change of content under data/raw, and only those: files added with old dates
(cp -p), removed, renamed or edited in place, with any name a Windows or WeChat download gives.

Each case works on a copy of the project and asks make what it would do (`make -n`): the input
manifest is still brought up to date (its recipe runs even then), and the site is rebuilt when
the dry run lists the pipeline's command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.basics import paths

RAW = Path("data/raw")
HEALTH = RAW / "卫生局" / "卫生局_2010Q4_卫生人才引进.csv"
COPIED = ["Makefile", "mkdocs.yml", "scripts", "pipeline", "config", "docs", "overrides", "data", "requirements"]


def copy_project(root: Path) -> Path:
    """The files `make` works from, copied into root (dates kept, as cp -p would), with this
    project's Python environment and its system packages marked as installed."""
    root.mkdir()
    for name in COPIED:
        source = paths.ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, root / name)
    (root / ".venv").symlink_to(paths.ROOT / ".venv")
    (root / "build").mkdir()
    (root / "build" / ".system-build").touch()
    return root


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the project whose site is up to date (dates kept, as cp -p would)."""
    root = copy_project(tmp_path / "project")
    (root / "site").mkdir()
    (root / "site" / "index.html").touch()
    assert would_rebuild(root)  # the first time: no manifest, no site stamp
    settle(root)
    return root


def settle(root: Path) -> None:
    """As if the site had just been built from the current inputs."""
    (root / "build" / ".site-built").touch()


def would_rebuild(root: Path) -> bool:
    run = subprocess.run(["make", "-n", "site"], cwd=root, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return "-m pipeline" in run.stdout


def old_copy(source: Path, target: Path) -> None:
    shutil.copy2(source, target)  # cp -p: the copy keeps the original's old modification time


CHANGES = {
    "a new file copied with its old date (cp -p)": lambda root: old_copy(
        root / HEALTH, root / RAW / "卫生局" / "卫生局_2011Q1_卫生人才引进.csv"),
    "a file removed (a withdrawn submission)": lambda root: (root / HEALTH).unlink(),
    "a file renamed": lambda root: (root / HEALTH).rename(root / RAW / "卫生局" / "卫生局_2010年第四季度_卫生人才引进.csv"),
    "a file edited, its date put back": lambda root: _edit_keeping_date(root / HEALTH),
    "a Windows download name": lambda root: old_copy(root / HEALTH, root / RAW / "卫生局" / "卫生局_2010Q4_卫生人才引进 (1).csv"),
    "a WeChat copy name": lambda root: old_copy(root / HEALTH, root / RAW / "卫生局" / "卫生局_2010Q4_卫生人才引进 - 副本.csv"),
    "a name with a colon and full-width brackets": lambda root: old_copy(
        root / HEALTH, root / RAW / "卫生局" / "卫生局_2010Q4:卫生人才引进（1）.csv"),
    "a setting changed": lambda root: _edit_keeping_date(root / "config" / "method.yml"),
}


def _edit_keeping_date(path: Path) -> None:
    before = path.stat()
    path.write_bytes(path.read_bytes() + b"\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_make_rebuilds_on_every_change_of_content(project, change):
    assert not would_rebuild(project)
    CHANGES[change](project)
    assert would_rebuild(project)
    settle(project)
    assert not would_rebuild(project)  # and once built, not again


def test_make_does_not_rebuild_when_only_dates_change(project):
    for path in (project / RAW).rglob("*"):
        if path.is_file():
            path.touch()
    assert not would_rebuild(project)
