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

from bench.rebuilds import CHANGED_FILE, PREPARING_FILE, QUARTER_FILES, bump_number
from pipeline.basics import paths
from pipeline.build import BuildFailed, check_no_personal_data
from pipeline.publish.scan_cache import ScanCache
from tests.conftest import copy_raw, shared_images

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
    changed_scanner.write_text(Path(sys.modules["pipeline.gate.privacy"].__file__).read_text(encoding="utf-8") + "\n# new\n",
                               encoding="utf-8")
    monkeypatch.setattr("pipeline.gate.privacy.__file__", str(changed_scanner))
    again = ScanCache(tmp_path)
    check_no_personal_data({"index.md": CLEAN}, again)
    assert again.counts == {"scanned": 1, "known": 0}
    assert len(list(tmp_path.glob("clean-*.txt"))) == 1  # the old scanner's list is gone


# -- a warm rebuild equals a clean build ---------------------------------------------------------

def _change(raw: Path, names: list[str]) -> list[str]:
    """One number changed in each of these files (as the benchmark changes them)."""
    for name in names:
        path = raw / Path(name).relative_to("data/raw")
        bump_number(path, path.read_bytes(), 3)
    return names


def differences(a: Path, b: Path) -> list[str]:
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


def _clean_build(raw: Path, folder: Path) -> Path:
    """A build from nothing (no site before; of the caches, only the content-addressed images that
    `make` drew: conftest.shared_images) in a process of its own: its site."""
    clean = subprocess.run([sys.executable, "-m", "pipeline", "--raw", str(raw), "--site", str(folder / "site"),
                            "--cache", str(shared_images(folder / "cache"))], cwd=paths.ROOT, capture_output=True, text=True, timeout=900)
    assert clean.returncode == 0, clean.stderr
    return folder / "site"


@pytest.mark.build
def test_a_warm_rebuild_after_one_file_then_a_quarter_changed_equals_a_clean_build(tmp_path):
    raw = copy_raw(tmp_path)
    warm_site, warm_cache = tmp_path / "warm" / "site", shared_images(tmp_path / "warm" / "cache")
    builder = subprocess.Popen([sys.executable, "-m", "pipeline.warm"], cwd=paths.ROOT, text=True, encoding="utf-8",
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    answers = {}
    try:
        assert "ready" in json.loads(builder.stdout.readline())

        def warm_build() -> dict:
            builder.stdin.write(json.dumps({"build": ["--raw", str(raw), "--site", str(warm_site),
                                                      "--cache", str(warm_cache)]}) + "\n")
            builder.stdin.flush()
            answer = json.loads(builder.stdout.readline())
            assert answer["code"] == 0, answer
            return answer

        # The site as staff rebuild it while a quarter is being prepared: its figures differ from
        # the last closed release's (every chart then gives today's date and its own address), so
        # a further change redraws only what it changes.
        _change(raw, [PREPARING_FILE])
        answers["first"] = warm_build()
        for kind, names in (("one file", [CHANGED_FILE]), ("quarter", QUARTER_FILES)):
            _change(raw, names)
            answers[kind] = warm_build()
            # what was reused: every file unchanged, the images and pages whose figures did not change
            assert answers[kind]["timings"]["files"]["read"] == len(names)
            images = answers[kind]["timings"]["images"]
            assert 0 < images["drawn"] < (images["drawn"] + images["reused"]) / 2
            # byte for byte what a clean build of the same files makes: every file of the site, every page
            clean_site = _clean_build(raw, tmp_path / f"clean {kind}")
            assert differences(warm_site, clean_site) == [], kind
            assert differences(tmp_path / "warm" / "build" / "docs", clean_site.parent / "build" / "docs") == [], kind
    finally:
        builder.stdin.close()
        builder.wait(timeout=120)
