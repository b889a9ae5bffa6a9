"""The departments' Excel templates (pipeline/excel_templates/departments.py): a filled template reads back cleanly, and
its dropdowns offer exactly what the pipeline accepts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from pipeline.basics.parse import tidy_name
from pipeline.basics.periods import Period
from pipeline.build import read_and_check
from pipeline.config import Source, load_config
from pipeline.excel_templates import departments as forms
from pipeline.excel_templates.__main__ import main as make_templates
from pipeline.gate.privacy import find_personal_numbers, valid_id_number
from tests.basics.test_periods import parse_period
from tests.conftest import TODAY

CONFIG = load_config()  # the sources, known when the tests are collected
SOURCES = sorted(CONFIG.sources)
NOT_LISTED = "不在列表中的名称"


def sample_period(source: Source) -> Period:
    """The period a test fills in: the plan's last year (or its first quarter)."""
    year = CONFIG.plan.end.year
    return Period.quarter_of(year, 1) if source.frequency == "quarterly" else Period.whole_year(year)


def submission_name(source: Source, period: Period) -> str:
    token = period.label if period.quarter else f"{period.year}年度"
    return f"{source.folder}_{token}_{source.name}.xlsx"


def _id_number(i: int) -> str:
    base = f"3201021980{1 + i % 12:02d}{1 + i % 28:02d}{i:03d}"
    return next(base + check for check in "0123456789X" if valid_id_number(base + check))


def _header_row(ws, source: Source) -> int:
    return next(r for r in range(1, 20) for c in range(1, ws.max_column + 1)
                if tidy_name(ws.cell(r, c).value) == tidy_name(source.header.contains))


def _lists(ws) -> dict[int, list[str]]:
    """Column number -> the options of its dropdown."""
    found = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list":
            for cells in dv.sqref.ranges:
                found[cells.min_col] = dv.formula1.strip('"').split(",")
    return found


def fill(template: Path, source: Source, period: Period, rows: int = 3) -> tuple[openpyxl.Workbook, dict, int]:
    """A template filled in the way its instructions ask; returns the workbook, the expected total
    of each indicator and the first data row."""
    wb = openpyxl.load_workbook(template)
    ws = wb.worksheets[0]
    ws["A1"] = ws["A1"].value.replace(forms.PERIOD_PLACEHOLDER[source.frequency], period.label_zh)
    header = _header_row(ws, source)
    for place in source.submitted:
        if place.kind == "label":
            cell = next(c for row in ws.iter_rows(max_row=header - 1) for c in row
                        if tidy_name(c.value) == tidy_name(place.arg + "："))
            cell.value = f"{place.arg}：{period.end + dt.timedelta(days=10):%Y-%m-%d}"
    first = header + source.header.rows
    names = forms.columns(source)
    lists = _lists(ws)
    period_columns = {p.arg for p in source.period if p.kind == "column"}
    submitted_columns = {p.arg for p in source.submitted if p.kind == "column"}
    breakdown = names.index(source.breakdown) + 1
    prefilled = 0
    while ws.cell(first + prefilled, breakdown).value is not None:
        prefilled += 1
    count = prefilled or max([rows, *(len(v) for v in lists.values())])
    expected: dict[str, int] = {}
    for i in range(count):
        r = first + i
        record = {}
        for c, name in enumerate(names, start=1):
            cell = ws.cell(r, c)
            if cell.value is not None:
                pass  # pre-filled by the template
            elif name in period_columns:
                cell.value = next(o for o in lists[c] if parse_period(o) == period)
            elif c in lists:
                cell.value = lists[c][i % len(lists[c])]  # every option, in turn
            elif name in source.values:
                cell.value = (3 * i + c) % 11
                indicator = source.values[name].indicator
                expected[indicator] = expected.get(indicator, 0) + cell.value
            elif name == source.event_date:
                cell.value = period.start + dt.timedelta(days=i)
            elif name in submitted_columns:
                cell.value = period.end + dt.timedelta(days=5)
            elif "身份证" in name:
                cell.value = _id_number(i)
            elif "电话" in name:
                cell.value = f"139{i:08d}"
            elif prefilled == 0 and name == source.breakdown:
                cell.value = f"测试{i}科技有限公司"  # an open list: any full name
            else:
                cell.value = f"{name}{i + 1}"
            record[name] = cell.value
        if source.layout == "records":
            if source.include and record[source.include.column] not in source.include.values:
                continue  # listed, not counted
            indicator = source.indicator or source.indicator_by.indicators[record[source.indicator_by.column]]
            expected[indicator] = expected.get(indicator, 0) + 1
    return wb, expected, first


