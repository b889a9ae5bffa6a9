"""Damaged department files for the fuzz test (test_fuzz.py), and the worker that reads them.

Every case starts from a real file of one department's layout (a shipped sample, or a template
of `make templates` filled in as its instructions ask) and applies one or more kinds of damage
(MUTATIONS, made by tests/damage.py): bytes, cells, encodings, header shifts, huge and tiny
values, formulas, names, blank key cells (a company, town, category or period left blank or only
spaces), zip parts, and a full disk while the file is read (its read cache cannot be written). A
"neutral" damage (another encoding, blank lines, rows in another order, a full disk …) must read
to the same figures as the undamaged file; any other must end in the same figures, other figures,
or a message naming the file, never in a traceback.

    python -m tests.fuzz CASES.json   # the worker: one JSON line per case on stdout
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import random
import resource
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Callable

from tests import damage as d


@dataclasses.dataclass(frozen=True)
class Base:
    name: str  # shown in reports
    rel: str  # its path under data/raw
    data: bytes


Mutation = Callable[[random.Random, str, bytes], tuple[str, bytes]]


#: name -> (damage, "neutral" if the figures must come out the same, applies to "csv", "xlsx" or "any")
MUTATIONS: dict[str, tuple[Mutation, str, str]] = {
    "flip bytes": (d.flip_bytes, "any", "any"),
    "truncate": (d.truncate, "any", "any"),
    "insert garbage": (d.insert_garbage, "any", "any"),
    "zero 256 bytes": (d.zero_range, "any", "any"),
    "only a byte-order mark": (d.only_bom, "any", "any"),
    "UTF-8 with BOM": (d.reencode("utf-8-sig"), "neutral", "csv"),
    "GB18030": (d.reencode("gb18030"), "neutral", "csv"),
    "UTF-16": (d.reencode("utf-16"), "neutral", "csv"),
    "Big5": (d.reencode("big5"), "any", "csv"),
    "mojibake (UTF-8 read as Latin-1)": (d.mojibake, "any", "csv"),
    "CRLF line ends": (d.crlf, "neutral", "csv"),
    "blank lines above the header": (d.blank_lines_on_top, "neutral", "csv"),
    "10,000 blank lines at the end": (d.blank_lines_at_end, "neutral", "csv"),
    "an empty first column": (d.empty_first_column, "neutral", "csv"),
    "rows in another order": (d.shuffled_rows, "neutral", "csv"),
    "semicolons or tabs": (d.semicolons, "neutral", "csv"),
    "a hostile cell (CSV)": (d.hostile_csv_cell, "any", "csv"),
    "a header cell renamed": (d.rename_header, "any", "csv"),
    "a column dropped": (d.drop_column, "any", "csv"),
    "an unbalanced quote": (d.unbalanced_quote, "any", "csv"),
    "a row thousands of cells wide": (d.wide_row, "any", "csv"),
    "no data rows": (d.no_data_rows, "any", "csv"),
    "a hostile cell (Excel)": (d.hostile_xlsx_cell, "any", "xlsx"),
    "a formula cell": (d.formula_cell, "any", "xlsx"),
    "rows inserted above": (d.insert_rows_on_top, "any", "xlsx"),
    "a column inserted": (d.insert_column, "any", "xlsx"),
    "more sheets": (d.extra_sheets, "any", "xlsx"),
    "a hidden data sheet": (d.hidden_data_sheet, "any", "xlsx"),
    "merged cells": (d.merged_cells, "any", "xlsx"),
    "a cell far away": (d.far_cell, "any", "xlsx"),
    "a zip part dropped": (d.drop_part, "any", "xlsx"),
    "a zip part corrupted": (d.corrupt_part, "any", "xlsx"),
    "a zip part twice": (d.duplicate_part, "any", "xlsx"),
    "a document type declaration": (d.doctype, "any", "xlsx"),
    "a zip bomb": (d.zip_bomb, "any", "xlsx"),
    "a blank key cell (empty, spaces, a full-width space)": (d.blank_key_cell, "any", "any"),
    "a full disk (the read cache cannot be written)": (d.full_disk, "neutral", "any"),
    "another extension": (d.other_extension, "any", "any"),
    "marked as a correction": (d.correction_name, "neutral", "any"),
    "no period in the name": (d.period_removed_from_name, "any", "any"),
}


FULL_DISK = "a full disk (the read cache cannot be written)"
BLANK_KEY = "a blank key cell (empty, spaces, a full-width space)"


@contextlib.contextmanager
def _replaced(module, name: str, value):
    """module.name set to value while the block runs."""
    saved = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, saved)


def applicable(kind: str, rel: str) -> bool:
    return kind == "any" or rel.lower().endswith("." + kind)


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    base: str
    mutations: tuple[str, ...]
    seed: int

    @property
    def neutral(self) -> bool:
        return all(MUTATIONS[m][1] == "neutral" for m in self.mutations)


def make_cases(bases: list[Base], seed: int, extra: int) -> list[Case]:
    """Every kind of damage once (on a base it applies to), then `extra` random combinations of
    one to three kinds; the same seed gives the same cases."""
    rng = random.Random(seed)
    cases = []
    for name, (_, _, kind) in MUTATIONS.items():
        base = rng.choice([b for b in bases if applicable(kind, b.rel)])
        cases.append(Case(f"{len(cases):03d}", base.name, (name,), rng.randrange(2**32)))
    for _ in range(extra):
        base = rng.choice(bases)
        names = [n for n, (_, _, kind) in MUTATIONS.items() if applicable(kind, base.rel)]
        chosen = tuple(rng.sample(names, rng.randint(1, 3)))
        cases.append(Case(f"{len(cases):03d}", base.name, chosen, rng.randrange(2**32)))
    return cases


def damage(case: Case, base: Base) -> tuple[str, bytes]:
    """The damaged file of a case: its path under data/raw and its bytes."""
    rng = random.Random(case.seed)
    rel, data = base.rel, base.data
    for name in case.mutations:
        mutate, _, kind = MUTATIONS[name]
        if applicable(kind, rel) and data:  # an earlier damage may have changed the extension or emptied it
            try:
                rel, data = mutate(rng, rel, data)
            except Exception:  # noqa: BLE001 - an earlier damage left nothing this one can work on
                continue
    return rel, data


# -- the worker ---------------------------------------------------------------------------------


def _figures(observations) -> list:
    if observations.empty:
        return []
    return sorted(observations[["indicator", "breakdown", "period"]].astype(str).assign(
        value=observations["value"].astype("Int64").astype(str)).itertuples(index=False, name=None))


def _statuses(facts) -> list:
    """A status form's figures: each commitment's status in each quarter read."""
    return sorted(facts.data.status[["quarter", "commitment_id", "status"]].astype(str).itertuples(index=False, name=None)) \
        if len(facts.data.status) else []


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not carried over from the
    process that started it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(spec_file: Path) -> None:
    """Damage each case's base file, read it, and print what came of it (one JSON line per case).

    The damage is done here too, in the worker (whose memory the test limits), since a damaged
    workbook can be as dangerous to the test's own tools as to the pipeline."""
    from pipeline.analyse.commitments import read_commitments
    from pipeline.basics import paths, workdir
    from pipeline.build import analyse, check_no_personal_data, load_site_settings, read_and_check
    from pipeline.config import load_config
    from pipeline.ingest.files import ReadCache
    from pipeline.publish.files import published_tables
    from pipeline.publish.tables import csv_bytes
    from tests.conftest import TODAY

    config, settings = load_config(), load_site_settings()
    plan_text = paths.PLAN_TEXT.read_text(encoding="utf-8")
    spec = json.loads(spec_file.read_text(encoding="utf-8"))
    bases = {b["name"]: Base(b["name"], b["rel"], Path(b["path"]).read_bytes()) for b in spec["bases"]}
    budget, folder = spec["seconds_per_case"], Path(spec["folder"])

    def timeout(*_):
        raise TimeoutError(f"longer than {budget} s")

    signal.signal(signal.SIGALRM, timeout)
    analysed: set[str] = set()
    runs = [(b.name, None) for b in bases.values()] + [(c["id"], Case(**{**c, "mutations": tuple(c["mutations"])}))
                                                        for c in spec["cases"]]
    for run_id, case in runs:
        print(json.dumps({"id": run_id, "started": True}), flush=True)
        started = time.perf_counter()
        outcome: dict = {"id": run_id}
        signal.setitimer(signal.ITIMER_REAL, budget)
        try:
            base = bases[case.base if case else run_id]
            rel, data = damage(case, base) if case else (base.rel, base.data)
            outcome["rel"] = rel
            raw = folder / run_id.replace(" ", "_")
            (raw / rel).parent.mkdir(parents=True, exist_ok=True)
            (raw / rel).write_bytes(data)
            if rel.startswith(config.defaults.status_form_folder + "/"):
                # a status form of the plan's measures, read as the build reads them
                facts = read_commitments(raw, config, plan_text, TODAY)
                problems, figures = facts.problems, _statuses(facts)
            elif case and FULL_DISK in case.mutations:
                # read as a build reads it, with a read cache on a disk that is full
                with workdir.build_lock(folder / "build"), _replaced(workdir, "os", d.os_on_a_full_disk()):
                    dataset, problems = read_and_check(raw, config, TODAY, ReadCache(raw.with_name(raw.name + "-cache"),
                                                                                     config, TODAY))
                    outcome["said"] = workdir.skipped_writes_message(workdir.skipped_writes())
                figures = _figures(dataset.observations)
            else:
                dataset, problems = read_and_check(raw, config, TODAY)
                figures = _figures(dataset.observations)
            errors = [p for p in problems if p.severity == "error"]
            outcome["errors"] = [[p.code, p.file, p.message()] for p in errors]
            outcome["named"] = sorted({p.file for p in problems})
            outcome["figures"] = figures
            key = json.dumps(outcome["figures"])
            if not errors and key not in analysed and not rel.startswith(config.defaults.status_form_folder + "/"):
                site = analyse(config, dataset, problems, "", settings)
                check_no_personal_data({f"{k}.csv": csv_bytes(v) for k, v in published_tables(site).items()})
                analysed.add(key)
        except BaseException as exc:  # noqa: BLE001 - any of them is what the test is looking for
            outcome["traceback"] = "".join(traceback.format_exception(exc))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        outcome["seconds"] = time.perf_counter() - started
        outcome["peak_mb"] = peak_mb()
        print(json.dumps(outcome, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    run(Path(sys.argv[1]))
