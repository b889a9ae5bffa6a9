"""The kinds of damage of the fuzz test (tests/fuzz.py): each takes a random generator, a file's
path under data/raw and its bytes, and returns the damaged path and bytes."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import errno
import io
import os
import types

import openpyxl

from tests import craft

HOSTILE_TEXT = ["1e20", "100000000000000000000", "9" * 400, "-1", "-0", "0.5", "1e-300", "NaN", "inf", "-inf", "=1+1",
                '=HYPERLINK("http://example.org","x")', "@SUM(A1)", "<script>alert(1)</script>", "\u202e反转", "😀",
                "\x00", "\x07", "", " ", "—", "１２", "3人", "1,000", "13812345678", "440301 19850615 1238",
                "Ｘ" * 100_000, "\t", '"', "#REF!", "NULL", "None", "2009-01-01", "２００９年第一季度", "合计", "注：无"]
HOSTILE_NUMBERS = [1e20, -5, 0.5, 1e308, -0.0, 2**63, 10**15, True, dt.datetime(1900, 1, 1), dt.datetime(9999, 12, 31),
                   dt.time(12, 0)]


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
    from pipeline.gate.read import detect_encoding

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


#: What a careless sender leaves in a cell that must say what its row is (a company, a town, a
#: category, a period, a date): nothing, spaces, a full-width space, a tab.
BLANKS = ["", " ", "   ", "\u3000", " \t\u3000"]


def _key_columns(rel: str) -> list[str]:
    """The tidied names of the key columns of the source whose folder `rel` is in (see
    tests/clean/test_blank_keys.py): the breakdown, period and date columns, the sending department,
    the category and include columns."""
    from pipeline.basics.parse import tidy_name
    from pipeline.config import load_config

    source = next((s for s in load_config().sources.values() if s.folder == rel.split("/")[0]), None)
    if source is None:
        return []
    columns = [source.breakdown, *(p.arg for p in source.period if p.kind == "column")]
    columns += [c for c in (source.department_column, source.event_date) if c]
    columns += [rule.column for rule in (source.include, source.indicator_by) if rule]
    return [tidy_name(c) for c in columns]


def blank_key_cell(rng, rel, data):
    """A key cell of a data row left blank, or only spaces (in a CSV file or a workbook)."""
    from pipeline.basics.parse import tidy_name

    keys, blank = _key_columns(rel), rng.choice(BLANKS)
    if rel.lower().endswith(".csv"):
        rows, encoding = _rows(data)
        header, body = _table(rows)
        columns = [i for i, name in enumerate(rows[header]) if tidy_name(name) in keys] if rows else []
        if body and columns:
            rows[rng.choice(body)][rng.choice(columns)] = blank
        return rel, _csv(rows, encoding)

    def change(wb):
        ws = wb.worksheets[0]
        for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 10)):
            columns = [c.column for c in row if tidy_name(c.value) in keys]
            if columns:
                target = ws.cell(rng.randint(row[0].row + 1, max(ws.max_row, row[0].row + 1)), rng.choice(columns))
                if not isinstance(target, openpyxl.cell.cell.MergedCell):
                    target.value = blank or None
                return
    return rel, _edit(data, change)


# -- a full disk --------------------------------------------------------------------------------


def full_disk(rng, rel, data):
    """No damage to the file: the disk is full while it is read (tests/fuzz.py reads it with a read
    cache whose every write fails: os_on_a_full_disk)."""
    return rel, data


class FullDiskFile:
    """os.fdopen of a file on a full disk: made, but nothing can be written to it."""

    def __init__(self, fd: int, *args, **kwargs):
        self.fd = fd

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        os.close(self.fd)

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def os_on_a_full_disk() -> types.SimpleNamespace:
    """The os module as pipeline.basics.workdir.write_whole sees it on a full disk (os.fdopen:
    FullDiskFile): every cache file it writes fails with ENOSPC (No space left on device)."""
    return types.SimpleNamespace(**{**{name: getattr(os, name) for name in dir(os)}, "fdopen": FullDiskFile})


# -- damage to workbooks ------------------------------------------------------------------------


def _edit(data: bytes, change) -> bytes:
    from pipeline.config import load_config
    from pipeline.gate.limits import check_workbook

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
