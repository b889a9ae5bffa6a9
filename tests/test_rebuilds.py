"""Rebuilds reuse what did not change, and give what a clean build gives: a rebuild after files
changed, in the warm process of `make serve` with every cache of the last build, equals a clean
build of the same inputs, byte for byte, every file of the site."""

from __future__ import annotations

import filecmp
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.rebuilds import QUARTER_FILES, bump_number
from pipeline import paths
from pipeline.build import BuildFailed, check_no_personal_data
from pipeline.scan_cache import ScanCache
from tests.conftest import copy_raw

# -- the last guard remembers the files it found clean -------------------------------------------

CLEAN = "首页 20091231 共 20,000 人次".encode()
LEAK = "联系电话 13812345678".encode()


def test_a_file_found_clean_is_not_scanned_again_and_a_changed_one_is(tmp_path):
    first = ScanCache(tmp_path)
    check_no_personal_data({"index.md": CLEAN, "data/a.csv": b"x,1\n"}, first)
    assert first.counts == {"scanned": 2, "known": 0}
    second = ScanCache(tmp_path)
    check_no_personal_data({"index.md": CLEAN, "data/a.csv": b"x,2\n"}, second)
    assert second.counts == {"scanned": 1, "known": 1}


@pytest.mark.parametrize("files", [
    {"index.md": CLEAN, "data/a.csv": LEAK},  # beside a file known clean
    {"data/a.csv": LEAK},  # once more after a build that stopped on it
])
def test_a_personal_number_is_found_whatever_was_scanned_before(tmp_path, files):
    check_no_personal_data({"index.md": CLEAN}, ScanCache(tmp_path))
    for _ in range(2):
        with pytest.raises(BuildFailed, match="138\\*\\*\\*\\*5678"):
            check_no_personal_data(files, ScanCache(tmp_path))


def test_a_new_scanner_scans_everything_again(tmp_path, monkeypatch):
    check_no_personal_data({"index.md": CLEAN}, ScanCache(tmp_path))
    changed_scanner = tmp_path / "privacy.py"
    changed_scanner.write_text(Path(sys.modules["pipeline.privacy"].__file__).read_text(encoding="utf-8") + "\n# new\n",
                               encoding="utf-8")
    monkeypatch.setattr("pipeline.privacy.__file__", str(changed_scanner))
    again = ScanCache(tmp_path)
    check_no_personal_data({"index.md": CLEAN}, again)
    assert again.counts == {"scanned": 1, "known": 0}
    assert len(list(tmp_path.glob("clean-*.txt"))) == 1  # the old scanner's list is gone


# -- a warm rebuild equals a clean build ---------------------------------------------------------

def _change_quarter(raw: Path) -> list[str]:
    """One number changed in each file of the last quarter (as the benchmark changes them)."""
    for name in QUARTER_FILES:
        path = raw / Path(name).relative_to("data/raw")
        bump_number(path, path.read_bytes(), 3)
    return QUARTER_FILES


def _differences(a: Path, b: Path) -> list[str]:
    """Files that differ, or are in one tree only (relative paths)."""
    out = []
    compared = filecmp.dircmp(a, b)

    def walk(c: filecmp.dircmp, prefix: str) -> None:
        out.extend(prefix + n for n in c.left_only + c.right_only + c.funny_files)
        _, mismatch, errors = filecmp.cmpfiles(c.left, c.right, c.common_files, shallow=False)
        out.extend(prefix + n for n in mismatch + errors)
        for name, sub in c.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(compared, "")
    return sorted(out)


@pytest.mark.build
def test_a_warm_rebuild_after_a_quarter_changed_equals_a_clean_build(tmp_path):
    raw = copy_raw(tmp_path)
    warm_site, warm_cache = tmp_path / "warm" / "site", tmp_path / "warm" / "cache"
    builder = subprocess.Popen([sys.executable, "-m", "pipeline.warm"], cwd=paths.ROOT, text=True, encoding="utf-8",
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert "ready" in json.loads(builder.stdout.readline())

        def warm_build() -> dict:
            builder.stdin.write(json.dumps({"build": ["--raw", str(raw), "--site", str(warm_site),
                                                      "--cache", str(warm_cache)]}) + "\n")
            builder.stdin.flush()
            return json.loads(builder.stdout.readline())

        first = warm_build()
        assert first["code"] == 0, first
        changed = _change_quarter(raw)
        again = warm_build()
        assert again["code"] == 0, again
    finally:
        builder.stdin.close()
        builder.wait(timeout=120)
    # what was reused: every file unchanged, the images whose figures did not change
    assert again["timings"]["files"]["read"] == len(changed)
    assert 0 < again["timings"]["images"]["drawn"] < first["timings"]["images"]["drawn"]

    clean_site = tmp_path / "clean" / "site"
    clean = subprocess.run([sys.executable, "-m", "pipeline", "--raw", str(raw), "--site", str(clean_site),
                            "--cache", str(tmp_path / "clean" / "cache")], cwd=paths.ROOT, capture_output=True,
                           text=True, timeout=900)
    assert clean.returncode == 0, clean.stderr
    assert _differences(warm_site, clean_site) == []
    assert _differences(tmp_path / "warm" / "build" / "docs", tmp_path / "clean" / "build" / "docs") == []
