"""Reading department files from disk into a grid of raw cells (the only IO of the reading step).

A grid keeps every cell as the file holds it (text, number or date), indexed by the row number a
person sees in Excel or a text editor, so that every later message can point at the cell.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer
import pandas as pd

from pipeline.basics.problems import Problem
from pipeline.config import Defaults
from pipeline.gate.limits import check_columns, check_csv_cells, check_workbook
from pipeline.gate.privacy import mask_text

#: Extensions read, by kind.
READABLE = {".csv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
#: Extensions recognised but not read, with what to do instead.
UNSUPPORTED = {
    ".xls": "旧版 Excel 格式（.xls）不受支持：请在 Excel 中“另存为”Excel 工作簿（.xlsx）后放入。",
    ".et": "WPS 表格格式（.et）不受支持：请在 WPS 中“另存为”.xlsx 后放入。",
    ".ods": "OpenDocument 表格（.ods）不受支持：请另存为 .xlsx 后放入。",
}
# Files this large (lists of individual records) are read by Arrow; the department tables, by pandas.
ARROW_MIN_BYTES = 1_000_000
MAX_CSV_COLUMNS = 1000  # read as text by the fast CSV reader; wider files are read by pandas
#: Encodings tried, after UTF-8, for text files from Chinese offices.
CHINESE_ENCODINGS = ["gb18030", "big5", "utf_16_le", "utf_16_be"]


@dataclass(frozen=True)
class Grid:
    """The cells of one sheet of one file."""

    file: str  # path under data/raw, as shown in messages
    kind: str  # csv or xlsx
    cells: pd.DataFrame  # values as read (text, numbers, dates; missing: None or NaN); index: row number (1 = first)
    sheet: str | None = None
    encoding: str | None = None
    merged: tuple[tuple[int, int, int, int], ...] = ()  # (first row, first col, last row, last col), cols 0-based
    workbook_created: dt.date | None = None
    other_sheets: tuple[str, ...] = field(default=())


class FileProblem(Exception):
    """A file that cannot be read at all."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message())
        self.problem = problem


def _fail(code: str, file: str, found: str, expected: str, fix: str, sheet: str | None = None) -> FileProblem:
    # what the file says of itself (sheet names) is shown with any personal number masked
    return FileProblem(Problem(code=code, file=file, sheet=sheet and mask_text(sheet), found=mask_text(found),
                               expected=expected, fix=fix))


def sniff_kind(data: bytes) -> str:
    """What a file's first bytes say it is: xlsx, xls-or-encrypted, html, pdf, text or binary."""
    head = data[:512]
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"%PDF"):
        return "pdf"
    lowered = head.lstrip(codecs.BOM_UTF8).lstrip().lower()
    if lowered.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")):
        return "html"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "text"
    if b"\x00" in head:
        return "binary"
    return "text"


_KIND_NAMES = {
    "xlsx": "Excel 工作簿（.xlsx）",
    "ole": "旧版 Excel（.xls）或设置了打开密码的 Excel 文件",
    "pdf": "PDF 文档",
    "html": "网页（HTML）或 XML 文件",
    "text": "文本文件（如 CSV）",
    "binary": "无法识别的二进制文件",
}


