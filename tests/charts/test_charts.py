"""Charts journalists can cite: a stable page per chart, downloads that stand on their own, a
citation, an embed page, sharing tags, and exports redrawn only when their figures change."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import vl_convert
from PIL import Image, ImageChops

from pipeline.archive.store import load_closed
from pipeline.basics import paths
from pipeline.build import analyse, read_and_check
from pipeline.charts.kit import FONT
from pipeline.config import load_config
from pipeline.generator.mkdocs import load_site_settings
from pipeline.images.frame import Frame, framed, number_clips_from_one, svg_size, wrap
from pipeline.images.render import render_images
from pipeline.publish.share import chart_footers
from pipeline.publish.tables import csv_bytes, defuse_formulas
from tests.conftest import TODAY, copy_raw, shared_images


@pytest.fixture(scope="module")
def charts(built, config):
    """The site's charts: a progress chart for every target, an overview for every programme, and
    the site's own (a list the tests loop over must not be empty)."""
    charts = built["outputs"].site.charts
    ids = {c.chart_id for c in charts}
    assert {f"{t.id}-progress" for t in config.targets} | {f"{p.id}-overview" for p in config.programmes} <= ids
    assert "home-status" in ids and len(config.targets) >= 1
    return charts


def test_every_chart_has_its_page_and_downloads(built, charts):
    site = built["site"]
    for chart in charts:
        folder = site / "charts" / chart.chart_id
        page = (folder / "index.html").read_text(encoding="utf-8")
        assert f'id="chart-{chart.chart_id}"' in page
        for download in (f"{chart.chart_id}.png", f"{chart.chart_id}.svg", f"{chart.chart_id}.csv",
                         f"{chart.chart_id}.vl.json", "figure.svg", "figure-narrow.svg", "chart.json", "embed/index.html"):
            assert (folder / download).is_file(), (chart.chart_id, download)
            if "." in download and not download.startswith("embed"):
                assert f'href="{download}"' in page or download.startswith(("figure", "chart.json"))


def test_chart_addresses_come_from_what_they_show(charts, config):
    kinds = {"progress", "trajectory", "overview", "status", "measures", "measures_history"}
    for chart in charts:
        assert chart.kind in kinds
        if chart.target_id:
            assert chart.chart_id == f"{chart.target_id}-{chart.kind}"
        elif chart.programme_id:
            assert chart.chart_id == f"{chart.programme_id}-overview"
        elif chart.kind.startswith("measures"):  # the plan's measures (pipeline/charts/measures.py)
            assert chart.chart_id == {"measures": "measures-status", "measures_history": "measures-history"}[chart.kind]
    assert len({c.chart_id for c in charts}) == len(charts)


def test_exported_png_opens_at_twice_the_size(built, charts):
    for chart in charts:
        image = Image.open(built["site"] / "charts" / chart.chart_id / f"{chart.chart_id}.png")
        assert image.format == "PNG"
        assert image.width >= 1200 and image.height >= 300


def _svg_text(path: Path) -> str:
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    return "".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))


def test_exported_images_carry_title_source_date_and_address(built, charts):
    settings = load_site_settings()
    for chart in charts:
        folder = built["site"] / "charts" / chart.chart_id
        text = _svg_text(folder / f"{chart.chart_id}.svg")
        assert chart.title in text
        assert "来源：" in text and "数据截至" in text
        version = built["outputs"].site.releases.latest.versions[chart.chart_id]  # the cited release's page
        assert f"{settings['site_url']}releases/{version}/charts/{chart.chart_id}/" in text
        assert "示例数据" in text  # the sample-data notice travels with the image
        spec = json.loads((folder / f"{chart.chart_id}.vl.json").read_text(encoding="utf-8"))
        assert spec["title"]["text"] == chart.title
        ET.parse(folder / "figure.svg")  # the page's static image parses too


