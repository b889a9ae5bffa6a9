"""Open data as open-data tools expect it: a Frictionless data package that validates, one
workbook of every table, chart CSVs that say what they are, and reuse terms everywhere."""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest

from pipeline.archive.store import load_closed
from pipeline.basics import paths
from pipeline.build import load_site_settings
from pipeline.publish.opendata import chart_context, field_type
from pipeline.publish.share import licence
from pipeline.publish.tables import TABLES


@pytest.fixture(scope="module")
def package(built):
    return json.loads((built["site"] / "data" / "datapackage.json").read_text(encoding="utf-8"))


def test_the_data_package_validates_with_frictionless_and_describes_every_published_table(built, package):
    from frictionless import Package, system

    data = built["site"] / "data"
    with system.use_context(trusted=True):
        report = Package(str(data / "datapackage.json")).validate()
    errors = [(task.name, e.type, e.note) for task in report.tasks for e in task.errors] + \
             [(e.type, e.note) for e in report.errors]
    assert report.valid, errors[:10]
    described = {r["path"] for r in package["resources"]}
    assert described == {p.name for p in data.glob("*.csv")}
    for resource in package["resources"]:
        name = resource["path"].removesuffix(".csv")
        frame = pd.read_csv(data / resource["path"], encoding="utf-8-sig")
        assert [f["name"] for f in resource["schema"]["fields"]] == list(frame.columns), name
        assert all(f["description"] for f in resource["schema"]["fields"]), name
        if name in TABLES:
            assert resource["schema"].get("primaryKey", []) == list(TABLES[name].primary_key)
            for field in resource["schema"]["fields"]:
                assert field.get("unit") == TABLES[name].units.get(field["name"]), (name, field)


def test_the_data_package_gives_types_licence_and_sources(package):
    terms = licence(load_site_settings())
    assert package["licenses"] == [{"name": terms.spdx, "path": terms.url, "title": terms.name}]
    assert {s["title"] for s in package["sources"]} >= {"区教育局报送的统计数据", "区卫生局报送的统计数据"}
    fields = {r["name"]: {f["name"]: f["type"] for f in r["schema"]["fields"]} for r in package["resources"]}
    # the plan's target values are whole numbers, published as such (750, never 750.0)
    assert fields["targets"]["target_value"] == "integer" and fields["targets"]["period_end"] == "date"
    assert fields["target_progress"]["is_headline"] == "boolean"
    assert fields["observations"]["row"] == "integer" and fields["observations"]["value"] == "integer"
    assert fields["target_series"]["running_total"] == "integer"
    assert "示例数据" in package["description"]


@pytest.mark.parametrize("values, expected", [
    (pd.Series([1, 2], dtype="int64"), "integer"),
    (pd.Series([1, None], dtype="Int64"), "integer"),
    (pd.Series([1.5, None]), "number"),
    (pd.Series([True, False]), "boolean"),
    (pd.Series([dt.date(2010, 1, 1), None], dtype=object), "date"),
    (pd.Series([3, None, 4], dtype=object), "integer"),
    (pd.Series(["a", None], dtype=object), "string"),
    (pd.Series([], dtype=object), "string"),
    (pd.Series([dt.date(2010, 1, 1), "x"], dtype=object), "string"),
])
def test_a_field_type_comes_from_what_the_column_holds(values, expected):
    assert field_type(values) == expected