def detect_encoding(data: bytes, *, assume_utf8: bool = False) -> str | None:
    """The text encoding of a CSV file: a byte-order mark, else UTF-8, else the best Chinese guess
    that decodes the whole file.

    With assume_utf8, the (costly, for a large file) check that the whole file is valid UTF-8 is
    left to the reader, which fails on the first invalid byte."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if assume_utf8:
        return "utf-8"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    for sample in encoding_samples(data):
        guess = charset_normalizer.from_bytes(sample, cp_isolation=CHINESE_ENCODINGS).best()
        if guess is not None and decodes(data, guess.encoding):
            return guess.encoding
    return None


#: Bytes of a file its encoding is guessed from (the whole file must then decode with the guess).
ENCODING_SAMPLE_BYTES = 262_144


def encoding_samples(data: bytes) -> list[bytes]:
    """The start of a file to guess its encoding from, ending where a character ends: at a line
    end (a line-feed byte is never part of a GBK, GB18030 or Big5 character), then, for a file
    with no line end that early (or UTF-16, whose line end is two bytes), a byte or two either
    side. A sample that cut a character in two made the guess fail: 11 of 40 copies of a 336 KB
    GB18030 file, shifted by a byte each, were refused."""
    if len(data) <= ENCODING_SAMPLE_BYTES:
        return [data]
    line_end = data.rfind(b"\n", 0, ENCODING_SAMPLE_BYTES) + 1
    ends = [line_end, line_end + 1] if line_end else []
    ends += [ENCODING_SAMPLE_BYTES - back for back in range(4)]
    return [data[:end] for end in dict.fromkeys(ends)]


def decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def load_bytes(path: Path, file: str, *, max_file_mb: float) -> bytes:
    """A department file's bytes, or FileProblem if its type is not read, it is too large or it
    cannot be opened."""
    suffix = path.suffix.lower()
    if suffix in UNSUPPORTED:
        raise _fail("file_type_unsupported", file, f"扩展名 {suffix}", "CSV（.csv）或 Excel 工作簿（.xlsx）",
                    UNSUPPORTED[suffix])
    if suffix not in READABLE:
        raise _fail("file_type_unsupported", file, f"扩展名 {suffix or '（无）'}",
                    "CSV（.csv）或 Excel 工作簿（.xlsx）", "请另存为 .csv 或 .xlsx；不属于报送数据的文件请移出 data/raw。")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _fail("file_unreadable", file, f"无法打开文件（{exc.strerror}）", "可读取的文件",
                    "检查文件是否存在、是否有读取权限。") from None
    if size > max_file_mb * 1024 * 1024:
        raise _fail("file_too_large", file, f"文件大小 {size / 1024 / 1024:.1f} MB",
                    f"不超过 {max_file_mb:g} MB（sources.yml 中的 max_file_mb）",
                    "请确认文件内容无误（如误粘贴了大量空行或其他表格）；确需报送可拆分为多个文件，或调高 max_file_mb。")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail("file_unreadable", file, f"无法读取（{exc.strerror}）", "可读取的文件",
                    "检查文件是否被其他程序占用、是否有读取权限。") from None
    return data


def grid_from_bytes(data: bytes, suffix: str, file: str, *, sheet: str | None = None,
                    skip_sheets: tuple[str, ...] = (), limits: Defaults | None = None) -> Grid:
    """The cells of a file's bytes (from load_bytes), or FileProblem if it is empty, not what its
    extension says, its text cannot be decoded, or it passes one of the limits (see limits.py)."""
    if not data[:65536].strip(b" \t\r\n\x00" + codecs.BOM_UTF8) and not data.strip(b" \t\r\n\x00" + codecs.BOM_UTF8):
        raise _fail("file_empty", file, "文件没有任何内容（0 个字符）", "包含表头和数据行的报表",
                    "请向报送部门索取完整文件；如为误放的空文件，请删除。")
    kind = READABLE[suffix]
    actual = sniff_kind(data)
    if kind == "xlsx" and actual != "xlsx" or kind == "csv" and actual != "text":
        fix = {
            "ole": "请用 Excel 打开后“另存为”Excel 工作簿（.xlsx）；如有打开密码，请先取消密码。",
            "xlsx": "这是 Excel 工作簿：请把扩展名改为 .xlsx。",
            "text": "这是文本文件：请把扩展名改为 .csv（或用 Excel 打开后另存为 .xlsx）。",
            "html": "这是从网页系统导出的文件，并非真正的表格文件：请用 Excel 打开后另存为 .xlsx。",
        }.get(actual, "请向报送部门索取正确的文件。")
        raise _fail("file_type_mismatch", file, f"扩展名为 {suffix}，内容却是{_KIND_NAMES[actual]}",
                    f"{suffix} 文件", fix)
    if kind == "csv":
        return _load_csv(data, file, limits)
    if limits is not None and (problem := check_workbook(data, file, limits)):
        raise FileProblem(problem)
    return _load_xlsx(data, file, sheet, skip_sheets, limits)


def _load_csv(data: bytes, file: str, limits: Defaults | None = None) -> Grid:
    # Most files are UTF-8: read them as such straight from the bytes (one pass, no copy of the
    # text); only when that fails is the encoding worked out.
    encoding = detect_encoding(data, assume_utf8=True)
    try:
        return parse_csv(data, file, encoding, limits)
    except UnicodeDecodeError:
        encoding = detect_encoding(data)
    undetected = ("encoding_undetected", file, "文字编码无法识别（不是 UTF-8，也不是 GBK/GB18030、Big5 或 UTF-16）",
                  "UTF-8 或 GBK/GB18030 编码的 CSV 文件",
                  "用 Excel 打开该文件，核对文字显示正常后“另存为”CSV UTF-8（逗号分隔）或 Excel 工作簿（.xlsx）。")
    if encoding is None:
        raise _fail(*undetected)
    try:
        return parse_csv(data, file, encoding, limits)
    except UnicodeDecodeError:  # a byte-order mark, then bytes of no encoding (a cut or damaged file)
        raise _fail(*undetected) from None


def _check_columns(columns: int, file: str, limits: Defaults | None) -> None:
    if limits is not None and (problem := check_columns(columns, file, limits)):
        raise FileProblem(problem)


def parse_csv(data: bytes, file: str, encoding: str, limits: Defaults | None = None) -> Grid:
    head = data[:4096].decode(encoding, errors="ignore").lstrip("\ufeff")
    first_line = next((line for line in head.split("\n") if line.strip()), "")
    delimiter = max([",", "\t", ";"], key=first_line.count) if any(d in first_line for d in ",\t;") else ","
    read = dict(sep=delimiter, header=None, dtype=str, keep_default_na=False, na_values=[""],
                skip_blank_lines=False, engine="c", encoding=encoding)
    # the first row's width, and the cells of as many rows, before any reader makes a column of
    # each of its cells or a value of each cell
    first_row = data[:data.find(b"\n")] if b"\n" in data[:1_000_000] else data[:1_000_000]
    width = first_row.decode(encoding, errors="ignore").count(delimiter) + 1
    _check_columns(width, file, limits)
    if limits is not None and (problem := check_csv_cells(line_count(data, encoding), width, file, limits)):
        raise FileProblem(problem)
    try:
        cells = read_rectangular_csv(data, delimiter, encoding) if len(data) >= ARROW_MIN_BYTES else None
        if cells is None:
            cells = pd.read_csv(io.BytesIO(data), **read)
    except (pd.errors.ParserError, pd.errors.EmptyDataError):
        # a row with more cells than the first, or blank lines first: read at the widest row's width
        lines = data.decode(encoding).lstrip("\ufeff").splitlines()
        if not any(line.strip() for line in lines):
            raise _fail("file_empty", file, "文件只有空行", "包含表头和数据行的报表", "请向报送部门索取完整文件。") from None
        widest = max(line.count(delimiter) for line in lines) + 1
        _check_columns(widest, file, limits)
        try:
            cells = pd.read_csv(io.BytesIO(data), names=range(widest), **read)
        except pd.errors.ParserError as exc:
            quote = re.search(r"EOF inside string starting at row (\d+)", str(exc))
            found = (f"第 {int(quote.group(1)) + 1} 行有一个引号（\"）直到文件末尾都没有配对" if quote
                     else f"CSV 格式有误（{exc}）")
            raise _fail("file_unreadable", file, found, "每个单元格的引号成对出现的 CSV 文件",
                        "用 Excel 打开该文件检查那一行（可能是单元格中多打了一个引号），请报送部门改正后重新报送。") from None
    _refuse_nul(data, encoding, file)
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    cells.columns = range(cells.shape[1])
    if encoding == "utf-8-sig" or cells.shape[1] and isinstance(cells.iat[0, 0], str) and cells.iat[0, 0].startswith("\ufeff"):
        cells.iat[0, 0] = cells.iat[0, 0].lstrip("\ufeff") if isinstance(cells.iat[0, 0], str) else cells.iat[0, 0]
    # Text columns as pandas reads them (missing cells are NaN): no copy into Python objects,
    # which for a million-row list would cost more than reading it.
    return Grid(file=file, kind="csv", cells=cells, encoding=encoding)


def line_count(data: bytes, encoding: str) -> int:
    """The lines of a text file (blank ones too, as the reader keeps them as rows)."""
    if encoding.replace("_", "-").startswith("utf-16"):  # (a line feed's byte is part of other characters)
        return len(data.decode(encoding, errors="replace").splitlines()) or 1
    return data.count(b"\n") + (not data.endswith(b"\n"))


def _refuse_nul(data: bytes, encoding: str, file: str) -> None:
    """A NUL character has no place in a CSV file's text: the file was cut or damaged on the way."""
    text_bytes = data if not encoding.startswith("utf_16") and not encoding.startswith("utf-16") else None
    at = text_bytes.find(b"\x00") if text_bytes is not None else data.decode(encoding, errors="replace").find("\x00")
    if at >= 0:
        line = (text_bytes[:at].count(b"\n") if text_bytes is not None
                else data.decode(encoding, errors="replace")[:at].count("\n")) + 1
        raise _fail("file_unreadable", file, f"第 {line} 行有空字符（NUL），文件可能在传送或保存时损坏",
                    "完整的文本文件", "请向报送部门重新索取该文件（或请其用 Excel 打开后另存为 .xlsx）。")


