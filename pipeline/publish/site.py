"""The site being published: everything its pages are made from (the analysis, the charts, the
settings, the images once drawn, the measures, the releases), and the addresses of its pages."""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass, field

import pandas as pd

from pipeline.analyse.analysis import Analysis
from pipeline.archive.record import Releases
from pipeline.charts.kit import Chart
from pipeline.charts.measures import Measures
from pipeline.config import Config


def page_url(md_path: str) -> str:
    """The address of a page relative to the site root: programmes/<id>.md -> programmes/<id>/."""
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
    settings: dict  # mkdocs.yml: site_url, copyright and `extra`; config/plan.yml: site (name, sample-data flag)
    images: dict = field(default_factory=dict)  # chart id -> exports.Images, once drawn
    commitments: Measures | None = None  # the plan's measures (None: not read)
    releases: Releases | None = None  # the dated releases (None: none, citations give the current page)

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


