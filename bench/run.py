"""The benchmark (make bench): build times, incremental makes, and the pipeline on 10 k-1 M records.

Measures, as the median (with min and max) of several runs, on a temporary copy of the project
so that nothing in the working folders (site/, build/, data/raw/) is touched:

1. a full build from clean (python -m pipeline with an empty --cache and no previous site), with
   each stage's share (from --timings);
2. `make` with nothing changed;
3. `make` after one number changed in one department file, and after one number changed in each
   of the eight files of a quarter (bench/rebuilds.py); the same rebuilds in the warm build
   process of `make serve` (pipeline/warm.py);
4. the pipeline (read_and_check + analyse) on generated record-level data of 10 k, 100 k and
   1 M rows over 100 towns, each in a fresh process (import time measured apart), its peak memory
   (RSS), and a bare pandas.read_csv of the same files (dtype=str) for comparison;
6. a bare `mkdocs build` of the pages the full build generated (the generator alone), and the
   growth per closed release: an ordinary rebuild with 8 closed releases against one with 12
   (bench/releases.py);
5. reading (read_and_check) one CSV file at the size limit (max_file_mb in config/sources.yml) and
   at a tenth of it: a 科技局 company table (bench/generate_companies.py), the layout with the most
   figures per byte, every company different; its time and peak memory (RSS), in a fresh process.

Prints a table with PASS/FAIL against the goals and writes everything to bench/out/bench.json.
For a goal not met, and when pyinstrument is installed in the environment, it also writes
profiles of the slow cases (bench/out/profile-*.txt and .html).

    .venv/bin/python bench/run.py            # 3 runs of each (the machine is shared: few, medians)
    .venv/bin/python bench/run.py --quick    # one run of each, 10 k and 100 k rows: a smoke test
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.rebuilds import CHANGED_FILE, PREPARING_FILE, bump_number, quarter_makes, serve_reloads, warm_rebuilds  # noqa: E402
from bench.releases import GOAL_RELEASE_GROWTH, GOAL_SHARE_OF_BARE_MKDOCS, bare_mkdocs, release_growth  # noqa: E402
from bench.summary import (  # noqa: E402
    GOAL_FULL_BUILD_S,
    GOAL_LIMIT_READ_MB,
    GOAL_LIMIT_READ_S,
    GOAL_NO_CHANGE_S,
    GOAL_ONE_FILE_S,
    GOAL_ONE_FILE_SHARE,
    GOAL_QUARTER_SHARE,
    goal_table,
)

OUT = ROOT / "bench" / "out"
SIZES = [10_000, 100_000, 1_000_000]

GOAL_READ_CSV_RATIO = 2.0
GOAL_MEMORY_GROWTH = 1.5  # RSS increment per row at the largest size / at 100 k (1.0 = linear)


# -- running and timing processes ---------------------------------------------------------------


class Run:
    """One finished process: wall seconds, CPU seconds (user + system, with the children it waited
    for: less sensitive than wall time to other work on the machine), peak RSS (kB, from wait4),
    exit code and output."""

    def __init__(self, seconds: float, cpu_seconds: float, maxrss_kb: int, returncode: int, stdout: str, stderr: str):
        self.seconds, self.cpu_seconds, self.maxrss_kb, self.returncode = seconds, cpu_seconds, maxrss_kb, returncode
        self.stdout, self.stderr = stdout, stderr

    def check(self, what: str) -> "Run":
        if self.returncode != 0:
            raise SystemExit(f"bench: {what} failed (exit {self.returncode}):\n{self.stdout[-3000:]}\n{self.stderr[-3000:]}")
        return self

    def json(self) -> dict:
        return json.loads(self.stdout.strip().splitlines()[-1])


def run(cmd: list[str], *, cwd: Path | None = None, env: dict | None = None) -> Run:
    """Run cmd, timing its wall clock; its peak RSS comes from wait4 (the largest of that process
    and the descendants it waited for).

    Linux carries a process's ru_maxrss over fork and exec: a child's ru_maxrss (wait4,
    RUSAGE_CHILDREN, /usr/bin/time) is at least the parent's RSS when it was started. So this
    process stays small (no data in memory: records are generated in a subprocess), and the
    workers report the peak of their own memory map (VmHWM) as well."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode,
                   out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def stats(samples: list[float], digits: int = 3) -> dict:
    return {"median": round(statistics.median(samples), digits), "min": round(min(samples), digits),
            "max": round(max(samples), digits), "runs": len(samples), "samples": [round(s, digits) for s in samples]}


def make_env() -> dict:
    """The environment for an inner make: without the variables of an outer make (make bench)."""
    env = dict(os.environ)
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "MAKE_TERMOUT", "MAKE_TERMERR"):
        env.pop(name, None)
    return env


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# -- the copy of the project ---------------------------------------------------------------------


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout


def snapshot(dest: Path, ref: str | None) -> dict:
    """Copy the project into dest: the working tree's tracked and untracked-but-not-ignored files
    (modification times kept), or the commit `ref` (git archive). No .git, site/, build/ or .venv."""
    dest.mkdir(parents=True, exist_ok=True)
    if ref:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", ref],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    else:
        names = git("ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
        for name in filter(None, names):
            src = ROOT / name
            if not src.is_file() or name.startswith("bench/out/"):
                continue  # deleted in the working tree, or a benchmark output
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(dest / "pipeline")], check=True)
    dirty = [line[3:] for line in git("status", "--porcelain").splitlines() if not line.startswith("??")]
    return {"copied_from": ref or "working tree", "commit": git("rev-parse", f"{ref or 'HEAD'}^{{commit}}").strip(),
            "modified_tracked_files": dirty if not ref else []}


