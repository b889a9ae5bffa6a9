"""The status forms of all quarters together: each commitment's status quarter by quarter.

Each form is one quarter; the history is the sequence of quarters, so what changed between two
quarters is a comparison of two of them (`status_changes`). Rules (documented on the
methodology page):
  - two forms for the same quarter: the one filled in later counts; on the same or an unknown
    date, the one whose file name says it is a correction (更正 …); otherwise the build stops,
    unless both say the same;
  - a commitment missing from a quarter's form has the status 未填报 in that quarter;
  - a status that goes back (to a lower rank of the scale) without a note is a warning, and so
    is a change dated on or before the end of the quarter last reported (the earlier form said
    otherwise) without a note;
  - a quarter with no form between two that have one is a warning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd

from pipeline.basics.periods import Period
from pipeline.basics.problems import Problem
from pipeline.clean.status_form import FormFile, read_form
from pipeline.config import Config
from pipeline.config.commitments import Registry
from pipeline.gate.admit import admitted_bytes, screened_grid
from pipeline.gate.kinds import StatusForm
from pipeline.gate.privacy import mask_text
from pipeline.gate.read import FileProblem
from pipeline.ingest.files import DOCUMENTATION, LEFTOVERS, SPREADSHEETS, ReadCache

STATUS_COLUMNS = ["commitment_id", "quarter", "quarter_end", "status", "status_zh", "status_date", "evidence",
                  "document_number", "address", "note", "previous_status", "changed", "occurrences", "file", "row",
                  "submitted_on"]
OCCURRENCE_COLUMNS = ["commitment_id", "quarter", "date", "file", "row"]
FILE_COLUMNS = ["file", "quarter", "submitted_on", "status", "superseded_by"]


@dataclass(frozen=True)
class StatusData:
    """Every quarter's status of every commitment, and what was wrong in the forms."""

    status: pd.DataFrame  # one row per commitment and quarter with a form (STATUS_COLUMNS)
    occurrences: pd.DataFrame  # one row per date a commitment took place (OCCURRENCE_COLUMNS)
    files: pd.DataFrame  # one row per form read (FILE_COLUMNS)
    problems: list[Problem]

    @property
    def quarters(self) -> list[str]:
        """The quarters with a form, oldest first."""
        return sorted(self.status["quarter"].unique(), key=Period.from_label) if len(self.status) else []

    def in_quarter(self, quarter: str) -> pd.DataFrame:
        return self.status[self.status["quarter"] == quarter]


def status_changes(status: pd.DataFrame, before: str, after: str) -> pd.DataFrame:
    """The commitments whose status differs between two quarters: commitment_id, status_before,
    status_after (a quarter with no form gives no rows)."""
    a = status[status["quarter"] == before].set_index("commitment_id")["status"]
    b = status[status["quarter"] == after].set_index("commitment_id")["status"]
    both = pd.DataFrame({"status_before": a, "status_after": b}).dropna()
    changed = both[both["status_before"] != both["status_after"]]
    return changed.rename_axis("commitment_id").reset_index()


# -- load ---------------------------------------------------------------------------------------


def read_form_files(raw_dir: Path, registry: Registry, config: Config, today: dt.date,
                    cache: ReadCache | None = None) -> tuple[list[FormFile], list[Problem]]:
    """Every status form under data/raw/<status_form_folder>/ (config/sources.yml) as read, and files that could not be read
    (a release puts together those received by its date: pipeline/releases/plan.py). With a
    cache, a form read in an earlier build with the same bytes, settings and registry is not read
    again."""
    registry_key = repr(registry.file).encode("utf-8")
    folder = raw_dir / config.defaults.status_form_folder
    forms, problems = [], []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []:
        rel = path.relative_to(raw_dir).as_posix()
        if path.name in DOCUMENTATION:
            continue
        if path.name.startswith(LEFTOVERS) or path.name.startswith(".") or path.suffix.lower() not in SPREADSHEETS:
            problems.append(Problem(code="file_ignored", file=mask_text(rel), found="不是进展表（临时文件、隐藏文件或非表格文件）",
                                    expected=f"{registry.form.name}（.xlsx）", fix="该文件未读取；不需要的话可以删除。"))
            continue
        try:
            data = admitted_bytes(path, rel, config)
            key = cache.key(rel, data + b"\0" + registry_key) if cache else ""
            form = cache.get(key, FormFile) if cache else None
            if form is None:
                form = _read_form_file(path, rel, data, registry, config, today)
                if cache:
                    cache.put(key, form)
        except FileProblem as exc:
            problems.append(exc.problem)
            continue
        forms.append(form)
    return forms, problems


