"""When each file was received, and so which quarter's release first takes it (pure, but for
reading the optional receipts register).

The rule (config/method.yml `releases`, printed on the methodology page and in data/raw/README.md):

  a file's receipt date is, in this order,
    1. its line in the staff's receipts register (data/raw/收文登记.csv or .xlsx: 文件, 收文日期),
    2. the submission date written in the file (a 报送日期 column, a 填报日期 label; the status
       form's 填报日期), never the workbook's creation date, which is often older than the figures,
    3. the day its figures were due: the period's end + the source's due_days;
  the release of quarter Q takes every file received by the last day of the month `months_after`
  months after Q ends (its closing date); a file received later first appears in the release
  whose window it falls in.

Files' modification times are never used: a copy (cp, unzip, a Windows copy) changes them, and the
site must be the same whatever the copy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.basics.parse import DateError, parse_date, tidy_name
from pipeline.basics.periods import Period
from pipeline.basics.problems import Problem
from pipeline.config import Config
from pipeline.gate.admit import screened_grid
from pipeline.gate.kinds import Register
from pipeline.gate.read import FileProblem

#: How a receipt date is known: basis -> words.
BASES = {"register": "收文登记", "written": "文件中写明的报送日期", "due": "应报送日期"}


@dataclass(frozen=True)
class Receipt:
    """When one file was received, how that is known, and the release that first takes it."""

    file: str  # path under data/raw
    received_on: dt.date
    basis: str  # a key of BASES
    release: str  # quarter label, e.g. 2022Q4


def closing_date(quarter: Period, months_after: int) -> dt.date:
    """The last day of receipt for a quarter's release: the end of the month `months_after` months
    after the quarter (1: 2022Q4 -> 2023-01-31)."""
    month = quarter.end.year * 12 + quarter.end.month - 1 + months_after + 1  # the month after that one
    return dt.date(month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def release_of(day: dt.date, months_after: int) -> Period:
    """The release whose window a receipt date falls in: the earliest quarter whose closing date
    is on or after it."""
    month = day.year * 12 + day.month - 1 - months_after
    return Period.quarter_of(month // 12, month % 12 // 3 + 1)


# -- load: the receipts register ------------------------------------------------------------------


def register_path(raw_dir: Path, config: Config) -> Path | None:
    """The register file, if staff keep one (.csv or .xlsx)."""
    name = config.method.releases.register_file
    found = [raw_dir / f"{name}{ext}" for ext in (".csv", ".xlsx") if (raw_dir / f"{name}{ext}").is_file()]
    return found[0] if found else None


@dataclass(frozen=True)
class Registered:
    received_on: dt.date
    row: int


def read_register(raw_dir: Path, config: Config, today: dt.date,
                  files: list[str]) -> tuple[dict[str, Registered], list[Problem]]:
    """The register's receipt dates by file (path under data/raw), and its problems: a missing
    column, a file that is not in data/raw, a date that cannot be read or lies after today, a file
    listed twice with different dates. `files`: every file the build reads."""
    path = register_path(raw_dir, config)
    if path is None:
        return {}, []
    rel = path.name
    try:
        screened = screened_grid(path, rel, config, Register(config.method.releases.register_columns))
    except FileProblem as exc:
        return {}, [exc.problem]
    if screened.problems:  # refused at its cells: no date of it is read
        return {}, screened.problems
    return register_dates(screened.grid.cells, rel, config, today, files)


def register_dates(cells: pd.DataFrame, rel: str, config: Config, today: dt.date,
                   files: list[str]) -> tuple[dict[str, Registered], list[Problem]]:
    """The register's grid (rows numbered from 1) read as receipt dates (see read_register)."""
    names = config.method.releases.register_columns
    wanted = {tidy_name(names.file): "file", tidy_name(names.received): "received"}
    header = next((r for r, row in cells.iterrows() if set(wanted) <= {tidy_name(v) for v in row}), None)
    if header is None:
        return {}, [Problem(code="register_columns", file=rel, found="找不到同时有这两列的表头行",
                            expected=f"表头有“{names.file}”和“{names.received}”两列（其他列可有可无）",
                            fix=f"在第一行写上列名“{names.file}”“{names.received}”，每个收到的文件一行。")]
    where = {wanted[tidy_name(v)]: c for c, v in cells.loc[header].items() if tidy_name(v) in wanted}
    by_path = {tidy_name(f): f for f in files}
    by_name: dict[str, list[str]] = {}
    for f in files:
        by_name.setdefault(tidy_name(f.rsplit("/", 1)[-1]), []).append(f)
    found: dict[str, Registered] = {}
    problems: list[Problem] = []

    def problem(code: str, row: int, column: str, found_text: str, expected: str, fix: str) -> None:
        problems.append(Problem(code=code, file=rel, row=row, column=column, found=found_text, expected=expected, fix=fix))

    year = config.plan.example_years[-1]  # the examples of a file and a date
    example = config.example_file(f"{year}Q1")
    for row, cells_row in cells.loc[header + 1:].iterrows():
        name, day = cells_row[where["file"]], cells_row[where["received"]]
        key = tidy_name(name).replace("\\", "/").removeprefix("data/raw/")
        if not key and not tidy_name(day):
            continue  # a blank line
        matches = [by_path[key]] if key in by_path else by_name.get(key, [])
        if len(matches) != 1:
            problem("register_file_unknown", row, names.file,
                    f"“{tidy_text(name)}”" + ("与多个文件同名：" + "、".join(matches) if matches else "不是 data/raw 中的文件"),
                    f"data/raw 下的文件路径（如 {example.split('_')[0]}/{example}），或只写文件名（文件名唯一时）",
                    "照 data/raw 中的文件名改正这一格；文件名重名时写上部门目录；文件已撤回的，删除这一行。")
            continue
        try:
            received = parse_date(day)
        except DateError:
            problem("date_invalid", row, names.received, f"“{tidy_text(day)}”不是日期", f"如 {year}-04-12 或 {year}年4月12日",
                    "改正这一格。")
            continue
        if received > today:
            problem("register_date_future", row, names.received, f"收文日期 {received.isoformat()} 晚于今天",
                    "收到文件的那一天（不晚于今天）", "核对日期（年份、月份是否写错）后改正这一格。")
            continue
        file = matches[0]
        if file in found and found[file].received_on != received:
            problem("register_duplicate", row, names.file,
                    f"{file} 已在第 {found[file].row} 行登记为 {found[file].received_on.isoformat()}，这里又写 {received.isoformat()}",
                    "每个文件一行", "删去登记错的一行（同一文件重新报送时，文件名应不同，如加“（更正）”）。")
            continue
        found.setdefault(file, Registered(received, int(row)))
    return found, problems


