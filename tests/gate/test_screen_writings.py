"""The screen, tested as a space: writings of ID and mobile numbers drawn from a grammar
(tests/writings.py: every dash, space, dot, underscore, slash and bracket, any grouping, words
around, full-width digits, Excel's and Python's ways of writing numbers, numbers split over two
cells) are each found by the cell screen and by the last guard, and each is refused at its cell
when it comes in through any way in: a department's CSV file and workbook, a status form, the
receipts register; and nothing of it reaches what the build would publish.

Hypothesis is derandomised (the same writings on every run): 3,000 writings are tried on the screen
and the last guard, and 280 are put in files and read as the build reads them. The screen's other
side, no false positive, is measured on every kept cell of the shipped files and of generated good
submissions; a whole build (two: a department's file, a status form) shows a number in a kept
cell stopping the build, at its cell, with the site left as it was (they stop before drawing: seconds)."""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.generate_records import generate
from pipeline.basics import paths
from pipeline.build import BuildFailed, DataErrors, build, check_no_personal_data, error_report
from pipeline.config import load_config
from pipeline.config.commitments import load_commitments
from pipeline.gate.admit import screened_grid
from pipeline.gate.kinds import DepartmentFile, Register, StatusForm
from pipeline.gate.privacy import SEPARATORS, find_personal_numbers, mask_text, normalise
from pipeline.gate.read import Grid
from pipeline.gate.screen import Area, KeptCells, screen_grid
from pipeline.ingest.files import discover, read_all
from pipeline.ingest.receipts import read_register
from pipeline.ingest.status_history import read_form_files
from tests.conftest import TODAY, copy_raw
from tests.fixtures.edits import ENTERPRISE_Q1, FORM_Q2, RURAL_Q1, save_workbook
from tests.future import SCENARIOS, future
from tests.writings import Writing, excel_writings, split_writings, writings

PROPERTY = settings(derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
IN_FILES = settings(PROPERTY, max_examples=40, suppress_health_check=list(HealthCheck))


def digits_of(number: str) -> set[str]:
    """What of a number must not be published: the number itself, and the middle digits that the
    mask hides (an ID's region and birth date; a mobile's 4 middle digits with the 3 before them)."""
    return {number, number[:8], number[4:14]} if len(number) > 11 else {number, number[:7]}


def leaks(text: str, number: str) -> list[str]:
    """Personal numbers in a text, and the number's hidden digits written in it (separators aside)."""
    plain = re.sub(f"[{re.escape(SEPARATORS)}]", "", normalise(text))
    return find_personal_numbers(text) + [d for d in digits_of(number) if d in plain]


# -- the screen and the last guard ------------------------------------------------------------------


def _guarded(text: str) -> bool:
    """Whether the last guard stops a build that would publish this text (in a CSV cell, and on a page)."""
    for path, content in (("data/x.csv", f'a,"{text}",1\n'), ("x/index.md", f"<td>{html.escape(text)}</td>")):
        try:
            check_no_personal_data({path: content.encode("utf-8")})
        except BuildFailed as stop:
            assert "****" in str(stop)
            continue
        return False
    return True


@settings(PROPERTY, max_examples=2000)
@given(writings())
def test_every_writing_of_a_number_is_found_masked_and_stopped_by_the_last_guard(writing):
    assert writing.number.upper() in find_personal_numbers(writing.text)
    masked = mask_text(writing.text)
    assert find_personal_numbers(masked) == [] and writing.number[-4:] in masked.replace("*", "")
    assert _guarded(writing.text)


@settings(PROPERTY, max_examples=500)
@given(excel_writings())
def test_every_way_excel_and_python_write_a_number_is_found_and_stopped(writing):
    assert writing.number in find_personal_numbers(writing.text), writing
    assert find_personal_numbers(mask_text(writing.text)) == []
    assert _guarded(writing.text)


def _one_row(parts: tuple[str, str]) -> Grid:
    return Grid(file="x.csv", kind="csv", cells=pd.DataFrame([list(parts)], index=[7], dtype=object))


KEPT_PAIR = KeptCells((Area(7, None, (0, 1), ("甲", "乙")),), expected="不含号码", fix="删去“{column}”中的号码")


@settings(PROPERTY, max_examples=500)
@given(split_writings())
def test_a_number_split_over_two_neighbouring_cells_is_found_at_the_first_and_masked_in_both(writing):
    screened = screen_grid(_one_row(writing.parts), KEPT_PAIR)
    found = {(p.code, p.row, p.column) for p in screened.problems}
    assert found == {("personal_data", 7, column) for column in _refused_at(writing, "甲", "乙")}, writing
    a, b = screened.grid.cells.iloc[0]
    assert leaks(a + b, writing.number) == [] and "****" in screened.problems[0].found


def _refused_at(writing: Writing, first: str, second: str) -> set[str]:
    """Where a split writing is refused: at its first cell; and at its second too when the second
    part alone looks like a number (4 | 13021990030 77715: a mobile number in an ID number)."""
    return {first, second} if find_personal_numbers(writing.parts[1]) else {first}


def test_a_split_is_only_looked_for_between_kept_neighbours():
    parts = ("110101", "199003077715")
    assert screen_grid(_one_row(parts), KeptCells((Area(7, None, (0,), ("甲",)),), "", "")).problems == []
    assert screen_grid(_one_row(parts), KEPT_PAIR).problems  # (the same cells, both kept)


# -- every way in ------------------------------------------------------------------------------------

#: Where each container puts a writing: the file, its sheet, the cell (row; column position and name),
#: and the neighbour a split writing's second part goes in.
PLACES = {
    "department CSV": (ENTERPRISE_Q1, None, 3, 0, "企业名称", "季度"),
    "department workbook": (RURAL_Q1, "Sheet1", 5, 0, "街镇", "合作经济组织专业人员"),
    "status form": (FORM_Q2, "进展表", 28, 10, "网址", "备注"),
    "register CSV": ("收文登记.csv", None, 3, 0, "文件", "收文日期"),
    "register workbook": ("收文登记.xlsx", "收文登记", 3, 0, "文件", "收文日期"),
}
#: Where a number typed as an Excel number goes (a count cell; the form's 备注), in the workbooks.
NUMBER_CELLS = {"department workbook": (5, 2, "农村劳动力转移培训"), "status form": (28, 11, "备注")}


@pytest.fixture(scope="module")
def registry(config):
    return load_commitments(config, paths.PLAN_TEXT.read_text(encoding="utf-8"))


def _csv_with(path: Path, row: int, cells: dict[int, str], encoding: str) -> None:
    """A CSV file with some cells of a row (counted from 1) replaced, written as Excel writes CSV
    (quoted where a cell needs it)."""
    data = path.read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode(encoding))))
    for column, text in cells.items():
        rows[row - 1][column] = text
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n" if b"\r\n" in data else "\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))


