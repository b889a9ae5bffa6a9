#!/usr/bin/env python3
"""Write the SAMPLE department files and status forms of the example plan folder
examples/plan-2012-2015/data/raw/ (run from the project folder: .venv/bin/python
scripts/sample_plan_2012_2015.py).

These are sample data, made up for the example plan, not any district's statistics. They are
written the way departments send them: GBK and UTF-8 (with and without a byte-order mark), numbers
with thousands separators, units and full-width digits, blanks meaning none, total rows, title
and note rows, short names of towns, periods written in several ways, and a list of people whose
personal columns the build drops. The numbers below are the one place they come from; the golden
figures of tests/top/test_second_plan.py are worked out by hand from the files themselves.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import tempfile
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.basics.periods import Period  # noqa: E402
from pipeline.config import load_config  # noqa: E402
from pipeline.config.commitments import load_commitments  # noqa: E402
from pipeline.excel_templates.status import FIRST_ROW, QUARTER_PLACEHOLDER, write_status_template  # noqa: E402

PLAN = Path(__file__).resolve().parent.parent / "examples" / "plan-2012-2015"
RAW = PLAN / "data" / "raw"
NOTE = "注：本表为示例数据（为演示网站而编写），不是任何地区的真实统计。"


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue().encode(encoding))


def write_xlsx(path: Path, title: str, submitted: str, header: list[str], rows: list[list], created: str) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append([f"填报日期：{submitted}"])
    ws.append(header)
    for row in rows:
        ws.append(row)
    ws.append([NOTE])
    ws.append(["填表人：综合科　　审核人：科长"])
    wb.properties.creator = "示例"
    wb.properties.created = dt.datetime.fromisoformat(created + "T09:00:00")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


# ---------------------------------------------------------------------------------------------
# 区科学技术局: 企业引进高层次人才情况, quarterly CSV (blank = none, 人/个 after numbers)

TECH = {
    "2012Q1": ("2012年第一季度", "utf-8-sig", [("宏达电气设备有限公司", "3人", "1"), ("瑞丰生物科技有限公司", "2", ""),
                                               ("金陵化工新材料有限公司", "", "")]),
    "2012Q2": ("2012年第二季度", "utf-8-sig", [("宏达电气设备有限公司", "4", ""), ("瑞丰生物科技有限公司", "6人", "1个"),
                                               ("远航船舶配件有限公司", "2", "0")]),
    "2012Q3": ("2012年第三季度", "gbk", [("宏达电气设备有限公司", "5", "1"), ("金陵化工新材料有限公司", "3", "1"),
                                        ("绿源农业科技有限公司", "4人", "")]),
    "2012Q4": ("2012年第四季度", "gbk", [("宏达电气设备有限公司", "6", "0"), ("瑞丰生物科技有限公司", "7", "1"),
                                        ("远航船舶配件有限公司", "5", "1"), ("合计", "18", "2")]),
    "2013Q1": ("2013年1-3月", "utf-8", [("宏达电气设备有限公司", "４", "1"), ("瑞丰生物科技有限公司", "5", "—")]),
    "2013Q2": ("2013年4-6月", "utf-8", [("金陵化工新材料有限公司", "8", "1"), ("绿源农业科技有限公司", "6人", "")]),
}


def tech_files() -> None:
    for quarter, (written, encoding, rows) in TECH.items():
        name = f"科学技术局_{Period.from_label(quarter).label_zh}_企业引才情况.csv"
        write_csv(RAW / "科学技术局" / name, [["企业名称", "季度", "高层次创新创业人才", "科技人才团队"]]
                  + [[company, written, a, b] for company, a, b in rows], encoding)


# ---------------------------------------------------------------------------------------------
# 区人力资源和社会保障局: 技能人才培养及持证情况, quarterly CSV (a total row, quoted thousands)

LEVELS = ["初级工", "中级工", "高级工", "技师", "高级技师"]
SKILLS = {  # quarter: (period as written, new by level, certified at the quarter's end by level)
    "2012Q1": ("2012年1-3月", [120, 150, 110, 12, 3], [9000, 14000, 5100, 560, 140]),
    "2012Q2": ("2012年4-6月", [130, 160, 150, 20, 5], [9130, 14160, 5250, 580, 145]),
    "2012Q3": ("2012Q3", [100, 140, 180, 25, 5], [9230, 14300, 5430, 605, 150]),
    "2012Q4": ("2012Q4", [110, 150, 230, 30, 10], [9340, 14450, 5660, 635, 160]),
    "2013Q1": ("2013年第一季度", [90, 120, 160, 20, 5], [9430, 14570, 5820, 655, 165]),
    "2013Q2": ("2013年第二季度", [100, 130, 200, 25, 5], [9530, 14700, 6020, 680, 170]),
}


def thousands(n: int) -> str:
    return f"{n:,}"


def skills_files() -> None:
    for quarter, (written, new, certified) in SKILLS.items():
        rows = [["季度", "等级", "本季新培养", "季末持证人数"]]
        rows += [[written, level, str(a), thousands(b)] for level, a, b in zip(LEVELS, new, certified)]
        rows.append([written, "合计", str(sum(new)), thousands(sum(certified))])
        p = Period.from_label(quarter)
        name = f"人社局_技能人才_{p.year}年{p.start.month}-{p.end.month}月.csv"
        write_csv(RAW / "人社局" / name, rows, "gbk" if quarter.startswith("2012") else "utf-8")


# ---------------------------------------------------------------------------------------------
# 区农业局: 农村实用人才培训情况统计表, quarterly .xlsx (title, 填报日期, towns by short names)

TOWNS4 = ["北山", "青石镇", "白沙", "柳岸镇"]
RURAL = {  # quarter: (submitted, trained by town)
    "2012Q1": ("2012-04-10", [600, 450, 380, 520]),
    "2012Q2": ("2012-07-09", [820, 700, 610, 770]),
    "2012Q3": ("2012-10-11", [900, 760, 650, 840]),
    "2012Q4": ("2013-01-10", [780, 690, 560, 700]),
    "2013Q1": ("2013-04-11", [500, 420, 350, 480]),
    "2013Q2": ("2013-07-10", [760, 690, 600, 750]),
}


def rural_files() -> None:
    for quarter, (submitted, trained) in RURAL.items():
        label = Period.from_label(quarter).label_zh
        rows = [[town, n] for town, n in zip(TOWNS4, trained)] + [["合计", sum(trained)]]
        write_xlsx(RAW / "农业局" / f"农业局_{label}农村实用人才培训.xlsx", f"{label}农村实用人才培训情况统计表",
                   submitted, ["街镇", "培训农村实用人才（人次）"], rows, submitted)


# ---------------------------------------------------------------------------------------------
# Yearly forms of 2012: 人才办 (talent stock), 统计局 (population), 教育局, 人社局 (graduates)

TALENT_2012 = [("党政人才", "4,200"), ("经营管理人才", "18,600"), ("专业技术人才", "36,800"), ("技能人才", "30,705"),
               ("农村实用人才", "12,300"), ("社会工作人才", "1,395"), ("合计", "104,000")]
POPULATION_2012 = [("东城街道", "152,000"), ("西城", "138,000"), ("南湖街道", "96,000"), ("金桥街道", "84,000"),
                   ("北山镇", "102,000"), ("青石镇", "88,000"), ("白沙镇", "71,000"), ("柳岸镇", "69,000"),
                   ("全区合计", "800,000")]
TEACHERS_2012 = [("中学", 32), ("小学", 28), ("幼儿园", 9), ("职校", 6), ("合计", 75)]
GRADUATES_2012 = [  # 学历, 毕业院校, 单位性质, 报到日期
    ("硕士", "南京大学", "事业单位", "2012-07-16"), ("硕士研究生", "东南大学", "企业", "2012-07-18"),
    ("本科", "河海大学", "机关", "2012-07-20"), ("博士", "南京大学", "事业单位", "2012-08-01"),
    ("硕士", "苏州大学", "企业", "2012-08-06"), ("硕士", "南京农业大学", "事业单位", "2012-08-13"),
    ("硕士", "江南大学", "机关", "2012-08-20"), ("本科生", "扬州大学", "企业", "2012-08-27"),
    ("硕士", "南京理工大学", "企业", "2012-09-03"), ("博士研究生", "东南大学", "企业", "2012-09-10"),
    ("硕士", "南京师范大学", "事业单位", "2012-09-17"), ("硕士", "中国药科大学", "企业", "2012-10-08"),
    ("硕士", "南京航空航天大学", "企业", "2012-11-05"), ("硕士", "南京邮电大学", "机关", "2012-12-03"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱"
GIVEN = ["明", "华", "静", "磊", "婷", "强", "芳", "洋", "敏", "杰", "丽", "军", "燕", "涛"]


def id_number(i: int) -> str:
    """A made-up resident ID number with a valid check digit (dropped when the file is read)."""
    body = f"320104{1986 + i % 5}{(i % 12) + 1:02d}{(i % 27) + 1:02d}{100 + i:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    return body + check


def yearly_files() -> None:
    write_xlsx(RAW / "人才办" / "2012年度全区人才资源统计表.xlsx", "2012年度全区人才资源统计表", "2013年2月5日",
               ["人才类别", "年末人数（人）"], [list(r) for r in TALENT_2012], "2013-02-05")
    write_csv(RAW / "统计局" / "统计局_2012年末常住人口.csv", [["街镇", "年末常住人口"]] + [list(r) for r in POPULATION_2012],
              "gbk")
    write_xlsx(RAW / "教育局" / "2012年学科带头人和骨干教师培养情况统计表.xlsx", "2012年学科带头人和骨干教师培养情况统计表",
               "2013-01-15", ["学校类别", "新培养区级以上学科带头人和骨干教师"], [list(r) for r in TEACHERS_2012], "2013-01-15")
    rows = [["序号", "姓名", "身份证号", "联系电话", "学历", "毕业院校", "单位性质", "报到日期"]]
    for i, (degree, school, employer, day) in enumerate(GRADUATES_2012):
        rows.append([str(i + 1), SURNAMES[i] + GIVEN[i], id_number(i), f"139{51000000 + 7919 * i:08d}", degree, school,
                     employer, day])
    write_csv(RAW / "人社局毕业生" / "2012年度引进高校毕业生名单.csv", rows, "utf-8-sig")


# ---------------------------------------------------------------------------------------------
# 人才办: the quarterly status forms of the measures (from the template of `make templates`)

D, P, N = "已落实", "推进中", "未启动"
STATUS = {  # commitment id -> quarter -> (status, status date, evidence, 文号, 网址, occurrences)
    "high-level-measures": {"2012Q4": (P, "2012-11-20", "", "", "", ""),
                            "2013Q1": (D, "2013-03-08", "《区高层次创新创业人才引进培养实施办法》", "区委发〔2013〕6号",
                                       "http://www.example.gov.cn/art/2013/3/12/art_1207_50112.html", "")},
    "skills-subsidy": {"2012Q4": (D, "2012-10-15", "《高技能人才培养补贴办法》", "区人社〔2012〕41号", "内部", "")},
    "apartments-phase-2": {"2012Q4": (P, "2012-09-01", "", "", "", ""), "2013Q1": (P, "2012-09-01", "", "", "", "")},
    "one-stop-window": {"2012Q4": (N, "", "", "", "", ""), "2013Q1": (P, "2013-02-20", "", "", "", "")},
    "talent-week": {"2012Q4": (D, "2012-10-22", "2012年“人才活动周”活动方案", "", "内部", "2012-10-22")},
    "half-yearly-meeting": {"2012Q4": (D, "2012-03-15", "《区委人才工作领导小组工作规则》", "区人才组〔2012〕1号", "内部",
                                       "2012-12-18")},
    "annual-assessment": {"2012Q4": (P, "2012-11-05", "", "", "", ""),
                          "2013Q1": (D, "2013-01-25", "《人才工作目标责任制考核办法》", "区委办发〔2013〕4号", "内部",
                                     "2013-01-25")},
    "statistics-reporting": {"2012Q4": (D, "2012-02-28", "《人才统计报表制度》", "区人才办〔2012〕3号", "内部", "")},
    "implementation-plans": {"2012Q4": (P, "2012-06-30", "", "", "", "")},
}
STATUS_SUBMITTED = {"2012Q4": "2013-01-08", "2013Q1": "2013-04-09"}


def status_row(commitment_id: str, quarter: str) -> tuple:
    history = STATUS[commitment_id]
    known = [q for q in history if q <= quarter]
    row = history[known[-1]]
    return row if known[-1] == quarter else (*row[:5], "")  # occurrences only in their quarter


def status_forms() -> None:
    config = load_config(PLAN / "config")
    registry = load_commitments(config, (PLAN / "data" / "plan" / "strategy.zh.txt").read_text(encoding="utf-8"),
                                PLAN / "config")
    folder = RAW / config.defaults.status_form_folder
    folder.mkdir(parents=True, exist_ok=True)
    c = registry.form.columns
    with tempfile.TemporaryDirectory() as tmp:
        template = write_status_template(registry, config, Path(tmp))
        for quarter, submitted in STATUS_SUBMITTED.items():
            period = Period.from_label(quarter)
            path = folder / registry.form_file(config.plan.office_short, period.label_zh)
            path.write_bytes(template.read_bytes())
            wb = openpyxl.load_workbook(path)
            ws = wb.worksheets[0]
            header = [ws.cell(FIRST_ROW - 1, i).value for i in range(1, ws.max_column + 1)]
            col = {name: header.index(name) + 1 for name in header}
            ws.cell(1, 1).value = ws.cell(1, 1).value.replace(QUARTER_PLACEHOLDER, period.label_zh)
            ws.cell(2, col[c.status]).value = f"{registry.form.submitted_label}：{submitted}"
            for r, commitment in enumerate(registry.commitments, start=FIRST_ROW):
                status, day, evidence, number, address, dates = status_row(commitment.id, quarter)
                values = {c.status: status, c.status_date: dt.date.fromisoformat(day) if day else None,
                          c.evidence: evidence or None, c.document_number: number or None, c.address: address or None,
                          c.occurrences: dates or None}
                for name, value in values.items():
                    ws.cell(r, col[name]).value = value
            ws.cell(FIRST_ROW + len(registry.commitments) + 1, 1).value = NOTE
            wb.properties.created = dt.datetime.fromisoformat(submitted + "T09:00:00")
            wb.save(path)


def main() -> int:
    tech_files()
    skills_files()
    rural_files()
    yearly_files()
    status_forms()
    for path in sorted(RAW.rglob("*")):
        if path.is_file() and path.suffix in (".csv", ".xlsx"):
            print(path.relative_to(PLAN))
    return 0


if __name__ == "__main__":
    sys.exit(main())
