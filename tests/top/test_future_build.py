"""Whole builds of generated next submissions (tests/future.py): the site through January 2012 is
byte-identical whatever the order and times of its files, and publishes exactly the generator's
figures; and the staff's path of the README (copy the files in, `cp -p` included, run `make`)
publishes them too.

The sample plan's ids, years and departments are named here on purpose: the generated files
(tests/future.py) are the sample plan's next submissions, built on config/ and data/raw as shipped."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from pipeline.basics import paths
from pipeline.build import build
from tests.conftest import TODAY, link_or_copy, shared_images
from tests.future import future
from tests.future_truth import Truth, series, windows

pytestmark = pytest.mark.build


def _digest(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def assert_site_publishes(config, site: Path, truth: Truth, released_on: dt.date) -> None:
    """target_progress.csv and target_series.csv, as published, carry the truth's figures (as
    of the build's release date)."""
    progress = pd.read_csv(site / "data" / "target_progress.csv", encoding="utf-8-sig", dtype={"scope": str})
    got = {(r.target_id, r.scope): r.result_value for r in progress.itertuples()}
    want = {k: w["result_value"] for k, w in windows(config, truth, released_on).items()}
    assert got.keys() == want.keys()
    for key, value in want.items():
        assert (pd.isna(got[key]) and value is None) or got[key] == pytest.approx(value, abs=1e-4), (key, got[key], value)
    published = pd.read_csv(site / "data" / "target_series.csv", encoding="utf-8-sig")
    for target_id, values in series(config, truth).items():
        rows = published[published["target_id"] == target_id]
        assert dict(zip(rows["period"], rows["value"])) == pytest.approx(values, abs=1e-4), target_id


def test_the_generated_year_builds_byte_identical_in_any_order_and_with_its_exact_figures(tmp_path, config):
    _, truth = future(tmp_path / "a", "all", seed=1)
    raw_a, raw_b = tmp_path / "a" / "raw", tmp_path / "b" / "raw"
    rng = random.Random(3)
    files = [p for p in raw_a.rglob("*") if p.is_file()]
    for path in sorted(files, key=lambda p: rng.random()):  # another order, and any times
        target = raw_b / path.relative_to(raw_a)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        stamp = rng.uniform(1.0e9, 1.9e9)
        os.utime(target, (stamp, stamp))
    shutil.copytree(tmp_path / "a" / "releases", tmp_path / "b" / "releases")  # the closed releases beside them
    outputs = build(raw_a, tmp_path / "a" / "site", today=TODAY, keep_docs=None, cache_dir=shared_images(tmp_path / "cache-a"))
    # The second build reads every file again (no read cache); chart images are reused to bound the time.
    shutil.copytree(tmp_path / "cache-a", tmp_path / "cache-b", ignore=lambda d, names: ["read"] if d.endswith("cache-a") else [],
                    copy_function=link_or_copy)
    build(raw_b, tmp_path / "b" / "site", today=TODAY, keep_docs=None, cache_dir=tmp_path / "cache-b")
    a, b = _digest(tmp_path / "a" / "site"), _digest(tmp_path / "b" / "site")
    assert a.keys() == b.keys() and [k for k in a if a[k] != b[k]] == []
    site = tmp_path / "a" / "site"
    assert_site_publishes(config, site, truth, outputs.site.reference)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "数据截至2011年第四季度" in home
    changelog = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    correction = next(f for f in (raw_a / "卫生局").iterdir() if "更正" in f.name and "2011" in f.name)
    assert correction.name in changelog  # the late correction of 2011Q1 is in the change log


def _project_copy(dest: Path) -> Path:
    """The project as a staff member has it: its committed files (with their times) and its .venv."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=paths.ROOT, check=True, capture_output=True).stdout
    for rel in filter(None, listed.decode("utf-8").split("\0")):
        source = paths.ROOT / rel
        if source.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    (dest / ".venv").symlink_to(paths.ROOT / ".venv")
    shared_images(dest / "build" / "cache")  # the images the project's own builds have drawn
    return dest


def _make(project: Path) -> str:
    """`make` in the project, in a process group of its own: no process of it may outlive it (the
    drawing workers included)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "PYTEST"))}
    with subprocess.Popen(["make", "-C", str(project)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, start_new_session=True) as run:
        stdout, stderr = run.communicate(timeout=600)
    assert run.returncode == 0, stderr[-3000:]
    for _ in range(20):  # a process that is ending (a zombie until it is reaped) is given a moment
        left = _processes_in_group(run.pid)
        if not left:
            break
        time.sleep(0.1)
    assert left == [], "a process of the build outlived it"
    return stdout


def _processes_in_group(group: int) -> list[str]:
    """The command lines of the processes still running in a process group."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group and fields[0] not in "ZX":  # pgrp (after the state and the parent's pid), not a dead one
                found.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except (OSError, IndexError, ValueError):
            continue
    return found


@pytest.mark.skipif(not (paths.ROOT / "scripts" / "input-manifest").exists(),
                    reason="make's manifest of paths and content hashes is not on this branch (main becbf95)")
def test_staff_copy_next_quarters_files_in_as_the_readme_says_and_make_publishes_them(tmp_path, config):
    project = _project_copy(tmp_path / "project")
    _make(project)  # the site as it was, from the shipped files
    sent, truth = future(tmp_path / "next", "all", seed=2, through=pd.Timestamp("2011-07-31").date())
    new = [s for s in sent if s.span.year == 2011]
    for s in new:  # as received: `cp -p` keeps the day each file came, older than the site
        subprocess.run(["cp", "-p", str(tmp_path / "next" / "raw" / s.file), str(project / "data" / "raw" / s.file)], check=True)
    _make(project)
    site = project / "site"
    assert_site_publishes(config, site, truth, dt.date.today())  # new files, no release closed: a preview dated today
    assert "数据截至2011年第二季度" in (site / "index.html").read_text(encoding="utf-8")