def _workbook_with(path: Path, row: int, cells: dict[int, object]) -> None:
    workbook = openpyxl.load_workbook(path)
    for column, value in cells.items():
        workbook.worksheets[0].cell(row, column + 1).value = value
    save_workbook(workbook, path)


def _register(raw: Path, name: str) -> None:
    """A register of two shipped files, in the CSV or workbook form."""
    rows = [["文件", "收文日期", "经办人"], ["卫生局/卫生局_2009Q1_卫生人才引进.csv", "2009-04-08", "王芳"],
            ["卫生局/卫生局_2009Q2_卫生人才引进.csv", "2009-07-09", "王芳"]]
    if name.endswith(".csv"):
        (raw / name).write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
        return
    workbook = openpyxl.Workbook()
    workbook.active.title = "收文登记"
    for r in rows:
        workbook.active.append(r)
    save_workbook(workbook, raw / name)


def _lay_out(tmp_path: Path, container: str) -> Path:
    """A raw folder with the container's file as shipped (and the department files a register names)."""
    raw = tmp_path / "raw"
    if raw.exists():
        shutil.rmtree(raw)
    raw.mkdir()
    rel = PLACES[container][0]
    if container.startswith("register"):
        shutil.copytree(paths.RAW_DIR / "卫生局", raw / "卫生局")
        _register(raw, rel)
    else:
        (raw / rel).parent.mkdir(parents=True)
        shutil.copy(paths.RAW_DIR / rel, raw / rel)
    return raw


def _place(raw: Path, container: str, writing: Writing, as_number: bool) -> tuple[int, str, str]:
    """The writing put in the container's cell (or its parts in that cell and the next; or the
    number Excel holds in a number cell): the row and the column names the problem must give."""
    rel, _, row, column, name, next_name = PLACES[container]
    if as_number:
        row, column, name = NUMBER_CELLS[container]
        cells = {column: writing.excel_value}
    elif writing.parts:
        cells = {column: writing.parts[0], column + 1: writing.parts[1]}
    else:
        cells = {column: writing.text}
    if rel.endswith(".csv"):
        _csv_with(raw / rel, row, {c: str(v) for c, v in cells.items()}, "gb18030" if rel == ENTERPRISE_Q1 else "utf-8")
    else:
        _workbook_with(raw / rel, row, cells)
    return row, name, next_name


