"""Limits that hold before a file is parsed (pipeline/gate/limits.py): a workbook made to exhaust
memory or time is refused in a fraction of a second, with a message naming it; what a real
workbook holds is never refused."""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys
import zipfile
from typing import Callable

import openpyxl
import pytest

from pipeline.basics import paths
from pipeline.build import read_and_check
from pipeline.gate.limits import check_workbook
from tests import craft
from tests.conftest import TODAY, copy_raw
from tests.fixtures.edits import HEALTH_Q1, RURAL_Q1

SAMPLE = paths.RAW_DIR / RURAL_Q1


def _sheet_xml() -> bytes:
    with zipfile.ZipFile(SAMPLE) as archive:
        return archive.read(craft.first_sheet(SAMPLE.read_bytes()))


def _with_sheet(xml: bytes) -> bytes:
    data = SAMPLE.read_bytes()
    return craft.with_member(data, craft.deflated(craft.first_sheet(data), xml))


def _many_sheets(count: int) -> bytes:
    workbook = openpyxl.load_workbook(SAMPLE)
    for i in range(count):
        workbook.create_sheet(f"空表{i}")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _far_cell() -> bytes:
    workbook = openpyxl.load_workbook(SAMPLE)
    workbook.worksheets[0]["XFD1048576"] = 1
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _many_parts(count: int) -> bytes:
    data = SAMPLE.read_bytes()
    return craft.write_zip(craft.members_of(data) + [craft.deflated(f"customXml/item{i}.xml", b"<a/>") for i in range(count)])


MERGE = b'<mergeCell ref="A12:D12" />'
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
          b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          b'<si><t>&c;</t></si></sst>')

#: name -> (the file's bytes, the problem code, words of its message)
CASES: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "16 MB unpacking to 16 GiB": (lambda: craft.with_member(SAMPLE.read_bytes(), craft.bomb(
        craft.first_sheet(SAMPLE.read_bytes()), 16 * 1024)), "file_too_large", "解压后共 16,384.0 MB（压缩包中标明的大小）"),
    "the same, stating a small size": (lambda: craft.with_member(SAMPLE.read_bytes(), craft.bomb(
        craft.first_sheet(SAMPLE.read_bytes()), 16 * 1024, stated=4000)), "file_unreadable", "已损坏"),
    "2 MB unpacking to 2 GiB": (lambda: craft.with_member(SAMPLE.read_bytes(), craft.bomb(
        craft.first_sheet(SAMPLE.read_bytes()), 2 * 1024)), "file_too_large", "2,048.0 MB"),
    "60 KB unpacking to 60 MB": (lambda: craft.with_member(SAMPLE.read_bytes(), craft.bomb(
        craft.first_sheet(SAMPLE.read_bytes()), 60)), "file_too_large", "倍"),
    "a merged range of a whole sheet": (lambda: _with_sheet(_sheet_xml().replace(MERGE, MERGE + b'<mergeCell ref="A20:XFD1048576"/>')),
                                        "file_too_large", "合并单元格"),
    "a merged range of 2.6 million cells": (lambda: _with_sheet(_sheet_xml().replace(MERGE, MERGE + b'<mergeCell ref="A20:Z100000"/>')),
                                            "file_too_large", "合并单元格"),
    "a hyperlink over a whole sheet": (lambda: _with_sheet(_sheet_xml().replace(
        b"</sheetData>", b'</sheetData><hyperlinks><hyperlink ref="A1:XFD1048576" display="x"/></hyperlinks>')),
        "file_too_large", "超链接"),
    "one cell far away (XFD1048576)": (_far_cell, "file_too_large", "1,048,576 行、16,384 列"),
    "entities that expand (billion laughs)": (lambda: craft.with_member(SAMPLE.read_bytes(), craft.deflated("xl/sharedStrings.xml", LAUGHS)),
                                              "file_unreadable", "<!DOCTYPE"),
    "51 sheets": (lambda: _many_sheets(50), "file_too_large", "51 个工作表"),
    "1,001 parts": (lambda: _many_parts(1000), "file_too_large", "个部件"),
    "a sheet cut in half": (lambda: _with_sheet(_sheet_xml()[:2000]), "file_unreadable", "已损坏"),
}


@pytest.mark.parametrize("name", CASES)
def test_a_workbook_made_to_exhaust_the_reader_is_refused_with_a_message(name, config, tmp_path):
    make, code, words = CASES[name]
    raw = copy_raw(tmp_path, ["农工办"])
    (raw / RURAL_Q1).write_bytes(make())
    _, problems = read_and_check(raw, config, TODAY)
    errors = [p for p in problems if p.severity == "error"]
    assert [(p.code, p.file) for p in errors] == [(code, RURAL_Q1)], [p.message() for p in errors]
    assert words in errors[0].found


def test_more_cells_than_the_limit(config, tmp_path):
    raw = copy_raw(tmp_path, ["农工办"])
    small = dataclasses.replace(config, defaults=config.defaults.model_copy(update={"max_cells": 40}))
    _, problems = read_and_check(raw, small, TODAY)
    assert {(p.code, "超过 40 个单元格" in p.found) for p in problems} == {("file_too_large", True)}


