"""Plausible next submissions for every department, 2011Q1 to the 2011 annual files sent in
January 2012, written into a copy of data/raw, with the figures the site must then publish.

    .venv/bin/python -m tests.future OUT_DIR [--scenario NAME] [--seed N] [--through YYYY-MM-DD]

writes OUT_DIR/raw (data/raw with the new files; each file's modification time is the day it was
received) and prints what was sent; build it with `python -m pipeline --raw OUT_DIR/raw`.

Each new file takes the layout, encoding and mess of its department's latest shipped file
(tests/future_departments.py), seeded numbers of the 2010 magnitudes, and a period wording drawn
from those the file contract accepts (WORDINGS). A scenario switches the variations on (SCENARIOS).
`future(...)` returns the files sent and the truth (tests/future_truth.py), computed from the numbers
written, never by the pipeline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.basics import paths
from tests.future_departments import FORMS, Spec, shipped
from tests.future_forms import id_number, person_name, phone
from tests.future_truth import Sent, Span, Truth, resolve

YEAR = 2011
ZH = "一二三四"


def wordings(span: Span, running: bool = False) -> list[str]:
    """Every wording of a span the generator uses (each accepted by the file contract)."""
    y, a, b = span.year, span.first, span.last
    if (a, b) == (1, 12):
        return [f"{y}年1-12月累计", f"{y}年截至12月底", f"截至{y}年12月31日"] if running else \
            [f"{y}年度", f"{y}年", f"{y}年全年", f"{y}年1-12月"]
    if (a, b) == (1, 9):
        return [f"{y}年1-9月累计", f"{y}年截至9月底", f"{y}年前三季度", f"截至{y}年9月30日", f"{y}年1-3季度", f"{y}年截至9月末"]
    if (a, b) == (1, 6) and running:
        return [f"{y}年1-6月累计", f"{y}年截至6月底", f"{y}年前两季度"]
    if (a, b) == (1, 6):
        return [f"{y}年上半年", f"{y}H1", f"{y}年1-6月", f"{y}年上半年半年报", f"{y}年1月-6月"]
    if (a, b) == (7, 12):
        return [f"{y}年下半年", f"{y}H2", f"{y}年7-12月", f"{y}年7月-12月", f"{y}年7至12月"]
    q = (a + 2) // 3
    last_day = span.end.day
    return [f"{y}年第{ZH[q - 1]}季度", f"{y}Q{q}", f"{y}年{ZH[q - 1]}季度", f"{y}年{q}季度", f"{y}年{a}-{b}月",
            f"{y}年{a}月-{b}月", f"{y}年{a}至{b}月", f"{y}年{a}—{b}月", f"{y}年第{ZH[q - 1]}季度季报",
            f"{y}年{a}月1日至{b}月{last_day}日", f"{y}-{a:02d}-01至{y}-{b:02d}-{last_day}"]


@dataclass(frozen=True)
class Scenario:
    """Which variations are on. split: how the quarterly forms and the lists send the year
    (quarters, halves or year; lists sent as quarters or halves too)."""

    name: str
    split: str = "quarters"
    half_year_lists: bool = False  # 组织部人才办: 上半年 list, then the year's list (with one record added); 人事局: two halves
    running_total: bool = False  # 科技局: Q1, Q2, 1-9月累计, 1-12月累计; 卫生局: Q1, 截至6月底, Q3, Q4
    stops: bool = False  # 农工办 sends nothing after 2011Q2
    new_column: bool = False  # 农工办 adds 农村财务人员
    correction: bool = False  # 卫生局 sends 2011Q1（更正） in May with one figure changed
    format_switch: bool = False  # 人社局 sends 2011Q2 as .xlsx
    odd_names: bool = False  # "… (1).csv", "… - 副本.csv", spaces in names
    # The plan's last files as the issue found them (#22):
    halves_only: bool = False  # 组织部人才办 sends its 2011 list as two halves (上半年, 下半年), as 人事局 does
    units: bool = False  # 农工办 heads its columns with their unit: 农村财务人员培训（人次）
    period_words: bool = False  # 人社局: Q1, Q2, then 1-9月累计 headed 统计期, 1-9月累计新增, 9月末累计持证人数, then Q4
    never_sent: tuple[tuple[str, int], ...] = ()  # (form, quarter) of 2011 never sent
    set_aside: tuple[tuple[str, int], ...] = ()  # (form, quarter) of 2011 refused and put in 暂不采用/ by staff


SCENARIOS = {s.name: s for s in [
    Scenario("plain"),
    Scenario("all", half_year_lists=True, running_total=True, new_column=True, correction=True, format_switch=True,
             odd_names=True),
    Scenario("stops", stops=True, new_column=True, odd_names=True),
    Scenario("halves", split="halves"),
    Scenario("year", split="year"),
    Scenario("end", half_year_lists=True, halves_only=True, new_column=True, units=True, period_words=True,
             never_sent=(("p5_health_recruitment", 3),), set_aside=(("p3_enterprise_recruitment", 3),)),
]}
QUARTERS = [Span(YEAR, 3 * q - 2, 3 * q) for q in (1, 2, 3, 4)]


def _like(rng: random.Random, v: int) -> int:
    """A figure of the same magnitude as last year's."""
    if v < 10:
        return max(0, v + rng.choice([-1, 0, 0, 0, 1]))
    return round(v * rng.uniform(0.85, 1.2))


