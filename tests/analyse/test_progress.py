"""Progress formulas on small, hand-made series (the methodology page states the same rules).

The targets are the sample plan's (config/plan.yml), one of each kind, named on purpose: each series
is made for its target's value, unit, source and due dates, which the assertions work out by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pipeline.analyse.progress import elapsed_fraction, months_between, release_date, status_from_pace, target_progress
from pipeline.analyse.series import aggregate, count_series, share_series
from pipeline.basics.periods import Period

D = dt.date


@pytest.mark.parametrize(
    ("start", "through", "months"),
    [
        (D(2009, 1, 1), D(2009, 3, 31), 3.0),
        (D(2009, 1, 1), D(2009, 12, 31), 12.0),
        (D(2009, 1, 1), D(2011, 12, 31), 36.0),
        (D(2009, 1, 1), D(2010, 9, 30), 21.0),
        (D(2009, 1, 1), D(2009, 1, 15), 15 / 31),
        (D(2009, 3, 31), D(2011, 12, 31), 33 + 1 / 31),
        (D(2009, 1, 1), D(2008, 12, 31), 0.0),
    ],
)
def test_months_between(start, through, months):
    assert months_between(start, through) == pytest.approx(months)


def test_elapsed_fraction_is_clamped_to_the_window():
    window = (D(2009, 1, 1), D(2011, 12, 31))
    assert elapsed_fraction(*window, None) == 0
    assert elapsed_fraction(*window, D(2008, 6, 30)) == 0
    assert elapsed_fraction(*window, D(2010, 12, 31)) == pytest.approx(2 / 3)
    assert elapsed_fraction(*window, D(2012, 3, 31)) == 1


@pytest.mark.parametrize(
    ("pace", "achieved", "final", "status"),
    [
        (1.30, True, False, "achieved"),
        (0.95, False, False, "on_track"),
        (0.9499, False, False, "behind"),
        (0.60, False, False, "behind"),
        (0.5999, False, False, "well_behind"),
        (0.0, False, False, "well_behind"),
        (0.97, False, True, "missed"),  # a year that has ended cannot be "on track" or "behind"
        (0.50, False, True, "missed"),
        (1.00, True, True, "achieved"),
    ],
)
def test_status_thresholds(config, pace, achieved, final, status):
    assert status_from_pace(pace, achieved=achieved, final=final, config=config) == status


def _obs(indicator, rows):
    """rows: (period label, breakdown, value)."""
    frame = pd.DataFrame([{"indicator": indicator, "period": p, "breakdown": b, "value": v} for p, b, v in rows],
                         columns=["indicator", "period", "breakdown", "value"])
    frame["period_start"] = frame["period"].map(lambda p: Period.from_label(p).start)
    frame["period_end"] = frame["period"].map(lambda p: Period.from_label(p).end)
    return frame


def _series(target, rows):
    """The target's series from (period label, breakdown, value) rows, as the build makes it."""
    obs = _obs(target.measure.indicator, rows)
    return all_series_of(target, aggregate(obs))


def all_series_of(target, aggregated):
    return (share_series if target.kind == "end_state" else count_series)(aggregated, target)


def _subs(indicator, periods, submitted=None, source_id="p8_graduates"):
    """Files that reported an indicator: period labels (coverage: the period; 教育局: to 30 September)."""
    rows = []
    for label in periods:
        period = Period.from_label(label)
        end = D(period.year, 9, 30) if source_id == "p4_teachers" and period.is_year else period.end
        rows.append({"status": "used", "indicators": indicator, "period": label, "coverage_start": period.start,
                     "coverage_end": end, "submitted_on": submitted, "source_id": source_id})
    return pd.DataFrame(rows, columns=["status", "indicators", "period", "coverage_start", "coverage_end",
                                       "submitted_on", "source_id"])


def test_cumulative_target_pace_and_projection(config):
    target = config.target("p8-graduates-recruited")  # 500 over three years
    quarters = ["2009Q1", "2009Q2", "2009Q3", "2009Q4", "2010Q1"]
    series = _series(target, [(q, "公务员", 40) for q in quarters])
    subs = _subs(target.measure.indicator, ["2009", "2010Q1"])
    [p] = target_progress(config, target, series, subs, D(2010, 4, 10))
    # 200 done after 15 of 36 months: expected 208.3, pace 0.96, projection 480
    assert p.result_value == 200
    assert p.expected_pct == pytest.approx(15 / 36 * 100) and p.expected_value == pytest.approx(500 * 15 / 36)
    assert p.pace_ratio == pytest.approx(200 / (500 * 15 / 36))
    assert p.status == "on_track"
    assert p.projected_value == pytest.approx(480)
    assert not p.final and p.data_through == D(2010, 3, 31)


