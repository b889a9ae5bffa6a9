"""Open data as open-data tools expect it (pure: frames in, file contents out).

- `data/datapackage.json`: a Frictionless Data Package describing every published table (field
  types, units, primary keys, licence, sources), so that a tool can load and check them.
- `data/tables.xlsx`: one workbook of every table, with an 说明 (about) sheet and the data
  dictionary, for readers who live in Excel or WPS.
- Each chart's CSV carries the context a journalist needs on every row (target, status, source,
  as-of and release date, the address to cite), and its metadata beside it in a W3C "CSV on the
  Web" file, `<chart>.csv-metadata.json`, the name by which CSVW tools find it.

Why a sidecar rather than a header block in the CSV: Excel and WPS open a CSV by its first row;
lines of notes above the header would become rows of the table, break sorting, filters and
pivot tables, and need a special option in every CSV reader. The CSV stays a clean table (its
header on row 1, one row per record), and what does not fit in columns is in the sidecar.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

import pandas as pd

from pipeline.basics.format import as_of_phrase, date_zh, missing
from pipeline.charts.kit import Chart
from pipeline.publish.share import chart_source, citations, cited_date, cited_url, licence
from pipeline.publish.tables import csv_bytes, data_dictionary, defuse_formulas, described, registry_of

DATA_PACKAGE = "data/datapackage.json"
WORKBOOK = "data/tables.xlsx"
DICTIONARY = "data_dictionary"  # the data dictionary's table name (data/data_dictionary.csv)
DICTIONARY_TITLE = "数据字典"


# -- types --------------------------------------------------------------------------------------


def field_type(values: pd.Series) -> str:
    """The Table Schema type of a published column, from what it holds (as pandas writes it to CSV)."""
    if pd.api.types.is_bool_dtype(values):
        return "boolean"
    if pd.api.types.is_integer_dtype(values):
        return "integer"
    if pd.api.types.is_float_dtype(values):
        return "number"
    present = [v for v in values if not missing(v)]
    if present and all(isinstance(v, bool) for v in present):
        return "boolean"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "integer"
    if present and all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in present):
        return "date"
    return "string"


# -- data package -------------------------------------------------------------------------------


def data_package(frames: dict[str, pd.DataFrame], site) -> dict:
    """The descriptor of every published table (frames: name -> the frame as published)."""
    terms = licence(site.settings)
    settings = site.settings
    organization = settings.get("organization") or settings.get("copyright", "")
    departments = sorted({s.department for s in site.config.sources.values()})
    tables = {**frames, DICTIONARY: data_dictionary(site.config, registry_of(site))}
    documented = described(site.config, registry_of(site))
    resources = []
    for name, frame in tables.items():
        table = documented.get(name)
        columns = table.columns if table else {c: c for c in frame.columns}
        fields = []
        for column in frame.columns:
            field = {"name": column, "type": field_type(frame[column]), "description": columns[column]}
            if table and column in table.units:
                field["unit"] = table.units[column]
            fields.append(field)
        schema = {"fields": fields, "missingValues": [""]}
        key = list(table.primary_key) if table else ["table", "column"]
        if key:
            schema["primaryKey"] = key
        resources.append({
            "profile": "tabular-data-resource", "name": name, "path": f"{name}.csv",
            "title": table.title if table else DICTIONARY_TITLE,
            "description": table.description if table else "各数据表每一列的说明。",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "dialect": {"delimiter": ",", "header": True, "lineTerminator": "\r\n", "quoteChar": '"'},
            "schema": schema,
        })
    released = site.reference.isoformat() if site.reference else None
    return {
        "profile": "tabular-data-package",
        "name": "talent-strategy-progress",
        "title": settings.get("site_name", ""),
        "description": (f"{site.config.plan.title}：{len(site.config.targets)}项数字目标的数据和完成进度，"
                        f"数据截至{as_of_phrase(site.as_of)}。"
                        + ("目前为示例数据，不是官方统计数字。" if settings.get("sample_data") else "")),
        "homepage": settings.get("site_url", ""),
        **({"version": released, "created": f"{released}T00:00:00Z"} if released else {}),
        "licenses": [{"name": terms.spdx, "path": terms.url, "title": terms.name}],
        "contributors": [{"title": organization, "role": "publisher"}],
        "sources": [{"title": f"{d}报送的统计数据"} for d in departments],
        "keywords": ["人才", "人才强区", "目标进度"],
        "resources": resources,
    }


def data_package_bytes(frames: dict[str, pd.DataFrame], site) -> bytes:
    return (json.dumps(data_package(frames, site), ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# -- workbook -----------------------------------------------------------------------------------


#: A table of more rows is left out of tables.xlsx (its 说明 sheet says so; the CSV has it): the
#: workbook is for reading in Excel or WPS, and writing it costs about 0.4 ms a row (a company list
#: of 270,000 figures took two and a half minutes).
WORKBOOK_MAX_ROWS = 10_000


def workbook_bytes(frames: dict[str, pd.DataFrame], site) -> bytes:
    """Every table in one .xlsx: an 说明 sheet first, the data dictionary, then a sheet per table
    of at most WORKBOOK_MAX_ROWS rows (header frozen and filterable; dates as Excel dates; text
    that Excel would run as a formula made literal, as in the CSVs). Byte-identical for the same
    data (fixed times inside)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    terms = licence(site.settings)
    settings = site.settings
    book = Workbook(write_only=True)
    stamp = dt.datetime.combine(site.reference or dt.date(2000, 1, 1), dt.time())
    book.properties.created = book.properties.modified = stamp
    book.properties.creator = settings.get("organization") or settings.get("copyright", "")
    book.properties.title = settings.get("site_name", "")
    bold = Font(bold=True)

    about = book.create_sheet("说明")
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 90
    lines = [("名称", settings.get("site_name", "")),
             ("内容", f"{site.config.plan.title}的目标和完成进度，全部数据表"),
             ("数据截至", as_of_phrase(site.as_of)),
             ("发布日期", date_zh(site.reference) if site.reference else ""),
             ("网址", settings.get("site_url", "")),
             ("使用许可", f"{terms.name}（{terms.url}）"),
             ("转载说明", terms.statement)]
    if settings.get("sample_data"):
        lines.insert(0, ("注意", "示例数据，不是官方统计数字"))
    lines.append(("", ""))
    lines.append(("工作表", "内容"))
    lines.append((DICTIONARY_TITLE, "各表每一列的说明"))
    documented = described(site.config, registry_of(site))
    lines += [(name, f"{documented[name].title}：{documented[name].description}" + (
               f"（共 {len(frame):,} 行，超出本工作簿每表 {WORKBOOK_MAX_ROWS:,} 行的上限，未放入，请用 data/{name}.csv）"
               if len(frame) > WORKBOOK_MAX_ROWS else "")) for name, frame in frames.items()]
    for key, text in lines:
        label = WriteOnlyCell(about, key)
        label.font = bold
        about.append([label, text])

    _append_table(book.create_sheet(DICTIONARY_TITLE), data_dictionary(site.config, registry_of(site)), bold)
    for name, frame in frames.items():
        if len(frame) <= WORKBOOK_MAX_ROWS:
            _append_table(book.create_sheet(name), frame, bold)
    out = io.BytesIO()
    book.save(out)
    return _fixed_zip_times(out.getvalue(), stamp)


