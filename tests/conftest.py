"""Shared fixtures: the configuration, the sample data read once, and one full build of the site."""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import http.server
import os
import pickle
import shutil
import socketserver
import threading
from pathlib import Path

import pytest

from pipeline.basics import paths
from pipeline.basics.workdir import link_or_copy
from pipeline.combine.dataset import combine
from pipeline.config import load_config
from pipeline.images import qr
from pipeline.ingest.files import read_all
from pipeline.releases.assemble import RELEASE_PNG_CACHE

#: The day the tests pretend it is: after every sample period, so none is "in the future".
TODAY = dt.date(2026, 11, 28)


#: The project's own cache, kept by `make` (build/cache): tests read it, never write it.
PROJECT_CACHE = paths.CACHE_DIR


@pytest.fixture(scope="session", autouse=True)
def project_cache_copy(tmp_path_factory):
    """Every build a test makes without naming a cache uses this test worker's own copy of the
    project's cache (each file linked: cache files are replaced whole, never changed in place),
    not build/cache itself. A test that built other data there left its releases, read results and
    pages behind as if staff had built them: the next `make` warned of a file "no longer in
    data/raw" that only a test had had."""
    cache = tmp_path_factory.getbasetemp() / "project-cache"
    if PROJECT_CACHE.is_dir():
        shutil.copytree(PROJECT_CACHE, cache, copy_function=link_or_copy, ignore=shutil.ignore_patterns("*.tmp"))
    else:
        cache.mkdir()
    paths.CACHE_DIR = cache
    yield cache
    paths.CACHE_DIR = PROJECT_CACHE


@pytest.fixture(scope="session")
def config():
    return load_config()


@pytest.fixture(scope="session")
def sample(config):
    """The shipped sample data, read and combined (no warnings, no errors expected)."""
    results, problems = read_all(paths.RAW_DIR, config, TODAY)
    return combine(results, problems, config)


@pytest.fixture(scope="session")
def built(tmp_path_factory, project_cache_copy):
    """One full build of the site from the shipped data into a temporary folder."""
    from pipeline.build import build

    root = tmp_path_factory.mktemp("built")
    site = root / "site"
    outputs = build(paths.RAW_DIR, site, today=TODAY, keep_docs=root / "docs")
    return {"site": site, "docs": root / "docs", "outputs": outputs}


#: The cache folders whose entries are named by a hash of everything they are made from, and
#: written whole (a temporary file renamed): the chart images, and the releases' small PNGs.
CONTENT_ADDRESSED = ("exports", RELEASE_PNG_CACHE)


def shared_images(cache: Path) -> Path:
    """A new cache folder (a build's --cache) that starts with the chart images `make` has drawn
    (build/cache), so that a test whose subject is not the drawing does not spend a minute drawing
    them again: each image is linked, not copied, and what the test draws stays in its own folder.
    The QR codes it made are copied. Reading, analysis, pages and releases start from nothing.
    Drawing from nothing is what test_build's two-builds test and test_charts' redraw test are for."""
    cache.mkdir(parents=True, exist_ok=True)
    for name in CONTENT_ADDRESSED:
        source = paths.CACHE_DIR / name
        if source.is_dir():
            (cache / name).mkdir(exist_ok=True)
            for entry in source.iterdir():
                if entry.is_file() and not entry.name.endswith(".tmp"):
                    link_or_copy(entry, cache / name / entry.name)
    for bundle in [*paths.CACHE_DIR.glob("vega-bundle-*.js"), *paths.CACHE_DIR.glob(qr.CACHE_FILE)]:
        shutil.copy2(bundle, cache / bundle.name)
    return cache


def copy_raw(tmp_path: Path, folders: list[str] | None = None) -> Path:
    """A copy of data/raw (or of some of its department folders) to change in a test; a copy of
    the whole folder comes with the closed releases of data/releases beside it (tmp_path/releases),
    as a copy of the data folder has them."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for folder in sorted(p for p in paths.RAW_DIR.iterdir() if p.is_dir()):
        if folders is None or folder.name in folders:
            shutil.copytree(folder, raw / folder.name)
    if folders is None and paths.RELEASES_DIR.is_dir():
        shutil.copytree(paths.RELEASES_DIR, tmp_path / "releases", copy_function=link_or_copy)  # never changed in place
    return raw


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        """A missing address gets the site's own 404.html, as a web server set up for it serves it."""
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="session")
def serve():
    """serve(folder) -> base URL of a local web server on 127.0.0.1 for that folder."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def pytest_collection_modifyitems(config, items):
    """The tests that build the whole site (minutes each), then those that drive the browser, then
    the many small ones: handed out a few at a time (`make test`: --maxschedchunk 2), the test
    workers then end together, instead of one starting a long test when the other is done.

    Tests that share one build (made_once; marked `shares_build`) would have one worker wait
    minutes while the other builds: the first test of each such group goes first, so that the two
    workers start different builds at once, and the group's other tests come after every build."""
    first_of_group: set[int] = set()
    seen: set[str] = set()
    for item in items:
        group = item.get_closest_marker("shares_build")
        if group and group.args[0] not in seen:
            seen.add(group.args[0])
            first_of_group.add(id(item))

    def weight(item) -> float:
        if id(item) in first_of_group:
            return -1
        if item.get_closest_marker("shares_build"):
            return 0.5
        return 0 if item.get_closest_marker("build") else 1 if item.get_closest_marker("browser") else 2

    items.sort(key=weight)
    # pytest-xdist (--dist load) first hands each worker a chunk of consecutive tests: two each
    # (`make test`: -n 2 --maxschedchunk 2; min(tests per worker / 4, maxschedchunk)). Two group
    # leaders side by side both went to the first worker, which made the two builds one after the
    # other (314 + 269 s) while the second worker started neither: the second leader goes to the
    # start of the second worker's chunk.
    leaders = [i for i, item in enumerate(items) if id(item) in first_of_group]
    chunk = _first_chunk(config, len(items))
    if len(leaders) > 1 and chunk and leaders[1] < chunk < len(items):
        items.insert(chunk, items.pop(leaders[1]))


def _first_chunk(config, count: int) -> int | None:
    """How many tests pytest-xdist's load scheduling first sends to each worker, as a worker (which
    collects and orders the tests the scheduler hands out by index) can tell; None in one process."""
    workers = getattr(config, "workerinput", {}).get("workercount")
    if not workers or workers < 2:
        return None
    most = getattr(config.option, "maxschedchunk", None) or count
    return max(min(count // workers // 4, most), 2)


def made_once(tmp_path_factory, name: str, make):
    """What make(folder) returns (picklable), made once for all the test workers of this run: a
    module fixture would otherwise make it again on each worker that runs one of its tests. The
    first worker makes it while holding a lock; the others wait for it and read it back."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:  # one process: nothing to share
        return make(tmp_path_factory.mktemp(name))
    root = tmp_path_factory.getbasetemp().parent / f"{name}-{run}"
    with open(root.with_name(root.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = root / "made.pickle"
        if not done.exists():
            root.mkdir(exist_ok=True)
            done.write_bytes(pickle.dumps(make(root)))
        return pickle.loads(done.read_bytes())


# The machine is shared and noisy: property tests check behaviour, not speed.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("project", deadline=None)
_hypothesis_settings.load_profile("project")
