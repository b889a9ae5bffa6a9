"""What the pages, charts and downloads say about the plan's commitments (pure): the status of
each in the latest quarter, counts by status, each one's history, and for recurring ones whether
they took place in each quarter or year, by the rules documented on the methodology page:

  每季度 (each_quarter): for every quarter of the plan up to the latest form, the dates it took
          place, or "未开展" when the quarter's form gives none, or "没有进展表";
  每年 (each_year): for every year, the dates it took place in that year; none in a year whose
          fourth quarter has a form is "全年未开展"; none yet in a year not over is "年内尚未开展";
  定期、按需 (none expected): the dates in each quarter with a form, with no judgement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from pipeline.basics import paths
from pipeline.basics.periods import Period
from pipeline.config import Config
from pipeline.config.commitments import Commitment, Registry, load_commitments
from pipeline.ingest.files import ReadCache
from pipeline.ingest.status_history import StatusData, combine_forms, read_form_files

#: Whether a recurring commitment took place in a quarter or year: state -> words.
OCCURRENCE_STATES = {"held": "已开展", "not_held": "未开展", "not_held_year": "全年未开展",
                     "pending": "年内尚未开展", "no_form": "没有进展表"}


@dataclass(frozen=True)
class Commitments:
    """The registry, every quarter's status, and what is derived from them."""

    registry: Registry
    data: StatusData
    plan_start: dt.date
    forms: tuple = ()  # the forms as read (status_forms.FormFile), each release puts together its own
    due_through: str | None = None  # the last quarter of the plan whose form was due by the release date

    def with_due(self, released_on: dt.date | None, plan_end: dt.date) -> "Commitments":
        """The same facts, knowing which quarters' forms were due by the release date (a quarter
        is due `due_days` after it ends; none after the plan's end)."""
        due_days, last = self.registry.form.due_days, None
        q = Period.of_date(self.plan_start)
        while released_on is not None and q.end <= plan_end and q.end + dt.timedelta(days=due_days) <= released_on:
            last, q = q, Period.of_date(q.end + dt.timedelta(days=1))
        return replace(self, due_through=last.label if last else None)

    @property
    def missing_quarters(self) -> list[Period]:
        """The quarters due by the release date whose form never came."""
        have = set(self.data.quarters)
        return [q for q in self.quarters_of_plan() if q.label not in have]

    @property
    def problems(self) -> list:
        return self.data.problems

    @property
    def latest(self) -> str | None:
        """The latest quarter with a form (None: no form yet)."""
        quarters = self.data.quarters
        return quarters[-1] if quarters else None

    def latest_row(self, commitment_id: str) -> dict:
        """A commitment's row in the latest quarter (status 未填报 when there is no form)."""
        if self.latest is None:
            return {"status": self.registry.not_reported, "status_date": None, "evidence": "", "document_number": "",
                    "address": "", "note": "", "quarter": None}
        rows = self.data.in_quarter(self.latest)
        return rows[rows["commitment_id"] == commitment_id].iloc[0].to_dict()

    def counts(self, commitments: list[Commitment] | None = None, quarter: str | None = None) -> dict[str, int]:
        """Status -> how many commitments have it in a quarter (default: the latest), every
        status of the scale listed (zero included)."""
        ids = {c.id for c in (commitments if commitments is not None else self.registry.commitments)}
        counts = {s: 0 for s in self.registry.statuses}
        quarter = quarter or self.latest
        if quarter is None:  # no form yet: every commitment unreported
            counts[self.registry.not_reported] = len(ids)
            return counts
        rows = self.data.in_quarter(quarter)
        for status, n in rows[rows["commitment_id"].isin(ids)]["status"].value_counts().items():
            counts[status] = int(n)
        return counts

    def history(self, commitment_id: str) -> list[dict]:
        """The quarters in which a commitment's status was first reported or changed (and
        those it was missing from the form), oldest first."""
        rows = self.data.status[self.data.status["commitment_id"] == commitment_id]
        events, last = [], None
        for row in rows.to_dict("records"):
            if row["status"] != last:
                events.append({**row, "first": last is None})
                last = row["status"]
        return events

    def quarters_of_plan(self) -> list[Period]:
        """Every quarter from the plan's start to the latest form's, or to the last one due by
        the release date when that is later (its form never came)."""
        ends = [Period.from_label(label) for label in (self.latest, self.due_through) if label]
        if not ends:
            return []
        q, end, out = Period.of_date(self.plan_start), max(ends), []
        while q <= end:
            out.append(q)
            q = Period.of_date(q.end + dt.timedelta(days=1))
        return out

    def occurrence_record(self, commitment: Commitment) -> list[dict]:
        """Whether a recurring commitment took place, per quarter or per year (see the module)."""
        if commitment.frequency is None:
            return []
        expected = self.registry.frequencies[commitment.frequency].expected
        dates = self.data.occurrences[self.data.occurrences["commitment_id"] == commitment.id]
        with_form = set(self.data.quarters)
        quarters = self.quarters_of_plan()
        if expected == "each_year":
            out = []
            for year in sorted({q.year for q in quarters}):
                held = sorted(d for d in dates["date"] if d.year == year)
                in_year = [q for q in quarters if q.year == year]
                no_form = [q for q in in_year if q.label not in with_form]
                over = any(q.quarter == 4 and q.label in with_form for q in in_year)
                state = "held" if held else ("not_held_year" if over else "pending")
                out.append({"label": f"{year}年", "dates": held, "state": state, "state_zh": OCCURRENCE_STATES[state],
                            "no_form": [q.label_zh for q in no_form], "note": ""})
            return out
        notes = self.data.status[self.data.status["commitment_id"] == commitment.id].set_index("quarter")["note"]
        out = []
        for q in quarters:
            if q.label not in with_form and expected == "none":
                continue
            held = sorted(dates[dates["quarter"] == q.label]["date"])
            state = "no_form" if q.label not in with_form else ("held" if held else "not_held")
            out.append({"label": q.label_zh, "quarter": q.label, "dates": held, "state": state,
                        "state_zh": OCCURRENCE_STATES[state], "no_form": [], "note": notes.get(q.label, "")})
        return out

    def page_of(self, commitment: Commitment) -> str:
        return self.registry.sections[commitment.section].page


