"""Altair charts (pure): a spec, a title, a one-sentence summary and the numbers behind each chart.

Charts: per target its progress against the target and its trajectory against the target path;
per programme an overview; on the home page a status overview. Labels are Chinese, numbers use
zh-CN grouping, and status is always written (word and symbol) beside its colour.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import altair as alt
import pandas as pd
from altair.utils.schemapi import debug_mode

from pipeline.cadence import progress_word
from pipeline.config import Config, Target
from pipeline.format import as_of_phrase, date_zh, missing, percent, value_with_unit
from pipeline.parse import Period
from pipeline.progress import STATUS_ORDER, STATUSES

FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif'
INK = "#1f2328"
MUTED = "#57606a"
TARGET_COLOUR = "#24292f"
PATH_COLOUR = "#8c959f"
BAR_HEIGHT = 26
HALO_WIDTH = 6  # px of white around a label (3 each side) where a rule or tick crosses it

#: Chart kinds: id -> Chinese name (used in titles, addresses and downloads).
KINDS = {
    "progress": "完成情况",
    "trajectory": "逐期进展",  # in titles, the word for how often its figures come (cadence.py)
    "overview": "各项目标进度",
    "status": "目标进度概览",
}


@dataclass(frozen=True)
class Chart:
    """One chart and everything needed to publish it."""

    chart_id: str  # stable address part: <target id>-<kind>, <programme id>-overview, home-status
    kind: str
    title: str
    subtitle: str
    summary: str  # one plain Chinese sentence stating the figures (caption and text alternative)
    spec: dict  # Vega-Lite, width "container"
    data: pd.DataFrame  # the numbers behind the chart, columns described in `columns`
    columns: dict[str, str] = field(default_factory=dict)  # column -> Chinese description
    target_id: str | None = None
    programme_id: str | None = None
    # Another layout of the same chart for phones, where `spec` would leave too little room (or None)
    narrow_spec: dict | None = None


def _config() -> dict:
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


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts, missing values as None (so the spec is valid JSON)."""
    return [{k: (None if _missing(v) else v) for k, v in row.items()} for row in frame.to_dict("records")]


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _inline(frame: pd.DataFrame) -> alt.InlineData:
    return alt.InlineData(values=_records(frame))


def _q(channel, field: str, **kw):
    return channel(field=field, type="quantitative", **kw)


def _n(channel, field: str, **kw):
    return channel(field=field, type="nominal", **kw)


def _finish(layers: list, data: pd.DataFrame | None, height: int, summary: str) -> dict:
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
        spec["data"] = {"values": _records(data)}
    if datasets:
        spec["datasets"] = datasets
    spec["config"] = _config()
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec


def _text(data=alt.Undefined, **mark) -> list[alt.Chart]:
    """A text layer, and beneath it the same text outlined in white: where a rule, tick or bar
    crosses a label, the label stays whole ("1,930" is not struck through into "1|930").
    Encode both with `_encode_all`; put them after the rules and ticks."""
    outline = alt.Chart(data).mark_text(**{**mark, "color": "white", "stroke": "white", "strokeWidth": HALO_WIDTH,
                                           "strokeJoin": "round", "strokeOpacity": 1})
    return [outline, alt.Chart(data).mark_text(**mark)]


def _encode_all(layers: list[alt.Chart], **channels) -> list[alt.Chart]:
    return [layer.encode(**channels) for layer in layers]


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


BASELINE_WORD = "基准"


def _status_scale() -> alt.Scale:
    return alt.Scale(domain=[STATUSES[s][0] for s in STATUS_ORDER] + [BASELINE_WORD],
                     range=[STATUSES[s][2] for s in STATUS_ORDER] + [PATH_COLOUR])


def status_label(status: str) -> str:
    word, symbol, _ = STATUSES[status]
    return f"{symbol} {word}"


# ---------------------------------------------------------------------------------------------
# Per target


