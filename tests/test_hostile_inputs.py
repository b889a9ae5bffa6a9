"""Files a careless or hostile sender could send: personal numbers typed where they would be
kept, values beyond any district, numbers beyond any integer, links, folders of old files, dates
before the period ended. One defect per case, each with the message it must give (or, for the
cases that must pass, the message it must not give)."""

from __future__ import annotations

import dataclasses
import os
import pickle
import shutil
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from pipeline.build import read_and_check
from pipeline.ingest import ReadCache
from pipeline.privacy import find_personal_numbers
from pipeline.problems import KINDS
from tests import test_bad_inputs as bad_inputs
from tests.conftest import TODAY, copy_raw
from tests.test_bad_inputs import (
    ENTERPRISE_Q1,
    GRADUATES_2009,
    HEALTH_Q1,
    RURAL_Q1,
    SKILLS_Q1,
    TALENTS_2009,
    csv_lines,
    set_cell,
    xlsx_cells,
)

ID_SPACED = "440301 19850615 1238"
TALENTS_2010 = "组织部人才办/2010年度优秀创新创业人才认定名单.xlsx"
RECORDS = "农工办培训明细/农工办培训明细_2011Q1.csv"


@dataclass(frozen=True)
class Case(bad_inputs.Case):
    absent: bool = False  # the file must read without this problem (a number where it is dropped)
    settings: dict | None = None  # plausible_max changed for the case (indicator -> value)


def _row(raw: Path, rel: str, i: int, column: int, value: str, encoding: str = "utf-8") -> None:
    csv_lines(raw, rel, lambda ls: [set_cell(line, column, value) if n == i else line for n, line in enumerate(ls)],
              encoding=encoding)


def _sheet_title(raw: Path, rel: str, title: str) -> None:
    path = raw / rel
    workbook = openpyxl.load_workbook(path)
    workbook.worksheets[0].title = title
    workbook.save(path)


def _excel_number(raw: Path, rel: str, cell: str, text: bytes) -> None:
    """A number cell holding what Excel never writes (1e400, which a reader takes for infinity)."""
    import io
    import zipfile

    from tests import craft

    workbook = openpyxl.load_workbook(raw / rel)
    workbook.worksheets[0][cell] = 0
    out = io.BytesIO()
    workbook.save(out)
    name = craft.first_sheet(out.getvalue())
    xml = zipfile.ZipFile(out).read(name)
    xml = xml.replace(f'r="{cell}" s="2" t="n"><v>0</v>'.encode(), f'r="{cell}" s="2" t="n"><v>'.encode() + text + b"</v>")
    (raw / rel).write_bytes(craft.with_member(out.getvalue(), craft.deflated(name, xml)))


def _link(raw: Path, target: Path, name: str) -> None:
    os.symlink(target, raw / name)


def _records(raw: Path, rows: int) -> None:
    (raw / "农工办培训明细").mkdir(exist_ok=True)
    lines = ["序号,姓名,身份证号,联系电话,街镇,培训类别,培训日期"]
    lines += [f"{i},学员{i},,,北山镇,农村实用技术培训,2011-02-01" for i in range(1, rows + 1)]
    (raw / RECORDS).write_text("\n".join(lines) + "\n", encoding="utf-8")


