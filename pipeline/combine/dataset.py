"""Putting the files of all departments together.

Decides which of two submissions for the same period counts (resubmissions.py: a corrected
resubmission replaces the first, and what it changed is recorded), resolves files whose periods
contain one another (nesting.py: a 1-9月累计 after the first half-year), completes short company
names, checks that no person is counted in two files and no indicator is sent by two sources for
the same months, and gathers the cleaning log.

No IO, but not pure: it changes the FileResults it is given (their status, and the observations of
superseded, nested or completed files), so call it once on freshly read results.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.basics.problems import Problem
from pipeline.clean import ACTIONS, FileResult, empty_observations, new_submission
from pipeline.combine.nesting import resolve_nesting
from pipeline.combine.resubmissions import CORRECTION_COLUMNS, resolve_resubmissions
from pipeline.config import Config


@dataclass
class Dataset:
    """Everything read from data/raw, ready for checks and progress."""

    observations: pd.DataFrame  # the values that count, one row per cell or record
    submissions: pd.DataFrame  # one row per file: what it covers, when it came, whether it counts
    cleaning_log: pd.DataFrame  # per file: cleaning step, detail, how many cells or rows
    corrections: pd.DataFrame  # what each resubmission changed
    problems: list[Problem]


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
        names = set(pd.concat(f["breakdown"] for f in frames).dropna())
        completion = name_completions(names, open_vocabs[vocab_name].complete_with_endings)
        for r in files:
            count_completions(r, completion)
            r.observations["breakdown"] = completed(r.observations["breakdown"], completion)


def name_completions(names: set[str], endings: tuple[str, ...]) -> dict[str, str]:
    """Short name -> its one full name among `names` (the short name followed by one of the endings).

    Each name is looked up with each ending appended (a set lookup), not compared with every
    other name: a list of 45,000 companies took minutes that way."""
    completion = {}
    for short in names:
        fulls = {short + ending for ending in endings if ending} & names
        if len(fulls) == 1:
            completion[short] = fulls.pop()
    return completion


def count_completions(result: FileResult, completion: dict[str, str]) -> None:
    """Count, in the cleaning log, the rows of a file whose name is completed (one pass over them)."""
    obs = result.observations
    hit = obs["breakdown"].isin(completion.keys())
    if not hit.any():
        return
    rows = obs.loc[hit].groupby("breakdown", sort=False, observed=True)["row"].nunique()
    for short, count in rows.items():
        result.actions[("company_completed", f"{short}→{completion[short]}")] += int(count)


def completed(names: pd.Series, completion: dict[str, str]) -> pd.Series:
    """The names with each short name replaced by its full name (a lookup per row: Series.replace
    with a dictionary compares the whole column with each of its keys)."""
    if not completion:
        return names
    full = names.map(completion)
    return full.where(full.notna(), names).astype(names.dtype)


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
    for the same months would count the same people twice."""
    from pipeline.basics.periods import Period

    covered: dict[tuple[str, str], list[tuple[Period, str]]] = {}  # (indicator, source) -> (period, file)
    for r in results:
        sub = r.submission
        if sub["status"] != "used":
            continue
        for indicator in sub["indicators"].split():
            covered.setdefault((indicator, sub["source_id"]), []).append((Period.from_label(sub["period"]), sub["file"]))
    problems, reported = [], set()
    keys = sorted(covered)
    for i, (indicator, source_a) in enumerate(keys):
        for indicator_b, source_b in keys[i + 1:]:
            if indicator_b != indicator:
                continue
            for period_a, file_a in covered[(indicator, source_a)]:
                for period_b, file_b in covered[(indicator, source_b)]:
                    if not period_a.overlaps(period_b) or (file_a, file_b) in reported:
                        continue
                    reported.add((file_a, file_b))
                    both = Period(period_a.year, max(period_a.first_month, period_b.first_month),
                                  min(period_a.last_month, period_b.last_month))
                    problems.append(Problem(
                        code="sources_overlap", file=file_b,
                        found=f"与 {file_a} 都报送了{both.label_zh}的同一项数据（{indicator}）",
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
    # Names completed first: a running total that writes a company in full must meet the earlier
    # quarter that wrote it short (龙腾钢结构工程 in 2023Q1, 龙腾钢结构工程有限公司 in 1-6月累计).
    complete_company_names(results, config)
    nesting_problems, nesting_corrections = resolve_nesting(results, config)
    problems += nesting_problems
    corrections = pd.concat([corrections, pd.DataFrame(nesting_corrections, columns=CORRECTION_COLUMNS)], ignore_index=True) \
        if nesting_corrections else corrections
    problems = read_problems + [p for r in results for p in r.problems] + problems
    problems += check_people_across_files(results, config)
    problems += check_sources_overlap(results)
    used = [r.observations for r in results if r.submission["status"] == "used" and not r.observations.empty]
    # In the order read: files in name order, rows as in each file (so the table reads like the files).
    observations = pd.concat(_same_categories(used), ignore_index=True) if used else empty_observations()
    # No file yet (a new plan before its first figures are due): the table's columns all the same.
    submissions = pd.DataFrame([r.submission for r in results], columns=None if results else list(
        new_submission("", next(iter(config.sources.values())), "") if config.sources else []))
    if not submissions.empty:
        submissions = submissions.sort_values(["source_id", "period", "file"], na_position="last", kind="stable")
    return Dataset(
        observations=observations.reset_index(drop=True),
        submissions=submissions.reset_index(drop=True),
        cleaning_log=cleaning_log(results),
        corrections=corrections,
        problems=problems,
    )
