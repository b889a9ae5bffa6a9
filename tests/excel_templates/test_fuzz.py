"""Fuzz: damaged files in every department's layout (tests/fuzz.py) each end in the right figures,
other figures, or a message naming the file; never in a traceback, never past a time and memory
budget. All cases run in one worker process with an address-space limit, so that a runaway case
stops there and is named, instead of exhausting the machine.

Every kind of damage runs once, plus FUZZ_CASES random combinations (default 16) drawn from
FUZZ_SEED (default 13): a fixed, small cost in CI. For a longer run:

    FUZZ_CASES=1000 FUZZ_SEED=7 .venv/bin/python -m pytest tests/excel_templates/test_fuzz.py -n 0
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import subprocess
import sys

import pytest

from pipeline.basics import paths
from pipeline.config import load_config
from pipeline.excel_templates import departments as forms
from tests import fuzz
from tests.excel_templates.test_forms import fill, sample_period, submission_name

SEED = int(os.environ.get("FUZZ_SEED", "13"))
EXTRA = int(os.environ.get("FUZZ_CASES", "16"))
SECONDS_PER_CASE = 20  # the largest real workbook (max_cells) reads in about 15 s on a busy machine
PEAK_MB = 1000  # the worker's peak resident memory over all cases (about 250 MB at rest)
ADDRESS_SPACE_GB = 2  # beyond this the worker gets MemoryError (a runaway, named by the test); at rest 0.5 GB


@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> list[fuzz.Base]:
    """One shipped file of each department and a filled template of each form."""
    config = load_config()
    found = []
    for folder in sorted(p for p in paths.RAW_DIR.iterdir() if p.is_dir()):
        files = sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".xlsx"))
        if files:
            found.append(fuzz.Base(f"sample {files[0].name}", f"{folder.name}/{files[0].name}", files[0].read_bytes()))
    templates = forms.write_templates(config, tmp_path_factory.mktemp("templates"))
    for (key, source), template in zip(config.sources.items(), templates):
        period = sample_period(source)
        workbook, _, _ = fill(template, source, period)
        path = tmp_path_factory.mktemp("filled") / "t.xlsx"
        workbook.save(path)
        found.append(fuzz.Base(f"template {key}", f"{source.folder}/{submission_name(source, period)}", path.read_bytes()))
    return found


def _limit() -> None:
    limit = ADDRESS_SPACE_GB * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def test_damaged_files_end_in_figures_or_a_message_naming_them(bases, tmp_path):
    cases = fuzz.make_cases(bases, SEED, EXTRA)
    for i, base in enumerate(bases):
        (tmp_path / f"base{i}").write_bytes(base.data)
    spec = tmp_path / "cases.json"
    spec.write_text(json.dumps({
        "seconds_per_case": SECONDS_PER_CASE, "folder": str(tmp_path / "raw"),
        "bases": [{"name": b.name, "rel": b.rel, "path": str(tmp_path / f"base{i}")} for i, b in enumerate(bases)],
        "cases": [dataclasses.asdict(c) for c in cases]}, ensure_ascii=False), encoding="utf-8")
    runs = len(bases) + len(cases)
    result = subprocess.run([sys.executable, "-m", "tests.fuzz", str(spec)], cwd=paths.ROOT, capture_output=True,
                            text=True, preexec_fn=_limit, timeout=SECONDS_PER_CASE * runs + 60)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    done = {line["id"]: line for line in lines if "started" not in line}
    started = [line["id"] for line in lines if "started" in line]
    assert len(done) == runs, f"the worker stopped during {started[-1]} ({result.returncode}): {result.stderr[-2000:]}"
    damaged = {case.id: done[case.id].get("rel") for case in cases}

    def describe(case):
        return f"case {case.id}: {case.mutations} on {case.base} -> {damaged[case.id]}"

    failures = []
    for base in bases:
        outcome = done[base.name]
        if outcome.get("traceback") or outcome["errors"]:
            failures.append(f"{base.name} does not read cleanly: {outcome.get('traceback') or outcome['errors']}")
    for case in cases:
        outcome, rel = done[case.id], damaged[case.id]
        if outcome.get("traceback"):
            failures.append(f"{describe(case)}: traceback\n{outcome['traceback']}")
            continue
        if outcome["seconds"] > SECONDS_PER_CASE:
            failures.append(f"{describe(case)}: {outcome['seconds']:.1f} s")
        # (with nothing left to read, the error is about data/raw; a warning then names the file)
        unnamed = [e for e in outcome["errors"] if e[1] != rel and not (e[0] == "no_submissions" and rel in outcome["named"])]
        if unnamed:
            failures.append(f"{describe(case)}: errors that do not name the file: {unnamed}")
        if case.neutral and (outcome["errors"] or outcome["figures"] != done[case.base]["figures"]):
            failures.append(f"{describe(case)}: must read as the undamaged file; {outcome['errors'] or 'other figures'}")
        read_cached = not rel.startswith(load_config().defaults.status_form_folder + "/")  # (status forms have no read cache)
        if case.mutations == (fuzz.FULL_DISK,) and read_cached and "磁盘已满" not in outcome.get("said", ""):
            failures.append(f"{describe(case)}: the read cache was not written, and nothing said so")
        if case.mutations == (fuzz.BLANK_KEY,) and not outcome["errors"] and outcome["figures"] != done[case.base]["figures"]:
            failures.append(f"{describe(case)}: a blank key cell changed the figures without an error")
    peak = max(line["peak_mb"] for line in done.values())
    assert peak < PEAK_MB, f"peak memory {peak:.0f} MB"
    assert failures == [], "\n\n".join(failures)
    assert all(len(e[2]) > 20 and "Traceback" not in e[2] for line in done.values() for e in line.get("errors", []))