def test_the_workbook_has_every_table_the_dictionary_and_the_reuse_terms(built):
    from openpyxl import load_workbook

    data = built["site"] / "data"
    book = load_workbook(data / "tables.xlsx", read_only=True)
    assert book.sheetnames[:2] == ["说明", "数据字典"] and set(book.sheetnames[2:]) == set(TABLES)
    about = "\n".join(" ".join(str(c) for c in row if c) for row in book["说明"].iter_rows(values_only=True))
    terms = licence(load_site_settings())
    assert terms.name in about and terms.statement in about and "示例数据" in about and "2010年第四季度" in about
    for name in TABLES:
        csv = pd.read_csv(data / f"{name}.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
        rows = list(book[name].iter_rows(values_only=True))
        assert list(rows[0]) == list(csv.columns), name
        assert len(rows) - 1 == len(csv), name
    observations = list(book["observations"].iter_rows(min_row=2, max_row=2, values_only=True))[0]
    assert isinstance(observations[list(TABLES["observations"].columns).index("period_end")], dt.datetime)
    dictionary = list(book["数据字典"].iter_rows(values_only=True))
    assert len(dictionary) - 1 == sum(len(t.columns) for t in TABLES.values())


def test_no_workbook_cell_would_run_as_a_formula(built, tmp_path):
    """A department's text that starts like a formula stays text in the workbook (as in the CSVs)."""
    from openpyxl import load_workbook

    from pipeline.publish.opendata import workbook_bytes

    site = built["outputs"].site
    frames = {"problems": pd.DataFrame({c: ["=HYPERLINK(\"http://x\")"] for c in TABLES["problems"].columns})}
    book = load_workbook(io.BytesIO(workbook_bytes(frames, site)))
    cell = book["problems"]["A2"]
    assert cell.data_type == "s" and cell.value == "'=HYPERLINK(\"http://x\")"


def test_a_table_too_long_for_the_workbook_is_left_to_its_csv_and_the_workbook_says_so(built):
    from openpyxl import load_workbook

    from pipeline.publish.opendata import WORKBOOK_MAX_ROWS, workbook_bytes

    site = built["outputs"].site
    long = pd.DataFrame({c: range(WORKBOOK_MAX_ROWS + 1) for c in TABLES["problems"].columns})
    short = pd.DataFrame({c: range(3) for c in TABLES["corrections"].columns})
    book = load_workbook(io.BytesIO(workbook_bytes({"problems": long, "corrections": short}, site)), read_only=True)
    assert "problems" not in book.sheetnames and "corrections" in book.sheetnames
    about = " ".join(str(c) for row in book["说明"].iter_rows(values_only=True) for c in row if c)
    assert f"共 {WORKBOOK_MAX_ROWS + 1:,} 行" in about and "data/problems.csv" in about


def test_every_chart_csv_carries_its_context_and_its_metadata_beside_it(built):
    site = built["outputs"].site
    settings = load_site_settings()
    assert len(site.charts) > len(site.config.targets)
    closed = {r.name: r for r in load_closed(paths.RELEASES_DIR)}  # (each load checks every file of every release: 1 s)
    for chart in site.charts:
        folder = built["site"] / "charts" / chart.chart_id
        frame = pd.read_csv(folder / f"{chart.chart_id}.csv", encoding="utf-8-sig", dtype=str)
        context = chart_context(site, chart)
        for header, _, value in context.values():
            assert frame[header].nunique() == 1 and str(frame[header].iloc[0]) == str(value), (chart.chart_id, header)
        # the chart's page in the latest dated release that changed it (share.cited_url)
        version = site.releases.latest.versions[chart.chart_id]
        assert frame["引用地址"].iloc[0] == f"{settings['site_url']}releases/{version}/charts/{chart.chart_id}/"
        # the date of the version cited, not of the latest release (a chart unchanged since 2010Q3 is 2010Q3's)
        cited = closed[version]
        assert frame["数据截至"].iloc[0].startswith("20") and frame["发布日期"].iloc[0] == cited.released_on.isoformat()
        if chart.target_id:
            assert "目标" in frame and any(h.startswith("目标值") for h in frame.columns) and "状态" in frame
        metadata = json.loads((folder / f"{chart.chart_id}.csv-metadata.json").read_text(encoding="utf-8"))
        assert metadata["url"] == f"{chart.chart_id}.csv" and metadata["dc:title"] == chart.title
        assert metadata["dc:license"] == {"@id": licence(settings).url}
        assert [c["titles"] for c in metadata["tableSchema"]["columns"]] == list(frame.columns)
        assert metadata["schema:url"] == frame["引用地址"].iloc[0]


def test_the_vega_lite_download_names_its_schema(built):
    import altair as alt

    downloads = sorted((built["site"] / "charts").glob("*/*.vl.json"))
    assert len(downloads) == len(built["outputs"].site.charts)
    for path in downloads:
        assert json.loads(path.read_text(encoding="utf-8"))["$schema"] == alt.SCHEMA_URL, path
