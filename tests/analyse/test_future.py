"""Properties that hold whatever the next submissions hold: generated 2011 files for every
department (tests/future.py), read and analysed as the build does, checked against the truth
the generator worked out from the numbers it wrote.

(a) the same figures sent as four quarters, two half-years or one year give the same totals;
(b) a later period never changes an earlier period's figure unless a correction says so, and the
    corrections table then shows it; (c) 数据截至 is the end of the latest period covered;
(e) every published figure equals the truth; and at the plan's end the analysis reads as final.
(d), byte-identical builds, and the staff's path are in tests/top/test_future_build.py.

The sample plan's ids, years and departments are named here on purpose: the generated files
(tests/future.py) are the sample plan's next submissions, built on config/ and data/raw as shipped."""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
import pytest

from pipeline.analyse.analysis import Analysis, analyse
from pipeline.basics.periods import Period
from pipeline.build import read_and_check
from pipeline.ingest.files import ReadCache
from tests.conftest import TODAY
from tests.future import SCENARIOS, future
from tests.future_truth import Truth, series, windows

D = dt.date
SEEDS = (1, 2)
END = D(2012, 1, 31)
#: The days on which the site is rebuilt: after the first quarter, the first half, the third quarter
#: (教育局 in), and once the year's lists have come in January 2012.
CUTS = (D(2010, 12, 31), D(2011, 4, 30), D(2011, 7, 31), D(2011, 10, 31), END)


@pytest.fixture(scope="module")
def run(tmp_path_factory, config):
    """run(scenario, seed, through) -> (truth, analysis); each computed once per module. The read
    cache is shared, so the shipped files are read once."""
    cache = ReadCache(tmp_path_factory.mktemp("read-cache"), config, TODAY)

    @functools.cache
    def go(scenario: str, seed: int, through: dt.date) -> tuple[Truth, Analysis]:
        out = tmp_path_factory.mktemp(f"future-{scenario}-{seed}-{through:%Y%m%d}")
        _, truth = future(out, scenario, seed, through)
        dataset, problems = read_and_check(out / "raw", config, TODAY, cache)
        return truth, analyse(config, dataset, problems)

    return go


def _published_windows(analysis: Analysis) -> dict[tuple[str, str], dict]:
    return {(r.target_id, r.scope): dict(result_value=r.result_value, data_through=r.data_through, final=r.final,
                                         missing=set(r.missing_periods.split()))
            for r in analysis.progress.itertuples()}


def _published_series(analysis: Analysis) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {t.id: {} for t in analysis.config.targets}
    for r in analysis.series_table.itertuples():
        out[r.target_id][r.period] = r.value
    return out


def assert_equals_truth(config, truth: Truth, analysis: Analysis) -> None:
    """(e) every window's result and every period's value is the truth's, and what it says is
    complete (final, the periods missing); (c) and 数据截至 too."""
    expected, got = windows(config, truth, analysis.released_on), _published_windows(analysis)
    assert got.keys() == expected.keys()
    for key, want in expected.items():
        have = got[key]
        assert have["final"] == want["final"] and have["data_through"] == want["data_through"], (key, have, want)
        assert have["missing"] == want["missing"], (key, have, want)
        if want["result_value"] is None:
            assert have["result_value"] is None, (key, have)
        else:
            assert have["result_value"] == pytest.approx(want["result_value"]), (key, have, want)
    want_series, have_series = series(config, truth), _published_series(analysis)
    for target_id, values in want_series.items():
        assert have_series[target_id] == pytest.approx(values), target_id
    assert analysis.as_of == truth.as_of


#: The warnings a scenario is meant to raise (the "end" scenario: a quarter never sent, a file set aside).
EXPECTED_WARNINGS = {"end": {"period_gap", "file_set_aside"}}


def _problems(analysis: Analysis, scenario: str = "") -> list[str]:
    return [p.message() for p in analysis.problems if p.code not in EXPECTED_WARNINGS.get(scenario, ())]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_next_submissions_are_read_without_a_problem_and_published_as_sent(run, config, scenario, seed):
    truth, analysis = run(scenario, seed, END)
    assert _problems(analysis, scenario) == []
    assert_equals_truth(config, truth, analysis)
    corrections = set(zip(analysis.dataset.corrections["source_id"], analysis.dataset.corrections["period"]))
    assert corrections == truth.corrections


