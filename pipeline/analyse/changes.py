"""本期变化: what changed from one release to the next (pure), for the home page, each release's
page and the quarterly briefing.

A release is summed up once as a Snapshot (kept with the release in the cache); the changes are a
comparison of two snapshots:
  - targets whose status changed (their headline window's status, as the home page counts them),
    each with the figure of the window that flipped it (2021年 1名（目标每年 2名）: the year named);
  - new files (those set aside named as such), and the targets that got figures for new periods;
  - forms that came late (first file dated after its due day) among the new files, and forms due
    by the closing date that had not come (state 未报送, department_facts.timeliness);
  - corrections sent with the new files (what a resubmission changed);
  - commitments whose status changed between the latest status forms of the two releases;
and, as it stands now, every window that has ended without all its figures (数据未报齐).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pipeline.basics.format import missing, value_with_unit
from pipeline.basics.periods import Period
from pipeline.config.models import PACE_STATUS_IDS

#: The status before a flip, in a release dated after the plan's end, when it was a pace (进度…).
PACE_BEFORE = "期限未到"


@dataclass(frozen=True)
class Snapshot:
    """The facts of one release that the next one is compared with."""

    closing: dt.date
    targets: dict  # target id -> {name, programme, status, status_text, result, figure (the window's, in words)}
    series: dict  # target id -> periods reported (labels)
    files: dict  # file -> {department, period}
    corrections: list  # one dict per figure a resubmission changed
    due: list  # timeliness rows as of the closing date (department_facts.TIMELINESS_COLUMNS)
    commitments: dict = field(default_factory=dict)  # quarter -> {commitment id: status}
    commitment_names: dict = field(default_factory=dict)  # commitment id -> name
    commitment_words: dict = field(default_factory=dict)  # status -> word
    latest_quarter: str | None = None  # the latest status form's quarter
    plan_over: bool = False  # dated after the plan's end: no target is judged by its pace any more
    gaps: list = field(default_factory=list)  # windows over but not complete: {name, programme, figure}


def snapshot(site, closing: dt.date, config) -> Snapshot:
    """The facts of a release's site (publish.site.Site) as of its closing date."""
    from pipeline.analyse.departments import timeliness

    method = config.method
    targets = {}
    for row in site.headlines.to_dict("records"):
        target = config.target(row["target_id"])
        targets[row["target_id"]] = {
            "name": target.name, "programme": config.programme(row["programme_id"]).name, "status": row["status"],
            "status_text": method.status(row["status"]).label,
            "result": "—" if missing(row["result_value"]) else value_with_unit(row["result_value"], target.unit),
            "figure": row["figure_zh"]}
    series = {t: tuple(site.series[site.series["target_id"] == t]["period"]) for t in targets}
    subs = site.dataset.submissions
    files = {r["file"]: {"department": r["department"], "period": r["period"], "set_aside": r["status"] == "set_aside"}
             for r in subs.to_dict("records") if r["status"] in ("used", "superseded", "set_aside")} if len(subs) else {}
    corrections = [{**c, "indicator_name": config.indicators[c["indicator"]].name}
                   for c in site.dataset.corrections.to_dict("records")]
    facts = site.commitments.facts if site.commitments else None
    due, commitments, names, words, latest = [], {}, {}, {}, None
    if facts is not None:
        due = timeliness(config, facts, site.dataset.submissions, site.dataset.corrections, closing).to_dict("records")
        status = facts.data.status
        commitments = {q: dict(zip(g["commitment_id"], g["status"])) for q, g in status.groupby("quarter")}
        names = {c.id: c.name for c in facts.registry.commitments}
        words = {k: s.word for k, s in facts.registry.statuses.items()}
        latest = facts.latest
    return Snapshot(closing=closing, targets=targets, series=series, files=files, corrections=corrections, due=due,
                    commitments=commitments, commitment_names=names, commitment_words=words, latest_quarter=latest,
                    plan_over=site.analysis.plan_over, gaps=gaps(site.analysis.progress, config))