def test_chart_csv_opens_in_excel_and_round_trips_to_the_published_figures(built, charts):
    site = built["site"]
    series = pd.read_csv(site / "data" / "target_series.csv", encoding="utf-8-sig", dtype={"period": str})
    for chart in charts:
        raw = (site / "charts" / chart.chart_id / f"{chart.chart_id}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        frame = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype={"报送期": str})
        # the chart's numbers first; then columns of one value each that say what they are (opendata.py)
        assert list(frame.columns)[:len(chart.columns)] == list(chart.columns.values())
        if chart.kind == "trajectory":
            published = series[series["target_id"] == chart.target_id].reset_index(drop=True)
            value_column = chart.columns["value"]
            assert frame["报送期"].tolist() == published["period"].tolist()
            assert frame[value_column].round(4).tolist() == published["value"].round(4).tolist()
            if "running_total" in chart.columns:
                assert frame[chart.columns["running_total"]].tolist() == published["running_total"].tolist()


def test_no_csv_cell_would_run_as_a_formula_in_excel():
    frame = pd.DataFrame({"name": ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "正常", "3-2"], "n": range(7)})
    out = defuse_formulas(frame)
    assert out["name"].tolist() == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\t=x", "正常", "3-2"]
    text = csv_bytes(frame).decode("utf-8-sig")
    assert "\n=" not in text and ",=" not in text


def test_citations_name_the_site_the_chart_the_date_and_the_address(built, charts):
    settings = load_site_settings()
    chart = next(c for c in charts if c.chart_id == "p8-graduates-recruited-trajectory")
    page = (built["site"] / "charts" / chart.chart_id / "index.html").read_text(encoding="utf-8")
    url = f"{settings['site_url']}releases/2010Q4/charts/{chart.chart_id}/"  # the latest release changed it
    assert f"{settings['site_name']}：《{chart.title}》，数据截至2010年第四季度，{url}" in page
    released = load_closed(paths.RELEASES_DIR)[-1].released_on  # the latest release's one date
    assert f"{chart.title}[EB/OL]" in page and f"({released.isoformat()})[引用日期]" in page
    assert f'<iframe id="rencai-{chart.chart_id}" src="{url}embed/"' in html.unescape(page)  # the snippet, as text


def test_the_embed_page_shows_only_the_chart_and_its_source(built):
    page = (built["site"] / "charts" / "p6-overview" / "embed" / "index.html").read_text(encoding="utf-8")
    assert "md-header" not in page and "md-nav" not in page  # no site navigation around it
    assert 'class="vega-chart"' in page and 'class="chart-static"' in page
    assert "来源：区委农村工作办公室" in page
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page)
    assert scripts == ["../../../assets/javascripts/charts.js", "../../../assets/javascripts/embed.js"]


def test_chart_and_programme_pages_share_with_their_chart_image(built):
    settings = load_site_settings()
    for rel, image in (("charts/p1-innovators-progress/index.html", "charts/p1-innovators-progress/p1-innovators-progress.png"),
                       ("programmes/p3/index.html", "charts/p3-overview/p3-overview.png"),
                       ("index.html", "charts/home-status/home-status.png")):
        page = (built["site"] / rel).read_text(encoding="utf-8")
        assert f'<meta property="og:image" content="{settings["site_url"]}{image}">' in page, rel
        assert (built["site"] / image).is_file()
        assert '<meta property="og:title"' in page and '<meta property="og:description"' in page


def _text_png(text: str, where: str) -> Image.Image:
    """A PNG of text as exported images draw it: in the figure (by Vega) or in its frame."""
    import vl_convert

    spec = {"data": {"values": [{"t": text}]}, "mark": {"type": "text", "fontSize": 40, "font": FONT},
            "encoding": {"text": {"field": "t"}}, "width": 300, "height": 80}
    if where == "figure":
        svg = vl_convert.vegalite_to_svg(spec)
    else:
        blank = vl_convert.vegalite_to_svg({**spec, "data": {"values": [{"t": ""}]}})
        svg = framed(blank, Frame(title=text, subtitle=[text], source=[text], description="", font=FONT,
                                  title_colour="#000", text_colour="#000"))
    return Image.open(io.BytesIO(vl_convert.svg_to_png(svg, scale=2))).convert("L")


