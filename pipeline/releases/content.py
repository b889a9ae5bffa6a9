"""What a chart says, as a hash (pure): two releases whose chart has the same hash show the same
chart, so the later one cites the earlier one's page instead of storing it again."""

from __future__ import annotations

import dataclasses
import hashlib
import json

from pipeline.charts.kit import Chart
from pipeline.publish.opendata import chart_context, chart_csv
from pipeline.publish.share import chart_source
from pipeline.publish.site import Site


def content_key(site: Site, chart: Chart) -> str:
    """A hash of what a chart says: its figures, words, date and context (not its address, nor the
    release's date): equal keys in two releases mean the same chart."""
    plain = dataclasses.replace(site, releases=None)
    context = {k: v[2] for k, v in chart_context(plain, chart).items() if k not in ("released_on", "cite_url")}
    parts = [chart.spec, chart.narrow_spec, chart.title, chart.note, chart.summary, str(chart.as_of), chart.columns,
             chart_csv(chart).to_csv(index=False), context, chart_source(plain, chart)]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def content_keys(site: Site) -> dict[str, str]:
    """Every chart of a site: chart id -> content_key."""
    return {c.chart_id: content_key(site, c) for c in site.charts}
