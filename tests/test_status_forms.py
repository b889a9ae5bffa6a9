"""The quarterly status forms of the plan's measures: one bad form per kind of problem, each
giving one clear message that names the right file, row and column; the warnings; the history
across quarters; the sample forms; and the template of `make templates`."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import paths
from pipeline.commitments import load_commitments
from pipeline.periods import Period
from pipeline.problems import KINDS
from pipeline.status_forms import FormFile
from pipeline.status_history import combine_forms, read_status_forms, status_changes
from pipeline.status_template import FIRST_ROW, QUARTER_PLACEHOLDER, write_status_template
from tests.conftest import TODAY, copy_raw

FOLDER = paths.STATUS_FORM_FOLDER
Q2 = f"{FOLDER}/人才办_2010年第二季度_主要措施工作进展.xlsx"  # from the template (header row 3)
Q3 = f"{FOLDER}/人才办_2010年第三季度_主要措施工作进展.xlsx"
Q4 = f"{FOLDER}/人才办_2010年第四季度_主要措施工作进展.xlsx"
FIRST = f"{FOLDER}/人才办_2009年第二季度_主要措施工作进展.xlsx"  # made by hand: two columns fewer


@pytest.fixture(scope="module")
def registry(config):
    return load_commitments(config, paths.PLAN_TEXT.read_text(encoding="utf-8"))


def read(raw: Path, registry, config, today: dt.date = TODAY):
    return read_status_forms(raw, registry, config, today)


def edit(raw: Path, rel: str, change: Callable) -> None:
    """Change a form: change(ws, row(commitment id), column(name))."""
    path = raw / rel
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[FIRST_ROW - 1]]
    ids = {ws.cell(r, 1).value: r for r in range(FIRST_ROW, ws.max_row + 1)}
    change(ws, lambda i: ids[i], lambda name: header.index(name) + 1)
    wb.save(path)


def cell(commitment: str, column: str, value) -> Callable:
    def change(ws, row, col):
        ws.cell(row(commitment), col(column)).value = value  # ws.cell(r, c, None) would leave the cell as it was
    return change


def rename(raw: Path, rel: str, name: str) -> None:
    (raw / rel).rename((raw / rel).with_name(name))


@dataclass(frozen=True)
class Case:
    name: str
    change: Callable[[Path], None]
    code: str
    file: str
    row: str | int | None = None  # a commitment id (its row) or a row number
    column: str | None = None
    today: dt.date = TODAY


def _no_date(ws, row, col) -> None:
    ws.cell(2, col("状态")).value = None


def _title(text: str) -> Callable:
    return lambda ws, row, col: ws.cell(1, 1, text)


CASES = [
    Case("unknown commitment", lambda raw: edit(raw, Q2, cell("talent-fund", "编号", "talent-fond")),
         "commitment_unknown", Q2, "talent-fund", "编号"),
    Case("blank commitment id", lambda raw: edit(raw, Q2, cell("talent-fund", "编号", None)),
         "commitment_unknown", Q2, "talent-fund", "编号"),
    Case("rows shifted: id and name disagree", lambda raw: edit(raw, Q2, cell("talent-fund", "措施", "人才购房补贴制度")),
         "commitment_mismatch", Q2, "talent-fund", "措施"),
    Case("unknown status", lambda raw: edit(raw, Q2, cell("green-card", "状态", "已办结")), "status_unknown", Q2, "green-card", "状态"),
    Case("blank status", lambda raw: edit(raw, Q2, cell("green-card", "状态", None)), "status_unknown", Q2, "green-card", "状态"),
    Case("carried out with no date", lambda raw: edit(raw, Q2, cell("green-card", "状态日期", None)),
         "date_missing", Q2, "green-card", "状态日期"),
    Case("a date that does not exist", lambda raw: edit(raw, Q2, cell("green-card", "状态日期", "2010-02-30")),
         "date_invalid", Q2, "green-card", "状态日期"),
    Case("status dated after the quarter", lambda raw: edit(raw, Q2, cell("green-card", "状态日期", dt.datetime(2010, 7, 15))),
         "date_outside_period", Q2, "green-card", "状态日期"),
    Case("status dated before the plan", lambda raw: edit(raw, Q2, cell("green-card", "状态日期", "2008-12-01")),
         "date_outside_period", Q2, "green-card", "状态日期"),
    Case("a meeting outside the quarter", lambda raw: edit(raw, Q2, cell("quarterly-meeting", "本季度开展日期", "2010-04-13、2010-07-06")),
         "date_outside_period", Q2, "quarterly-meeting", "本季度开展日期"),
    Case("a meeting on no real day", lambda raw: edit(raw, Q2, cell("quarterly-meeting", "本季度开展日期", "4月13日、4月31日")),
         "date_invalid", Q2, "quarterly-meeting", "本季度开展日期"),
    Case("carried out with no evidence", lambda raw: edit(raw, Q2, cell("green-card", "依据", None)),
         "evidence_missing", Q2, "green-card", "依据"),
    Case("carried out with no address", lambda raw: edit(raw, Q2, cell("green-card", "网址", None)),
         "evidence_missing", Q2, "green-card", "网址"),
    Case("address neither an address nor 内部", lambda raw: edit(raw, Q2, cell("green-card", "网址", "www.example.gov.cn/a.html")),
         "address_invalid", Q2, "green-card", "网址"),
    Case("a commitment twice", lambda raw: (edit(raw, Q2, cell("talent-fund", "措施", "人才绿卡制度")),
                                           edit(raw, Q2, cell("talent-fund", "编号", "green-card"))),
         "duplicate_row", Q2, "talent-fund", "编号"),
    Case("a column renamed", lambda raw: edit(raw, Q2, lambda ws, row, col: ws.cell(FIRST_ROW - 1, col("状态日期"), "日期")),
         "column_missing", Q2, FIRST_ROW - 1, "状态日期"),
    Case("a duplicate column", lambda raw: edit(raw, Q2, lambda ws, row, col: ws.cell(FIRST_ROW - 1, col("备注"), "文号")),
         "column_duplicated", Q2, FIRST_ROW - 1, "文号"),
    Case("header not found", lambda raw: edit(raw, Q2, lambda ws, row, col: ws.cell(FIRST_ROW - 1, 1, "序号")), "header_missing", Q2),
    Case("title and file name disagree", lambda raw: edit(raw, Q2, _title("2010年第三季度主要措施和组织领导工作进展表")),
         "period_conflict", Q2),
    Case("no quarter anywhere", lambda raw: (edit(raw, Q2, _title(f"{QUARTER_PLACEHOLDER}主要措施和组织领导工作进展表")),
                                            rename(raw, Q2, "人才办_主要措施工作进展.xlsx")),
         "period_missing", f"{FOLDER}/人才办_主要措施工作进展.xlsx"),
    Case("a year, not a quarter", lambda raw: (edit(raw, Q2, _title("2010年度主要措施和组织领导工作进展表")),
                                              rename(raw, Q2, "人才办_2010年度_主要措施工作进展.xlsx")),
         "period_missing", f"{FOLDER}/人才办_2010年度_主要措施工作进展.xlsx"),
    Case("a quarter after the plan", lambda raw: (edit(raw, Q2, _title("2012年第二季度主要措施和组织领导工作进展表")),
                                                 rename(raw, Q2, "人才办_2012年第二季度_主要措施工作进展.xlsx")),
         "period_outside_plan", f"{FOLDER}/人才办_2012年第二季度_主要措施工作进展.xlsx"),
    Case("a quarter not over", lambda raw: None, "period_in_future", Q3, today=dt.date(2010, 9, 20)),
    Case("a form submitted twice, differently, no rule says which counts", lambda raw: (
        shutil.copy(raw / Q2, raw / f"{FOLDER}/人才办_2010年第二季度_主要措施工作进展_副本.xlsx"),
        edit(raw, f"{FOLDER}/人才办_2010年第二季度_主要措施工作进展_副本.xlsx", cell("talent-fund", "备注", "方案修改中"))),
        "submissions_conflict", f"{FOLDER}/人才办_2010年第二季度_主要措施工作进展_副本.xlsx"),
    Case("no commitment filled in", lambda raw: edit(raw, Q2, lambda ws, row, col: ws.delete_rows(FIRST_ROW, ws.max_row)),
         "no_data_rows", Q2, FIRST_ROW - 1),
    Case("a damaged workbook", lambda raw: (raw / Q2).write_bytes(b"PK\x03\x04" + b"\x00broken" * 40), "file_unreadable", Q2),
    Case("an old .xls", lambda raw: (raw / f"{FOLDER}/人才办_2011年第一季度.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 300),
         "file_type_unsupported", f"{FOLDER}/人才办_2011年第一季度.xls"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_kind_of_bad_form_gives_one_clear_message(case, registry, config, tmp_path):
    raw = copy_raw(tmp_path, [FOLDER])
    case.change(raw)
    problems = read(raw, registry, config, case.today).problems
    matching = [p for p in problems if p.code == case.code and p.file == case.file]
    assert matching, f"expected {case.code} in {case.file}; got {[(p.code, p.file, p.row) for p in problems]}"
    problem = matching[0]
    row = FIRST_ROW + [c.id for c in registry.commitments].index(case.row) if isinstance(case.row, str) else case.row
    if row is not None:
        assert problem.row == row and f"第 {row} 行" in problem.message()
    if case.column is not None:
        assert problem.column == case.column
    assert KINDS[case.code][0] == "error"
    message = problem.message()
    assert case.file in message and "发现：" in message and "应为：" in message and "处理：" in message


def test_nothing_is_published_from_a_form_with_an_error(registry, config, tmp_path):
    raw = copy_raw(tmp_path, [FOLDER])
    edit(raw, Q2, cell("green-card", "状态", "已办结"))
    data = read(raw, registry, config)
    assert "2010Q2" not in data.quarters and Q2 not in set(data.status["file"])


def test_the_build_stops_on_a_bad_form_and_leaves_the_site(tmp_path):
    from pipeline.build import DataErrors, build

    raw = copy_raw(tmp_path)
    edit(raw, Q2, cell("green-card", "状态", "已办结"))
    site = tmp_path / "site"
    with pytest.raises(DataErrors) as err:
        build(raw, site, today=TODAY, keep_docs=None, cache_dir=tmp_path / "cache")
    assert [p.code for p in err.value.errors] == ["status_unknown"] and not site.exists()


# -- warnings -------------------------------------------------------------------------------------


def test_a_missing_row_is_a_warning_and_the_commitment_is_unreported_that_quarter(registry, config, tmp_path):
    raw = copy_raw(tmp_path, [FOLDER])
    edit(raw, Q2, lambda ws, row, col: ws.delete_rows(row("talent-fund")))
    data = read(raw, registry, config)
    warned = [p for p in data.problems if p.code == "commitment_not_reported"]
    assert len(warned) == 1 and warned[0].file == Q2 and "talent-fund" in warned[0].found
    q2 = data.in_quarter("2010Q2").set_index("commitment_id")
    assert q2.loc["talent-fund", "status"] == registry.not_reported and len(q2) == len(registry.commitments)


def test_going_back_without_a_note_is_a_warning_with_a_note_it_is_not(registry, config, tmp_path):
    raw = copy_raw(tmp_path, [FOLDER])
    assert not [p for p in read(raw, registry, config).problems]  # the sample says why the network went back
    edit(raw, Q3, cell("talent-info-network", "备注", None))
    warned = [p for p in read(raw, registry, config).problems if p.code == "status_backwards"]
    assert len(warned) == 1 and warned[0].file == Q3 and warned[0].column == "状态"
    assert "已落实" in warned[0].found and "推进中" in warned[0].found


def test_a_change_dated_in_a_quarter_already_reported_is_a_warning(registry, config, tmp_path):
    raw = copy_raw(tmp_path, [FOLDER])
    edit(raw, Q4, cell("investment-incentives", "状态日期", dt.datetime(2010, 8, 1)))
    warned = [p for p in read(raw, registry, config).problems if p.code == "status_date_before_change"]
    assert len(warned) == 1 and warned[0].file == Q4 and warned[0].column == "状态日期"


@pytest.mark.parametrize(("change", "code"), [
    (lambda raw: (raw / f"{FOLDER}/人才办_2010年第一季度_主要措施工作进展.xlsx").unlink(), "period_gap"),
    (lambda raw: edit(raw, Q2, lambda ws, row, col: ws.cell(FIRST_ROW - 1, ws.max_column + 1, "联系人")), "column_unexpected"),
    (lambda raw: edit(raw, Q2, _no_date), "submitted_missing"),
    (lambda raw: shutil.copy(raw / Q2, raw / f"{FOLDER}/人才办_2010年第二季度_主要措施工作进展_副本.xlsx"), "submission_duplicate"),
    (lambda raw: (raw / f"{FOLDER}/~$人才办_2010年第二季度.xlsx").write_bytes(b"lock"), "file_ignored"),
])
def test_other_warnings(registry, config, tmp_path, change, code):
    raw = copy_raw(tmp_path, [FOLDER])
    change(raw)
    problems = read(raw, registry, config).problems
    assert [p.code for p in problems] == [code] and KINDS[code][0] == "warning"


def test_a_correction_counts_and_the_first_form_is_kept_as_superseded(registry, config, tmp_path):
    raw = copy_raw(tmp_path, [FOLDER])
    corrected = f"{FOLDER}/人才办_2010年第二季度_主要措施工作进展（更正）.xlsx"
    shutil.copy(raw / Q2, raw / corrected)
    edit(raw, corrected, cell("local-titles", "备注", "更正：6月9日召开论证会"))
    data = read(raw, registry, config)
    assert data.problems == []
    row = data.in_quarter("2010Q2").set_index("commitment_id").loc["local-titles"]
    assert row["file"] == corrected and row["note"] == "更正：6月9日召开论证会"
    files = data.files.set_index("file")
    assert files.loc[Q2, "status"] == "superseded" and files.loc[Q2, "superseded_by"] == corrected


# -- history: properties that hold whatever the forms say ----------------------------------------


def _forms(registry, story: list[dict[str, tuple[str, str]]]) -> list[FormFile]:
    """Status forms from a story: per quarter, commitment id -> (status, note)."""
    out = []
    for i, quarter in enumerate(story):
        q = Period.quarter_of(2009 + (i + 1) // 4, (i + 1) % 4 + 1)
        rows = [{"commitment_id": c, "status": s, "status_date": None, "evidence": "", "document_number": "", "address": "",
                 "note": n, "file": f"f{i}.xlsx", "row": r} for r, (c, (s, n)) in enumerate(quarter.items(), start=FIRST_ROW)]
        out.append(FormFile(file=f"f{i}.xlsx", sheet="进展表", quarter=q, submitted_on=q.end, rows=rows))
    return out


@settings(max_examples=40)
@given(st.data())
def test_the_history_is_the_sequence_of_quarters(registry, config, data):
    ids = [c.id for c in registry.commitments][:6]
    statuses = list(registry.form_statuses)
    n = data.draw(st.integers(1, 6))
    story = [{c: (data.draw(st.sampled_from(statuses)), data.draw(st.sampled_from(["", "原因"])))
              for c in ids if data.draw(st.booleans()) or True} for _ in range(n)]
    forms = _forms(registry, story)
    result = combine_forms(forms, [], registry, config)
    shuffled = combine_forms(random.Random(n).sample(forms, len(forms)), [], registry, config)
    assert result.status.equals(shuffled.status)  # the order files are found in does not matter
    assert len(result.status) == n * len(registry.commitments)
    for i in range(1, n):
        before, after = result.quarters[i - 1], result.quarters[i]
        changed = set(status_changes(result.status, before, after)["commitment_id"])
        assert changed == {c for c in ids if story[i][c][0] != story[i - 1][c][0]}
    rank = {k: s.rank for k, s in registry.statuses.items()}
    drops = sum(1 for i in range(1, n) for c in ids
                if rank[story[i][c][0]] < rank[story[i - 1][c][0]] and not story[i][c][1])
    assert sum(p.code == "status_backwards" for p in result.problems) == drops


# -- the sample forms and the template ------------------------------------------------------------


def test_the_sample_forms_read_without_a_problem(registry, config):
    data = read(paths.RAW_DIR, registry, config)
    assert data.problems == []
    assert data.quarters == ["2009Q2", "2009Q3", "2009Q4", "2010Q1", "2010Q2", "2010Q3", "2010Q4"]
    assert (data.status.groupby("quarter").size() == len(registry.commitments)).all()
    assert registry.not_reported not in set(data.status["status"])
    meetings = data.occurrences[data.occurrences["commitment_id"] == "quarterly-meeting"]
    assert "2010Q1" not in set(meetings["quarter"]) and (meetings["quarter"] == "2010Q2").sum() == 2
    first = data.status[data.status["file"] == FIRST]  # the form made by hand reads like the others
    assert len(first) == len(registry.commitments) and (first["row"].notna()).all()


def test_the_template_lists_every_commitment_and_reads_back_when_filled(registry, config, tmp_path):
    path = write_status_template(registry, config, tmp_path / "templates")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert wb.sheetnames == [registry.form.sheet, config.defaults.instruction_sheets[0]]
    ids = [ws.cell(r, 1).value for r in range(FIRST_ROW, FIRST_ROW + len(registry.commitments))]
    assert ids == [c.id for c in registry.commitments]
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists == ['"' + ",".join(s.word for s in registry.form_statuses.values()) + '"']
    # filled in as an office would: the quarter, the date, every status 推进中 or 未启动
    header = [c.value for c in ws[FIRST_ROW - 1]]
    ws.cell(1, 1).value = ws.cell(1, 1).value.replace(QUARTER_PLACEHOLDER, "2011年第一季度")
    ws.cell(2, header.index("状态") + 1).value = "填报日期：2011-04-08"
    for r in range(FIRST_ROW, FIRST_ROW + len(ids)):
        ws.cell(r, header.index("状态") + 1).value = "推进中" if r % 2 else "未启动"
    raw = tmp_path / "raw"
    (raw / FOLDER).mkdir(parents=True)
    wb.save(raw / FOLDER / "人才办_2011年第一季度_主要措施工作进展.xlsx")
    data = read(raw, registry, config)
    assert data.problems == [] and data.quarters == ["2011Q1"]
    assert set(data.status["status"]) == {"in_progress", "not_started"}


def test_make_templates_writes_the_status_form_too(tmp_path, capsys):
    from pipeline import forms

    assert forms.main(["--out", str(tmp_path)]) == 0
    assert (tmp_path / "人才办_主要措施和组织领导工作进展表_填报模板.xlsx").is_file()