@pytest.mark.parametrize("where", ["figure", "frame"])
def test_chinese_text_in_exported_images_is_drawn_not_boxes(where):
    """Without a Chinese font, every character is the same empty box: compare with characters
    that no font has (private-use code points) and with other Chinese characters."""
    chinese, other = _text_png("人才强区", where), _text_png("数据截至", where)
    missing = _text_png("\ue000\ue001\ue002\ue003", where)
    assert ImageChops.difference(chinese, missing).getbbox() is not None
    assert ImageChops.difference(chinese, other).getbbox() is not None


def test_chart_addresses_do_not_move_when_targets_are_added(tmp_path, config, sample):
    """A new target put first in the plan changes no existing chart's address."""
    folder = tmp_path / "config"
    shutil.copytree(paths.CONFIG_DIR, folder)
    plan = folder / "plan.yml"
    text = plan.read_text(encoding="utf-8")
    new = ("targets:\n  - id: p1-new-target\n    programme: p1\n    name: 新目标\n    unit: 名\n    value: 5\n"
           "    kind: cumulative\n    measure: {indicator: p1_talents_recognised}\n    sentence: 新目标。\n")
    plan.write_text(text.replace("targets:\n", new, 1), encoding="utf-8")
    changed = load_config(folder)
    settings = load_site_settings()
    _, problems = read_and_check(paths.RAW_DIR, config, TODAY)
    before = {c.chart_id: c.title for c in analyse(config, sample, problems, "", settings).charts}
    after = {c.chart_id: c.title for c in analyse(changed, sample, problems, "", settings).charts}
    assert set(before) < set(after)
    assert {k: after[k] for k in before} == before


@pytest.mark.build
def test_chart_addresses_do_not_move_with_new_data(built, tmp_path):
    from pipeline.build import build

    raw = copy_raw(tmp_path)
    for late in list(raw.rglob("*2010*")):  # a site built before the 2010 figures arrived
        late.unlink()
    earlier = tmp_path / "site"
    build(raw, earlier, today=TODAY, keep_docs=None, cache_dir=shared_images(tmp_path / "cache"))
    old = {p.parent.name for p in (earlier / "charts").glob("*/index.html")}
    new = {p.parent.name for p in (built["site"] / "charts").glob("*/index.html")}
    assert old and old <= new


@pytest.mark.build
def test_a_changed_department_file_redraws_only_its_charts(tmp_path, config):
    settings = load_site_settings()
    cache = tmp_path / "cache"

    def images_for(raw):
        dataset, problems = read_and_check(raw, config, TODAY)
        site = analyse(config, dataset, problems, "", settings)
        return render_images(site.charts, chart_footers(site), cache)

    raw = copy_raw(tmp_path)
    _, first = images_for(raw)
    assert first["reused"] == 0
    _, again = images_for(raw)
    assert again["drawn"] == 0
    # One quarterly file changes: 东城街道's practical-technology training in 2010Q4, 204 -> 304.
    from tests.fixtures.edits import xlsx_cells

    xlsx_cells(raw, "农工办/农工办_2010年第四季度农村实用人才培训.xlsx", lambda ws: ws.cell(4, 4, "304"))
    _, after = images_for(raw)
    # Only p6-practical-technology's two charts and the p6 overview change (3 images each:
    # the export, the page figure and the page figure for phones; the overview shows the lowest
    # year, 2010, of the plan's row: 每年, and 2010 was missed).
    assert after["drawn"] == 3 * 3
    assert after["reused"] == first["drawn"] - after["drawn"]


def _marks(svg: bytes | str) -> dict[str, int]:
    """How many items each kind of mark has in a Vega SVG (bars: mark-rect, points: mark-symbol…)."""
    root = ET.fromstring(svg)
    counts: dict[str, int] = {}
    for group in root.iter():
        classes = (group.get("class") or "").split()
        if "role-mark" in classes:
            kind = next(c for c in classes if c.startswith("mark-"))
            counts[kind] = counts.get(kind, 0) + len(list(group))
    return counts


