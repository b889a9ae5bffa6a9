"""What every chart shares: the Chart record, the house style, and the few helpers that put Altair
layers together quickly (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import altair as alt
import pandas as pd

from pipeline.basics.format import as_of_phrase, missing
from pipeline.config import Config

FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif'
INK = "#1f2328"
MUTED = "#57606a"
TARGET_COLOUR = "#24292f"
PATH_COLOUR = "#8c959f"
GAP_COLOUR = "#eaeef2"  # months no file covers (a trajectory's line stops there)
BAR_HEIGHT = 26
HALO_WIDTH = 6  # px of white around a label (3 each side) where a rule or tick crosses it
BASELINE_WORD = "基准"  # the first report of a share: a reference, not a status

#: Chart kinds: id -> Chinese name (used in titles, addresses and downloads).
KINDS = {
    "progress": "完成情况",
    "trajectory": "逐期进展",  # in titles, the word for how often its figures come (cadence.py)
    "overview": "各项目标进度",
    "status": "目标进度概览",
    "measures": "措施进展概览",  # pipeline/charts/measures.py (its titles name the parts: config/commitments.yml)
    "measures_history": "措施逐季进展",
}


@dataclass(frozen=True)
class Chart:
    """One chart and everything needed to publish it."""

    chart_id: str  # stable address part: <target id>-<kind>, <programme id>-overview, home-status
    kind: str
    title: str
    note: str  # how to read it (status, what the marks are), shown under the title
    as_of: dt.date | None  # the date its figures reach (数据截至)
    summary: str  # one plain Chinese sentence stating the figures (caption and text alternative)
    spec: dict  # Vega-Lite, width "container"
    data: pd.DataFrame  # the numbers behind the chart, columns described in `columns`
    columns: dict[str, str] = field(default_factory=dict)  # column -> Chinese description
    target_id: str | None = None
    programme_id: str | None = None
    # Another layout of the same chart for phones, where `spec` would leave too little room (or None)
    narrow_spec: dict | None = None
    # Charts of the plan's measures (pipeline/charts/measures.py): who the figures come from,
    # and the page the chart is shown on (where its chart page links back to).
    source: str | None = None
    page: str | None = None

    @property
    def as_of_text(self) -> str:
        return f"数据截至{as_of_phrase(self.as_of)}"

    @property
    def subtitle_lines(self) -> list[str]:
        return [line for line in (self.note, self.as_of_text) if line]

    @property
    def subtitle(self) -> str:
        return " · ".join(self.subtitle_lines)


def style() -> dict:
    # Screen readers get one sentence with every figure (the chart's description, which Vega puts
    # on the SVG as its label) rather than a label per bar, tick and axis: marks are not announced.
    return {
        "aria": True,
        "mark": {"aria": False},
        "font": FONT,
        "background": "white",
        "padding": {"left": 4, "right": 12, "top": 6, "bottom": 4},
        "title": {"anchor": "start", "fontSize": 15, "fontWeight": 600, "color": INK,
                  "subtitleFontSize": 12, "subtitleColor": MUTED, "offset": 10},
        "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": INK, "titleColor": MUTED,
                 "titleFontWeight": "normal", "gridColor": "#eaeef2", "domainColor": "#afb8c1",
                 "tickColor": "#afb8c1", "labelLimit": 240, "aria": False},
        "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom", "titleColor": MUTED, "aria": False},
        "view": {"stroke": None},
        "text": {"fontSize": 12, "color": INK},
    }


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts, missing values as None (so the spec is valid JSON)."""
    return [{k: (None if missing(v) else v) for k, v in row.items()} for row in frame.to_dict("records")]


def inline(frame: pd.DataFrame) -> alt.InlineData:
    return alt.InlineData(values=records(frame))


def q(channel, field: str, **kw):
    return channel(field=field, type="quantitative", **kw)


def n(channel, field: str, **kw):
    return channel(field=field, type="nominal", **kw)


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def finish(layers: list, data: pd.DataFrame | None, height: int, summary: str) -> dict:
    """The spec drawn on the site's pages: as wide as its container, no title (the page's heading
    and caption carry it; exports add title, subtitle and source, see exports.py).

    Each layer is an Altair chart; they are put together here rather than by alt.LayerChart, which
    copies and re-validates every layer (most of the build's chart time). Channels are written
    out rather than as "field:Q" shorthands for the same reason."""
    spec: dict = {"layer": [], "height": height, "width": "container", "description": summary}
    datasets: dict = {}
    for layer in layers:
        part = layer.to_dict(validate=False)
        own = part.pop("datasets", {})
        if part.get("data") == {"name": "empty"}:
            # Altair gives a chart without data an empty dataset; a layer takes its chart's data.
            del part["data"]
            own.pop("empty", None)
        datasets.update(own)
        for key in ("$schema", "config"):
            part.pop(key, None)
        spec["layer"].append(part)
    if data is not None:
        spec["data"] = {"values": records(data)}
    if datasets:
        spec["datasets"] = datasets
        _rename_datasets(spec)
    spec["config"] = style()
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec


def _rename_datasets(spec: dict) -> None:
    """Altair names each dataset by a hash of its values ("data-94f3e58f18d383c16303269858eb541f"):
    a run of digits in such a hash looks like a mobile number to the last guard before
    publishing, and stops the build. The datasets are named by their order instead (data-1, …)."""
    names = {old: f"data-{i}" for i, old in enumerate(spec["datasets"], start=1)}
    spec["datasets"] = {names[old]: values for old, values in spec["datasets"].items()}

    def rename(node: object) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and data.get("name") in names:
                data["name"] = names[data["name"]]
            for key, value in node.items():
                if key != "datasets":
                    rename(value)
        elif isinstance(node, list):
            for item in node:
                rename(item)

    rename(spec["layer"])


def text_layers(data=alt.Undefined, **mark) -> list[alt.Chart]:
    """A text layer, and beneath it the same text outlined in white: where a rule, tick or bar
    crosses a label, the label stays whole ("1,930" is not struck through into "1|930").
    Encode both with `encode_all`; put them after the rules and ticks."""
    outline = alt.Chart(data).mark_text(**{**mark, "color": "white", "stroke": "white", "strokeWidth": HALO_WIDTH,
                                           "strokeJoin": "round", "strokeOpacity": 1})
    return [outline, alt.Chart(data).mark_text(**mark)]


def encode_all(layers: list[alt.Chart], **channels) -> list[alt.Chart]:
    return [layer.encode(**channels) for layer in layers]


def status_scale(config: Config, shown) -> alt.Scale:
    """The words of the statuses a chart shows to their colours (colour only repeats the word and
    symbol written beside it); shown: status ids (no other status's word is in the chart)."""
    statuses = [config.method.status(s) for s in dict.fromkeys(shown)]
    return alt.Scale(domain=[s.word for s in statuses] + [BASELINE_WORD],
                     range=[s.colour for s in statuses] + [PATH_COLOUR])


def status_label(config: Config, status: str) -> str:
    """✔ 已完成."""
    return config.method.status(status).label
