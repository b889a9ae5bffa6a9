"""The loose ends of a build: what a killed build leaves, two builds at once, a site that cannot be
replaced, the error report of the last build, and text from missing values on the quality page."""

from __future__ import annotations

import errno
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
from tests.damage import os_on_a_full_disk

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


# -- a full disk --------------------------------------------------------------------------------


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def site_digest(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): hash(p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_command_line_says_the_disk_is_full_where_and_what_to_do(tmp_path, monkeypatch, capsys):
    import pipeline.build

    def build_on_a_full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "build" / "cache" / "exports" / "x.png"))

    monkeypatch.setattr(pipeline.build, "build", build_on_a_full_disk)
    assert main(["--raw", str(tmp_path), "--site", str(tmp_path / "site")]) == 1
    message = capsys.readouterr().err
    assert "Traceback" not in message and message.count("磁盘已满") == 1
    assert "x.png" in message and "剩" in message and "MB" in message and "make clean" in message and "网站保持上一次的版本" in message
    assert (tmp_path / "build" / "problems.txt").read_text(encoding="utf-8").strip() == message.strip()


@pytest.mark.build
def test_a_full_disk_in_a_build_is_said_and_never_changes_the_site(built, tmp_path, monkeypatch, capsys):
    """ENOSPC injected at the writes of a build: the caches it can do without (the read cache, the
    person key, the scan and page caches, the releases): skipped, the site published, and said;
    the temporary site (the docs copied in, MkDocs' pages): one message saying where, what to do,
    and the site as it was. (A full disk at the final rename: test above; the image cache: on a
    real small file system in test_a_build_on_a_full_file_system.)"""
    import mkdocs.utils

    from pipeline.basics import workdir
    from tests.conftest import shared_images

    site = tmp_path / "site"
    args = ["--raw", str(paths.RAW_DIR), "--site", str(site), "--cache", str(shared_images(tmp_path / "cache"))]
    with monkeypatch.context() as full:
        full.setattr(workdir, "os", os_on_a_full_disk())
        assert main(args) == 0
    said = capsys.readouterr().err
    assert "磁盘已满" in said and str(tmp_path / "cache" / "read") in said and (site / "index.html").exists()
    published = site_digest(site)

    copy2 = shutil.copy2
    into_the_temporary_site = {
        "the docs copied": (shutil, "copy2", lambda src, dst, **kw: _no_space() if "/build-" in str(dst) else copy2(src, dst, **kw)),
        "MkDocs' pages": (mkdocs.utils, "write_file", _no_space),
    }
    for point, (module, name, write) in into_the_temporary_site.items():
        with monkeypatch.context() as full:
            full.setattr(module, name, write)
            assert main(args) == 1, point
        message = capsys.readouterr().err
        assert "Traceback" not in message and "磁盘已满" in message and "make clean" in message, point
        assert str(tmp_path / "build" / "build-") in message, point  # where: the temporary site
        assert site_digest(site) == published, point
        assert not list((tmp_path / "build").glob("build-*")), point


def test_a_read_cache_on_a_full_disk_is_skipped_with_the_same_figures_and_said(config, tmp_path, monkeypatch):
    from pipeline.basics import workdir
    from pipeline.build import read_and_check
    from pipeline.ingest.files import ReadCache

    raw = copy_raw(tmp_path, ["卫生局", "科技局"])
    expected, _ = read_and_check(raw, config, TODAY)
    with workdir.build_lock(tmp_path / "build"), monkeypatch.context() as full:  # (a build counts failed writes anew)
        full.setattr(workdir, "os", os_on_a_full_disk())  # every write of write_whole: the person key, each entry
        dataset, problems = read_and_check(raw, config, TODAY, ReadCache(tmp_path / "cache" / "read", config, TODAY))
        skipped = workdir.skipped_writes()
    assert problems == [] and dataset.observations.equals(expected.observations)
    assert list(skipped) == [tmp_path / "cache" / "read"] and not list((tmp_path / "cache" / "read").glob("*.pickle"))
    message = workdir.skipped_writes_message(skipped)
    assert "磁盘已满" in message and str(tmp_path / "cache" / "read") in message and "make clean" in message


