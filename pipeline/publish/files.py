"""Every file the site publishes under docs/, made in memory (pure): the data tables and open data,
the pages, and each chart's page and downloads."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from pipeline.images.render import Images
from pipeline.publish.chart_pages import chart_outputs
from pipeline.publish.measures import commitment_pages
from pipeline.publish.opendata import open_data_files
from pipeline.publish.pages import all_pages
from pipeline.publish.site import Site
from pipeline.publish.tables import TABLES, csv_bytes, for_table, json_bytes, rounded, targets_table


def published_tables(site: Site) -> dict[str, pd.DataFrame]:
    """Every table published under data/ (documented in tables.TABLES)."""
    analysis = site.analysis
    return {
        "targets": targets_table(site.config),
        "target_progress": analysis.progress,
        "target_series": analysis.series_table,
        "observations": analysis.dataset.observations,
        "submissions": analysis.dataset.submissions,
        "cleaning_log": analysis.dataset.cleaning_log,
        "corrections": analysis.dataset.corrections,
        "problems": analysis.problems_table,
        **(site.commitments.tables if site.commitments else {}),
    }


def publish_files(site: Site, images: dict[str, Images], footers: dict[str, list[str]]) -> dict[str, bytes]:
    """Every generated file under docs/ (pure): tables, pages, and each chart's page and downloads."""
    tables = published_tables(site)
    published = {name: rounded(for_table(name, frame)) for name, frame in tables.items()}
    files = {f"data/{name}.csv": csv_bytes(frame) for name, frame in published.items()}
    files.update({f"data/{n}.json": json_bytes(frame) for n, frame in published.items() if TABLES[n].json})
    files.update(open_data_files(published, site))  # the data dictionary, datapackage.json and the workbook
    pages = all_pages(site, {name: len(frame) for name, frame in tables.items()}, images)
    if site.commitments is not None:
        pages.update(commitment_pages(replace(site, images=images)))
    files.update({path: text.encode("utf-8") for path, text in pages.items()})
    files.update(chart_outputs(replace(site, images=images), footers))
    return files