def read_rectangular_csv(data: bytes, delimiter: str, encoding: str) -> pd.DataFrame | None:
    """The cells of a CSV file whose rows all have the same number of cells, read by Arrow's CSV
    reader (on all cores, about three times as fast as pandas' own) into Arrow-backed text
    columns (on which the cleaning's lookups of distinct values are several times as fast); None
    for any other file, which pandas then reads row by row.

    Same result as the pandas reader below: every cell text, empty cells missing, blank lines
    kept as rows (so that row numbers are the file's), nothing converted to numbers.
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    first_line = data[:65536].split(b"\n", 1)[0]
    if not first_line.strip():
        return None
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True, encoding=_arrow_encoding(encoding)),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False, newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(MAX_CSV_COLUMNS)},
                null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True))
    except (pa.ArrowInvalid, LookupError):
        return None  # rows of different lengths (title rows, notes): pandas reads those
    text = pd.StringDtype("pyarrow", na_value=float("nan"))  # pandas' str, stored by Arrow
    return table.to_pandas(types_mapper={pa.string(): text}.get)


def _arrow_encoding(encoding: str) -> str:
    # Arrow decodes UTF-8 itself (its byte-order mark included) and leaves other codecs to Python.
    return "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding


def _load_xlsx(data: bytes, file: str, wanted_sheet: str | None, skip_sheets: tuple[str, ...],
               limits: Defaults | None = None) -> Grid:
    import openpyxl

    damaged = ("file_unreadable", file, "", "可以在 Excel 中正常打开的 .xlsx 文件", "用 Excel 打开该文件检查；如打不开，请向报送部门重新索取。")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a damaged workbook makes the parser raise
        raise _fail(*damaged[:2], f"Excel 文件已损坏或不完整（{type(exc).__name__}）", *damaged[3:]) from None
    # Instruction sheets (such as those of our own templates) are neither data nor worth a warning.
    visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible" and ws.title not in skip_sheets]
    non_empty = [ws for ws in visible if ws.max_row > 1 or ws.max_column > 1 or ws.cell(1, 1).value is not None]
    if wanted_sheet is not None:
        chosen = next((ws for ws in workbook.worksheets if ws.title == wanted_sheet), None)
        if chosen is None:
            raise _fail("sheet_missing", file, f"工作簿中的工作表：{'、'.join(ws.title for ws in workbook.worksheets)}",
                        f"名为“{wanted_sheet}”的工作表（sources.yml 中的 sheet）",
                        "请把数据所在的工作表改名为该名称，或修改 sources.yml 中的 sheet。")
    elif not non_empty:
        raise _fail("file_empty", file, "所有可见工作表都是空的", "至少一个有数据的工作表",
                    "检查数据是否放在了隐藏的工作表中；请向报送部门索取完整文件。")
    else:
        chosen = non_empty[0]
    # One cell far away (XFD1048576) or a merged range over the whole sheet would make a grid of
    # billions of empty cells: the sheet's extent and its merged ranges are checked first.
    height, width = chosen.max_row, chosen.max_column
    merged = tuple((r.min_row, r.min_col - 1, min(r.max_row, height), min(r.max_col, width) - 1)
                   for r in chosen.merged_cells.ranges if r.min_row <= height and r.min_col <= width)
    if limits is not None:
        spanned = sum((r2 - r1 + 1) * (c2 - c1 + 1) for r1, c1, r2, c2 in merged)
        if height * width + spanned > limits.max_cells:
            raise _fail("file_too_large", file, f"工作表“{chosen.title}”有 {height:,} 行、{width:,} 列"
                        + (f"，合并单元格又占 {spanned:,} 格" if spanned else ""),
                        f"不超过 {limits.max_cells:,} 个单元格（sources.yml 中的 max_cells）",
                        "请检查表格右下方远处是否有误填的单元格或格式（选中空行空列整体删除后另存）。", sheet=chosen.title)
        _check_columns(chosen.max_column, file, limits)
    try:
        rows = [tuple(_finite(v) for v in row) for row in chosen.iter_rows(values_only=True)]
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a cell the parser cannot turn into a value
        raise _fail(*damaged[:2], f"Excel 文件中有无法读取的单元格（{type(exc).__name__}）", *damaged[3:]) from None
    cells = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(dtype=object)
    cells = cells.where(cells.map(lambda v: not (isinstance(v, str) and v.strip() == "")), None)
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    created = workbook.properties.created
    others = tuple(ws.title for ws in non_empty if ws is not chosen)
    return Grid(file=file, kind="xlsx", cells=cells, sheet=chosen.title, merged=merged,
                workbook_created=created.date() if isinstance(created, dt.datetime) else None, other_sheets=others)


def _finite(value: object) -> object:
    """A cell's value, except that a number that is not finite (NaN or infinity, which only an edited
    file holds) becomes its text, to be refused as not a number rather than taken for a blank."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value