def gaps(progress, config) -> list[dict]:
    """Every window that has ended without all its figures (a year of a 每年 target, or the plan
    of any other), with what its figure covers: 2023年缺第三季度数据：已报三个季度合计 1,563名."""
    rows = progress[progress["over"] & ~progress["final"] & (progress["status"] != "not_due")]
    rows = rows[(rows["kind"] != "annual") | (rows["scope"].str.len() == 4)]
    return [{"name": r["target_name"], "programme": config.programme(r["programme_id"]).name, "figure": r["figure_zh"]}
            for r in rows.to_dict("records")]


@dataclass(frozen=True)
class Changes:
    """What changed in a release since the one before (first: nothing to compare with)."""

    first: bool
    status_moves: list  # {name, programme, before, after, result, figure: the figure of the window that flipped it}
    new_files: list  # {file, department, period, set_aside: received, not used}
    new_figures: list  # {period (in words), targets: [names]}: targets with figures for a period new in this release
    late: list  # timeliness rows: came late, among the new files
    missing: list  # timeliness rows: due by the closing date, not received
    corrections: list  # correction rows sent with the new files
    commitments_moved: list  # {name, before, after}
    commitment_quarters: tuple = ()  # (quarter before, quarter now) compared, in words
    incomplete: list = field(default_factory=list)  # windows ended without all their figures, as of now (Snapshot.gaps)

    @property
    def nothing(self) -> bool:
        return not any((self.status_moves, self.new_files, self.late, self.missing, self.corrections,
                        self.commitments_moved))


def changes(before: Snapshot | None, now: Snapshot, config=None) -> Changes:
    """What changed from `before` to `now` (see the module docstring)."""
    old_files = before.files if before else {}
    new_files = [{"file": f, **v} for f, v in now.files.items() if f not in old_files]
    new_names = {f["file"] for f in new_files}
    moves, figures = [], {}
    for target_id, t in now.targets.items():
        was = before.targets.get(target_id) if before else None
        if was and was["status"] != t["status"]:
            # once the plan has ended, a pace it was judged by before is no longer a status it had
            before_text = PACE_BEFORE if now.plan_over and was["status"] in PACE_STATUS_IDS else was["status_text"]
            moves.append({"name": t["name"], "programme": t["programme"], "before": before_text,
                          "after": t["status_text"], "result": t["result"], "figure": t.get("figure", "")})
        for p in now.series.get(target_id, ()):
            if not before or p not in before.series.get(target_id, ()):
                figures.setdefault(p, []).append(t["name"])
    since = before.closing if before else dt.date.min
    late = [r for r in now.due if r["state"] == "late" and set(str(r["files"]).split("；")) & new_names]
    missing_now = [r for r in now.due if r["state"] == "missing" and r["due_on"] > since]
    corrections = [c for c in now.corrections if c["new_file"] in new_names]
    moved, quarters = [], ()
    if before and before.latest_quarter and now.latest_quarter and before.latest_quarter != now.latest_quarter:
        a, b = now.commitments.get(before.latest_quarter, {}), now.commitments.get(now.latest_quarter, {})
        moved = [{"name": now.commitment_names.get(c, c), "before": now.commitment_words.get(a[c], a[c]),
                  "after": now.commitment_words.get(s, s)} for c, s in b.items() if c in a and a[c] != s]
        quarters = (Period.from_label(before.latest_quarter).label_zh, Period.from_label(now.latest_quarter).label_zh)
    new_figures = [{"period": Period.from_label(p).label_zh, "targets": names}
                   for p, names in sorted(figures.items(), key=lambda kv: Period.from_label(kv[0]))]
    return Changes(first=before is None, status_moves=moves, new_files=new_files, new_figures=new_figures, late=late,
                   missing=missing_now, corrections=corrections, commitments_moved=moved, commitment_quarters=quarters,
                   incomplete=list(now.gaps))
