"""Putting the files of all departments together (pure).

Decides which of two submissions for the same period counts (a corrected resubmission replaces
the first, and what it changed is recorded), completes short company names, checks that no
person is counted in two files, and gathers the cleaning log.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

import pandas as pd

from pipeline.clean import ACTIONS, FileResult, empty_observations
from pipeline.config import Config
from pipeline.problems import Problem


@dataclass
class Dataset:
    """Everything read from data/raw, ready for checks and progress."""

    observations: pd.DataFrame  # the values that count, one row per cell or record
    submissions: pd.DataFrame  # one row per file: what it covers, when it came, whether it counts
    cleaning_log: pd.DataFrame  # per file: cleaning step, detail, how many cells or rows
    corrections: pd.DataFrame  # what each resubmission changed
    problems: list[Problem]


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
    usable = [r for r in results if not r.failed]
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
            corrections += _diff(loser, winner)
    return pd.DataFrame(corrections, columns=CORRECTION_COLUMNS), problems


def _diff(old: FileResult, new: FileResult) -> list[dict]:
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


def complete_company_names(results: list[FileResult], config: Config) -> None:
    """Complete short names (绿源农业科技 -> 绿源农业科技有限公司) within each source, in place.

    A short name is completed only when exactly one full name in the same source's files is the
    short name followed by one of the configured endings.
    """
    for source_id in {r.submission["source_id"] for r in results}:
        files = [r for r in results if r.submission["source_id"] == source_id and r.submission["status"] == "used"]
        indicators = config.indicators
        open_vocabs = {name: v for name, v in config.vocabularies.items() if v.open and v.complete_with_endings}
        frames = [r.observations for r in files if not r.observations.empty]
        if not frames:
            continue
        vocab_name = indicators[frames[0]["indicator"].iloc[0]].breakdown
        if vocab_name not in open_vocabs:
            continue
        endings = open_vocabs[vocab_name].complete_with_endings
        names = set(pd.concat(f["breakdown"] for f in frames).dropna())
        completion = {}
        for short in names:
            fulls = [n for n in names if n != short and n.startswith(short) and n[len(short):] in endings]
            if len(fulls) == 1:
                completion[short] = fulls[0]
        for r in files:
            hit = r.observations["breakdown"].isin(completion.keys())
            if hit.any():
                for short in r.observations.loc[hit, "breakdown"].unique():
                    rows = r.observations.loc[hit & (r.observations["breakdown"] == short), "row"].nunique()
                    r.actions[("company_completed", f"{short}→{completion[short]}")] += int(rows)
                r.observations["breakdown"] = r.observations["breakdown"].replace(completion)


def check_people_across_files(results: list[FileResult], config: Config) -> list[Problem]:
    """The same person (same key columns) listed in two files of one source is counted twice.

    Only for sources whose people count once over the plan (person_unique: plan); an annual
    honour may name the same person again in a later year.
    """
    problems = []
    by_source: dict[str, list[FileResult]] = {}
    for r in results:
        unique_over_plan = config.sources[r.submission["source_id"]].person_unique == "plan"
        if r.submission["status"] == "used" and r.person_keys is not None and unique_over_plan:
            by_source.setdefault(r.submission["source_id"], []).append(r)
    for files in by_source.values():
        seen: dict[str, tuple[str, int]] = {}
        for r in sorted(files, key=lambda r: r.submission["file"]):
            for row, key in r.person_keys.items():
                if key in seen and seen[key][0] != r.submission["file"]:
                    first_file, first_row = seen[key]
                    problems.append(Problem(
                        code="duplicate_person", file=r.submission["file"], row=int(row),
                        found=f"与 {first_file} 第 {first_row} 行是同一人", expected="每人只计入一次",
                        fix="核实是否重复报送；如确属同一人，请从较晚的名单中删除（为保护个人信息，此处不显示姓名和证件号）。"))
                else:
                    seen.setdefault(key, (r.submission["file"], int(row)))
    return problems


def check_sources_overlap(results: list[FileResult]) -> list[Problem]:
    """Two sources (e.g. town totals and one-row-per-person records) reporting the same indicator
    for the same quarter would count the same people twice."""
    from pipeline.periods import Period

    covered: dict[tuple[str, str], dict[Period, str]] = {}  # (indicator, source) -> quarter -> file
    for r in results:
        sub = r.submission
        if sub["status"] != "used":
            continue
        for indicator in sub["indicators"].split():
            period = Period.from_label(sub["period"])
            for quarter in [Period.quarter_of(period.year, q) for q in range(1, 5)] if period.is_year else [period]:
                covered.setdefault((indicator, sub["source_id"]), {})[quarter] = sub["file"]
    problems, reported = [], set()
    keys = sorted(covered)
    for i, (indicator, source_a) in enumerate(keys):
        for indicator_b, source_b in keys[i + 1:]:
            if indicator_b != indicator:
                continue
            both = sorted(set(covered[(indicator, source_a)]) & set(covered[(indicator, source_b)]))
            for quarter in both:
                pair = (covered[(indicator, source_a)][quarter], covered[(indicator, source_b)][quarter])
                if pair in reported:
                    continue
                reported.add(pair)
                problems.append(Problem(
                    code="sources_overlap", file=pair[1],
                    found=f"与 {pair[0]} 都报送了{quarter.label_zh}的同一项数据（{indicator}）",
                    expected="同一时期的数据只用一种报表报送（合计表或明细）",
                    fix="确认以哪一种为准，把另一个文件移出 data/raw（可保存在别处备查）。"))
    return problems


def cleaning_log(results: list[FileResult]) -> pd.DataFrame:
    rows = []
    for r in results:
        for (action, detail), count in sorted(r.actions.items()):
            if count:
                rows.append({"file": r.submission["file"], "action": action, "action_zh": ACTIONS[action],
                             "detail": detail, "count": int(count)})
    return pd.DataFrame(rows, columns=["file", "action", "action_zh", "detail", "count"])


def _same_categories(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """The frames with each categorical column (file, sheet, department: one value per file)
    sharing the same categories, so that concatenating them stays categorical instead of
    writing out a million copies of a file name."""
    if len(frames) < 2:
        return frames
    columns = [c for c in frames[0].columns if isinstance(frames[0][c].dtype, pd.CategoricalDtype)
               and all(isinstance(f[c].dtype, pd.CategoricalDtype) for f in frames)]
    if not columns:
        return frames
    categories = {c: pd.api.types.union_categoricals([f[c] for f in frames]).categories for c in columns}
    return [f.assign(**{c: f[c].cat.set_categories(categories[c]) for c in columns}) for f in frames]


def combine(results: list[FileResult], read_problems: list[Problem], config: Config) -> Dataset:
    """All files together: resubmissions resolved, names completed, people checked, log gathered."""
    corrections, problems = resolve_resubmissions(results, config)
    complete_company_names(results, config)
    problems = read_problems + [p for r in results for p in r.problems] + problems
    problems += check_people_across_files(results, config)
    problems += check_sources_overlap(results)
    used = [r.observations for r in results if r.submission["status"] == "used" and not r.observations.empty]
    # In the order read: files in name order, rows as in each file (so the table reads like the files).
    observations = pd.concat(_same_categories(used), ignore_index=True) if used else empty_observations()
    submissions = pd.DataFrame([r.submission for r in results])
    if not submissions.empty:
        submissions = submissions.sort_values(["source_id", "period", "file"], na_position="last", kind="stable")
    return Dataset(
        observations=observations.reset_index(drop=True),
        submissions=submissions.reset_index(drop=True),
        cleaning_log=cleaning_log(results),
        corrections=corrections,
        problems=problems,
    )
