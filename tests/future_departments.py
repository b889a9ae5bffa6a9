"""Each department's form, for the future generator: how to read its shipped files (the truth for
2009-2010) and how to write a new file in the layout of its latest shipped one, with the same mess.

A form's `write` takes a Spec (what to send: months, date, figures or records, wording) and returns
what it sent (future_truth.Sent), so the truth is made from the numbers written, not read back.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import openpyxl
import yaml

from pipeline.basics import paths
from tests.future_forms import (
    CsvStyle,
    alias,
    cells,
    column_letter,
    count,
    date_text,
    day,
    messy,
    months_of_name,
    reuse_workbook,
    write_rows,
)
from tests.future_truth import Sent, Span

_VOCAB = yaml.safe_load((paths.CONFIG_DIR / "vocabulary.yml").read_text(encoding="utf-8"))
ALIASES = {v: {name: list(others or []) for name, others in spec["names"].items()} for v, spec in _VOCAB.items()
           if isinstance(spec, dict) and "names" in spec}


def canon(text: object, vocab: str) -> str:
    """A name as its vocabulary spells it (spaces and full-width forms tidied)."""
    name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))
    for canonical, others in ALIASES[vocab].items():
        if name == canonical or name in others:
            return canonical
    return name


@dataclass
class Spec:
    """One file to send."""

    source: str
    span: Span
    received: dt.date
    wording: Callable[[], str]  # a wording of the span (each call may choose another)
    figures: dict[tuple[str, str], int] = field(default_factory=dict)  # table forms
    rows: list[str] = field(default_factory=list)  # table forms: breakdown names, in order
    records: list[dict] = field(default_factory=list)  # lists
    extra_column: bool = False  # 农工办: the optional 农村财务人员 column
    units: bool = False  # 农工办: headers with their unit (合作经济组织专业人员（人次）, 农村财务人员培训（人次）)
    period_words: bool = False  # 人社局, a running total: headers with its months (统计期, 1-9月累计新增, 9月末累计持证人数)
    set_aside: bool = False  # refused, and put by staff in the department's 暂不采用/ folder
    as_xlsx: bool = False  # a CSV form sent as a workbook with the same columns
    correction: bool = False  # named （更正）
    rename: Callable[[str], str] = lambda stem: stem  # Windows / WeChat copies
    written: dict = field(default_factory=dict)  # breakdown -> name as written (fixed per file)


@dataclass(frozen=True)
class Form:
    source: str
    folder: str
    columns: dict[str, str]  # column -> indicator (tables); empty for lists
    read: Callable[[Path], Sent]
    write: Callable[[Path, Spec, random.Random], Sent]
    stock: frozenset[str] = frozenset()


def _latest(folder: str, ext: str | None = None) -> Path:
    files = [p for p in (paths.RAW_DIR / folder).iterdir() if p.suffix in (".csv", ".xlsx") and (not ext or p.suffix == ext)]
    return max(files, key=lambda p: (months_of_name(p.name)[0], months_of_name(p.name)[2], "更正" in p.name))


def _save(folder: Path, spec: Spec, name: str, ext: str, write: Callable[[Path], None]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{spec.rename(name)}{ext}"
    write(path)
    return path


def _sent(form: Form, path: Path, raw: Path, spec: Spec, **kw) -> Sent:
    if spec.set_aside:  # as staff do with a refused file (data/raw/README.md): into 暂不采用/, under its name
        aside = path.parent / "暂不采用"
        aside.mkdir(exist_ok=True)
        path = path.rename(aside / path.name)
    return Sent(source=form.source, file=path.relative_to(raw).as_posix(), span=spec.span, received=spec.received,
                named_correction=spec.correction, stock=form.stock, set_aside=spec.set_aside, **kw)


# -- table forms ---------------------------------------------------------------------------------

def _read_table(form: Form, path: Path, marker: str, vocab: str | None, header_rows: int = 1) -> Sent:
    grid = cells(path)
    h = next(i for i, row in enumerate(grid) if any(str(c or "").strip() == marker for c in row))
    names = [str(c or "").strip() for c in grid[h]]
    if header_rows == 2:
        names = [marker] + [f"{i}" for i in range(1, len(names))]
    figures = {}
    for row in grid[h + header_rows:]:
        key = str(row[names.index(marker)] or "").strip()
        if not key or re.match(r"(合计|总计|填表人|注|说明)", key):
            continue
        name = canon(key, vocab) if vocab else key
        for column, indicator in form.columns.items():
            if column in names:
                figures[(indicator, name)] = count(row[names.index(column)])
    year, first, last = months_of_name(path.name)
    submitted = [c for row in grid for c in row if re.fullmatch(r"20\d\d-\d\d-\d\d", str(c or ""))]
    return Sent(source=form.source, file=path.relative_to(paths.RAW_DIR).as_posix(), span=Span(year, first, last),
                received=day(max(submitted)) if submitted else dt.date(year, last, 28), named_correction="更正" in path.name,
                coverage_end=dt.date(year, 9, 30) if form.source == "p4_teachers" else None, figures=figures,
                indicators=frozenset(i for (i, _) in figures), stock=form.stock)


def _table_sent(form: Form, path: Path, raw: Path, spec: Spec, columns: list[str], **kw) -> Sent:
    figures = {(form.columns[c], b): spec.figures.get((form.columns[c], b), 0) for c in columns for b in spec.rows}
    return _sent(form, path, raw, spec, figures=figures, indicators=frozenset(form.columns[c] for c in columns), **kw)


def write_health(raw: Path, spec: Spec, rng: random.Random) -> Sent:
    style = CsvStyle.of(_latest("卫生局"))
    columns = style.header[4:]
    rows = [[alias(rng, "区卫生局", {"区卫生局": ["卫生局"]}), alias(rng, unit, ALIASES["health_units"]), spec.wording(),
             spec.received.isoformat()]
            + [messy(rng, spec.figures.get((HEALTH.columns[c], unit), 0), zero=("—", "—", "0"), fullwidth=True) for c in columns]
            for unit in spec.rows]
    name = f"卫生局_{spec.wording()}_卫生人才引进" + ("（更正）" if spec.correction else "")
    path = _save(raw / "卫生局", spec, name, ".csv", lambda p: style.write(p, rows))
    return _table_sent(HEALTH, path, raw, spec, columns)


def write_tech(raw: Path, spec: Spec, rng: random.Random) -> Sent:
    style = CsvStyle.of(_latest("科技局"))
    columns, period = style.header[2:], spec.wording()
    rows = [[spec.written.get(company, company), period]
            + [messy(rng, spec.figures.get((TECH.columns[c], company), 0), zero=("", "0"), unit="人" if "团队" not in c else "")
               for c in columns] for company in spec.rows]
    if rng.random() < 0.4:
        rows.append(["合计", period] + [sum(spec.figures.get((TECH.columns[c], b), 0) for b in spec.rows) for c in columns])
    path = _save(raw / "科技局", spec, f"科技局_{spec.wording()}_企业引才情况", ".csv", lambda p: style.write(p, rows))
    return _table_sent(TECH, path, raw, spec, columns)


def write_skills(raw: Path, spec: Spec, rng: random.Random) -> Sent:
    style = CsvStyle.of(_latest("人社局"))
    columns = style.header[2:]
    if spec.period_words:  # the columns named for the file's months, as a running total's often are
        first, last = spec.span.first, spec.span.last
        style = replace(style, header=["统计期", style.header[1], f"{first}-{last}月累计新增", f"{last}月末累计持证人数"])
    period = spec.wording()
    new, held = (SKILLS.columns_of(k) for k in ("new", "held"))
    rows = [[period, alias(rng, level, ALIASES["skill_levels"]), messy(rng, spec.figures[(new, level)], as_int=True),
             messy(rng, spec.figures[(held, level)], thousands=not spec.as_xlsx, as_int=spec.as_xlsx)] for level in spec.rows]
    rows.append([period, "合计", sum(spec.figures[(new, lv)] for lv in spec.rows), sum(spec.figures[(held, lv)] for lv in spec.rows)])
    name = f"人社局_技能人才_{spec.wording()}"
    if spec.as_xlsx:
        def save(p: Path) -> None:
            wb = openpyxl.Workbook()
            write_rows(wb.active, [style.header] + rows)
            wb.save(p)
        path = _save(raw / "人社局", spec, name, ".xlsx", save)
    else:
        path = _save(raw / "人社局", spec, name, ".csv", lambda p: style.write(p, rows))
    return _table_sent(SKILLS, path, raw, spec, columns)


def write_rural(raw: Path, spec: Spec, rng: random.Random) -> Sent:
    latest = _latest("农工办")
    header = [str(c).strip() for c in cells(latest)[1]]
    if spec.extra_column:
        header.insert(2, "农村财务人员")
    columns = header[1:]
    if spec.units:  # each column with its unit; the new one by its indicator's name, as 农工办 wrote it
        header = header[:1] + [("农村财务人员培训" if c == "农村财务人员" else c) + "（人次）" for c in columns]
    q = spec.span.first // 3 + 1
    sheet = f"{spec.span.year}年{'一二三四'[q - 1]}季度" if spec.span.last - spec.span.first == 2 else "Sheet1"
    wb, ws = reuse_workbook(latest, sheet, dt.datetime.combine(spec.received, dt.time(10, 30)))
    town_rows = [[alias(rng, t, ALIASES["towns"], spaces=True)]
                 + [messy(rng, spec.figures.get((RURAL.columns[c], t), 0), thousands=True, as_int=True) for c in columns]
                 for t in spec.rows]
    total = ["合计"] + [f"{sum(spec.figures.get((RURAL.columns[c], t), 0) for t in spec.rows):,}" for c in columns]
    body = [total] + town_rows if rng.random() < 0.5 else town_rows + [total]
    from tests.future_forms import person_name, phone
    note = f"填表人：{person_name(rng)}\u3000\u3000联系电话：{phone(rng)}\u3000\u3000审核人：{person_name(rng)}"
    last = column_letter(len(header))
    n = len(body) + 3
    write_rows(ws, [[f"{spec.wording()}农村实用人才培训情况统计表（单位：人次）"], header] + body + [[note]],
               [f"A1:{last}1", f"A{n}:{last}{n}"])
    path = _save(raw / "农工办", spec, f"农工办_{spec.wording()}农村实用人才培训", ".xlsx", wb.save)
    return _table_sent(RURAL, path, raw, spec, columns)


def write_teachers(raw: Path, spec: Spec, rng: random.Random) -> Sent:
    latest = _latest("教育局")
    wb, ws = reuse_workbook(latest, f"{spec.span.year}年", dt.datetime.combine(spec.received, dt.time(16, 5)))
    columns = list(TEACHERS.columns)
    body = [[school] + [messy(rng, spec.figures.get((TEACHERS.columns[c], school), 0), zero=("—",), as_int=True) for c in columns]
            for school in spec.rows]
    total = ["合计"] + [sum(spec.figures.get((TEACHERS.columns[c], s), 0) for s in spec.rows) or "—" for c in columns]
    n = len(body) + 6
    write_rows(ws, [[f"{spec.wording()}名特优教师培养情况统计表"],
                    ["填报单位：区教育局（盖章）", None, None, None, None, "单位：人"],
                    ["学校类别", "省级", "市级", None, "区级"],
                    [None, "特级教师", "学科带头人", "优秀青年教师", "学科带头人", "优秀青年教师", "教坛新秀"]]
               + body + [total, ["注：“—”表示无；数据截至当年9月30日。"]],
               ["A1:G1", "A3:A4", "C3:D3", "E3:G3", f"A{n}:G{n}"])
    path = _save(raw / "教育局", spec, f"{spec.wording()}名特优教师培养情况统计表", ".xlsx", wb.save)
    return _table_sent(TEACHERS, path, raw, spec, columns, coverage_end=dt.date(spec.span.year, 9, 30))


# -- lists ------------------------------------------------------------------------------------------

def _read_list(form: Form, path: Path, count_row: Callable[[dict], tuple | None]) -> Sent:
    grid = cells(path)
    h = next(i for i, row in enumerate(grid) if any(str(c or "").strip() in ("序号", "类别") for c in row))
    names = [str(c or "").strip() for c in grid[h]]
    records = []
    for row in grid[h + 1:]:
        if not any(str(c or "").strip() for c in row) or str(row[0] or "").startswith("合计"):
            continue
        counted = count_row(dict(zip(names, row)))
        if counted:
            records.append(counted)
    year, first, last = months_of_name(path.name)
    return Sent(source=form.source, file=path.relative_to(paths.RAW_DIR).as_posix(), span=Span(year, first, last),
                received=dt.date(year, last, 28), records=records, indicators=frozenset(LIST_INDICATOR[form.source]))


LIST_INDICATOR = {"p1_talents": ["p1_talents_recognised"], "p2_entrepreneurs": ["p2_entrepreneurs_named"],
                  "p8_graduates": ["p8_graduates_recruited"]}


def count_talent(r: dict) -> tuple | None:
    if canon(r["认定级别"], "talent_levels") not in ("国家级", "省级", "市级", "区级"):
        return None
    return ("p1_talents_recognised", canon(r["人才类别"], "talent_categories"), day(r["认定日期"]))


def count_entrepreneur(r: dict) -> tuple:
    return ("p2_entrepreneurs_named", canon(r["类别"], "entrepreneur_categories"), None)


def count_graduate(r: dict) -> tuple | None:
    if canon(r["学历"], "education_levels") not in ("博士", "硕士", "本科"):
        return None
    return ("p8_graduates_recruited", canon(r["招录类别"], "recruitment_channels"), day(r["报到日期"]))


def _list_sent(form: Form, path: Path, raw: Path, spec: Spec, count_row) -> Sent:
    records = [c for c in (count_row(r) for r in spec.records) if c]
    return _sent(form, path, raw, spec, records=records, indicators=frozenset(LIST_INDICATOR[form.source]))


def write_talents(raw: Path, spec: Spec, rng: random.Random) -> Sent:
    wb, ws = reuse_workbook(_latest("组织部人才办"), "Sheet1", dt.datetime.combine(spec.received, dt.time(9, 30)))
    header = ["序号", "姓名", "性别", "身份证号", "联系电话", "工作单位", "人才类别", "认定级别", "认定日期"]
    rows = [[i, r["姓名"], r["性别"], r["身份证号"], int(r["联系电话"]) if rng.random() < 0.1 else r["联系电话"], r["工作单位"],
             alias(rng, r["人才类别"], ALIASES["talent_categories"]), r["认定级别"], date_text(rng, r["认定日期"], True)]
            for i, r in enumerate(spec.records, start=1)]
    d = spec.received
    write_rows(ws, [[f"{spec.wording()}优秀创新创业人才认定名单"],
                    ["填报单位：区委组织部人才工作办公室", None, None, None, None, None, f"填报日期：{d.year}年{d.month}月{d.day}日"],
                    header] + rows, ["A1:I1"])
    path = _save(raw / "组织部人才办", spec, f"{spec.wording()}优秀创新创业人才认定名单", ".xlsx", wb.save)
    return _list_sent(TALENTS, path, raw, spec, count_talent)


def write_entrepreneurs(raw: Path, spec: Spec, rng: random.Random) -> Sent:
    style = CsvStyle.of(_latest("工商联"))
    period = spec.wording()
    rows = [[period, alias(rng, r["类别"], ALIASES["entrepreneur_categories"]), r["姓名"], r["企业名称"], r["表彰文号"]]
            for r in spec.records]
    path = _save(raw / "工商联", spec, f"{spec.wording()}优秀企业家表彰名单", ".csv", lambda p: style.write(p, rows))
    return _list_sent(ENTREPRENEURS, path, raw, spec, count_entrepreneur)


def write_graduates(raw: Path, spec: Spec, rng: random.Random) -> Sent:
    style = CsvStyle.of(_latest("人事局"))
    rows: list[list] = [[]]
    for i, r in enumerate(spec.records, start=1):
        rows.append([i, r["姓名"], r["身份证号"], r["联系电话"], r["学历"], alias(rng, r["招录类别"], ALIASES["recruitment_channels"]),
                     date_text(rng, r["报到日期"], False)])
        if rng.random() < 0.03:
            rows.append([""] * 7)
    rows += [[], ["合计", f"{len(spec.records)}人"]]
    path = _save(raw / "人事局", spec, f"{spec.wording()}本科以上毕业生招录名单", ".csv", lambda p: style.write(p, rows))
    return _list_sent(GRADUATES, path, raw, spec, count_graduate)


# -- the forms -------------------------------------------------------------------------------------

class _TableForm(Form):
    def columns_of(self, kind: str) -> str:
        return {"new": "p7_skilled_workers_new", "held": "p7_skilled_workers_certified"}[kind]


HEALTH = Form("p5_health_recruitment", "卫生局",
              {"副高以上": "p5_associate_senior_recruited", "研究生": "p5_postgraduates_recruited", "本科": "p5_bachelors_recruited",
               "大专": "p5_junior_college_recruited", "省招募医学本科生": "p5_provincial_medical_bachelors"},
              lambda p: _read_table(HEALTH, p, "单位", "health_units"), write_health)
TECH = Form("p3_enterprise_recruitment", "科技局",
            {"高层次经营管理人才": "p3_senior_managers_recruited", "科技人才团队": "p3_tech_teams_recruited",
             "紧缺专业技术人才(本科以上)": "p3_scarce_professionals_recruited"},
            lambda p: _read_table(TECH, p, "企业名称", None), write_tech)
SKILLS = _TableForm("p7_skilled_workers", "人社局", {"本季新增": "p7_skilled_workers_new", "季末累计持证人数": "p7_skilled_workers_certified"},
                    lambda p: _read_table(SKILLS, p, "等级", "skill_levels"), write_skills,
                    stock=frozenset({"p7_skilled_workers_certified"}))
RURAL = Form("p6_rural_training", "农工办",
             {"合作经济组织专业人员": "p6_cooperative_staff_trained", "农村财务人员": "p6_rural_finance_staff_trained",
              "农村劳动力转移培训": "p6_labour_transfer_trained", "农村实用技术培训": "p6_practical_technology_trained"},
             lambda p: _read_table(RURAL, p, "街镇", "towns"), write_rural)
TEACHERS = Form("p4_teachers", "教育局",
                {"1": "p4_provincial_special_grade_teachers", "2": "p4_municipal_subject_leaders",
                 "3": "p4_municipal_young_teachers", "4": "p4_district_subject_leaders", "5": "p4_district_young_teachers",
                 "6": "p4_district_teaching_newcomers"},
                lambda p: _read_table(TEACHERS, p, "学校类别", "school_types", header_rows=2), write_teachers)
TALENTS = Form("p1_talents", "组织部人才办", {}, lambda p: _read_list(TALENTS, p, count_talent), write_talents)
ENTREPRENEURS = Form("p2_entrepreneurs", "工商联", {}, lambda p: _read_list(ENTREPRENEURS, p, count_entrepreneur),
                     write_entrepreneurs)
GRADUATES = Form("p8_graduates", "人事局", {}, lambda p: _read_list(GRADUATES, p, count_graduate), write_graduates)

FORMS = {f.source: f for f in (TALENTS, ENTREPRENEURS, TECH, TEACHERS, HEALTH, RURAL, SKILLS, GRADUATES)}


def shipped() -> list[Sent]:
    """Every shipped department file, read by the forms' own readers."""
    return [form.read(p) for form in FORMS.values() for p in sorted((paths.RAW_DIR / form.folder).iterdir())
            if p.suffix in (".csv", ".xlsx")]