def _like_all(rng: random.Random, base: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    """Figures like last year's, drawn again until each indicator's total is within 2.5 times
    last year's (the site warns from 3 times: plausible data raise no warning)."""
    def totals(figures: dict) -> dict[str, int]:
        out: dict[str, int] = {}
        for (indicator, _), v in figures.items():
            out[indicator] = out.get(indicator, 0) + v
        return out

    while True:
        figures = {k: _like(rng, v) for k, v in base.items()}
        new, old = totals(figures), totals(base)
        if all(old[i] == 0 or new[i] == 0 or 0.4 < new[i] / old[i] < 2.5 for i in old):
            return figures


def _full_names(figures: dict[tuple[str, str], int], names: set[str]) -> dict[tuple[str, str], int]:
    """Companies under their full names (a shipped file may have written 龙腾钢结构工程)."""
    def full(name: str) -> str:
        fulls = [n for n in names if n != name and n.startswith(name) and n.endswith("公司")]
        return fulls[0] if len(fulls) == 1 else name
    return {(i, full(b)): v for (i, b), v in figures.items()}


def _last_year(sent: list[Sent], source: str, span: Span) -> Sent:
    same = [s for s in sent if s.source == source and s.span == Span(YEAR - 1, span.first, span.last)]
    return max(same, key=lambda s: s.received)


def _plausible(new: list[dict], old: list[dict]) -> bool:
    """Each indicator's total of every quarter, half-year and the year within 2.5 times last year's
    (the site warns from 3 times)."""
    for group in ([0], [1], [2], [3], [0, 1], [2, 3], [0, 1, 2, 3]):
        totals: dict[str, list[int]] = {}
        for figures, i in [(new[q], 0) for q in group] + [(old[q], 1) for q in group]:
            for (indicator, _), v in figures.items():
                totals.setdefault(indicator, [0, 0])[i] += v
        if not all(a == 0 or b == 0 or 0.4 < a / b < 2.5 for a, b in totals.values()):
            return False
    return True


def _quarter_figures(rng: random.Random, before: list[Sent], scenario: Scenario) -> dict[str, list[dict]]:
    """2011's figures per quarter of each table form: (indicator, breakdown) -> value."""
    out: dict[str, list[dict]] = {}
    for source in ("p3_enterprise_recruitment", "p5_health_recruitment", "p6_rural_training"):
        names = {b for s in before if s.source == source for (_, b) in s.figures}
        bases = [_full_names(_last_year(before, source, q).figures, names) for q in QUARTERS]
        quarters = [_like_all(rng, base) for base in bases]
        while not _plausible(quarters, bases):
            quarters = [_like_all(rng, base) for base in bases]
        if source == "p6_rural_training" and scenario.new_column:
            for figures, base in zip(quarters, bases):
                figures.update({("p6_rural_finance_staff_trained", t): rng.randint(3, 12) for (_, t) in base})
        out[source] = quarters
    levels = {b: v for (i, b), v in _last_year(before, "p7_skilled_workers", QUARTERS[3]).figures.items()
              if i == "p7_skilled_workers_certified"}
    bases = [{k: v for k, v in _last_year(before, "p7_skilled_workers", q).figures.items() if k[0] == "p7_skilled_workers_new"}
             for q in QUARTERS]
    news = [_like_all(rng, base) for base in bases]
    while not _plausible(news, bases):
        news = [_like_all(rng, base) for base in bases]
    quarters = []
    for drawn in news:
        new = {b: v for (_, b), v in drawn.items()}
        levels = {b: levels[b] + new[b] for b in levels}
        quarters.append({**{("p7_skilled_workers_new", b): v for b, v in new.items()},
                         **{("p7_skilled_workers_certified", b): v for b, v in levels.items()}})
    out["p7_skilled_workers"] = quarters
    return out


def _per_quarter(rng: random.Random, before: list[Sent], source: str) -> list[int]:
    """How many people a list names in each quarter of 2011: about as many as in 2010's."""
    last = [s for s in before if s.source == source and s.span.year == YEAR - 1]
    days = [d for s in last for (_, _, d) in s.records if d]
    return [round(sum(1 for d in days if q.start.replace(year=YEAR - 1) <= d <= q.end.replace(year=YEAR - 1))
                  * rng.uniform(0.85, 1.15)) for q in QUARTERS]


def _records(rng: random.Random, before: list[Sent]) -> dict[str, list[dict]]:
    """2011's people: recognised talents, named entrepreneurs, recruited graduates."""
    def day_in(q: Span) -> dt.date:
        return q.start + dt.timedelta(days=rng.randint(0, (q.end - q.start).days))

    companies = ["瑞丰生物科技有限公司", "远航船舶配件有限公司", "天润环保科技有限公司", "扬子新材料有限公司",
                 "恒远电子科技有限公司", "华泰精密机械有限公司", "润泽医药有限公司", "区农业技术推广中心"]
    talents = []
    for q, n in zip(QUARTERS, _per_quarter(rng, before, "p1_talents")):
        batches = [day_in(q) for _ in range(2)]
        for _ in range(n):
            male = rng.random() < 0.7
            talents.append({"姓名": person_name(rng), "性别": "男" if male else "女",
                            "身份证号": id_number(rng, (1958, 1985), male), "联系电话": phone(rng),
                            "工作单位": rng.choice(companies), "人才类别": rng.choice(["创业人才", "创业人才", "创新人才"]),
                            "认定级别": rng.choice(["区级"] * 7 + ["市级"] * 3 + ["省级", "街镇级"]),
                            "认定日期": rng.choice(batches)})
    entrepreneurs = []
    for category in ("有突出贡献的企业家", "高成长的企业家", "重点发展的企业家"):
        for _ in range(rng.randint(9, 13)):  # named on a day of the year (not written: lists sent in parts use it)
            entrepreneurs.append({"类别": category, "姓名": person_name(rng), "企业名称": rng.choice(companies[:7]),
                                  "表彰文号": f"区委发〔{YEAR}〕{rng.randint(60, 80)}号", "命名日期": day_in(rng.choice(QUARTERS))})
    graduates = []
    for q, n in zip(QUARTERS, _per_quarter(rng, before, "p8_graduates")):
        for d in sorted(day_in(q) for _ in range(n)):
            male = rng.random() < 0.5
            graduates.append({"姓名": person_name(rng), "身份证号": id_number(rng, (1979, 1989), male), "联系电话": phone(rng),
                              "学历": rng.choice(["本科"] * 12 + ["硕士"] * 6 + ["博士"]),
                              "招录类别": rng.choice(["公务员", "事业单位", "事业单位", "大学生村干部"]), "报到日期": d})
    for r in rng.sample(graduates, 2):  # a junior-college graduate is listed, not counted
        graduates.insert(graduates.index(r), {**r, "姓名": person_name(rng), "身份证号": id_number(rng, (1985, 1990), True),
                                              "学历": "大专"})
    return {"p1_talents": talents, "p2_entrepreneurs": entrepreneurs, "p8_graduates": graduates}


def _spans(scenario: Scenario, source: str) -> list[tuple[Span, bool]]:
    """The months of each file a form sends in 2011, in the order sent (and whether it is a running total)."""
    y = YEAR
    if source == "p4_teachers":
        return [(Span(y, 1, 12), False)]
    split = {"quarters": QUARTERS, "halves": [Span(y, 1, 6), Span(y, 7, 12)], "year": [Span(y, 1, 12)]}[scenario.split]
    if source in ("p1_talents", "p2_entrepreneurs", "p8_graduates"):
        if scenario.half_year_lists and source == "p1_talents":
            return [(Span(y, 1, 6), False), (Span(y, 7 if scenario.halves_only else 1, 12), False)]
        if scenario.half_year_lists and source == "p8_graduates":
            return [(Span(y, 1, 6), False), (Span(y, 7, 12), False)]
        return [(s, False) for s in (split if scenario.split != "quarters" else [Span(y, 1, 12)])]
    if scenario.running_total and source == "p3_enterprise_recruitment":
        return [(QUARTERS[0], False), (QUARTERS[1], False), (Span(y, 1, 9), True), (Span(y, 1, 12), True)]
    if scenario.running_total and source == "p5_health_recruitment":
        return [(QUARTERS[0], False), (Span(y, 1, 6), True), (QUARTERS[2], False), (QUARTERS[3], False)]
    if scenario.period_words and source == "p7_skilled_workers":
        return [(QUARTERS[0], False), (QUARTERS[1], False), (Span(y, 1, 9), True), (QUARTERS[3], False)]
    if scenario.stops and source == "p6_rural_training":
        return [(s, False) for s in split if s.last <= 6]
    return [(s, False) for s in split if (source, QUARTERS.index(s) + 1 if s in QUARTERS else 0) not in scenario.never_sent]


def _received(rng: random.Random, source: str, span: Span) -> dt.date:
    if source == "p4_teachers":
        return dt.date(span.year, 10, rng.randint(8, 14))
    days = rng.randint(12, 19) if source in ("p1_talents", "p2_entrepreneurs", "p8_graduates") else rng.randint(5, 14)
    return span.end + dt.timedelta(days=days)


def specs(scenario: Scenario, seed: int, before: list[Sent]) -> list[Spec]:
    """Every file to send in 2011 and January 2012, with its figures."""
    rng = random.Random(seed)
    quarter = _quarter_figures(rng, before, scenario)
    people = _records(rng, before)
    teachers = _like_all(rng, _last_year(before, "p4_teachers", Span(YEAR, 1, 12)).figures)
    # Some companies written short in some files (the site completes them, running totals included).
    short = {c: c.removesuffix("有限公司") for q in quarter["p3_enterprise_recruitment"] for (_, c) in q if rng.random() < 0.4}
    out = []
    for source in FORMS:
        for span, running in _spans(scenario, source):
            parts = [q for q in QUARTERS if span.contains(q)]
            quarter_no = QUARTERS.index(span) + 1 if span in QUARTERS else 0
            spec = Spec(source=source, span=span, received=_received(rng, source, span),
                        wording=lambda span=span, running=running: rng.choice(wordings(span, running)),
                        extra_column=scenario.new_column, units=scenario.units, period_words=scenario.period_words and running,
                        set_aside=(source, quarter_no) in scenario.set_aside,
                        written={c: s for c, s in short.items() if rng.random() < 0.5} if source == "p3_enterprise_recruitment" else {})
            if source in quarter:
                figures: dict = {}
                for q in parts:
                    for (ind, b), v in quarter[source][QUARTERS.index(q)].items():
                        stock = ind == "p7_skilled_workers_certified"
                        figures[(ind, b)] = v if stock else figures.get((ind, b), 0) + v
                spec.figures = figures
                spec.rows = list(dict.fromkeys(b for (_, b) in figures))
            elif source == "p4_teachers":
                spec.figures, spec.rows = teachers, list(dict.fromkeys(b for (_, b) in teachers))
            else:
                spec.records = [r for r in people[source]
                                if span.start <= r.get("认定日期", r.get("报到日期", r.get("命名日期"))) <= span.end]
            spec.as_xlsx = scenario.format_switch and source == "p7_skilled_workers" and span == QUARTERS[1]
            out.append(spec)
    return _variations(scenario, rng, out, people)


def _variations(scenario: Scenario, rng: random.Random, out: list[Spec], people: dict) -> list[Spec]:
    if scenario.half_year_lists and not scenario.halves_only:  # the year's list names one more person from the first half
        year_list = next(s for s in out if s.source == "p1_talents" and s.span == Span(YEAR, 1, 12))
        late = {**people["p1_talents"][0], "姓名": person_name(rng), "身份证号": id_number(rng, (1960, 1980), True),
                "认定级别": "市级", "认定日期": dt.date(YEAR, 5, 20)}
        year_list.records = year_list.records + [late]
    if scenario.correction:  # Q1 first sent with a figure wrong, corrected in May
        q1 = next(s for s in out if s.source == "p5_health_recruitment" and s.span == QUARTERS[0])
        wrong = dict(q1.figures)
        key = ("p5_bachelors_recruited", q1.rows[0])
        wrong[key] = wrong[key] + 2
        out.insert(out.index(q1), replace(q1, figures=wrong))
        q1.correction, q1.received = True, dt.date(YEAR, 5, 20)
    if scenario.odd_names:
        renames = [lambda s: s + " (1)", lambda s: s + " - 副本", lambda s: s.replace("_", " ")]
        for spec, rename in zip(rng.sample([s for s in out if not s.correction], 3), renames):
            spec.rename = rename
    return out


def future(out_dir: Path, scenario: Scenario | str = "all", seed: int = 1,
           through: dt.date = dt.date(YEAR + 1, 1, 31)) -> tuple[list[Sent], Truth]:
    """Write data/raw and the files received by `through` into out_dir/raw (and the closed releases
    of data/releases into out_dir/releases, as a copy of the data folder has them); return every
    file received (shipped and new) and the truth."""
    scenario = SCENARIOS[scenario] if isinstance(scenario, str) else scenario
    raw = out_dir / "raw"
    shutil.copytree(paths.RAW_DIR, raw)
    if paths.RELEASES_DIR.is_dir():
        shutil.copytree(paths.RELEASES_DIR, out_dir / "releases")
    before = shipped()
    sent = list(before)
    rng = random.Random(seed * 7919)
    for spec in specs(scenario, seed, before):
        if spec.received <= through:
            s = FORMS[spec.source].write(raw, spec, rng)
            stamp = dt.datetime.combine(spec.received, dt.time(9)).timestamp()
            os.utime(raw / s.file, (stamp, stamp))
            sent.append(s)
    return sent, resolve(sent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.future", description="写出 2011 年各部门可能报来的文件（测试用）。")
    parser.add_argument("out", type=Path, help="输出目录（将写入 OUT/raw）")
    parser.add_argument("--scenario", default="all", choices=sorted(SCENARIOS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--through", type=dt.date.fromisoformat, default=dt.date(YEAR + 1, 1, 31),
                        help="只写出这一天以前收到的文件")
    args = parser.parse_args(argv)
    sent, truth = future(args.out, args.scenario, args.seed, args.through)
    for s in sent:
        if s.span.year == YEAR:
            print(f"{s.received}  {s.file}")
    print(f"数据截至 {truth.as_of}；运行 python -m pipeline --raw {args.out / 'raw'} --site {args.out / 'site'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
