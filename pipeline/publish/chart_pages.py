"""Each chart's own page and downloads (pure): where its figures come from, its address, the
source lines under its images, citations, the numbers behind it, its embed page."""

from __future__ import annotations

import json

import pandas as pd

from pipeline.basics.format import count_zh
from pipeline.charts.kit import KINDS, Chart
from pipeline.images.qr import qr_svg
from pipeline.publish.pages import Site, _chart_view, _common, relative, render
from pipeline.publish.share import EMBED_MESSAGE, cited_url, licence, share_view
from pipeline.releases.dated import chart_history


def chart_source(site: Site, chart: Chart) -> str:
    """Who the figures behind a chart come from."""
    config = site.config
    if chart.source:
        return chart.source
    if chart.target_id:
        target = config.target(chart.target_id)
        names = [f"{s.department}《{s.name}》" for s in config.sources_of(target.measure.indicator)]
        return "、".join(names) or config.department_of(target)
    if chart.programme_id:
        return config.programme(chart.programme_id).department
    departments = list(dict.fromkeys(p.department for p in config.programmes))
    return f"{departments[0]}等{count_zh(len(departments))}个部门"


def chart_url(site: Site, chart: Chart) -> str:
    """The address every citation, embed snippet, QR code and image gives for a chart."""
    return cited_url(site, chart)


def chart_footers(site: Site) -> dict[str, list[str]]:
    """The source lines printed under each exported image, so a cropped image still says where it
    came from and how recent it is."""
    sample = "（示例数据，非官方统计）" if site.settings.get("sample_data") else ""
    name = site.settings.get("site_name", "")
    terms = licence(site.settings)
    return {c.chart_id: [f"来源：{chart_source(site, c)}报送数据{sample}；{name}整理",
                         f"{c.as_of_text} · {chart_url(site, c)}", terms.line]
            for c in site.charts}


def citations(site: Site, chart: Chart) -> dict[str, str]:
    """A citation in plain Chinese, and a reference in the style of GB/T 7714-2015 ([EB/OL])."""
    name = site.settings.get("site_name", "")
    organization = site.settings.get("organization") or site.settings.get("copyright", "")
    as_of = chart.as_of_text
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


def chart_page(site: Site, chart: Chart, table: pd.DataFrame) -> str:
    """The chart's own page: the chart, its downloads, citations, embed code and numbers."""
    page = f"charts/{chart.chart_id}/index.md"
    target = site.config.target(chart.target_id) if chart.target_id else None
    back = (relative(page, f"programmes/{chart.programme_id}/") + (f"#{chart.target_id}" if target else "")
            if chart.programme_id else relative(page, chart.page or ""))
    image = site.images.get(chart.chart_id)
    embed_height = (image.figure_size[1] if image else 300) + 90
    return render(site.config, "chart.md.j2",
        **_common(site, page), chart=chart, chart_view=_chart_view(site, chart, page), target=target, back=back,
        kind_zh=KINDS[chart.kind], source=chart_source(site, chart), url=chart_url(site, chart),
        citation=citations(site, chart), table_columns=list(table.columns), table_rows=table.to_dict("records"),
        column_docs=chart.columns, svg_bytes=len(image.svg) if image else 0,
        png_size=image.png_size if image else (1280, 600), share=share_view(site, chart, embed_height),
        portrait_size=image.portrait_size if image else (1080, 1350), og_image=f"charts/{chart.chart_id}/{chart.chart_id}.png",
        history=chart_history(site, chart.chart_id, page))


def embed_page(site: Site, chart: Chart) -> str:
    """A bare page with only the chart and its source line, for an iframe on another site."""
    page = f"charts/{chart.chart_id}/embed/index.md"
    return render(site.config, "embed.html.j2",
        chart=chart, view=_chart_view(site, chart, page), url=chart_url(site, chart),
        source=chart_source(site, chart), settings=site.settings,
        script=relative(page, "assets/javascripts/charts.js"),
        stylesheet=relative(page, "assets/stylesheets/embed.css"), icon=relative(page, "assets/images/favicon.png"),
        resize_script=relative(page, "assets/javascripts/embed.js"), message=EMBED_MESSAGE, licence=licence(site.settings))


def chart_files(site: Site, chart: Chart, image, footer: list[str], table: pd.DataFrame) -> dict[str, bytes]:
    """A chart's downloads: SVG, the numbers as CSV, the Vega-Lite spec, and its embed page (its
    PNG is added to the built site, see build.add_chart_pngs)."""
    from pipeline.images.render import export_spec
    from pipeline.publish.opendata import chart_csv_files

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
        f"{folder}/qr.svg": qr_svg(chart_url(site, chart), f"{chart.title}：本图地址的二维码"),
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
