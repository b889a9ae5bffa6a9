"""The loose ends of a build: what a killed build leaves, two builds at once, a site that cannot be
replaced, the error report of the last build, and text from missing values on the quality page."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pipeline.basics import paths
from pipeline.build import DataErrors, build, main
from tests.conftest import TODAY, copy_raw

HOLD_LOCK = """
import fcntl, sys, time
with open(sys.argv[1], "a") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _broken_raw(tmp_path: Path) -> Path:
    raw = copy_raw(tmp_path, ["卫生局"])
    (raw / "卫生局" / "卫生局_2009Q1_卫生人才引进.csv").write_bytes(b"")
    return raw


def test_the_next_build_removes_what_a_killed_build_left(tmp_path):
    left = tmp_path / "build" / "build-k1ll3d"
    (left / "docs").mkdir(parents=True)
    (left / "docs" / "index.md").write_text("half a site", encoding="utf-8")
    with pytest.raises(DataErrors):
        build(_broken_raw(tmp_path), tmp_path / "site", today=TODAY, keep_docs=None, cache_dir=tmp_path / "cache")
    assert not left.exists()


def test_a_second_build_waits_for_the_first_and_never_removes_its_folder(tmp_path):
    work = tmp_path / "build"
    running = work / "build-running"
    running.mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(work / ".lock"), "3"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    errors = []
    second = threading.Thread(target=lambda: errors.append(pytest.raises(DataErrors, build, _broken_raw(tmp_path),
                                                                         tmp_path / "site", today=TODAY, keep_docs=None,
                                                                         cache_dir=tmp_path / "cache")))
    second.start()
    time.sleep(1.5)
    assert second.is_alive() and running.exists()  # waiting, and the running build's folder is left alone
    holder.wait()
    second.join(60)
    assert not second.is_alive() and errors and not running.exists()  # the first is over: its leftovers go


@pytest.mark.build
def test_the_error_report_is_always_the_last_builds(tmp_path):
    site, report = tmp_path / "site", tmp_path / "build" / "problems.txt"
    assert main(["--raw", str(_broken_raw(tmp_path)), "--site", str(site), "--cache", str(tmp_path / "cache")]) == 1
    assert "卫生局_2009Q1_卫生人才引进.csv" in report.read_text(encoding="utf-8")
    config = tmp_path / "config"
    shutil.copytree(paths.CONFIG_DIR, config)
    (config / "method.yml").write_text("status_thresholds: {}\n", encoding="utf-8")
    assert main(["--raw", str(paths.RAW_DIR), "--site", str(site), "--config", str(config)]) == 2
    text = report.read_text(encoding="utf-8")
    assert "method.yml" in text and "卫生局" not in text  # this build's problem, not the one before
    (tmp_path / "good").mkdir()
    assert main(["--raw", str(copy_raw(tmp_path / "good")), "--site", str(site)]) == 0
    assert not report.exists() and (site / "index.html").exists()


AS_NOBODY = """
import os, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from pipeline.build import BuildFailed, replace_site
if os.geteuid() == 0:  # after the imports: Python itself may live where nobody cannot read
    os.setgid(65534)
    os.setuid(65534)
root = Path(sys.argv[1])
try:
    replace_site(root / "new", root / "site")
except BuildFailed as exc:
    print(exc)
    sys.exit(3)
"""