@pytest.mark.parametrize("seed", SEEDS)
def test_the_same_figures_in_quarters_halves_or_a_year_give_the_same_totals(run, seed):
    """(a) Every window: each year's and the plan's result, whichever way the year was sent."""
    results = {}
    for split in ("plain", "halves", "year"):
        _, analysis = run(split, seed, END)
        results[split] = {k: (w["result_value"], w["final"]) for k, w in _published_windows(analysis).items()}
    assert results["plain"].keys() == results["halves"].keys() == results["year"].keys()
    for key, (value, final) in results["plain"].items():
        for other in ("halves", "year"):
            got, got_final = results[other][key]
            assert got_final == final, (other, key)
            assert (got is None and value is None) or got == pytest.approx(value), (other, key, got, value)


def _corrected(analysis: Analysis) -> list[tuple[str, Period]]:
    c = analysis.dataset.corrections
    return [(s, Period.from_label(p)) for s, p in zip(c["source_id"], c["period"])]


@pytest.mark.parametrize("seed", SEEDS)
def test_a_later_period_never_changes_an_earlier_figure_unless_a_correction_says_so(run, config, seed):
    """(b) Rebuilt after each quarter's files: every figure published before is published again,
    the same, unless a correction of its months arrived (and is then in the corrections table)."""
    source_of = {t.id: next(k for k, s in config.sources.items() if t.measure.indicator in s.indicator_ids)
                 for t in config.targets}
    changed_by_correction = 0
    for before, after in zip(CUTS, CUTS[1:]):
        truth, earlier = run("all", seed, before)
        _, later = run("all", seed, after)
        assert_equals_truth(config, truth, earlier)
        new_corrections = set(_corrected(later)) - set(_corrected(earlier))
        old, new = _published_series(earlier), _published_series(later)
        for target_id, values in old.items():
            for label, value in values.items():
                assert label in new[target_id], (target_id, label, after)
                corrected = [p for s, p in new_corrections if s == source_of[target_id] and p.contains(Period.from_label(label))]
                if new[target_id][label] != pytest.approx(value):
                    assert corrected, (target_id, label, value, new[target_id][label], after)
                    changed_by_correction += 1
    assert changed_by_correction > 0  # the scenario has corrections that change figures (卫生局 2011Q1, 组织部 2011H1)


@pytest.mark.parametrize(("through", "as_of"), [(D(2011, 4, 30), D(2011, 3, 31)), (D(2011, 7, 31), D(2011, 6, 30)),
                                                (D(2011, 10, 31), D(2011, 9, 30)), (END, D(2011, 12, 31))])
def test_the_data_date_is_the_end_of_the_latest_period_covered(run, through, as_of):
    """(c) A half-year list ends in June, a running total to September in September."""
    truth, analysis = run("all", 1, through)
    assert analysis.as_of == truth.as_of == as_of
    covered = analysis.dataset.submissions.query("status == 'used'")["coverage_end"]
    assert analysis.as_of == max(covered)
    assert not analysis.plan_over or through == END


def test_at_the_plans_end_every_target_reads_as_final_or_names_what_is_missing(run, config):
    _, analysis = run("all", 1, END)
    assert analysis.plan_over and analysis.as_of == config.plan.end
    heads = analysis.headlines
    # 农村财务人员 were first reported in 2011 (a new column): 2009 and 2010 have no figures, so
    # "每年" cannot be judged; every other target's result is final
    unsettled = heads[~heads["final"]]
    assert list(unsettled["target_id"]) == ["p6-rural-finance-staff"] and analysis.final_count == len(config.targets) - 1
    [finance] = unsettled.to_dict("records")
    assert finance["status"] == "incomplete" and set(finance["missing_periods"].split()) == {"2009", "2010"}
    assert "2009年（无数据）、2010年（无数据）" in finance["reason_zh"]
    assert set(heads["status"]) <= {"achieved", "missed", "incomplete"}
    assert analysis.headline_zh.endswith("，1 项数据未报齐")
    assert analysis.progress["projected_value"].isna().all() and analysis.progress["over"].all()
    assert not set(analysis.progress["status"]) & {"on_track", "behind", "well_behind"}
    # nothing more is due, but the figures never sent (the finance staff's, from 2009Q1, due in April 2009)
    overdue = analysis.progress[analysis.progress["overdue"]]
    assert set(overdue["target_id"]) == {"p6-rural-finance-staff"} and set(overdue["next_period"]) == {"2009Q1"}
    assert set(overdue["next_due_on"]) == {D(2009, 4, 15)}
    assert analysis.progress[analysis.progress["target_id"] != "p6-rural-finance-staff"]["next_due_on"].isna().all()
    # annual targets: every year's window, then the plan's (every year must be met)
    for t in config.targets:
        years = ["2009", "2010", "2011", "2009-2011"]
        assert list(analysis.windows(t.id)["scope"]) == (years if t.kind == "annual" else ["2009-2011"]), t.id


