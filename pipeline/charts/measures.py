"""Charts of the plan's measures (pure), drawn and published like the targets' charts (a chart
page with PNG, SVG, CSV and Vega-Lite downloads): how many commitments have each status in the
latest quarter, and the same quarter by quarter. The status is written (word and symbol) beside
its colour.

`measures_analysis` is what the build calls: the status forms' facts with the department facts,
these charts and the published tables, worked out once for the pages, charts and downloads."""

from __future__ import annotations

import dataclasses
import datetime as dt

import altair as alt
import pandas as pd
from altair.utils.schemapi import debug_mode

from pipeline.analyse.commitments import Commitments, commitments_table, occurrences_table, status_table
from pipeline.analyse.departments import department_views, timeliness
from pipeline.basics.periods import Period
from pipeline.charts.kit import INK, Chart
from pipeline.charts.kit import finish as _finish
from pipeline.charts.kit import n as _n
from pipeline.charts.kit import q as _q
from pipeline.config import Config

PAGE = "measures/"  # where both charts are shown


def _label(facts: Commitments, status: str) -> str:
    s = facts.registry.statuses[status]
    return f"{s.symbol} {s.word}"


def _scale(facts: Commitments, statuses: list[str]) -> alt.Scale:
    return alt.Scale(domain=[_label(facts, s) for s in statuses],
                     range=[facts.registry.statuses[s].colour for s in statuses])


def _source(facts: Commitments) -> str:
    form = facts.registry.form
    return f"{form.department}《{form.name}》"


def _shown(facts: Commitments) -> list[str]:
    """The statuses a chart shows: the whole scale, less 未填报 when no commitment has it."""
    counts = {s: sum(facts.counts(quarter=q)[s] for q in facts.data.quarters) for s in facts.registry.statuses}
    return [s for s in facts.registry.statuses if s != facts.registry.not_reported or counts[s] or not facts.latest]


def status_chart(facts: Commitments) -> Chart:
    """How many commitments have each status in the latest quarter."""
    registry, quarter = facts.registry, facts.latest
    counts = facts.counts()
    statuses = _shown(facts)
    data = pd.DataFrame({"status": statuses, "label": [_label(facts, s) for s in statuses],
                         "count": [counts[s] for s in statuses]})
    data["text"] = data["count"].map(lambda n: f"{n} 项")
    when = Period.from_label(quarter).label_zh if quarter else "尚无进展表"
    x = _q(alt.X, "count", title="措施数（项）", axis=alt.Axis(format="d", tickMinStep=1),
           scale=alt.Scale(domain=[0, max(int(data["count"].max()) + 6, 5)], nice=False))
    y = _n(alt.Y, "label", title=None, sort=None)
    bars = alt.Chart().mark_bar(height=22, cornerRadiusEnd=2).encode(
        x=x, y=y, color=_n(alt.Color, "label", scale=_scale(facts, statuses), legend=None),
        tooltip=[_n(alt.Tooltip, "label", title="状态"), _q(alt.Tooltip, "count", title="措施数")])
    labels = alt.Chart().mark_text(align="left", dx=6, fontSize=13, fontWeight=600, color=INK).encode(
        x=x, y=y, text=_n(alt.Text, "text"))
    total = len(registry.commitments)
    summary = (f"截至{when}，规划{registry.parts_zh}的{total}项措施中，"
               + "，".join(f"{registry.statuses[s].word}{counts[s]}项" for s in statuses) + "。")
    return Chart(chart_id="measures-status", kind="measures", title=f"{registry.title}：各项措施的进展",
                 note=f"共 {total} 项措施", as_of=Period.from_label(quarter).end if quarter else None, summary=summary,
                 spec=_finish([bars, labels], data, len(statuses) * 34 + 10, summary),
                 data=data[["label", "count"]], columns={"label": "状态", "count": "措施数（项）"},
                 source=_source(facts), page=PAGE)


