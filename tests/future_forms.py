"""The departments' forms, for the future generator (tests/future.py): each form read from the
department's shipped files by a small reader of its own (not the pipeline's), and written again
for a new period in the layout and with the mess of its latest shipped file.

A form writes what it is given: rows of figures (table forms) or records (lists). Which periods
are sent, and with which numbers, is decided in tests/future.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import openpyxl

ZH = "一二三四"
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"


# -- reading a shipped file (a reader of its own, so the truth owes nothing to the pipeline) ----------

def cells(path: Path) -> list[list[object]]:
    """The rows of a CSV (UTF-8 or GB18030) or of the first sheet of a workbook with content."""
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path)
        ws = next(ws for ws in wb.worksheets if ws.max_row > 1)
        return [list(row) for row in ws.iter_rows(values_only=True)]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    return [row for row in csv.reader(io.StringIO(text))]


def count(cell: object) -> int:
    """A count as the forms write it: 1,234 / ３ / 3人 / — / blank (0)."""
    if cell is None:
        return 0
    text = unicodedata.normalize("NFKC", str(cell)).strip().replace(",", "")
    text = re.sub(r"(人次|人|名|个)$", "", text)
    return 0 if text in ("", "—", "-", "–", "－", "无", "/") else int(float(text))


def day(cell: object) -> dt.date:
    """A date as the lists write it: 2010-01-12, 2010.1.19, 2010/5/3, 2010年3月15日 or a cell date."""
    if isinstance(cell, dt.datetime):
        return cell.date()
    y, m, d = (int(x) for x in re.findall(r"\d+", str(cell))[:3])
    return dt.date(y, m, d)


def months_of_name(name: str) -> tuple[int, int, int]:
    """(year, first month, last month) of a shipped file's name: 2009Q1, 2009年第一季度, 2009年1-3月, 2009年度."""
    year = int(re.search(r"(20\d\d)", name).group(1))
    if m := re.search(r"Q([1-4])|第([一二三四])季度", name):
        q = int(m.group(1)) if m.group(1) else ZH.index(m.group(2)) + 1
        return year, 3 * q - 2, 3 * q
    if m := re.search(r"年(\d+)-(\d+)月", name):
        return year, int(m.group(1)), int(m.group(2))
    return year, 1, 12


# -- the mess of the samples ---------------------------------------------------------------------

def messy(rng: random.Random, n: int, *, zero: tuple[str, ...] = ("0",), unit: str = "", fullwidth: bool = False,
          thousands: bool = False, as_int: bool = False) -> object:
    """A count written as departments write it (read back by `count`)."""
    if n == 0:
        return rng.choice(zero)
    if as_int and rng.random() < 0.4:
        return n
    text = f"{n:,}" if thousands and n >= 1000 and rng.random() < 0.7 else str(n)
    if fullwidth and rng.random() < 0.2:
        text = text.translate(FULLWIDTH)
    if unit and rng.random() < 0.3:
        text += unit
    return text


def alias(rng: random.Random, name: str, aliases: dict[str, list[str]], spaces: bool = False) -> str:
    """A name, sometimes as one of its other spellings or with stray spaces."""
    if aliases.get(name) and rng.random() < 0.25:
        name = rng.choice(aliases[name])
    if spaces and rng.random() < 0.15:
        name = rng.choice([f" {name}", f"{name} "])
    return name


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def id_number(rng: random.Random, born: tuple[int, int], male: bool) -> str:
    """A well-formed 18-digit resident ID (region, birth date, sequence, ISO 7064 check digit)."""
    region = rng.choice(["320116", "320104", "320106", "320113", "321003", "341181", "320124"])
    birth = dt.date(rng.randint(*born), 1, 1) + dt.timedelta(days=rng.randint(0, 364))
    seq = rng.randint(0, 99) * 10 + rng.choice([1, 3, 5, 7, 9] if male else [0, 2, 4, 6, 8])
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
    return body + (check.lower() if check == "X" and rng.random() < 0.3 else check)


def phone(rng: random.Random) -> str:
    return rng.choice(["13", "15", "18", "14"]) + rng.choice("0123456789") + "".join(rng.choice("0123456789") for _ in range(8))


def date_text(rng: random.Random, d: dt.date, excel: bool) -> object:
    """A date in one of the ways the lists write it."""
    forms = [d.isoformat(), f"{d.year}.{d.month}.{d.day}", f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日"]
    if excel and rng.random() < 0.35:
        return dt.datetime(d.year, d.month, d.day)
    return rng.choice(forms[:2] if not excel else forms)


# -- writing ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CsvStyle:
    """How a department's CSV files are written, read from its latest shipped file."""

    encoding: str
    bom: bool
    newline: str
    header: list[str]

    @classmethod
    def of(cls, path: Path) -> "CsvStyle":
        data = path.read_bytes()
        try:
            text, encoding = data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = data.decode("gb18030"), "gb18030"
        header = next(r for r in csv.reader(io.StringIO(text)) if any(r))
        return cls(encoding, data.startswith(b"\xef\xbb\xbf"), "\r\n" if b"\r\n" in data else "\n", header)

    def write(self, path: Path, rows: list[list[object]]) -> None:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator=self.newline)
        writer.writerow(self.header)
        writer.writerows(rows)
        path.write_bytes((b"\xef\xbb\xbf" if self.bom else b"") + out.getvalue().encode(self.encoding))


def reuse_workbook(latest: Path, sheet_title: str, created: dt.datetime) -> tuple[openpyxl.Workbook, object]:
    """The latest shipped workbook emptied (its other sheets, widths and fonts kept) for new content."""
    wb = openpyxl.load_workbook(latest)
    ws = next(ws for ws in wb.worksheets if ws.max_row > 1)
    for merged in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(merged))
    ws.delete_rows(1, ws.max_row)
    ws.title = sheet_title
    wb.properties.created = created
    wb.properties.modified = created
    return wb, ws


def write_rows(ws, rows: list[list[object]], merges: list[str] = ()) -> None:
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)
    for merged in merges:
        ws.merge_cells(merged)


def column_letter(n: int) -> str:
    return openpyxl.utils.get_column_letter(n)
