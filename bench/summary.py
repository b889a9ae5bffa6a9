"""The first table `make bench` prints: each measurement behind issue 15's goals (and issue 24's:
reading a CSV at the size limit), its median (and range) over the runs, its ratio to the full
build from clean, the goal, and whether it is met.

Ratios are what to compare across machines and loads: the machine is shared (2 cores), so every
wall time varies with what else runs, and a rebuild and the full build it is measured against are
slowed alike."""

from __future__ import annotations

import statistics

GOAL_FULL_BUILD_S = 10.0
GOAL_NO_CHANGE_S = 0.5
GOAL_ONE_FILE_SHARE = 0.20
GOAL_ONE_FILE_S = 3.0  # and at most this (issue 20: one department file changed)
GOAL_QUARTER_SHARE = 0.30  # the eight files of a quarter changed
GOAL_RELOAD_S = 5.0  # make serve: a file saved, the open page shows it "within seconds"
GOAL_LIMIT_READ_S = 30.0  # reading one CSV at the size limit (max_file_mb), on 2 cores
GOAL_LIMIT_READ_MB = 1024.0  # and its peak memory (RSS, MiB)


def _s(samples: list[float]) -> tuple[float, float, float, int]:
    return statistics.median(samples), min(samples), max(samples), len(samples)


def goal_rows(report: dict) -> list[dict]:
    """One row per measurement: name, samples (seconds), goal text, met or not."""
    full = report["full_build"]["wall_seconds"]["samples"]
    full_median = statistics.median(full)
    make, warm, serve = report["make"], report["warm"], report["serve"]

    def share(name: str, samples: list[float], goal: float) -> dict:
        return {"name": name, "samples": samples, "goal": f"<= {goal:.0%} of full",
                "pass": statistics.median(samples) / full_median <= goal}

    def seconds(name: str, samples: list[float], goal: float) -> dict:
        return {"name": name, "samples": samples, "goal": f"<= {goal:g} s", "pass": statistics.median(samples) <= goal}

    return [
        seconds("full build from clean", full, GOAL_FULL_BUILD_S),
        *release_rows(report),
        seconds("make, nothing changed", make["no_change_seconds"]["samples"], GOAL_NO_CHANGE_S),
        share("make, one file changed", make["one_file_change_seconds"]["samples"], GOAL_ONE_FILE_SHARE),
        seconds("  the same, in seconds", make["one_file_change_seconds"]["samples"], GOAL_ONE_FILE_S),
        share("make, eight files changed (a quarter)", make["quarter_change_seconds"]["samples"], GOAL_QUARTER_SHARE),
        share("make serve, one file changed (build)", warm["one_file"], GOAL_ONE_FILE_SHARE),
        share("make serve, eight files changed (build)", warm["eight_files"], GOAL_QUARTER_SHARE),
        seconds("make serve, file saved -> page served anew", serve["seconds"], GOAL_RELOAD_S),
        *size_limit_rows(report),
    ]


def release_rows(report: dict) -> list[dict]:
    """The bare mkdocs build of the same pages (the full build at most 3x it), and an ordinary
    rebuild with 12 closed releases against one with 8 (at most 5 % more)."""
    from bench.releases import GOAL_RELEASE_GROWTH, GOAL_SHARE_OF_BARE_MKDOCS

    rows = []
    if "bare_mkdocs" in report:
        bare = report["bare_mkdocs"]["wall_seconds"]
        full = statistics.median(report["full_build"]["wall_seconds"]["samples"])
        rows.append({"name": "  bare mkdocs build of the same pages", "samples": bare,
                     "goal": f"full <= {GOAL_SHARE_OF_BARE_MKDOCS:g}x it", "pass": full <= GOAL_SHARE_OF_BARE_MKDOCS * statistics.median(bare)})
    if "release_growth" in report:
        growth = report["release_growth"]
        rows.append({"name": "rebuild, 8 closed releases", "samples": growth["before_seconds"], "goal": "", "pass": None})
        rows.append({"name": "rebuild, 12 closed releases", "samples": growth["after_seconds"],
                     "goal": f"<= {1 + GOAL_RELEASE_GROWTH:.2f}x the 8", "pass": growth["ratio"] <= 1 + GOAL_RELEASE_GROWTH})
    return rows


def size_limit_rows(report: dict) -> list[dict]:
    """Reading one CSV at a tenth of the size limit, at the limit, and of the most figures a CSV may
    give (goals in seconds and in memory)."""
    rows = []
    for r in report["size_limit"]:
        seconds, memory = r["read_seconds"]["samples"], r["peak_rss_mb"]["samples"]
        goal = r["case"] != "tenth"
        rows.append({"name": f"read {r['name']}"[:44], "samples": seconds, "goal": f"<= {GOAL_LIMIT_READ_S:g} s" if goal else "",
                     "pass": statistics.median(seconds) <= GOAL_LIMIT_READ_S if goal else None})
        rows.append({"name": "  its peak memory (RSS, MB)", "samples": memory, "goal": f"<= {GOAL_LIMIT_READ_MB:g} MB" if goal else "",
                     "pass": statistics.median(memory) <= GOAL_LIMIT_READ_MB if goal else None, "unit": "MB"})
    return rows


def goal_table(report: dict) -> str:
    full = statistics.median(report["full_build"]["wall_seconds"]["samples"])
    lines = [f"{'goal measurements (wall seconds)':<44} {'runs':>4} {'median':>7} {'min-max':>13} {'of full':>8}  "
             f"{'goal':<15} result"]
    for row in goal_rows(report):
        median, low, high, runs = _s(row["samples"])
        result = "" if row["pass"] is None else "PASS" if row["pass"] else "FAIL"
        if row.get("unit") == "MB":  # memory, not time: no share of the full build
            lines.append(f"{row['name']:<44} {runs:>4} {median:>7.0f} {f'{low:.0f}-{high:.0f}':>13} {'':>8}  "
                         f"{row['goal']:<15} {result}")
            continue
        lines.append(f"{row['name']:<44} {runs:>4} {median:>7.2f} {f'{low:.2f}-{high:.2f}':>13} {median / full:>8.0%}  "
                     f"{row['goal']:<15} {result}")
    poll = report["serve"]["page_poll_seconds"]
    lines.append(f"  (the open page asks every {poll:g} s whether a new site is in place: its reload follows by up to that;"
                 " 'of full' = median / median of the full build)")
    return "\n".join(lines)
