"""Each chart's own page and downloads (pure): where its figures come from, its address, the
source lines under its images, citations, the numbers behind it, its embed page."""

from __future__ import annotations

import json

import pandas as pd

from pipeline.charts.kit import KINDS, Chart
from pipeline.images.qr import qr_svg
from pipeline.publish.opendata import chart_csv, chart_csv_files
from pipeline.publish.render import chart_view, common, render
from pipeline.publish.share import EMBED_MESSAGE, chart_source, citations, cited_url, licence, share_view
from pipeline.publish.site import Site, relative


def chart_page(site: Site, chart: Chart, table: pd.DataFrame) -> str:
    """The chart's own page: the chart, its downloads, citations, embed code and numbers."""
    page = f"charts/{chart.chart_id}/index.md"
    target = site.config.target(chart.target_id) if chart.target_id else None
    back = (relative(page, f"programmes/{chart.programme_id}/") + (f"#{chart.target_id}" if target else "")
            if chart.programme_id else relative(page, chart.page or ""))
    image = site.images.get(chart.chart_id)
    embed_height = (image.figure_size[1] if image else 300) + 90
    return render(site.config, "chart.md.j2",
        **common(site, page), chart=chart, chart_view=chart_view(site, chart, page), target=target, back=back,
        kind_zh=KINDS[chart.kind], source=chart_source(site, chart), url=cited_url(site, chart),
        citation=citations(site, chart), table_columns=list(table.columns), table_rows=table.to_dict("records"),
        column_docs=chart.columns, svg_bytes=len(image.svg) if image else 0,
        png_size=image.png_size if image else (1280, 600), share=share_view(site, chart, embed_height),
        portrait_size=image.portrait_size if image else (1080, 1350), og_image=f"charts/{chart.chart_id}/{chart.chart_id}.png",
        history=chart_history(site, chart.chart_id, page))


def embed_page(site: Site, chart: Chart) -> str:
    """A bare page with only the chart and its source line, for an iframe on another site."""
    page = f"charts/{chart.chart_id}/embed/index.md"
    return render(site.config, "embed.html.j2",
        chart=chart, view=chart_view(site, chart, page), url=cited_url(site, chart),
        source=chart_source(site, chart), settings=site.settings,
        script=relative(page, "assets/javascripts/charts.js"),
        stylesheet=relative(page, "assets/stylesheets/embed.css"), icon=relative(page, "assets/images/favicon.png"),
        resize_script=relative(page, "assets/javascripts/embed.js"), message=EMBED_MESSAGE, licence=licence(site.settings))


def chart_files(site: Site, chart: Chart, image, footer: list[str], table: pd.DataFrame) -> dict[str, bytes]:
    """A chart's downloads: SVG, the numbers as CSV, the Vega-Lite spec, and its embed page (its
    PNG is added to the built site, see build.add_chart_pngs)."""
    from pipeline.images.render import export_spec

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
        **chart_csv_files(site, chart, table),  # the CSV and its metadata
        f"{folder}/{chart.chart_id}.vl.json": json.dumps(spec, ensure_ascii=False, indent=1, sort_keys=True).encode(),
        f"{folder}/qr.svg": qr_svg(cited_url(site, chart), f"{chart.title}：本图地址的二维码"),
        f"{folder}/embed/index.html": embed_page(site, chart).encode("utf-8"),
    }


def chart_outputs(site: Site, footers: dict[str, list[str]]) -> dict[str, bytes]:
    """Every chart's page and downloads (site.images drawn), each chart's numbers made once."""
    files: dict[str, bytes] = {}
    for chart in site.charts:
        table = chart_csv(chart)
        files[f"charts/{chart.chart_id}/index.md"] = chart_page(site, chart, table).encode("utf-8")
        files.update(chart_files(site, chart, site.images[chart.chart_id], footers[chart.chart_id], table))
    return files


def chart_history(site: Site, chart_id: str, page: str) -> list[dict]:
    """A chart's versions in the dated releases, latest first, linked from `page` (the current
    chart page lists them)."""
    releases = site.releases
    if releases is None:
        return []
    return [{"label_zh": r.label_zh, "closing": r.closing, "as_of": r.charts[chart_id][1],
             "link": relative(page, f"{r.path}charts/{chart_id}/"), "cited": releases.cited.get(chart_id) == r.name}
            for r in releases.history(chart_id)]