def history_chart(facts: Commitments) -> Chart | None:
    """Each quarter's counts by status, as one bar per quarter divided by status."""
    quarters = facts.data.quarters
    if not quarters:
        return None
    registry = facts.registry
    statuses = _shown(facts)
    rows = []
    for quarter in quarters:
        counts, start = facts.counts(quarter=quarter), 0
        for s in statuses:
            n = counts[s]
            rows.append({"quarter": quarter, "quarter_zh": Period.from_label(quarter).label_zh, "status": s,
                         "label": _label(facts, s), "count": n, "start": start, "end": start + n,
                         "middle": start + n / 2, "text": str(n) if n >= 3 else ""})
            start += n
    data = pd.DataFrame(rows)
    total = len(registry.commitments)
    x = _q(alt.X, "start", title="措施数（项）", scale=alt.Scale(domain=[0, total], nice=False),
           axis=alt.Axis(format="d", tickCount=5))
    y = _n(alt.Y, "quarter_zh", title=None, sort=None)
    bars = alt.Chart().mark_bar(height=22, stroke="white", strokeWidth=1).encode(
        x=x, x2=alt.X2(field="end"), y=y,
        color=_n(alt.Color, "label", scale=_scale(facts, statuses),
                 legend=alt.Legend(title=None, orient="bottom", columns=2, symbolType="square")),  # two columns: fits a phone
        tooltip=[_n(alt.Tooltip, "quarter_zh", title="季度"), _n(alt.Tooltip, "label", title="状态"),
                 _q(alt.Tooltip, "count", title="措施数")])
    labels = alt.Chart().mark_text(fontSize=12, fontWeight=600, color="white").encode(
        x=_q(alt.X, "middle"), y=y, text=_n(alt.Text, "text"))
    first, last = quarters[0], quarters[-1]
    before, after = facts.counts(quarter=first), facts.counts(quarter=last)
    summary = (f"{total}项措施中，{Period.from_label(first).label_zh}到{Period.from_label(last).label_zh}："
               + "，".join(f"{registry.statuses[s].word}的由{before[s]}项变为{after[s]}项" for s in statuses)
               + f"（共{len(quarters)}个季度的进展表，每季度的数字见图表页）。")
    out = data.pivot(index="quarter_zh", columns="status", values="count").reindex(
        [Period.from_label(q).label_zh for q in quarters])[statuses].reset_index()
    columns = {"quarter_zh": "季度", **{s: f"{registry.statuses[s].word}（项）" for s in statuses}}
    return Chart(chart_id="measures-history", kind="measures_history", title=f"{facts.registry.title}：逐季进展",
                 note="每个季度的进展表中各状态的措施数", as_of=Period.from_label(last).end,
                 summary=summary, spec=_finish([bars, labels], data, len(quarters) * 32 + 60, summary),
                 data=out, columns=columns, source=_source(facts), page=PAGE)


def commitment_charts(facts: Commitments) -> list[Chart]:
    """The measures' charts, in page order (Altair's construction-time checks off, as in charts.py)."""
    with debug_mode(False):
        return [c for c in (status_chart(facts), history_chart(facts)) if c is not None]


@dataclasses.dataclass(frozen=True)
class Measures:
    """The commitments, with what is worked out from them once for pages, charts and downloads."""

    facts: Commitments
    departments: list[dict]  # a view per department page (department_facts.department_views)
    charts: list[Chart]
    tables: dict[str, pd.DataFrame]  # published tables (publish/tables.py: TABLES)


def measures_analysis(facts: Commitments, config: Config, dataset, progress: pd.DataFrame, problems: list,
                      reference: dt.date | None, settings: dict) -> Measures:
    """The measures' part of the analysis (pure): department facts, charts and published tables."""
    facts = facts.with_due(reference, config.plan.end)
    timely = timeliness(config, facts, dataset.submissions, dataset.corrections, reference)
    tables = {"commitments": commitments_table(facts, settings.get("site_url", "/")), "commitment_status": status_table(facts),
              "commitment_occurrences": occurrences_table(facts), "department_submissions": timely}
    return Measures(facts=facts, departments=department_views(config, facts, progress, timely, problems),
                    charts=commitment_charts(facts), tables=tables)