def progress_chart(config: Config, target: Target, rows: pd.DataFrame, as_of_text: str) -> Chart:
    """Result against the target: one bar per year (annual), one bar (cumulative), or the share at
    the first and the latest report (end-state share)."""
    unit = target.unit
    headline = rows[rows["is_headline"]].iloc[0]
    if target.kind == "end_state":
        data = pd.DataFrame([
            {"label": f"{Period.of_date(headline['baseline_date']).label_zh}末（基准）" if headline["baseline_date"] else "基准",
             "value": headline["baseline_value"], "status": "no_data"},
            {"label": f"{Period.of_date(headline['data_through']).label_zh}末（最新）" if headline["data_through"] else "最新",
             "value": headline["result_value"], "status": headline["status"]},
        ])
        data["text"] = [value_with_unit(v, unit) if pd.notna(v) else "暂无数据" for v in data["value"]]
        compare = "≥" if target.comparison == "at_least" else "≤"
        target_text = f"目标 {compare}{value_with_unit(target.value, unit)}"
    elif target.kind == "annual":
        data = pd.DataFrame({
            "label": [f"{s}年" for s in rows["scope"]],
            "value": rows["result_value"].astype(float),
            "status": rows["status"],
            "expected": [target.value * e / 100 if (e and 0 < e < 100) else None for e in rows["expected_pct"]],
        })
        data["text"] = [f"{value_with_unit(v, unit)}  {status_label(s)}" if pd.notna(v) else "暂无数据"
                        for v, s in zip(data["value"], data["status"])]
        target_text = f"每年目标 {value_with_unit(target.value, unit)}"
    else:
        data = pd.DataFrame([{
            "label": f"截至{date_zh(headline['data_through'])}" if headline["data_through"] else "累计",
            "value": headline["result_value"], "status": headline["status"],
            "expected": target.value * headline["expected_pct"] / 100 if pd.notna(headline["expected_pct"]) else None,
        }])
        data["text"] = [f"{value_with_unit(v, unit)}（{percent(v / target.value)}）" if pd.notna(v) else "暂无数据"
                        for v in data["value"]]
        target_text = f"三年目标 {value_with_unit(target.value, unit)}"
    data["status_zh"] = data["status"].map(lambda s: STATUSES[s][0])
    if target.kind == "end_state":
        data.loc[0, "status_zh"] = BASELINE_WORD  # the first report is a reference, not a status
    data["value_or_zero"] = data["value"].fillna(0)
    top = max(float(target.value), float(data["value_or_zero"].max() or 0)) * 1.18
    axis_format = ".1f" if unit in ("%", "‰") else ",d"
    x = _q(alt.X, "value_or_zero", title=f"单位：{unit}", scale=alt.Scale(domain=[0, top], nice=False),
           axis=alt.Axis(format=axis_format, tickCount=5))
    y = _n(alt.Y, "label", title=None, sort=None, axis=alt.Axis(labelFontSize=12))
    bars = alt.Chart().mark_bar(height=BAR_HEIGHT, cornerRadiusEnd=2).encode(
        x=x, y=y,
        color=_n(alt.Color, "status_zh", scale=_status_scale(), legend=None),
        tooltip=[_n(alt.Tooltip, "label", title="时间"), _n(alt.Tooltip, "text", title="完成情况")],
    )
    labels = _encode_all(_text(align="left", dx=6, fontSize=12, color=INK), x=x, y=y, text=_n(alt.Text, "text"))
    rule_data = _inline(pd.DataFrame([{"target": float(target.value), "text": target_text}]))
    target_rule = alt.Chart(rule_data).mark_rule(color=TARGET_COLOUR, strokeWidth=2).encode(x=_q(alt.X, "target"))
    target_label = _encode_all(
        _text(rule_data, align="right", baseline="bottom", dx=-4, dy=-2, fontSize=12, color=TARGET_COLOUR, y=0),
        x=_q(alt.X, "target"), text=_n(alt.Text, "text"))
    layers = [bars, target_rule, *labels, *target_label]
    if "expected" in data and data["expected"].notna().any():
        ticks = alt.Chart().transform_filter("datum.expected != null").mark_tick(
            color=INK, thickness=2, size=BAR_HEIGHT + 10, strokeDash=[3, 2]).encode(
            x=_q(alt.X, "expected"), y=y,
            tooltip=[_q(alt.Tooltip, "expected", title="按时间进度应完成", format=",.0f")])
        layers.insert(1, ticks)
    height = max(60, len(data) * (BAR_HEIGHT + 14) + 24)

    summary = progress_summary(target, rows, as_of_text)
    title = f"{target.name}：{KINDS['progress']}"
    explain = "；虚线刻度：按时间进度应完成" if "expected" in data and data["expected"].notna().any() else ""
    subtitle = f"{status_label(headline['status'])}{explain} · 数据截至{as_of_text}"
    columns = {"label": "时间", "value": f"完成数（{unit}）", "status_zh": "状态"}
    if "expected" in data:
        columns["expected"] = f"按时间进度应完成（{unit}）"
    out = data[list(columns)].copy()
    out.insert(0, "target_value", target.value)
    columns = {"target_value": f"目标值（{unit}）", **columns}
    return Chart(chart_id=f"{target.id}-progress", kind="progress", title=title, subtitle=subtitle,
                 summary=summary, spec=_finish(layers, data, height, summary), data=out, columns=columns,
                 target_id=target.id, programme_id=target.programme)


