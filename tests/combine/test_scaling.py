"""Reading a file takes time in proportion to its size: no step may grow with the square of its rows.

A 1.9 MB list of 45,000 companies once took minutes, since each name was compared with every
other (completing short company names), and a list pasted twice, or with a thousand different
unknown names, looked through the whole column once for each of its values. These tests count
what the code does, never how long it takes (the machine is shared: a timing would be flaky), on
the same kind of file at n and 8n rows:

- every call (of Python functions and of C functions such as str.startswith) at 8n rows is at most
  LINEAR_SLACK times the calls at n rows: a step per pair of rows makes 64 times as many;
- the whole-column comparisons (values == v, pandas' comparison_op) do not grow with the rows: a
  comparison per distinct value, each through the whole column, is a step per pair too, done in
  C, one call each.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable

import pandas as pd
import pytest

from pipeline.clean import clean_file
from pipeline.combine.dataset import complete_company_names
from tests.clean.test_clean import HEALTH_HEADER, grid
from tests.combine.test_combine import result
from tests.conftest import TODAY

SMALL = 250
LARGE = 8 * SMALL
LINEAR_SLACK = 12  # 8 for a step per row; 64 for a step per pair of rows
COMPARISON = "comparison_op"  # pandas' whole-column ==, !=, <, …


class TooManyCalls(Exception):
    """The larger run made more calls than a linear step can: stopped there (a quadratic step at 8n
    rows would otherwise run for minutes under the profiler)."""


def calls(work: Callable[[], object], budget: int | None = None) -> Counter:
    """How often each function is called while `work` runs (Python's by name, C's by qualified
    name); TooManyCalls beyond `budget` calls."""
    counts: Counter = Counter()
    total = 0

    def profile(frame, event, arg):
        nonlocal total
        if event == "call":
            counts[frame.f_code.co_name] += 1
        elif event == "c_call":
            counts[getattr(arg, "__qualname__", "?")] += 1
        else:
            return
        total += 1
        if budget is not None and total > budget:
            raise TooManyCalls(f"more than {budget:,} calls")

    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return counts


def assert_linear(make: Callable[[int], Callable[[], object]]) -> None:
    """make(rows) -> the work on a file of that many rows; the calls at LARGE rows grow with the rows."""
    small = calls(make(SMALL))
    budget = LINEAR_SLACK * sum(small.values())
    try:
        large = calls(make(LARGE), budget)
    except TooManyCalls as exc:
        pytest.fail(f"{LARGE:,} rows: {exc}, {LINEAR_SLACK}x the {sum(small.values()):,} calls of {SMALL:,} rows: "
                    f"a step per pair of rows")
    if large[COMPARISON] > small[COMPARISON] + 2:
        pytest.fail(f"whole-column comparisons: {small[COMPARISON]} at {SMALL:,} rows, {large[COMPARISON]} at {LARGE:,}: "
                    "a look through the whole column for each value")


# -- the files: each makes one kind of file of n rows ---------------------------------------------------


def companies(config, n: int) -> Callable[[], object]:
    """Short names completed (绿源农业科技 -> 绿源农业科技有限公司) across two quarters of n companies."""
    full = {f"企业{i}号科技有限公司": 1 for i in range(n)}
    short = {f"企业{i}号科技": 1 for i in range(0, n, 2)} | {f"新企业{i}号": 1 for i in range(1, n, 2)}
    files = [result("科技局/a.csv", "2011Q1", full, source="p3_enterprise_recruitment", indicator="p3_senior_managers_recruited"),
             result("科技局/b.csv", "2011Q2", short, source="p3_enterprise_recruitment", indicator="p3_senior_managers_recruited")]
    return lambda: complete_company_names(files, config)


ENTERPRISE_HEADER = ["企业名称", "季度", "高层次经营管理人才", "科技人才团队", "紧缺专业技术人才(本科以上)"]
GRADUATES_HEADER = ["序号", "姓名", "身份证号", "联系电话", "学历", "招录类别", "报到日期"]


def cleaned(config, rows: list[list], file: str, source_id: str) -> Callable[[], object]:
    g = grid(rows, file=file)
    return lambda: clean_file(g, source_id, config.sources[source_id], config, TODAY)


def pasted_twice(config, n: int) -> Callable[[], object]:
    """A list of n companies pasted twice: n names on two rows each."""
    rows = [[f"企业{i}号有限公司", "2011Q1", 1, 0, 2] for i in range(n)]
    return cleaned(config, [ENTERPRISE_HEADER, *rows, *rows], "科技局/科技局_2011Q1_企业引才情况.csv", "p3_enterprise_recruitment")


def health(n: int, unit=lambda i: "区中医院", period=lambda i: "2011Q1", day=lambda i: "2011-04-02") -> list[list]:
    return [HEALTH_HEADER, *[["区卫生局", unit(i), period(i), day(i), 1, 0, 2, 0, 0] for i in range(n)]]


def unknown_units(config, n: int) -> Callable[[], object]:
    return cleaned(config, health(n, unit=lambda i: f"第{i}医院"), "卫生局/卫生局_2011Q1_卫生人才引进.csv", "p5_health_recruitment")


def unreadable_periods(config, n: int) -> Callable[[], object]:
    return cleaned(config, health(n, unit=lambda i: "区中医院" if i == 0 else f"第{i}医院", period=lambda i: f"第{i}期"),
                   "卫生局/卫生局_2011Q1_卫生人才引进.csv", "p5_health_recruitment")


def bad_submission_dates(config, n: int) -> Callable[[], object]:
    return cleaned(config, health(n, day=lambda i: f"四月{i}日"), "卫生局/卫生局_2011Q1_卫生人才引进.csv", "p5_health_recruitment")


def graduates(config, n: int, day=lambda i: "2011-07-01", person=lambda i: f"1101011990{i:08d}") -> Callable[[], object]:
    rows = [[i + 1, f"学生{i}", person(i), "", "本科", "公务员", day(i)] for i in range(n)]
    return cleaned(config, [GRADUATES_HEADER, *rows], "人事局/2011年度本科以上毕业生招录名单.csv", "p8_graduates")


def bad_record_dates(config, n: int) -> Callable[[], object]:
    return graduates(config, n, day=lambda i: f"七月{i}日")


def dates_outside_the_period(config, n: int) -> Callable[[], object]:
    return graduates(config, n, day=lambda i: (pd.Timestamp("1990-01-01") + pd.Timedelta(days=i)).strftime("%Y-%m-%d"))


def people_twice(config, n: int) -> Callable[[], object]:
    return graduates(config, n, person=lambda i: f"1101011990{i // 2:08d}")


FILES = {
    "companies whose short names are completed": companies,
    "a list pasted twice (every name on two rows)": pasted_twice,
    "a different unknown name on every row": unknown_units,
    "a different unreadable period on every row": unreadable_periods,
    "a different unreadable submission date on every row": bad_submission_dates,
    "a different unreadable date on every record": bad_record_dates,
    "a different date outside the period on every record": dates_outside_the_period,
    "every person listed twice": people_twice,
}


@pytest.mark.parametrize("make", FILES.values(), ids=FILES.keys())
def test_reading_grows_with_the_rows_not_their_square(config, make):
    assert_linear(lambda n: make(config, n))


def test_the_count_finds_a_step_per_pair_of_rows():
    """The check itself: a step per pair (the old name completion) is caught, a step per row is not."""
    def pairs(n: int) -> Callable[[], object]:
        names = [f"企业{i}" for i in range(n)]
        return lambda: [n for s in names for n in names if n.startswith(s)]

    def column_scans(n: int) -> Callable[[], object]:
        values = pd.Series([f"企业{i}" for i in range(n)])
        return lambda: [values.index[values == v] for v in values.unique()]

    assert_linear(lambda n: (lambda: [s.startswith("企") for s in [f"企业{i}" for i in range(n)]]))
    for quadratic in (pairs, column_scans):
        with pytest.raises(pytest.fail.Exception):
            assert_linear(quadratic)
