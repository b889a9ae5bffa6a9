"""Putting files together, on FileResults made here: which of two submissions counts, short company
names completed, one person in two lists, one indicator from two sources, the cleaning log."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd
import pytest

from pipeline.basics.periods import Period
from pipeline.clean import OBSERVATION_COLUMNS, FileResult
from pipeline.combine.dataset import check_people_across_files, check_sources_overlap, combine, complete_company_names
from pipeline.combine.resubmissions import resolve_resubmissions

D = dt.date


def result(file: str, period: str, values: dict[str, int], *, source: str = "p5_health_recruitment",
           indicator: str = "p5_bachelors_recruited", submitted: dt.date | None = None,
           keys: dict[int, str] | None = None) -> FileResult:
    """A file's result: breakdown -> value, one row each from row 2."""
    p = Period.from_label(period)
    rows = [{"source_id": source, "department": "区卫生局", "file": file, "sheet": None, "row": i, "column": "本科",
             "period": period, "period_start": p.start, "period_end": p.end, "indicator": indicator,
             "breakdown": b, "value": v, "raw_value": str(v), "submitted_on": submitted, "derivation": ""}
            for i, (b, v) in enumerate(values.items(), start=2)]
    obs = pd.DataFrame(rows, columns=OBSERVATION_COLUMNS).astype({"row": "Int64", "value": "Int64"})
    submission = {"source_id": source, "department": "区卫生局", "file": file, "sheet": None, "period": period,
                  "coverage_start": p.start, "coverage_end": p.end, "submitted_on": submitted, "status": "used",
                  "superseded_by": None, "indicators": indicator}
    return FileResult(submission=submission, observations=obs, actions=Counter(),
                      person_keys=pd.Series(keys) if keys is not None else None)


@pytest.mark.parametrize(("first", "second", "winner", "code"), [
    # the later submission counts
    (("卫生局/a_2011Q1.csv", D(2011, 4, 5)), ("卫生局/b_2011Q1.csv", D(2011, 4, 20)), "卫生局/b_2011Q1.csv", None),
    # same date: the one named as a correction counts
    (("卫生局/a_2011Q1（更正）.csv", D(2011, 4, 5)), ("卫生局/b_2011Q1.csv", D(2011, 4, 5)), "卫生局/a_2011Q1（更正）.csv", None),
    # nothing says which: refused
    (("卫生局/a_2011Q1.csv", None), ("卫生局/b_2011Q1.csv", None), None, "submissions_conflict"),
])
def test_which_of_two_submissions_for_a_period_counts(config, first, second, winner, code):
    a = result(first[0], "2011Q1", {"区中医院": 3}, submitted=first[1])
    b = result(second[0], "2011Q1", {"区中医院": 5}, submitted=second[1])
    corrections, problems = resolve_resubmissions([a, b], config)
    assert [p.code for p in problems] == ([code] if code else [])
    if winner:
        used = [r.submission["file"] for r in (a, b) if r.submission["status"] == "used"]
        assert used == [winner]
        [change] = corrections.to_dict("records")
        assert (change["breakdown"], change["new_file"]) == ("区中医院", winner)


def test_the_same_file_sent_twice_is_counted_once_with_a_warning(config):
    a = result("卫生局/a_2011Q1.csv", "2011Q1", {"区中医院": 3})
    b = result("卫生局/b_2011Q1.csv", "2011Q1", {"区中医院": 3})
    corrections, problems = resolve_resubmissions([a, b], config)
    assert [p.code for p in problems] == ["submission_duplicate"] and corrections.empty
    assert sorted(r.submission["status"] for r in (a, b)) == ["superseded", "used"]


def test_a_short_company_name_is_completed_when_one_full_name_fits(config):
    full = result("科技局/a.csv", "2011Q1", {"绿源农业科技有限公司": 1}, source="p3_enterprise_recruitment",
                  indicator="p3_senior_managers_recruited")
    short = result("科技局/b.csv", "2011Q2", {"绿源农业科技": 2}, source="p3_enterprise_recruitment",
                   indicator="p3_senior_managers_recruited")
    complete_company_names([full, short], config)
    assert short.observations["breakdown"].tolist() == ["绿源农业科技有限公司"]
    assert short.actions[("company_completed", "绿源农业科技→绿源农业科技有限公司")] == 1


def test_one_person_in_two_lists_of_a_plan_long_target(config):
    a = result("人事局/2010.csv", "2010", {"公务员": 1}, source="p8_graduates", indicator="p8_graduates_recruited",
               keys={2: "k1"})
    b = result("人事局/2011.csv", "2011", {"公务员": 1}, source="p8_graduates", indicator="p8_graduates_recruited",
               keys={2: "k1"})
    [problem] = check_people_across_files([a, b], config)
    assert (problem.code, problem.file, problem.row) == ("duplicate_person", "人事局/2011.csv", 2)


def test_the_same_months_from_two_sources_are_refused_by_their_overlap():
    totals = result("农工办/2011H1.xlsx", "2011H1", {"北山镇": 5}, source="p6_rural_training",
                    indicator="p6_labour_transfer_trained")
    records = result("农工办培训明细/2011Q2.csv", "2011Q2", {"北山镇": 1}, source="p6_rural_training_records",
                     indicator="p6_labour_transfer_trained")
    later = result("农工办培训明细/2011Q3.csv", "2011Q3", {"北山镇": 1}, source="p6_rural_training_records",
                   indicator="p6_labour_transfer_trained")
    [problem] = check_sources_overlap([totals, records, later])
    assert problem.code == "sources_overlap" and "2011年第二季度" in problem.found


def test_combine_gathers_what_counts_and_logs_every_step(config):
    a = result("卫生局/a_2011Q1.csv", "2011Q1", {"区中医院": 3}, submitted=D(2011, 4, 5))
    a.actions[("name_alias", "中医院→区中医院")] += 1
    b = result("卫生局/b_2011Q2.csv", "2011Q2", {"区中医院": 4}, submitted=D(2011, 7, 5))
    dataset = combine([a, b], [], config)
    assert dataset.observations["value"].tolist() == [3, 4]
    assert dataset.submissions["status"].tolist() == ["used", "used"]
    assert dataset.cleaning_log.to_dict("records") == [
        {"file": "卫生局/a_2011Q1.csv", "action": "name_alias", "action_zh": "名称按词表统一",
         "detail": "中医院→区中医院", "count": 1}]