def progress_summary(target: Target, rows: pd.DataFrame, as_of_text: str) -> str:
    """One sentence with the figures, e.g. 截至2010年第四季度，累计完成36名，占目标50名的72.0%，进度正常。"""
    h = rows[rows["is_headline"]].iloc[0]
    unit = target.unit
    status = STATUSES[h["status"]][0]
    if h["status"] == "no_data" and pd.isna(h["result_value"]):
        return f"截至{as_of_text}，“{target.name}”尚无数据（目标：{_target_phrase(target)}）。"
    if target.kind == "end_state":
        return (f"截至{as_of_text}，{target.name}为{value_with_unit(h['result_value'], unit)}"
                f"（基准{value_with_unit(h['baseline_value'], unit)}），目标为{_target_phrase(target)}，{status}。")
    if target.kind == "annual":
        parts = [f"{r.scope}年{value_with_unit(r.result_value, unit)}（{STATUSES[r.status][0]}）"
                 for r in rows[["scope", "result_value", "status"]].itertuples() if pd.notna(r.result_value)]
        return f"截至{as_of_text}，{target.name}每年目标{value_with_unit(target.value, unit)}：{'，'.join(parts)}。"
    return (f"截至{as_of_text}，{target.name}累计完成{value_with_unit(h['result_value'], unit)}，"
            f"占三年目标{value_with_unit(target.value, unit)}的{percent(h['completion_pct'] / 100)}，"
            f"按时间进度应完成{percent(h['expected_pct'] / 100)}，{status}。")


def _target_phrase(target: Target) -> str:
    if target.kind == "end_state":
        word = "不低于" if target.comparison == "at_least" else "不高于"
        return f"{word}{value_with_unit(target.value, target.unit)}"
    if target.kind == "annual":
        return f"每年{value_with_unit(target.value, target.unit)}"
    return f"三年{value_with_unit(target.value, target.unit)}"