def test_every_chart_image_draws_its_figures(built, charts):
    """Not just axes: one bar per row with a value, one point per reported period."""
    for chart in charts:
        folder = built["site"] / "charts" / chart.chart_id
        for name in ("figure.svg", "figure-narrow.svg", f"{chart.chart_id}.svg"):
            marks = _marks((folder / name).read_bytes())
            if chart.kind == "trajectory":
                assert marks.get("mark-symbol", 0) >= len(chart.data), (chart.chart_id, name, marks)
            else:
                value = {"progress": "value", "overview": "reached", "status": "count", "measures": "count"}.get(chart.kind)
                # the measures' quarter-by-quarter chart: a bar segment per status and quarter with a count
                bars = int((chart.data[value].fillna(0) > 0).sum()) if value else int((chart.data.iloc[:, 1:] > 0).sum().sum())
                assert marks.get("mark-rect", 0) >= bars, (chart.chart_id, name, marks)
            text = _svg_text(folder / name)
            if chart.kind in ("progress", "overview"):
                # long labels may be shortened with "…" to fit: their start is there
                assert all(label[:6] in text for label in chart.data["label"]), (chart.chart_id, name)


def test_an_image_is_the_same_whichever_charts_were_drawn_before_it(charts):
    """Builds are byte-identical only if an image does not depend on which worker drew it."""
    import vl_convert

    from pipeline.images.render import figure_spec

    def draw(chart):
        return number_clips_from_one(vl_convert.vegalite_to_svg(figure_spec(chart)))

    before = draw(charts[0])
    draw(charts[1])
    after = draw(charts[0])
    assert 'clip-path="url(#clip1)"' in before
    assert after == before


@pytest.mark.parametrize("text, width, lines", [
    ("数据截至2010年第四季度", 1000, ["数据截至2010年第四季度"]),
    # CJK text breaks between any two characters, here after five (12 px each)
    ("来源：区委组织部人才工作办公室", 60, ["来源：区委", "组织部人才", "工作办公室"]),
    # an address is never cut; it goes to the next line whole
    ("网址 https://rencai.example.gov.cn/charts/", 120, ["网址", "https://rencai.example.gov.cn/charts/"]),
    # closing punctuation never starts a line: the character before it comes along
    ("一二三四，五六", 48, ["一二三", "四，五六"]),
    # opening punctuation never ends a line
    ("一二三《四五》", 48, ["一二三", "《四五》"]),
])
def test_source_lines_of_exported_images_wrap_like_chinese_text(text, width, lines):
    assert wrap(text, 12, width) == lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_an_exported_image_frames_its_figure_with_escaped_text(charts):
    import vl_convert

    from pipeline.images.render import export_frame, figure_spec

    figure = number_clips_from_one(vl_convert.vegalite_to_svg(figure_spec(charts[0])))
    frame = replace(export_frame(charts[0], ["来源：<b>甲</b> & 乙", "数据截至2010年第四季度"]), title="标题 <script>")
    svg = framed(figure, frame)
    root = ET.fromstring(svg)  # well-formed: the markup in the text is escaped
    assert "<script>" not in svg and "标题 &lt;script&gt;" in svg
    texts = [t.text for t in root.iter() if t.tag.endswith("text")]
    assert texts[0] == "标题 <script>" and "来源：<b>甲</b> & 乙" in texts
    width, height = svg_size(svg)
    figure_width, figure_height = svg_size(figure)
    assert width >= figure_width and height > figure_height
    # the figure is inside, whole: the same marks as drawn on the page
    assert _marks(svg) == _marks(figure)


def test_figures_for_phones_fit_a_phone_column_unless_their_plot_is_at_its_narrowest(built, charts):
    """On a 375 px screen the figure for phones is shown at most NARROW_MAX_TOTAL wide: a wider
    one (labels beside the plot) would shrink its text, so Vega fits it, labels and all."""
    from pipeline.images.render import NARROW_MAX_TOTAL, NARROW_MIN_WIDTH, plot_width

    widths = []
    for chart in charts:
        svg = (built["site"] / "charts" / chart.chart_id / "figure-narrow.svg").read_text(encoding="utf-8")
        width, _ = svg_size(svg)
        fitted = width == NARROW_MAX_TOTAL and plot_width(svg) >= NARROW_MIN_WIDTH
        at_narrowest = plot_width(svg) == NARROW_MIN_WIDTH and width > NARROW_MAX_TOTAL  # labels too long
        assert fitted or at_narrowest, (chart.chart_id, width, plot_width(svg))
        widths.append(width)
    assert widths.count(NARROW_MAX_TOTAL) > len(charts) * 0.9


