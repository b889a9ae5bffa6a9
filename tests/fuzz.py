"""Damaged department files for the fuzz test (test_fuzz.py), and the worker that reads them.

Every case starts from a real file of one department's layout (a shipped sample, or a template
of `make templates` filled in as its instructions ask) and applies one or more kinds of damage
(MUTATIONS): bytes, cells, encodings, header shifts, huge and tiny values, formulas, names, zip
parts. A "neutral" damage (another encoding, blank lines, rows in another order …) must read to
the same figures as the undamaged file; any other must end in the same figures, other figures, or
a message naming the file, never in a traceback.

    python -m tests.fuzz CASES.json   # the worker: one JSON line per case on stdout
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import random
import resource
import signal
import sys
import time
import traceback
import zipfile
from pathlib import Path
from typing import Callable

import openpyxl

from tests import craft

HOSTILE_TEXT = ["1e20", "100000000000000000000", "9" * 400, "-1", "-0", "0.5", "1e-300", "NaN", "inf", "-inf", "=1+1",
                '=HYPERLINK("http://example.org","x")', "@SUM(A1)", "<script>alert(1)</script>", "\u202e反转", "😀",
                "\x00", "\x07", "", " ", "—", "１２", "3人", "1,000", "13812345678", "440301 19850615 1238",
                "Ｘ" * 100_000, "\t", '"', "#REF!", "NULL", "None", "2009-01-01", "２００９年第一季度", "合计", "注：无"]
HOSTILE_NUMBERS = [1e20, -5, 0.5, 1e308, -0.0, 2**63, 10**15, True, dt.datetime(1900, 1, 1), dt.datetime(9999, 12, 31),
                   dt.time(12, 0)]


@dataclasses.dataclass(frozen=True)
class Base:
    name: str  # shown in reports
    rel: str  # its path under data/raw
    data: bytes


Mutation = Callable[[random.Random, str, bytes], tuple[str, bytes]]


# -- damage to bytes ----------------------------------------------------------------------------


def flip_bytes(rng, rel, data):
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return rel, bytes(out)


def truncate(rng, rel, data):
    return rel, data[: rng.randrange(len(data))]


def insert_garbage(rng, rel, data):
    at = rng.randrange(len(data))
    return rel, data[:at] + rng.randbytes(rng.randint(1, 64)) + data[at:]


def zero_range(rng, rel, data):
    at = rng.randrange(len(data))
    return rel, data[:at] + bytes(min(256, len(data) - at)) + data[at + 256:]


def only_bom(rng, rel, data):
    return rel, b"\xef\xbb\xbf" + b" \r\n" * rng.randint(0, 3)


# -- damage to CSV text -------------------------------------------------------------------------


def _text(data: bytes) -> tuple[str, str]:
    from pipeline.read import detect_encoding

    encoding = detect_encoding(data) or "utf-8"
    return data.decode(encoding, errors="replace").lstrip("\ufeff"), encoding


def _rows(data: bytes) -> tuple[list[list[str]], str]:
    text, encoding = _text(data)
    return list(csv.reader(io.StringIO(text))), encoding


def _csv(rows: list[list[str]], encoding: str = "utf-8", newline: str = "\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows(rows)
    return out.getvalue().encode(encoding, errors="replace")


def _table(rows):
    """The header row's index and the data rows' indexes (rows with as many cells as the header)."""
    header = next((i for i, r in enumerate(rows) if sum(bool(c.strip()) for c in r) >= 2), 0)
    return header, [i for i in range(header + 1, len(rows)) if len(rows[i]) == len(rows[header]) and rows[i][0]]


def reencode(encoding):
    def mutate(rng, rel, data):
        text, _ = _text(data)
        return rel, (b"\xef\xbb\xbf" if encoding == "utf-8-sig" else b"") + text.encode(
            "utf-8" if encoding == "utf-8-sig" else encoding, errors="replace")
    mutate.__name__ = f"reencode_{encoding}"
    return mutate


def mojibake(rng, rel, data):
    text, _ = _text(data)
    return rel, text.encode("utf-8").decode("latin-1").encode("utf-8")


def crlf(rng, rel, data):
    rows, encoding = _rows(data)
    return rel, _csv(rows, encoding, "\r\n")


def blank_lines_on_top(rng, rel, data):
    rows, encoding = _rows(data)
    return rel, _csv([[]] * rng.randint(1, 5) + rows, encoding)


def blank_lines_at_end(rng, rel, data):
    rows, encoding = _rows(data)
    return rel, _csv(rows + [[]] * 10_000, encoding)


def empty_first_column(rng, rel, data):
    rows, encoding = _rows(data)
    return rel, _csv([[""] + r for r in rows], encoding)


def shuffled_rows(rng, rel, data):
    rows, encoding = _rows(data)
    header, body = _table(rows)
    order = body[:]
    rng.shuffle(order)
    moved = {i: rows[j] for i, j in zip(body, order)}
    return rel, _csv([moved.get(i, r) for i, r in enumerate(rows)], encoding)


def semicolons(rng, rel, data):
    rows, encoding = _rows(data)
    out = io.StringIO()
    csv.writer(out, delimiter=rng.choice([";", "\t"]), lineterminator="\n").writerows(rows)
    return rel, out.getvalue().encode(encoding, errors="replace")


def hostile_csv_cell(rng, rel, data):
    rows, encoding = _rows(data)
    header, body = _table(rows)
    if body:
        row = rows[rng.choice(body)]
        row[rng.randrange(len(row))] = rng.choice(HOSTILE_TEXT)
    return rel, _csv(rows, "utf-8")


def rename_header(rng, rel, data):
    rows, encoding = _rows(data)
    header, _ = _table(rows)
    rows[header][rng.randrange(len(rows[header]))] = rng.choice(["", "备注", "单位名称", rows[header][0]])
    return rel, _csv(rows, encoding)


def drop_column(rng, rel, data):
    rows, encoding = _rows(data)
    i = rng.randrange(max(len(r) for r in rows))
    return rel, _csv([r[:i] + r[i + 1:] for r in rows], encoding)


def unbalanced_quote(rng, rel, data):
    rows, encoding = _rows(data)
    text = _csv(rows, encoding).decode(encoding, errors="replace")
    at = rng.randrange(len(text))
    return rel, (text[:at] + '"' + text[at:]).encode(encoding, errors="replace")


def wide_row(rng, rel, data):
    return rel, data + b"," * rng.choice([50, 5000]) + b"\n"


def no_data_rows(rng, rel, data):
    rows, encoding = _rows(data)
    header, _ = _table(rows)
    return rel, _csv(rows[: header + 1], encoding)


# -- damage to workbooks ------------------------------------------------------------------------


def _edit(data: bytes, change) -> bytes:
    from pipeline.config import load_config
    from pipeline.limits import check_workbook

    if check_workbook(data, "", load_config().defaults):  # openpyxl would choke on it here too
        raise ValueError("no workbook left to edit")
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    if any(ws.max_row * ws.max_column > 1_000_000 for ws in workbook.worksheets):
        raise ValueError("a sheet too large to edit (openpyxl would make every cell of it)")
    change(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _data_cell(rng, ws):
    return ws.cell(rng.randint(max(2, ws.max_row // 3), ws.max_row), rng.randint(1, ws.max_column))


def hostile_xlsx_cell(rng, rel, data):
    def change(wb):
        cell = _data_cell(rng, wb.worksheets[0])
        if not isinstance(cell, openpyxl.cell.cell.MergedCell):
            cell.value = rng.choice(HOSTILE_NUMBERS + HOSTILE_TEXT[:12])
    return rel, _edit(data, change)


def formula_cell(rng, rel, data):
    def change(wb):
        cell = _data_cell(rng, wb.worksheets[0])
        if not isinstance(cell, openpyxl.cell.cell.MergedCell):
            cell.value = rng.choice(["=SUM(B3:B5)", "=1/0", '=WEBSERVICE("http://example.org")', "=A1&A2"])
    return rel, _edit(data, change)  # saved by openpyxl: a formula without a cached value reads as blank


def insert_rows_on_top(rng, rel, data):
    return rel, _edit(data, lambda wb: wb.worksheets[0].insert_rows(1, rng.randint(1, 3)))


def insert_column(rng, rel, data):
    return rel, _edit(data, lambda wb: wb.worksheets[0].insert_cols(1))


def extra_sheets(rng, rel, data):
    def change(wb):
        for i in range(rng.choice([1, 3, 60])):
            wb.create_sheet(f"Sheet{i + 2}")["A1"] = rng.choice(["", "备注", 1])
    return rel, _edit(data, change)


def hidden_data_sheet(rng, rel, data):
    def change(wb):
        wb.create_sheet("封面", 0)["A1"] = "封面"
        wb.worksheets[1].sheet_state = "hidden"
    return rel, _edit(data, change)


def merged_cells(rng, rel, data):
    def change(wb):
        ws = wb.worksheets[0]
        r, c = rng.randint(1, ws.max_row), rng.randint(1, ws.max_column)
        ws.merge_cells(start_row=r, start_column=c, end_row=min(r + rng.randint(0, 2), ws.max_row + 1),
                       end_column=min(c + rng.randint(1, 2), ws.max_column + 1))
    return rel, _edit(data, change)


def far_cell(rng, rel, data):
    return rel, _edit(data, lambda wb: wb.worksheets[0].cell(rng.choice([1048576, 300_000]), rng.choice([16384, 30]), "x"))


def _parts(data: bytes) -> list[craft.Member]:
    return craft.members_of(data)


def drop_part(rng, rel, data):
    parts = _parts(data)
    del parts[rng.randrange(len(parts))]
    return rel, craft.write_zip(parts)


def corrupt_part(rng, rel, data):
    parts = _parts(data)
    i = rng.randrange(len(parts))
    damaged = bytearray(parts[i].deflated)
    damaged[rng.randrange(len(damaged))] ^= 0xFF
    parts[i] = dataclasses.replace(parts[i], deflated=bytes(damaged))
    return rel, craft.write_zip(parts)


def duplicate_part(rng, rel, data):
    parts = _parts(data)
    return rel, craft.write_zip(parts + [rng.choice(parts)])


def doctype(rng, rel, data):
    laughs = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><sst xmlns="x"><si><t>&a;</t></si></sst>'
    return rel, craft.with_member(data, craft.deflated("xl/sharedStrings.xml", laughs))


def zip_bomb(rng, rel, data):
    return rel, craft.with_member(data, craft.bomb(craft.first_sheet(data), rng.choice([200, 4096]),
                                                   stated=rng.choice([None, 5000])))


# -- damage to names ----------------------------------------------------------------------------


def other_extension(rng, rel, data):
    return rel.rsplit(".", 1)[0] + rng.choice([".xlsx", ".csv", ".xls", ".txt", ".CSV"]), data


def correction_name(rng, rel, data):
    stem, ext = rel.rsplit(".", 1)
    return f"{stem}（更正）.{ext}", data


def period_removed_from_name(rng, rel, data):
    folder, name = rel.split("/")
    return f"{folder}/报表.{name.rsplit('.', 1)[1]}", data


#: name -> (damage, "neutral" if the figures must come out the same, applies to "csv", "xlsx" or "any")
MUTATIONS: dict[str, tuple[Mutation, str, str]] = {
    "flip bytes": (flip_bytes, "any", "any"),
    "truncate": (truncate, "any", "any"),
    "insert garbage": (insert_garbage, "any", "any"),
    "zero 256 bytes": (zero_range, "any", "any"),
    "only a byte-order mark": (only_bom, "any", "any"),
    "UTF-8 with BOM": (reencode("utf-8-sig"), "neutral", "csv"),
    "GB18030": (reencode("gb18030"), "neutral", "csv"),
    "UTF-16": (reencode("utf-16"), "neutral", "csv"),
    "Big5": (reencode("big5"), "any", "csv"),
    "mojibake (UTF-8 read as Latin-1)": (mojibake, "any", "csv"),
    "CRLF line ends": (crlf, "neutral", "csv"),
    "blank lines above the header": (blank_lines_on_top, "neutral", "csv"),
    "10,000 blank lines at the end": (blank_lines_at_end, "neutral", "csv"),
    "an empty first column": (empty_first_column, "neutral", "csv"),
    "rows in another order": (shuffled_rows, "neutral", "csv"),
    "semicolons or tabs": (semicolons, "neutral", "csv"),
    "a hostile cell (CSV)": (hostile_csv_cell, "any", "csv"),
    "a header cell renamed": (rename_header, "any", "csv"),
    "a column dropped": (drop_column, "any", "csv"),
    "an unbalanced quote": (unbalanced_quote, "any", "csv"),
    "a row thousands of cells wide": (wide_row, "any", "csv"),
    "no data rows": (no_data_rows, "any", "csv"),
    "a hostile cell (Excel)": (hostile_xlsx_cell, "any", "xlsx"),
    "a formula cell": (formula_cell, "any", "xlsx"),
    "rows inserted above": (insert_rows_on_top, "any", "xlsx"),
    "a column inserted": (insert_column, "any", "xlsx"),
    "more sheets": (extra_sheets, "any", "xlsx"),
    "a hidden data sheet": (hidden_data_sheet, "any", "xlsx"),
    "merged cells": (merged_cells, "any", "xlsx"),
    "a cell far away": (far_cell, "any", "xlsx"),
    "a zip part dropped": (drop_part, "any", "xlsx"),
    "a zip part corrupted": (corrupt_part, "any", "xlsx"),
    "a zip part twice": (duplicate_part, "any", "xlsx"),
    "a document type declaration": (doctype, "any", "xlsx"),
    "a zip bomb": (zip_bomb, "any", "xlsx"),
    "another extension": (other_extension, "any", "any"),
    "marked as a correction": (correction_name, "neutral", "any"),
    "no period in the name": (period_removed_from_name, "any", "any"),
}


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
    from pipeline.build import analyse, check_no_personal_data, load_site_settings, read_and_check
    from pipeline.config import load_config
    from pipeline.tables import csv_bytes
    from tests.conftest import TODAY

    config, settings = load_config(), load_site_settings()
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
            dataset, problems = read_and_check(raw, config, TODAY)
            errors = [p for p in problems if p.severity == "error"]
            outcome["errors"] = [[p.code, p.file, p.message()] for p in errors]
            outcome["named"] = sorted({p.file for p in problems})
            outcome["figures"] = _figures(dataset.observations)
            key = json.dumps(outcome["figures"])
            if not errors and key not in analysed:
                analysis = analyse(config, dataset, problems, "", settings)
                check_no_personal_data({f"{k}.csv": csv_bytes(v) for k, v in analysis.tables.items()})
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