def _read_form_file(path: Path, rel: str, data: bytes, registry: Registry, config: Config, today: dt.date) -> FormFile:
    """One form through the gate, then read (a form refused at its cells: nothing of it is read)."""
    screened = screened_grid(path, rel, config, StatusForm(registry.form), data)
    if screened.problems:
        return FormFile(file=rel, sheet=screened.grid.sheet, problems=screened.problems)
    return read_form(screened.grid, registry, config, today)


# -- process ------------------------------------------------------------------------------------


def combine_forms(forms: list[FormFile], problems: list[Problem], registry: Registry, config: Config) -> StatusData:
    """The forms of all quarters as one history (pure)."""
    problems = problems + [p for f in forms for p in f.problems]
    usable = [f for f in forms if not f.failed and f.quarter is not None]
    used, files, more = _one_per_quarter(usable, config)
    problems += more + _gaps(used, registry, config.defaults.status_form_folder)
    status_rows, occurrence_rows, last = [], [], {}
    for form in used:
        quarter = form.quarter
        reported = {r["commitment_id"]: r for r in form.rows}
        held = pd.Series([o["commitment_id"] for o in form.occurrences], dtype=object).value_counts()
        for commitment in registry.commitments:
            row = reported.get(commitment.id)
            previous = last.get(commitment.id)
            if row is None:
                row = {"status": registry.not_reported, "status_date": None, "evidence": "", "document_number": "",
                       "address": "", "note": "", "file": form.file, "row": None}
            else:
                problems += _history_problems(row, previous, registry)
                last[commitment.id] = (row["status"], quarter)
            status_rows.append({
                "commitment_id": commitment.id, "quarter": quarter.label, "quarter_end": quarter.end,
                **{k: row[k] for k in ("status", "status_date", "evidence", "document_number", "address", "note")},
                "status_zh": registry.statuses[row["status"]].word,
                "previous_status": previous[0] if previous else None,
                "changed": bool(previous) and row["status"] not in (previous[0], registry.not_reported),
                "occurrences": int(held.get(commitment.id, 0)),
                "file": form.file, "row": row["row"], "submitted_on": form.submitted_on})
        occurrence_rows += [{**o, "quarter": quarter.label} for o in form.occurrences]
    status = pd.DataFrame(status_rows, columns=STATUS_COLUMNS)
    status["row"] = status["row"].astype("Int64")
    occurrences = pd.DataFrame(occurrence_rows, columns=OCCURRENCE_COLUMNS).sort_values(
        ["commitment_id", "date"], kind="stable").reset_index(drop=True)
    return StatusData(status=status, occurrences=occurrences, files=pd.DataFrame(files, columns=FILE_COLUMNS),
                      problems=problems)


def _is_correction(file: str, config: Config) -> bool:
    return any(m in PurePosixPath(file).stem for m in config.defaults.correction_markers)


