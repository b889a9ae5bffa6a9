"""Markdown pages from jinja2 templates (pure: returns {path under docs/: text}).

Every text that comes from data is HTML-escaped by the template engine (autoescape), and data
tables are HTML tables, so a name or note in a department file can never become markup.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import posixpath
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2
import pandas as pd

from pipeline.charts import KINDS, Chart, status_label
from pipeline.clean import ACTIONS
from pipeline.combine import Dataset
from pipeline.config import Config, Target
from pipeline.format import as_of_phrase, date_zh, figure, missing, number, percent, value_with_unit
from pipeline.parse import Period
from pipeline.problems import problems_frame, sort_problems
from pipeline.progress import STATUS_ORDER, STATUSES
from pipeline.share import EMBED_MESSAGE, cited_url, licence, share_view
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
    settings: dict  # mkdocs.yml: site_name, site_url, copyright and `extra` (sample-data flag, identity)
    images: dict = field(default_factory=dict)  # chart id -> exports.Images, once drawn

    @property
    def headlines(self) -> pd.DataFrame:
        return self.progress[self.progress["is_headline"]]

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
        number=number, figure=figure, percent=percent, date_zh=date_zh, unit=value_with_unit, status_label=status_label,
        status_word=lambda s: STATUSES[s][0], status_symbol=lambda s: STATUSES[s][1],
        as_of=as_of_phrase, period_zh=lambda p: "—" if missing(p) else Period.from_label(p).label_zh,
        na=missing,
        meta=lambda text: str(text).replace('"', "”").replace("\\", ""),
        md=_markdown_escape,
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
    producing = config.sources_of(target.measure.indicator)
    charts = [c for c in (site.chart(f"{target.id}-progress"), site.chart(f"{target.id}-trajectory")) if c]
    return {
        "target": target,
        "department": config.department_of(target),
        "headline": headline,
        "years": [r for r in rows.to_dict("records")] if target.kind == "annual" else [],
        "series": series_rows,
        "sources": producing,
        "charts": [_chart_view(site, c, page) for c in charts],
        "as_of_text": as_of_phrase(headline["data_through"]),
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
        **_common(site, page), cards=cards, status_chart=_chart_view(site, site.chart("home-status"), page),
        og_image="charts/home-status/home-status.png")


def programme_page(site: Site, programme_id: str) -> str:
    page = f"programmes/{programme_id}.md"
    programme = site.config.programme(programme_id)
    targets = [_target_view(site, t, page) for t in site.config.targets_of(programme_id)]
    return _env().get_template("programme.md.j2").render(
        **_common(site, page), programme=programme, targets=targets,
        overview=_chart_view(site, site.chart(f"{programme_id}-overview"), page),
        og_image=f"charts/{programme_id}-overview/{programme_id}-overview.png")


def methodology_page(site: Site) -> str:
    page = "methodology.md"
    config = site.config
    sources = [{"id": k, "source": s, "indicators": [config.indicators[i].name for i in s.indicator_ids]}
               for k, s in config.sources.items()]
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


def chart_source(site: Site, chart: Chart) -> str:
    """Who the figures behind a chart come from."""
    config = site.config
    if chart.target_id:
        target = config.target(chart.target_id)
        names = [f"{s.department}《{s.name}》" for s in config.sources_of(target.measure.indicator)]
        return "、".join(names) or config.department_of(target)
    if chart.programme_id:
        return config.programme(chart.programme_id).department
    return "区委组织部等八个部门"


def chart_url(site: Site, chart: Chart) -> str:
    return cited_url(site, chart)


def chart_footers(site: Site) -> dict[str, list[str]]:
    """The source lines printed under each exported image, so a cropped image still says where it
    came from and how recent it is."""
    sample = "（示例数据，非官方统计）" if site.settings.get("sample_data") else ""
    name = site.settings.get("site_name", "")
    terms = licence(site.settings)
    return {c.chart_id: [f"来源：{chart_source(site, c)}报送数据{sample}；{name}整理",
                         f"{c.subtitle.split(' · ')[-1]} · {chart_url(site, c)}", terms.line]
            for c in site.charts}


def citations(site: Site, chart: Chart) -> dict[str, str]:
    """A citation in plain Chinese, and a reference in the style of GB/T 7714-2015 ([EB/OL])."""
    name = site.settings.get("site_name", "")
    organization = site.settings.get("organization") or site.settings.get("copyright", "")
    as_of = chart.subtitle.split(" · ")[-1]
    updated = site.reference.isoformat() if site.reference else ""
    url = chart_url(site, chart)
    return {
        "sentence": f"{name}：《{chart.title}》，{as_of}，{url}",
        "gbt7714": f"{organization}. {chart.title}[EB/OL]. {name}, ({updated})[引用日期]. {url}.",
    }


def chart_csv(chart: Chart) -> pd.DataFrame:
    """The numbers behind a chart with documented Chinese column names (whole numbers as integers)."""
    frame = chart.data[list(chart.columns)].copy()
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
            frame[column] = values.astype("Int64")
        elif pd.api.types.is_float_dtype(values):
            frame[column] = values.round(4)
    return frame.rename(columns=chart.columns)


def chart_page(site: Site, chart: Chart) -> str:
    page = f"charts/{chart.chart_id}/index.md"
    target = site.config.target(chart.target_id) if chart.target_id else None
    back = (relative(page, f"programmes/{chart.programme_id}/") + (f"#{chart.target_id}" if target else "")
            if chart.programme_id else relative(page, ""))
    image = site.images.get(chart.chart_id)
    table = chart_csv(chart)
    embed_height = (image.figure_size[1] if image else 300) + 90
    return _env().get_template("chart.md.j2").render(
        **_common(site, page), chart=chart, chart_view=_chart_view(site, chart, page), target=target, back=back,
        kind_zh=KINDS[chart.kind], source=chart_source(site, chart), url=chart_url(site, chart),
        citation=citations(site, chart), table_columns=list(table.columns), table_rows=table.to_dict("records"),
        column_docs=chart.columns, svg_bytes=len(image.svg) if image else 0,
        png_size=image.png_size if image else (1280, 600), share=share_view(site, chart, embed_height),
        portrait_size=image.portrait_size if image else (1080, 1350), og_image=f"charts/{chart.chart_id}/{chart.chart_id}.png")


def embed_page(site: Site, chart: Chart) -> str:
    """A bare page with only the chart and its source line, for an iframe on another site."""
    page = f"charts/{chart.chart_id}/embed/index.md"
    return _env().get_template("embed.html.j2").render(
        chart=chart, view=_chart_view(site, chart, page), url=chart_url(site, chart),
        source=chart_source(site, chart), settings=site.settings,
        script=relative(page, "assets/javascripts/charts.js"),
        stylesheet=relative(page, "assets/stylesheets/embed.css"), icon=relative(page, "assets/images/favicon.png"),
        resize_script=relative(page, "assets/javascripts/embed.js"), message=EMBED_MESSAGE, licence=licence(site.settings))


def chart_files(site: Site, chart: Chart, image, footer: list[str]) -> dict[str, bytes]:
    """A chart's downloads: SVG, the numbers as CSV, the Vega-Lite spec, and its embed page (its
    PNG is added to the built site, see build.add_chart_pngs)."""
    from pipeline.exports import export_spec
    from pipeline.opendata import chart_csv_files
    from pipeline.share import qr_svg

    folder = f"charts/{chart.chart_id}"
    spec = export_spec(chart, footer)
    return {
        f"{folder}/{chart.chart_id}.svg": image.svg,
        f"{folder}/figure.svg": image.figure_svg,
        f"{folder}/figure-narrow.svg": image.narrow_svg,
        # the interactive chart's spec, fetched only when a reader points at the chart
        f"{folder}/chart.json": json.dumps(chart.spec, ensure_ascii=False, separators=(",", ":"),
                                           sort_keys=True).encode(),
        **({f"{folder}/chart-narrow.json": json.dumps(chart.narrow_spec, ensure_ascii=False, separators=(",", ":"),
                                                       sort_keys=True).encode()} if chart.narrow_spec else {}),
        **chart_csv_files(site, chart, chart_csv(chart)),  # the CSV and its metadata
        f"{folder}/{chart.chart_id}.vl.json": json.dumps(spec, ensure_ascii=False, indent=1, sort_keys=True).encode(),
        f"{folder}/qr.svg": qr_svg(chart_url(site, chart), f"{chart.title}：本图地址的二维码"),
        f"{folder}/embed/index.html": embed_page(site, chart).encode("utf-8"),
    }


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
    for chart in site.charts:
        pages[f"charts/{chart.chart_id}/index.md"] = chart_page(site, chart)
    return pages
