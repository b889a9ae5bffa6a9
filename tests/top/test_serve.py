"""`make serve`: the site served, rebuilt when a file under data/raw changes, and the open page
reloaded with the new figures; a failed build's report shown over the last good site, in Chinese.

The unit tests look at the parts (the inputs watched, the pages sent); the last tests run
`make serve` on a copy of the project and change its files as staff would, with a browser open.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from pipeline.basics import paths
from pipeline.serve import OWN, Handler, Inputs, State, changed
from tests.conftest import link_or_copy
from tests.top.test_make import copy_project

# -- the inputs watched --------------------------------------------------------------------------


@pytest.mark.parametrize(("before", "after", "expected"), [
    ({"a": "1"}, {"a": "1"}, []),
    ({"a": "1"}, {"a": "2"}, ["a"]),  # edited
    ({"a": "1"}, {"a": "1", "b": "1"}, ["b"]),  # added
    ({"a": "1", "b": "1"}, {"a": "1"}, ["b"]),  # removed
    ({"a": "1"}, {"c": "1"}, ["a", "c"]),  # renamed
])
def test_changed_lists_every_file_added_removed_or_edited(before, after, expected):
    assert changed(before, after) == expected


def _touch_later(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


@pytest.mark.parametrize(("action", "seen"), [
    ("touch", False),  # a new date, the same content: nothing to rebuild
    ("same bytes written again", False),
    ("edit", True),
    ("edit keeping size and date", True),  # cp -p of another version of the same length
    ("remove", True),
    ("add", True),
])
def test_inputs_see_changes_of_content_only(tmp_path, action, seen):
    raw = tmp_path / "data" / "raw" / "卫生局"
    raw.mkdir(parents=True)
    file = raw / "a.csv"
    file.write_text("x,1\n", encoding="utf-8")
    inputs = Inputs(tmp_path, ["data"])
    before = inputs.snapshot()
    st = file.stat()
    if action == "touch":
        _touch_later(file)
    elif action == "same bytes written again":
        file.write_text("x,1\n", encoding="utf-8")
    elif action == "edit":
        file.write_text("x,22\n", encoding="utf-8")
    elif action == "edit keeping size and date":
        file.write_text("x,2\n", encoding="utf-8")
        os.utime(file, ns=(st.st_atime_ns, st.st_mtime_ns))
    elif action == "remove":
        file.unlink()
    elif action == "add":
        (raw / "b （1）.csv").write_text("y,1\n", encoding="utf-8")
    assert bool(changed(before, inputs.snapshot())) is seen


# -- the pages sent ------------------------------------------------------------------------------


@pytest.fixture
def little_site(tmp_path):
    """A server (no builds) in front of a small site: its base address, the site and the state."""
    site = tmp_path / "site"
    (site / "charts").mkdir(parents=True)
    (site / "index.html").write_text("<html><body><p>首页</p></body></html>", encoding="utf-8")
    (site / "charts" / "a.csv").write_text("年,人数\n2010,3\n", encoding="utf-8")
    (site / "404.html").write_text("<html><body><p>没有这个页面</p></body></html>", encoding="utf-8")
    state = State(version=4)
    handler = type("TestHandler", (Handler,), {"state": state})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: handler(*a, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", site, state
    server.shutdown()
    server.server_close()


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.parametrize(("address", "status", "script"), [
    ("/", 200, True),
    ("/index.html", 200, True),
    ("/nowhere/", 404, True),  # the site's own 404 page, which reloads too when the page appears
    ("/charts/a.csv", 200, False),  # downloads as they are
])
def test_pages_sent_carry_the_reload_script_and_files_on_disk_do_not(little_site, address, status, script):
    base, site, _ = little_site
    code, body = _get(base + address)
    assert code == status
    assert (f'<script src="{OWN}reload.js" data-version="4"></script></body>'.encode() in body) is script
    assert not any(OWN.encode() in f.read_bytes() for f in site.rglob("*") if f.is_file())


def test_the_state_says_which_site_is_served_and_why_a_build_failed(little_site):
    base, _, state = little_site
    state.error = "发布中止：数据中有 1 个错误需要改正"
    code, body = _get(base + OWN + "state")
    assert code == 200
    assert json.loads(body) == {"version": 4, "building": False, "error": "发布中止：数据中有 1 个错误需要改正"}
    assert _get(base + OWN + "reload.js")[1].startswith(b"// Added by `make serve`")


# -- make serve on a copy of the project ---------------------------------------------------------

CHANGED = Path("data/raw/农工办/农工办_2010年第四季度农村实用人才培训.xlsx")
BAD = Path("data/raw/卫生局/卫生局_2011Q1_卫生人才引进.csv")
BUILD_SECONDS = 600  # the first build (a full one when there is no image cache) on a busy machine
REBUILD_SECONDS = 240  # goal: seconds; this bound only stops a test that would hang


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`make serve` running on a copy of the project (with this project's caches, when built):
    its project folder, base address and output so far."""
    root = copy_project(tmp_path_factory.mktemp("serve") / "project")
    if paths.CACHE_DIR.is_dir():
        shutil.copytree(paths.CACHE_DIR, root / "build" / "cache", copy_function=link_or_copy)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE") and k not in ("MFLAGS",)}
    process = subprocess.Popen(["make", "serve", "PORT=0", f"--old-file={paths.ROOT / '.venv' / '.build-deps'}"],
                               cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
    base = _wait(lambda: next((m.group(1) for line in lines if (m := re.search(r"(http://127\.0\.0\.1:\d+)/", line))),
                              None), 60, lines)
    _wait(lambda: _state(base)["version"] >= 1, BUILD_SECONDS, lines)
    yield root, base, lines
    os.killpg(process.pid, 15)
    process.wait(timeout=60)


def _state(base: str) -> dict:
    return json.loads(_get(base + OWN + "state")[1])


def _wait(condition, seconds: float, lines: list[str]):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s; make serve said:\n" + "".join(lines[-40:]))


@pytest.mark.browser
def test_a_changed_file_reloads_the_open_page_with_its_effect(served):
    from openpyxl import load_workbook

    from tests.browser.test_browser import CHROMIUM, LAUNCH_ARGS

    root, base, lines = served
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page()
        page.goto(base + "/quality/")
        assert "合计行与明细之和不符" not in page.inner_text("body")
        version = _state(base)["version"]
        with page.expect_event("load", timeout=REBUILD_SECONDS * 1000):  # the page reloads itself
            # staff put in a corrected file: one detail row of the quarter's figures changed
            book = load_workbook(root / CHANGED)
            book.active["B4"] = book.active["B4"].value + 5
            book.save(root / CHANGED)
            started = time.monotonic()
        reloaded = time.monotonic() - started
        assert _state(base)["version"] > version
        text = page.inner_text("body")
        assert "合计行与明细之和不符" in text and CHANGED.name in text, "the new file's effect is not on the page"
        assert "__serve__" not in (root / "site" / "quality" / "index.html").read_text(encoding="utf-8")
        print(f"page reloaded {reloaded:.1f} s after the file was saved")

        # a file the build refuses: the report on the page, in Chinese, over the last good site
        shutil.copy(root / "data/raw/卫生局/卫生局_2009Q1_卫生人才引进.csv", root / BAD)
        (root / BAD).write_text((root / BAD).read_text(encoding="utf-8").replace("2009年第一季度", "2011年第五季度"),
                                encoding="utf-8")
        page.wait_for_selector("#serve-state[role=alert]", timeout=REBUILD_SECONDS * 1000)
        alert = page.inner_text("#serve-state")
        assert "网站未更新" in alert and BAD.name in alert and "2011年第五季度" in alert
        assert "合计行与明细之和不符" in page.inner_text("main")  # still the last good site
        assert "2011年第五季度" in (root / "build" / "problems.txt").read_text(encoding="utf-8")

        # corrected (here: taken away again): the report goes, the new site comes
        (root / BAD).unlink()
        page.wait_for_selector("#serve-state[role=alert]", state="hidden", timeout=REBUILD_SECONDS * 1000)
        browser.close()
