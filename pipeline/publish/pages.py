"""The site's own pages as Markdown (pure: returns {path under docs/: text}): home, a page per
programme, methodology, the plan's text, downloads, the data-quality report and the change log
(each chart's page: chart_pages.py; the measures' and departments' pages: measures.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from types import SimpleNamespace

import pandas as pd

from pipeline.analyse.departments import forms
from pipeline.analyse.series import provenance
from pipeline.basics.format import missing
from pipeline.basics.periods import Period
from pipeline.basics.problems import sort_problems
from pipeline.clean import ACTIONS
from pipeline.config import Config, PlanInfo, Target
from pipeline.ingest.receipts import closing_date
from pipeline.publish.render import chart_view, common, render
from pipeline.publish.site import Site, relative
from pipeline.publish.tables import described, registry_of


def _target_view(site: Site, target: Target, page: str) -> dict:
    config = site.config
    windows = site.analysis.windows(target.id)
    sources = provenance(site.dataset.observations, target)
    series = site.series[site.series["target_id"] == target.id]
    series_rows = [{**r._asdict(), "period_zh": Period.from_label(r.period).label_zh, "sources": sources.get(r.period, []),
                    "missing": False, "order": Period.from_label(r.period)} for r in series.itertuples()]
    series_rows += _missing_rows(site, target, windows)
    series_rows.sort(key=lambda r: r["order"])
    charts = [c for c in (site.chart(f"{target.id}-progress"), site.chart(f"{target.id}-trajectory")) if c]
    headline = site.analysis.headline(target.id)
    years = windows[windows["scope"].str.len() == 4]
    return {
        "target": target,
        "department": config.department_of(target),
        "headline": headline,
        "years": windows.to_dict("records") if target.kind == "annual" else [],
        # the plan's row of a 每年 target: each year's figure, where the row has none of its own
        "years_done": years.to_dict("records") if target.kind == "annual" and "-" in headline["scope"] else [],
        "set_aside": sorted({f for r in windows["set_aside"] for f in r.split("；") if f}),
        "series": series_rows,
        "sources": [s for i in target.indicators for s in config.sources_of(i)],
        "level_columns": level_columns(config, target),
        "charts": [chart_view(site, c, page) for c in charts],
    }


def level_columns(config: Config, target: Target) -> list[str]:
    """The columns of a level target's table of figures before its target path: a share's part and
    whole, a ratio's numerator and denominator (their indicators' names), then the level."""
    if target.kind == "end_state":
        return ["目标分组人数", "全部人数", "占比"]
    if target.kind == "ratio":
        return [config.indicators[i].name for i in target.indicators] + [target.level_word]
    return [target.level_word]


def _card_rows(site: Site, rows: pd.DataFrame) -> list[dict]:
    """A programme card's targets, each with its years when it reads the plan's row of a 每年
    target (every year's figure: the card shows each)."""
    out = []
    for r in rows.to_dict("records"):
        windows = site.analysis.windows(r["target_id"])
        years = windows[windows["scope"].str.len() == 4] if r["kind"] == "annual" and "-" in r["scope"] else windows.iloc[:0]
        out.append({**r, "years": years.to_dict("records")})
    return out


def _missing_rows(site: Site, target: Target, windows: pd.DataFrame) -> list[dict]:
    """A row of the 逐期数字 table for each period no file covers, in its place among the figures."""
    labels = dict.fromkeys(label for r in windows["missing_periods"] for label in r.split())
    sources = site.config.sources_of(target.measure.indicator)
    out = []
    for label in labels:
        period = Period.from_label(label)
        source = sources[0] if sources else None
        end = ((source.coverage_end(period.year) if period.is_year else None) or period.end) if source else None
        out.append({"period": label, "period_zh": period.label_zh, "missing": True, "order": period,
                    "due_on": end + dt.timedelta(days=source.due_days) if source else None})
    return out


def home_page(site: Site) -> str:
    page = "index.md"
    headlines = site.headlines
    cards = []
    for programme in site.config.programmes:
        rows = headlines[headlines["programme_id"] == programme.id]
        cards.append({"programme": programme, "rows": _card_rows(site, rows),
                      "link": relative(page, f"programmes/{programme.id}/")})
    unsettled = [{**r, "link": relative(page, f"programmes/{r['programme_id']}/") + f"#{r['target_id']}"}
                 for r in site.analysis.unsettled.to_dict("records")]
    return render(site.config, "index.md.j2",
        **common(site, page), cards=cards, status_chart=chart_view(site, site.chart("home-status"), page),
        unsettled=unsettled,
        measures=site.commitments, releases=site.releases, now=current_release_view(site),
        og_image="charts/home-status/home-status.png")


def current_release_view(site: Site) -> dict | None:
    """What the home page says of the release its figures belong to: the latest closed one, or the
    quarter being prepared (its files, its closing date), for 本期变化."""
    releases = site.releases
    if releases is None or releases.changes is None:
        return None
    if releases.open_label is None:
        return {"release": releases.latest, "open": False}
    period = Period.from_label(releases.open_label)
    used = site.dataset.submissions
    files = list(used[used["status"].isin(["used", "superseded", "set_aside"])]["file"]) if len(used) else []
    view = SimpleNamespace(label=releases.open_label, label_zh=f"{period.label_zh}发布（准备中，尚未封存）",
                           closing=closing_date(period, site.config.method.releases.months_after), files=files,
                           checked_on=min(closing_date(period, site.config.method.releases.months_after),
                                          site.reference or dt.date.max),
                           as_of=site.as_of, total=len(site.headlines), good=site.analysis.good_count,
                           headline_zh=site.analysis.headline_zh)
    return {"release": view, "open": True, "previous": releases.latest}


def programme_page(site: Site, programme_id: str) -> str:
    page = f"programmes/{programme_id}.md"
    programme = site.config.programme(programme_id)
    targets = [_target_view(site, t, page) for t in site.config.targets_of(programme_id)]
    return render(site.config, "programme.md.j2",
        **common(site, page), programme=programme, targets=targets,
        overview=chart_view(site, site.chart(f"{programme_id}-overview"), page),
        og_image=f"charts/{programme_id}-overview/{programme_id}-overview.png")


def methodology_page(site: Site) -> str:
    page = "methodology.md"
    config = site.config
    sources = [{"id": k, "source": s, "indicators": [config.indicators[i].name for i in s.indicator_ids]}
               for k, s in config.sources.items()]
    return render(site.config, "methodology.md.j2",
        **common(site, page), method=config.method,
        sources=sources, defaults=config.defaults, targets=config.targets, readings=config.readings,
        vocabularies=config.vocabularies, measures=site.commitments, indicators=config.indicators,
        pace_example=pace_example(config.plan), release_example=release_example(config),
        kinds_used={t.kind for t in config.targets},
        levels=[{"target": t, "columns": level_columns(config, t)} for t in config.targets if t.kind in ("level", "ratio")],
        short_name=config.short_name_example(), unit_column=config.unit_column_example(),
        alternative_forms=["和".join(f"《{config.sources[k].name}》" for k in f.source_ids)
                           for f in (forms(config, site.commitments.facts) if site.commitments else []) if len(f.source_ids) > 1])


def pace_example(plan: PlanInfo) -> dict:
    """The methodology's example of time elapsed: data up to the end of the plan's last year but one."""
    year = plan.example_years[1]
    months = (year - plan.start.year) * 12 + 13 - plan.start.month
    return {"year": year, "months": months, "share": months / plan.months}


def release_example(config: Config) -> dict:
    """The methodology's example of a release: the fourth quarter of the plan's last year but one,
    and the last day of receipt for it."""
    quarter = Period.quarter_of(config.plan.example_years[1], 4)
    return {"quarter": quarter, "closes": closing_date(quarter, config.method.releases.months_after)}


def plan_page(site: Site) -> str:
    page = "plan.md"
    lines = [line.strip() for line in site.plan_text.splitlines()]
    body = [line for line in lines if line]
    # The text's first non-empty lines may be a republishing website's preamble (title, time, lead):
    # how many is configuration (plan.yml text_preamble_lines).
    skip = site.config.plan.text_preamble_lines
    paragraphs = body[skip:]
    blocks = []
    for i, text in enumerate(paragraphs):
        if i == 0:
            blocks.append(("title", text))
        elif text[:2] in {f"{n}、" for n in "一二三四五六七八九十"}:
            blocks.append(("h2", text))
        else:
            blocks.append(("p", text))
    return render(site.config, "plan.md.j2", **common(site, page), blocks=blocks,
                                                    preamble=body[:skip])


def downloads_page(site: Site, table_rows: dict[str, int]) -> str:
    page = "downloads.md"
    tables = [{"table": table, "rows": table_rows.get(name, 0)} for name, table in described(site.config, registry_of(site)).items()]
    return render(site.config, "downloads.md.j2", **common(site, page), tables=tables)


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
        **common(site, page), files=files, other_problems=other,
        totals=totals.to_dict("records"), corrections=ds.corrections.to_dict("records"),
        warnings=sum(p.severity == "warning" for p in problems), actions=ACTIONS,
        indicators=site.config.indicators)


