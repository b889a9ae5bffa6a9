"""Files whose periods contain one another: a running total after the reports of some of its months
counts only for the months left; a list over several months replaces the lists it contains;
anything that cannot be placed is refused with a message."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pipeline.basics.parse import parse_date
from pipeline.basics.periods import Period
from pipeline.build import read_and_check
from pipeline.clean import FileResult, empty_observations
from tests.conftest import TODAY, copy_raw

HEALTH_COLUMNS = "填报单位,单位,报送期,报送日期,副高以上,研究生,本科,大专,省招募医学本科生"
UNITS = ["区人民医院", "区中医院", "北山镇卫生院"]


def health_file(raw, name: str, period: str, submitted: str, bachelors: list[int]) -> None:
    """A 卫生局 file (one row per unit) with the given 本科 figures and zeros elsewhere."""
    lines = [HEALTH_COLUMNS] + [f"区卫生局,{unit},{period},{submitted},0,0,{b},0,0" for unit, b in zip(UNITS, bachelors)]
    (raw / "卫生局" / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def bachelors(dataset, period: str) -> dict[str, int]:
    obs = dataset.observations
    rows = obs[(obs["indicator"] == "p5_bachelors_recruited") & (obs["period"] == period)]
    return dict(zip(rows["breakdown"], rows["value"].astype(int)))


@pytest.fixture
def raw(tmp_path):
    return copy_raw(tmp_path, ["卫生局", "人社局", "组织部人才办"])


def test_a_running_total_counts_only_for_the_months_not_yet_reported(raw, config):
    health_file(raw, "卫生局_2011年上半年_卫生人才引进.csv", "2011年上半年", "2011-07-08", [10, 4, 1])
    health_file(raw, "卫生局_2011年1-9月累计_卫生人才引进.csv", "2011年1-9月累计", "2011-10-10", [16, 4, 3])
    dataset, problems = read_and_check(raw, config, TODAY)
    assert not [p for p in problems if p.severity == "error"]
    assert bachelors(dataset, "2011H1") == dict(zip(UNITS, [10, 4, 1]))
    assert bachelors(dataset, "2011Q3") == dict(zip(UNITS, [6, 0, 2]))  # 1-9月 less 上半年
    derived = dataset.observations[dataset.observations["period"] == "2011Q3"]
    assert derived["file"].str.contains("1-9月累计").all() and derived["derivation"].str.contains("减去已报送").all()
    # the running total's own cells are what was typed
    assert set(derived.loc[derived["indicator"] == "p5_bachelors_recruited", "raw_value"]) == {"16", "4", "3"}


def test_quarters_then_a_running_total_for_a_missing_middle_quarter(raw, config):
    health_file(raw, "卫生局_2011Q1_卫生人才引进.csv", "2011Q1", "2011-04-10", [3, 1, 0])
    health_file(raw, "卫生局_2011Q3_卫生人才引进.csv", "2011Q3", "2011-10-10", [2, 2, 2])
    health_file(raw, "卫生局_前三季度_2011_卫生人才引进.csv", "2011年前三季度", "2011-10-12", [9, 4, 3])
    dataset, problems = read_and_check(raw, config, TODAY)
    assert not [p for p in problems if p.severity == "error"]
    assert bachelors(dataset, "2011Q2") == dict(zip(UNITS, [4, 1, 1]))


def test_a_running_total_that_repeats_its_reported_parts_adds_nothing(raw, config):
    health_file(raw, "卫生局_2011年上半年_卫生人才引进.csv", "2011年上半年", "2011-07-08", [10, 4, 1])
    health_file(raw, "卫生局_2011年第二季度_卫生人才引进.csv", "2011年第二季度", "2011-07-08", [6, 2, 1])
    dataset, problems = read_and_check(raw, config, TODAY)
    assert not [p for p in problems if p.severity == "error"]
    assert bachelors(dataset, "2011Q1") == dict(zip(UNITS, [4, 2, 0]))  # the half-year less its second quarter
    assert bachelors(dataset, "2011Q2") == dict(zip(UNITS, [6, 2, 1]))
    obs = dataset.observations
    year = obs[(obs["indicator"] == "p5_bachelors_recruited") & obs["period"].str.startswith("2011")]
    assert int(year["value"].sum()) == 15


@pytest.mark.parametrize(("files", "code", "file"), [
    # 1-9月累计 smaller than the half-year already reported
    ([("卫生局_2011H1_卫生人才引进.csv", "2011年上半年", [10, 4, 1]), ("卫生局_2011年截至9月底_卫生人才引进.csv", "2011年截至9月底", [9, 4, 1])],
     "cumulative_below_parts", "卫生局/卫生局_2011年截至9月底_卫生人才引进.csv"),
    # every month already reported, and the sums disagree
    ([("卫生局_2011Q1_卫生人才引进.csv", "2011Q1", [1, 1, 1]), ("卫生局_2011Q2_卫生人才引进.csv", "2011Q2", [1, 1, 1]),
      ("卫生局_2011H1_卫生人才引进.csv", "2011H1", [2, 2, 3])], "cumulative_mismatch", "卫生局/卫生局_2011H1_卫生人才引进.csv"),
    # the months left (1月 and 7-9月) are not one run
    ([("卫生局_2011年2-6月_卫生人才引进.csv", "2011年2-6月", [1, 1, 1]), ("卫生局_2011年1-9月_卫生人才引进.csv", "2011年1-9月", [5, 5, 5])],
     "period_split_unclear", "卫生局/卫生局_2011年1-9月_卫生人才引进.csv"),
    # overlapping without one containing the other
    ([("卫生局_2011H1_卫生人才引进.csv", "2011年上半年", [1, 1, 1]), ("卫生局_2011年4-9月_卫生人才引进.csv", "2011年4-9月", [2, 2, 2])],
     "period_overlap", "卫生局/卫生局_2011年4-9月_卫生人才引进.csv"),
])
def test_periods_that_cannot_be_placed_are_refused(raw, config, files, code, file):
    for name, period, values in files:
        health_file(raw, name, period, "2011-10-10", values)
    _, problems = read_and_check(raw, config, TODAY)
    found = [p for p in problems if p.code == code]
    assert found and found[0].file == file and found[0].severity == "error", [(p.code, p.file) for p in problems]
    message = found[0].message()
    assert "发现：" in message and "处理：" in message


def skills_file(raw, name: str, period: str, new: list[int], held: list[int]) -> None:
    levels = ["初级工", "中级工", "高级工", "技师", "高级技师"]
    lines = ["季度,等级,本季新增,季末累计持证人数"] + [f"{period},{lv},{n},{h}" for lv, n, h in zip(levels, new, held)]
    (raw / "人社局" / name).write_text("\r\n".join(lines) + "\r\n", encoding="gb18030")


@pytest.mark.parametrize(("held", "error"), [(10100, False), (10200, True)])
def test_a_level_at_the_same_date_must_agree(raw, config, held, error):
    skills_file(raw, "人社局_技能人才_2011年7-9月.csv", "2011年7-9月", [10, 10, 10, 1, 1], [10100, 18500, 3800, 63, 17])
    skills_file(raw, "人社局_技能人才_2011年1-9月累计.csv", "2011年1-9月累计", [30, 30, 30, 3, 3], [held, 18500, 3800, 63, 17])
    dataset, problems = read_and_check(raw, config, TODAY)
    mismatch = [p for p in problems if p.code == "cumulative_mismatch"]
    assert bool(mismatch) == error
    if not error:
        obs = dataset.observations
        held_rows = obs[(obs["indicator"] == "p7_skilled_workers_certified") & obs["period"].str.startswith("2011")]
        assert list(held_rows["period"].unique()) == ["2011Q3"]  # the level is counted once
        new = obs[(obs["indicator"] == "p7_skilled_workers_new") & (obs["period"] == "2011H1")]
        assert int(new["value"].sum()) == 96 - 32  # 1-9月 less 7-9月: the first half-year


def test_a_list_over_several_months_replaces_the_lists_it_contains(raw, config, tmp_path):
    import openpyxl

    src = raw / "组织部人才办" / "2010年度优秀创新创业人才认定名单.xlsx"
    half = raw / "组织部人才办" / "2011年上半年优秀创新创业人才认定名单.xlsx"
    year = raw / "组织部人才办" / "2011年度优秀创新创业人才认定名单.xlsx"
    for target, months in ((half, 6), (year, 12)):
        wb = openpyxl.load_workbook(src)
        ws = wb.worksheets[0]
        for row in ws.iter_rows():
            for cell in row:
                if getattr(cell, "column", None) == 9 and cell.row > 3 and cell.value:  # 认定日期: into the file's months of 2011
                    day = parse_date(cell.value)
                    cell.value = dt.date(2011, min(day.month, months), min(day.day, 28))
                elif isinstance(cell.value, str):
                    cell.value = cell.value.replace("2010年度", "2011年上半年" if months == 6 else "2011年度")
        wb.save(target)
    for earlier in (src, raw / "组织部人才办" / "2009年度优秀创新创业人才认定名单.xlsx"):
        earlier.unlink()  # the same people, named again in 2011, would be counted twice
    dataset, problems = read_and_check(raw, config, TODAY)
    assert not [p for p in problems if p.severity == "error"], [(p.code, p.file, p.found) for p in problems if p.severity == "error"]
    subs = dataset.submissions.set_index("file")
    assert subs.loc["组织部人才办/2011年上半年优秀创新创业人才认定名单.xlsx", "status"] == "superseded"
    assert subs.loc["组织部人才办/2011年上半年优秀创新创业人才认定名单.xlsx", "superseded_by"] == \
        "组织部人才办/2011年度优秀创新创业人才认定名单.xlsx"
    obs = dataset.observations
    assert not obs["file"].str.contains("上半年").any()
    in_2011 = obs[obs["period"].map(lambda p: Period.from_label(p).year == 2011)]
    named = sum(1 for row in openpyxl.load_workbook(year).worksheets[0].iter_rows(min_row=4) if row[8].value)
    assert set(in_2011["file"]) == {"组织部人才办/2011年度优秀创新创业人才认定名单.xlsx"}
    assert named > 0 and in_2011["value"].sum() == named  # each person of the year's list counted once


def test_a_running_total_meets_its_quarter_whatever_the_company_s_name_is_written(config, tmp_path):
    """2011Q1 writes 龙腾钢结构工程 (completed to its full name everywhere), 1-6月累计 writes it in full."""
    raw = copy_raw(tmp_path, ["科技局"])
    header = "企业名称,季度,高层次经营管理人才,科技人才团队,紧缺专业技术人才(本科以上)"
    for name, row in (("科技局_2011Q1_企业引才情况.csv", "龙腾钢结构工程,2011Q1,1,0,3"),
                      ("科技局_2011年1-6月累计_企业引才情况.csv", "龙腾钢结构工程有限公司,2011年1-6月累计,1,0,5")):
        (raw / "科技局" / name).write_text(f"{header}\r\n{row}\r\n", encoding="gb18030")
    dataset, problems = read_and_check(raw, config, TODAY)
    assert not [p for p in problems if p.severity == "error"], [p.found for p in problems]
    obs = dataset.observations
    scarce = obs[(obs["indicator"] == "p3_scarce_professionals_recruited") & obs["period"].str.startswith("2011")]
    assert dict(zip(scarce["period"], scarce["value"])) == {"2011Q1": 3, "2011Q2": 2}
    assert set(scarce["breakdown"]) == {"龙腾钢结构工程有限公司"}


def _file(name: str, period: str, source_id: str = "p5_health_recruitment", value: int = 1) -> FileResult:
    """A cleaned file of one figure (区人民医院's bachelors) for a period."""
    span = Period.from_label(period)
    observations = pd.concat([empty_observations(), pd.DataFrame([{
        "source_id": source_id, "department": "区卫生局", "file": name, "sheet": None, "row": 2, "column": "本科",
        "period": period, "period_start": span.start, "period_end": span.end, "indicator": "p5_bachelors_recruited",
        "breakdown": "区人民医院", "raw_value": str(value), "value": value, "submitted_on": span.end,
        "derivation": ""}])], ignore_index=True)
    return FileResult(submission={"file": name, "source_id": source_id, "period": period, "status": "used",
                                  "indicators": "p5_bachelors_recruited"},
                      observations=observations)


@pytest.mark.parametrize(("periods", "overlap"), [
    (["2011H1", "2011Q2"], False),  # one contains the other: differenced, no overlap
    (["2011Q1", "2011Q2", "2011Q3"], False),  # side by side
    (["2011H1", "2011-04-09"], True),  # April to September overlaps the half-year without containing it
])
def test_two_periods_that_overlap_without_one_containing_the_other_cannot_be_told_apart(config, periods, overlap):
    from pipeline.combine.nesting import resolve_nesting

    labels = {"2011-04-09": "2011M04-M09"}
    results = [_file(f"卫生局/{i}.csv", labels.get(p, p)) for i, p in enumerate(periods)]
    problems, _ = resolve_nesting(results, config)
    assert [p.code for p in problems if p.code == "period_overlap"] == (["period_overlap"] if overlap else [])