def test_annual_target_is_judged_year_by_year(config):
    target = config.target("p7-new-skilled-workers")  # 2,000 a year
    quarters = ["2009Q1", "2009Q2", "2009Q3", "2009Q4", "2010Q1"]
    rows = [(q, "初级工", 500) for q in quarters[:3]] + [("2009Q4", "初级工", 440), ("2010Q1", "初级工", 300)]
    subs = _subs(target.measure.indicator, quarters, source_id="p7_skilled_workers")
    years = {p.scope: p for p in target_progress(config, target, _series(target, rows), subs, D(2010, 4, 10))}
    assert years["2009"].result_value == 1940 and years["2009"].final
    assert years["2009"].status == "missed"  # 97% of a finished year: missed, not "on track"
    assert "未达到目标" in years["2009"].reason_zh and "97.0%" in years["2009"].reason_zh
    assert years["2009"].projected_value is None  # nothing to project once final
    assert years["2010"].result_value == 300 and years["2010"].expected_pct == pytest.approx(25)
    assert years["2010"].status == "behind"  # 300 of an expected 500: pace 0.60, the lowest "behind"
    assert years["2011"].status == "not_due" and not years["2011"].is_headline  # 2011Q1 due 15 April
    # "每年" is missed once one year was: the plan's row, naming that year, is what the target reads
    plan = years["2009-2011"]
    assert plan.is_headline and plan.status == "missed" and plan.final and not years["2010"].is_headline
    assert plan.figure_zh == "2009年 1,940名（目标每年 2,000名）"


def test_share_target_compares_the_gap_closed_with_time(config):
    target = config.target("p7-mix-senior")  # at least 15% senior, end of 2011
    ind = target.measure.indicator
    series = _series(target, [("2009Q1", "高级工", 100), ("2009Q1", "初级工", 900),
                               ("2010Q1", "高级工", 130), ("2010Q1", "初级工", 870)])
    subs = _subs(ind, ["2009Q1", "2010Q1"], source_id="p7_skilled_workers")
    [p] = target_progress(config, target, series, subs, D(2010, 4, 10))
    # 10% -> 13%: 60% of the gap to 15% closed in 12 of the 33 months from the baseline
    assert p.baseline_value == pytest.approx(10) and p.result_value == pytest.approx(13)
    assert p.completion_pct == pytest.approx(60)
    elapsed = 12 / 33
    assert p.pace_ratio == pytest.approx(0.6 / elapsed)
    assert p.status == "on_track"
    assert p.projected_value == pytest.approx(10 + 3 / elapsed)


def test_at_most_share_target_is_met_from_above(config):
    target = config.target("p7-mix-junior")  # at most 20% junior
    ind = target.measure.indicator
    series = _series(target, [("2009Q1", "初级工", 30), ("2009Q1", "中级工", 70),
                              ("2009Q2", "初级工", 19), ("2009Q2", "中级工", 81)])
    subs = _subs(ind, ["2009Q1", "2009Q2"], source_id="p7_skilled_workers")
    [p] = target_progress(config, target, series, subs, D(2009, 7, 10))
    assert p.result_value == pytest.approx(19) and p.status == "achieved"


def test_no_data_is_a_status_and_is_overdue(config):
    target = config.target("p6-rural-finance-staff")
    rows = target_progress(config, target, _series(target, []), _subs(target.measure.indicator, []), D(2011, 1, 10))
    assert [p.status for p in rows] == ["no_data", "no_data", "not_due"]  # 2011's first quarter is due in April
    assert all(p.overdue and p.next_due_on == D(2009, 4, 15) for p in rows)


