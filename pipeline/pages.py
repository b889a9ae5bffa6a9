"""Markdown pages from jinja2 templates (pure: returns {path under docs/: text}).

Every text that comes from data is HTML-escaped by the template engine (autoescape), and data
tables are HTML tables, so a name or note in a department file can never become markup.
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pandas as pd

from pipeline.charts import KINDS, Chart, status_label
from pipeline.clean import ACTIONS
from pipeline.combine import Dataset
from pipeline.config import Config, Target
from pipeline.format import date_zh, missing, number, percent, value_with_unit
from pipeline.parse import Period
from pipeline.problems import problems_frame, sort_problems
from pipeline.progress import STATUS_ORDER, STATUSES
from pipeline.tables import TABLES

TEMPLATES = Path(__file__).parent / "templates"


def page_url(md_path: str) -> str:
    """The address of a page relative to the site root: programmes/p1.md -> programmes/p1/."""
    stem = md_path.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        stem = stem.removesuffix("index")
        return stem
    return stem + "/"


def relative(from_md: str, to_url: str) -> str:
    """A link from page `from_md` to a site address (page directory or file)."""
    here = page_url(from_md) or "."
    rel = posixpath.relpath(to_url or ".", here.rstrip("/") or ".")
    if to_url.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return rel


def as_of_phrase(day: dt.date | None) -> str:
    """2010-12-31 -> 2010年第四季度; a day that is not a quarter's end -> 2010年9月15日."""
    if missing(day):
        return "—"
    period = Period.of_date(day)
    return period.label_zh if period.end == day else date_zh(day)


@dataclass(frozen=True)
class Site:
    """Everything the pages are made from."""

    config: Config
    dataset: Dataset
    progress: pd.DataFrame
    series: pd.DataFrame
    charts: list[Chart]
    problems: list
    as_of: dt.date | None
    reference: dt.date | None
    plan_text: str
    settings: dict  # mkdocs.yml `extra` (site identity, sample-data flag)

    @property
    def headlines(self) -> pd.DataFrame:
        return self.progress[self.progress["is_headline"]]

    def chart(self, chart_id: str) -> Chart | None:
        return next((c for c in self.charts if c.chart_id == chart_id), None)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        number=number, percent=percent, date_zh=date_zh, unit=value_with_unit, status_label=status_label,
        status_word=lambda s: STATUSES[s][0], status_symbol=lambda s: STATUSES[s][1],
        spec_json=lambda spec: json.dumps(spec, ensure_ascii=False, separators=(",", ":"), sort_keys=True),
        as_of=as_of_phrase, period_zh=lambda p: "—" if missing(p) else Period.from_label(p).label_zh,
        na=missing,
    )
    return env


def _provenance(observations: pd.DataFrame, target: Target) -> dict[str, list[dict]]:
    """Per period: the files and rows each figure comes from."""
    rows = observations[observations["indicator"] == target.measure.indicator]
    if target.measure.breakdown and not target.measure.share_of:
        rows = rows[rows["breakdown"].isin(target.measure.breakdown)]
    out: dict[str, list[dict]] = {}
    for (period, file), group in rows.groupby(["period", "file"], sort=True):
        first, last = int(group["row"].min()), int(group["row"].max())
        out.setdefault(period, []).append({"file": file, "name": Path(file).name, "first": first, "last": last,
                                           "count": int(group["row"].nunique())})
    return out


def _target_view(site: Site, target: Target, page: str) -> dict:
    config = site.config
    rows = site.progress[site.progress["target_id"] == target.id]
    headline = rows[rows["is_headline"]].iloc[0].to_dict()
    series = site.series[site.series["target_id"] == target.id]
    provenance = _provenance(site.dataset.observations, target)
    series_rows = []
    for r in series.itertuples():
        series_rows.append({**r._asdict(), "period_zh": Period.from_label(r.period).label_zh,
                            "sources": provenance.get(r.period, [])})
    producing = [s for s in config.sources.values()
                 if s.indicator == target.measure.indicator
                 or target.measure.indicator in {v.indicator for v in s.values.values()}]
    charts = [c for c in (site.chart(f"{target.id}-progress"), site.chart(f"{target.id}-trajectory")) if c]
    return {
        "target": target,
        "department": config.department_of(target),
        "headline": headline,
        "years": [r for r in rows.to_dict("records")] if target.kind == "annual" else [],
        "series": series_rows,
        "sources": producing,
        "charts": [_chart_view(c, page) for c in charts],
        "as_of_text": as_of_phrase(headline["data_through"]),
    }


def _chart_view(chart: Chart, page: str) -> dict:
    return {"chart": chart, "page_link": relative(page, f"charts/{chart.chart_id}/")}


def _common(site: Site, page: str) -> dict:
    headlines = site.headlines
    counts = headlines["status"].value_counts()
    return {
        "plan": site.config.plan,
        "programmes": site.config.programmes,
        "as_of": site.as_of,
        "as_of_text": as_of_phrase(site.as_of),
        "reference": site.reference,
        "settings": site.settings,
        "total": len(headlines),
        "on_track": int(counts.get("achieved", 0) + counts.get("on_track", 0)),
        "counts": {s: int(counts.get(s, 0)) for s in STATUS_ORDER},
        "statuses": STATUSES,
        "thresholds": site.config.method.status_thresholds,
        "status_order": STATUS_ORDER,
        "link": lambda to: relative(page, to),
        "page": page,
    }