@pytest.fixture
def shared_tmp():
    """A temporary folder another user can reach (pytest's own are private to the user)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="site-permissions-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_site_that_cannot_be_replaced_gives_a_message_and_stays(shared_tmp):
    """site.old/ left by a build run with sudo (files this user cannot delete): the next build stops
    with a message saying what to do, and the last site stays where it is."""
    root = shared_tmp / "project"
    for name, text in (("site", "last good site"), ("new", "new site"), ("site.old", "left by sudo make")):
        (root / name).mkdir(parents=True)
        (root / name / "index.html").write_text(text, encoding="utf-8")
    os.chmod(root / "site.old", 0o555)  # its file cannot be deleted (by anyone but root)
    if os.geteuid() == 0:  # root may delete anything: run as nobody, who owns all but site.old
        for path in (root, root / "site", root / "site" / "index.html", root / "new", root / "new" / "index.html"):
            os.chown(path, 65534, 65534)
    result = subprocess.run([sys.executable, "-c", AS_NOBODY, str(root), str(paths.ROOT)], capture_output=True, text=True)
    os.chmod(root / "site.old", 0o755)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert "无法替换网站目录 site/" in result.stdout and "网站保持上一次的版本" in result.stdout and "chown" in result.stdout
    assert (root / "site" / "index.html").read_text(encoding="utf-8") == "last good site"


def test_the_quality_page_never_prints_nan_for_a_missing_sheet_or_column(built):
    quality = (built["site"] / "quality" / "index.html").read_text(encoding="utf-8")
    assert "工作表“" in quality  # the Excel files' sheets are named
    assert "“nan”" not in quality and "nan 编码" not in quality


def test_problems_without_a_sheet_or_column_beside_ones_with_them_print_no_nan(config, tmp_path):
    """The quality page lists problems of CSV files (no sheet), of whole files (no column) and of
    Excel cells together: a missing place is left out, never printed as 工作表“nan” or “nan”列."""
    from pipeline.build import analyse, load_site_settings, read_and_check
    from pipeline.publish.pages import quality_page
    from tests.fixtures.edits import HEALTH_Q1, csv_lines, sheet_title

    raw = copy_raw(tmp_path)
    sheet_title(raw, "农工办/农工办_2010年第四季度农村实用人才培训.xlsx", "2010年三季度")  # a sheet, no column
    csv_lines(raw, HEALTH_Q1, lambda ls: [line.replace("2009-04-05", "2009-03-15") for line in ls])  # a column, no sheet
    (raw / "卫生局" / "作废").mkdir()  # neither
    (raw / "卫生局" / "作废" / "旧.csv").write_text("x", encoding="utf-8")
    dataset, problems = read_and_check(raw, config, TODAY)
    assert {p.code for p in problems} == {"period_sheet_differs", "submitted_early", "file_ignored"}
    page = quality_page(analyse(config, dataset, problems, "", load_site_settings()))
    assert "工作表“2010年三季度”" in page and "“报送日期”列" in page and "卫生局/作废/" in page
    assert "nan" not in page


def test_the_last_net_names_the_file_masks_the_number_and_says_what_to_do():
    from pipeline.build import BuildFailed, check_no_personal_data

    page = "单位,人数\n华瑞电气（联系人 138 1234 5678）,3\n".encode()
    with pytest.raises(BuildFailed) as failed:
        check_no_personal_data({"data/observations.csv": page, "index.md": "首页 20091231 共 20,000 人次".encode()})
    message = str(failed.value)
    assert "data/observations.csv" in message and "138****5678" in message and "1234" not in message
    assert "data/raw" in message and "重新运行 make" in message and "程序错误" not in message


@pytest.mark.parametrize("left", ["a file", "a link to a folder", "a broken link"])
def test_anything_but_a_folder_left_at_site_old_is_removed_and_the_build_goes_on(tmp_path, left):
    """A site.old that is not a folder (site/ had been replaced by a plain file, and a build moved
    it aside) stopped every later build with 无法替换网站目录 until it was deleted by hand."""
    from pipeline.build import recover_interrupted_swap, replace_site

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "keep.txt").write_text("not ours", encoding="utf-8")
    old, site, new = tmp_path / "site.old", tmp_path / "site", tmp_path / "new"
    {"a file": lambda: old.write_text("x", encoding="utf-8"), "a link to a folder": lambda: old.symlink_to(outside),
     "a broken link": lambda: old.symlink_to(tmp_path / "gone")}[left]()
    recover_interrupted_swap(site)  # no site: but what is at site.old is none either
    assert not site.exists() and not site.is_symlink()
    for version in ("first", "second"):
        new.mkdir()
        (new / "index.html").write_text(version, encoding="utf-8")
        replace_site(new, site)
        assert (site / "index.html").read_text(encoding="utf-8") == version
        assert not old.exists() and not old.is_symlink()
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "not ours"


def test_a_site_that_is_a_file_is_replaced_and_leaves_nothing_behind(tmp_path):
    from pipeline.build import replace_site

    (tmp_path / "site").write_text("not a site", encoding="utf-8")
    for version in ("first", "second"):
        (tmp_path / "new").mkdir()
        (tmp_path / "new" / "index.html").write_text(version, encoding="utf-8")
        replace_site(tmp_path / "new", tmp_path / "site")
        assert (tmp_path / "site" / "index.html").read_text(encoding="utf-8") == version
        assert not (tmp_path / "site.old").exists()