def _read_back(tmp_path: Path, wb: openpyxl.Workbook, source: Source, period: Period):
    folder = tmp_path / "raw" / source.folder
    folder.mkdir(parents=True)
    wb.save(folder / submission_name(source, period))
    return read_and_check(tmp_path / "raw", CONFIG, TODAY)


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, Path]:
    """Source id -> its template, written once for this module."""
    written = forms.write_templates(CONFIG, tmp_path_factory.mktemp("templates"))
    return dict(zip(CONFIG.sources, written))


def test_one_template_per_source_with_the_data_sheet_first(templates):
    assert set(templates) == set(CONFIG.sources)
    for key, path in templates.items():
        source = CONFIG.sources[key]
        assert path.name == forms.template_name(source) and path.name.startswith(source.folder + "_")
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == [source.sheet or forms.DATA_SHEET, CONFIG.defaults.instruction_sheets[0]]
        instructions = "".join(str(c.value) for c in wb[CONFIG.defaults.instruction_sheets[0]]["A"])
        assert instructions.startswith(source.name)
        assert ("“—”" in instructions) == (source.layout == "table")  # what a dash meant in the old forms
        assert ("个人信息" in instructions) == bool(source.personal_columns)


@pytest.mark.parametrize("key", SOURCES)
def test_a_filled_template_reads_back_without_problems(templates, tmp_path, key):
    source = CONFIG.sources[key]
    assert set(forms.columns(source)) == source.known_columns | set(source.person_key)
    period = sample_period(source)
    wb, expected, _ = fill(templates[key], source, period)
    dataset, problems = _read_back(tmp_path, wb, source, period)
    assert [p.message() for p in problems] == []
    obs = dataset.observations
    assert obs.groupby("indicator")["value"].sum().to_dict() == expected
    assert set(obs["period"].map(Period.from_label).map(period.contains)) == {True}
    assert find_personal_numbers(obs.to_csv()) == []  # ID and phone numbers dropped on reading


def test_the_instructions_sheet_is_not_warned_about(templates, tmp_path):
    source = CONFIG.sources["p5_health_recruitment"]
    wb, _, _ = fill(templates["p5_health_recruitment"], source, sample_period(source))
    _, problems = _read_back(tmp_path, wb, source, sample_period(source))
    assert problems == []


@pytest.mark.parametrize("key", SOURCES)
def test_the_dropdowns_offer_the_canonical_names_and_the_plan_periods(templates, key):
    source = CONFIG.sources[key]
    ws = openpyxl.load_workbook(templates[key]).worksheets[0]
    names = forms.columns(source)
    lists = {names[c - 1]: options for c, options in _lists(ws).items()}
    vocabularies = {source.breakdown: CONFIG.indicators[source.indicator_ids[0]].breakdown}
    vocabularies |= {rule.column: rule.vocabulary for rule in (source.include, source.indicator_by) if rule}
    for column, vocabulary in vocabularies.items():
        if not CONFIG.vocabularies[vocabulary].open:
            assert lists.pop(column) == list(CONFIG.vocabularies[vocabulary].names)
    if source.department_column:
        assert lists.pop(source.department_column) == [source.department]
    for place in source.period:
        if place.kind == "column":
            periods = [parse_period(option) for option in lists.pop(place.arg)]
            assert periods == forms.plan_periods(source, CONFIG)
            assert all(p.quarter is None for p in periods) == (source.frequency == "yearly")
            assert all(CONFIG.plan.start <= p.start and p.end <= CONFIG.plan.end for p in periods)
    assert lists == {}
    whole = [dv for dv in ws.data_validations.dataValidation if dv.type == "whole"]
    checked = {c for dv in whole for cells in dv.sqref.ranges for c in range(cells.min_col, cells.max_col + 1)}
    assert checked == {names.index(v) + 1 for v in source.values}
    assert all(dv.formula1 == "0" and dv.operator == "greaterThanOrEqual" and dv.error for dv in whole)


DROPDOWN_COLUMNS = [(key, column) for key in SOURCES for column in forms.dropdowns(CONFIG.sources[key], CONFIG)]


@pytest.mark.parametrize(("key", "column"), DROPDOWN_COLUMNS)
def test_a_value_outside_a_dropdown_is_an_error_in_the_pipeline(templates, tmp_path, key, column):
    source = CONFIG.sources[key]
    period = sample_period(source)
    wb, _, first = fill(templates[key], source, period)
    ws = wb.worksheets[0]
    ws.cell(first, forms.columns(source).index(column) + 1).value = NOT_LISTED
    _, problems = _read_back(tmp_path, wb, source, period)
    errors = [(p.code, p.row, p.column) for p in problems if p.severity == "error"]
    assert any(row == first and where == column for _, row, where in errors), errors


def test_the_command_line_writes_every_template(tmp_path, capsys):
    assert make_templates(["--out", str(tmp_path)]) == 0
    assert len(list(tmp_path.glob("*.xlsx"))) == len(CONFIG.sources) + 1  # and 人才办's status form
    assert "报送模板" in capsys.readouterr().out
