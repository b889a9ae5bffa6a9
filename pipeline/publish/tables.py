"""The published data tables and their data dictionary: the one place each column is described.

`write_csv` writes what opens right in Excel on a Chinese Windows PC (UTF-8 with a byte-order
mark) and never lets a cell start like a formula.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from pipeline.basics.format import missing
from pipeline.config import Config
from pipeline.config.commitments import Registry


@dataclass(frozen=True)
class Table:
    name: str  # file name without .csv
    title: str
    description: str
    columns: dict[str, str]  # column -> description (unit in brackets)
    json: bool = False  # also published as JSON (a list of records with the same columns)
    primary_key: tuple[str, ...] = ()  # columns that together name one row (never empty), if any
    units: dict[str, str] = field(default_factory=dict)  # column -> unit, where every row has the same


TABLES = {t.name: t for t in [
    Table("targets", "目标清单", "规划“重点目标”中的每一项数字目标，一行一项。", {
        "target_id": "目标编号（固定不变，用于网址和引用）",
        "programme_id": "所属重点工程编号（{programme_ids}）",
        "programme_name": "所属重点工程名称",
        "target_name": "目标名称",
        "kind": "目标类型：{kinds}",
        "target_value": "目标值（单位见 unit）",
        "unit": "单位：名、人次、个、%、‰",
        "comparison": "{level_kinds}目标的方向：at_least 不低于；at_most 不高于",
        "period_start": "规划期开始日期",
        "period_end": "规划期结束日期",
        "department": "负责报送数据的部门",
        "indicator": "计算所用的指标编号（见 observations.csv）{ratio_indicator}",
        "breakdown_filter": "只计入的分组（以“|”分隔；空表示全部）",
        "sentence": "规划原文中的相应语句",
    }, primary_key=("target_id",)),
    Table("target_progress", "目标进度", "每项目标的进度；每年目标每年一行，其余目标一行。", {
        "target_id": "目标编号",
        "programme_id": "所属重点工程编号",
        "target_name": "目标名称",
        "kind": "目标类型（同 targets.csv）",
        "unit": "单位",
        "target_value": "目标值",
        "comparison": "比例目标的方向",
        "scope": "计算范围：规划期（如 {first}-{last}）或年份（每年目标；有一年未达到目标或各年都已结束后，另有规划期一行）",
        "is_headline": "是否为首页和状态统计所用的一行（每年目标取最新有数据的年份，有规划期一行后取规划期一行）",
        "window_start": "计算范围开始日期",
        "window_end": "计算范围结束日期",
        "data_through": "数据截至日期",
        "elapsed_pct": "时间进度（%）：数据截至日已过去的时间占计算范围的比例",
        "result_value": "已完成数（比例目标为最新占比）",
        "baseline_value": "比例目标的基准占比（首期数据）",
        "baseline_date": "基准占比的日期",
        "completion_pct": "完成进度（%）：已完成数占目标的比例；比例目标为差距缩小的比例",
        "expected_pct": "按时间进度应达到的完成进度（%，等于时间进度）",
        "expected_value": "按时间进度应完成的数（数量目标；计算范围结束后为空）",
        "result_of_target_pct": "已完成数（比例目标为目前的比例）占目标值的百分比；每年目标的规划期一行为完成最少的一年的百分比",
        "pace_ratio": "进度比 = 完成进度 / 时间进度",
        "status": "状态编号（各状态的含义见方法说明页；config/method.yml 的 statuses）",
        "status_zh": "状态的中文名称",
        "projected_value": "照目前速度到计算范围结束时的预计值（计算范围的数据已经报齐后为空）",
        "final": "是否为最终结果：计算范围所需的各期数据都已报来，且没有暂不采用的文件（每年目标的规划期一行：有一年已确定未达到，或各年都已是最终结果）",
        "over": "计算范围是否已经结束（发布日期晚于其结束日期，或数据已报到其结束日期）",
        "missing_periods": "计算范围内没有数据的报送期（以空格分隔；计算范围结束前只列最近一期以前缺的）",
        "set_aside": "已收到但暂不采用、本应计入这一范围的文件（以“；”分隔，见 submissions.csv）",
        "reason_zh": "状态的文字说明",
        "figure_zh": "这一范围的数字的简短说明（首页、本期变化所用）",
        "last_period": "最近一期数据的报送期",
        "last_submitted_on": "最近一次报送日期（文件中注明的）",
        "next_period": "下一期应报的数据（先列此前缺的一期）",
        "next_due_on": "下一期数据应报日期",
        "overdue": "是否已逾期（下一期应报日期早于本期数据发布基准日）",
    }, primary_key=("target_id", "scope"), units={"elapsed_pct": "%", "completion_pct": "%", "expected_pct": "%"}),
    Table("target_series", "逐期进展", "每项目标逐个报送期的数值、累计数和目标进度线（图表所用的数字）。", {
        "target_id": "目标编号",
        "scope": "计算范围：规划期或年份",
        "period": "报送期（如 {first}Q1、{last}H1、{last}M01-M09、{first}）",
        "period_start": "该期数据开始日期",
        "period_end": "该期数据截至日期",
        "value": "本期数（比例目标为该期末占比）",
        "running_total": "计算范围内的累计数（比例目标为空）",
        "target_path": "目标进度线：按期完成目标在该日应达到的数",
        "numerator": "比例目标的分子（该期末属于目标分组的人数）",
        "denominator": "比例目标的分母（该期末全部人数）",
    }, primary_key=("target_id", "scope", "period")),
    Table("observations", "清洗后的原始数据", "从各部门报送文件中读出的每一个数：一行一个单元格（名单类文件一行一条记录），"
          "附带来源文件、工作表、行号和列名，可逐一核对原件。不含任何个人信息。", {
        "source_id": "数据来源编号（见 config/sources.yml）",
        "department": "报送部门",
        "file": "来源文件（data/raw 下的路径）",
        "sheet": "工作表名称（CSV 文件为空）",
        "row": "在来源文件中的行号（用 Excel 或文本编辑器打开时看到的行号）",
        "column": "来源文件中的列名",
        "period": "报送期（季度如 {first}Q1，半年如 {last}H1，其他月份段如 {last}M01-M09，年度如 {first}）",
        "period_start": "报送期开始日期",
        "period_end": "数据截至日期",
        "indicator": "指标编号",
        "breakdown": "分组（街镇、单位、企业、学校类别、等级、类别等，已统一名称）",
        "value": "数值（人数、人次或个数；名单类文件每条记录为 1）",
        "raw_value": "来源单元格中的原文（名单类文件为分组列的原文）",
        "submitted_on": "该文件的报送日期（文件中注明的；未注明为空）",
        "derivation": "数值不是单元格原数时的算法（如“{last}年1-9月累计 3,500 减去已报送的 {last}年上半年 2,300”）；空表示即为原数",
    }),
    Table("submissions", "报送文件", "data/raw 中每个报送文件读取的情况。", {
        "source_id": "数据来源编号",
        "department": "报送部门",
        "file": "文件（data/raw 下的路径）",
        "sheet": "读取的工作表",
        "encoding": "CSV 文件的文字编码",
        "period": "报送期",
        "coverage_start": "报送期开始日期",
        "coverage_end": "数据截至日期",
        "submitted_on": "报送日期",
        "submitted_from": "报送日期的出处：written 文件中写明（报送日期列、填报日期标注）；workbook Excel 文件属性中的创建时间；空为未注明",
        "received_on": "收文日期：决定文件进入哪一期发布（收文登记；否则文件中写明的报送日期；否则应报送日期，见方法说明）",
        "received_basis": "收文日期的依据：register 收文登记；written 文件中写明的报送日期；due 应报送日期（报送期结束加规定天数）",
        "release": "首次收录该文件的发布（季度，如 {middle}Q4；网址 /releases/{middle}Q4/）",
        "rows_in_file": "文件总行数",
        "rows_data": "数据行数",
        "rows_excluded": "不计入目标的记录数",
        "observations": "读出的数值个数",
        "indicators": "该文件报送的指标编号（以空格分隔）",
        "status": "used 已计入；superseded 被同期更正文件取代；rejected 有错误未计入；set_aside 已收到，暂不采用（放在部门目录的“暂不采用”子目录中）",
        "superseded_by": "取代它的文件",
    }, primary_key=("file",)),
    Table("cleaning_log", "清洗记录", "每个文件做了哪些清洗、各多少次。", {
        "file": "文件",
        "action": "清洗步骤编号",
        "action_zh": "清洗步骤",
        "detail": "细节（如名称统一的前后写法）",
        "count": "次数（单元格数或行数）",
    }),
    Table("corrections", "更正记录", "同期重复报送时，后一份文件改变了哪些数。", {
        "source_id": "数据来源编号",
        "department": "报送部门",
        "period": "报送期",
        "indicator": "指标编号",
        "breakdown": "分组",
        "old_value": "原数",
        "new_value": "更正后的数",
        "old_file": "原文件",
        "old_row": "原文件中的行号",
        "new_file": "更正文件",
        "new_row": "更正文件中的行号",
        "new_submitted_on": "更正文件的报送日期",
    }),
    Table("commitments", "{measures}清单", "规划{parts_named}中的每一项具体措施，一行一项，"
          "附最近一个季度的状态（config/commitments.yml 和{office}的季度进展表）。", {
        "commitment_id": "措施编号（固定不变，用于网址和引用）",
        "part": "规划的部分：{parts_either}",
        "section": "规划中的条目（如“{section}”）",
        "name": "措施名称",
        "quote": "规划原文中这项措施的文字",
        "sentence": "规划原文中这项措施所在的整句话",
        "done_when": "怎样算落实",
        "department": "责任单位（按规划原文的写法；原文没有写明的记为{office}）",
        "kind": "one_off 一次性；recurring 经常性",
        "frequency": "经常性工作的频次：每季度、每年、定期、按需（一次性的为空）",
        "reading": "对原文的理解（原文不清楚时）",
        "quarter": "最近一份进展表的季度（如 {middle}Q4）",
        "status": "状态编号：done、in_progress、not_started、stopped、not_reported",
        "status_zh": "状态：已落实、推进中、未启动、已停止、未填报",
        "status_date": "达到这一状态的日期",
        "evidence": "依据：文件或事项的名称",
        "document_number": "文号",
        "address": "文件的网址；未公开的为“内部”",
        "note": "备注",
        "occurrences": "经常性工作在规划期内开展的次数（见 commitment_occurrences）",
        "url": "这项措施在本站的网址",
    }, json=True),
    Table("commitment_status", "{measures}逐季状态", "每项措施在每个季度的进展表中的状态：一行一项措施、一个季度。"
          "两个季度相比即可看出哪些措施的状态变了。", {
        "commitment_id": "措施编号",
        "quarter": "季度（如 {middle}Q4）",
        "quarter_end": "季度的最后一天",
        "status": "状态编号（同 commitments.csv）",
        "status_zh": "状态",
        "status_date": "达到这一状态的日期",
        "evidence": "依据：文件或事项的名称",
        "document_number": "文号",
        "address": "文件的网址；未公开的为“内部”",
        "note": "备注",
        "previous_status": "此前最近一次填报的状态（首次填报为空）",
        "changed": "状态是否比此前最近一次填报的有变化",
        "occurrences": "本季度开展的次数",
        "file": "进展表文件（data/raw 下的路径）",
        "row": "在进展表中的行号（未填报的为空）",
        "submitted_on": "进展表的填报日期",
    }, json=True),
    Table("commitment_occurrences", "经常性工作的开展日期", "经常性工作{recurring}每一次开展的日期。", {
        "commitment_id": "措施编号",
        "quarter": "季度",
        "date": "开展日期",
        "file": "进展表文件",
        "row": "在进展表中的行号",
    }, json=True),
    Table("department_submissions", "各部门报送情况", "每个部门的每种报表在每个报送期是否按时报送："
          "一行一种报表、一个报送期（已到应报日期的，或已经报送的）。", {
        "department": "报送部门",
        "form_id": "报表编号：数据来源编号（见 config/sources.yml；可以互相代替的两种报表以“|”相连）；status_form 为{office}的季度进展表",
        "form_name": "报表名称",
        "period": "报送期",
        "due_on": "应报日期（报送期结束后若干天）",
        "submitted_on": "第一份文件的报送日期（未注明为空）",
        "days_late": "逾期天数 = 报送日期 − 应报日期（不大于 0 为按时）",
        "state": "on_time 按时；late 逾期；undated 未注明报送日期；missing 未报送",
        "state_zh": "情况",
        "files": "该期的文件（以“；”分隔）",
        "resubmissions": "重报（更正）的份数",
        "numbers_corrected": "更正改变的数字个数（见 corrections.csv）",
    }, json=True),
    Table("problems", "数据问题与提醒", "读取和核对时发现的问题（错误会使发布中止，提醒供工作人员核实）。", {
        "severity": "error 错误；warning 提醒",
        "code": "问题编号",
        "title": "问题类型",
        "file": "文件",
        "sheet": "工作表",
        "row": "行号",
        "column": "列名",
        "found": "发现的情况",
        "expected": "应为",
        "fix": "处理办法",
    }),
]}


_FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def defuse_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that Excel would run as a formula (=, +, -, @ …) get a leading apostrophe."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            # element by element: Series.map would turn a column of whole numbers and blanks into floats
            out[column] = pd.Series(["'" + v if isinstance(v, str) and _FORMULA_START.match(v) else v
                                     for v in out[column]], index=out.index, dtype=out[column].dtype)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark and CRLF line ends: what Excel on Windows opens correctly."""
    text = defuse_formulas(frame).to_csv(index=False, lineterminator="\r\n")
    return "\ufeff".encode("utf-8") + text.encode("utf-8")


