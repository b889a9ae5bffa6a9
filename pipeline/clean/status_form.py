"""One quarter's status form of the plan's measures (data/raw/<status_form_folder>/, config/sources.yml): a grid of cells in,
each commitment's status, date, evidence and occurrences out, with every problem found (pure).

The form is one workbook per quarter, one row per commitment (config/commitments.yml; the
template of `make templates` lists them all). What is read, and what stops the build:
  编号          a commitment of the registry (unknown: error; twice: error)
  措施          only checked: naming another commitment than the 编号 is an error (rows shifted)
  状态          a word of the status scale or one of its aliases (else: error)
  状态日期      when the status was reached: required for some statuses; not after the quarter's
                end nor before the plan's start (else: error)
  本季度开展日期  every date in the quarter on which a recurring commitment took place (each
                meeting, class, exam), separated by 、 or ； (a date outside the quarter: error);
                "4月15日" is read in the quarter's year
  依据、文号、网址  the evidence: a 已落实 status needs 依据 and a 网址 or “内部” (else: error)
  备注          free text; a status going back needs one (see status_history)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from pipeline.basics.format import date_zh
from pipeline.basics.parse import DateError, parse_date, tidy_name, tidy_text
from pipeline.basics.periods import Period, PeriodError, read_statement
from pipeline.basics.problems import Problem
from pipeline.config import Config
from pipeline.config.commitments import Registry
from pipeline.gate.kinds import FORM_HEADER_SEARCH_ROWS
from pipeline.gate.read import Grid

_ADDRESS = re.compile(r"^https?://\S+$")
_MONTH_DAY = re.compile(r"^(?P<m>\d{1,2})月(?P<d>\d{1,2})日?$")


@dataclass
class FormFile:
    """What one status form gave."""

    file: str
    sheet: str | None
    quarter: Period | None = None
    submitted_on: dt.date | None = None
    rows: list[dict] = field(default_factory=list)  # one per commitment reported
    occurrences: list[dict] = field(default_factory=list)  # one per date a recurring commitment took place
    problems: list[Problem] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def _missing(cell: object) -> bool:
    return cell is None or (isinstance(cell, float) and cell != cell) or (isinstance(cell, str) and not cell.strip())


def _free_text(cell: object) -> str:
    """Text as written, runs of spaces (full-width ones too) made one: unlike tidy_text, Chinese
    punctuation is kept (NFKC would turn ，into ,)."""
    return "" if _missing(cell) else re.sub(r"\s+", " ", _shown(cell)).strip()


def _shown(cell: object) -> str:
    """A cell as staff see it, for messages."""
    if isinstance(cell, (dt.datetime, dt.date)):
        return cell.strftime("%Y-%m-%d")
    return str(cell)


class _FormReader:
    def __init__(self, grid: Grid, registry: Registry, config: Config, today: dt.date):
        self.grid, self.registry, self.config, self.today = grid, registry, config, today
        self.form = registry.form
        self.result = FormFile(file=grid.file, sheet=grid.sheet)

    def problem(self, code: str, found: str, expected: str, fix: str, row: int | None = None,
                column: str | None = None) -> None:
        self.result.problems.append(Problem(code=code, file=self.grid.file, sheet=self.grid.sheet, row=row,
                                            column=column, found=found, expected=expected, fix=fix))

    def read(self) -> FormFile:
        # the rows as plain lists (a form has a few dozen rows: no need for pandas row by row)
        rows = dict(zip(self.grid.cells.index, self.grid.cells.astype(object).to_numpy().tolist()))
        header = self.header_row(rows)
        if header is None:
            return self.result
        columns = self.columns(rows[header], header)
        above = [v for r, values in rows.items() if r < header for v in values if not _missing(v)]
        self.result.quarter = self.quarter(above)
        self.result.submitted_on = self.submitted(above, header)
        if self.result.quarter is None or columns is None:
            return self.result
        for row, values in rows.items():
            if row <= header or all(_missing(v) for v in values) or self.is_note(values):
                continue
            self.read_row(int(row), {role: values[i] if i is not None else None for role, i in columns.items()})
        self.check_rows(header)
        return self.result

    # -- where things are -----------------------------------------------------------------------

    def header_row(self, rows: dict[int, list]) -> int | None:
        wanted = {tidy_name(self.form.columns.id), tidy_name(self.form.columns.status)}
        for row in list(rows)[:FORM_HEADER_SEARCH_ROWS]:
            if wanted <= {tidy_name(v) for v in rows[row] if not _missing(v)}:
                return int(row)
        self.problem("header_missing", f"前 {min(len(rows), FORM_HEADER_SEARCH_ROWS)} 行中没有同时含“{self.form.columns.id}”和"
                     f"“{self.form.columns.status}”的表头行", f"{self.form.name}的表头（见 make templates 生成的模板）",
                     "请用本季度的进展表模板填写，不要改动表头。")
        return None

    def columns(self, header: list, row: int) -> dict[str, int | None] | None:
        """Role -> column position; missing, duplicate and unexpected columns reported."""
        names = self.form.columns.model_dump()
        position = {role: None for role in names}
        by_name = {tidy_name(n): role for role, n in names.items()}
        seen: dict[str, int] = {}
        for i, cell in enumerate(header):
            if _missing(cell):
                continue
            name = tidy_name(cell)
            if name in seen:
                self.problem("column_duplicated", f"“{_shown(cell)}”出现了两次", "每个列名只出现一次",
                             "删除或改正重复的列。", row=row, column=_shown(cell))
            seen[name] = i
            if name in by_name:
                position[by_name[name]] = i
            else:
                self.problem("column_unexpected", f"列“{_shown(cell)}”", f"{self.form.name}中的列",
                             "该列未读取、不会发布；如需填写，请写在“备注”中。", row=row, column=_shown(cell))
        optional = {"name", *(r for r, n in names.items() if n in self.form.informational)}
        missing = [names[r] for r, i in position.items() if i is None and r not in optional]
        for name in missing:
            self.problem("column_missing", f"表头中没有“{name}”列", f"{self.form.name}的每一列",
                         "请用本季度的进展表模板填写，不要删除列或改列名。", row=row, column=name)
        return None if missing else position

    def _year(self) -> int:
        """The year of the examples in this form's messages (plan.yml: the last year but one)."""
        return self.config.plan.example_years[1]

    def quarter(self, above: list) -> Period | None:
        y = self._year()
        label = tidy_name(self.form.submitted_label)
        title = " ".join(_shown(v) for v in above if not tidy_name(v).startswith(label))
        found = {}
        for place, text in (("文件名", PurePosixPath(self.grid.file).stem), ("标题", title)):
            try:
                period = read_statement(text).period()
            except PeriodError as exc:
                self.problem("period_unclear", f"{place}“{text.strip()}”：{exc}", f"如“{y}年第四季度”或“{y}Q4”",
                             "按此改正文件名或标题，使报送期的每个字都能读懂。")
                continue
            if period is not None:
                found[place] = period
        if not found:
            self.problem("period_missing", "文件名和标题中都没有找到季度", f"如“{y}年第四季度”或“{y}Q4”",
                         f"在文件名（如 {self.registry.form_file(self.config.plan.office_short, f'{y}年第四季度')}）和第 1 行标题中写明季度。")
            return None
        if len(set(found.values())) > 1:
            said = "，".join(f"{place}写的是{p.label_zh}" for place, p in found.items())
            self.problem("period_conflict", said, "文件名和标题写的是同一个季度", "核对哪一个是对的并改正。")
            return None
        quarter = next(iter(found.values()))
        plan = self.config.plan
        if quarter.quarter is None:
            self.problem("period_missing", f"报送期为{quarter.label_zh}，不是一个季度", f"一个季度，如“{y}年第四季度”",
                         "进展表每季度一份：在文件名和标题中写明是哪一个季度。")
        elif quarter.end < plan.start or quarter.start > plan.end:
            self.problem("period_outside_plan", f"季度为{quarter.label_zh}", f"规划期 {plan.start.year}年至{plan.end.year}年之内",
                         "核对文件名和标题中的年份是否写错。")
        elif quarter.end > self.today:
            self.problem("period_in_future", f"季度为{quarter.label_zh}，到 {date_zh(quarter.end)} 才结束",
                         f"已经结束的季度（今天是 {date_zh(self.today)}）", "核对年份或季度是否写错；季度结束后再填报。")
        else:
            return quarter
        return None

    def submitted(self, above: list, header: int) -> dt.date | None:
        label = tidy_name(self.form.submitted_label)
        texts = [tidy_name(v) for v in above]
        for i, text in enumerate(texts):
            if not text.startswith(label):
                continue
            value = text[len(label):].lstrip(":") or (above[i + 1] if i + 1 < len(above) else "")
            try:
                return parse_date(value)
            except DateError:
                self.problem("date_invalid", f"“{_shown(above[i])}”中的日期无法识别", f"如“{self.form.submitted_label}：{self._year() + 1}-01-08”",
                             "改正填报日期。", row=header - 1)
                return None
        self.problem("submitted_missing", "文件中没有找到填报日期", f"表头上方写明“{self.form.submitted_label}：”",
                     "不影响本次发布；按时填报的情况将显示为“未注明”。")
        return None

    def is_note(self, values: list) -> bool:
        first = next((tidy_name(v) for v in values if not _missing(v)), "")
        return any(re.match(re.escape(tidy_name(p)) + "[:]", first) for p in self.config.defaults.note_prefixes)

    # -- one row ----------------------------------------------------------------------------------

    def read_row(self, row: int, cell: dict) -> None:
        c = self.form.columns
        commitment_id = tidy_name(cell["id"]).lower()
        if commitment_id not in self.registry.by_id:
            found = "编号为空白" if not commitment_id else f"编号“{_shown(cell['id'])}”"
            self.problem("commitment_unknown", found, f"措施清单中的编号（模板中已列出，如 {self.registry.commitments[0].id}）",
                         "不要改动或删除模板中的编号；新的措施须先列入 config/commitments.yml。", row=row, column=c.id)
            return
        commitment = self.registry.by_id[commitment_id]
        name = tidy_name(cell["name"]) if not _missing(cell["name"]) else None
        other = next((x for x in self.registry.commitments if name and tidy_name(x.name) == name and x.id != commitment_id), None)
        if other:
            self.problem("commitment_mismatch", f"编号 {commitment_id} 这一行的措施写的是“{other.name}”（编号 {other.id}）",
                         f"编号 {commitment_id} 的措施：“{commitment.name}”", "核对这一行是否错位（如排序时只选中了一列），改正后再填报。",
                         row=row, column=c.name)
            return
        status = self.status(row, cell["status"])
        status_date = self.status_date(row, cell["status_date"], status)
        evidence = {k: _free_text(cell[k]) for k in ("evidence", "document_number", "address", "note")}
        self.check_evidence(row, status, evidence)
        occurrences = self.occurrences(row, cell["occurrences"])
        if status is None:
            return
        self.result.rows.append({"commitment_id": commitment_id, "status": status, "status_date": status_date,
                                 **evidence, "file": self.grid.file, "row": row})
        self.result.occurrences += [{"commitment_id": commitment_id, "date": d, "file": self.grid.file, "row": row}
                                    for d in occurrences]

    def status(self, row: int, cell: object) -> str | None:
        status = self.registry.status_lookup.get(tidy_name(cell))
        if status is None:
            words = "、".join(s.word for s in self.registry.form_statuses.values())
            self.problem("status_unknown", "状态为空白" if _missing(cell) else f"“{_shown(cell)}”", f"以下之一：{words}",
                         "从下拉列表中选择状态。", row=row, column=self.form.columns.status)
        return status

    def status_date(self, row: int, cell: object, status: str | None) -> dt.date | None:
        column, plan, quarter = self.form.columns.status_date, self.config.plan, self.result.quarter
        if _missing(cell):
            if status and self.registry.statuses[status].date_required:
                self.problem("date_missing", f"状态为“{self.registry.statuses[status].word}”，状态日期为空白",
                             "达到这一状态的日期（如文件印发日期）", f"填写日期，如 {self._year()}-06-18。", row=row, column=column)
            return None
        try:
            day = parse_date(cell)
        except DateError:
            self.problem("date_invalid", f"“{_shown(cell)}”不是日期", f"写全年月日，如 {self._year()}-06-18 或 {self._year()}年6月18日",
                         "改正该单元格。", row=row, column=column)
            return None
        if not plan.start <= day <= quarter.end:
            self.problem("date_outside_period", f"状态日期为 {date_zh(day)}",
                         f"{date_zh(plan.start)}（规划开始）至 {date_zh(quarter.end)}（本季度末）之间",
                         "核对年份是否写错；本季度以后的事填在以后季度的进展表中。", row=row, column=column)
            return None
        return day

    def check_evidence(self, row: int, status: str | None, evidence: dict) -> None:
        c, internal = self.form.columns, self.form.internal_word
        address = evidence["address"]
        if address and address != internal and not _ADDRESS.match(address):
            self.problem("address_invalid", f"“{address}”", f"以 http:// 或 https:// 开头的网址，或“{internal}”（不公开的文件）",
                         f"填写文件在政府网站上的网址；没有公开的写“{internal}”。", row=row, column=c.address)
        if status and self.registry.statuses[status].evidence_required:
            word = self.registry.statuses[status].word
            for key, column in (("evidence", c.evidence), ("address", c.address)):
                if not evidence[key]:
                    self.problem("evidence_missing", f"状态为“{word}”，“{column}”为空白",
                                 f"“{word}”的依据：文件或事项名称，和网址（不公开的写“{internal}”）",
                                 f"填写“{column}”；还没有依据的，状态应为“推进中”。", row=row, column=column)

    def occurrences(self, row: int, cell: object) -> list[dt.date]:
        if _missing(cell):
            return []
        column, quarter = self.form.columns.occurrences, self.result.quarter
        if isinstance(cell, str):
            pattern = "|".join(re.escape(s) for s in self.form.date_separators)
            tokens = [t.strip() for t in re.split(pattern, tidy_text(cell.replace("\n", "、")).replace(" ", "")) if t.strip()]
        else:
            tokens = [cell]
        days = []
        for token in tokens:
            try:
                day = parse_date(token)
            except DateError:
                m = _MONTH_DAY.match(str(token))
                try:
                    day = dt.date(quarter.year, int(m.group("m")), int(m.group("d"))) if m else None
                except ValueError:
                    day = None
            if day is None:
                self.problem("date_invalid", f"“{_shown(token)}”不是日期", f"日期之间用“、”分隔，如 {self._year()}-04-13、{self._year()}-06-29",
                             "改正该单元格。", row=row, column=column)
            elif not quarter.start <= day <= quarter.end:
                self.problem("date_outside_period", f"开展日期 {date_zh(day)} 不在{quarter.label_zh}",
                             f"{date_zh(quarter.start)}至{date_zh(quarter.end)}之间", "核对日期；其他季度的活动填在那个季度的进展表中。",
                             row=row, column=column)
            else:
                days.append(day)
        return sorted(set(days))

    def check_rows(self, header: int) -> None:
        rows = self.result.rows
        if not rows and not self.result.failed:
            self.problem("no_data_rows", "表头下面没有填写任何措施", "每项措施一行", "请用模板填写后再报送。", row=header)
            return
        seen: dict[str, int] = {}
        for r in rows:
            if r["commitment_id"] in seen:
                self.problem("duplicate_row", f"编号 {r['commitment_id']} 出现在第 {seen[r['commitment_id']]} 行和第 {r['row']} 行",
                             "每项措施只有一行", "删除或合并重复的行（多次开展的日期写在同一行的“本季度开展日期”中）。",
                             row=r["row"], column=self.form.columns.id)
            seen.setdefault(r["commitment_id"], r["row"])
        absent = [c for c in self.registry.commitments if c.id not in seen]
        if absent and not self.result.failed:
            self.problem("commitment_not_reported", f"缺少 {len(absent)} 项：" + "、".join(f"{c.name}（{c.id}）" for c in absent),
                         "每项措施一行（模板中已全部列出）",
                         f"补上这些行；网站上这些措施本季度显示为“{self.registry.statuses[self.registry.not_reported].word}”。")


def read_form(grid: Grid, registry: Registry, config: Config, today: dt.date) -> FormFile:
    """One status form's rows and problems."""
    return _FormReader(grid, registry, config, today).read()
