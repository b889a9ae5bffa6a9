"""Issue 20's measurements for `make bench` (bench/run.py): what a build costs against a bare
MkDocs build of the same pages, and what each closed release adds to an ordinary build.

- bare MkDocs: after a build, `mkdocs build` of the pages it generated (build/docs, with the
  configuration the build wrote, build/mkdocs.yml) into a temporary folder: the generator alone;
- growth per closed release: the shipped data plus the generated 2011 files (tests/future.py),
  built as an ordinary rebuild (warm caches) while the four 2011 quarters are open (8 closed
  releases), then after closing them one by one with `python -m pipeline --close --date` (12
  closed releases); the same data and pages, four more releases placed in the site.
"""

from __future__ import annotations

import shutil
import statistics
import sys
from pathlib import Path

#: The 2011 quarters the generated files fill, and the day each is closed (the day after its
#: closing date, as the sample releases were).
CLOSE_ON = {"2011Q1": "2011-05-01", "2011Q2": "2011-08-01", "2011Q3": "2011-11-01", "2011Q4": "2012-02-01"}
GOAL_SHARE_OF_BARE_MKDOCS = 3.0  # a clean build at most 3x a bare mkdocs build of the same pages
GOAL_RELEASE_GROWTH = 0.05  # 12 closed releases at most 5 % above 8


def bare_mkdocs(snap: Path, runs: int, run, say) -> dict:
    """`mkdocs build` of the pages a build of snap kept (build/docs, build/mkdocs.yml)."""
    config = snap / "build" / "mkdocs.yml"
    if not config.is_file():
        raise SystemExit("bench: no build/mkdocs.yml: run a build of the copy first")
    walls, cpus = [], []
    for i in range(runs):
        out = snap / "build" / "bench-bare-site"
        shutil.rmtree(out, ignore_errors=True)
        r = run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(out)], cwd=snap)
        r.check("bare mkdocs build")
        walls.append(r.seconds)
        cpus.append(r.cpu_seconds)
        say(f"  bare mkdocs build {i + 1}/{runs}: {r.seconds:.2f} s")
    pages = sum(1 for _ in (snap / "build" / "docs").rglob("*.md"))
    return {"wall_seconds": walls, "cpu_seconds": cpus, "pages": pages}


def release_growth(snap: Path, runs: int, run, say) -> dict:
    """Ordinary rebuilds of one data folder with 8 closed releases, then with 12 (see the module
    docstring). Works in snap/growth (a data folder of its own)."""
    folder = snap / "growth"
    shutil.rmtree(folder, ignore_errors=True)
    say("  generating the 2011 files (tests/future.py)")
    run([sys.executable, "-m", "tests.future", str(folder), "--through", "2012-01-31"], cwd=snap).check("tests.future")
    raw, site, cache = folder / "raw", folder / "site", folder / "cache"
    build = [sys.executable, "-m", "pipeline", "--raw", str(raw), "--site", str(site), "--cache", str(cache)]
    run(build, cwd=snap).check("first build (warms the caches)")

    def rebuilds(label: str) -> list[float]:
        walls = []
        for i in range(runs):
            r = run(build, cwd=snap).check(f"rebuild with {label}")
            walls.append(r.seconds)
            say(f"  rebuild with {label} {i + 1}/{runs}: {r.seconds:.2f} s")
        return walls

    before = rebuilds("8 closed releases")
    closed_before = _closed(folder)
    for quarter, day in CLOSE_ON.items():
        say(f"  make release DATE={day} ({quarter})")
        run([*build, "--close", "--date", day], cwd=snap).check(f"closing {quarter}")
    closed_after = _closed(folder)
    if len(closed_after) != len(closed_before) + len(CLOSE_ON):
        raise SystemExit(f"bench: closing the 2011 quarters left {closed_after}")
    after = rebuilds("12 closed releases")
    ratio = statistics.median(after) / statistics.median(before)
    return {"closed_before": len(closed_before), "closed_after": len(closed_after), "before_seconds": before,
            "after_seconds": after, "ratio": round(ratio, 3),
            "seconds_per_release": round((statistics.median(after) - statistics.median(before)) / len(CLOSE_ON), 3),
            "release_bytes": {name: _bytes(folder / "releases" / name) for name in closed_after}}


def _closed(folder: Path) -> list[str]:
    return sorted(p.name for p in (folder / "releases").iterdir() if (p / "manifest.json").is_file())


def _bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