def read_commitments(raw_dir: Path, config: Config, plan_text: str, today: dt.date,
                     config_dir: Path = paths.CONFIG_DIR, cache: ReadCache | None = None) -> Commitments:
    """The registry (config/commitments.yml, checked against the plan) and every status form
    (with a cache: those read before with the same bytes taken from it)."""
    registry = load_commitments(config, plan_text, config_dir)
    forms, problems = read_form_files(raw_dir, registry, config, today, cache)
    return Commitments(registry=registry, data=combine_forms(forms, problems, registry, config),
                       plan_start=config.plan.start, forms=tuple(forms))


def commitments_of(facts: Commitments, forms: list, config: Config) -> Commitments:
    """The commitments as the given forms alone tell them (a release's: those received by its date)."""
    return Commitments(registry=facts.registry, data=combine_forms(list(forms), [], facts.registry, config),
                       plan_start=facts.plan_start, forms=tuple(forms))


# -- published tables ---------------------------------------------------------------------------


def commitments_table(facts: Commitments, site_url: str) -> pd.DataFrame:
    """The registry with each commitment's status in the latest quarter (table `commitments`)."""
    registry = facts.registry
    rows = []
    for c in registry.commitments:
        latest = facts.latest_row(c.id)
        before, quote, after = registry.sentence(c.quote)
        section = registry.sections[c.section]
        rows.append({
            "commitment_id": c.id, "part": section.part, "section": registry.section_title(c.section),
            "name": c.name, "quote": quote, "sentence": before + quote + after, "done_when": c.done_when,
            "department": c.department, "kind": c.kind,
            "frequency": registry.frequencies[c.frequency].word if c.frequency else "",
            "reading": c.reading or "", "quarter": facts.latest or "", "status": latest["status"],
            "status_zh": registry.statuses[latest["status"]].word, "status_date": latest["status_date"],
            "evidence": latest["evidence"], "document_number": latest["document_number"],
            "address": latest["address"], "note": latest["note"],
            "occurrences": int((facts.data.occurrences["commitment_id"] == c.id).sum()),
            "url": f"{site_url}measures/{section.page}/#{c.id}",
        })
    return pd.DataFrame(rows)


def status_table(facts: Commitments) -> pd.DataFrame:
    """Every quarter's status of every commitment (table `commitment_status`)."""
    return facts.data.status.copy()


def occurrences_table(facts: Commitments) -> pd.DataFrame:
    return facts.data.occurrences.copy()
