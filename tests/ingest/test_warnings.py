"""Warnings that do not stop the build but ask a person to look: each on a one-defect copy."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.build import read_and_check
from tests.conftest import TODAY, copy_raw
from tests.fixtures.edits import SKILLS_2010_Q1, SKILLS_Q1, csv_lines, set_cell, xlsx_cells

RURAL_2010_Q3 = "农工办/农工办_2010年第三季度农村实用人才培训.xlsx"


def problems_after(config, tmp_path, folder, change):
    raw = copy_raw(tmp_path, [folder])
    change(raw)
    _, problems = read_and_check(raw, config, TODAY)
    return problems


def test_a_total_row_that_does_not_match_its_rows(config, tmp_path):
    problems = problems_after(config, tmp_path, "人社局", lambda raw: csv_lines(
        raw, SKILLS_2010_Q1, lambda ls: [set_cell(ls[6], 2, "400") if i == 6 else line for i, line in enumerate(ls)],
        encoding="gb18030"))
    [p] = [p for p in problems if p.code == "total_mismatch"]
    assert (p.file, p.row, p.column, p.severity) == (SKILLS_2010_Q1, 7, "本季新增", "warning")
    assert "400" in p.found and "366" in p.found
    assert not [p for p in problems if p.severity == "error"]


def test_a_value_far_from_the_same_quarter_last_year(config, tmp_path):
    # 2010Q3 practical-technology training in 东城街道 131 -> 13100: the quarter's total jumps
    problems = problems_after(config, tmp_path, "农工办", lambda raw: xlsx_cells(
        raw, RURAL_2010_Q3, lambda ws: ws.cell(4, 4, "13,100")))
    jumps = [p for p in problems if p.code == "value_jump"]
    assert len(jumps) == 1 and jumps[0].file == RURAL_2010_Q3
    assert "上年同期" in jumps[0].found and jumps[0].severity == "warning"


def test_a_quarter_missing_in_the_middle_of_a_series(config, tmp_path):
    problems = problems_after(config, tmp_path, "农工办", lambda raw: (raw / RURAL_2010_Q3).unlink())
    [gap] = [p for p in problems if p.code == "period_gap"]
    assert "2010年第三季度" in gap.found and gap.file == "农工办/"


def test_a_running_total_that_falls(config, tmp_path):
    # 2009Q2 初级工 certificate holders written as 9,000 (below Q1's 9,088)
    problems = problems_after(config, tmp_path, "人社局", lambda raw: csv_lines(
        raw, "人社局/人社局_技能人才_2009年4-6月.csv",
        lambda ls: [line.replace('"9,272"', "9000") for line in ls], encoding="gb18030"))
    codes = {p.code for p in problems}
    assert {"stock_decrease", "stock_flow_mismatch"} <= codes
    [fall] = [p for p in problems if p.code == "stock_decrease"]
    assert fall.row == 2 and fall.column == "季末累计持证人数"


def test_a_stock_that_moves_differently_from_the_new_people(config, tmp_path):
    problems = problems_after(config, tmp_path, "人社局", lambda raw: csv_lines(
        raw, "人社局/人社局_技能人才_2009年4-6月.csv",
        lambda ls: [set_cell(ls[2], 2, "392") if i == 2 else line for i, line in enumerate(ls)], encoding="gb18030"))
    # 中级工 2009Q2: 382 -> 392 new, but the stock still rose by 382 (16,250 -> 16,632)
    assert [p.code for p in problems if p.severity == "warning"] == ["stock_flow_mismatch"]


def test_identical_resubmission_is_counted_once(config, tmp_path):
    import shutil

    def change(raw):
        shutil.copy(raw / SKILLS_Q1, raw / "人社局/人社局_技能人才_2009年1-3月_重发.csv")

    raw = copy_raw(tmp_path, ["人社局"])
    change(raw)
    dataset, problems = read_and_check(raw, config, TODAY)
    assert [p.code for p in problems] == ["submission_duplicate"]
    q1 = dataset.observations[(dataset.observations["period"] == "2009Q1")
                              & (dataset.observations["indicator"] == "p7_skilled_workers_new")]
    assert q1["value"].sum() == 390


def test_an_unexpected_column_is_ignored_with_a_warning(config, tmp_path):
    problems = problems_after(config, tmp_path, "人社局", lambda raw: csv_lines(
        raw, SKILLS_Q1, lambda ls: [line + (",备注" if i == 0 else ",") for i, line in enumerate(ls) if line],
        encoding="gb18030"))
    assert [p.code for p in problems] == ["column_unexpected"]


def test_another_sheet_with_content_is_mentioned(config, tmp_path):
    def change(raw):
        xlsx_cells(raw, RURAL_2010_Q3, lambda ws: ws.parent.create_sheet("草稿").cell(1, 1, "旧数据"))

    problems = problems_after(config, tmp_path, "农工办", change)
    assert [p.code for p in problems] == ["sheet_ignored"]


def test_a_missing_submission_date_is_mentioned(config, tmp_path):
    problems = problems_after(config, tmp_path, "卫生局", lambda raw: csv_lines(
        raw, "卫生局/卫生局_2009Q1_卫生人才引进.csv",
        lambda ls: [line.replace("2009-04-05", "") for line in ls]))
    assert [p.code for p in problems] == ["submitted_missing"]


@pytest.mark.parametrize("folder", ["农工办", "人社局", "卫生局"])
def test_the_sample_folders_alone_give_no_warning(config, tmp_path, folder):
    assert problems_after(config, tmp_path, folder, lambda raw: None) == []


def test_a_sheet_named_after_another_period(config, tmp_path):
    """Last quarter's workbook saved under this quarter's name: its sheet still says 2010年三季度."""
    rural_q4 = "农工办/农工办_2010年第四季度农村实用人才培训.xlsx"

    def rename(ws):
        ws.title = "2010年三季度"

    problems = problems_after(config, tmp_path, "农工办", lambda raw: xlsx_cells(raw, rural_q4, rename))
    [p] = [p for p in problems if p.code == "period_sheet_differs"]
    assert (p.file, p.sheet, p.severity) == (rural_q4, "2010年三季度", "warning")
    assert "2010年第三季度" in p.found and "2010年第四季度" in p.found


@pytest.mark.parametrize("sheet", ["2010年四季度", "2010年", "Sheet1", "报表"])
def test_a_sheet_named_after_its_own_period_or_nothing_is_fine(config, tmp_path, sheet):
    rural_q4 = "农工办/农工办_2010年第四季度农村实用人才培训.xlsx"

    def rename(ws):
        ws.title = sheet

    problems = problems_after(config, tmp_path, "农工办", lambda raw: xlsx_cells(raw, rural_q4, rename))
    assert not [p for p in problems if p.code == "period_sheet_differs"]


@pytest.mark.parametrize(("second_half", "warned"), [(10, False), (30, True)])
def test_a_half_year_is_compared_with_the_same_months_of_last_year_sent_as_quarters(config, second_half, warned):
    """2011下半年 against 2010's third and fourth quarters (2 + 2), not against the median of quarters."""
    import pandas as pd

    from pipeline.combine.checks import value_jumps

    rows = [("2010Q1", 1), ("2010Q2", 1), ("2010Q3", 2), ("2010Q4", 2), ("2011H1", 2), ("2011H2", second_half)]
    obs = pd.DataFrame([{"source_id": "p5_health_recruitment", "indicator": "p5_postgraduates_recruited", "period": p,
                         "value": v, "file": f"卫生局/{p}.csv"} for p, v in rows])
    jumps = value_jumps(obs, config)
    assert [j.file for j in jumps] == (["卫生局/2011H2.csv"] if warned else [])
    assert all("上年同期（2010年下半年）4" in j.found for j in jumps)