def _read(raw: Path, container: str, config, registry) -> tuple[list, str]:
    """The problems of the container's file as the build reads it, and the text of everything it
    gave that the build would publish (figures, statuses, dates, messages)."""
    if container.startswith("department"):
        results, problems = read_all(raw, config, TODAY)
        problems = problems + [p for r in results for p in r.problems]
        given = "".join(r.observations.to_csv() + str(r.actions) + str(r.submission) for r in results)
    elif container == "status form":
        forms, problems = read_form_files(raw, registry, config, TODAY)
        problems = problems + [p for f in forms for p in f.problems]
        given = "".join(str(f.rows) for f in forms)
    else:
        files = [p.relative_to(raw).as_posix() for p in raw.rglob("*") if p.is_file() and p.parent != raw]
        dates, problems = read_register(raw, config, TODAY, files)
        given = str(dates)
    return problems, given + "".join(p.message() for p in problems)


def _check_refused_at_its_cell(raw, container, writing, as_number, config, registry):
    row, column, next_column = _place(raw, container, writing, as_number)
    problems, published = _read(raw, container, config, registry)
    rel, sheet = PLACES[container][:2]
    found = [(p.file, p.sheet, p.row, p.column) for p in problems if p.code == "personal_data"]
    columns = _refused_at(writing, column, next_column) if writing.parts else {column}
    assert sorted(found) == sorted((rel, sheet, row, c) for c in columns), (writing, [p.message() for p in problems])
    assert leaks(published, writing.number) == [], writing


@pytest.mark.parametrize("container", PLACES)
def test_a_number_in_each_way_in_is_refused_at_its_cell_and_nothing_of_it_is_published(container, config, registry,
                                                                                      tmp_path):
    @IN_FILES
    @given(st.one_of(writings(), split_writings()))
    def check(writing):
        raw = _lay_out(tmp_path, container)
        _check_refused_at_its_cell(raw, container, writing, False, config, registry)

    check()


@pytest.mark.parametrize("container", NUMBER_CELLS)
def test_an_id_or_mobile_typed_as_an_excel_number_is_refused_at_its_cell(container, config, registry, tmp_path):
    @IN_FILES
    @given(excel_writings())
    def check(writing):
        raw = _lay_out(tmp_path, container)
        _check_refused_at_its_cell(raw, container, writing, True, config, registry)

    check()


def test_the_shipped_files_read_through_every_way_in_have_no_personal_data_problem(config, registry, tmp_path):
    for container in PLACES:
        problems, _ = _read(_lay_out(tmp_path, container), container, config, registry)
        assert [p for p in problems if p.severity == "error"] == [], container


def test_an_excel_number_that_is_no_personal_number_is_not_refused(config, registry, tmp_path):
    """A number of 18 digits with no real birth date, and one of 19 digits, typed into Excel."""
    for value in (4.40301000000000e17, 1.10101199003077e18):
        raw = _lay_out(tmp_path, "status form")
        _workbook_with(raw / FORM_Q2, 28, {11: value})
        problems, _ = _read(raw, "status form", config, registry)
        assert [p for p in problems if p.code == "personal_data"] == []


# -- no false positives ---------------------------------------------------------------------------------


def _screen_all(raw: Path, config, registry) -> tuple[int, int, list]:
    """Every file of a raw folder through its way in: the kept cells and neighbouring pairs
    screened, and the personal_data problems found."""
    cells, pairs, problems = 0, 0, []
    files, _ = discover(raw, config)
    forms = sorted(p for p in (raw / load_config().defaults.status_form_folder).glob("*.xlsx"))
    register = sorted(raw.glob(f"{config.method.releases.register_file}.*"))
    for path, rel, kind in ([(p, r, DepartmentFile(config.sources[k])) for p, r, k in files]
                            + [(p, p.relative_to(raw).as_posix(), StatusForm(registry.form)) for p in forms]
                            + [(p, p.name, Register(config.method.releases.register_columns)) for p in register]):
        screened = screened_grid(path, rel, config, kind)
        cells, pairs, problems = cells + screened.cells, pairs + screened.pairs, problems + screened.problems
    return cells, pairs, problems


