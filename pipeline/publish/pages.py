"""Markdown pages from jinja2 templates (pure: returns {path under docs/: text}).

Every text that comes from data is HTML-escaped by the template engine (autoescape), and data
tables are HTML tables, so a name or note in a department file can never become markup.
"""

from __future__ import annotations

import datetime as dt
import functools
import posixpath
import re
from dataclasses import dataclass, field, replace

import jinja2
import pandas as pd

from pipeline.analyse.analysis import Analysis
from pipeline.analyse.series import provenance
from pipeline.basics import paths
from pipeline.basics.format import as_of_phrase, count_zh, date_zh, figure, missing, number, percent, value_with_unit
from pipeline.basics.periods import Period
from pipeline.basics.problems import sort_problems
from pipeline.charts.kit import Chart
from pipeline.clean import ACTIONS
from pipeline.config import Config, Target
from pipeline.publish.tables import TABLES

TEMPLATES = paths.PAGE_TEMPLATES_DIR


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
    if (to_url.endswith("/") or not to_url) and not rel.endswith("/"):
        rel += "/"
    return rel


@dataclass(frozen=True)
class Site:
    """Everything the pages are made from: the analysis, the charts and the site's settings."""

    analysis: Analysis
    charts: list[Chart]
    plan_text: str
    settings: dict  # mkdocs.yml: site_name, site_url, copyright and `extra` (sample-data flag, identity)
    images: dict = field(default_factory=dict)  # chart id -> exports.Images, once drawn
    commitments: object = None  # the plan's measures: commitment_pages.Measures (None: not read)
    releases: object = None  # the dated releases: releases.Releases (None: none, citations give the current page)

    @property
    def config(self) -> Config:
        return self.analysis.config

    @property
    def dataset(self):
        return self.analysis.dataset

    @property
    def progress(self) -> pd.DataFrame:
        return self.analysis.progress

    @property
    def series(self) -> pd.DataFrame:
        return self.analysis.series_table

    @property
    def problems(self) -> list:
        return self.analysis.problems

    @property
    def as_of(self) -> dt.date | None:
        return self.analysis.as_of

    @property
    def reference(self) -> dt.date | None:
        return self.analysis.released_on

    @property
    def headlines(self) -> pd.DataFrame:
        return self.analysis.headlines

    def chart(self, chart_id: str) -> Chart | None:
        return next((c for c in self.charts if c.chart_id == chart_id), None)


_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")  # < > & are HTML-escaped instead


def _markdown_escape(text: object) -> str:
    """Text from data placed where Markdown is parsed (a heading): its punctuation made literal."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", str(text))


@functools.lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    """The template engine, made once: templates are compiled on first use and kept."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        number=number, figure=figure, percent=percent, date_zh=date_zh, unit=value_with_unit, count_zh=count_zh,
        as_of=as_of_phrase, period_zh=lambda p: "—" if missing(p) else Period.from_label(p).label_zh,
        na=missing,
        meta=lambda text: str(text).replace('"', "”").replace("\\", ""),
        md=_markdown_escape,
    )
    return env


def render(config: Config, template: str, **context) -> str:
    """A template rendered with the status filters of this configuration."""
    env = _env()
    env.filters.update(status_word=lambda s: config.method.status(s).word,
                       status_symbol=lambda s: config.method.status(s).symbol,
                       status_label=lambda s: config.method.status(s).label)
    return env.get_template(template).render(**context)


def _target_view(site: Site, target: Target, page: str) -> dict:
    config = site.config
    windows = site.analysis.windows(target.id)
    sources = provenance(site.dataset.observations, target)
    series = site.series[site.series["target_id"] == target.id]
    series_rows = [{**r._asdict(), "period_zh": Period.from_label(r.period).label_zh, "sources": sources.get(r.period, [])}
                   for r in series.itertuples()]
    charts = [c for c in (site.chart(f"{target.id}-progress"), site.chart(f"{target.id}-trajectory")) if c]
    return {
        "target": target,
        "department": config.department_of(target),
        "headline": site.analysis.headline(target.id),
        "years": windows.to_dict("records") if target.kind == "annual" else [],
        "series": series_rows,
        "sources": config.sources_of(target.measure.indicator),
        "charts": [_chart_view(site, c, page) for c in charts],
    }


