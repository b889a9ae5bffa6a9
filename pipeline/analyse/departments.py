"""The plan's annual assessment (四、2) as facts, department by department (pure).

For each department: the targets it reports on and their status, whether each of its forms came
on time, the periods it has not sent, the corrections it sent, the warnings its files raised and
the commitments the plan makes it responsible for. The rule (printed on the methodology page):

  - a form's period is due `due_days` after it ends (config/sources.yml; the status form:
    config/commitments.yml); a period is expected once it is due by the release date;
  - a period came with the first file for it, or with the first files that together cover it
    (a year's list sent as two half-year lists came with the second; a 1-12月累计 brings the
    fourth quarter); it came on time when that file is dated on or before its due day; days
    late = that date minus the due day; a resubmission (correction) does not change this;
  - no file for an expected period: not sent; only files set aside (暂不采用/): received, not
    used; files with no date: date not stated;
  - nothing is ranked or scored: the facts are listed in the order of the configuration.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from pipeline.analyse.commitments import Commitments
from pipeline.basics.format import missing
from pipeline.basics.periods import Period
from pipeline.config import Config

#: What a period of a form can be: id -> words.
STATES = {"on_time": "按时", "late": "逾期", "undated": "未注明报送日期", "missing": "未报送",
          "set_aside": "已收到，暂不采用"}
TIMELINESS_COLUMNS = ["department", "form_id", "form_name", "period", "due_on", "submitted_on", "days_late", "state",
                      "state_zh", "files", "resubmissions", "numbers_corrected"]
STATUS_FORM_ID = "status_form"


@dataclass(frozen=True)
class Form:
    """A form a department sends: a department source (or two that report the same figures,
    such as a table or its list of records, either of which may be sent for a period), or the
    status form of the measures."""

    source_ids: tuple[str, ...]
    name: str
    department: str
    frequency: str  # quarterly or yearly
    due_days: int
    folders: tuple[str, ...]
    coverage_ends: object = None  # the source, when its yearly figures stop before 31 December

    @property
    def form_id(self) -> str:
        return "|".join(self.source_ids)

    def period_end(self, period: Period) -> dt.date:
        if period.quarter is None and self.coverage_ends is not None:
            return self.coverage_ends.coverage_end(period.year) or period.end
        return period.end


def forms(config: Config, commitments: Commitments) -> list[Form]:
    """Every form of every department, in the order of the configuration; sources of the same
    department that report the same indicators are one form (either is sent for a period)."""
    groups: list[list[str]] = []
    for key, source in config.sources.items():
        same = next((g for g in groups if config.sources[g[0]].department == source.department
                     and set(config.sources[g[0]].indicator_ids) & set(source.indicator_ids)), None)
        if same is None:
            groups.append([key])
        else:
            same.append(key)
    out = []
    for keys in groups:
        first = config.sources[keys[0]]
        out.append(Form(tuple(keys), " 或 ".join(config.sources[k].name for k in keys), first.department, first.frequency,
                        first.due_days, tuple(config.sources[k].folder for k in keys),
                        first if first.coverage_ends else None))
    f = commitments.registry.form
    out.append(Form((STATUS_FORM_ID,), f.name, f.department, "quarterly", f.due_days, (config.defaults.status_form_folder,)))
    return out


def _plan_periods(form: Form, config: Config) -> list[Period]:
    if form.frequency == "quarterly":
        return [Period.quarter_of(y, q) for y in config.plan.years for q in range(1, 5)]
    return [Period.whole_year(y) for y in config.plan.years]


def files_for(sent: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The files sent for a period: its own files (of that period, or within it and together
    covering it: two half-year lists cover a year), or else the innermost whose period contains it
    (a 1-12月累计 brings the fourth quarter)."""
    if sent.empty:
        return sent
    periods = sent["period"].map(Period.from_label)
    inside = periods.map(period.contains)
    months = set().union(*(set(p.month_numbers()) for p in periods[inside])) if inside.any() else set()
    if months >= set(period.month_numbers()):
        return sent[inside]
    containing = periods.map(lambda p: p.contains(period) and p != period)
    if not containing.any():
        return sent[containing]
    innermost = min(p.months for p in periods[containing])  # 上半年 rather than the year's running total
    return sent[containing & periods.map(lambda p: p.months == innermost)]


