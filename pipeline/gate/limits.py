"""Limits a file must keep before it is parsed, so that no file, careless or hostile, can make a
build run for hours or exhaust the machine's memory (the limits are in config/sources.yml
defaults).

An .xlsx workbook is a zip archive of XML parts. A few megabytes can unpack to gigabytes (a "zip
bomb"), and the sizes the archive states can lie; so before openpyxl sees a workbook, every part
is unpacked here as a stream, a megabyte at a time, counting bytes, cells and sheets, and the
workbook is refused as soon as a limit is passed: in a fraction of a second, in a few megabytes
of memory, whatever it says of itself. Its XML parts are read by a streaming parser (expat) that
counts cells, sheets and the areas of merged and hyperlinked ranges (which openpyxl fills cell
by cell); XML document type declarations (which can define entities that expand exponentially)
have no place in a workbook and are refused.
"""

from __future__ import annotations

import io
import xml.parsers.expat
import zipfile
import zlib

from pipeline.basics.problems import Problem
from pipeline.config import Defaults

MB = 1024 * 1024
CHUNK = MB
_ZIP_ENTRY = b"PK\x01\x02"  # the signature of each entry of an archive's central directory
#: Elements whose range openpyxl fills cell by cell when it loads a sheet (A1:Z100000 takes 40 s
#: and 0.8 GB; A1:XFD1048576, hours): their areas count as cells.
_RANGES = {"mergeCell", "hyperlink"}