def test_a_full_disk_at_the_final_rename_leaves_the_site_and_says_so(tmp_path, monkeypatch):
    from pipeline.build import BuildFailed, replace_site

    for name, text in (("site", "last good site"), ("new", "new site")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text(text, encoding="utf-8")
    rename = Path.rename
    monkeypatch.setattr(Path, "rename", lambda self, target: _no_space() if self.name == "new" else rename(self, target))
    with pytest.raises(BuildFailed) as stopped:
        replace_site(tmp_path / "new", tmp_path / "site")
    message = str(stopped.value)
    assert "磁盘已满" in message and str(tmp_path / "site") in message and "MB" in message and "make clean" in message
    assert "chown" not in message  # (not the message of a site that may not be replaced)
    assert (tmp_path / "site" / "index.html").read_text(encoding="utf-8") == "last good site"


ON_A_SMALL_FILE_SYSTEM = """
set -e
mount -t tmpfs -o size=$5 tmpfs "$1"
mkdir "$1/site"
echo "last good site" > "$1/site/index.html"
set +e
"$2" -m pipeline --raw "$3" --site "$1/site" --cache "$1/build/cache" 2> "$4/stderr"
echo $? > "$4/code"
cat "$1/site/index.html" > "$4/site"
ls "$1/build" > "$4/build"
"""


@pytest.mark.build
def test_a_build_on_a_full_file_system(tmp_path):
    """A real full disk: build/ and site/ on a 1 MB file system (tmpfs, mounted in a namespace of
    this process's own: no root needed where the kernel allows it). The build stops at the first
    write that does not fit, with one message naming it, and the last site stays."""
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode:
        pytest.skip("no user and mount namespaces here (unshare -rm): the injected full disks above stand in")
    mount, out = tmp_path / "disk", tmp_path / "out"
    mount.mkdir()
    out.mkdir()
    ran = subprocess.run(["unshare", "-rm", "sh", "-c", ON_A_SMALL_FILE_SYSTEM, "sh", str(mount), sys.executable,
                          str(paths.RAW_DIR), str(out), "1m"], cwd=paths.ROOT, capture_output=True, text=True, timeout=600)
    if not (out / "code").exists():
        pytest.skip(f"no small file system could be mounted: {ran.stderr.strip()}")
    message = (out / "stderr").read_text(encoding="utf-8")
    assert (out / "code").read_text().strip() == "1", message
    assert "Traceback" not in message and "磁盘已满" in message and f"写入 {mount}/build/cache/" in message
    assert (out / "site").read_text(encoding="utf-8") == "last good site\n"
    assert "build-" not in (out / "build").read_text()  # no temporary site left


def test_what_a_build_replaced_is_emptied_by_the_next_one_and_never_outlives_its_lock(tmp_path):
    """The last site and the last pages go to build/trash when a build replaces them (removing
    thousands of files took seconds of every rebuild); the next build empties it while it works,
    and is done with it when it lets go of the lock."""
    from pipeline.basics.workdir import TRASH_FOLDER, build_lock, discard

    work = tmp_path / "build"
    old = tmp_path / "site.old"
    for i in range(200):
        (old / f"charts/{i}").mkdir(parents=True)
        (old / f"charts/{i}/index.html").write_text("x", encoding="utf-8")
    discard(old, work)
    assert not old.exists() and len(list((work / TRASH_FOLDER).iterdir())) == 1
    stray = tmp_path / "a-file"
    stray.write_text("x", encoding="utf-8")
    discard(stray, work)  # a file is removed at once
    assert not stray.exists() and len(list((work / TRASH_FOLDER).iterdir())) == 1
    with build_lock(work):
        pass
    assert not (work / TRASH_FOLDER).exists()