# -- 1. full build from clean -------------------------------------------------------------------


def full_builds(snap: Path, runs: int) -> dict:
    walls, cpus, stages, images, rss = [], [], {}, [], []
    for i in range(runs):
        for folder in ("build", "site", "site.old"):
            shutil.rmtree(snap / folder, ignore_errors=True)
        cache = snap / "build" / "bench-cache"
        cache.mkdir(parents=True)
        timings = snap / "build" / "bench-timings.json"
        r = run([sys.executable, "-m", "pipeline", "--site", str(snap / "site"), "--cache", str(cache),
                 "--timings", str(timings)], cwd=snap).check("full build")
        data = json.loads(timings.read_text(encoding="utf-8"))
        walls.append(r.seconds)
        cpus.append(r.cpu_seconds)
        rss.append(r.maxrss_kb / 1024)
        for stage, seconds in data["stage_seconds"].items():
            stages.setdefault(stage, []).append(seconds)
        stages.setdefault("startup (interpreter, imports)", []).append(r.seconds - sum(data["stage_seconds"].values()))
        images.append(data.get("images", {}))
        say(f"  full build {i + 1}/{runs}: {r.seconds:.2f} s")
    wall = stats(walls)
    stage_stats = {name: stats(values) for name, values in stages.items()}
    shares = {name: round(100 * s["median"] / wall["median"], 1) for name, s in stage_stats.items()}
    return {"wall_seconds": wall, "cpu_seconds": stats(cpus), "stage_seconds": stage_stats, "stage_share_percent": shares,
            "images": images[-1], "peak_rss_mb": stats(rss, 1)}


# -- 2, 3. make --------------------------------------------------------------------------------


def makes(snap: Path, runs: int, changed: str) -> dict:
    venv = Path(sys.prefix)
    # The project's environment for PY, via the VENV variable. --old-file: the copy must not
    # (re)install into that shared environment because its lock file looks newer than the stamp.
    cmd = ["make", f"VENV={venv}", f"--old-file={venv}/.build-deps"]
    env = make_env()
    stamp = snap / "build" / ".site-built"
    for folder in ("build", "site", "site.old"):
        shutil.rmtree(snap / folder, ignore_errors=True)
    preparing = snap / PREPARING_FILE
    bump_number(preparing, preparing.read_bytes(), 1)
    say("  make (warm-up, from clean)")
    warm = run(cmd, cwd=snap, env=env).check("make (warm-up)")

    no_change, no_change_cpu = [], []
    for _ in range(runs):
        before = stamp.stat().st_mtime_ns
        r = run(cmd, cwd=snap, env=env).check("make with nothing changed")
        if stamp.stat().st_mtime_ns != before:
            raise SystemExit("bench: make with nothing changed rebuilt the site:\n" + r.stdout)
        no_change.append(r.seconds)
        no_change_cpu.append(r.cpu_seconds)
    say(f"  make, nothing changed: {statistics.median(no_change):.3f} s")

    path = snap / changed
    original = path.read_bytes()
    one_file, one_file_cpu, cells = [], [], []
    for i in range(runs):
        cells.append(bump_number(path, original, i + 1))
        if path.stat().st_mtime_ns <= stamp.stat().st_mtime_ns:
            os.utime(path, ns=(stamp.stat().st_mtime_ns + 1_000_000,) * 2)
        before = stamp.stat().st_mtime_ns
        r = run(cmd, cwd=snap, env=env).check("make after one file changed")
        if stamp.stat().st_mtime_ns == before:
            raise SystemExit("bench: make after a changed file did not rebuild the site:\n" + r.stdout)
        one_file.append(r.seconds)
        one_file_cpu.append(r.cpu_seconds)
        say(f"  make, one file changed {i + 1}/{runs}: {r.seconds:.2f} s")

    # Where that time goes: the same kind of rebuild run directly, with the warm image cache.
    bump_number(path, original, runs + 1)
    timings = snap / "build" / "bench-timings.json"
    r = run([sys.executable, "-m", "pipeline", "--timings", str(timings)], cwd=snap).check("rebuild")
    rebuild = json.loads(timings.read_text(encoding="utf-8"))
    path.write_bytes(original)
    quarter = quarter_makes(snap, runs, run, cmd, env)
    return {"command": " ".join(cmd), "warm_up_from_clean_seconds": round(warm.seconds, 3),
            "no_change_seconds": stats(no_change), "no_change_cpu_seconds": stats(no_change_cpu),
            "one_file_change_seconds": stats(one_file), "one_file_change_cpu_seconds": stats(one_file_cpu),
            "changed_file": changed, "changed_cells": cells,
            "quarter_change_seconds": stats(quarter["seconds"]), "quarter_change_cpu_seconds": stats(quarter["cpu_seconds"]),
            "quarter_files": quarter["files"], "quarter_changes": quarter["changes"],
            "one_file_rebuild_direct": {"wall_seconds": round(r.seconds, 3),
                                        "stage_seconds": {k: round(v, 3) for k, v in rebuild["stage_seconds"].items()},
                                        "files": rebuild.get("files", {}), "images": rebuild.get("images", {})}}