CASES = [
    # personal numbers in cells the build keeps: one error per column, the number masked
    Case("phone with hyphens in a company name", "科技局", lambda raw: _row(raw, ENTERPRISE_Q1, 2, 0, "华瑞电气138-1234-5678",
         "gb18030"), "personal_data", ENTERPRISE_Q1, 3, "企业名称"),
    Case("ID with spaces in a hospital's name", "卫生局", lambda raw: _row(raw, HEALTH_Q1, 1, 1, f"区人民医院 {ID_SPACED}"),
         "personal_data", HEALTH_Q1, 2, "单位"),
    Case("full-width phone as a skill level", "人社局", lambda raw: _row(raw, SKILLS_Q1, 2, 1, "１３８１２３４５６７８", "gb18030"),
         "personal_data", SKILLS_Q1, 3, "等级"),
    Case("+86 phone in a count cell", "卫生局", lambda raw: _row(raw, HEALTH_Q1, 2, 6, "+86 138 1234 5678"),
         "personal_data", HEALTH_Q1, 3, "本科"),
    Case("Excel number that is a phone", "农工办", lambda raw: xlsx_cells(raw, RURAL_Q1, lambda ws: ws.cell(5, 3, 13812345678)),
         "personal_data", RURAL_Q1, 5, "农村劳动力转移培训"),
    Case("ID in a column that is not read", "组织部人才办",
         lambda raw: xlsx_cells(raw, TALENTS_2009, lambda ws: ws.cell(4, 6, "320102196703287467")),
         "personal_data", TALENTS_2009, 4, "工作单位"),
    Case("phone in a list's category", "人事局", lambda raw: _row(raw, GRADUATES_2009, 2, 5, "事业单位 0086-13812345678"),
         "personal_data", GRADUATES_2009, 3, "招录类别"),
    Case("phone as a column name", "卫生局", lambda raw: csv_lines(raw, HEALTH_Q1, lambda ls: [
        ls[0] + ",13812345678"] + [line + "," for line in ls[1:] if line]), "personal_data", HEALTH_Q1, 1, "138****5678"),
    Case("phone in a sheet name", "农工办", lambda raw: _sheet_title(raw, RURAL_Q1, "徐颖萍13812345678"),
         "personal_data", RURAL_Q1),
    Case("phone in a file name", "卫生局", lambda raw: (raw / HEALTH_Q1).rename(raw / "卫生局/卫生局_2009Q1_13812345678.csv"),
         "personal_data", "卫生局/卫生局_2009Q1_138****5678.csv"),
    # personal numbers where they are dropped unread: no problem, nothing kept
    Case("phone in a note row below the table", "卫生局", lambda raw: csv_lines(raw, HEALTH_Q1, lambda ls: [
        line for line in ls if line] + ["联系电话：138-1234-5678,,,,,,,,", ""]), "personal_data", HEALTH_Q1, absent=True),
    Case("phone in a title row above the header", "农工办", lambda raw: xlsx_cells(raw, RURAL_Q1, lambda ws: ws.cell(
        1, 1, ws.cell(1, 1).value + "（联系人 138 1234 5678）")), "personal_data", RURAL_Q1, absent=True),
    Case("ID with spaces in the ID column", "人事局", lambda raw: _row(raw, GRADUATES_2009, 2, 2, "320104 19871118 1154"),
         "personal_data", GRADUATES_2009, absent=True),
    # values beyond any district and numbers beyond any integer
    Case("a billion in a hospital's cell", "卫生局", lambda raw: _row(raw, HEALTH_Q1, 2, 6, "1000000000"),
         "value_implausible", HEALTH_Q1, 3, "本科"),
    Case("a list longer than its limit", "农工办培训明细", lambda raw: _records(raw, 4), "value_implausible", RECORDS, 2, "街镇",
         settings={"p6_practical_technology_trained": 3}),
    Case("21 digits in a CSV cell", "卫生局", lambda raw: _row(raw, HEALTH_Q1, 2, 6, "100000000000000000000"),
         "value_invalid", HEALTH_Q1, 3, "本科"),
    Case("1e20 in an Excel cell", "农工办", lambda raw: xlsx_cells(raw, RURAL_Q1, lambda ws: ws.cell(5, 3, 1e20)),
         "value_invalid", RURAL_Q1, 5, "农村劳动力转移培训"),
    Case("an Excel number cell of 1e400 (infinity)", "农工办", lambda raw: _excel_number(raw, RURAL_Q1, "C5", b"1e400"),
         "value_invalid", RURAL_Q1, 5, "农村劳动力转移培训"),
    Case("infinity written as text", "卫生局", lambda raw: _row(raw, HEALTH_Q1, 2, 6, "inf"), "value_invalid", HEALTH_Q1, 3, "本科"),
    Case("NaN written as text", "卫生局", lambda raw: _row(raw, HEALTH_Q1, 2, 6, "NaN"), "value_invalid", HEALTH_Q1, 3, "本科"),
    # what is not read
    Case("a link to a file outside data/raw", "卫生局", lambda raw: _link(raw, Path("/etc/hostname"), "卫生局/卫生局_2011Q1_卫生人才引进.csv"),
         "file_link", "卫生局/卫生局_2011Q1_卫生人才引进.csv"),
    Case("a link to a folder outside data/raw", "卫生局", lambda raw: _link(raw, raw.parent, "卫生局/旧报表"),
         "file_link", "卫生局/旧报表/"),
    Case("a link to another file of data/raw", "卫生局", lambda raw: _link(raw, raw / HEALTH_Q1, "卫生局/卫生局_2009Q2_副本.csv"),
         "file_link", "卫生局/卫生局_2009Q2_副本.csv"),
    Case("a folder of void files in a department's folder", "卫生局", lambda raw: (
        (raw / "卫生局/作废").mkdir(), shutil.copy(raw / HEALTH_Q1, raw / "卫生局/作废"),
        _row(raw, "卫生局/作废/卫生局_2009Q1_卫生人才引进.csv", 2, 6, "99")), "file_ignored", "卫生局/作废/"),
    Case("only files that are not read", "卫生局", lambda raw: [p.rename(p.with_suffix(".txt")) for p in (raw / "卫生局").iterdir()],
         "no_submissions", "data/raw/"),
    # dates
    Case("a submission date before the quarter ended", "卫生局", lambda raw: csv_lines(raw, HEALTH_Q1, lambda ls: [
        line.replace("2009-04-05", "2009-03-15") for line in ls]), "submitted_early", HEALTH_Q1, 2, "报送日期"),
    Case("a 填报日期 label before the year ended", "组织部人才办", lambda raw: xlsx_cells(raw, TALENTS_2010, lambda ws: ws.cell(
        2, 7, "填报日期：2010年6月1日")), "submitted_early", TALENTS_2010, 2, "G"),
]