def _register_of_every_file(raw: Path) -> None:
    """The receipts register staff would keep for a raw folder: every file, a receipt date, a clerk."""
    lines = ["文件,收文日期,经办人"] + [f"{p.relative_to(raw).as_posix()},2012-01-{1 + i % 28:02d},王芳"
                                      for i, p in enumerate(sorted(raw.rglob("*.*"))) if p.parent != raw]
    (raw / "收文登记.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_no_kept_cell_of_the_shipped_files_is_taken_for_a_personal_number(config, registry, tmp_path):
    raw = shutil.copytree(paths.RAW_DIR, tmp_path / "raw")
    _register_of_every_file(raw)
    cells, pairs, problems = _screen_all(raw, config, registry)
    assert [p.message() for p in problems] == []
    assert cells > 6000 and pairs > 4000  # every kept cell of the 41 files, 7 forms and the register


def test_no_kept_cell_of_generated_good_submissions_is_taken_for_a_personal_number(config, registry, tmp_path):
    """The 2011 submissions of every scenario of tests/future.py (each department's layout, mess and
    wordings, with the shipped files), and 20,000 generated training records (bench/generate_records.py:
    towns, categories and dates in three writings beside ID and phone columns, which are dropped)."""
    total = [0, 0]
    for scenario in SCENARIOS:
        future(tmp_path / scenario, scenario, seed=1)
        _register_of_every_file(tmp_path / scenario / "raw")
        cells, pairs, problems = _screen_all(tmp_path / scenario / "raw", config, registry)
        assert [p.message() for p in problems] == [], scenario
        total = [total[0] + cells, total[1] + pairs]
    records = generate(20_000, tmp_path / "records")
    cells, pairs, problems = _screen_all(records.raw_dir, load_config(records.config_dir), registry)
    assert [p.message() for p in problems] == []
    assert total[0] > 35_000 and total[1] > 25_000 and cells > 90_000 and pairs > 50_000


# -- the last guard -----------------------------------------------------------------------------------


def _workbook_bytes(value: object) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["B3"] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("value", ["联系人 139–1234–5678", "1.101011990030777e+17", 1.10101199003077e17, 13912345678])
def test_the_last_guard_reads_the_tables_workbook(value):
    with pytest.raises(BuildFailed, match=r"data/tables\.xlsx"):
        check_no_personal_data({"data/tables.xlsx": _workbook_bytes(value)})
    check_no_personal_data({"data/tables.xlsx": _workbook_bytes("共 20,000 人次，2009-12-31")})


def test_the_last_guard_is_broader_than_the_screen_an_id_with_a_wrong_check_digit():
    typo = "110101199003077716"  # 110101199003077715 with its last digit mistyped
    assert find_personal_numbers(typo) == []  # the cell screen: not a valid ID number
    with pytest.raises(BuildFailed):
        check_no_personal_data({"data/x.csv": f"a,{typo}\n".encode()})


# -- a whole build ------------------------------------------------------------------------------------


def _phone_in_company_name(raw: Path) -> None:
    _csv_with(raw / ENTERPRISE_Q1, 3, {0: "华瑞电气 139–1234–5678"}, "gb18030")


def _id_as_a_number_in_a_form(raw: Path) -> None:
    _workbook_with(raw / FORM_Q2, 28, {11: 1.10101199003077e17})


@pytest.mark.parametrize(("edit", "cell"), [
    (_phone_in_company_name, (ENTERPRISE_Q1, None, 3, "企业名称")),
    (_id_as_a_number_in_a_form, (FORM_Q2, "进展表", 28, "备注")),
], ids=["a phone in a department's file", "an ID typed as a number in a status form"])
def test_a_personal_number_in_a_kept_cell_stops_the_build_at_its_cell_and_the_site_stays(edit, cell, tmp_path):
    raw = copy_raw(tmp_path)
    edit(raw)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("上一次发布的网站", encoding="utf-8")
    with pytest.raises(DataErrors) as stopped:
        build(raw, site, today=TODAY, keep_docs=None, cache_dir=tmp_path / "cache")
    errors = stopped.value.errors
    assert [(p.code, p.file, p.sheet, p.row, p.column) for p in errors] == [("personal_data", *cell)]
    report = error_report(errors, stopped.value.problems)
    assert "****" in report and find_personal_numbers(report) == [] and "Traceback" not in report
    assert [p.relative_to(site).as_posix() for p in site.rglob("*")] == ["index.html"]
    assert (site / "index.html").read_text(encoding="utf-8") == "上一次发布的网站"
