"""The one template engine of the site's pages (jinja2), made once with all its filters, and what
every page's template is given: the site's common facts and each chart's view.

Every text that comes from data is HTML-escaped by the engine (autoescape), and data tables are
HTML tables, so a name or note in a department file can never become markup. The status filters
read the configuration the page is rendered with (`render` gives it to every template), so the
engine is never changed by a caller.
"""

from __future__ import annotations

import functools
import re

import jinja2

from pipeline.basics import paths
from pipeline.basics.format import as_of_phrase, count_zh, date_zh, figure, missing, number, percent, value_with_unit
from pipeline.basics.periods import Period, periods_zh
from pipeline.charts.kit import Chart
from pipeline.config import LEVEL_KINDS, Config
from pipeline.publish.site import Site, relative

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")  # < > & are HTML-escaped instead


def markdown_escape(text: object) -> str:
    """Text from data placed where Markdown is parsed (a heading): its punctuation made literal."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", str(text))


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The template engine, made once: templates are compiled on first use and kept."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(paths.PAGE_TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        number=number, figure=figure, percent=percent, date_zh=date_zh, unit=value_with_unit, count_zh=count_zh,
        as_of=as_of_phrase, period_zh=lambda p: "—" if missing(p) else Period.from_label(p).label_zh,
        periods_zh=periods_words,
        na=missing,
        meta=lambda text: str(text).replace('"', "”").replace("\\", ""),
        md=markdown_escape,
        status_word=_status_filter("word"), status_symbol=_status_filter("symbol"), status_label=_status_filter("label"),
    )
    env.globals["level_kinds"] = LEVEL_KINDS  # targets judged by a level at the plan's end (≥ or ≤ their value)
    return env


def periods_words(labels: str, scope: str = "") -> str:
    """Space-separated period labels in words, the year said once (and not at all when it is the
    scope's: 缺第三季度 in the row of 2023): "2023Q3 2023Q4" -> 2023年第三季度、第四季度."""
    words = periods_zh([Period.from_label(label) for label in str(labels).split()])
    return words.removeprefix(f"{scope}年") if len(scope) == 4 else words


def _status_filter(field: str):
    """A filter that writes a status id as its word, symbol or label in the page's configuration."""
    @jinja2.pass_context
    def status_filter(context, status: str) -> str:
        return getattr(context["config"].method.status(status), field)
    return status_filter


def render(config: Config, template: str, **context) -> str:
    """Every page and file of the site is rendered here: a template with its context and the
    configuration its status filters read."""
    return environment().get_template(template).render(config=config, **context)


def chart_view(site: Site, chart: Chart, page: str) -> dict:
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


def common(site: Site, page: str) -> dict:
    analysis = site.analysis
    return {
        "plan": site.config.plan,
        "programmes": site.config.programmes,
        "as_of": site.as_of,
        "as_of_text": as_of_phrase(site.as_of),
        "reference": site.reference,
        "settings": site.settings,
        "total": len(analysis.headlines),
        "plan_over": analysis.plan_over,
        "headline_zh": analysis.headline_zh,
        "counts": analysis.status_counts,
        "listed_statuses": analysis.listed_statuses,
        "statuses": site.config.method.statuses,
        "thresholds": site.config.method.status_thresholds,
        "link": lambda to: relative(page, to),
        "page": page,
        "measures_title": site.commitments.facts.registry.first_part if site.commitments else "措施",
    }


