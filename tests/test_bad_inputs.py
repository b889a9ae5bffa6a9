"""One bad file per kind of problem: each must give one clear message that names the right place.

Each case copies one department folder of the sample data, breaks one thing in one file, and
checks the problem found: its code, file, row and column, and that the message reads as a staff
member needs it (where, what was found, what was expected, what to do).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import openpyxl
import pytest

from pipeline.build import read_and_check
from pipeline.problems import KINDS
from tests.conftest import TODAY, copy_raw

HEALTH_Q1 = "卫生局/卫生局_2009Q1_卫生人才引进.csv"  # UTF-8, one row per unit
SKILLS_Q1 = "人社局/人社局_技能人才_2009年1-3月.csv"  # GB18030
SKILLS_2010_Q1 = "人社局/人社局_技能人才_2010年1-3月.csv"  # has a total row (row 7)
ENTERPRISE_Q1 = "科技局/科技局_2009年第一季度_企业引才情况.csv"  # GB18030, blanks mean 0
RURAL_Q1 = "农工办/农工办_2009年第一季度农村实用人才培训.xlsx"  # title row, header row 2, total row 11
TEACHERS_2009 = "教育局/2009年名特优教师培养情况统计表.xlsx"  # two header rows
TALENTS_2009 = "组织部人才办/2009年度优秀创新创业人才认定名单.xlsx"
ENTREPRENEURS_2009 = "工商联/2009年度优秀企业家表彰名单.csv"
GRADUATES_2009 = "人事局/2009年度本科以上毕业生招录名单.csv"


def csv_lines(raw: Path, rel: str, change: Callable[[list[str]], list[str]], encoding: str = "utf-8") -> None:
    path = raw / rel
    data = path.read_bytes()
    bom = data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig" if encoding == "utf-8" else encoding).split("\r\n" if b"\r\n" in data else "\n")
    text = ("\r\n" if b"\r\n" in data else "\n").join(change(lines))
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))


def set_cell(line: str, column: int, value: str) -> str:
    cells = line.split(",")
    cells[column] = value
    return ",".join(cells)


def xlsx_cells(raw: Path, rel: str, change: Callable) -> None:
    path = raw / rel
    workbook = openpyxl.load_workbook(path)
    change(workbook.worksheets[0])
    workbook.save(path)


@dataclass(frozen=True)
class Case:
    name: str
    folder: str
    change: Callable[[Path], None]
    code: str
    file: str
    row: int | None = None
    column: str | None = None
    today: dt.date = TODAY


def _rename(raw: Path, rel: str, new_name: str) -> None:
    (raw / rel).rename((raw / rel).with_name(new_name))


CASES = [
    # the file as a whole
    Case("corrupt xlsx", "农工办", lambda raw: (raw / RURAL_Q1).write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50),
         "file_unreadable", RURAL_Q1),
    Case("empty csv", "卫生局", lambda raw: (raw / HEALTH_Q1).write_bytes(b""), "file_empty", HEALTH_Q1),
    Case("csv named .xlsx", "农工办",
         lambda raw: (raw / "农工办/农工办_2011年第一季度农村实用人才培训.xlsx").write_text("街镇,合作\n东城,1\n", encoding="utf-8"),
         "file_type_mismatch", "农工办/农工办_2011年第一季度农村实用人才培训.xlsx"),
    Case("xlsx named .csv", "卫生局",
         lambda raw: shutil.copy(raw.parent / "spare.xlsx", raw / "卫生局/卫生局_2010Q4_卫生人才引进.csv"),
         "file_type_mismatch", "卫生局/卫生局_2010Q4_卫生人才引进.csv"),
    Case("old .xls", "农工办", lambda raw: (raw / "农工办/农工办_2011年第一季度.xls").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500), "file_type_unsupported", "农工办/农工办_2011年第一季度.xls"),
    Case("undetectable encoding", "卫生局",
         lambda raw: (raw / HEALTH_Q1).write_bytes(bytes([0x81, 0x30, 0xFF, 0x80, 0xFE, 0xFF]) * 400),
         "encoding_undetected", HEALTH_Q1),
    Case("very large file", "卫生局", lambda raw: _sparse(raw / HEALTH_Q1, 60 * 1024 * 1024), "file_too_large", HEALTH_Q1),
    Case("all sheets empty", "农工办", lambda raw: _empty_workbook(raw / RURAL_Q1), "file_empty", RURAL_Q1),
    Case("header not found", "卫生局", lambda raw: csv_lines(raw, HEALTH_Q1, lambda ls: [ls[0].replace("单位", "医院")] + ls[1:]),
         "header_missing", HEALTH_Q1),
    Case("missing column", "卫生局",
         lambda raw: csv_lines(raw, HEALTH_Q1, lambda ls: [",".join(line.split(",")[:-1]) for line in ls if line]),
         "column_missing", HEALTH_Q1, 1, "省招募医学本科生"),
    Case("duplicate column", "卫生局", lambda raw: csv_lines(raw, HEALTH_Q1, lambda ls: [ls[0].replace("大专", "本科")] + ls[1:]),
         "column_duplicated", HEALTH_Q1, 1, "本科"),
    # periods and dates
    Case("no period anywhere", "农工办", lambda raw: (
        xlsx_cells(raw, RURAL_Q1, lambda ws: ws.cell(1, 1, "农村实用人才培训情况统计表")),
        _rename(raw, RURAL_Q1, "农工办_农村实用人才培训.xlsx")), "period_missing", "农工办/农工办_农村实用人才培训.xlsx"),
    Case("file name and column disagree", "卫生局",
         lambda raw: csv_lines(raw, HEALTH_Q1, lambda ls: [ls[0]] + [line.replace("2009年第一季度", "2009年第二季度") for line in ls[1:]]),
         "period_conflict", HEALTH_Q1),
    Case("file name says more than a period", "卫生局", lambda raw: _rename(raw, HEALTH_Q1, "卫生局_2009年第一季度上旬_卫生人才引进.csv"),
         "period_unclear", "卫生局/卫生局_2009年第一季度上旬_卫生人才引进.csv"),
    Case("period cell not fully understood", "卫生局",
         lambda raw: csv_lines(raw, HEALTH_Q1, lambda ls: [ls[0]] + [line.replace("2009年第一季度", "2009年第一季度累计") for line in ls[1:]]),
         "period_unclear", HEALTH_Q1, 2, "报送期"),
    Case("two periods in one file", "卫生局",
         lambda raw: csv_lines(raw, HEALTH_Q1, lambda ls: ls[:3] + [ls[3].replace("2009年第一季度", "2009年第二季度")] + ls[4:]),
         "period_conflict", HEALTH_Q1, None, "报送期"),
    Case("period outside the plan", "卫生局", lambda raw: (
        csv_lines(raw, HEALTH_Q1, lambda ls: [line.replace("2009年第一季度", "2012年第一季度") for line in ls]),
        _rename(raw, HEALTH_Q1, "卫生局_2012Q1_卫生人才引进.csv")), "period_outside_plan", "卫生局/卫生局_2012Q1_卫生人才引进.csv"),
    Case("period in the future", "卫生局", lambda raw: None, "period_in_future",
         "卫生局/卫生局_2010Q3_卫生人才引进.csv", today=dt.date(2010, 9, 15)),
    Case("invalid date", "人事局", lambda raw: csv_lines(raw, GRADUATES_2009, lambda ls: [
        set_cell(line, 6, "2009-02-30") if line.startswith("5,") else line for line in ls]),
        "date_invalid", GRADUATES_2009, 7, "报到日期"),
    Case("date outside the file's year", "人事局", lambda raw: csv_lines(raw, GRADUATES_2009, lambda ls: [
        set_cell(line, 6, "2010-03-01") if line.startswith("5,") else line for line in ls]),
        "date_outside_period", GRADUATES_2009, 7, "报到日期"),
    # values and names
    Case("text instead of a number", "科技局", lambda raw: csv_lines(raw, ENTERPRISE_Q1, lambda ls: [
        set_cell(ls[i], 4, "若干") if i == 2 else ls[i] for i in range(len(ls))], encoding="gb18030"),
        "value_invalid", ENTERPRISE_Q1, 3, "紧缺专业技术人才(本科以上)"),
    Case("negative number", "人社局", lambda raw: csv_lines(raw, SKILLS_Q1, lambda ls: [
        set_cell(ls[i], 2, "-5") if i == 3 else ls[i] for i in range(len(ls))], encoding="gb18030"),
        "value_negative", SKILLS_Q1, 4, "本季新增"),
    Case("blank where blanks are not allowed", "卫生局", lambda raw: csv_lines(raw, HEALTH_Q1, lambda ls: [
        set_cell(ls[i], 6, "") if i == 2 else ls[i] for i in range(len(ls))]), "value_invalid", HEALTH_Q1, 3, "本科"),
    Case("Excel error cell", "农工办", lambda raw: xlsx_cells(raw, RURAL_Q1, lambda ws: ws.cell(5, 3, "#REF!")),
         "excel_error", RURAL_Q1, 5, "农村劳动力转移培训"),
    Case("formula error #VALUE!", "教育局", lambda raw: xlsx_cells(raw, TEACHERS_2009, lambda ws: ws.cell(4, 4, "#VALUE!")),
         "excel_error", TEACHERS_2009, 4, "市级/优秀青年教师"),
    Case("unknown town", "农工办", lambda raw: xlsx_cells(raw, RURAL_Q1, lambda ws: ws.cell(6, 1, "北山乡")),
         "name_unknown", RURAL_Q1, 6, "街镇"),
    Case("unknown hospital", "卫生局", lambda raw: csv_lines(raw, HEALTH_Q1, lambda ls: [
        line.replace("区中医院", "区中心医院") for line in ls]), "name_unknown", HEALTH_Q1, 3, "单位"),
    Case("unknown department", "卫生局", lambda raw: csv_lines(raw, HEALTH_Q1, lambda ls: [
        line.replace("区卫生局,区妇幼", "区卫健委,区妇幼") for line in ls]), "name_unknown", HEALTH_Q1, 4, "填报单位"),
    Case("file in the wrong department's folder", "卫生局", lambda raw: csv_lines(raw, HEALTH_Q1, lambda ls: [
        line.replace("区卫生局,区妇幼", "区教育局,区妇幼") for line in ls]), "department_mismatch", HEALTH_Q1, 4, "填报单位"),
    Case("unknown category (no target counts it)", "工商联", lambda raw: csv_lines(raw, ENTREPRENEURS_2009, lambda ls: [
        line.replace("重点发展企业家,田倩", "优秀青年企业家,田倩") for line in ls]), "category_unknown", ENTREPRENEURS_2009, 25, "类别"),
    Case("unknown skill level", "人社局", lambda raw: csv_lines(raw, SKILLS_Q1, lambda ls: [
        line.replace("技师,1", "预备技师,1") if "高级技师" not in line else line for line in ls], encoding="gb18030"),
        "category_unknown", SKILLS_Q1, 5, "等级"),
    Case("the same town twice", "农工办", lambda raw: xlsx_cells(raw, RURAL_Q1, lambda ws: ws.cell(7, 1, "北山")),
         "duplicate_row", RURAL_Q1, 7, "街镇"),
    Case("the same person twice in a list", "人事局", lambda raw: csv_lines(raw, GRADUATES_2009, lambda ls: ls[:4] + [
        "171" + ls[3][ls[3].index(","):]] + ls[4:]), "duplicate_person", GRADUATES_2009, 5, "身份证号"),
    Case("the same person in two years", "组织部人才办", lambda raw: xlsx_cells(
        raw, "组织部人才办/2010年度优秀创新创业人才认定名单.xlsx", lambda ws: ws.cell(4, 4, "320102196703287467")),
        "duplicate_person", "组织部人才办/2010年度优秀创新创业人才认定名单.xlsx", 4),
    Case("two submissions disagree, no rule says which counts", "卫生局", lambda raw: (
        shutil.copy(raw / HEALTH_Q1, raw / "卫生局/卫生局_2009Q1_卫生人才引进_副本.csv"),
        csv_lines(raw, "卫生局/卫生局_2009Q1_卫生人才引进_副本.csv", lambda ls: [ls[0], ls[1].replace(",1,1,3,1,", ",1,1,4,1,")] + ls[2:])),
        "submissions_conflict", "卫生局/卫生局_2009Q1_卫生人才引进_副本.csv"),
    Case("file outside any department folder", "卫生局", lambda raw: (raw / "报表.csv").write_text("a,b\n", encoding="utf-8"),
         "file_ignored", "报表.csv"),
    Case("folder of an unknown department", "卫生局", lambda raw: (
        (raw / "民政局").mkdir(), (raw / "民政局/2010年社工人才.csv").write_text("a,b\n", encoding="utf-8")),
        "folder_unknown", "民政局/2010年社工人才.csv"),
    Case("table with no data rows", "卫生局", lambda raw: csv_lines(raw, HEALTH_Q1, lambda ls: ls[:1]), "no_data_rows", HEALTH_Q1, 1),
]


def _sparse(path: Path, size: int) -> None:
    with open(path, "r+b") as f:
        f.truncate(size)


def _empty_workbook(path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.save(path)


@pytest.fixture
def spare_xlsx(tmp_path):
    shutil.copy(Path(__file__).parent.parent / "data" / "raw" / RURAL_Q1, tmp_path / "spare.xlsx")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_kind_of_bad_input_gives_one_clear_message(case, config, tmp_path, spare_xlsx):
    raw = copy_raw(tmp_path, [case.folder])
    case.change(raw)
    _, problems = read_and_check(raw, config, case.today)
    matching = [p for p in problems if p.code == case.code]
    assert matching, f"expected {case.code}; got {[(p.code, p.file, p.row) for p in problems]}"
    problem = next((p for p in matching if p.file == case.file), None)
    assert problem is not None, f"{case.code} names {[p.file for p in matching]}, not {case.file}"
    if case.row is not None:
        assert problem.row == case.row
    if case.column is not None:
        assert problem.column == case.column
    assert KINDS[case.code][0] == "error" or case.code == "file_ignored"
    message = problem.message()
    assert case.file in message and "发现：" in message and "应为：" in message and "处理：" in message
    if case.row is not None:
        assert f"第 {case.row} 行" in message
    assert "Traceback" not in message


def test_a_bad_file_does_not_hide_problems_in_other_files(config, tmp_path):
    raw = copy_raw(tmp_path, ["卫生局", "农工办"])
    (raw / HEALTH_Q1).write_bytes(b"")
    xlsx_cells(raw, RURAL_Q1, lambda ws: ws.cell(6, 1, "北山乡"))
    _, problems = read_and_check(raw, config, TODAY)
    assert {p.code for p in problems if p.severity == "error"} == {"file_empty", "name_unknown"}


def test_every_problem_kind_has_a_test_or_is_a_warning_tested_elsewhere():
    from tests.test_status_forms import CASES as STATUS_FORM_CASES  # the status forms of the plan's measures

    tested = {c.code for c in CASES} | {c.code for c in STATUS_FORM_CASES} | {
        "commitment_not_reported", "status_backwards", "status_date_before_change"} | {"column_unexpected", "sheet_ignored", "total_mismatch", "value_jump",
                                         "period_gap", "stock_decrease", "stock_flow_mismatch",
                                         "submission_duplicate", "submitted_missing", "sheet_missing",
                                         "sources_overlap", "period_sheet_differs",
                                         # test_nesting.py: one case each
                                         "period_overlap", "period_split_unclear", "cumulative_below_parts",
                                         "cumulative_mismatch",
                                         # in test_hostile_inputs.py
                                         "personal_data", "value_implausible", "file_link", "submitted_early",
                                         "no_submissions"}
    assert set(KINDS) <= tested, f"untested problem kinds: {set(KINDS) - tested}"


def training_records(raw: Path, name: str, rows: list[tuple[str, str, str]]) -> None:
    """A one-row-per-person-time training file: (town, category, date) per row."""
    folder = raw / "农工办培训明细"
    folder.mkdir(exist_ok=True)
    lines = ["序号,姓名,身份证号,联系电话,街镇,培训类别,培训日期"]
    lines += [f"{i},学员{i},,,{town},{category},{day}" for i, (town, category, day) in enumerate(rows, 1)]
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_town_totals_and_person_records_for_the_same_quarter_are_refused(config, tmp_path):
    raw = copy_raw(tmp_path, ["农工办"])
    training_records(raw, "农工办培训明细_2009Q1.csv", [("北山镇", "农村实用技术培训", "2009-02-01")])
    _, problems = read_and_check(raw, config, TODAY)
    overlap = [p for p in problems if p.code == "sources_overlap"]
    assert len(overlap) == 1 and "2009年第一季度" in overlap[0].found
    assert {overlap[0].file} | {RURAL_Q1} == {RURAL_Q1, "农工办培训明细/农工办培训明细_2009Q1.csv"}


def test_a_configured_sheet_that_is_missing(tmp_path):
    from pipeline import paths
    from pipeline.config import load_config

    folder = tmp_path / "config"
    shutil.copytree(paths.CONFIG_DIR, folder)
    text = (folder / "sources.yml").read_text(encoding="utf-8")
    (folder / "sources.yml").write_text(text.replace("    header: {contains: 街镇}", "    sheet: 数据\n    header: {contains: 街镇}"),
                                        encoding="utf-8")
    raw = copy_raw(tmp_path, ["农工办"])
    _, problems = read_and_check(raw, load_config(folder), TODAY)
    missing = [p for p in problems if p.code == "sheet_missing"]
    assert len(missing) == 8 and "“数据”" in missing[0].expected and "Sheet1" in missing[0].found