def _one_per_quarter(forms: list[FormFile], config: Config) -> tuple[list[FormFile], list[dict], list[Problem]]:
    """The form that counts for each quarter, oldest quarter first; a row per form read."""
    by_quarter: dict[Period, list[FormFile]] = {}
    for form in forms:
        by_quarter.setdefault(form.quarter, []).append(form)
    used, files, problems = [], [], []
    for quarter, group in sorted(by_quarter.items()):
        def rank(f: FormFile) -> tuple:
            return (f.submitted_on is not None, f.submitted_on or dt.date.min, _is_correction(f.file, config))

        group = sorted(group, key=rank, reverse=True)  # stable: on a tie, the first file by name
        winner = group[0]
        used.append(winner)
        files.append({"file": winner.file, "quarter": quarter.label, "submitted_on": winner.submitted_on,
                      "status": "used", "superseded_by": None})
        for loser in group[1:]:
            same = _content(loser) == _content(winner)
            if rank(loser) == rank(winner):
                problems.append(Problem(
                    code="submission_duplicate" if same else "submissions_conflict", file=loser.file,
                    found=f"与 {winner.file} 都是{quarter.label_zh}的进展表" + ("，内容相同" if same else "，内容不同，填报日期相同或都未注明，文件名也都没有标明“更正”"),
                    expected="每个季度一份进展表；更正的一份填报日期较晚，或文件名含“更正”",
                    fix="只计入了一份；可删除多余的文件。" if same else "确认以哪一份为准：删除作废的文件，或给正确的文件名加上“（更正）”。"))
            files.append({"file": loser.file, "quarter": quarter.label, "submitted_on": loser.submitted_on,
                          "status": "superseded", "superseded_by": winner.file})
    return used, files, problems


def _content(form: FormFile) -> list:
    keep = ("commitment_id", "status", "status_date", "evidence", "document_number", "address", "note")
    return sorted([tuple(r[k] for k in keep) for r in form.rows]) + sorted((o["commitment_id"], o["date"]) for o in form.occurrences)


def _gaps(used: list[FormFile], registry: Registry, folder: str) -> list[Problem]:
    problems = []
    meeting = registry.recurring_example("each_quarter")
    quarterly = meeting.name if meeting else "每季度开展的工作"
    for earlier, later in zip(used, used[1:]):
        q = earlier.quarter
        while True:
            q = Period.of_date(q.end + dt.timedelta(days=1))
            if q >= later.quarter:
                break
            problems.append(Problem(
                code="period_gap", file=f"{folder}/",
                found=f"缺少{q.label_zh}的{registry.form.name}（前后季度都有）", expected="每个季度一份进展表",
                fix=f"补报该季度的进展表；在补齐之前，网站上这一季度没有措施的状态，{quarterly}显示为“没有进展表”。"))
    return problems


def _history_problems(row: dict, previous: tuple[str, Period] | None, registry: Registry) -> list[Problem]:
    """A status that went back, or a change dated in a quarter already reported, without a note."""
    if previous is None or row["status"] == previous[0] or row["note"]:
        return []
    statuses, column = registry.statuses, registry.form.columns
    before, after = statuses[previous[0]], statuses[row["status"]]
    where = dict(file=row["file"], row=row["row"])
    if after.rank < before.rank:
        return [Problem(code="status_backwards", column=column.status, **where,
                        found=f"上一份进展表（{previous[1].label_zh}）为“{before.word}”，本季度为“{after.word}”，备注为空白",
                        expected="状态倒退时在备注中说明原因", fix="在“备注”中写明原因（如“系统升级，暂停服务”），或改正状态。")]
    if row["status_date"] and row["status_date"] <= previous[1].end:
        return [Problem(code="status_date_before_change", column=column.status_date, **where,
                        found=f"状态由“{before.word}”变为“{after.word}”，日期 {row['status_date']:%Y-%m-%d} 却在上一份进展表"
                              f"（{previous[1].label_zh}）截止之前，那时填的是“{before.word}”",
                        expected="本季度的变化，日期在上一份进展表的季度之后",
                        fix="核对日期；如确是以前季度漏报，在“备注”中说明（如“上季度漏报”）。")]
    return []