def test_next_figures_due_after_the_period_and_its_grace_days(config):
    target = config.target("p4-district-teaching-newcomers")  # yearly, as of 30 September, due 15 days later
    series = _series(target, [("2009", "中学", 80)])
    subs = _subs(target.measure.indicator, ["2009"], submitted=D(2009, 10, 15), source_id="p4_teachers")
    [p] = target_progress(config, target, series, subs, D(2010, 11, 1))
    assert p.next_due_on == D(2010, 10, 15) and p.overdue
    assert p.last_submitted_on == D(2009, 10, 15) and p.last_period == "2009"


def test_release_date_is_the_latest_submission_or_coverage(sample):
    assert release_date(sample.submissions) == D(2011, 1, 10)


def test_a_year_without_any_file_stays_no_data_whatever_later_years_hold(config):
    """A first figure in 2011 does not turn 2009 and 2010 into zeros that are well behind."""
    target = config.target("p3-senior-managers")
    subs = _subs(target.measure.indicator, ["2011Q1"], source_id="p3_enterprise_recruitment")
    years = {p.scope: p for p in target_progress(config, target, _series(target, [("2011Q1", "甲公司", 4)]), subs,
                                                 D(2011, 4, 12))}
    for year in ("2009", "2010"):
        assert years[year].status == "no_data" and years[year].result_value is None and not years[year].final
    assert years["2011"].result_value == 4 and years["2011"].is_headline


def test_a_half_year_counts_once_in_its_year_and_the_year_is_final_with_its_last_months(config):
    target = config.target("p7-new-skilled-workers")  # 2,000 a year
    periods = ["2011H1", "2011Q3", "2011Q4"]
    subs = _subs(target.measure.indicator, periods, source_id="p7_skilled_workers")
    series = _series(target, [("2011H1", "初级工", 1000), ("2011Q3", "初级工", 500), ("2011Q4", "初级工", 600)])
    after_half = {p.scope: p for p in target_progress(config, target, series[series["period"] == "2011H1"],
                                                       subs[subs["period"] == "2011H1"], D(2011, 7, 10))}
    assert after_half["2011"].data_through == D(2011, 6, 30) and after_half["2011"].elapsed_pct == pytest.approx(50)
    assert after_half["2011"].status == "on_track" and not after_half["2011"].final
    year = {p.scope: p for p in target_progress(config, target, series, subs, D(2012, 1, 10))}["2011"]
    assert year.result_value == 2100 and year.final and year.status == "achieved"


def test_a_once_a_year_figure_is_not_due_before_its_date_then_overdue(config):
    target = config.target("p2-key-development")  # named each year, the list due 20 days after December
    subs = _subs(target.measure.indicator, ["2009", "2010"], source_id="p2_entrepreneurs")
    series = _series(target, [("2009", "重点发展的企业家", 10), ("2010", "重点发展的企业家", 11)])
    autumn = {p.scope: p for p in target_progress(config, target, series, subs, D(2011, 10, 20))}
    assert autumn["2011"].status == "not_due" and "2012年1月20日" in autumn["2011"].reason_zh
    assert autumn["2010"].is_headline and not autumn["2011"].overdue
    late = {p.scope: p for p in target_progress(config, target, series, subs, D(2012, 2, 1))}
    assert late["2011"].status == "no_data" and late["2011"].overdue


@pytest.mark.parametrize(("values", "status"), [((10, 11, 12), "achieved"), ((10, 9, 12), "missed")])
def test_an_annual_target_is_met_over_the_plan_when_every_year_is(config, values, status):
    target = config.target("p2-key-development")
    subs = _subs(target.measure.indicator, ["2009", "2010", "2011"], source_id="p2_entrepreneurs")
    series = _series(target, [(str(y), "重点发展的企业家", v) for y, v in zip((2009, 2010, 2011), values)])
    rows = target_progress(config, target, series, subs, D(2012, 1, 20))
    plan = rows[-1]
    assert plan.scope == "2009-2011" and plan.is_headline and plan.final and plan.status == status
    assert sum(p.is_headline for p in rows) == 1
    if status == "missed":
        assert "2010年（9名）" in plan.reason_zh


def test_a_yearly_form_as_of_september_gives_the_final_result_with_its_last_year(config):
    target = config.target("p4-district-teaching-newcomers")  # 150 over the plan, figures as of 30 September
    subs = _subs(target.measure.indicator, ["2009", "2010", "2011"], source_id="p4_teachers")
    series = _series(target, [("2009", "中学", 50), ("2010", "中学", 50), ("2011", "中学", 45)])
    [p] = target_progress(config, target, series, subs, D(2011, 10, 15))
    assert p.final and p.status == "missed" and p.result_value == 145 and p.projected_value is None
    assert p.next_due_on is None and not p.overdue  # nothing more can come within the plan