def test_a_file_set_aside_on_purpose_is_named_not_read_and_leaves_its_figures_incomplete(config, tmp_path):
    """Staff put a refused file in 暂不采用/ (data/raw/README.md): it is listed as received and not
    used, and every figure it would feed is not final."""
    from pipeline.analyse.analysis import analyse

    q4 = "卫生局/卫生局_2010Q4_卫生人才引进.csv"
    raw = copy_raw(tmp_path, ["卫生局"])
    (raw / "卫生局/暂不采用").mkdir()
    (raw / q4).rename(raw / "卫生局/暂不采用/卫生局_2010Q4_卫生人才引进.csv")
    dataset, problems = read_and_check(raw, config, TODAY)
    [aside] = [p for p in problems if p.code == "file_set_aside"]
    assert aside.severity == "warning" and aside.file == "卫生局/暂不采用/卫生局_2010Q4_卫生人才引进.csv"
    assert not [p for p in problems if p.severity == "error" or p.code == "file_ignored"]
    subs = dataset.submissions.set_index("file")
    assert subs.loc["卫生局/暂不采用/卫生局_2010Q4_卫生人才引进.csv", ["status", "period"]].tolist() == ["set_aside", "2010Q4"]
    assert not dataset.observations["file"].astype(str).str.contains("暂不采用").any()
    year = analyse(config, dataset, problems, released_on=dt.date(2011, 2, 1)).progress.query(
        "target_id == 'p5-bachelors' and scope == '2010'").iloc[0]
    assert not year["final"] and year["status"] == "incomplete" and year["missing_periods"] == "2010Q4"
    assert year["set_aside"] == "卫生局/暂不采用/卫生局_2010Q4_卫生人才引进.csv"