def test_a_department_that_stops_sending_is_overdue_and_its_year_never_final(run):
    _, analysis = run("stops", 1, END)
    p6 = analysis.progress[analysis.progress["target_id"].str.startswith("p6-") & (analysis.progress["scope"] == "2011")]
    assert (p6["data_through"] == D(2011, 6, 30)).all() and not p6["final"].any()
    assert p6["overdue"].all()
    sent = p6[p6["target_id"] != "p6-rural-finance-staff"]  # reported only in 2011: its 2009 figures are due first
    assert (sent["next_due_on"] == D(2011, 10, 15)).all() and (sent["next_period"] == "2011Q3").all()
    # the year has ended: its figure is what the first half gave, never a pace
    short = p6[p6["status"] != "achieved"]
    assert len(short) and (short["status"] == "incomplete").all()
    assert (short["missing_periods"] == "2011Q3 2011Q4").all()
    assert short["figure_zh"].str.startswith("2011年缺第三季度、第四季度数据：已报两个季度合计 ").all()
    others = analysis.headlines[~analysis.headlines["target_id"].str.startswith("p6-")]
    assert others["final"].all() and not others["overdue"].any()


def test_the_plans_last_files_are_read_and_what_is_missing_is_named(run, config):
    """The files of issue 22: headers with a unit (农村财务人员培训（人次）) and with their months
    (统计期, 1-9月累计新增, 9月末累计持证人数) read as their columns; a quarter never sent (卫生局
    2011Q3) and a file set aside (科技局 2011Q3, in 暂不采用/) named, and what they would feed not
    final; the 2011 lists sent as two halves cover the year."""
    truth, analysis = run("end", 1, END)
    subs = analysis.dataset.submissions.set_index("file")
    [aside] = truth.set_aside
    assert subs.loc[aside.file, "status"] == "set_aside" and aside.file.startswith("科技局/暂不采用/")
    assert {p.code for p in analysis.problems} == EXPECTED_WARNINGS["end"]
    named = analysis.dataset.cleaning_log.query("action == 'column_named'")
    assert {"1-9月累计新增→本季新增", "9月末累计持证人数→季末累计持证人数", "统计期→季度",
            "农村财务人员培训(人次)→农村财务人员"} <= set(named["detail"])
    progress = analysis.progress.set_index(["target_id", "scope"])
    assert progress.loc[("p6-rural-finance-staff", "2011"), "final"]  # every quarter's figure read
    assert progress.loc[("p7-new-skilled-workers", "2011"), "final"]  # Q3 from the running total
    for target in ("p5-bachelors", "p5-junior-college"):
        year = progress.loc[(target, "2011")]
        assert not year["final"] and year["missing_periods"] == "2011Q3" and year["figure_zh"].startswith("2011年缺第三季度数据：")
    year = progress.loc[("p3-tech-teams", "2011")]
    assert not year["final"] and year["missing_periods"] == "2011Q3" and year["set_aside"] == aside.file
    due = analysis.dataset.submissions  # 人事局 and 组织部人才办 sent their 2011 lists as two halves
    assert {"2011H1", "2011H2"} <= set(due[due["source_id"] == "p8_graduates"]["period"])
    assert {"2011H1", "2011H2"} <= set(due[due["source_id"] == "p1_talents"]["period"])


def test_a_once_a_year_list_is_not_due_before_january(run):
    """In October 2011 the 2011 entrepreneurs are not yet named: 未到报送期, not behind."""
    _, analysis = run("all", 1, D(2011, 10, 31))
    p2 = analysis.progress[analysis.progress["target_id"].str.startswith("p2-") & (analysis.progress["scope"] == "2011")]
    assert len(p2) == 3 and (p2["status"] == "not_due").all() and not p2["overdue"].any()


def test_the_truth_is_not_the_pipeline_s(run, config):
    """The truth can tell a wrong figure: one changed cell of a generated file is a difference."""
    truth, analysis = run("plain", 1, END)
    obs = truth.observations.copy()
    row = obs.index[(obs["period"] == "2011Q2") & (obs["indicator"] == "p5_bachelors_recruited")][0]
    obs.loc[row, "value"] += 1
    with pytest.raises(AssertionError):
        assert_equals_truth(config, Truth(truth.as_of, obs, truth.files, truth.corrections), analysis)


def test_a_build_years_after_the_plan_reads_the_same_as_one_at_its_end(run, config, tmp_path):
    """Nothing but the data dates a page: built in 2012 or in 2030, the final result is the same."""
    _, at_end = run("all", 1, END)
    out = tmp_path / "later"
    future(out, "all", 1, END)
    dataset, problems = read_and_check(out / "raw", config, D(2030, 6, 1))
    later = analyse(config, dataset, problems)
    pd.testing.assert_frame_equal(later.progress, at_end.progress)
    assert later.released_on == at_end.released_on and later.plan_over
