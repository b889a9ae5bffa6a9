"""Limits a file must keep before it is parsed, so that no file, careless or hostile, can make a
build run for hours or exhaust the machine's memory (the limits are in config/sources.yml
defaults).

An .xlsx workbook is a zip archive of XML parts. A few megabytes can unpack to gigabytes (a "zip
bomb"), and the sizes the archive states can lie; so before openpyxl sees a workbook, every part
is unpacked here as a stream, a megabyte at a time, counting bytes, cells and sheets, and the
workbook is refused as soon as a limit is passed: in a fraction of a second, in a few megabytes
of memory, whatever it says of itself. XML document type declarations (which can define
entities that expand exponentially) have no place in a workbook and are refused too.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from pipeline.config import Defaults
from pipeline.problems import Problem

MB = 1024 * 1024
CHUNK = MB
#: A cell element (<c r="A1" …>, with or without a namespace prefix) and a sheet entry of the workbook.
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_SHEET = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet[\s/>]")
#: Document type and entity declarations, in the encodings an XML part may use.
_DECLARATIONS = tuple(word.encode(encoding) for word in ("<!DOCTYPE", "<!ENTITY")
                      for encoding in ("utf-8", "utf-16-le", "utf-16-be"))
_OVERLAP = 64  # bytes kept from the end of one chunk, so a tag split between chunks is still seen
_ZIP_ENTRY = b"PK\x01\x02"  # the signature of each entry of an archive's central directory


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
    unpacked = cells = sheets = 0
    for member in members:
        try:
            with archive.open(member) as stream:
                tail = b""
                while chunk := stream.read(CHUNK):
                    unpacked += len(chunk)
                    if unpacked > budget:
                        return _too_big(file, unpacked, limits, counted=True)
                    if unpacked > ratio_budget:
                        return _problem(file, f"解压后至少 {unpacked / MB:,.1f} MB，是文件大小的 {unpacked / len(data):,.0f} 倍",
                                        f"不超过 {limits.max_compression_ratio:g} 倍（sources.yml 中的 max_compression_ratio）",
                                        _FIX_BIG.format(key="max_compression_ratio"))
                    window = tail + chunk
                    if any(word in window for word in _DECLARATIONS):
                        return _problem(file, f"工作簿部件 {member.filename} 含有 XML 文档类型声明（<!DOCTYPE 或 <!ENTITY）",
                                        "Excel 保存的工作簿（不含此类声明）",
                                        "这不是 Excel 保存的文件，可能经过篡改：请向报送部门索取用 Excel 另存的 .xlsx 文件。",
                                        code="file_unreadable")
                    cells += sum(1 for m in _CELL.finditer(window) if m.end() > len(tail))
                    sheets += sum(1 for m in _SHEET.finditer(window) if m.end() > len(tail))
                    tail = window[-_OVERLAP:]
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError, NotImplementedError) as exc:
            return _problem(file, f"Excel 文件已损坏、不完整或加了密码（{type(exc).__name__}：{member.filename}）",
                            "可以在 Excel 中正常打开、没有设置密码的 .xlsx 文件", _FIX_DAMAGED, code="file_unreadable")
        if cells > limits.max_cells:
            return _problem(file, f"所有工作表共有超过 {limits.max_cells:,} 个单元格",
                            f"不超过 {limits.max_cells:,} 个（sources.yml 中的 max_cells）", _FIX_BIG.format(key="max_cells"))
    if sheets > limits.max_sheets:
        return _problem(file, f"工作簿有 {sheets:,} 个工作表", f"不超过 {limits.max_sheets:,} 个（sources.yml 中的 max_sheets）",
                        "请只保留报送数据所在的工作表（删去其他工作表后另存）。")
    return None


def _too_big(file: str, size: int, limits: Defaults, counted: bool = False) -> Problem:
    said = f"解压后至少 {size / MB:,.1f} MB" if counted else f"压缩包自称解压后共 {size / MB:,.1f} MB"
    return _problem(file, f"工作簿{said}", f"不超过 {limits.max_unpacked_mb:g} MB（sources.yml 中的 max_unpacked_mb）",
                    _FIX_BIG.format(key="max_unpacked_mb"))


def check_columns(columns: int, file: str, limits: Defaults) -> Problem | None:
    """A problem if a CSV file or a sheet has more columns than any form has."""
    if columns <= limits.max_columns:
        return None
    return _problem(file, f"有一行多达 {columns:,} 列", f"不超过 {limits.max_columns:,} 列（sources.yml 中的 max_columns）",
                    "请用 Excel 打开检查（可能是分隔符不对，或误粘贴了大量内容）；确需更多列，可调高 max_columns。")