def test_no_figure_for_phones_is_cut_at_its_right_edge(built, charts):
    """Fitting a figure to a phone's column moves the labels beside its bars with them: Vega lays
    it out again until they fit, so the figure's right padding stays blank (a label cut at the
    edge would leave ink in it)."""
    from pipeline.charts.kit import style

    blank_columns = style()["padding"]["right"] - 2
    for chart in charts:
        svg = (built["site"] / "charts" / chart.chart_id / "figure-narrow.svg").read_text(encoding="utf-8")
        image = Image.open(io.BytesIO(vl_convert.svg_to_png(svg, scale=1))).convert("L")
        width, height = image.size
        edge = image.crop((width - blank_columns, 0, width, height))
        assert edge.getextrema()[0] > 235, chart.chart_id


def test_labels_too_long_for_a_phone_keep_the_plot_at_its_narrowest(tmp_path):
    """Fitted to a phone's column, a plot beside very long labels would be a sliver: it keeps
    NARROW_MIN_WIDTH and the figure grows wider instead (the page scales it down)."""
    from pipeline.charts.kit import Chart
    from pipeline.images.render import NARROW_MAX_TOTAL, NARROW_MIN_WIDTH, plot_width

    def chart(chart_id: str, label: str) -> Chart:
        data = pd.DataFrame({"label": [label, "乙"], "value": [3, 5]})
        spec = {"data": {"values": data.to_dict("records")}, "width": "container", "height": 60,
                "layer": [{"mark": "bar", "encoding": {"y": {"field": "label", "type": "nominal", "axis": {"labelLimit": 0}},
                                                       "x": {"field": "value", "type": "quantitative"}}}]}
        return Chart(chart_id=chart_id, kind="test", title="测试", note="", as_of=None, summary="测试", spec=spec, data=data)

    long_label = "一个很长很长的目标名称，" * 6
    images, _ = render_images([chart("short", "甲"), chart("long", long_label)], {"short": ["来源"], "long": ["来源"]},
                              tmp_path)
    short, long = images["short"].narrow_svg.decode(), images["long"].narrow_svg.decode()
    assert svg_size(short)[0] == NARROW_MAX_TOTAL and plot_width(short) > 300
    assert plot_width(long) == NARROW_MIN_WIDTH and svg_size(long)[0] > NARROW_MAX_TOTAL


def test_lines_never_strike_through_a_label(charts):
    """A target rule or a time tick may cross a label ("1,930名" at a 2,000 target): every text is
    drawn after the rules and ticks, on a white outline of itself, so it reads whole."""
    from pipeline.charts.kit import HALO_WIDTH

    for chart in charts:
        for spec in filter(None, (chart.spec, chart.narrow_spec)):
            layers = spec["layer"]
            kinds = [layer["mark"]["type"] for layer in layers]
            lines = [i for i, kind in enumerate(kinds) if kind in ("rule", "tick")]
            for i, layer in enumerate(layers):
                mark = layer["mark"]
                if mark["type"] != "text" or mark.get("stroke") == "white" or not lines:
                    continue
                assert i > max(lines), (chart.chart_id, "a line is drawn over a label")
                outline = layers[i - 1]
                assert outline["mark"]["stroke"] == "white" and outline["mark"]["strokeWidth"] == HALO_WIDTH
                assert outline["encoding"] == layer["encoding"], chart.chart_id
                assert {k: v for k, v in outline["mark"].items() if not k.startswith(("stroke", "color"))} == \
                    {k: v for k, v in mark.items() if not k.startswith(("stroke", "color"))}, chart.chart_id


def test_every_chart_spec_is_valid_vega_lite(charts):
    """Charts are made with Altair's checks off (for speed): each finished spec is checked here
    against the Vega-Lite schema that Altair ships."""
    import altair as alt
    import jsonschema

    schema = alt.vegalite.v6.schema.core.load_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    for chart in charts:
        for spec in filter(None, (chart.spec, chart.narrow_spec)):
            errors = [f"{error.json_path}: {error.message[:200]}" for error in validator.iter_errors(spec)]
            assert not errors, (chart.chart_id, errors)