def came_on(files: pd.DataFrame, period: Period) -> dt.date | None:
    """The day a period's figures came: the first file containing them, or, when they came in
    parts, the day the last part first came; None when a file needed is not dated."""
    periods = files["period"].map(Period.from_label)
    firsts = files.groupby(periods.map(lambda p: p.label), sort=False)["submitted_on"].agg(
        lambda ds: min((d for d in ds if not missing(d)), default=None))
    if any(p.contains(period) for p in periods):
        dated = [d for d in firsts if d is not None]
        return min(dated) if dated else None
    return None if firsts.isna().any() else max(firsts)


def timeliness(config: Config, commitments: Commitments, submissions: pd.DataFrame, corrections: pd.DataFrame,
               reference: dt.date | None) -> pd.DataFrame:
    """One row per form and period that was due by the release date or was sent."""
    files = submissions[submissions["status"].isin(["used", "superseded", "set_aside"])] if len(submissions) else submissions
    status_files = commitments.data.files.rename(columns={"quarter": "period"})
    rows = []
    for form in forms(config, commitments):
        sent = status_files if form.source_ids == (STATUS_FORM_ID,) else (
            files[files["source_id"].isin(form.source_ids)] if len(files) else files)
        aside = sent["status"] == "set_aside" if len(sent) else pd.Series(dtype=bool)
        for period in _plan_periods(form, config):
            mine = files_for(sent[~aside], period) if len(sent) else sent
            kept = files_for(sent[aside], period) if mine.empty and aside.any() else mine.iloc[:0]
            due = form.period_end(period) + dt.timedelta(days=form.due_days)
            if mine.empty and kept.empty and (reference is None or due > reference):
                continue
            first = came_on(mine, period) if len(mine) else None
            late = (first - due).days if first else None
            state = ("set_aside" if len(kept) else "missing") if mine.empty else \
                "undated" if first is None else "late" if late > 0 else "on_time"
            mine = kept if len(kept) else mine
            changed = corrections[corrections["source_id"].isin(form.source_ids) & (corrections["period"] == period.label)] \
                if len(corrections) else corrections
            rows.append({"department": form.department, "form_id": form.form_id, "form_name": form.name,
                         "period": period.label, "due_on": due, "submitted_on": first, "days_late": late,
                         "state": state, "state_zh": STATES[state], "files": "；".join(mine["file"]) if len(mine) else "",
                         "resubmissions": int(len(mine) - mine["period"].nunique()) if len(mine) else 0,
                         "numbers_corrected": len(changed)})
    frame = pd.DataFrame(rows, columns=TIMELINESS_COLUMNS)
    frame["days_late"] = frame["days_late"].astype("Int64")
    return frame


def department_views(config: Config, commitments: Commitments, progress: pd.DataFrame, timely: pd.DataFrame,
                     problems: list) -> list[dict]:
    """A view per department page: its facts, by the rule in the module docstring."""
    registry = commitments.registry
    headlines = progress[progress["is_headline"]] if len(progress) else progress
    all_forms = forms(config, commitments)
    views = []
    for page_id, page in registry.departments.items():
        name = page.department
        mine = [f for f in all_forms if f.department == name]
        rows = timely[timely["department"] == name]
        folders = tuple(f"{folder}/" for f in mine for folder in f.folders)
        warned = [p for p in problems if p.severity == "warning" and p.file.startswith(folders)]
        targets = [t for t in config.targets if config.department_of(t) == name]
        target_rows = [headlines[headlines["target_id"] == t.id].iloc[0].to_dict() for t in targets]
        own = [c for c in registry.commitments if registry.department_page(c) == page_id]
        late = rows[rows["state"] == "late"]
        views.append({
            "id": page_id, "department": name, "member": page.member, "plan_names": page.plan_names,
            "is_default": registry.default_department in page.plan_names,
            "forms": [{"form": f, "periods": rows[rows["form_id"] == f.form_id].to_dict("records")} for f in mine],
            "targets": target_rows,
            "target_counts": pd.Series([r["status"] for r in target_rows], dtype=object).value_counts().to_dict(),
            "periods": len(rows), "on_time": int((rows["state"] == "on_time").sum()), "late": len(late),
            "most_days_late": int(late["days_late"].max()) if len(late) else 0,
            "undated": int((rows["state"] == "undated").sum()),
            "missing": [Period.from_label(p).label_zh for p in rows[rows["state"] == "missing"]["period"]],
            "set_aside": [Period.from_label(p).label_zh for p in rows[rows["state"] == "set_aside"]["period"]],
            "resubmissions": int(rows["resubmissions"].sum()), "numbers_corrected": int(rows["numbers_corrected"].sum()),
            "warnings": warned, "commitments": own,
            "commitment_counts": commitments.counts(own) if own else {},
        })
    return views
