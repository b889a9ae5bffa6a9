#!/usr/bin/env python3
"""Write the SAMPLE status forms of the plan's measures, 2009Q2 to 2010Q4, into
data/raw/人才办工作进展/ (run from the project folder: .venv/bin/python scripts/sample_status_forms.py).

These are sample data, not any district's real progress. They are made the way the office would
make them: from the template of `make templates` (the first quarter's by hand, before the template
existed: two columns fewer, a few words typed instead of picked, dates typed as text), each
quarter's copied from the last and updated. The story below is the one place they come from;
change it and run this again to change the samples.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline import paths  # noqa: E402
from pipeline.basics.periods import Period  # noqa: E402
from pipeline.config import load_config  # noqa: E402
from pipeline.config.commitments import load_commitments  # noqa: E402
from pipeline.excel_templates.status import FIRST_ROW, QUARTER_PLACEHOLDER, write_status_template  # noqa: E402

QUARTERS = ["2009Q2", "2009Q3", "2009Q4", "2010Q1", "2010Q2", "2010Q3", "2010Q4"]
SUBMITTED = {"2009Q2": "2009-07-08", "2009Q3": "2009-10-09", "2009Q4": "2010-01-08", "2010Q1": "2010-04-16",
             "2010Q2": "2010-07-08", "2010Q3": "2010-10-11", "2010Q4": "2011-01-07"}
WEB = "http://www.example.gov.cn/art/"
D, P, N, S = "已落实", "推进中", "未启动", "已停止"

#: commitment id -> the quarters its status changed: (quarter, status, date, evidence, 文号, 网址, note).
STORY = {
    "cadre-training-plan": [("2009Q2", D, "2009-06-18", "《关于印发〈2009—2012年大规模培训干部工作的实施意见〉的通知》", "区委发〔2009〕18号", WEB + "2009/6/23/art_1207_35871.html", "")],
    "training-credits": [("2009Q2", D, "2009-03-20", "《干部教育培训学分管理办法(试行)》", "区委组〔2008〕26号", "内部", "2008年起实行，2009年3月启动年度学分登记")],
    "weekend-class": [("2009Q2", D, "2009-04-11", "2009年“周末课堂”教学安排", "区委组〔2009〕9号", "内部", "")],
    "study-observers": [("2009Q2", D, "2009-03-12", "《区属党(工)委中心组理论学习旁听制度》", "区委办〔2007〕31号", "内部", "继续实行")],
    "reserve-cadre-exam": [("2009Q2", D, "2009-06-20", "区管后备干部政治理论考试", "", "内部", ""),
                           ("2010Q4", S, "2010-11-30", "《区管后备干部年度学习测评办法》", "区委组〔2010〕41号", "内部", "按市委组织部统一部署，考试改为年度学习测评，原考试制度停止")],
    "civil-servant-5x": [("2009Q2", P, "2009-05-08", "《公务员“5+X”培训工程实施方案》（征求意见稿）", "", "内部", ""),
                         ("2009Q3", D, "2009-07-15", "《公务员“5+X”培训工程实施方案》", "区委组〔2009〕22号", "内部", "")],
    "young-cadres": [("2009Q2", D, "2009-05-11", "2009年优秀青年干部培训班", "区委组〔2009〕14号", "内部", ""),
                     ("2010Q2", D, "2009-05-11", "2010年优秀青年干部培训班", "区委组〔2010〕12号", "内部", "")],
    "entrepreneur-selection": [("2009Q2", N, "", "", "", "", ""), ("2009Q3", P, "2009-09-10", "", "", "", ""),
                               ("2010Q1", D, "2010-02-26", "《优秀创业人才选育办法》", "区委办发〔2010〕9号", WEB + "2010/3/2/art_1207_41206.html", "")],
    "innovator-selection": [("2009Q2", P, "2009-06-05", "", "", "", ""),
                            ("2009Q4", D, "2009-11-20", "《优秀创新人才培养选拔办法》", "区委办发〔2009〕48号", WEB + "2009/11/25/art_1207_38874.html", "")],
    "entrepreneur-awards": [("2009Q2", P, "2009-06-15", "《区优秀企业家评选表彰办法》（送审稿）", "", "内部", ""),
                            ("2009Q4", D, "2009-12-18", "《区优秀企业家评选表彰办法》", "区政办〔2009〕88号", WEB + "2009/12/22/art_1209_39310.html", "")],
    "skills-subsidies": [("2009Q2", P, "2009-06-01", "", "", "", ""),
                         ("2009Q3", D, "2009-08-20", "《技能培训和技能鉴定补贴办法》《技能人才津贴实施办法》", "区劳社〔2009〕35号", WEB + "2009/8/26/art_1215_37102.html", "")],
    "rural-training-subsidy": [("2009Q2", D, "2009-04-20", "《农村实用人才培训补贴办法》", "区农办〔2009〕11号", WEB + "2009/4/27/art_1218_34655.html", "")],
    "village-officials-training": [("2009Q2", D, "2009-06-08", "2009年大学生村干部培训计划", "区委组〔2009〕17号", "内部", "")],
    "social-work-talent": [("2009Q2", N, "", "", "", "", "")],
    "talent-association": [("2009Q2", P, "2009-05-12", "区人才协会筹备组", "", "内部", ""),
                           ("2009Q4", D, "2009-11-06", "《区人才协会章程》", "", WEB + "2009/11/9/art_1210_38650.html", "11月6日召开成立大会，设企业家、科技、教育、卫生4个分会")],
    "venture-finance-platform": [("2009Q2", N, "", "", "", "", ""), ("2009Q4", P, "2009-12-10", "", "", "", "与区农村信用联社、担保公司洽谈合作")],
    "postdoc-policy": [("2009Q2", N, "", "", "", "", ""), ("2009Q3", P, "2009-09-03", "", "", "", ""),
                       ("2010Q1", D, "2010-03-15", "《关于鼓励企业创建博士后工作站和工程技术中心的若干意见》", "区政发〔2010〕11号", WEB + "2010/3/19/art_1209_41877.html", "")],
    "high-level-talent-measures": [("2009Q2", P, "2009-04-15", "《引进高层次人才和紧缺专业人才的实施办法》（征求意见稿）", "", "内部", ""),
                                   ("2009Q3", D, "2009-09-28", "《引进高层次人才和紧缺专业人才的实施办法》", "区委发〔2009〕31号", WEB + "2009/10/9/art_1207_37785.html", "")],
    "returned-students": [("2009Q2", N, "", "", "", "", ""), ("2010Q1", P, "2010-03-05", "", "", "", "")],
    "innovation-incentives": [("2009Q2", N, "", "", "", "", ""), ("2009Q3", P, "2009-08-10", "", "", "", ""),
                              ("2010Q2", D, "2010-04-22", "《关于激励人才创业创新的若干政策》", "区政发〔2010〕23号", WEB + "2010/4/28/art_1209_42530.html", "")],
    "one-village-two-graduates": [("2009Q2", P, "2009-04-30", "大学生村干部配备情况统计表", "", "内部", "全区112个村、社区已有96个配齐")],
    "foreign-experts": [("2009Q2", D, "2009-04-01", "国外专家服务项目登记", "", "内部", "")],
    "homecoming": [("2009Q2", N, "", "", "", "", ""), ("2009Q3", P, "2009-09-20", "", "", "", "")],
    "exam-for-every-hire": [("2009Q2", D, "2009-03-31", "《事业单位公开招聘人员暂行办法》", "区人事局〔2008〕15号", "内部", "继续执行")],
    "green-card": [("2009Q2", N, "", "", "", "", ""), ("2009Q3", P, "2009-08-25", "", "", "", ""),
                   ("2010Q1", D, "2010-03-18", "《人才绿卡制度实施办法(试行)》", "区政办〔2010〕16号", WEB + "2010/3/24/art_1209_41950.html", "")],
    "local-titles": [("2009Q2", N, "", "", "", "", ""), ("2010Q2", P, "2010-06-09", "", "", "", "")],
    "honours": [("2009Q2", N, "", "", "", "", ""), ("2009Q4", P, "2009-12-01", "", "", "", "")],
    "special-allowance": [("2009Q2", P, "2009-06-20", "", "", "", ""),
                          ("2009Q4", D, "2009-12-30", "《区政府特殊津贴实施办法》", "区政发〔2009〕67号", WEB + "2010/1/5/art_1209_39702.html", "")],
    "talent-apartments": [("2009Q2", N, "", "", "", "", ""), ("2009Q4", P, "2009-11-25", "", "", "", "完成选址（开发区），列入2010年政府投资项目")],
    "apartment-rules": [("2009Q2", N, "", "", "", "", ""), ("2010Q3", P, "2010-09-15", "", "", "", "")],
    "housing-subsidy": [("2009Q2", N, "", "", "", "", ""), ("2010Q3", P, "2010-07-20", "", "", "", "起草《人才购房补贴办法》")],
    "teacher-awards": [("2009Q2", P, "2009-05-20", "", "", "", ""),
                       ("2009Q3", D, "2009-09-08", "《名特优教师奖励办法》", "区教育局〔2009〕62号", WEB + "2009/9/10/art_1221_37390.html", "教师节首次兑现")],
    "mobility-policy": [("2009Q2", N, "", "", "", "", "")],
    "hr-service-centre": [("2009Q2", P, "2009-04-10", "", "", "", ""),
                          ("2009Q4", D, "2009-10-28", "区人力资源服务中心挂牌", "区编委〔2009〕11号", "内部", "")],
    "talent-info-network": [("2009Q2", N, "", "", "", "", ""), ("2009Q3", P, "2009-08-05", "", "", "", ""),
                            ("2010Q1", D, "2010-01-18", "区人才信息服务网开通", "", "http://rc.example.gov.cn/", ""),
                            ("2010Q3", P, "2010-08-09", "区人才信息服务网", "", "http://rc.example.gov.cn/", "系统升级改造，暂停对外服务，预计11月恢复"),
                            ("2010Q4", D, "2010-11-22", "区人才信息服务网（升级版）", "", "http://rc.example.gov.cn/", "升级完成，恢复服务")],
    "online-reporting": [("2009Q2", N, "", "", "", "", ""), ("2010Q1", P, "2010-02-22", "", "", "", ""),
                         ("2010Q2", D, "2010-06-01", "《人力资源情况网上报送制度》", "区人才办〔2010〕12号", WEB + "2010/6/4/art_1207_43318.html", "")],
    "talent-database": [("2009Q2", N, "", "", "", "", ""), ("2009Q3", P, "2009-07-20", "", "", "", ""),
                        ("2010Q2", D, "2010-05-31", "区人才资源信息库", "", "内部", "录入各类人才信息2.3万条")],
    "demand-catalogue": [("2009Q2", N, "", "", "", "", ""),
                         ("2009Q4", D, "2009-12-15", "《2010年上半年重点产业人才需求目录》", "", WEB + "2009/12/16/art_1207_39205.html", ""),
                         ("2010Q2", D, "2009-12-15", "《2010年下半年重点产业人才需求目录》", "", WEB + "2010/6/21/art_1207_43590.html", ""),
                         ("2010Q4", D, "2009-12-15", "《2011年上半年重点产业人才需求目录》", "", WEB + "2010/12/20/art_1207_46712.html", "")],
    "high-level-service-centre": [("2009Q2", N, "", "", "", "", ""), ("2009Q4", P, "2009-12-21", "", "", "", "")],
    "service-standards": [("2009Q2", N, "", "", "", "", ""), ("2010Q2", P, "2010-04-15", "", "", "", "")],
    "talent-fund": [("2009Q2", N, "", "", "", "", ""), ("2010Q1", P, "2010-03-25", "", "", "", "基金设立方案报区政府审议")],
    "talent-budget": [("2009Q2", D, "2009-02-20", "2009年区级预算：人才开发专项资金500万元", "", "内部", ""),
                      ("2010Q1", D, "2009-02-20", "2010年区级预算：人才开发专项资金800万元", "", WEB + "2010/3/1/art_1211_41420.html", "")],
    "fund-rules": [("2009Q2", N, "", "", "", "", ""), ("2009Q3", P, "2009-09-15", "", "", "", ""),
                   ("2009Q4", D, "2009-12-22", "《人才专项经费使用管理办法》", "区财〔2009〕102号", WEB + "2009/12/28/art_1211_39488.html", "")],
    "investment-incentives": [("2009Q2", N, "", "", "", "", ""), ("2010Q4", P, "2010-11-05", "", "", "", "")],
    "leading-group": [("2009Q2", D, "2009-02-27", "《关于成立区人才和科技创新工作领导小组的通知》", "区委办发〔2009〕12号", "内部", "")],
    "talent-office": [("2009Q2", D, "2009-03-10", "《关于设立区委组织部人才工作办公室的通知》", "区编委〔2009〕3号", "内部", "")],
    "local-leading-bodies": [("2009Q2", P, "2009-04-20", "", "", "", "8个街镇已全部成立，部门已成立21个"),
                             ("2009Q3", D, "2009-08-31", "各街镇、各部门人才工作领导机构成立情况汇总", "", "内部", "8个街镇、27个部门全部成立")],
    "quarterly-meeting": [("2009Q2", D, "2009-04-03", "《区人才和科技创新工作领导小组例会制度》", "区人才组〔2009〕1号", "内部", "")],
    "consultation": [("2009Q2", P, "2009-05-20", "", "", "", "会商制度草案征求意见"),
                     ("2009Q3", D, "2009-08-12", "《人才工作会商制度》", "区人才组〔2009〕3号", "内部", "")],
    "enterprise-liaisons": [("2009Q2", N, "", "", "", "", ""), ("2009Q3", P, "2009-09-15", "", "", "", ""),
                            ("2010Q1", D, "2010-03-26", "《企业人才工作信息员制度》《园区人才工作联席会议制度》", "区人才组〔2010〕2号", "内部", "首批聘任企业人才工作信息员126名")],
    "annual-assessment": [("2009Q2", P, "2009-06-10", "", "", "", "考核办法起草中"),
                          ("2009Q4", D, "2009-12-08", "《人才工作目标责任制考核办法》", "区委办发〔2009〕56号", WEB + "2009/12/11/art_1207_39122.html", "")],
    "implementation-plans": [("2009Q2", P, "2009-05-15", "", "", "", "已有5个街镇、18个部门印发"),
                             ("2009Q4", D, "2009-12-25", "各街镇、各部门落实方案汇编", "", "内部", "")],
}

#: Notes written in one quarter only (the status did not change).
NOTES = {
    ("one-village-two-graduates", "2009Q4"): "已有104个配齐",
    ("one-village-two-graduates", "2010Q3"): "已有108个配齐，尚缺4个",
    ("talent-apartments", "2010Q2"): "6月开工建设",
    ("talent-apartments", "2010Q4"): "主体工程封顶，预计2011年6月交付",
    ("talent-fund", "2010Q4"): "方案已经区政府常务会议通过，资金预计2011年一季度到位",
    ("venture-finance-platform", "2010Q3"): "方案经区政府常务会议原则通过",
    ("high-level-service-centre", "2010Q3"): "机构编制已批复，正在选配人员",
    ("homecoming", "2010Q4"): "措施送审稿已提交区委常委会",
    ("quarterly-meeting", "2010Q1"): "因区“两会”和年度考核，一季度例会推迟到4月召开",
    ("quarterly-meeting", "2010Q2"): "4月13日例会为推迟召开的一季度例会",
    ("annual-assessment", "2010Q1"): "对2009年度各成员单位人才工作进行考核",
    ("entrepreneur-awards", "2010Q1"): "表彰2009年度优秀企业家30名",
}

#: commitment id -> quarter -> the dates it took place.
OCCURRENCES = {
    "quarterly-meeting": {"2009Q2": ["2009-04-16"], "2009Q3": ["2009-07-21"], "2009Q4": ["2009-10-20"],
                          "2010Q2": ["2010-04-13", "2010-06-29"], "2010Q3": ["2010-07-27"], "2010Q4": ["2010-10-26"]},
    "consultation": {"2009Q3": ["2009-09-08"], "2009Q4": ["2009-11-17"], "2010Q1": ["2010-03-09"],
                     "2010Q2": ["2010-05-18"], "2010Q4": ["2010-11-23", "2010-12-14"]},
    "reserve-cadre-exam": {"2009Q2": ["2009-06-20"], "2010Q2": ["2010-06-26"]},
    "young-cadres": {"2009Q2": ["2009-05-11"], "2009Q3": ["2009-09-01"], "2010Q2": ["2010-05-10"], "2010Q3": ["2010-09-06"]},
    "village-officials-training": {"2009Q3": ["2009-07-06"], "2009Q4": ["2009-10-12"], "2010Q3": ["2010-07-05"], "2010Q4": ["2010-10-11"]},
    "entrepreneur-awards": {"2010Q1": ["2010-02-09"]},
    "foreign-experts": {"2009Q3": ["2009-09-14"], "2009Q4": ["2009-11-02"], "2010Q2": ["2010-05-24"],
                        "2010Q3": ["2010-09-13"], "2010Q4": ["2010-10-18"]},
    "demand-catalogue": {"2009Q4": ["2009-12-15"], "2010Q2": ["2010-06-18"], "2010Q4": ["2010-12-17"]},
    "talent-budget": {"2010Q1": ["2010-02-25"]},
    "annual-assessment": {"2010Q1": ["2010-01-26"]},
}
WEEKEND_CLASS_OFF = (1, 2, 8)  # no 周末课堂 in January, February (Spring Festival) and August


def weekend_classes(quarter: Period) -> list[str]:
    """周末课堂: the second and fourth Saturday of each month, except the months off."""
    days = []
    for month in range(quarter.start.month, quarter.end.month + 1):
        if month in WEEKEND_CLASS_OFF:
            continue
        saturdays = [d for d in (dt.date(quarter.year, month, day) for day in range(1, 29)) if d.weekday() == 5]
        days += [saturdays[1].isoformat(), saturdays[3].isoformat()]
    return days


def state(commitment_id: str, quarter: str) -> tuple:
    """The row of a commitment in a quarter: the last change up to it (notes only where written)."""
    changes = [c for c in STORY[commitment_id] if QUARTERS.index(c[0]) <= QUARTERS.index(quarter)]
    when, status, day, evidence, number, address, note = changes[-1]
    note = note if when == quarter else NOTES.get((commitment_id, quarter), "")
    return status, day, evidence, number, address, note


def month_day(day: str) -> str:
    d = dt.date.fromisoformat(day)
    return f"{d.month}月{d.day}日"


def fill(path: Path, quarter: str, registry, by_hand: bool) -> None:
    """One quarter's form, from the template (the first by hand: without 所属部分 and 类型)."""
    period = Period.from_label(quarter)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    c = registry.form.columns
    header = [ws.cell(FIRST_ROW - 1, i).value for i in range(1, ws.max_column + 1)]
    col = {name: header.index(name) + 1 for name in header}
    ws.cell(1, 1).value = ws.cell(1, 1).value.replace(QUARTER_PLACEHOLDER, period.label_zh)
    ws.cell(2, col[c.status]).value = f"{registry.form.submitted_label}：{SUBMITTED[quarter]}"
    for r, commitment in enumerate(registry.commitments, start=FIRST_ROW):
        status, day, evidence, number, address, note = state(commitment.id, quarter)
        if by_hand and status == "已落实" and number:
            status = "已出台"  # typed, not picked: an alias of the scale
        ws.cell(r, col[c.status]).value = status
        if day:
            ws.cell(r, col[c.status_date]).value = day.replace("-", ".").replace(".0", ".") if by_hand else dt.date.fromisoformat(day)
        dates = weekend_classes(period) if commitment.id == "weekend-class" else OCCURRENCES.get(commitment.id, {}).get(quarter, [])
        if dates:
            # the office writes 4月16日 in some quarters and 2010-04-13 in others
            ws.cell(r, col[c.occurrences]).value = "、".join(month_day(d) if period.year == 2009 else d for d in dates)
        for name, value in ((c.evidence, evidence), (c.document_number, number), (c.address, address), (c.note, note)):
            ws.cell(r, col[name]).value = value or None
    last = FIRST_ROW + len(registry.commitments)
    ws.cell(last + 1, 1).value = "注：本表为示例数据（为演示网站而编写），不是任何地区真实的工作进展。"
    ws.cell(last + 2, 1).value = "填表人：人才办综合科　　审核人：人才办主任"
    if by_hand:
        # made before the template existed: two columns fewer, no drop-down lists
        ws.data_validations.dataValidation = []
        for merged in list(ws.merged_cells.ranges):
            ws.unmerge_cells(str(merged))
        for name in (c.kind, c.section):
            ws.delete_cols(header.index(name) + 1)
            header.remove(name)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    wb.properties.title = f"{period.label_zh}{registry.form.name}"
    wb.properties.subject = "示例数据，不是真实的工作进展"
    wb.properties.creator = "人才办"
    wb.properties.created = dt.datetime.fromisoformat(SUBMITTED[quarter] + "T09:00:00")
    wb.properties.modified = wb.properties.created
    wb.save(path)


def main() -> int:
    config = load_config()
    registry = load_commitments(config, paths.PLAN_TEXT.read_text(encoding="utf-8"))
    missing = [c.id for c in registry.commitments if c.id not in STORY]
    if missing:
        print(f"STORY 中缺少：{missing}", file=sys.stderr)
        return 1
    out = paths.RAW_DIR / config.defaults.status_form_folder
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        template = write_status_template(registry, config, Path(tmp))
        for i, quarter in enumerate(QUARTERS):
            path = out / f"人才办_{Period.from_label(quarter).label_zh}_主要措施工作进展.xlsx"
            path.write_bytes(template.read_bytes())
            fill(path, quarter, registry, by_hand=i == 0)
            print(path.relative_to(paths.ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
