"""Altair charts (pure): a spec, a title, a one-sentence summary and the numbers behind each chart,
all read from the analysis (nothing is computed again here).

Charts: per target its progress against the target and its trajectory against the target path;
per programme an overview; on the home page a status overview. Labels are Chinese, numbers use
zh-CN grouping, status is always written (word and symbol) beside its colour, a share is shown as a
share and a count as a count.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
from altair.utils.schemapi import debug_mode

from pipeline.analyse.analysis import Analysis
from pipeline.analyse.cadence import progress_word
from pipeline.basics.format import as_of_phrase, date_zh, percent, value_with_unit
from pipeline.basics.periods import Period
from pipeline.charts.kit import (
    BAR_HEIGHT,
    BASELINE_WORD,
    GAP_COLOUR,
    INK,
    KINDS,
    MUTED,
    PATH_COLOUR,
    TARGET_COLOUR,
    Chart,
    encode_all,
    finish,
    inline,
    iso,
    n,
    q,
    status_label,
    status_scale,
    text_layers,
)
from pipeline.config import Config, Target

# ---------------------------------------------------------------------------------------------
# Per target


def target_phrase(config: Config, target: Target) -> str:
    """每年10名, 三年50名 (the plan's span in words: plan.yml start and end), 不低于15.00%."""
    if target.is_level:
        return f"{target.comparison_zh}{value_with_unit(target.value, target.unit)}"
    return f"{'每年' if target.kind == 'annual' else config.plan.span_zh}{value_with_unit(target.value, target.unit)}"


def progress_chart(config: Config, target: Target, windows: pd.DataFrame, as_of: dt.date | None) -> Chart:
    """Result against the target: one bar per year (annual), one bar (cumulative), or the level
    (share, stock, ratio) at the first and the latest report (level targets)."""
    unit = target.unit
    headline = windows[windows["is_headline"]].iloc[0]
    word = {s: config.method.status(s).word for s in config.method.statuses}
    if target.is_level:
        data = pd.DataFrame([
            {"label": f"{Period.of_date(headline['baseline_date']).label_zh}末（基准）" if headline["baseline_date"] else "基准",
             "value": headline["baseline_value"], "status_zh": BASELINE_WORD},
            {"label": (f"{Period.of_date(headline['data_through']).label_zh}末（{'期末' if headline['final'] else '最新'}）"
                       if headline["data_through"] else "最新"),
             "value": headline["result_value"], "status_zh": word[headline["status"]]},
        ])
        data["text"] = [value_with_unit(v, unit) if pd.notna(v) else word[headline["status"]] for v in data["value"]]
        target_text = f"目标 {target.comparison_sign}{value_with_unit(target.value, unit)}"
    else:
        shown = windows[windows["scope"].str.len() == 4] if target.kind == "annual" else windows
        data = pd.DataFrame({
            "label": [f"{s}年" for s in shown["scope"]] if target.kind == "annual" else
                     [f"截至{date_zh(shown['data_through'].iloc[0])}" if shown["data_through"].iloc[0] else "累计"],
            "value": shown["result_value"].astype(float).to_list(),
            "status_zh": shown["status"].map(word).to_list(),
            # the value expected by now, while a window runs
            "expected": [e if not o and pd.notna(e) else None for e, o in zip(shown["expected_value"], shown["over"])],
        })
        data["text"] = [
            (f"{value_with_unit(v, unit)}" + (f"（{percent(v / target.value)}）" if target.kind == "cumulative" else
                                              f"  {config.method.status(s).label}"))
            if pd.notna(v) else config.method.status(s).label for v, s in zip(data["value"], shown["status"])]
        target_text = f"{'每年' if target.kind == 'annual' else config.plan.span_zh}目标 {value_with_unit(target.value, unit)}"
    data["value_or_zero"] = data["value"].fillna(0)
    top = max(float(target.value), float(data["value_or_zero"].max() or 0)) * 1.18
    axis_format = ".1f" if unit in ("%", "‰") else ",d"
    x = q(alt.X, "value_or_zero", title=f"单位：{unit}", scale=alt.Scale(domain=[0, top], nice=False),
          axis=alt.Axis(format=axis_format, tickCount=5, **({} if unit in ("%", "‰") else {"tickMinStep": 1})))
    y = n(alt.Y, "label", title=None, sort=None, axis=alt.Axis(labelFontSize=12))
    bars = alt.Chart().mark_bar(height=BAR_HEIGHT, cornerRadiusEnd=2).encode(
        x=x, y=y, color=n(alt.Color, "status_zh", scale=status_scale(config, windows["status"]), legend=None),
        tooltip=[n(alt.Tooltip, "label", title="时间"), n(alt.Tooltip, "text", title="完成情况")])
    data["label_at"] = label_positions(data["value_or_zero"], data["text"], float(target.value), top)
    label_x = q(alt.X, "label_at", title=f"单位：{unit}")
    labels = encode_all(text_layers(align="left", dx=6, fontSize=12, color=INK), x=label_x, y=y, text=n(alt.Text, "text"))
    rule_data = inline(pd.DataFrame([{"target": float(target.value), "text": target_text}]))
    target_rule = alt.Chart(rule_data).mark_rule(color=TARGET_COLOUR, strokeWidth=2).encode(x=q(alt.X, "target"))
    target_label = encode_all(
        text_layers(rule_data, align="right", baseline="bottom", dx=-4, dy=-2, fontSize=12, color=TARGET_COLOUR, y=0),
        x=q(alt.X, "target"), text=n(alt.Text, "text"))
    layers = [bars, target_rule, *labels, *target_label]
    has_expected = "expected" in data and data["expected"].notna().any()
    if has_expected:
        ticks = alt.Chart().transform_filter("datum.expected != null").mark_tick(
            color=INK, thickness=2, size=BAR_HEIGHT + 10, strokeDash=[3, 2]).encode(
            x=q(alt.X, "expected"), y=y, tooltip=[q(alt.Tooltip, "expected", title="按时间进度应完成", format=",.0f")])
        layers.insert(1, ticks)
    height = max(60, len(data) * (BAR_HEIGHT + 14) + 24)
    columns = {"label": "时间", "value": f"{target.level_word}（{unit}）",
               "status_zh": "状态"}
    if has_expected:
        columns["expected"] = f"按时间进度应完成（{unit}）"
    out = data[list(columns)].copy()
    out.insert(0, "target_value", target.value)
    summary = progress_summary(config, target, windows, as_of)
    return Chart(chart_id=f"{target.id}-progress", kind="progress", title=f"{target.name}：{KINDS['progress']}",
                 note="；".join([status_label(config, headline["status"])] + (["虚线刻度：按时间进度应完成"] if has_expected else [])
                               + gap_notes(windows)),
                 as_of=as_of, summary=summary, spec=finish(layers, data, height, summary), data=out,
                 columns={"target_value": f"目标值（{unit}）", **columns}, target_id=target.id, programme_id=target.programme)


#: The narrowest plot a progress chart is drawn in (a phone), and a label's width per character, in
#: px: enough to tell, in the chart's units, whether a label beside its bar would reach the target.
NARROWEST_PLOT, LABEL_CHAR, LABEL_GAP = 200, 12, 12


def label_positions(values: pd.Series, texts: pd.Series, target: float, top: float) -> list[float]:
    """Where each bar's label starts: at the end of its bar, or, when it would reach the target's
    rule there (1.71‰ beside a bar ending at 1.71, the rule at 2), just past the rule: a rule never
    runs through a label."""
    per_px = top / NARROWEST_PLOT
    out = []
    for value, text in zip(values, texts):
        width = (len(str(text)) * LABEL_CHAR + LABEL_GAP) * per_px
        out.append(float(value) if value >= target or value + width < target else target)
    return out


def gap_notes(windows: pd.DataFrame) -> list[str]:
    """What the figures of windows not complete cover, once each (2023年缺第三季度数据：已报三个季度合计 1,563名)."""
    shown = windows[windows["scope"].str.len() == 4] if (windows["scope"].str.len() == 4).any() else windows
    notes = [r["figure_zh"] for r in shown.to_dict("records")
             if not r["final"] and (r["missing_periods"] or r["set_aside"]) and r["data_through"] is not None
             and (r["over"] or r["missing_periods"])]
    return list(dict.fromkeys(notes))


def progress_summary(config: Config, target: Target, windows: pd.DataFrame, as_of: dt.date | None) -> str:
    """One sentence with the figures, e.g. 截至2022年第四季度，累计完成36名，占<plan.yml span>目标50名的72.0%，……进度正常。"""

    h = windows[windows["is_headline"]].iloc[0]
    unit, when = target.unit, f"截至{as_of_phrase(as_of)}"
    status = config.method.status(h["status"]).word
    if target.kind == "annual":
        years = windows[windows["scope"].str.len() == 4]
        parts = [f"{r.scope}年{value_with_unit(r.result_value, unit)}（{config.method.status(r.status).word}）"
                 for r in years[["scope", "result_value", "status"]].itertuples() if pd.notna(r.result_value)]
        if not parts:
            return f"{when}，“{target.name}”{status}（目标：{target_phrase(config, target)}）。{h['reason_zh']}"
        final = f"规划期结果：{status}。" if h["scope"].count("-") else ""
        gaps = "".join(f"{note}。" for note in gap_notes(windows))
        return f"{when}，{target.name}{target_phrase(config, target)}：{'，'.join(parts)}。{gaps}{final}"
    if pd.isna(h["result_value"]):
        return f"{when}，“{target.name}”{status}（目标：{target_phrase(config, target)}）。{h['reason_zh']}"
    gaps = "".join(f"{note}。" for note in gap_notes(windows))
    if target.is_level:
        return (f"{when}，{target.name}为{value_with_unit(h['result_value'], unit)}"
                f"（基准{value_with_unit(h['baseline_value'], unit)}），目标为{target_phrase(config, target)}，{status}。{gaps}")
    expected = "" if h["over"] else f"按时间进度应完成{percent(h['elapsed_pct'] / 100)}，"
    return (f"{when}，{target.name}累计完成{value_with_unit(h['result_value'], unit)}，"
            f"占{config.plan.span_zh}目标{value_with_unit(target.value, unit)}的{percent(h['result_of_target_pct'] / 100)}，{expected}{status}。{gaps}")


def trajectory_chart(config: Config, target: Target, series: pd.DataFrame, windows: pd.DataFrame,
                     as_of: dt.date | None) -> Chart | None:
    """The running total (or share) at the end of each reported period against the path to the
    target. A figure covering several months is one step from the start of its months to their
    end: it is never split into quarters."""
    if series.empty:
        return None
    plan, unit = config.plan, target.unit
    headline = windows[windows["is_headline"]].iloc[0]
    s = series.copy()
    s["date"] = s["period_end"].map(iso)
    s["period_zh"] = s["period"].map(lambda p: Period.from_label(p).label_zh)
    gaps = _gap_bands(windows)
    s["line"] = _segments(s, [Period.from_label(label) for label in gaps["label"]])
    if target.is_level:
        s["shown"] = s["value"].astype(float)
        actual = s[["line", "date", "period_zh", "shown"]].rename(columns={"line": "scope"})
        path = pd.DataFrame([{"scope": "path", "date": iso(s["period_end"].iloc[0]), "shown": float(s["value"].iloc[0])},
                             {"scope": "path", "date": iso(plan.end), "shown": float(target.value)}])
        y_title, fmt = f"{target.level_word}（{unit}）", ".1f" if unit in ("%", "‰") else ",d"
    else:
        s["shown"] = s["running_total"].astype(float)
        starts = []
        for line, scope in s[["line", "scope"]].drop_duplicates().itertuples(index=False):
            if not line.endswith("#0"):
                continue  # a line after a gap starts at its first figure, not at the window's start
            start = plan.start if target.kind == "cumulative" else dt.date(int(scope), 1, 1)
            starts.append({"scope": line, "date": iso(start), "period_zh": f"{date_zh(start)}（起点）", "shown": 0.0})
        lines = s[["line", "date", "period_zh", "shown"]].rename(columns={"line": "scope"})
        actual = pd.concat([pd.DataFrame(starts), lines], ignore_index=True)
        if target.kind == "cumulative":
            path = pd.DataFrame([{"scope": "path", "date": iso(plan.start), "shown": 0.0},
                                 {"scope": "path", "date": iso(plan.end), "shown": float(target.value)}])
        else:
            path = pd.DataFrame([{"scope": f"path{y}", "date": iso(d), "shown": v} for y in plan.years
                                 for d, v in ((dt.date(y, 1, 1), 0.0), (dt.date(y, 12, 31), float(target.value)))])
        y_title = f"累计（{unit}）" if target.kind == "cumulative" else f"当年累计（{unit}）"
        fmt = ",d"
    projection = None
    if pd.notna(headline["projected_value"]) and not headline["over"] and headline["data_through"]:
        projection = pd.DataFrame([
            {"date": iso(headline["data_through"]), "shown": float(actual["shown"].iloc[-1])},
            {"date": iso(headline["window_end"]), "shown": float(headline["projected_value"])}])
    top = max(float(target.value), float(actual["shown"].max()),
              float(projection["shown"].max()) if projection is not None else 0.0) * 1.12
    x = alt.X(field="date", type="temporal", title=None, scale=alt.Scale(domain=[iso(plan.start), iso(plan.end)]),
              axis=alt.Axis(format="%Y年%-m月", tickCount={"interval": "month", "step": 6}, labelAngle=0))
    y = q(alt.Y, "shown", title=y_title, scale=alt.Scale(domain=[0, top], nice=False),
          axis=alt.Axis(format=fmt, tickCount=5, **({} if unit in ("%", "‰") else {"tickMinStep": 1})))
    scope = n(alt.Detail, "scope")
    path_line = alt.Chart(inline(path)).mark_line(color=PATH_COLOUR, strokeDash=[6, 4], strokeWidth=2).encode(
        x=x, y=y, detail=scope)
    colour = config.method.status(headline["status"]).colour
    actual_line = alt.Chart(inline(actual)).mark_line(
        color=colour, strokeWidth=3, point=alt.OverlayMarkDef(size=60, filled=True, color=colour)).encode(
        x=x, y=y, detail=scope,
        tooltip=[n(alt.Tooltip, "period_zh", title="时间"), q(alt.Tooltip, "shown", title=y_title, format=fmt)])
    layers = [path_line, actual_line]
    if projection is not None:
        layers.insert(1, alt.Chart(inline(projection)).mark_line(
            color=colour, strokeDash=[2, 3], strokeWidth=2, opacity=0.8).encode(x=x, y=y))
    if len(gaps):  # the months no file covers, shaded and marked, under the lines (which stop there)
        band_x = alt.X(field="start", type="temporal", title=None)
        layers[:0] = [
            alt.Chart(inline(gaps)).mark_rect(color=GAP_COLOUR).encode(
                x=band_x, x2=alt.X2(field="end"), tooltip=[n(alt.Tooltip, "text", title="缺数据")]),
            alt.Chart(inline(gaps)).mark_text(baseline="top", dy=4, fontSize=11, color=MUTED).encode(
                x=alt.X(field="middle", type="temporal"), y=alt.value(0), text=alt.value("缺"))]
    summary = _trajectory_summary(config, target, s) + "".join(f"{note}。" for note in gap_notes(windows))
    data = s[["period", "period_zh", "date", "value", "running_total", "target_path"]].copy()
    columns = {"period": "报送期", "period_zh": "报送期（中文）", "date": "截止日期",
               "value": f"本期数（{unit}）" if not target.is_level else f"{target.level_word}（{unit}）",
               "running_total": f"累计（{unit}）", "target_path": f"目标进度线（{unit}）"}
    if target.is_level:
        data = data.drop(columns=["running_total"])
        columns.pop("running_total")
    note = (f"实线：实际{target.level_word if target.is_level else '累计'}；虚线：按期完成目标应有的进度"
            + ("；点线：照此速度" if projection is not None else "") + ("；灰色：缺数据的报送期" if len(gaps) else ""))
    return Chart(chart_id=f"{target.id}-trajectory", kind="trajectory", title=f"{target.name}：{progress_word(list(zip(s['period_start'], s['period_end'])))}",
                 note=note, as_of=as_of, summary=summary, spec=finish(layers, None, 240, summary), data=data,
                 columns=columns, target_id=target.id, programme_id=target.programme)


def _segments(s: pd.DataFrame, missing: list[Period]) -> list[str]:
    """Each figure's line: its window, and a new line after each period missing (a gap is never
    drawn over): 2023#0, 2023#1. A quarter without a figure is not a gap when a file covers it
    (a list with nobody named in it): only the periods no file covers are."""
    def gaps_before(row: dict) -> int:
        in_window = [p for p in missing if "-" in row["scope"] or str(p.year) == row["scope"]]
        return sum(p.end < row["period_start"] for p in in_window)

    return [f"{row['scope']}#{gaps_before(row)}" for row in s.to_dict("records")]


def _gap_bands(windows: pd.DataFrame) -> pd.DataFrame:
    """The periods missing in a target's windows, as bands from their first day to the day after their last."""
    labels = dict.fromkeys(label for r in windows["missing_periods"] for label in r.split())
    periods = [Period.from_label(label) for label in labels]
    return pd.DataFrame([{"label": p.label, "start": iso(p.start), "end": iso(p.end + dt.timedelta(days=1)),
                          "middle": iso(p.start + (p.end - p.start) / 2), "text": p.label_zh} for p in periods],
                        columns=["label", "start", "end", "middle", "text"])


def _trajectory_summary(config: Config, target: Target, s: pd.DataFrame) -> str:
    unit = target.unit
    if target.is_level:
        return (f"{target.name}从{s['period_zh'].iloc[0]}末的{value_with_unit(s['value'].iloc[0], unit)}"
                f"变为{s['period_zh'].iloc[-1]}末的{value_with_unit(s['value'].iloc[-1], unit)}，"
                f"目标是到{config.plan.end.year}年底{target_phrase(config, target)}。")
    if target.kind == "cumulative":
        return (f"{target.name}逐期累计，到{s['period_zh'].iloc[-1]}为{value_with_unit(s['running_total'].iloc[-1], unit)}；"
                f"按目标进度线，此时应为{value_with_unit(round(s['target_path'].iloc[-1]), unit)}。")
    ends = s.groupby("scope").tail(1)
    parts = [f"{r.scope}年到{r.period_zh}累计{value_with_unit(r.running_total, unit)}"
             for r in ends[["scope", "period_zh", "running_total"]].itertuples()]
    return f"{target.name}每年目标{value_with_unit(target.value, unit)}：{'；'.join(parts)}。"


# ---------------------------------------------------------------------------------------------
# Per programme and home


def _overview_data(config: Config, rows: pd.DataFrame) -> pd.DataFrame:
    """One row per target of a programme: how much of its target is reached, in the reader's terms
    (a count as a share of its target, a share beside its target share), and the time elapsed."""
    targets = {t.id: t for t in config.targets}
    out = []
    for r in rows.to_dict("records"):
        target = targets[r["target_id"]]
        reached = r["result_of_target_pct"]
        has_value = pd.notna(reached)
        if target.is_level:
            figure = (f"{value_with_unit(r['result_value'], target.unit)}（目标{target.comparison_sign}"
                      f"{value_with_unit(target.value, target.unit)}）") if has_value else ""
        elif target.kind == "annual" and len(r["scope"]) > 4:
            figure = f"最低一年 {reached:.0f}%" if has_value else ""  # every year must reach its target
        else:
            figure = f"{reached:.0f}%" if has_value else ""
        scope = r["scope"]
        when = "" if target.kind != "annual" or not has_value and not r["over"] else (
            f"（{scope}年）" if len(scope) == 4 else "（规划期每年）")
        running = not target.is_level and has_value and not r["over"]
        out.append({
            "label": target.name + when,
            "status_zh": config.method.status(r["status"]).word,
            "shown": min(max(float(reached), 0.0), 150.0) if has_value else 0.0,
            "expected": float(r["elapsed_pct"]) if running else None,
            "text": " ".join(x for x in (status_label(config, r["status"]), figure) if x),
            "elapsed_text": f"{r['elapsed_pct']:.0f}%" if running else ("已结束" if r["over"] else "—"),
            "reached": reached if has_value else None,
        })
    return pd.DataFrame(out)


def overview_chart(config: Config, programme_id: str, headlines: pd.DataFrame, as_of: dt.date | None) -> Chart:
    """Each target of a programme: the share of its target reached, beside the time elapsed while
    its window runs."""

    programme = config.programme(programme_id)
    rows = headlines[headlines["programme_id"] == programme_id]
    data = _overview_data(config, rows)
    running = bool(data["expected"].notna().any())
    top = max(130.0, float(data["shown"].max()) + 40)
    x = q(alt.X, "shown", title="完成情况（占目标 %）", scale=alt.Scale(domain=[0, top], nice=False),
          axis=alt.Axis(format="d", tickCount=6))
    y = n(alt.Y, "label", title=None, sort=None, axis=alt.Axis(labelLimit=260))
    bars = alt.Chart().mark_bar(height=20, cornerRadiusEnd=2).encode(
        x=x, y=y, color=n(alt.Color, "status_zh", scale=status_scale(config, rows["status"]), legend=None),
        tooltip=[n(alt.Tooltip, "label", title="目标"), n(alt.Tooltip, "text", title="完成情况")]
        + ([n(alt.Tooltip, "elapsed_text", title="时间进度")] if running else []))
    ticks = alt.Chart().transform_filter("datum.expected != null").mark_tick(
        color=INK, thickness=2, size=28, strokeDash=[3, 2]).encode(x=q(alt.X, "expected"), y=y)
    labels = text_layers(align="left", dx=6, fontSize=12)
    hundred = alt.Chart(inline(pd.DataFrame([{"x": 100}]))).mark_rule(color=TARGET_COLOUR, strokeWidth=2).encode(
        x=q(alt.X, "x"))
    layers = [bars, ticks, hundred, *encode_all(labels, x=x, y=y, text=n(alt.Text, "text"))]
    height = len(data) * 34 + 20
    # For phones: each target's name above its bar rather than in a column beside the plot, which
    # would leave the bars a third of a phone's width.
    y_above = n(alt.Y, "label", title=None, sort=None, axis=None)
    names = encode_all(text_layers(align="left", baseline="bottom", dy=-12, fontSize=12, color=INK),
                       x=alt.value(0), y=y_above, text=n(alt.Text, "label"))
    phone_layers = [bars.encode(y=y_above), ticks.encode(y=y_above), hundred,
                    *encode_all(labels, x=x, y=y_above, text=n(alt.Text, "text")), *names]
    good = sum(config.method.status(s).good for s in rows["status"])
    counted = (f"{good}项已完成或进度正常" if running else
               "，".join(f"{config.method.status(s).word}{k}项" for s, k in rows["status"].value_counts(sort=False).items()))
    summary = (f"{programme.name}共{len(data)}项目标，截至{as_of_phrase(as_of)}，{counted}："
               + "；".join(f"{lab}{txt}" for lab, txt in zip(data["label"], data["text"])) + "。")
    levels = {config.target(t).level_word for t in rows["target_id"] if config.target(t).is_level}
    note = "条形：已完成数占目标的百分比"
    if levels:
        what = "比例占目标比例" if levels == {"占比"} else "数值占目标值"
        note += (f"（{'比例' if levels == {'占比'} else '、'.join(sorted(levels))}目标："
                 f"{'期末' if rows['over'].all() else '目前'}的{what}的百分比") + (
            "；“不高于”目标超过 100% 即未达到" if any(config.target(t).comparison == "at_most" for t in rows["target_id"]) else "") + "）"
    note += ("；虚线刻度：时间进度" if running else "") + "；竖线：目标（100%）"
    out = data[["label", "reached", "expected", "status_zh"]] if running else data[["label", "reached", "status_zh"]]
    columns = {"label": "目标", "reached": "完成情况（占目标 %）", **({"expected": "时间进度（%）"} if running else {}),
               "status_zh": "状态"}
    return Chart(chart_id=f"{programme_id}-overview", kind="overview", title=f"{programme.name}：{KINDS['overview']}",
                 note=note, as_of=as_of, summary=summary, spec=finish(layers, data, height, summary), data=out,
                 columns=columns, programme_id=programme_id,
                 narrow_spec=finish(phone_layers, data, len(data) * 52 + 20, summary))


def status_chart(analysis: Analysis) -> Chart:
    """How many targets have each status."""
    config = analysis.config
    counts = {s: analysis.status_counts[s] for s in analysis.listed_statuses}
    data = pd.DataFrame({
        "status_zh": [config.method.status(s).word for s in counts],
        "label": [status_label(config, s) for s in counts],
        "count": list(counts.values()),
    })
    data["text"] = data["count"].map(lambda k: f"{k} 项")
    x = q(alt.X, "count", title="目标数（项）", axis=alt.Axis(format="d", tickMinStep=1),
          scale=alt.Scale(domain=[0, max(int(data["count"].max()) + 3, 5)], nice=False))
    y = n(alt.Y, "label", title=None, sort=None)
    bars = alt.Chart().mark_bar(height=22, cornerRadiusEnd=2).encode(
        x=x, y=y, color=n(alt.Color, "status_zh", scale=status_scale(config, counts), legend=None),
        tooltip=[n(alt.Tooltip, "label", title="状态"), q(alt.Tooltip, "count", title="目标数")])
    labels = alt.Chart().mark_text(align="left", dx=6, fontSize=13, fontWeight=600).encode(
        x=x, y=y, text=n(alt.Text, "text"))

    total = len(analysis.headlines)
    summary = (f"截至{as_of_phrase(analysis.as_of)}，{analysis.headline_zh.replace(' ', '')}："
               + "，".join(f"{config.method.status(s).word}{k}项" for s, k in counts.items()) + "。")
    return Chart(chart_id="home-status", kind="status", title=f"{config.plan.short_title}：{KINDS['status']}",
                 note=f"共 {total} 项目标", as_of=analysis.as_of, summary=summary,
                 spec=finish([bars, labels], data, len(data) * 34 + 10, summary), data=data[["status_zh", "count"]],
                 columns={"status_zh": "状态", "count": "目标数（项）"})


def all_charts(analysis: Analysis) -> list[Chart]:
    """Every chart of the site, in page order. A target's charts say how recent its own data are.

    Altair checks each object against the Vega-Lite schema as it is made (its "debug mode"): a
    third of the charts' time. It is off here; the tests check every finished spec instead."""
    config = analysis.config
    with debug_mode(False):
        charts = [status_chart(analysis)]
        for programme in config.programmes:
            charts.append(overview_chart(config, programme.id, analysis.headlines, analysis.as_of))
            for target in config.targets_of(programme.id):
                windows = analysis.windows(target.id)
                through = windows[windows["is_headline"]].iloc[0]["data_through"]
                as_of = analysis.as_of if pd.isna(through) else through
                charts.append(progress_chart(config, target, windows, as_of))
                series = analysis.series_table[analysis.series_table["target_id"] == target.id]
                trajectory = trajectory_chart(config, target, series, windows, as_of)
                if trajectory is not None:
                    charts.append(trajectory)
    return charts
