"""The cleaner's parts, each on a small grid made here: header and column names, kinds of rows,
periods from several places, names, table values and totals, records and their dates."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pipeline.basics.periods import Period
from pipeline.clean import clean_file, layout, when
from pipeline.clean.context import FileContext, rows_text
from pipeline.clean.names import canonical_names
from pipeline.clean.records import event_periods
from pipeline.gate.read import Grid
from tests.conftest import TODAY


def grid(rows: list[list], file: str = "卫生局/卫生局_2011Q1_卫生人才引进.csv", **kw) -> Grid:
    width = max(len(r) for r in rows)
    cells = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows], dtype=object)
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    return Grid(file=file, kind=kw.pop("kind", "csv"), cells=cells, **kw)


def context(config, g: Grid, source_id: str = "p5_health_recruitment") -> FileContext:
    return FileContext(g, source_id, config.sources[source_id], config, TODAY)


HEALTH_HEADER = ["填报单位", "单位", "报送期", "报送日期", "副高以上", "研究生", "本科", "大专", "省招募医学本科生"]


def health_rows(*rows: list) -> list[list]:
    return [HEALTH_HEADER, *rows]


def test_the_header_is_found_below_title_rows(config):
    g = grid([["2011年第一季度卫生人才引进情况"], [None], HEALTH_HEADER, ["区卫生局", "区中医院", "2011Q1", "2011-04-02", 1, 0, 2, 0, 0]])
    ctx = context(config, g)
    assert layout.find_header(ctx) == 3 and not ctx.problems


def test_no_header_is_one_problem_that_names_the_expected_column(config):
    ctx = context(config, grid([["医院", "人数"], ["区中医院", 1]]))
    assert layout.find_header(ctx) is None
    [problem] = ctx.problems
    assert problem.code == "header_missing" and "单位" in problem.expected


def test_two_header_rows_and_merged_cells_give_joined_names(config):
    g = grid([["学校类别", "区级", None], [None, "学科带头人", "教坛新秀"]], file="教育局/2011年名特优教师培养情况统计表.xlsx",
             kind="xlsx", merged=((1, 1, 1, 2), (1, 0, 2, 0)))
    ctx = context(config, g, "p4_teachers")
    assert layout.column_names(ctx, 1) == ["学校类别", "区级/学科带头人", "区级/教坛新秀"]
    assert ctx.actions[("multirow_header", "")] == 1


def test_rows_are_sorted_into_data_totals_notes_and_blanks(config):
    body = pd.DataFrame({"单位": ["区中医院", "合计", None, "填表人：张三", None],
                         "本科": [1, 1, None, None, None]}, index=range(2, 7), dtype=object)
    kinds = layout.classify_rows(context(config, grid([["x"]])), body)
    assert kinds.tolist() == [layout.ROW_DATA, layout.ROW_TOTAL, layout.ROW_BLANK, layout.ROW_NOTE, layout.ROW_BLANK]


def test_personal_and_unknown_columns_are_dropped_and_counted(config):
    header = ["序号", "姓名", "身份证号", "联系电话", "学历", "招录类别", "报到日期", "备用"]
    g = grid([header, [1, "张三", "110101199003077777", "13800000000", "本科", "公务员", "2011-01-05", "x"]],
             file="人事局/2011年度本科以上毕业生招录名单.csv")
    ctx = context(config, g, "p8_graduates")
    table = layout.read_table(ctx)
    assert "姓名" not in table.body.columns and "联系电话" not in table.body.columns and "备用" not in table.body.columns
    assert list(table.person_columns.columns) == ["身份证号"]  # kept apart, for the duplicate check only
    assert [p.code for p in ctx.problems] == ["column_unexpected"]
    assert ctx.actions[("personal_cells", "姓名、身份证号、联系电话")] == 3


@pytest.mark.parametrize(("name", "title", "column", "period", "code"), [
    ("卫生局_2011Q1_卫生人才引进", "", "2011年第一季度", Period.quarter_of(2011, 1), None),
    ("卫生局_2011年上半年_卫生人才引进", "", "2011年上半年", Period(2011, 1, 6), None),
    ("卫生局_2011Q1_卫生人才引进", "", "2011年第二季度", None, "period_conflict"),
    ("卫生局_2011_卫生人才引进", "", "2011年第一季度", None, "period_conflict"),  # the whole year, or its first quarter?
    ("卫生局_2011年上旬_卫生人才引进", "", "2011年第一季度", None, "period_unclear"),
    ("卫生局_卫生人才引进", "", "第一季度", None, "period_unclear"),  # a cell without its year
])
def test_the_period_from_name_and_column(config, name, title, column, period, code):
    g = grid(health_rows(["区卫生局", "区中医院", column, "2011-04-02", 1, 0, 2, 0, 0]), file=f"卫生局/{name}.csv")
    ctx = context(config, g)
    data = layout.read_table(ctx).body
    assert when.file_period(ctx, title, data) == period
    assert [p.code for p in ctx.problems if p.severity == "error"] == ([code] if code else [])


def test_a_title_that_names_only_the_months_must_agree_with_the_year_named_elsewhere(config):
    g = grid([["第一季度农村实用人才培训情况统计表"], ["街镇", "合作经济组织专业人员", "农村劳动力转移培训", "农村实用技术培训"],
              ["北山镇", 1, 2, 3]], file="农工办/农工办_2011Q1_农村实用人才培训.xlsx", kind="xlsx")
    ctx = context(config, g, "p6_rural_training")
    table = layout.read_table(ctx)
    assert when.file_period(ctx, " ".join(map(str, table.title_cells)), table.body) == Period.quarter_of(2011, 1)
    ctx2 = context(config, Grid(**{**g.__dict__, "file": "农工办/农工办_2011Q2_农村实用人才培训.xlsx"}), "p6_rural_training")
    assert when.file_period(ctx2, " ".join(map(str, table.title_cells)), table.body) is None
    assert [p.code for p in ctx2.problems] == ["period_conflict"]


def test_a_yearly_form_as_of_september_reads_its_running_total_to_september_as_the_year(config):
    ctx = context(config, grid([["x"]], file="教育局/2011年名特优教师培养情况统计表（截至9月底）.xlsx"), "p4_teachers")
    assert when.file_period(ctx, "", pd.DataFrame()) == Period.whole_year(2011)
    assert when.check_period(ctx, Period.whole_year(2011)) == dt.date(2011, 9, 30)


def test_names_are_made_canonical_and_unknown_ones_are_errors(config):
    values = pd.Series(["北山", " 北山镇 ", "北山乡", None], index=[2, 3, 4, 5], dtype=object)
    ctx = context(config, grid([["x"]], file="农工办/农工办_2011Q1.xlsx"), "p6_rural_training")
    names = canonical_names(ctx, values, "towns", "街镇", "街镇")
    assert names.tolist() == ["北山镇", "北山镇", None, None]
    assert sorted((p.code, p.row) for p in ctx.problems) == [("name_blank", 5), ("name_unknown", 4)]


@pytest.mark.parametrize("blank", [None, "", " ", "\u3000", " \t\u3000"], ids=["missing", "empty", "space", "full-width space", "mixed"])
@pytest.mark.parametrize(("vocabulary", "source"), [("towns", "p6_rural_training"), ("companies", "p3_enterprise_recruitment")])
def test_a_blank_name_is_an_error_in_any_vocabulary(config, vocabulary, source, blank):
    """A company (any name is accepted) left blank, or only spaces, is refused like a blank town:
    it was a pandera SchemaError (a null breakdown) when the file was published."""
    known = "北山" if vocabulary == "towns" else "绿源农业科技有限公司"
    values = pd.Series([known, blank, known + "2"], index=[2, 3, 4], dtype=object)
    ctx = context(config, grid([["x"]]), source)
    canonical_names(ctx, values, vocabulary, "名称", "名称")
    [problem] = [p for p in ctx.problems if p.code == "name_blank"]
    assert (problem.row, problem.column) == (3, "名称") and "第 3 行" in problem.fix and "空白" in problem.found


def test_a_whole_health_file_gives_one_observation_per_value_cell(config):
    g = grid(health_rows(["区卫生局", "区中医院", "2011年第一季度", "2011-04-02", 1, "—", "２", "3人", "1,000"]))
    result = clean_file(g, "p5_health_recruitment", config.sources["p5_health_recruitment"], config, TODAY)
    assert not result.failed
    obs = result.observations.set_index("column")
    assert obs["value"].to_dict() == {"副高以上": 1, "研究生": 0, "本科": 2, "大专": 3, "省招募医学本科生": 1000}
    assert set(obs["period"]) == {"2011Q1"} and set(obs["row"]) == {2}
    assert result.submission["status"] == "used" and result.submission["submitted_on"] == dt.date(2011, 4, 2)


def test_a_total_row_that_disagrees_is_a_warning_and_not_counted(config):
    g = grid(health_rows(["区卫生局", "区中医院", "2011Q1", "2011-04-02", 1, 0, 2, 0, 0],
                         ["区卫生局", "区人民医院", "2011Q1", "2011-04-02", 1, 0, 3, 0, 0],
                         [None, "合计", None, None, 2, 0, 6, 0, 0]))
    result = clean_file(g, "p5_health_recruitment", config.sources["p5_health_recruitment"], config, TODAY)
    [warning] = result.problems
    assert (warning.code, warning.row, warning.column) == ("total_mismatch", 4, "本科")
    assert int(result.observations.loc[result.observations["column"] == "本科", "value"].sum()) == 5


def test_records_are_placed_in_the_quarter_of_their_date_within_the_files_months(config):
    ctx = context(config, grid([["x"]], file="人事局/2011年1-5月本科以上毕业生招录名单.csv"), "p8_graduates")
    dates = pd.Series(["2011-01-05", "2011.5.20", dt.datetime(2011, 4, 1), "2011-06-01"], index=[2, 3, 4, 5], dtype=object)
    labels = event_periods(ctx, dates, Period(2011, 1, 5))
    assert labels.tolist() == ["2011Q1", "2011M04-M05", "2011M04-M05", None]
    [problem] = ctx.problems
    assert (problem.code, problem.row) == ("date_outside_period", 5)


@pytest.mark.parametrize(("rows", "text"), [([6], "第 6 行"), ([2, 14], "第 2、14 行"),
                                            (list(range(1, 12)), "第 1、2、3、4、5、6、7、8 等 11 行")])
def test_rows_are_listed_for_staff(rows, text):
    assert rows_text(rows) == text


def test_nothing_is_dropped_without_a_count(config):
    """Every row of a file is data, total, note, blank, title or header: the counts add up."""
    g = grid([["2011年第一季度"], HEALTH_HEADER, ["区卫生局", "区中医院", "2011Q1", "2011-04-02", 1, 0, 2, 0, 0],
              [None] * 9, ["注：—表示无"] + [None] * 8])
    result = clean_file(g, "p5_health_recruitment", config.sources["p5_health_recruitment"], config, TODAY)
    counted = {k[0]: v for k, v in result.actions.items() if k[0] in ("title_rows", "blank_rows", "note_rows")}
    header_rows = 1
    assert result.submission["rows_data"] + sum(counted.values()) + header_rows == len(g.cells)
    assert np.all(result.observations["row"] == 3)


# -- a column written with its unit or its months ------------------------------------------------

SKILLS_HEADER = ["季度", "等级", "本季新增", "季末累计持证人数"]


def test_a_column_named_with_its_months_is_read_as_its_column_and_cited_as_written(config):
    """1-9月累计新增, 9月末累计持证人数 and 统计期 in a running total's file (人社局, 2011)."""
    g = grid([["统计期", "等级", "1-9月累计新增", "9月末累计持证人数"], ["2011年1-9月累计", "初级工", 300, 9300]],
             file="人社局/人社局_技能人才_2011年1-9月累计.csv")
    result = clean_file(g, "p7_skilled_workers", config.sources["p7_skilled_workers"], config, TODAY)
    assert result.problems == [] and result.submission["period"] == "2011M01-M09"
    obs = result.observations.set_index("indicator")
    assert obs.loc["p7_skilled_workers_new", "value"] == 300 and obs.loc["p7_skilled_workers_certified", "value"] == 9300
    assert obs.loc["p7_skilled_workers_new", "column"] == "1-9月累计新增"  # the cell is found by the header as written
    assert result.actions[("column_named", "1-9月累计新增→本季新增")] == 1