def test_a_csv_wider_than_any_form(config, tmp_path):
    raw = copy_raw(tmp_path, ["卫生局"])
    path = raw / HEALTH_Q1
    path.write_text(path.read_text(encoding="utf-8") + "," * 5000 + "\n", encoding="utf-8")
    _, problems = read_and_check(raw, config, TODAY)
    assert [(p.code, p.file) for p in problems if p.severity == "error"] == [("file_too_large", HEALTH_Q1)]


def test_every_real_workbook_is_within_the_limits(config, tmp_path):
    from pipeline.excel_templates import departments as forms

    workbooks = sorted(paths.RAW_DIR.rglob("*.xlsx")) + forms.write_templates(config, tmp_path)
    assert len(workbooks) > 20
    assert [p.name for p in workbooks if check_workbook(p.read_bytes(), p.name, config.defaults)] == []


MEASURE = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from pipeline.build import read_and_check
from pipeline.config import load_config
from tests.conftest import TODAY
from tests.fuzz import peak_mb
before = peak_mb()
started = time.perf_counter()
_, problems = read_and_check(Path(sys.argv[1]), load_config(), TODAY)
print(json.dumps({"seconds": time.perf_counter() - started, "codes": [p.code for p in problems],
                  "peak_mb": peak_mb(), "imports_mb": before}))
"""


def test_a_16_mb_workbook_that_unpacks_to_16_gib_is_refused_in_a_second_and_a_few_hundred_mb(tmp_path):
    raw = tmp_path / "raw"
    (raw / "农工办").mkdir(parents=True)
    (raw / RURAL_Q1).write_bytes(CASES["16 MB unpacking to 16 GiB"][0]())
    assert (raw / RURAL_Q1).stat().st_size > 16 * 1024 * 1024
    out = subprocess.run([sys.executable, "-c", MEASURE, str(raw), str(paths.ROOT)], capture_output=True, text=True, check=True)
    measured = json.loads(out.stdout)
    assert measured["codes"] == ["file_too_large"]
    assert measured["seconds"] < 5 and measured["peak_mb"] < 400, measured


def test_a_csv_with_more_cells_than_the_limit_is_refused_before_it_is_parsed(config, tmp_path):
    raw = copy_raw(tmp_path, ["卫生局"])
    small = dataclasses.replace(config, defaults=config.defaults.model_copy(update={"max_csv_cells": 40}))
    _, problems = read_and_check(raw, small, TODAY)
    refused = {p.file for p in problems if p.code == "file_too_large"}
    assert refused == {f"卫生局/{p.name}" for p in (raw / "卫生局").iterdir()}  # every file has 9 columns, 5 rows or more
    [problem] = [p for p in problems if p.file == HEALTH_Q1]
    assert "行" in problem.found and "9 列" in problem.found and "max_csv_cells" in problem.expected and "拆分" in problem.fix


def test_a_50_mb_csv_of_the_shortest_rows_is_refused_in_a_second_and_a_few_hundred_mb(tmp_path):
    """12 million cells in 50 MB (a1,2010Q4,0,0,0 …): read, it would take 1.8 GB; refused by max_csv_cells
    before it is parsed."""
    from pipeline.config import load_config

    raw = tmp_path / "raw"
    (raw / "科技局").mkdir(parents=True)
    rows = ["企业名称,季度,高层次经营管理人才,科技人才团队,紧缺专业技术人才(本科以上)"] + [f"a{i},2010Q4,0,0,0" for i in range(2_400_000)]
    path = raw / "科技局" / "科技局_2010Q4_企业引才情况.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    limits = load_config().defaults
    assert path.stat().st_size <= limits.max_file_mb * 2**20 and len(rows) * 5 > limits.max_csv_cells
    out = subprocess.run([sys.executable, "-c", MEASURE, str(raw), str(paths.ROOT)], capture_output=True, text=True, check=True,
                         timeout=120)  # (read, it would take minutes)
    measured = json.loads(out.stdout)
    assert measured["codes"] == ["file_too_large"]
    assert measured["seconds"] < 5 and measured["peak_mb"] < 400, measured


def test_a_status_form_is_read_within_the_same_limits(config, tmp_path):
    """人才办's quarterly status forms were read with no limit: one cell far away (row 300,000,
    column 30) made a grid of 9 million cells (2.2 GB, 30 s); now refused like a department's."""
    from pipeline.analyse.commitments import read_commitments
    from tests.fixtures.edits import FORM_Q3

    raw = tmp_path / "raw"
    (raw / config.defaults.status_form_folder).mkdir(parents=True)
    workbook = openpyxl.load_workbook(paths.RAW_DIR / FORM_Q3)
    workbook.worksheets[0].cell(300_000, 30, "x")
    workbook.save(raw / FORM_Q3)
    facts = read_commitments(raw, config, paths.PLAN_TEXT.read_text(encoding="utf-8"), TODAY)
    assert [(p.code, p.file) for p in facts.problems if p.severity == "error"] == [("file_too_large", FORM_Q3)]