@pytest.mark.parametrize(("senior", "status"), [(150, "achieved"), (140, "missed")])
def test_a_share_target_reads_as_final_at_the_plans_end(config, senior, status):
    target = config.target("p7-mix-senior")  # at least 15%
    ind = target.measure.indicator
    series = _series(target, [("2009Q1", "高级工", 100), ("2009Q1", "初级工", 900),
                              ("2011Q4", "高级工", senior), ("2011Q4", "初级工", 1000 - senior)])
    subs = _subs(ind, ["2009Q1", "2011Q4"], source_id="p7_skilled_workers")
    [p] = target_progress(config, target, series, subs, D(2012, 1, 15))
    assert p.final and p.status == status and p.projected_value is None
    assert p.result_of_target_pct == pytest.approx(senior / 10 / 15 * 100)


# -- final means complete ------------------------------------------------------------------------

EARLIER_QUARTERS = [f"{y}Q{q}" for y in (2009, 2010) for q in (1, 2, 3, 4)]


def _set_aside(subs: pd.DataFrame, file: str, label: str, source_id: str) -> pd.DataFrame:
    """A file received and set aside (暂不采用): named, its period known, nothing counted."""
    period = Period.from_label(label)
    row = {"status": "set_aside", "indicators": "", "period": label, "coverage_start": period.start,
           "coverage_end": period.end, "submitted_on": None, "source_id": source_id, "file": file}
    return pd.concat([subs.assign(file=[f"f{i}" for i in range(len(subs))]), pd.DataFrame([row])], ignore_index=True)


def test_a_year_with_a_quarter_missing_is_not_final_and_says_what_its_figure_covers(config):
    target = config.target("p7-new-skilled-workers")  # 2,000 a year
    quarters = EARLIER_QUARTERS + ["2011Q1", "2011Q2", "2011Q4"]  # the third quarter of 2011 never came
    subs = _subs(target.measure.indicator, quarters, source_id="p7_skilled_workers")
    series = _series(target, [("2011Q1", "初级工", 521), ("2011Q2", "初级工", 520), ("2011Q4", "初级工", 522)])
    year = {p.scope: p for p in target_progress(config, target, series, subs, D(2012, 2, 1))}["2011"]
    assert year.data_through == D(2011, 12, 31) and year.result_value == 1563
    assert not year.final and year.over and year.status == "incomplete" and year.missing_periods == "2011Q3"
    assert year.figure_zh == "2011年缺第三季度数据：已报三个季度合计 1,563名"
    assert year.reason_zh.startswith("2011年缺第三季度数据：已报三个季度合计 1,563名，为目标 2,000名 的 78.1%")
    assert year.pace_ratio is None and year.projected_value is None and year.expected_value is None
    assert year.next_period == "2011Q3" and year.overdue  # due 15 October 2011


def test_figures_that_reach_the_target_with_a_quarter_missing_are_achieved_but_not_final(config):
    target = config.target("p7-new-skilled-workers")
    subs = _subs(target.measure.indicator, ["2011Q1", "2011Q2", "2011Q4"], source_id="p7_skilled_workers")
    series = _series(target, [("2011Q1", "初级工", 700), ("2011Q2", "初级工", 700), ("2011Q4", "初级工", 700)])
    year = {p.scope: p for p in target_progress(config, target, series, subs, D(2012, 2, 1))}["2011"]
    assert year.status == "achieved" and not year.final and year.missing_periods == "2011Q3"
    assert "缺第三季度数据" in year.reason_zh


def test_a_gap_while_the_year_runs_is_named_and_the_pace_counts_the_months_reported(config):
    target = config.target("p7-new-skilled-workers")
    subs = _subs(target.measure.indicator, EARLIER_QUARTERS + ["2011Q1", "2011Q3"], source_id="p7_skilled_workers")
    series = _series(target, [("2011Q1", "初级工", 500), ("2011Q3", "初级工", 500)])
    year = {p.scope: p for p in target_progress(config, target, series, subs, D(2011, 10, 20))}["2011"]
    assert not year.over and year.missing_periods == "2011Q2" and year.status == "on_track"
    assert year.elapsed_pct == pytest.approx(50)  # two quarters reported of four, not three
    assert year.reason_zh.startswith("2011年缺第二季度数据：已报两个季度合计 1,000名（按已报的各期计算进度）")
    assert year.next_period == "2011Q2" and year.next_due_on == D(2011, 7, 15) and year.overdue