class _Refused(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


class _PartReader:
    """Counts, in the XML parts of a workbook read as a stream, the cells, sheets and areas of
    ranges; refuses any document type declaration (entities can expand exponentially)."""

    def __init__(self, file: str, limits: Defaults):
        self.file, self.limits = file, limits
        self.cells = self.sheets = 0

    def parser(self, part: str) -> xml.parsers.expat.XMLParserType:
        parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = self.element
        parser.StartDoctypeDeclHandler = lambda *args: self.declaration(part)
        parser.EntityDeclHandler = lambda *args: self.declaration(part)
        return parser

    def element(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local == "c":
            self.cells += 1
        elif local == "sheet":
            self.sheets += 1
        elif local in _RANGES and "ref" in attributes:
            self.cells += _area(attributes["ref"])
        else:
            return
        if self.cells > self.limits.max_cells:
            raise _Refused(_problem(self.file, f"所有工作表共有超过 {self.limits.max_cells:,} 个单元格（含合并单元格和超链接的范围）",
                                    f"不超过 {self.limits.max_cells:,} 个（sources.yml 中的 max_cells）",
                                    _FIX_BIG.format(key="max_cells")))

    def declaration(self, part: str) -> None:
        raise _Refused(_problem(self.file, f"工作簿部件 {part} 含有 XML 文档类型声明（<!DOCTYPE 或 <!ENTITY）",
                                "Excel 保存的工作簿（不含此类声明）",
                                "这不是 Excel 保存的文件，可能经过篡改：请向报送部门索取用 Excel 另存的 .xlsx 文件。",
                                code="file_unreadable"))


def _area(ref: str) -> int:
    """Cells in a range such as A1:D12 (0 if it is not one: openpyxl then fails on it itself)."""
    from openpyxl.utils.cell import range_boundaries

    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref.upper().replace("$", ""))
    except (ValueError, TypeError):
        return 0
    return (max_col - min_col + 1) * (max_row - min_row + 1) if None not in (min_col, min_row, max_col, max_row) else 0


def _problem(file: str, found: str, expected: str, fix: str, code: str = "file_too_large") -> Problem:
    return Problem(code=code, file=file, found=found, expected=expected, fix=fix)


_FIX_BIG = ("请用 Excel 打开该文件检查是否误粘贴了大量内容（或大片带格式的空行），删除后另存；名单类数据很多时请另存为 CSV 报送。"
            "如文件确实无误，可调高 config/sources.yml 中的 {key}。")
_FIX_DAMAGED = "用 Excel 打开该文件检查；如打不开，请向报送部门重新索取。"


def check_workbook(data: bytes, file: str, limits: Defaults) -> Problem | None:
    """A problem if the workbook's archive passes a limit or cannot be unpacked; None if it may be parsed."""
    parts = data.count(_ZIP_ENTRY)  # an upper bound, read before the archive's directory is loaded
    if parts > limits.max_parts:
        return _problem(file, f"工作簿压缩包中约有 {parts:,} 个部件", f"不超过 {limits.max_parts:,} 个（sources.yml 中的 max_parts）",
                        _FIX_BIG.format(key="max_parts"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        return _problem(file, f"Excel 文件已损坏或不完整（{type(exc).__name__}）", "可以在 Excel 中正常打开的 .xlsx 文件",
                        _FIX_DAMAGED, code="file_unreadable")
    budget = limits.max_unpacked_mb * MB
    ratio_budget = limits.max_compression_ratio * max(len(data), 1)
    stated = sum(m.file_size for m in members)
    if stated > budget:
        return _too_big(file, stated, limits)
    if stated > ratio_budget:
        return _ratio(file, stated, len(data), limits)
    reader, unpacked = _PartReader(file, limits), 0
    for member in members:
        try:
            with archive.open(member) as stream:
                parser = None
                while chunk := stream.read(CHUNK):
                    unpacked += len(chunk)
                    if unpacked > budget:
                        return _too_big(file, unpacked, limits, counted=True)
                    if unpacked > ratio_budget:
                        return _ratio(file, unpacked, len(data), limits)
                    if parser is None:
                        parser = reader.parser(member.filename) if _is_xml(chunk) else False
                    parser = parser and _parse(parser, chunk)
                parser = parser and _parse(parser, b"", final=True)
        except _Refused as refused:
            return refused.problem
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError,
                NotImplementedError) as exc:
            return _problem(file, f"Excel 文件已损坏、不完整或加了密码（{type(exc).__name__}：{member.filename}）",
                            "可以在 Excel 中正常打开、没有设置密码的 .xlsx 文件", _FIX_DAMAGED, code="file_unreadable")
    if reader.sheets > limits.max_sheets:
        return _problem(file, f"工作簿有 {reader.sheets:,} 个工作表", f"不超过 {limits.max_sheets:,} 个（sources.yml 中的 max_sheets）",
                        "请只保留报送数据所在的工作表（删去其他工作表后另存）。")
    return None


def _parse(parser: xml.parsers.expat.XMLParserType, chunk: bytes, final: bool = False):
    """The parser, after it read a chunk; False once the part proves not to be well-formed XML:
    openpyxl (whose parser is expat too) then fails on it if it reads it, and Excel's own legacy
    VML drawings, which it does not read, are not always well-formed."""
    try:
        parser.Parse(chunk, final)
    except xml.parsers.expat.ExpatError:
        return False
    return parser


def _is_xml(head: bytes) -> bool:
    """Whether a part is XML (whatever it is named): it starts with "<", after any byte-order mark."""
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        head = head.removeprefix(bom)
    return head.lstrip(b" \t\r\n\x00")[:1] == b"<"


_FIX_BOMB = ("大小异常，很可能不是 Excel 正常保存的文件（已损坏，或有意制作来拖垮程序）：请不要在本机用 Excel 打开它，"
             "向报送部门重新索取。")


def _too_big(file: str, size: int, limits: Defaults, counted: bool = False) -> Problem:
    said = f"解压后至少 {size / MB:,.1f} MB" if counted else f"解压后共 {size / MB:,.1f} MB（压缩包中标明的大小）"
    absurd = size > 10 * limits.max_unpacked_mb * MB
    return _problem(file, f"工作簿{said}", f"不超过 {limits.max_unpacked_mb:g} MB（sources.yml 中的 max_unpacked_mb）",
                    _FIX_BOMB if absurd else _FIX_BIG.format(key="max_unpacked_mb"))


def _ratio(file: str, unpacked: int, packed: int, limits: Defaults) -> Problem:
    ratio = unpacked / max(packed, 1)
    return _problem(file, f"解压后至少 {unpacked / MB:,.1f} MB，是文件大小的 {ratio:,.0f} 倍",
                    f"不超过 {limits.max_compression_ratio:g} 倍（sources.yml 中的 max_compression_ratio）",
                    _FIX_BOMB if ratio > 5 * limits.max_compression_ratio
                    else _FIX_BIG.format(key="max_compression_ratio"))


def check_columns(columns: int, file: str, limits: Defaults) -> Problem | None:
    """A problem if a CSV file or a sheet has more columns than any form has."""
    if columns <= limits.max_columns:
        return None
    return _problem(file, f"表格多达 {columns:,} 列", f"不超过 {limits.max_columns:,} 列（sources.yml 中的 max_columns）",
                    "请用 Excel 打开检查是否误粘贴了大量内容（CSV 文件也可能是分隔符不对）；确需更多列，可调高 max_columns。")


def check_csv_cells(rows: int, columns: int, file: str, limits: Defaults) -> Problem | None:
    """A problem if a CSV file has more cells (its lines times its first row's cells) than
    max_csv_cells: the memory a file takes to read grows with its cells (some 200 bytes a figure),
    and a file of the shortest rows packs 12 million cells into 50 MB."""
    cells = rows * columns
    if cells <= limits.max_csv_cells:
        return None
    return _problem(file, f"CSV 文件有 {rows:,} 行、{columns:,} 列，约 {cells:,} 个单元格",
                    f"不超过 {limits.max_csv_cells:,} 个单元格（sources.yml 中的 max_csv_cells）",
                    "请确认文件内容无误（如误粘贴了大量行）；数据确实这么多时，请拆分为几个文件分别报送"
                    "（如按月份），或调高 config/sources.yml 中的 max_csv_cells（读取时每个单元格约需 0.2 KB 内存）。")
