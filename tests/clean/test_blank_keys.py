"""Blank key cells in every layout: the cell that names a row's town, unit, company or category, the
category a record counts under, a period column, a record's date, the sending department. Left
empty, or holding only spaces (ASCII, full-width 　, a tab), each is one clear error naming the
file, row and column: never a traceback (a blank company name was a pandera SchemaError when the
site was built), never a row silently dropped. A submission-date column may have blank cells (the
date is read from the others): spaces there are blank too."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from pipeline.basics import paths
from pipeline.basics.parse import tidy_name
from pipeline.build import read_and_check
from pipeline.combine.checks import observation_schema
from pipeline.config import Source, load_config
from tests.conftest import TODAY
from tests.fixtures.edits import training_records

BLANKS = {"empty": "", "spaces": "   ", "full-width space": "\u3000", "tab and spaces": " \t\u3000"}


def key_columns(source: Source) -> list[str]:
    """The columns whose cells say what a row is: each must be filled in."""
    columns = [source.breakdown, *(p.arg for p in source.period if p.kind == "column")]
    columns += [c for c in (source.department_column, source.event_date) if c]
    columns += [rule.column for rule in (source.include, source.indicator_by) if rule]
    return list(dict.fromkeys(columns))


def _sample(source: Source) -> Path | None:
    files = sorted(p for p in (paths.RAW_DIR / source.folder).glob("*") if p.suffix in (".csv", ".xlsx"))
    return files[0] if files else None


CASES = [(key, column) for key, source in load_config().sources.items() for column in key_columns(source)]


def _blank_csv(path: Path, column: str, header_contains: str, value: str) -> int:
    """The column's cell in the first data row set to value; that row's number."""
    data = path.read_bytes()
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        encoding, text = "gb18030", data.decode("gb18030")
    rows = list(csv.reader(io.StringIO(text)))
    header = next(i for i, r in enumerate(rows) if tidy_name(header_contains) in map(tidy_name, r))
    position = [tidy_name(c) for c in rows[header]].index(tidy_name(column))
    first = next(i for i in range(header + 1, len(rows)) if any(c.strip() for c in rows[i]))
    rows[first][position] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return first + 1


def _blank_xlsx(path: Path, column: str, source: Source, value: str) -> int:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    header = next(r for r in range(1, 30) if any(tidy_name(c.value) == tidy_name(source.header.contains) for c in sheet[r]))
    position = next(c for c in range(1, sheet.max_column + 1) if tidy_name(sheet.cell(header, c).value) == tidy_name(column))
    first = header + source.header.rows
    sheet.cell(first, position).value = value or None
    workbook.save(path)
    return first


def _raw_with_blank(tmp_path: Path, key: str, source: Source, column: str, value: str) -> tuple[Path, str, int]:
    raw = tmp_path / "raw"
    (raw / source.folder).mkdir(parents=True)
    sample = _sample(source)
    if sample is None:  # the records of 农工办培训明细: no sample is shipped
        training_records(raw, "农工办培训明细_2011Q1.csv", [("北山镇", "农村实用技术培训", "2011-02-01")] * 2)
        sample = raw / source.folder / "农工办培训明细_2011Q1.csv"
    target = raw / source.folder / sample.name
    if target != sample:
        target.write_bytes(sample.read_bytes())
    row = (_blank_csv(target, column, source.header.contains, value) if target.suffix == ".csv"
           else _blank_xlsx(target, column, source, value))
    return raw, f"{source.folder}/{target.name}", row


@pytest.mark.parametrize("blank", BLANKS.values(), ids=BLANKS.keys())
@pytest.mark.parametrize(("key", "column"), CASES, ids=[f"{k} {c}" for k, c in CASES])
def test_a_blank_key_cell_is_one_error_naming_its_cell(config, tmp_path, key, column, blank):
    source = config.sources[key]
    raw, file, row = _raw_with_blank(tmp_path, key, source, column, blank)
    _, problems = read_and_check(raw, config, TODAY)
    errors = [p for p in problems if p.severity == "error"]
    assert [(p.file, p.row, p.column) for p in errors] == [(file, row, column)], errors
    [error] = errors
    message = error.message()
    assert "空白" in error.found and f"第 {row} 行" in message and "应为" in message and "处理" in message


@pytest.mark.parametrize("blank", BLANKS.values(), ids=BLANKS.keys())
def test_a_blank_submission_date_in_one_row_is_not_an_error(config, tmp_path, blank):
    source = config.sources["p5_health_recruitment"]
    raw, _, _ = _raw_with_blank(tmp_path, "p5_health_recruitment", source, "报送日期", blank)
    dataset, problems = read_and_check(raw, config, TODAY)
    assert [p for p in problems if p.severity == "error"] == []
    observation_schema(config).validate(dataset.observations)
