"""Reporting periods: every wording a department may use is read completely, to its exact months,
or refused with a reason. A table of accepted wordings, one of refused ones, and properties that
hold for any run of months and any decoration of its name."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.basics.periods import Period, PeriodError, Statement, read_statement

Q = Period.quarter_of
YEAR = Period.whole_year


def parse_period(text: object) -> Period:
    """The period a text names completely; PeriodError if it names none or is not understood."""
    statement = read_statement(text)
    period = statement.period()
    if period is None:
        raise PeriodError("找不到年份" if statement.months is None else "只写了季度或月份，没有年份")
    return period


@pytest.mark.parametrize(
    ("text", "period"),
    [
        # quarters, as the shipped files write them
        ("2009Q1", Q(2009, 1)), ("2009q4", Q(2009, 4)), ("2009 Q2", Q(2009, 2)), ("2009-Q3", Q(2009, 3)),
        ("Q3 2011", Q(2011, 3)), ("2009年第一季度", Q(2009, 1)), ("2010年一季度", Q(2010, 1)),
        ("2010年四季度", Q(2010, 4)), ("2009年第3季度", Q(2009, 3)), ("2011年第二季", Q(2011, 2)),
        ("2009年1-3月", Q(2009, 1)), ("2009年4月-6月", Q(2009, 2)), ("2009年10月至12月", Q(2009, 4)),
        ("2011年7—9月", Q(2011, 3)), ("2011年7~9月份", Q(2011, 3)), ("２０１０年第二季度", Q(2010, 2)),
        ("2011年1月1日至3月31日", Q(2011, 1)), ("2011-04-01至2011-06-30", Q(2011, 2)),
        ("2011年第一季度季报", Q(2011, 1)), ("2011年农村实用人才培训情况统计表（第一季度）", Q(2011, 1)),
        # half-years
        ("2011年上半年", Period(2011, 1, 6)), ("2011年度下半年", Period(2011, 7, 12)), ("2011H1", Period(2011, 1, 6)),
        ("2011年1-6月", Period(2011, 1, 6)), ("2011年前两季度", Period(2011, 1, 6)), ("2011年上半年半年报", Period(2011, 1, 6)),
        # other runs of months, running totals from January
        ("2011年前三季度", Period(2011, 1, 9)), ("2011年1-9月累计", Period(2011, 1, 9)),
        ("2011年截至9月底", Period(2011, 1, 9)), ("2011年截至9月末累计", Period(2011, 1, 9)),
        ("截至2011年9月30日累计", Period(2011, 1, 9)), ("2011年截止到9月", Period(2011, 1, 9)),
        ("2011年1-3季度", Period(2011, 1, 9)), ("2011年第二至第三季度", Period(2011, 4, 9)),
        ("2011年4-9月累计", Period(2011, 4, 9)), ("2011年截至2月28日", Period(2011, 1, 2)),
        ("2011年3月", Period(2011, 3, 3)), ("2011年3月份", Period(2011, 3, 3)), ("2011年十二月", Period(2011, 12, 12)),
        ("2011年3月月报", Period(2011, 3, 3)),
        # years
        ("2009年", YEAR(2009)), ("2009年度", YEAR(2009)), ("2011年全年", YEAR(2011)), ("2011年全年累计", YEAR(2011)), ("2010", YEAR(2010)),
        (2010, YEAR(2010)), (2010.0, YEAR(2010)), ("2011年度年报", YEAR(2011)),
        # whole names and titles
        ("卫生局_2010Q3_卫生人才引进（更正）", Q(2010, 3)), ("卫生局_2011Q1_卫生人才引进 (1)", Q(2011, 1)),
        ("卫生局_2011Q1_卫生人才引进 - 副本", Q(2011, 1)), ("人社局_技能人才_2009年10-12月", Q(2009, 4)),
        ("2009年度本科以上毕业生招录名单", YEAR(2009)), ("2011年上半年优秀创新创业人才认定名单", Period(2011, 1, 6)),
        ("2010年度优秀创新创业人才认定名单 填报单位：组织部 填报日期：2011年1月10日", YEAR(2010)),
        ("2010年第一季度农村实用人才培训情况统计表（单位：人次）", Q(2010, 1)),
        ("科技局_2011年1-9月累计_企业引才情况_20111012", Period(2011, 1, 9)),
    ],
)
def test_every_accepted_wording_reads_to_its_exact_months(text, period):
    assert parse_period(text) == period


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2011年第三季度累计", "累计"),  # the quarter's flow, or January to September?
        ("2011年上旬", "旬"),
        ("2011年第3周", "周"),
        ("2011年上半年季报", "季报"),
        ("2011年10月-2012年3月", "2 个年份"),
        ("2010-2011年度", "2 个年份"),
        ("2011年截至9月15日", "不是月末"),
        ("2011年1月10日至3月31日", "不是整月"),
        ("2011年第一季度（上半年）", "不同的报送期"),
        ("2011年9-3月", "月份范围"),
        ("2011年13月", "月"),
        ("2011年Q5", "Q5"),
        ("上半年2011年第一季度", "不同的报送期"),
        ("2010年3月2011年", "2 个年份"),  # not the date 2010年3月20日 and a stray 11年
        ("2099年1-2月2100年", "2100年"),  # a year the reader does not take for one is not passed over
        ("2011年第四季度（近3年）", "3年"),
    ],
)
def test_wordings_not_fully_understood_are_refused_with_the_reason(text, reason):
    with pytest.raises(PeriodError) as err:
        read_statement(text)
    assert reason in str(err.value)


@pytest.mark.parametrize(
    ("text", "statement"),
    [
        ("", Statement(None, None)), (None, Statement(None, None)), ("认定名单", Statement(None, None)),
        ("Sheet1", Statement(None, None)), ("填报日期：2011年1月10日", Statement(None, None)),
        ("第一季度统计表", Statement(None, (1, 3))), ("上半年", Statement(None, (1, 6))),
    ],
)
def test_texts_that_name_no_year_say_only_their_months(text, statement):
    assert read_statement(text) == statement
    with pytest.raises(PeriodError):
        parse_period(text)


months = st.integers(min_value=1, max_value=12)


@st.composite
def periods(draw):
    year = draw(st.integers(min_value=2000, max_value=2099))
    first = draw(months)
    return Period(year, first, draw(st.integers(min_value=first, max_value=12)))


@given(periods())
def test_every_run_of_months_round_trips_through_its_labels(period):
    assert Period.from_label(period.label) == period
    assert parse_period(period.label_zh) == period
    assert parse_period(f"{period.year}年{period.first_month}-{period.last_month}月") == period
    assert period.start.day == 1 and (period.end + dt.timedelta(days=1)).day == 1
    assert period.months == (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1


@given(periods(), st.sampled_from(["{}", "卫生局_{}_卫生人才引进", "{}统计表（单位：人次）", "{}（更正）", "{} (1)",
                                   "{} - 副本", "{}表 填报日期：2012年1月10日"]))
def test_a_period_reads_the_same_inside_any_file_name_or_title(period, decoration):
    assert parse_period(decoration.format(period.label_zh)) == period
    assert parse_period(decoration.format(period.label)) == period


@given(periods(), st.sampled_from(["上旬", "第3周", "累计（季度）", "another year"]))
def test_a_period_with_words_it_does_not_understand_is_refused_never_read_as_something_else(period, extra):
    """A word that would change the span (a part of a month, a week, a running total of unclear
    reach, a second year) refuses the text: it is never read as the period, nor as another."""
    extra = f"{period.year + 1}年" if extra == "another year" else extra
    with pytest.raises(PeriodError):
        parse_period(f"{period.label_zh}{extra}")


@given(periods(), st.sampled_from(["（更正）", "报表", "统计表", "（单位：人次）"]))
def test_words_that_say_nothing_of_the_span_leave_the_period_as_it_is(period, extra):
    assert parse_period(f"{period.label_zh}{extra}") == period


def test_periods_order_by_when_they_end_then_start():
    assert sorted([YEAR(2010), Q(2009, 4), Q(2010, 1), YEAR(2009), Period(2010, 1, 6)]) == [
        YEAR(2009), Q(2009, 4), Q(2010, 1), Period(2010, 1, 6), YEAR(2010)]


@pytest.mark.parametrize(("period", "label", "label_zh"), [
    (YEAR(2011), "2011", "2011年"), (Q(2011, 3), "2011Q3", "2011年第三季度"),
    (Period(2011, 7, 12), "2011H2", "2011年下半年"), (Period(2011, 1, 9), "2011M01-M09", "2011年1-9月"),
    (Period(2011, 5, 5), "2011M05", "2011年5月"),
])
def test_labels(period, label, label_zh):
    assert (period.label, period.label_zh) == (label, label_zh)
