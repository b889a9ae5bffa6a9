"""The quarterly status forms of the plan's measures (the one-defect bad forms are committed
fixtures, tests/fixtures/bad/form-*, read by tests/gate/test_bad_fixtures.py): nothing published from
a bad form; the warnings about the history across quarters; the history itself; the sample
forms; and the template of `make templates`."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.basics import paths
from pipeline.basics.periods import Period
from pipeline.clean.status_form import FormFile
from pipeline.config import Config, load_config
from pipeline.config.commitments import Registry, load_commitments
from pipeline.excel_templates.__main__ import main as make_templates
from pipeline.excel_templates.status import FIRST_ROW, QUARTER_PLACEHOLDER, write_status_template
from pipeline.ingest.status_history import StatusData, combine_forms, read_form_files, status_changes
from tests.conftest import TODAY, copy_raw
from tests.fixtures.cases import case_named, lay_out, overlay
from tests.fixtures.edits import FORM_FIRST, FORM_Q2, FORM_Q3, FORM_Q4, form_cell, form_edit

FOLDER = load_config().defaults.status_form_folder


def read_status_forms(raw_dir: Path, registry: Registry, config: Config, today: dt.date) -> StatusData:
    """Every status form under data/raw/人才办工作进展/, read and put together."""
    return combine_forms(*read_form_files(raw_dir, registry, config, today), registry, config)


@pytest.fixture(scope="module")
def registry(config):
    return load_commitments(config, paths.PLAN_TEXT.read_text(encoding="utf-8"))


def read(raw: Path, registry, config, today: dt.date = TODAY):
    return read_status_forms(raw, registry, config, today)


def test_nothing_is_published_from_a_form_with_an_error(registry, config, tmp_path):
    raw = lay_out(tmp_path, case_named("form-unknown-status"))
    data = read(raw, registry, config)
    assert "2010Q2" not in data.quarters and FORM_Q2 not in set(data.status["file"])


def test_the_build_stops_on_a_bad_form_and_leaves_the_site(tmp_path):
    from pipeline.build import DataErrors, build

    raw = copy_raw(tmp_path)
    overlay(raw, case_named("form-unknown-status"))
    site = tmp_path / "site"
    with pytest.raises(DataErrors) as err:
        build(raw, site, today=TODAY, keep_docs=None, cache_dir=tmp_path / "cache")
    assert [p.code for p in err.value.errors] == ["status_unknown"] and not site.exists()


# -- warnings -------------------------------------------------------------------------------------


def test_a_missing_row_is_a_warning_and_the_commitment_is_unreported_that_quarter(registry, config, tmp_path):
    raw = copy_raw(tmp_path, [FOLDER])
    form_edit(raw, FORM_Q2, lambda ws, row, col: ws.delete_rows(row("talent-fund")))
    data = read(raw, registry, config)
    warned = [p for p in data.problems if p.code == "commitment_not_reported"]
    assert len(warned) == 1 and warned[0].file == FORM_Q2 and "talent-fund" in warned[0].found
    q2 = data.in_quarter("2010Q2").set_index("commitment_id")
    assert q2.loc["talent-fund", "status"] == registry.not_reported and len(q2) == len(registry.commitments)


def test_going_back_without_a_note_is_a_warning_with_a_note_it_is_not(registry, config, tmp_path):
    raw = copy_raw(tmp_path, [FOLDER])
    assert not [p for p in read(raw, registry, config).problems]  # the sample says why the network went back
    form_edit(raw, FORM_Q3, form_cell("talent-info-network", "备注", None))
    warned = [p for p in read(raw, registry, config).problems if p.code == "status_backwards"]
    assert len(warned) == 1 and warned[0].file == FORM_Q3 and warned[0].column == "状态"
    assert "已落实" in warned[0].found and "推进中" in warned[0].found


def test_a_change_dated_in_a_quarter_already_reported_is_a_warning(registry, config, tmp_path):
    raw = copy_raw(tmp_path, [FOLDER])
    form_edit(raw, FORM_Q4, form_cell("investment-incentives", "状态日期", dt.datetime(2010, 8, 1)))
    warned = [p for p in read(raw, registry, config).problems if p.code == "status_date_before_change"]
    assert len(warned) == 1 and warned[0].file == FORM_Q4 and warned[0].column == "状态日期"


def test_a_correction_counts_and_the_first_form_is_kept_as_superseded(registry, config, tmp_path):
    raw = copy_raw(tmp_path, [FOLDER])
    corrected = f"{FOLDER}/人才办_2010年第二季度_主要措施工作进展（更正）.xlsx"
    shutil.copy(raw / FORM_Q2, raw / corrected)
    form_edit(raw, corrected, form_cell("local-titles", "备注", "更正：6月9日召开论证会"))
    data = read(raw, registry, config)
    assert data.problems == []
    row = data.in_quarter("2010Q2").set_index("commitment_id").loc["local-titles"]
    assert row["file"] == corrected and row["note"] == "更正：6月9日召开论证会"
    files = data.files.set_index("file")
    assert files.loc[FORM_Q2, "status"] == "superseded" and files.loc[FORM_Q2, "superseded_by"] == corrected


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
    """Whatever each quarter's form says, and whichever commitments it leaves out (未填报 in that
    quarter), the history is the forms' quarters in order: the changes between two quarters are
    the differences of their forms, and a status that went back without a note is one warning."""
    ids = [c.id for c in registry.commitments][:6]
    statuses = list(registry.form_statuses)
    n = data.draw(st.integers(1, 6))
    story = [{c: (data.draw(st.sampled_from(statuses)), data.draw(st.sampled_from(["", "原因"])))
              for c in ids if data.draw(st.booleans())} for _ in range(n)]
    forms = _forms(registry, story)
    result = combine_forms(forms, [], registry, config)
    shuffled = combine_forms(random.Random(n).sample(forms, len(forms)), [], registry, config)
    assert result.status.equals(shuffled.status)  # the order files are found in does not matter
    assert len(result.status) == n * len(registry.commitments)
    shown = [{c: quarter[c][0] if c in quarter else registry.not_reported for c in ids} for quarter in story]
    for i in range(1, n):
        before, after = result.quarters[i - 1], result.quarters[i]
        changed = set(status_changes(result.status, before, after)["commitment_id"])
        assert changed == {c for c in ids if shown[i][c] != shown[i - 1][c]}
    rank = {k: s.rank for k, s in registry.statuses.items()}
    drops, last = 0, {}
    for quarter in story:  # a status goes back from the last one reported, whatever quarters lie between
        for c, (status, note) in quarter.items():
            drops += c in last and rank[status] < rank[last[c]] and not note
            last[c] = status
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
    first = data.status[data.status["file"] == FORM_FIRST]  # the form made by hand reads like the others
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
    assert make_templates(["--out", str(tmp_path)]) == 0
    assert (tmp_path / "人才办_主要措施和组织领导工作进展表_填报模板.xlsx").is_file()
