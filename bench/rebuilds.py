"""Rebuilds for the benchmark (bench/run.py): how department files are changed, `make` after a
whole quarter's files changed, and the warm rebuilds of `make serve` (pipeline/warm.py).

A change is one number in a file, as a department's corrected resubmission would make it; each run
changes it by another amount, so that each rebuild really has new content to read.
"""

from __future__ import annotations

import io
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

#: Changed once before every measurement: a closed quarter's file corrected in place. Staff rebuild
#: while a quarter is being prepared, when the site's figures differ from the last closed release's
#: (every chart then gives today's date and its own address); without it, the first change would
#: also move every chart off the release it cites, which happens once a quarter, not at each rebuild.
PREPARING_FILE = "data/raw/卫生局/卫生局_2009Q1_卫生人才引进.csv"
#: The file changed for the one-file measurements (a value cell; .xlsx via openpyxl, or a .csv).
CHANGED_FILE = "data/raw/农工办/农工办_2010年第四季度农村实用人才培训.xlsx"
#: A whole quarter: the last file of each of the eight departments (2010 Q4 and the year 2010).
QUARTER_FILES = [
    "data/raw/人事局/2010年度本科以上毕业生招录名单.csv",
    "data/raw/人社局/人社局_技能人才_2010年10-12月.csv",
    "data/raw/农工办/农工办_2010年第四季度农村实用人才培训.xlsx",
    "data/raw/卫生局/卫生局_2010Q4_卫生人才引进.csv",
    "data/raw/工商联/2010年度优秀企业家表彰名单.csv",
    "data/raw/教育局/2010年名特优教师培养情况统计表.xlsx",
    "data/raw/科技局/科技局_2010年第四季度_企业引才情况.csv",
    "data/raw/组织部人才办/2010年度优秀创新创业人才认定名单.xlsx",
]


def _is_count(value: object) -> bool:
    """An integer that is not a year (changing a year would make the file refer to another period)."""
    return isinstance(value, int) and not isinstance(value, bool) and not 1900 <= value <= 2100


def bump_number(path: Path, original: bytes, delta: int) -> str:
    """Write `original` with one number changed by delta: the first integer value cell (not a
    year) of the active sheet (.xlsx, with openpyxl) or of the data rows (.csv); a CSV list with
    no such number (names and years only) loses one of its last rows instead, as when a name is
    taken off a list. Returns what changed."""
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(original))
        sheet = workbook.active
        for row in sheet.iter_rows():
            for cell in row:
                if _is_count(cell.value):
                    old = cell.value
                    cell.value = old + delta
                    workbook.save(path)
                    return f"{sheet.title}!{cell.coordinate}: {old} -> {old + delta}"
        raise SystemExit(f"bench: no integer cell in {path}")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = original.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    lines = text.split("\n")
    for n, line in enumerate(lines[1:], start=1):
        fields = line.split(",")
        for k, value in enumerate(fields):
            if value.strip().isdigit() and _is_count(int(value)):
                fields[k] = str(int(value) + delta)
                lines[n] = ",".join(fields)
                path.write_bytes("\n".join(lines).encode(encoding))
                return f"line {n + 1}, field {k + 1}: {value} -> {fields[k]}"
    rows = [n for n, line in enumerate(lines) if n > 0 and line.strip()]
    if len(rows) < 4:
        raise SystemExit(f"bench: no integer field in {path}, and too few rows to take one out")
    gone = rows[-1 - delta % 3]
    path.write_bytes("\n".join(line for n, line in enumerate(lines) if n != gone).encode(encoding))
    return f"line {gone + 1} taken out"


def bump_files(root: Path, files: list[str], originals: dict[str, bytes], delta: int, after_ns: int) -> list[str]:
    """Change each file (bump_number), dated after `after_ns` (so that make sees it by date too)."""
    changes = []
    for name in files:
        path = root / name
        changes.append(f"{name}: {bump_number(path, originals[name], delta)}")
        if path.stat().st_mtime_ns <= after_ns:
            os.utime(path, ns=(after_ns + 1_000_000,) * 2)
    return changes


# -- make after a whole quarter changed ---------------------------------------------------------


def quarter_makes(root: Path, runs: int, run, cmd: list[str], env: dict) -> dict:
    """`make` after the eight files of a quarter changed (run: bench/run.py's process runner)."""
    stamp = root / "build" / ".site-built"
    originals = {name: (root / name).read_bytes() for name in QUARTER_FILES}
    walls, cpus, changes = [], [], []
    try:
        for i in range(runs):
            before = stamp.stat().st_mtime_ns
            changes = bump_files(root, QUARTER_FILES, originals, i + 1, before)
            r = run(cmd, cwd=root, env=env).check("make after a quarter's files changed")
            if stamp.stat().st_mtime_ns == before:
                raise SystemExit("bench: make after eight changed files did not rebuild the site:\n" + r.stdout)
            walls.append(r.seconds)
            cpus.append(r.cpu_seconds)
            print(f"  make, eight files changed {i + 1}/{runs}: {r.seconds:.2f} s", file=sys.stderr, flush=True)
    finally:
        for name, content in originals.items():
            (root / name).write_bytes(content)
    return {"seconds": walls, "cpu_seconds": cpus, "files": QUARTER_FILES, "changes": changes}