def trajectory_chart(config: Config, target: Target, series: pd.DataFrame, rows: pd.DataFrame,
                     as_of_text: str) -> Chart | None:
    """The running total (or share) at each report against the path to the target."""
    if series.empty:
        return None
    plan = config.plan
    unit = target.unit
    headline = rows[rows["is_headline"]].iloc[0]
    s = series.copy()
    s["date"] = s["period_end"].map(_iso)
    s["period_zh"] = s["period"].map(lambda p: Period.from_label(p).label_zh)
    if target.kind == "end_state":
        s["shown"] = s["value"].astype(float)
        actual = s[["scope", "date", "period_zh", "shown"]]
        first = s.iloc[0]
        path = pd.DataFrame([
            {"scope": "path", "date": _iso(first["period_end"]), "shown": float(first["value"])},
            {"scope": "path", "date": _iso(plan.end), "shown": float(target.value)},
        ])
        y_title = f"占比（{unit}）"
        fmt = ".1f"
    else:
        s["shown"] = s["running_total"].astype(float)
        starts = []
        for scope in s["scope"].unique():
            start = plan.start if target.kind == "cumulative" else dt.date(int(scope), 1, 1)
            starts.append({"scope": scope, "date": _iso(start), "period_zh": f"{date_zh(start)}（起点）", "shown": 0.0})
        actual = pd.concat([pd.DataFrame(starts), s[["scope", "date", "period_zh", "shown"]]], ignore_index=True)
        if target.kind == "cumulative":
            path = pd.DataFrame([{"scope": "path", "date": _iso(plan.start), "shown": 0.0},
                                 {"scope": "path", "date": _iso(plan.end), "shown": float(target.value)}])
        else:
            path = pd.DataFrame([{"scope": f"path{y}", "date": _iso(d), "shown": v}
                                 for y in plan.years
                                 for d, v in ((dt.date(y, 1, 1), 0.0), (dt.date(y, 12, 31), float(target.value)))])
        y_title = f"累计（{unit}）" if target.kind == "cumulative" else f"当年累计（{unit}）"
        fmt = ",d"
    projection = None
    if pd.notna(headline["projected_value"]) and not headline["final"] and headline["data_through"]:
        projection = pd.DataFrame([
            {"date": _iso(headline["data_through"]), "shown": float(actual["shown"].iloc[-1])},
            {"date": _iso(headline["window_end"]), "shown": float(headline["projected_value"])},
        ])
    top = max(float(target.value), float(actual["shown"].max()),
              float(projection["shown"].max()) if projection is not None else 0.0) * 1.12
    x = alt.X(field="date", type="temporal", title=None, scale=alt.Scale(domain=[_iso(plan.start), _iso(plan.end)]),
              axis=alt.Axis(format="%Y年%-m月", tickCount={"interval": "month", "step": 6}, labelAngle=0))
    y = _q(alt.Y, "shown", title=y_title, scale=alt.Scale(domain=[0, top], nice=False),
           axis=alt.Axis(format=fmt, tickCount=5))
    scope = _n(alt.Detail, "scope")
    path_line = alt.Chart(_inline(path)).mark_line(color=PATH_COLOUR, strokeDash=[6, 4], strokeWidth=2).encode(
        x=x, y=y, detail=scope)
    colour = STATUSES[headline["status"]][2]
    actual_line = alt.Chart(_inline(actual)).mark_line(
        color=colour, strokeWidth=3, point=alt.OverlayMarkDef(size=60, filled=True, color=colour)).encode(
        x=x, y=y, detail=scope,
        tooltip=[_n(alt.Tooltip, "period_zh", title="时间"), _q(alt.Tooltip, "shown", title=y_title, format=fmt)])
    layers = [path_line, actual_line]
    if projection is not None:
        layers.insert(1, alt.Chart(_inline(projection)).mark_line(
            color=colour, strokeDash=[2, 3], strokeWidth=2, opacity=0.8).encode(x=x, y=y))

    if target.kind == "end_state":
        summary = (f"{target.name}从{s['period_zh'].iloc[0]}末的{value_with_unit(s['value'].iloc[0], unit)}"
                   f"变为{s['period_zh'].iloc[-1]}末的{value_with_unit(s['value'].iloc[-1], unit)}，"
                   f"目标是到{plan.end.year}年底{_target_phrase(target)}。")
    elif target.kind == "cumulative":
        summary = (f"{target.name}逐期累计，到{s['period_zh'].iloc[-1]}为{value_with_unit(s['running_total'].iloc[-1], unit)}；"
                   f"按目标进度线，此时应为{value_with_unit(s['target_path'].iloc[-1], unit)}。")
    else:
        ends = s.groupby("scope").tail(1)
        parts = [f"{r.scope}年到{r.period_zh}累计{value_with_unit(r.running_total, unit)}"
                 for r in ends[["scope", "period_zh", "running_total"]].itertuples()]
        summary = f"{target.name}每年目标{value_with_unit(target.value, unit)}：{'；'.join(parts)}。"
    title = f"{target.name}：{progress_word([(Period.from_label(p).start, Period.from_label(p).end) for p in s['period']])}"
    subtitle = (f"实线：实际{'占比' if target.kind == 'end_state' else '累计'}；虚线：按期完成目标应有的进度"
                + ("；点线：照此速度" if projection is not None else "") + f" · 数据截至{as_of_text}")
    data = s[["period", "period_zh", "date", "value", "running_total", "target_path"]].copy()
    columns = {"period": "报送期", "period_zh": "报送期（中文）", "date": "截止日期",
               "value": f"本期数（{unit}）" if target.kind != "end_state" else f"占比（{unit}）",
               "running_total": f"累计（{unit}）", "target_path": f"目标进度线（{unit}）"}
    if target.kind == "end_state":
        data = data.drop(columns=["running_total"])
        columns.pop("running_total")
    return Chart(chart_id=f"{target.id}-trajectory", kind="trajectory", title=title, subtitle=subtitle,
                 summary=summary, spec=_finish(layers, None, 240, summary), data=data, columns=columns,
                 target_id=target.id, programme_id=target.programme)