def test_a_column_named_with_its_unit_is_read_and_its_unit_checked(config):
    """农工办 heads a column with its indicator's name and unit: 农村财务人员培训（人次）."""
    header = ["街镇", "合作经济组织专业人员", "农村财务人员培训（人次）", "农村劳动力转移培训", "农村实用技术培训"]
    g = grid([header, ["北山镇", 10, 7, 20, 30]], file="农工办/农工办_2011年第四季度农村实用人才培训.xlsx", kind="xlsx",
             sheet="Sheet1")
    result = clean_file(g, "p6_rural_training", config.sources["p6_rural_training"], config, TODAY)
    assert [p.code for p in result.problems] == ["submitted_missing"]  # this grid has no 填报日期, no more
    assert dict(zip(result.observations["indicator"], result.observations["value"]))["p6_rural_finance_staff_trained"] == 7
    wrong = grid([[*header[:2], "农村财务人员培训（人）", *header[3:]], ["北山镇", 10, 7, 20, 30]],
                 file="农工办/农工办_2011年第四季度农村实用人才培训.xlsx", kind="xlsx", sheet="Sheet1")
    [problem] = [p for p in clean_file(wrong, "p6_rural_training", config.sources["p6_rural_training"], config,
                                       TODAY).problems if p.severity == "error"]
    assert problem.code == "column_unit" and problem.severity == "error" and "人次" in problem.expected


@pytest.mark.parametrize(("header", "code"), [
    (["季度", "等级", "1-6月累计新增", "季末累计持证人数"], "period_conflict"),  # months that are not the file's
    (["季度", "等级", "本季新增", "本季新增人数"], "column_unclear"),  # a second 新增 beside the first
    (["季度", "等级", "本季新增", "季末累计持证人数", "备注"], "column_unexpected"),  # like nothing the form has: a warning
])
def test_a_column_that_resembles_one_but_cannot_be_placed_stops_the_build(config, header, code):
    g = grid([header, ["2011年第一季度", "初级工", 100, 9100, None][:len(header)]],
             file="人社局/人社局_技能人才_2011年1-3月.csv")
    problems = clean_file(g, "p7_skilled_workers", config.sources["p7_skilled_workers"], config, TODAY).problems
    assert [p.code for p in problems] == [code]
    assert problems[0].severity == ("warning" if code == "column_unexpected" else "error")
