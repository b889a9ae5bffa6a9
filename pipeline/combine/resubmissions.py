"""Two files for the same source and period (pure): a corrected resubmission replaces the first,
and what it changed is recorded (the change log shows it)."""

from __future__ import annotations

from pathlib import PurePosixPath

import pandas as pd

from pipeline.basics.problems import Problem
from pipeline.clean import FileResult
from pipeline.config import Config

CORRECTION_COLUMNS = ["source_id", "department", "period", "indicator", "breakdown", "old_value", "new_value",
                      "old_file", "old_row", "new_file", "new_row", "new_submitted_on"]


def _is_correction(file: str, markers: tuple[str, ...]) -> bool:
    return any(m in PurePosixPath(file).stem for m in markers)


def _values_key(obs: pd.DataFrame) -> pd.Series:
    return obs.groupby(["indicator", "breakdown"], dropna=False)["value"].sum()


def resolve_resubmissions(results: list[FileResult], config: Config) -> tuple[pd.DataFrame, list[Problem]]:
    """Mark superseded files in place; return the corrections they imply and any conflicts.

    Rule (documented on the methodology page): of two files for the same source and period, the
    one submitted later counts; on the same or unknown date, the one whose name says it is a
    correction (更正, 修正, …) counts; otherwise the build stops, unless the two are identical.
    """
    markers = config.defaults.correction_markers
    usable = [r for r in results if r.submission["status"] == "used"]  # not refused, not set aside
    groups: dict[tuple[str, str], list[FileResult]] = {}
    for r in usable:
        groups.setdefault((r.submission["source_id"], r.submission["period"]), []).append(r)
    corrections, problems = [], []
    for (_, period), files in sorted(groups.items()):
        if len(files) == 1:
            continue

        def rank(r: FileResult) -> tuple:
            day = r.submission["submitted_on"]
            return (day is not None, day or pd.Timestamp.min.date(), _is_correction(r.submission["file"], markers))

        ordered = sorted(files, key=rank, reverse=True)
        winner, rest = ordered[0], ordered[1:]
        for loser in rest:
            same_rank = rank(loser) == rank(winner)
            identical = _values_key(loser.observations).equals(_values_key(winner.observations))
            if same_rank and identical:
                problems.append(Problem(
                    code="submission_duplicate", file=loser.submission["file"],
                    found=f"与 {winner.submission['file']} 报送期相同（{period}），内容相同",
                    expected="每个报送期一份文件", fix="只计入了一份；可删除多余的文件。"))
            elif same_rank:
                problems.append(Problem(
                    code="submissions_conflict", file=loser.submission["file"],
                    found=f"与 {winner.submission['file']} 都是 {period} 的报送，数字不同，报送日期相同或都未注明，"
                          f"文件名也都没有标明“更正”",
                    expected="能判断以哪一份为准：报送日期较晚，或文件名含“更正”等字样",
                    fix="向报送部门确认以哪一份为准：删除作废的文件，或给正确的文件名加上“（更正）”。"))
                continue
            loser.submission["status"] = "superseded"
            loser.submission["superseded_by"] = winner.submission["file"]
            loser.actions[("superseded", winner.submission["file"])] += len(loser.observations)
            corrections += diff_figures(loser, winner)
    return pd.DataFrame(corrections, columns=CORRECTION_COLUMNS), problems


def diff_figures(old: FileResult, new: FileResult) -> list[dict]:
    """The figures a later file (or a list that contains another) changed, per indicator and breakdown."""
    keys = ["indicator", "breakdown"]
    a = old.observations.groupby(keys, dropna=False).agg(old_value=("value", "sum"), old_row=("row", "min"))
    b = new.observations.groupby(keys, dropna=False).agg(new_value=("value", "sum"), new_row=("row", "min"))
    both = a.join(b, how="outer").reset_index()
    both[["old_value", "new_value"]] = both[["old_value", "new_value"]].fillna(0)
    changed = both[both["old_value"] != both["new_value"]]
    return [{
        "source_id": new.submission["source_id"], "department": new.submission["department"],
        "period": new.submission["period"], "indicator": row.indicator, "breakdown": row.breakdown,
        "old_value": int(row.old_value), "new_value": int(row.new_value),
        "old_file": old.submission["file"], "old_row": None if pd.isna(row.old_row) else int(row.old_row),
        "new_file": new.submission["file"], "new_row": None if pd.isna(row.new_row) else int(row.new_row),
        "new_submitted_on": new.submission["submitted_on"],
    } for row in changed.itertuples()]