# ---------------------------------------------------------------------------------------------
# Per programme and home


def overview_chart(config: Config, programme_id: str, headlines: pd.DataFrame, as_of_text: str) -> Chart:
    """Each target of a programme: share of target reached, beside the share of time elapsed."""
    programme = config.programme(programme_id)
    rows = headlines[headlines["programme_id"] == programme_id]
    data = pd.DataFrame({
        "target": rows["target_name"].to_list(),
        # annual targets say which year; cumulative and share targets ("…占比") need no note
        "scope": [f"{s}年" if k == "annual" and st != "no_data" else "" for k, s, st in
                  zip(rows["kind"], rows["scope"], rows["status"])],
        "completion": rows["completion_pct"].astype(float).to_list(),
        "expected": [e if (k != "annual" or (e or 0) < 100) else None for k, e in zip(rows["kind"], rows["expected_pct"])],
        "status": rows["status"].to_list(),
    })
    data["label"] = [f"{t}（{sc}）" if sc else t for t, sc in zip(data["target"], data["scope"])]
    data["status_zh"] = data["status"].map(lambda s: STATUSES[s][0])
    data["shown"] = data["completion"].fillna(0).clip(lower=0, upper=150)
    data["text"] = [status_label(s) + (f" {c:.0f}%" if pd.notna(c) else "") for s, c in zip(data["status"], data["completion"])]
    top = max(130.0, float(data["shown"].max()) + 40)
    x = _q(alt.X, "shown", title="完成进度（占目标 %）", scale=alt.Scale(domain=[0, top], nice=False),
           axis=alt.Axis(format="d", tickCount=6))
    y = _n(alt.Y, "label", title=None, sort=None, axis=alt.Axis(labelLimit=260))
    bars = alt.Chart().mark_bar(height=20, cornerRadiusEnd=2).encode(
        x=x, y=y, color=_n(alt.Color, "status_zh", scale=_status_scale(), legend=None),
        tooltip=[_n(alt.Tooltip, "label", title="目标"), _n(alt.Tooltip, "text", title="状态"),
                 _q(alt.Tooltip, "expected", title="时间进度 %", format=".0f")])
    ticks = alt.Chart().transform_filter("datum.expected != null").mark_tick(
        color=INK, thickness=2, size=28, strokeDash=[3, 2]).encode(x=_q(alt.X, "expected"), y=y)
    labels = _text(align="left", dx=6, fontSize=12)
    hundred = alt.Chart(_inline(pd.DataFrame([{"x": 100}]))).mark_rule(color=TARGET_COLOUR, strokeWidth=2).encode(
        x=_q(alt.X, "x"))
    layers = [bars, ticks, hundred, *_encode_all(labels, x=x, y=y, text=_n(alt.Text, "text"))]
    height = len(data) * 34 + 20
    # For phones: each target's name above its bar rather than in a column beside the plot, which
    # would leave the bars a third of a phone's width.
    y_above = _n(alt.Y, "label", title=None, sort=None, axis=None)
    names = _encode_all(_text(align="left", baseline="bottom", dy=-12, fontSize=12, color=INK),
                        x=alt.value(0), y=y_above, text=_n(alt.Text, "label"))
    phone_layers = [bars.encode(y=y_above), ticks.encode(y=y_above), hundred,
                    *_encode_all(labels, x=x, y=y_above, text=_n(alt.Text, "text")), *names]
    counts = data["status"].value_counts()
    on = int(counts.get("achieved", 0) + counts.get("on_track", 0))
    summary = (f"{programme.name}共{len(data)}项目标，截至{as_of_text}，{on}项已完成或进度正常："
               + "；".join(f"{lab}{txt}" for lab, txt in zip(data["label"], data["text"])) + "。")
    title = f"{programme.name}：{KINDS['overview']}"
    subtitle = f"条形为完成进度，虚线刻度为时间进度，竖线为目标（100%） · 数据截至{as_of_text}"
    out = data[["label", "completion", "expected", "status_zh"]]
    columns = {"label": "目标", "completion": "完成进度（占目标 %）", "expected": "时间进度（%）", "status_zh": "状态"}
    return Chart(chart_id=f"{programme_id}-overview", kind="overview", title=title, subtitle=subtitle,
                 summary=summary, spec=_finish(layers, data, height, summary), data=out, columns=columns,
                 programme_id=programme_id, narrow_spec=_finish(phone_layers, data, len(data) * 52 + 20, summary))