def json_bytes(frame: pd.DataFrame) -> bytes:
    """A list of records (dates as 2022-12-31, missing values as null), UTF-8."""
    records = [{k: (None if missing(v) else v.isoformat() if hasattr(v, "isoformat") else
                    v.item() if hasattr(v, "item") else v) for k, v in row.items()}
               for row in frame.to_dict("records")]
    return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(frame))


def for_table(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with exactly the documented columns of table `name`, in order."""
    columns = list(TABLES[name].columns)
    missing = [c for c in columns if c not in frame.columns]
    extra = [c for c in frame.columns if c not in columns]
    if missing or extra:
        raise ValueError(f"table {name}: undocumented columns {extra}, missing columns {missing}")
    return frame[columns]


def described(config: Config, registry: Registry | None) -> dict[str, Table]:
    """TABLES as published: the plan's words in its descriptions filled in from the configuration
    from config/plan.yml ({span}, {programme_ids}, example years of the plan, {office})
    and config/commitments.yml (the plan's parts, a section and recurring commitments, when the plan has measures)."""
    plan = config.plan
    first, middle, last = plan.example_years
    parts = registry.parts if registry else {}
    words = {"span": plan.span_zh, "programme_ids": f"{config.programmes[0].id}–{config.programmes[-1].id}",
             "first": first, "middle": middle, "last": last, "office": plan.office_short,
             "parts_named": registry.parts_named if registry else "没有数字目标的部分",
             "parts_either": "或".join(f"{number}（{heading}）" for number, heading in parts.items()) or "—",
             "section": registry.section_title(next(iter(registry.sections))) if registry else "",
             "measures": registry.first_part if registry else "措施",
             "recurring": f"（如{'、'.join(c.name for c in registry.recurring_examples)}）"
                          if registry and registry.recurring_examples else "",
             **kind_words(config)}
    return {name: replace(t, title=t.title.format_map(words), description=t.description.format_map(words),
                          columns={c: d.format_map(words) for c, d in t.columns.items()})
            for name, t in TABLES.items()}


#: Each kind of target in words (targets.csv's data dictionary lists the kinds the plan uses).
KIND_WORDS = {"annual": "每年目标", "cumulative": "{span}累计目标", "end_state": "规划期末比例目标",
              "level": "规划期末总量目标", "ratio": "规划期末比率目标（每万人等）"}
LEVEL_KIND_WORDS = {"end_state": "比例", "level": "总量", "ratio": "比率"}


def kind_words(config: Config) -> dict[str, str]:
    """The kinds of target the plan uses, in words: {kinds}, {level_kinds}, {ratio_indicator}."""
    used = {t.kind for t in config.targets}
    kinds = "；".join(f"{k} {w.format(span=config.plan.span_zh)}" for k, w in KIND_WORDS.items() if k in used)
    levels = "、".join(w for k, w in LEVEL_KIND_WORDS.items() if k in used) or "比例"
    return {"kinds": kinds, "level_kinds": levels,
            "ratio_indicator": "；比率目标写作“分子指标/分母指标”" if "ratio" in used else ""}


def registry_of(site) -> Registry | None:
    """The plan's measures of a built site, if it has them."""
    return site.commitments.facts.registry if site.commitments else None


def data_dictionary(config: Config, registry: Registry | None) -> pd.DataFrame:
    rows = [{"table": f"{t.name}.csv", "table_title": t.title, "column": c, "description": d}
            for t in described(config, registry).values() for c, d in t.columns.items()]
    return pd.DataFrame(rows, columns=["table", "table_title", "column", "description"])


def targets_table(config) -> pd.DataFrame:
    """The targets of the plan, one row each (targets.csv)."""
    return pd.DataFrame([{
        "target_id": t.id, "programme_id": t.programme, "programme_name": config.programme(t.programme).name,
        "target_name": t.name, "kind": t.kind, "target_value": t.value, "unit": t.unit,
        "comparison": t.comparison if t.is_level else "", "period_start": config.plan.start,
        "period_end": config.plan.end, "department": config.department_of(t), "indicator": "/".join(t.indicators),
        "breakdown_filter": "|".join(t.measure.breakdown or ()), "sentence": t.sentence,
    } for t in config.targets], columns=list(TABLES["targets"].columns))


def rounded(frame: pd.DataFrame, decimals: int = 4) -> pd.DataFrame:
    """Fractions to 4 decimals, so files do not change with floating-point noise (whole numbers,
    such as counts beside shares in one column, stay whole)."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_float_dtype(values):
            out[column] = values.round(decimals)
        elif values.dtype == object:
            out[column] = pd.Series([round(v, decimals) if isinstance(v, float) else v for v in values],
                                    index=out.index, dtype=object)
    return out