# -- 4. the pipeline on generated records --------------------------------------------------------


def peak_rss_kb() -> int:
    """This process's peak RSS since it started (VmHWM of its memory map; ru_maxrss elsewhere,
    which on Linux may include the RSS of the parent that started it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def worker_pipeline(args: argparse.Namespace) -> None:
    """In a fresh process: time the imports, then read_and_check + analyse (peak RSS too)."""
    started = time.perf_counter()
    sys.path.insert(0, str(args.root))
    from pipeline.analyse.analysis import analyse
    from pipeline.build import read_and_check
    from pipeline.config import load_config

    imported = time.perf_counter()
    rss_imported = peak_rss_kb()
    config = load_config(args.config)
    loaded = time.perf_counter()
    profiler = _profiler(args)
    dataset, problems = read_and_check(args.raw, config, dt.date.today())
    checked = time.perf_counter()
    progress = analyse(config, dataset, problems).progress
    done = time.perf_counter()
    _save_profile(profiler, args)
    obs = dataset.observations
    codes: dict[str, int] = {}
    for p in problems:
        codes[f"{p.severity}:{p.code}"] = codes.get(f"{p.severity}:{p.code}", 0) + 1
    print(json.dumps({
        "import_seconds": imported - started, "load_config_seconds": loaded - imported,
        "read_and_check_seconds": checked - loaded, "analyse_seconds": done - checked,
        "pipeline_seconds": done - loaded, "rss_after_import_kb": rss_imported,
        "peak_rss_kb": peak_rss_kb(), "ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "observations": len(obs), "value_sum": int(obs["value"].sum()) if len(obs) else 0,
        "targets": len(progress), "problems": codes,
    }))


def worker_read(args: argparse.Namespace) -> None:
    """In a fresh process: time the imports, then read_and_check alone (the files read, cleaned,
    combined and checked: what a build does before any figure is worked out), with its CPU time
    and peak RSS."""
    started = time.perf_counter()
    sys.path.insert(0, str(args.root))
    from pipeline.build import read_and_check
    from pipeline.config import load_config

    imported = time.perf_counter()
    rss_imported = peak_rss_kb()
    config = load_config(args.config)
    profiler = _profiler(args)
    wall, cpu = time.perf_counter(), time.process_time()
    dataset, problems = read_and_check(args.raw, config, dt.date.today())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    _save_profile(profiler, args)
    print(json.dumps({"import_seconds": imported - started, "read_seconds": wall, "read_cpu_seconds": cpu,
                      "rss_after_import_kb": rss_imported, "peak_rss_kb": peak_rss_kb(),
                      "observations": len(dataset.observations), "problems": sorted({p.code for p in problems})}))


def worker_read_csv(args: argparse.Namespace) -> None:
    """In a fresh process: time the import of pandas, then pandas.read_csv(dtype=str) of the files."""
    started = time.perf_counter()
    import pandas as pd

    # Text stored as the pipeline stores it (pipeline/__init__.py): as Python strings, which
    # pandas reads faster than into Arrow arrays (its default once pyarrow is installed), so the
    # stricter comparison.
    pd.set_option("mode.string_storage", "python")
    imported = time.perf_counter()
    rss_imported = peak_rss_kb()
    frames = [pd.read_csv(path, dtype=str) for path in args.files]
    done = time.perf_counter()
    print(json.dumps({"import_seconds": imported - started, "read_csv_seconds": done - imported,
                      "rss_after_import_kb": rss_imported, "rows": sum(len(f) for f in frames),
                      "peak_rss_kb": peak_rss_kb()}))


def worker_build(args: argparse.Namespace) -> None:
    """In a fresh process: the full build (python -m pipeline's main), under the profiler."""
    sys.path.insert(0, str(args.root))
    os.chdir(args.root)
    from pipeline.build import main

    if args.serial_images:
        # Draw the images in this process, one by one, so that the profile sees inside vl-convert
        # (the build draws them in worker processes, which a profiler of this process does not see).
        import pipeline.build
        from pipeline.images.render import DrawingPool

        pipeline.build.DrawingPool = lambda: DrawingPool(workers=0)
    profiler = _profiler(args)
    code = main(["--site", str(args.root / "site"), "--cache", str(args.cache)])
    _save_profile(profiler, args)
    sys.exit(code)


def _profiler(args: argparse.Namespace):
    if not args.profile:
        return None
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    profiler.start()
    return profiler


def _save_profile(profiler, args: argparse.Namespace) -> None:
    if profiler is None:
        return
    profiler.stop()
    prefix = Path(args.profile)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    prefix.with_suffix(".txt").write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
    prefix.with_suffix(".html").write_text(profiler.output_html(), encoding="utf-8")
    # the whole session, to view another way: pyinstrument --load FILE -r text --show-all
    profiler.last_session.save(str(prefix.with_suffix(".pyisession")))


def worker(name: str, *extra: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--worker", name, *extra]


def records(snap: Path, data_root: Path, sizes: list[int], runs: int, slow_runs: int) -> list[dict]:
    generator = Path(__file__).resolve().with_name("generate_records.py")
    results = []
    for rows in sizes:
        data_dir = data_root / f"records-{rows}"
        run([sys.executable, str(generator), "--rows", str(rows), "--out", str(data_dir),
             "--config-src", str(snap / "config")]).check(f"generating {rows} records")
        generated = json.loads((data_dir / "generated.json").read_text(encoding="utf-8"))
        say(f"  {rows:,} rows generated in {generated['seconds']:.1f} s")
        files = [str(data_dir / "raw" / "农工办培训明细" / name) for name in generated["files"]]
        raw_dir, config_dir = data_dir / "raw", data_dir / "config"
        n = slow_runs if rows >= 1_000_000 else runs
        pipe, bare = [], []
        for i in range(n):  # interleaved, so that a noisy neighbour hits both alike
            r = run(worker("pipeline", "--root", str(snap), "--raw", str(raw_dir), "--config",
                           str(config_dir)), cwd=snap).check(f"pipeline on {rows} rows")
            pipe.append(r.json() | {"wait4_maxrss_kb": r.maxrss_kb, "process_seconds": r.seconds})
            r = run(worker("read_csv", "--files", *files), cwd=snap).check(f"read_csv of {rows} rows")
            bare.append(r.json() | {"wait4_maxrss_kb": r.maxrss_kb})
            say(f"  {rows:,} rows {i + 1}/{n}: pipeline {pipe[-1]['pipeline_seconds']:.2f} s, "
                f"read_csv {bare[-1]['read_csv_seconds']:.2f} s, peak {pipe[-1]['peak_rss_kb'] / 1024:.0f} MB")
        last = pipe[-1]
        if last["value_sum"] != rows or last["problems"]:
            raise SystemExit(f"bench: the pipeline did not count {rows} records cleanly: {last}")
        p_med = statistics.median(x["pipeline_seconds"] for x in pipe)
        b_med = statistics.median(x["read_csv_seconds"] for x in bare)
        peak = statistics.median(x["peak_rss_kb"] for x in pipe) / 1024
        base = statistics.median(x["rss_after_import_kb"] for x in pipe) / 1024
        results.append({
            "rows": rows, "files": len(files), "megabytes": round(sum(os.path.getsize(f) for f in files) / 2**20, 1),
            "generate_seconds": generated["seconds"],
            "pipeline_seconds": stats([x["pipeline_seconds"] for x in pipe]),
            "read_and_check_seconds": stats([x["read_and_check_seconds"] for x in pipe]),
            "analyse_seconds": stats([x["analyse_seconds"] for x in pipe]),
            "load_config_seconds": stats([x["load_config_seconds"] for x in pipe]),
            "import_seconds": stats([x["import_seconds"] for x in pipe]),
            "read_csv_seconds": stats([x["read_csv_seconds"] for x in bare]),
            "read_csv_import_seconds": stats([x["import_seconds"] for x in bare]),
            "ratio_to_read_csv": round(p_med / b_med, 2),
            "peak_rss_mb": round(peak, 1), "rss_after_import_mb": round(base, 1),
            "rss_increment_bytes_per_row": round((peak - base) * 2**20 / rows, 1),
            "peak_rss_bytes_per_row": round(peak * 2**20 / rows, 1),
            "read_csv_peak_rss_mb": round(statistics.median(x["peak_rss_kb"] for x in bare) / 1024, 1),
            "observations": last["observations"], "value_sum": last["value_sum"],
        })
    return results


# -- 5. a CSV at the size limit -------------------------------------------------------------------


def size_limits(config_dir: Path) -> tuple[float, int]:
    """The limits of a CSV file (config/sources.yml defaults): max_file_mb and max_csv_cells."""
    import yaml

    defaults = yaml.safe_load((config_dir / "sources.yml").read_text(encoding="utf-8"))["defaults"]
    return float(defaults["max_file_mb"]), int(defaults["max_csv_cells"])


def size_limit(snap: Path, data_root: Path, runs: int) -> list[dict]:
    """read_and_check of one company table at a tenth of the size limit, at the limit, and of the
    shortest rows up to the cell limit (the most figures a file may give), each run in a fresh
    process."""
    generator = Path(__file__).resolve().with_name("generate_companies.py")
    megabytes, cells = size_limits(snap / "config")
    cases = [("tenth", f"{megabytes / 10:g} MB (a tenth of the limit)", ["--megabytes", str(megabytes / 10)]),
             ("limit", f"{megabytes:g} MB (the size limit)", ["--megabytes", str(megabytes)]),
             ("most figures", f"{cells:,} cells of the shortest rows", ["--shortest-cells", str(cells)])]
    results = []
    for case, name, size in cases:
        data_dir = data_root / f"companies-{case.replace(' ', '-')}"
        run([sys.executable, str(generator), *size, "--out", str(data_dir)]).check(f"generating {name}")
        generated = json.loads((data_dir / "generated.json").read_text(encoding="utf-8"))
        reads = []
        for i in range(runs):
            r = run(worker("read", "--root", str(snap), "--raw", str(data_dir / "raw"), "--config", str(snap / "config")),
                    cwd=snap).check(f"reading {name}")
            reads.append(r.json())
            say(f"  {name}, {generated['rows']:,} companies, {i + 1}/{runs}: {reads[-1]['read_seconds']:.2f} s, "
                f"peak {reads[-1]['peak_rss_kb'] / 1024:.0f} MB")
        if reads[-1]["problems"] or reads[-1]["observations"] != 3 * generated["rows"]:
            raise SystemExit(f"bench: {name} did not read cleanly: {reads[-1]}")
        results.append({
            "case": case, "name": name, "megabytes": megabytes, "limit_megabytes": megabytes, "limit_cells": cells,
            "bytes": generated["bytes"], "rows": generated["rows"], "observations": reads[-1]["observations"],
            "read_seconds": stats([x["read_seconds"] for x in reads]),
            "read_cpu_seconds": stats([x["read_cpu_seconds"] for x in reads]),
            "peak_rss_mb": stats([x["peak_rss_kb"] / 1024 for x in reads], 1),
            "rss_after_import_mb": stats([x["rss_after_import_kb"] / 1024 for x in reads], 1),
            "import_seconds": stats([x["import_seconds"] for x in reads]),
        })
    tenth, limit = results[0], results[1]
    limit["seconds_ratio_to_tenth"] = round(limit["read_seconds"]["median"] / tenth["read_seconds"]["median"], 2)
    limit["cpu_ratio_to_tenth"] = round(limit["read_cpu_seconds"]["median"] / tenth["read_cpu_seconds"]["median"], 2)
    return results


def size_limit_case(report: dict, case: str) -> dict:
    return next(r for r in report["size_limit"] if r["case"] == case)


# -- goals, profiles, report ---------------------------------------------------------------------


def goals(report: dict) -> list[dict]:
    full = report["full_build"]["wall_seconds"]["median"]
    cores = report["machine"]["cores"]
    make = report["make"]
    share = make["one_file_change_seconds"]["median"] / full
    make["one_file_change_percent_of_full_build"] = round(100 * share, 1)
    make["one_file_change_cpu_percent_of_full_build"] = round(
        100 * make["one_file_change_cpu_seconds"]["median"] / report["full_build"]["cpu_seconds"]["median"], 1)
    largest = report["records"][-1]
    quarter = make["quarter_change_seconds"]["median"] / full
    make["quarter_change_percent_of_full_build"] = round(100 * quarter, 1)
    warm = report["warm"]
    warm_one, warm_eight = (stats(warm[kind])["median"] for kind in ("one_file", "eight_files"))
    bare = statistics.median(report["bare_mkdocs"]["wall_seconds"])
    growth = report["release_growth"]
    out = [
        {"id": "full_build", "goal": f"full build <= {GOAL_FULL_BUILD_S:g} s on {cores} cores", "measured": f"{full:.2f} s",
         "pass": full <= GOAL_FULL_BUILD_S},
        {"id": "full_build_vs_mkdocs", "goal": f"full build <= {GOAL_SHARE_OF_BARE_MKDOCS:g}x a bare mkdocs build of its pages",
         "measured": f"{full / bare:.1f}x ({full:.2f} s vs {bare:.2f} s for {report['bare_mkdocs']['pages']} pages)",
         "pass": full / bare <= GOAL_SHARE_OF_BARE_MKDOCS},
        {"id": "release_growth", "goal": f"a build with 12 closed releases <= {1 + GOAL_RELEASE_GROWTH:.2f}x one with 8",
         "measured": f"{growth['ratio']:.3f}x ({growth['seconds_per_release']:+.3f} s per closed release)",
         "pass": growth["ratio"] <= 1 + GOAL_RELEASE_GROWTH},
        {"id": "one_file_seconds", "goal": f"make after one file changed <= {GOAL_ONE_FILE_S:g} s",
         "measured": f"{make['one_file_change_seconds']['median']:.2f} s",
         "pass": make["one_file_change_seconds"]["median"] <= GOAL_ONE_FILE_S},
        {"id": "no_change", "goal": f"make with nothing changed <= {GOAL_NO_CHANGE_S:g} s",
         "measured": f"{make['no_change_seconds']['median']:.3f} s",
         "pass": make["no_change_seconds"]["median"] <= GOAL_NO_CHANGE_S},
        {"id": "one_file_change", "goal": f"make after one file changed <= {GOAL_ONE_FILE_SHARE:.0%} of a full build",
         "measured": f"{100 * share:.0f} % ({make['one_file_change_seconds']['median']:.2f} s)",
         "pass": share <= GOAL_ONE_FILE_SHARE},
        {"id": "quarter_change", "goal": f"make after a quarter's eight files changed <= {GOAL_QUARTER_SHARE:.0%} of a full build",
         "measured": f"{100 * quarter:.0f} % ({make['quarter_change_seconds']['median']:.2f} s)",
         "pass": quarter <= GOAL_QUARTER_SHARE},
        {"id": "serve_one_file", "goal": f"make serve's rebuild after one file changed <= {GOAL_ONE_FILE_SHARE:.0%} of a full build",
         "measured": f"{100 * warm_one / full:.0f} % ({warm_one:.2f} s)", "pass": warm_one / full <= GOAL_ONE_FILE_SHARE},
        {"id": "serve_quarter", "goal": f"make serve's rebuild after eight files changed <= {GOAL_QUARTER_SHARE:.0%} of a full build",
         "measured": f"{100 * warm_eight / full:.0f} % ({warm_eight:.2f} s)", "pass": warm_eight / full <= GOAL_QUARTER_SHARE},
        {"id": "records_vs_read_csv", "goal": f"{largest['rows']:,}-row pipeline <= {GOAL_READ_CSV_RATIO:g}x bare read_csv",
         "measured": f"{largest['ratio_to_read_csv']:.2f}x ({largest['pipeline_seconds']['median']:.2f} s vs "
                     f"{largest['read_csv_seconds']['median']:.2f} s)",
         "pass": largest["ratio_to_read_csv"] <= GOAL_READ_CSV_RATIO},
    ]
    out += size_limit_goals(report)
    by_rows = {r["rows"]: r for r in report["records"]}
    small = by_rows.get(100_000)
    if small and largest["rows"] > small["rows"]:
        growth = largest["rss_increment_bytes_per_row"] / small["rss_increment_bytes_per_row"]
        out.append({"id": "memory_linear", "goal": f"memory grows linearly (RSS per row, 100,000 -> {largest['rows']:,} rows, "
                            f"within {GOAL_MEMORY_GROWTH:g}x)",
                    "measured": f"{small['rss_increment_bytes_per_row']:.0f} -> {largest['rss_increment_bytes_per_row']:.0f}"
                                f" bytes/row above the post-import baseline ({growth:.2f}x)",
                    "pass": growth <= GOAL_MEMORY_GROWTH})
    return out


def size_limit_goals(report: dict) -> list[dict]:
    """The goals of reading a CSV at the size limit, and the most figures a CSV may give: time and
    peak memory."""
    out = []
    for case in ("limit", "most figures"):
        r = size_limit_case(report, case)
        ratio = f"; {r['seconds_ratio_to_tenth']:.1f}x a tenth of the size" if case == "limit" else ""
        out += [
            {"id": f"{case.replace(' ', '_')}_read_seconds", "goal": f"reading {r['name']} <= {GOAL_LIMIT_READ_S:g} s",
             "measured": f"{r['read_seconds']['median']:.2f} s ({r['rows']:,} companies, {r['observations']:,} figures{ratio})",
             "pass": r["read_seconds"]["median"] <= GOAL_LIMIT_READ_S},
            {"id": f"{case.replace(' ', '_')}_read_memory", "goal": f"reading {r['name']} in <= {GOAL_LIMIT_READ_MB:g} MB (peak RSS)",
             "measured": f"{r['peak_rss_mb']['median']:.0f} MB", "pass": r["peak_rss_mb"]["median"] <= GOAL_LIMIT_READ_MB},
        ]
    return out


def profiles(report: dict, snap: Path, data_root: Path) -> list[dict]:
    """pyinstrument profiles of the slow cases behind the goals not met."""
    failed = {g["id"] for g in report["goals"] if not g["pass"]}
    if not failed:
        return []
    try:
        import pyinstrument  # noqa: F401
    except ImportError:
        say("  pyinstrument is not installed: no profiles (pip install pyinstrument into the environment)")
        return []
    done = []
    if "records_vs_read_csv" in failed or "memory_linear" in failed:
        largest = report["records"][-1]["rows"]
        data_dir = data_root / f"records-{largest}"
        prefix = OUT / f"profile-pipeline-{largest}"
        run(worker("pipeline", "--root", str(snap), "--raw", str(data_dir / "raw"), "--config",
                   str(data_dir / "config"), "--profile", str(prefix)), cwd=snap).check("profile of the pipeline")
        done.append({"case": f"pipeline on {largest:,} rows", "files": _profile_files(prefix)})
    for case in ("limit", "most figures"):
        if {f"{case.replace(' ', '_')}_read_seconds", f"{case.replace(' ', '_')}_read_memory"} & failed:
            r = size_limit_case(report, case)
            prefix = OUT / f"profile-read-{case.replace(' ', '-')}"
            run(worker("read", "--root", str(snap), "--raw", str(data_root / f"companies-{case.replace(' ', '-')}" / "raw"),
                       "--config", str(snap / "config"), "--profile", str(prefix)), cwd=snap).check("profile of the read")
            done.append({"case": f"reading {r['name']}", "files": _profile_files(prefix)})
    if "full_build" in failed or "one_file_change" in failed:
        cache = snap / "build" / "bench-cache"

        def build(case: str, name: str, *extra: str, clean: bool = True) -> None:
            if clean:
                for folder in ("build", "site", "site.old"):
                    shutil.rmtree(snap / folder, ignore_errors=True)
                cache.mkdir(parents=True)
            prefix = OUT / name
            run(worker("build", "--root", str(snap), "--cache", str(cache), "--profile", str(prefix), *extra),
                cwd=snap).check(f"profile of the {case}")
            done.append({"case": case, "files": _profile_files(prefix)})

        build("full build from clean", "profile-full-build")
        changed = snap / report["make"]["changed_file"]
        original = changed.read_bytes()
        bump_number(changed, original, 1)
        build("rebuild after one file changed (warm image cache)", "profile-one-file-rebuild", clean=False)
        changed.write_bytes(original)
        build("full build from clean, images drawn in-process one at a time", "profile-full-build-serial-images",
              "--serial-images")
    for d in done:
        say(f"  profile of the {d['case']}: {', '.join(d['files'])}")
    return done


def _profile_files(prefix: Path) -> list[str]:
    candidates = [prefix.with_suffix(".txt"), prefix.with_suffix(".html"), prefix.with_suffix(".pyisession")]
    return [os.path.relpath(p, ROOT) for p in candidates if p.exists()]


def table(report: dict) -> str:
    m = report["machine"]
    lines = [f"Benchmark {report['started']} — {m['cores']} cores (usable {m['usable_cores']}), "
             f"load average {m['load_average_start']} at start, {m['load_average_end']} at end; "
             f"Python {m['python']}, pandas {m['pandas']}",
             f"Code: {report['source']['copied_from']} at {report['source']['commit'][:10]}"
             + (f" (+{len(report['source']['modified_tracked_files'])} modified files)"
                if report["source"]["modified_tracked_files"] else ""), ""]

    def row(name: str, s: dict, note: str = "") -> str:
        return f"{name:<44} {s['runs']:>4} {s['median']:>9.3f} {s['min']:>9.3f} {s['max']:>9.3f}  {note}"

    lines.append(f"{'measurement (seconds)':<44} {'runs':>4} {'median':>9} {'min':>9} {'max':>9}")
    full = report["full_build"]
    lines.append(row("full build from clean", full["wall_seconds"],
                     f"CPU {full['cpu_seconds']['median']:.1f} s; peak RSS {full['peak_rss_mb']['median']:.0f} MB; images drawn {full['images'].get('drawn', '?')}"))
    for stage, s in full["stage_seconds"].items():
        lines.append(row(f"  {stage}", s, f"{full['stage_share_percent'][stage]:5.1f} %"))
    make = report["make"]
    lines.append(row("make, nothing changed", make["no_change_seconds"],
                     f"CPU {make['no_change_cpu_seconds']['median']:.3f} s"))
    lines.append(row("make, one file changed", make["one_file_change_seconds"],
                     f"{make['one_file_change_percent_of_full_build']:.0f} % of a full build; CPU "
                     f"{make['one_file_change_cpu_seconds']['median']:.1f} s, "
                     f"{make['one_file_change_cpu_percent_of_full_build']:.0f} % of a full build's"))
    lines.append(row("make, eight files changed (a quarter)", make["quarter_change_seconds"],
                     f"{make['quarter_change_percent_of_full_build']:.0f} % of a full build; CPU "
                     f"{make['quarter_change_cpu_seconds']['median']:.1f} s"))
    warm = report["warm"]
    for kind, label in (("one_file", "one file"), ("eight_files", "eight files")):
        s, last = stats(warm[kind]), warm[f"{kind}_last"]
        lines.append(row(f"make serve, {label} changed (warm)", s,
                         f"{100 * s['median'] / full['wall_seconds']['median']:.0f} % of a full build; "
                         + ", ".join(f"{k} {v:.2f}" for k, v in last["stage_seconds"].items())
                         + f"; images drawn {last['images'].get('drawn', '?')}"))
    direct = make["one_file_rebuild_direct"]
    lines.append(f"  (that rebuild run directly: {direct['wall_seconds']:.2f} s; "
                 + ", ".join(f"{k} {v:.2f}" for k, v in direct["stage_seconds"].items())
                 + f"; files read {direct['files'].get('read', '?')}, reused {direct['files'].get('reused', '?')}"
                 + f"; images drawn {direct['images'].get('drawn', '?')}, reused {direct['images'].get('reused', '?')})")
    lines.append("")
    lines.append(f"{'records':>10} {'MB':>6} {'runs':>4} {'pipeline (min-max)':>22} {'read_csv':>9} {'ratio':>6} "
                 f"{'import':>7} {'peak RSS':>9} {'B/row*':>7}")
    for r in report["records"]:
        p = r["pipeline_seconds"]
        lines.append(f"{r['rows']:>10,} {r['megabytes']:>6.1f} {p['runs']:>4} "
                     f"{p['median']:>8.2f} ({p['min']:.2f}-{p['max']:.2f}) {r['read_csv_seconds']['median']:>9.2f} "
                     f"{r['ratio_to_read_csv']:>5.2f}x {r['import_seconds']['median']:>6.2f}s "
                     f"{r['peak_rss_mb']:>6.0f} MB {r['rss_increment_bytes_per_row']:>7.0f}")
    lines.append("  pipeline = read_and_check + analyse in a fresh process, imports excluded (column 'import');"
                 " * RSS above the post-import baseline, per row")
    lines.append("")
    lines += size_limit_table(report) + [""]
    busiest = max(m["load_average_start"][0], m["load_average_end"][0], m["load_average_end"][1])
    if busiest > m["usable_cores"]:
        lines.append(f"NOTE: the machine was busy (load average up to {busiest:.1f} on {m['usable_cores']} cores): "
                     "wall times are inflated and vary; CPU seconds are less affected.")
    for g in report["goals"]:
        lines.append(f"{'PASS' if g['pass'] else 'FAIL'}  {g['goal']}: {g['measured']}")
    for p in report.get("profiles", []):
        lines.append(f"profile ({p['case']}): {', '.join(p['files'])}")
    return "\n".join(lines)


def size_limit_table(report: dict) -> list[str]:
    """One line per company table read: at a tenth of the size limit, at the limit, of the most figures."""
    lines = [f"{'one CSV (a company table)':<38} {'MB':>5} {'rows':>9} {'runs':>4} {'read s':>7} {'(min-max)':>13} {'CPU s':>6} "
             f"{'peak RSS':>9} {'after import':>12}"]
    for r in report["size_limit"]:
        w = r["read_seconds"]
        spread = f"({w['min']:.2f}-{w['max']:.2f})"
        lines.append(f"{r['name']:<38} {r['bytes'] / 2**20:>5.1f} {r['rows']:>9,} {w['runs']:>4} {w['median']:>7.2f} {spread:>13} "
                     f"{r['read_cpu_seconds']['median']:>6.2f} {r['peak_rss_mb']['median']:>6.0f} MB "
                     f"{r['rss_after_import_mb']['median']:>9.0f} MB")
    limit = size_limit_case(report, "limit")
    lines.append("  read = read_and_check (read, screened, cleaned, combined, checked) in a fresh process, imports excluded;"
                 f" at the limit {limit['seconds_ratio_to_tenth']:.1f}x the time of a tenth of the size"
                 f" (CPU {limit['cpu_ratio_to_tenth']:.1f}x)")
    return lines


def save(report: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the build and the pipeline (make bench).")
    parser.add_argument("--quick", action="store_true", help="one run of each, 10 k and 100 k rows only (smoke test)")
    parser.add_argument("--runs", type=int, help="runs of the quick measurements (default 3)")
    parser.add_argument("--slow-runs", type=int, help="runs of the full build and of 1 M rows (default 3)")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], help="record counts, e.g. 10000,100000")
    parser.add_argument("--ref", help="measure this commit (git archive) instead of the working tree")
    parser.add_argument("--change", default=CHANGED_FILE, help=f"file changed for the one-file make (default {CHANGED_FILE})")
    parser.add_argument("--no-profile", action="store_true", help="no pyinstrument profiles, even when a goal is not met")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy of the project")
    parser.add_argument("--only-size-limit", action="store_true",
                        help="only read a CSV at the size limit and at a tenth of it (--slow-runs runs each)")
    # internal: the measured processes
    parser.add_argument("--worker", choices=["pipeline", "read", "read_csv", "build"], help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--raw", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--files", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--profile", help=argparse.SUPPRESS)
    parser.add_argument("--serial-images", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        {"pipeline": worker_pipeline, "read": worker_read, "read_csv": worker_read_csv,
         "build": worker_build}[args.worker](args)
        return 0

    runs = args.runs or (1 if args.quick else 3)
    slow_runs = args.slow_runs or (1 if args.quick else 3)
    sizes = args.sizes or (SIZES[:2] if args.quick else SIZES)
    OUT.mkdir(parents=True, exist_ok=True)
    from importlib.metadata import version  # not importing pandas: this process stays small (see run)

    report: dict = {
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)),
                    "load_average_start": [round(x, 2) for x in os.getloadavg()],
                    "platform": platform.platform(), "python": platform.python_version(),
                    "pandas": version("pandas"), "numpy": version("numpy")},
        "settings": {"runs": runs, "slow_runs": slow_runs, "sizes": sizes, "quick": args.quick},
    }
    # The copy of the project and the generated records (1 M rows: 120 MB), removed at the end.
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    snap, data_root = work / "project", work / "records"
    try:
        report["source"] = snapshot(snap, args.ref)
        say(f"bench: measuring a copy of the project in {snap}")
        if args.only_size_limit:
            return only_size_limit(report, snap, data_root, slow_runs, profile=not args.no_profile)
        say("1. full build from clean")
        report["full_build"] = full_builds(snap, slow_runs)
        say("1b. a bare mkdocs build of the same pages")
        report["bare_mkdocs"] = bare_mkdocs(snap, slow_runs, run, say)
        say("2-3. make")
        report["make"] = makes(snap, runs, args.change)
        say("3b. make serve's warm rebuilds")
        report["warm"] = warm_rebuilds(snap, runs, args.change)
        say("3c. make serve: a file saved, the page served anew")
        report["serve"] = serve_reloads(snap, runs, args.change)
        say("4. the pipeline on generated records")
        report["records"] = records(snap, data_root, sizes, runs, slow_runs)
        say("5. a CSV at the size limit and at a tenth of it")
        report["size_limit"] = size_limit(snap, data_root, slow_runs)
        say("6. what each closed release adds to a build (8 closed, then 12)")
        report["release_growth"] = release_growth(snap, runs, run, say)
        report["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
        report["goals"] = goals(report)
        save(report)
        if not args.no_profile:
            say("profiles of the goals not met")
            report["profiles"] = profiles(report, snap, data_root)
    finally:
        if args.keep:
            say(f"bench: the copy and the records are kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    save(report)
    print(goal_table(report) + "\n")
    print(table(report))
    print(f"\nwritten to {os.path.relpath(OUT / 'bench.json', Path.cwd())}")
    return 0


def only_size_limit(report: dict, snap: Path, data_root: Path, runs: int, *, profile: bool) -> int:
    """--only-size-limit: section 5 alone, its goals and table (written to bench/out/size-limit.json)."""
    say("5. a CSV at the size limit and at a tenth of it")
    report["size_limit"] = size_limit(snap, data_root, runs)
    report["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    report["goals"] = size_limit_goals(report)
    if profile:
        report["profiles"] = profiles(report, snap, data_root)
    (OUT / "size-limit.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print("\n".join(size_limit_table(report)))
    print(f"load average {report['machine']['load_average_start']} at start, {report['machine']['load_average_end']} at end")
    for g in report["goals"]:
        print(f"{'PASS' if g['pass'] else 'FAIL'}  {g['goal']}: {g['measured']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