def status_chart(config: Config, headlines: pd.DataFrame, as_of_text: str) -> Chart:
    """How many targets have each status."""
    counts = headlines["status"].value_counts()
    data = pd.DataFrame({
        "status": STATUS_ORDER,
        "status_zh": [STATUSES[s][0] for s in STATUS_ORDER],
        "label": [status_label(s) for s in STATUS_ORDER],
        "count": [int(counts.get(s, 0)) for s in STATUS_ORDER],
    })
    data["text"] = data["count"].map(lambda n: f"{n} 项")
    x = _q(alt.X, "count", title="目标数（项）", axis=alt.Axis(format="d", tickMinStep=1),
           scale=alt.Scale(domain=[0, max(int(data["count"].max()) + 3, 5)], nice=False))
    y = _n(alt.Y, "label", title=None, sort=None)
    bars = alt.Chart().mark_bar(height=22, cornerRadiusEnd=2).encode(
        x=x, y=y, color=_n(alt.Color, "status_zh", scale=_status_scale(), legend=None),
        tooltip=[_n(alt.Tooltip, "label", title="状态"), _q(alt.Tooltip, "count", title="目标数")])
    labels = alt.Chart().mark_text(align="left", dx=6, fontSize=13, fontWeight=600).encode(
        x=x, y=y, text=_n(alt.Text, "text"))
    layers = [bars, labels]
    total = len(headlines)
    on = int(counts.get("achieved", 0) + counts.get("on_track", 0))
    summary = (f"截至{as_of_text}，{total}项目标中{on}项已完成或进度正常："
               + "，".join(f"{STATUSES[s][0]}{int(counts.get(s, 0))}项" for s in STATUS_ORDER) + "。")
    title = f"{config.plan.short_title}：{KINDS['status']}"
    subtitle = f"共 {total} 项目标 · 数据截至{as_of_text}"
    out = data[["status_zh", "count"]]
    return Chart(chart_id="home-status", kind="status", title=title, subtitle=subtitle, summary=summary,
                 spec=_finish(layers, data, 5 * 34 + 10, summary), data=out,
                 columns={"status_zh": "状态", "count": "目标数（项）"})


def all_charts(config: Config, progress: pd.DataFrame, series: pd.DataFrame, as_of_text: str) -> list[Chart]:
    """Every chart of the site, in page order. A target's charts say how recent its own data are.

    Altair checks each object against the Vega-Lite schema as it is made (its "debug mode"): a
    third of the charts' time. It is off here; the tests check every finished spec instead."""
    with debug_mode(False):
        return _all_charts(config, progress, series, as_of_text)


def _all_charts(config: Config, progress: pd.DataFrame, series: pd.DataFrame, as_of_text: str) -> list[Chart]:
    headlines = progress[progress["is_headline"]]
    charts = [status_chart(config, headlines, as_of_text)]
    for programme in config.programmes:
        charts.append(overview_chart(config, programme.id, headlines, as_of_text))
        for target in config.targets_of(programme.id):
            rows = progress[progress["target_id"] == target.id]
            through = rows[rows["is_headline"]].iloc[0]["data_through"]
            target_as_of = as_of_text if missing(through) else as_of_phrase(through)
            charts.append(progress_chart(config, target, rows, target_as_of))
            trajectory = trajectory_chart(config, target, series[series["target_id"] == target.id], rows, target_as_of)
            if trajectory is not None:
                charts.append(trajectory)
    return charts