def _append_table(sheet, frame: pd.DataFrame, bold) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    if len(frame.columns):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
    for i, column in enumerate(frame.columns, start=1):
        longest = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
        sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest + 2))
    header = []
    for column in frame.columns:
        cell = WriteOnlyCell(sheet, column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in defuse_formulas(frame).itertuples(index=False):
        sheet.append([_cell(sheet, v) for v in row])


def _cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell

    if missing(value):
        return None
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _fixed_zip_times(data: bytes, stamp: dt.datetime) -> bytes:
    """The same workbook without the time of writing, which openpyxl puts in as the time it was
    modified and as the date of each file in the zip: it says `stamp` and 1980-01-01 instead."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode(),
                                 content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, content)
    return out.getvalue()


# -- chart CSVs ---------------------------------------------------------------------------------


def chart_context(site, chart: Chart) -> dict[str, tuple[str, str, object]]:
    """Columns with one value that every row of a chart's CSV carries, so that the file still says
    what it is when passed on alone: name -> (Chinese header, description, value)."""
    config = site.config
    as_of = as_of_phrase(chart.as_of)
    out: dict[str, tuple[str, str, object]] = {}
    if chart.target_id:
        target = config.target(chart.target_id)
        out["target_name"] = ("目标", "目标名称", target.name)
        if "target_value" not in chart.columns:
            out["target_value"] = (f"目标值（{target.unit}）", "规划规定的目标值", target.value)
        if "status_zh" not in chart.columns:
            headline = site.analysis.headline(target.id)
            out["status_zh"] = ("状态", "目标目前的状态（截至数据截至日）", config.method.status(headline["status"]).word)

    out["source"] = ("数据来源", "报送数据的部门和报表", chart_source(site, chart))
    out["data_as_of"] = ("数据截至", "图中数字截至的报送期", as_of)
    released = cited_date(site, chart)
    out["released_on"] = ("发布日期", "引用地址所指的这一版图表的发布日期", released.isoformat() if released else "")
    out["cite_url"] = ("引用地址", "引用本图时使用的网址", cited_url(site, chart))
    return out


def chart_table(site, chart: Chart, numbers: pd.DataFrame) -> pd.DataFrame:
    """The chart's numbers (Chinese headers, see chart_csv) with its context columns."""
    out = numbers.copy()
    for header, _, value in chart_context(site, chart).values():
        out[header] = value
    return out


def chart_csv_files(site, chart: Chart, numbers: pd.DataFrame) -> dict[str, bytes]:
    """A chart's CSV and, beside it, its CSVW metadata (title, description, source, licence,
    citation, and each column's meaning and type)."""
    folder = f"charts/{chart.chart_id}"
    table = chart_table(site, chart, numbers)
    context = chart_context(site, chart)
    names = {**{header: name for name, header in chart.columns.items()},
             **{header: name for name, (header, _, _) in context.items()}}
    descriptions = {**{header: header for header in chart.columns.values()},
                    **{header: text for header, text, _ in context.values()}}
    terms = licence(site.settings)
    settings = site.settings

    metadata = {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "zh-Hans"}],
        "url": f"{chart.chart_id}.csv",
        "dc:title": chart.title,
        "dc:description": chart.summary,
        "dc:source": context["source"][2],
        "dc:publisher": settings.get("organization") or settings.get("copyright", ""),
        "dc:issued": context["released_on"][2],
        "dc:license": {"@id": terms.url},
        "dc:rights": terms.statement,
        "dc:bibliographicCitation": citations(site, chart)["sentence"],
        "schema:url": context["cite_url"][2],
        **({"rdfs:comment": "示例数据，不是官方统计数字。"} if settings.get("sample_data") else {}),
        "dialect": {"encoding": "utf-8", "header": True, "lineTerminator": "\r\n"},
        "tableSchema": {"columns": [
            {"name": names[header], "titles": header, "dc:description": descriptions[header],
             "datatype": _csvw_type(field_type(table[header]))}
            for header in table.columns]},
    }
    return {
        f"{folder}/{chart.chart_id}.csv": csv_bytes(table),
        f"{folder}/{chart.chart_id}.csv-metadata.json":
            (json.dumps(metadata, ensure_ascii=False, indent=1) + "\n").encode("utf-8"),
    }


def _csvw_type(table_schema_type: str) -> str:
    return {"number": "double"}.get(table_schema_type, table_schema_type)


def open_data_files(frames: dict[str, pd.DataFrame], site) -> dict[str, bytes]:
    """The data dictionary, the data package and the workbook of the published tables."""
    return {f"data/{DICTIONARY}.csv": csv_bytes(data_dictionary(site.config, registry_of(site))), DATA_PACKAGE: data_package_bytes(frames, site),
            WORKBOOK: workbook_bytes(frames, site)}


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