def changelog_page(site: Site) -> str:
    page = "changelog.md"
    ds = site.dataset
    subs = ds.submissions[ds.submissions["status"].isin(["used", "superseded", "set_aside"])]
    releases = []
    for period, group in sorted(subs.groupby("period"), key=lambda kv: Period.from_label(kv[0]), reverse=True):
        corrections = ds.corrections[ds.corrections["period"] == period].to_dict("records")
        releases.append({"period": period, "files": group.sort_values(["submitted_on", "file"], na_position="last").to_dict("records"),
                         "corrections": corrections})
    return render(site.config, "changelog.md.j2", **common(site, page), releases=releases,
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
    if site.releases and site.releases.all:
        pages["releases/index.md"] = releases_page(site)
    return pages


def releases_page(site: Site) -> str:
    """/releases/: every dated release, latest first, with its briefing (the archives themselves
    are placed beside this page, each in its folder)."""
    page = "releases/index.md"
    return render(site.config, "releases.md.j2", **common(site, page), dated=release_rows(site, page))


def release_rows(site: Site, page: str) -> list[dict]:
    """Every dated release, latest first, with links from `page` (the change log lists them)."""
    releases = site.releases
    return [{"release": r, "link": relative(page, r.path), "briefing": relative(page, f"{r.path}briefing/"),
             "new_charts": sum(v == r.name for v in r.versions.values())}
            for r in reversed(releases.all)] if releases else []