def _chart_view(site: Site, chart: Chart, page: str) -> dict:
    """What a page needs to show a chart: its spec, its static image and the link to its page."""
    image = site.images.get(chart.chart_id)
    width, height = image.figure_size if image else (640, 300)
    narrow_width, narrow_height = image.narrow_size if image else (300, 300)
    return {"chart": chart, "page_link": relative(page, f"charts/{chart.chart_id}/"),
            "figure_src": relative(page, f"charts/{chart.chart_id}/figure.svg"), "width": width, "height": height,
            "narrow_src": relative(page, f"charts/{chart.chart_id}/figure-narrow.svg"),
            "spec_src": relative(page, f"charts/{chart.chart_id}/chart.json"),
            "narrow_spec_src": relative(page, f"charts/{chart.chart_id}/chart-narrow.json") if chart.narrow_spec else None,
            "narrow_width": narrow_width, "narrow_height": narrow_height}


def _common(site: Site, page: str) -> dict:
    analysis = site.analysis
    return {
        "plan": site.config.plan,
        "programmes": site.config.programmes,
        "as_of": site.as_of,
        "as_of_text": as_of_phrase(site.as_of),
        "reference": site.reference,
        "settings": site.settings,
        "total": len(analysis.headlines),
        "on_track": analysis.good_count,
        "final_count": analysis.final_count,
        "plan_over": analysis.plan_over,
        "counts": analysis.status_counts,
        "statuses": site.config.method.statuses,
        "thresholds": site.config.method.status_thresholds,
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
    return render(site.config, "index.md.j2",
        **_common(site, page), cards=cards, status_chart=_chart_view(site, site.chart("home-status"), page),
        measures=site.commitments, releases=site.releases,
        og_image="charts/home-status/home-status.png")


def programme_page(site: Site, programme_id: str) -> str:
    page = f"programmes/{programme_id}.md"
    programme = site.config.programme(programme_id)
    targets = [_target_view(site, t, page) for t in site.config.targets_of(programme_id)]
    return render(site.config, "programme.md.j2",
        **_common(site, page), programme=programme, targets=targets,
        overview=_chart_view(site, site.chart(f"{programme_id}-overview"), page),
        og_image=f"charts/{programme_id}-overview/{programme_id}-overview.png")


def methodology_page(site: Site) -> str:
    page = "methodology.md"
    config = site.config
    sources = [{"id": k, "source": s, "indicators": [config.indicators[i].name for i in s.indicator_ids]}
               for k, s in config.sources.items()]
    return render(site.config, "methodology.md.j2",
        **_common(site, page), method=config.method,
        sources=sources, defaults=config.defaults, targets=config.targets, readings=config.readings,
        vocabularies=config.vocabularies, measures=site.commitments, indicators=config.indicators)


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
    return render(site.config, "plan.md.j2", **_common(site, page), blocks=blocks,
                                                    preamble=body[:3])


def downloads_page(site: Site, table_rows: dict[str, int]) -> str:
    page = "downloads.md"
    tables = [{"table": TABLES[name], "rows": table_rows.get(name, 0)} for name in TABLES]
    return render(site.config, "downloads.md.j2", **_common(site, page), tables=tables)


def quality_page(site: Site) -> str:
    page = "quality.md"
    ds = site.dataset
    # The problems themselves (a missing sheet or column is None), not rows of a table (where it
    # would be NaN, printed as 工作表“nan”); a submission's missing values as None likewise.
    problems = sort_problems(site.problems)
    files = []
    for sub in ds.submissions.to_dict("records"):
        log = ds.cleaning_log[ds.cleaning_log["file"] == sub["file"]].to_dict("records")
        files.append({"sub": {k: None if missing(v) else v for k, v in sub.items()}, "log": log,
                      "problems": [p for p in problems if p.file == sub["file"]]})
    read = set(ds.submissions.get("file", []))
    other = [p for p in problems if p.file not in read]
    totals = ds.cleaning_log.groupby(["action", "action_zh"], as_index=False)["count"].sum() \
        if not ds.cleaning_log.empty else pd.DataFrame(columns=["action", "action_zh", "count"])
    return render(site.config, "quality.md.j2",
        **_common(site, page), files=files, other_problems=other,
        totals=totals.to_dict("records"), corrections=ds.corrections.to_dict("records"),
        warnings=sum(p.severity == "warning" for p in problems), actions=ACTIONS,
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
    from pipeline.releases.dated import release_rows

    return render(site.config, "changelog.md.j2", **_common(site, page), releases=releases,
                  indicators=site.config.indicators, dated=release_rows(site, page))


def all_pages(site: Site, table_rows: dict[str, int], images: dict) -> dict[str, str]:
    """Every generated page: path under docs/ -> Markdown."""
    site = replace(site, images=images)
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
    if site.commitments is not None:
        from pipeline.publish.measures import commitment_pages  # it builds on this module

        pages.update(commitment_pages(site))
    return pages