def tidy_text(cell: object) -> str:
    return "" if cell is None or (isinstance(cell, float) and pd.isna(cell)) else str(cell).strip()


# -- process: receipt dates ---------------------------------------------------------------------


def receipts(config: Config, submissions: list[dict], forms: list, form_due_days: int,
             register: dict[str, Registered], register_file: str = "") -> tuple[dict[str, Receipt], list[Problem]]:
    """Every file's receipt (department files: their submission records; status forms: their
    FormFiles), by the rule in the module docstring; a register date before the file's period
    ended is a warning."""
    months_after = config.method.releases.months_after
    out: dict[str, Receipt] = {}
    problems: list[Problem] = []
    items = [(s["file"], s["submitted_on"] if s.get("submitted_from") == "written" else None, s["coverage_end"],
              config.sources[s["source_id"]].due_days) for s in submissions if s["coverage_end"] is not None]
    items += [(f.file, f.submitted_on, f.quarter.end, form_due_days) for f in forms if f.quarter is not None]
    for file, written, period_end, due_days in items:
        if file in register:
            day, basis = register[file].received_on, "register"
            if day < period_end:
                problems.append(Problem(
                    code="register_date_early", file=register_file, row=register[file].row,
                    column=config.method.releases.register_columns.received,
                    found=f"{file} 的收文日期 {day.isoformat()} 早于其报送期结束（{period_end.isoformat()}）",
                    expected="报送期结束以后收到", fix="核对收文日期；如确是提前收到，数字可能不全，请向报送部门确认。"))
        elif written is not None:
            day, basis = written, "written"
        else:
            day, basis = period_end + dt.timedelta(days=due_days), "due"
        out[file] = Receipt(file=file, received_on=day, basis=basis, release=release_of(day, months_after).label)
    return out, problems


def receipt_columns(submissions: pd.DataFrame, found: dict[str, Receipt]) -> pd.DataFrame:
    """The submissions table with each file's receipt date, its basis and its first release."""
    out = submissions.copy()
    for column, attribute in (("received_on", "received_on"), ("received_basis", "basis"), ("release", "release")):
        out[column] = [getattr(found[f], attribute) if f in found else None for f in out["file"]] if len(out) else []
    return out
