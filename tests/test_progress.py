"""Progress formulas on small, hand-made series (the methodology page states the same rules)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pipeline.progress import (
    elapsed_fraction,
    months_between,
    reference_date,
    status_from_pace,
    target_progress,
)

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
        (0.97, False, True, "behind"),  # a year that has ended cannot be "on track"
        (0.50, False, True, "well_behind"),
    ],
)
def test_status_thresholds(config, pace, achieved, final, status):
    assert status_from_pace(pace, achieved=achieved, final=final, config=config) == status


def _obs(indicator, rows):
    """rows: (period label, period end, breakdown, value)."""
    return pd.DataFrame([{"indicator": indicator, "period": p, "period_end": end, "breakdown": b, "value": v}
                         for p, end, b, v in rows], columns=["indicator", "period", "period_end", "breakdown", "value"])


def _subs(indicator, periods, submitted=None):
    return pd.DataFrame([{"status": "used", "indicators": indicator, "period": p, "coverage_end": end,
                          "submitted_on": submitted} for p, end in periods])


QUARTER_ENDS = {"2009Q1": D(2009, 3, 31), "2009Q2": D(2009, 6, 30), "2009Q3": D(2009, 9, 30),
                "2009Q4": D(2009, 12, 31), "2010Q1": D(2010, 3, 31)}


def test_cumulative_target_pace_and_projection(config):
    target = config.target("p8-graduates-recruited")  # 500 over three years
    quarters = ["2009Q1", "2009Q2", "2009Q3", "2009Q4", "2010Q1"]
    obs = _obs(target.measure.indicator, [(q, QUARTER_ENDS[q], "公务员", 40) for q in quarters])
    subs = _subs(target.measure.indicator, [("2009", D(2009, 12, 31)), ("2010", D(2010, 3, 31))])
    [p] = target_progress(config, target, obs, subs, D(2010, 4, 10))
    # 200 done after 15 of 36 months: expected 208.3, pace 0.96, projection 480
    assert p.result_value == 200
    assert p.expected_pct == pytest.approx(15 / 36 * 100)
    assert p.pace_ratio == pytest.approx(200 / (500 * 15 / 36))
    assert p.status == "on_track"
    assert p.projected_value == pytest.approx(480)
    assert not p.final and p.data_through == D(2010, 3, 31)


def test_annual_target_is_judged_year_by_year(config):
    target = config.target("p7-new-skilled-workers")  # 2,000 a year
    rows = [(q, QUARTER_ENDS[q], "初级工", 500) for q in ["2009Q1", "2009Q2", "2009Q3"]] + \
           [("2009Q4", D(2009, 12, 31), "初级工", 440), ("2010Q1", D(2010, 3, 31), "初级工", 300)]
    obs = _obs(target.measure.indicator, rows)
    subs = _subs(target.measure.indicator, [(q, QUARTER_ENDS[q]) for q in QUARTER_ENDS])
    years = {p.scope: p for p in target_progress(config, target, obs, subs, D(2010, 4, 10))}
    assert years["2009"].result_value == 1940 and years["2009"].final
    assert years["2009"].status == "behind"  # 97% of a finished year: missed, not "on track"
    assert years["2010"].is_headline and years["2010"].result_value == 300
    assert years["2010"].expected_pct == pytest.approx(25)
    assert years["2010"].status == "behind"  # 300 of an expected 500: pace 0.60, the lowest "behind"
    assert years["2011"].status == "no_data" and not years["2011"].is_headline


def test_share_target_compares_the_gap_closed_with_time(config):
    target = config.target("p7-mix-senior")  # at least 15% senior, end of 2011
    ind = target.measure.indicator
    obs = _obs(ind, [
        ("2009Q1", D(2009, 3, 31), "高级工", 100), ("2009Q1", D(2009, 3, 31), "初级工", 900),
        ("2010Q1", D(2010, 3, 31), "高级工", 130), ("2010Q1", D(2010, 3, 31), "初级工", 870),
    ])
    subs = _subs(ind, [("2009Q1", D(2009, 3, 31)), ("2010Q1", D(2010, 3, 31))])
    [p] = target_progress(config, target, obs, subs, D(2010, 4, 10))
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
    obs = _obs(ind, [("2009Q1", D(2009, 3, 31), "初级工", 30), ("2009Q1", D(2009, 3, 31), "中级工", 70),
                     ("2009Q2", D(2009, 6, 30), "初级工", 19), ("2009Q2", D(2009, 6, 30), "中级工", 81)])
    subs = _subs(ind, [("2009Q1", D(2009, 3, 31)), ("2009Q2", D(2009, 6, 30))])
    [p] = target_progress(config, target, obs, subs, D(2009, 7, 10))
    assert p.result_value == pytest.approx(19) and p.status == "achieved"


def test_no_data_is_a_status_and_is_overdue(config):
    target = config.target("p6-rural-finance-staff")
    empty = _obs(target.measure.indicator, [])
    subs = pd.DataFrame(columns=["status", "indicators", "period", "coverage_end", "submitted_on"])
    rows = target_progress(config, target, empty, subs, D(2011, 1, 10))
    assert {p.status for p in rows} == {"no_data"}
    assert all(p.overdue and p.next_due_on == D(2009, 4, 15) for p in rows)


def test_next_figures_due_after_the_period_and_its_grace_days(config):
    target = config.target("p4-district-teaching-newcomers")  # yearly, as of 30 September, due 15 days later
    obs = _obs(target.measure.indicator, [("2009", D(2009, 9, 30), "中学", 80)])
    subs = _subs(target.measure.indicator, [("2009", D(2009, 9, 30))], submitted=D(2009, 10, 15))
    [p] = target_progress(config, target, obs, subs, D(2010, 11, 1))
    assert p.next_due_on == D(2010, 10, 15) and p.overdue
    assert p.last_submitted_on == D(2009, 10, 15) and p.last_period == "2009"


def test_reference_date_is_the_latest_submission_or_coverage(sample):
    assert reference_date(sample.submissions) == D(2011, 1, 10)