# -- the warm rebuilds of make serve --------------------------------------------------------------


def warm_rebuilds(root: Path, runs: int, changed: str) -> dict:
    """The warm build process of `make serve` (pipeline/warm.py) in root: one build to start
    (with the image cache of the builds before), then, alternately, a rebuild after one file
    changed and one after the quarter's eight files changed. Wall seconds of each, and the stage
    times and reuse counts of the last of each kind."""
    process = subprocess.Popen([sys.executable, "-m", "pipeline.warm"], cwd=root, text=True, encoding="utf-8",
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    originals = {name: (root / name).read_bytes() for name in {changed, *QUARTER_FILES}}
    out: dict = {"one_file": [], "eight_files": []}

    def build(what: str) -> dict:
        started = time.perf_counter()
        process.stdin.write(json.dumps({"build": []}) + "\n")
        process.stdin.flush()
        answer = json.loads(process.stdout.readline())
        if answer.get("code") != 0:
            raise SystemExit(f"bench: the warm build ({what}) failed: {answer}")
        answer["wall_seconds"] = time.perf_counter() - started
        return answer

    try:
        out["ready_seconds"] = json.loads(process.stdout.readline())["ready"]
        out["first_build_seconds"] = round(build("first")["wall_seconds"], 3)
        for i in range(runs):
            # from the original files: one changed; then the eight (that one by another amount)
            for kind, files, delta in (("one_file", [changed], 10 + i), ("eight_files", QUARTER_FILES, 20 + i)):
                bump_files(root, files, originals, delta, 0)
                answer = build(kind)
                out[kind].append(answer["wall_seconds"])
                out[f"{kind}_last"] = answer["timings"]
                print(f"  make serve, {kind.replace('_', ' ')} changed {i + 1}/{runs}: {answer['wall_seconds']:.2f} s",
                      file=sys.stderr, flush=True)
            for name, content in originals.items():
                (root / name).write_bytes(content)
            build("back to the original files")  # not measured
    finally:
        for name, content in originals.items():
            (root / name).write_bytes(content)
        process.stdin.close()
        process.wait(timeout=120)
    return out


def median(samples: list[float]) -> float:
    return statistics.median(samples)


# -- make serve: a file changed, the open page reloaded -------------------------------------------

#: How often the page open in the browser asks `make serve` whether a new site is in place
#: (pipeline/templates/serve-reload.js): the reload follows the new site by up to this much.
PAGE_POLL_SECONDS = 1.0


def serve_reloads(root: Path, runs: int, changed: str) -> dict:
    """`make serve` (python -m pipeline.serve, as the Makefile runs it) in root: after its first
    build, `changed` is edited (one number, as staff would correct it) and the time is measured
    until the server says a new site is in place (what the open page asks it every second) and
    serves the page again. Seconds of each run; the page's own poll adds up to PAGE_POLL_SECONDS."""
    process = subprocess.Popen([sys.executable, "-m", "pipeline.serve", "--port", "0", "data", "config", "docs",
                                "overrides", "pipeline", "mkdocs.yml"], cwd=root, text=True, encoding="utf-8",
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    path, original = root / changed, (root / changed).read_bytes()
    seconds = []
    try:
        address = None
        while address is None:  # its first line says where it serves
            line = process.stderr.readline()
            if not line:
                raise SystemExit("bench: make serve stopped before serving")
            found = re.search(r"http://[\d.]+:\d+/", line)
            address = found and found.group(0)
        _drain(process.stderr)

        def version() -> int:
            with urllib.request.urlopen(address + "__serve__/state", timeout=10) as answer:
                state = json.loads(answer.read())
            if state["error"]:
                raise SystemExit(f"bench: make serve's build failed: {state['error'][:2000]}")
            return state["version"]

        def wait_past(shown: int, limit: float = 600) -> int:
            started = time.perf_counter()
            while (now := version()) <= shown:
                if time.perf_counter() - started > limit:
                    raise SystemExit("bench: make serve did not rebuild within ten minutes")
                time.sleep(0.05)
            return now

        shown = wait_past(0)  # the first build
        for i in range(runs):
            time.sleep(1.0)  # a moment between edits, as between a person's saves
            bump_number(path, original, 40 + i)
            started = time.perf_counter()
            shown = wait_past(shown)
            with urllib.request.urlopen(address, timeout=10) as page:  # the page the browser then loads
                page.read()
            seconds.append(time.perf_counter() - started)
            print(f"  make serve, one file changed -> page served again {i + 1}/{runs}: {seconds[-1]:.2f} s",
                  file=sys.stderr, flush=True)
    finally:
        path.write_bytes(original)
        process.terminate()  # make serve stops on SIGTERM as on Ctrl+C, its build process too
        process.wait(timeout=120)
    return {"seconds": seconds, "changed_file": changed, "page_poll_seconds": PAGE_POLL_SECONDS}


def _drain(stream) -> None:
    """Read what make serve prints, in the background, so that it never blocks on a full pipe."""
    threading.Thread(target=lambda: [None for _ in stream], daemon=True).start()