def home_page(site: Site) -> str:
    page = "index.md"
    headlines = site.headlines
    cards = []
    for programme in site.config.programmes:
        rows = headlines[headlines["programme_id"] == programme.id]
        cards.append({"programme": programme, "rows": rows.to_dict("records"),
                      "link": relative(page, f"programmes/{programme.id}/")})
    return _env().get_template("index.md.j2").render(
        **_common(site, page), cards=cards, status_chart=_chart_view(site.chart("home-status"), page))


def programme_page(site: Site, programme_id: str) -> str:
    page = f"programmes/{programme_id}.md"
    programme = site.config.programme(programme_id)
    targets = [_target_view(site, t, page) for t in site.config.targets_of(programme_id)]
    return _env().get_template("programme.md.j2").render(
        **_common(site, page), programme=programme, targets=targets,
        overview=_chart_view(site.chart(f"{programme_id}-overview"), page))


def methodology_page(site: Site) -> str:
    page = "methodology.md"
    config = site.config
    sources = [{"id": k, "source": s, "indicators": [config.indicators[v.indicator].name for v in s.values.values()]
                or [config.indicators[s.indicator].name]} for k, s in config.sources.items()]
    return _env().get_template("methodology.md.j2").render(
        **_common(site, page), method=config.method,
        sources=sources, defaults=config.defaults, targets=config.targets,
        vocabularies=config.vocabularies)


def plan_page(site: Site) -> str:
    page = "plan.md"
    lines = [line.strip() for line in site.plan_text.splitlines()]
    body = [line for line in lines if line]
    # The first three non-empty lines are the republishing website's preamble (title, time, lead).
    paragraphs = body[3:]
    blocks = []
    for i, text in enumerate(paragraphs):
        if i == 0:
            blocks.append(("title", text))
        elif text[:2] in {f"{n}、" for n in "一二三四五六七八九十"}:
            blocks.append(("h2", text))
        else:
            blocks.append(("p", text))
    return _env().get_template("plan.md.j2").render(**_common(site, page), blocks=blocks,
                                                    preamble=body[:3])


def downloads_page(site: Site, table_rows: dict[str, int]) -> str:
    page = "downloads.md"
    tables = [{"table": TABLES[name], "rows": table_rows.get(name, 0)} for name in TABLES]
    return _env().get_template("downloads.md.j2").render(**_common(site, page), tables=tables)


def quality_page(site: Site) -> str:
    page = "quality.md"
    ds = site.dataset
    problems = problems_frame(sort_problems(site.problems))
    files = []
    for sub in ds.submissions.to_dict("records"):
        log = ds.cleaning_log[ds.cleaning_log["file"] == sub["file"]].to_dict("records")
        files.append({"sub": sub, "log": log,
                      "problems": problems[problems["file"] == sub["file"]].to_dict("records")})
    other = problems[~problems["file"].isin(ds.submissions["file"] if not ds.submissions.empty else [])]
    totals = ds.cleaning_log.groupby(["action", "action_zh"], as_index=False)["count"].sum() \
        if not ds.cleaning_log.empty else pd.DataFrame(columns=["action", "action_zh", "count"])
    return _env().get_template("quality.md.j2").render(
        **_common(site, page), files=files, other_problems=other.to_dict("records"),
        totals=totals.to_dict("records"), corrections=ds.corrections.to_dict("records"),
        warnings=int((problems["severity"] == "warning").sum()), actions=ACTIONS,
        indicators=site.config.indicators)


def changelog_page(site: Site) -> str:
    page = "changelog.md"
    ds = site.dataset
    subs = ds.submissions[ds.submissions["status"].isin(["used", "superseded"])]
    releases = []
    for period, group in sorted(subs.groupby("period"), key=lambda kv: Period.from_label(kv[0]), reverse=True):
        corrections = ds.corrections[ds.corrections["period"] == period].to_dict("records")
        releases.append({"period": period, "files": group.sort_values(["submitted_on", "file"], na_position="last").to_dict("records"),
                         "corrections": corrections})
    return _env().get_template("changelog.md.j2").render(**_common(site, page), releases=releases,
                                                         indicators=site.config.indicators)


def chart_page(site: Site, chart: Chart) -> str:
    page = f"charts/{chart.chart_id}/index.md"
    target = site.config.target(chart.target_id) if chart.target_id else None
    back = (relative(page, f"programmes/{chart.programme_id}/") + (f"#{chart.target_id}" if target else "")
            if chart.programme_id else relative(page, ""))
    return _env().get_template("chart.md.j2").render(
        **_common(site, page), chart=chart, chart_view=_chart_view(chart, page), target=target, back=back,
        kind_zh=KINDS[chart.kind])


def all_pages(site: Site, table_rows: dict[str, int]) -> dict[str, str]:
    """Every generated page: path under docs/ -> Markdown."""
    pages = {
        "index.md": home_page(site),
        "methodology.md": methodology_page(site),
        "plan.md": plan_page(site),
        "downloads.md": downloads_page(site, table_rows),
        "quality.md": quality_page(site),
        "changelog.md": changelog_page(site),
    }
    for programme in site.config.programmes:
        pages[f"programmes/{programme.id}.md"] = programme_page(site, programme.id)
    for chart in site.charts:
        pages[f"charts/{chart.chart_id}/index.md"] = chart_page(site, chart)
    return pages
