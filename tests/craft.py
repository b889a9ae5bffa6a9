"""Workbooks made to attack a reader: zip archives written byte by byte, so that their stated
sizes can lie and a few megabytes can unpack to gigabytes (used by test_limits and test_fuzz)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

MB = 1024 * 1024
_ZIP64 = 0xFFFFFFFF


@dataclass(frozen=True)
class Member:
    name: str
    deflated: bytes  # a raw deflate stream (or the bytes themselves, for method 0)
    size: int  # the uncompressed size the archive states
    crc: int = 0
    method: int = 8  # 8 deflated, 0 stored


def members_of(workbook: bytes) -> list[Member]:
    """The parts of a workbook as they are stored (never unpacked, so a bomb stays small)."""
    members = []
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        for info in archive.infolist():
            name_length, extra_length = struct.unpack("<HH", workbook[info.header_offset + 26: info.header_offset + 30])
            start = info.header_offset + 30 + name_length + extra_length
            members.append(Member(info.filename, workbook[start: start + info.compress_size], info.file_size, info.CRC,
                                  info.compress_type))
    return members


def deflated(name: str, data: bytes) -> Member:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Member(name, c.compress(data) + c.flush(), len(data), zlib.crc32(data))


def bomb(name: str, unpacked_mb: int, stated: int | None = None) -> Member:
    """A worksheet part of valid XML that unpacks to unpacked_mb megabytes (mostly spaces), from
    about a thousandth of that; `stated`: the size the archive claims (the truth by default)."""
    head = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    tail = b"</sheetData></worksheet>"
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    # after a full flush the compressor starts afresh, so every megabyte of spaces compresses alike
    block = c.compress(b" " * MB) + c.flush(zlib.Z_FULL_FLUSH)
    end = c.compress(tail) + c.flush()
    size = len(head) + unpacked_mb * MB + len(tail)
    return Member(name, start + block * unpacked_mb + end, size if stated is None else stated)


def write_zip(members: list[Member]) -> bytes:
    """A zip archive of already deflated members (zip64 where a size needs it)."""
    out, central = io.BytesIO(), []
    for m in members:
        offset = out.tell()
        name = m.name.encode("utf-8")
        big = m.size >= _ZIP64 or len(m.deflated) >= _ZIP64
        extra = struct.pack("<HHQQ", 1, 16, m.size, len(m.deflated)) if big else b""
        sizes = (_ZIP64, _ZIP64) if big else (len(m.deflated), m.size)
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0x800, m.method, 0, 0x21, m.crc, *sizes, len(name), len(extra)))
        out.write(name + extra + m.deflated)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0x800, m.method, 0, 0x21, m.crc, *sizes,
                                   len(name), len(extra), 0, 0, 0, 0, offset) + name + extra)
    start = out.tell()
    for entry in central:
        out.write(entry)
    size = out.tell() - start
    end64 = out.tell()
    n = len(members)
    out.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n, size, start))
    out.write(struct.pack("<IIQI", 0x07064B50, 0, end64, 1))
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(n, 0xFFFF), min(n, 0xFFFF), size, start, 0))
    return out.getvalue()


def with_member(workbook: bytes, replacement: Member) -> bytes:
    """A real workbook with one part replaced (or added)."""
    parts = [m for m in members_of(workbook) if m.name != replacement.name]
    return write_zip(parts + [replacement])


def first_sheet(workbook: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return next(n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml"))