def _config(config, settings: dict | None):
    if not settings:
        return config
    indicators = {k: v.model_copy(update={"plausible_max": settings[k]}) if k in settings else v
                  for k, v in config.indicators.items()}
    return dataclasses.replace(config, indicators=indicators)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_hostile_or_careless_file_gives_the_right_message(case, config, tmp_path):
    raw = copy_raw(tmp_path, [case.folder] if case.folder != "农工办培训明细" else [])
    case.change(raw)
    _, problems = read_and_check(raw, _config(config, case.settings), TODAY)
    matching = [p for p in problems if p.code == case.code and p.file == case.file]
    if case.absent:
        assert matching == [] and [p for p in problems if p.severity == "error"] == []
        return
    assert len(matching) == 1, [(p.code, p.file, p.row, p.column) for p in problems]
    problem = matching[0]
    assert (problem.row, problem.column) == (case.row, case.column)
    message = problem.message()
    assert "Traceback" not in message and "处理：" in message
    for number in ("13812345678", "138-1234-5678", "138 1234 5678", "１３８", ID_SPACED, "320102196703287467"):
        assert number not in message
    if case.code == "personal_data":
        assert "****" in message


def test_hostile_problem_kinds_are_all_tested():
    new = {"personal_data", "value_implausible", "file_link", "submitted_early", "no_submissions"}
    assert new <= set(KINDS) and new <= {c.code for c in CASES}


def test_the_read_cache_keeps_no_typed_personal_number_and_no_unkeyed_hash(config, tmp_path):
    """A phone number typed into a company's name is masked before the file is cleaned, so the
    cache entry holds none of it; ID numbers (person keys) are hashed with a key that stays in
    build/, so hashing every possible ID number does not find them."""
    import hashlib

    raw = copy_raw(tmp_path, ["科技局", "人事局", "农工办"])
    _row(raw, ENTERPRISE_Q1, 2, 0, "华瑞电气 138-1234-5678", "gb18030")
    folder = tmp_path / "cache"
    read_and_check(raw, config, TODAY, ReadCache(folder, config, TODAY))
    entries = {p: p.read_bytes() for p in folder.glob("*.pickle")}
    assert len(entries) == 18
    # the phone numbers of the form fillers, in the note rows below each 农工办 table
    notes = [c.value for p in sorted((raw / "农工办").iterdir()) for c in openpyxl.load_workbook(p).worksheets[0]["A"]
             if str(c.value).startswith("填表人")]
    phones = {n.encode() for note in notes for n in find_personal_numbers(note)}
    assert len(phones) == 8 and not [n for n in phones for data in entries.values() if n in data]
    ids = [line.split(",")[2] for line in (raw / GRADUATES_2009).read_text(encoding="utf-8").splitlines()[2:] if line[:1].isdigit()]
    unkeyed = {hashlib.blake2b(i.encode(), digest_size=12).hexdigest() for i in ids}
    for path, data in entries.items():
        assert b"138-1234" not in data and b"1234-5678" not in data and b"12345678" not in data, path
        result = pickle.loads(data)
        if result.person_keys is not None:
            assert set(result.person_keys) and not set(result.person_keys) & unkeyed
    key = folder / "person-key"
    assert key.stat().st_mode & 0o077 == 0 and len(key.read_bytes()) == 32
