"""Bad input beyond the committed one-defect fixtures (tests/gate/test_bad_fixtures.py): a file too
large to commit, made when the test runs; bad files in two folders at once; two sources
reporting the same quarter; a configured sheet that is missing; and a check that every kind of
problem has a test."""

from __future__ import annotations

import shutil

from pipeline.basics.problems import KINDS
from pipeline.build import read_and_check
from tests.conftest import TODAY, copy_raw
from tests.fixtures.cases import Expect, case_named, check_problems, lay_out, load_cases
from tests.fixtures.edits import HEALTH_Q1, RURAL_Q1, training_records
from tests.gate.test_hostile_inputs import GENERATED as HOSTILE_GENERATED


def test_a_file_over_the_size_limit_is_refused_unread(config, tmp_path):
    """60 MB (sparse, so it takes no room on disk): made here, far too large to commit."""
    raw = copy_raw(tmp_path, ["卫生局"])
    with open(raw / HEALTH_Q1, "r+b") as f:
        f.truncate(60 * 1024 * 1024)
    _, problems = read_and_check(raw, config, TODAY)
    check_problems(problems, Expect(code="file_too_large", file=HEALTH_Q1))


def test_a_bad_file_does_not_hide_problems_in_other_files(config, tmp_path):
    raw = lay_out(tmp_path, case_named("empty-csv"), case_named("unknown-town"))
    _, problems = read_and_check(raw, config, TODAY)
    assert {p.code for p in problems if p.severity == "error"} == {"file_empty", "name_unknown"}


def test_every_problem_kind_has_a_test_or_is_a_warning_tested_elsewhere():
    tested = {c.expect.code for c in load_cases()} | {"file_too_large"} | {e.code for _, _, _, e in HOSTILE_GENERATED} | {
        "commitment_not_reported", "status_backwards", "status_date_before_change"} | {"column_unexpected", "sheet_ignored",
                                         "total_mismatch", "value_jump", "file_set_aside",
                                         "period_gap", "stock_decrease", "stock_flow_mismatch",
                                         "submission_duplicate", "submitted_missing", "sheet_missing",
                                         "sources_overlap", "period_sheet_differs",
                                         # test_nesting.py: one case each
                                         "period_overlap", "period_split_unclear", "cumulative_below_parts",
                                         "cumulative_mismatch",
                                         # test_releases.py: the receipts register and closed releases
                                         "register_columns", "register_file_unknown", "register_duplicate",
                                         "register_date_future", "register_date_early", "release_changed"}
    assert set(KINDS) <= tested, f"untested problem kinds: {set(KINDS) - tested}"


def test_town_totals_and_person_records_for_the_same_quarter_are_refused(config, tmp_path):
    raw = copy_raw(tmp_path, ["农工办"])
    training_records(raw, "农工办培训明细_2009Q1.csv", [("北山镇", "农村实用技术培训", "2009-02-01")])
    _, problems = read_and_check(raw, config, TODAY)
    overlap = [p for p in problems if p.code == "sources_overlap"]
    assert len(overlap) == 1 and "2009年第一季度" in overlap[0].found
    assert {overlap[0].file} | {RURAL_Q1} == {RURAL_Q1, "农工办培训明细/农工办培训明细_2009Q1.csv"}


def test_a_configured_sheet_that_is_missing(tmp_path):
    from pipeline.basics import paths
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