def test_a_file_set_aside_keeps_every_window_it_would_feed_from_being_final(config):
    target = config.target("p7-new-skilled-workers")
    quarters = ["2011Q1", "2011Q2", "2011Q3", "2011Q4"]
    subs = _subs(target.measure.indicator, quarters, source_id="p7_skilled_workers")
    subs = _set_aside(subs, "人社局/暂不采用/人社局_技能人才_2011年第二季度（更正）.csv", "2011Q2", "p7_skilled_workers")
    series = _series(target, [(q, "初级工", 400) for q in quarters])
    year = {p.scope: p for p in target_progress(config, target, series, subs, D(2012, 2, 1))}["2011"]
    assert year.status == "incomplete" and not year.final and year.missing_periods == ""
    assert year.set_aside == "人社局/暂不采用/人社局_技能人才_2011年第二季度（更正）.csv"
    assert year.figure_zh == "2011年有报来的文件暂不采用：已报四个季度合计 1,600名"
    assert "已收到但暂不采用的文件：人社局_技能人才_2011年第二季度（更正）.csv" in year.reason_zh
    # a quarter missing whose file was set aside: said once
    both = _subs(target.measure.indicator, ["2011Q1", "2011Q2", "2011Q4"], source_id="p7_skilled_workers")
    both = _set_aside(both, "人社局/暂不采用/人社局_技能人才_2011年第三季度.csv", "2011Q3", "p7_skilled_workers")
    sent = series[series["period"] != "2011Q3"]
    year = {p.scope: p for p in target_progress(config, target, sent, both, D(2012, 2, 1))}["2011"]
    assert year.figure_zh == "2011年缺第三季度数据（报来的文件暂不采用）：已报三个季度合计 1,200名"


def test_after_the_plans_end_no_window_is_judged_by_its_pace(config):
    """A cumulative target whose figures stop in June 2011, and a share whose last level is
    September's: once the plan has ended, both say what is missing, never a pace."""
    graduates = config.target("p8-graduates-recruited")
    subs = _subs(graduates.measure.indicator, ["2009", "2010", "2011H1"])
    series = _series(graduates, [("2009", "公务员", 150), ("2010", "公务员", 160), ("2011Q2", "公务员", 80)])
    [p] = target_progress(config, graduates, series, subs, D(2012, 2, 1))
    assert p.status == "incomplete" and p.missing_periods == "2011H2" and p.pace_ratio is None
    senior = config.target("p7-mix-senior")
    subs = _subs(senior.measure.indicator, ["2009Q1", "2011Q3"], source_id="p7_skilled_workers")
    series = _series(senior, [("2009Q1", "高级工", 100), ("2009Q1", "初级工", 900),
                              ("2011Q3", "高级工", 130), ("2011Q3", "初级工", 870)])
    [share] = target_progress(config, senior, series, subs, D(2012, 2, 1))
    assert share.status == "incomplete" and share.missing_periods == "2011Q4" and share.projected_value is None
    assert share.reason_zh.startswith("规划期末的数据没有报来（缺2011年第四季度）：最近一期（2011年第三季度末）为 13%")


def test_the_plans_row_of_an_annual_target_measures_the_lowest_year_with_figures(config):
    """Once a year is missed the plan's row exists while a later year has no figures yet: its
    measure is the lowest year reported (2010: 84%), not the year still to come."""
    target = config.target("p6-practical-technology")  # 20,000 a year
    subs = _subs(target.measure.indicator, ["2009", "2010"], source_id="p6_rural_training")
    series = _series(target, [("2009", "东城街道", 21400), ("2010", "东城街道", 16800)])
    plan = {p.scope: p for p in target_progress(config, target, series, subs, D(2011, 2, 1))}["2009-2011"]
    assert plan.status == "missed" and plan.result_of_target_pct == pytest.approx(84)
