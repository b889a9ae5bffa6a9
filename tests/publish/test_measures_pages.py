"""The pages of the plan's measures and of the departments, as built from the sample data: every
commitment with its anchor, status, evidence and history; the quarterly meeting quarter by
quarter; a page per department with facts by the documented rule; and the downloads.

The sample plan's ids, years and departments are named here on purpose: these tests pin the
sample plan's published figures (config/ and data/raw as shipped), not a property of any plan."""

from __future__ import annotations

import datetime as dt
import html
import json

import pandas as pd
import pytest

from pipeline.analyse.commitments import read_commitments
from pipeline.analyse.departments import STATES, timeliness
from pipeline.basics import paths
from pipeline.publish.measures import commitment_pages
from pipeline.publish.tables import TABLES
from tests.conftest import TODAY


@pytest.fixture(scope="module")
def measures(built):
    return built["outputs"].site.commitments


def page(built, rel: str) -> str:
    return html.unescape((built["site"] / rel / "index.html").read_text(encoding="utf-8"))


def test_every_commitment_has_its_anchor_status_and_the_plans_words_on_its_page(built, measures):
    facts = measures.facts
    assert len(facts.registry.commitments) >= 30  # the plan's §三 and §四 (config/commitments.yml)
    for c in facts.registry.commitments:
        text = page(built, f"measures/{facts.page_of(c)}")
        section = text[text.index(f'id="{c.id}"'):]
        section = section[:section.find("<h", 10)]
        latest = facts.latest_row(c.id)
        assert f"<mark>{c.quote}</mark>" in section, c.id
        assert facts.registry.statuses[latest["status"]].word in section, c.id
        assert c.done_when in section and "进展记录" in section, c.id
        if latest["document_number"]:
            assert latest["document_number"] in section, c.id


def test_the_overview_counts_are_the_latest_forms(built, measures):
    text = page(built, "measures")
    counts = measures.facts.counts()
    registry = measures.facts.registry
    assert f"{len(registry.commitments)} 项措施中，{counts[registry.done]} 项已落实" in text
    assert sum(counts.values()) == len(registry.commitments)
    for status, n in counts.items():
        if n:
            assert f"{registry.statuses[status].word}</span>\n {n} 项" in text
    assert 'id="chart-measures-status"' in text and 'id="chart-measures-history"' in text


def test_the_quarterly_meeting_is_shown_held_or_not_in_each_quarter(built):
    text = page(built, "measures")
    table = text[text.index('id="quarterly-meeting-record"'):]
    table = table[:table.index("</table>")]
    rows = table.split("<tr>")[2:]
    assert [r[r.index(">") + 1:r.index("</th>")] for r in rows][:3] == ["2009年第一季度", "2009年第二季度", "2009年第三季度"]
    assert "没有进展表" in rows[0] and "已开展：<span" in rows[1]
    q1_2010 = next(r for r in rows if r.startswith('<th scope="row">2010年第一季度'))
    assert "未开展" in q1_2010 and "推迟" in q1_2010  # the form's note says why
    assert "已开展 2 次" in next(r for r in rows if "2010年第二季度" in r)


def test_a_page_per_department_with_its_facts(built, measures, config):
    index = page(built, "departments")
    assert "不排名" in index
    for view in measures.departments:
        text = page(built, f"departments/{view['id']}")
        assert view["department"] in index and f'href="{view["id"]}/"' in index
        for target in config.targets:
            assert (f"#{target.id}\"" in text) == (config.department_of(target) == view["department"])
    talent = page(built, "departments/talent-office")
    assert "逾期 6 天" in talent and "2009年第一季度" in talent  # the 2010Q1 form came late; none for 2009Q1
    health = page(built, "departments/health")
    assert "重报 1 次" in health and "9 → 11" in health


def test_timeliness_follows_the_documented_rule(config):
    facts = read_commitments(paths.RAW_DIR, config, paths.PLAN_TEXT.read_text(encoding="utf-8"), TODAY)
    sent = pd.DataFrame([
        {"source_id": "p5_health_recruitment", "period": "2009Q1", "file": "a.csv", "submitted_on": dt.date(2009, 4, 15), "status": "used"},
        {"source_id": "p5_health_recruitment", "period": "2009Q2", "file": "b.csv", "submitted_on": dt.date(2009, 7, 20), "status": "superseded"},
        {"source_id": "p5_health_recruitment", "period": "2009Q2", "file": "c.csv", "submitted_on": dt.date(2009, 7, 1), "status": "used"},
        {"source_id": "p5_health_recruitment", "period": "2009Q3", "file": "d.csv", "submitted_on": None, "status": "used"},
        {"source_id": "p6_rural_training_records", "period": "2009Q1", "file": "e.csv", "submitted_on": dt.date(2009, 4, 16), "status": "used"},
    ])
    corrections = pd.DataFrame(columns=["source_id", "period"])
    rows = timeliness(config, facts, sent, corrections, dt.date(2009, 12, 31)).set_index(["form_id", "period"])
    health = rows.loc["p5_health_recruitment"]
    assert health.loc["2009Q1", "state"] == "on_time" and health.loc["2009Q1", "days_late"] == 0  # due on the 15th
    assert health.loc["2009Q2", "state"] == "on_time" and health.loc["2009Q2", "resubmissions"] == 1  # first file counts
    assert health.loc["2009Q3", "state"] == "undated"
    assert "2009Q4" not in health.index  # due 2010-01-15, after the release
    rural = rows.loc["p6_rural_training|p6_rural_training_records"]  # either form may be sent
    assert rural.loc["2009Q1", "state"] == "late" and rural.loc["2009Q1", "days_late"] == 1
    assert set(rural.loc[["2009Q2", "2009Q3"], "state"]) == {"missing"}
    assert set(rows["state"]) <= set(STATES)


def test_a_period_came_when_files_covering_it_came_and_a_file_set_aside_is_named(config):
    """A year's list sent as two half-year lists came with the second (issue 22: 人事局's 2011 was
    listed as 应报未报); a running total to December brings the fourth quarter; a period with only
    a file set aside (暂不采用/) is received, not used."""
    facts = read_commitments(paths.RAW_DIR, config, paths.PLAN_TEXT.read_text(encoding="utf-8"), TODAY)
    row = lambda source, period, file, day, status="used": {  # noqa: E731
        "source_id": source, "period": period, "file": file, "submitted_on": day, "status": status}
    sent = pd.DataFrame([
        row("p8_graduates", "2011H1", "h1.csv", dt.date(2011, 7, 12)),
        row("p8_graduates", "2011H2", "h2.csv", dt.date(2012, 1, 25)),
        row("p3_enterprise_recruitment", "2011Q1", "q1.csv", dt.date(2011, 4, 10)),
        row("p3_enterprise_recruitment", "2011Q2", "q2.csv", dt.date(2011, 7, 10)),
        row("p3_enterprise_recruitment", "2011M01-M09", "1-9.csv", None, "set_aside"),
        row("p3_enterprise_recruitment", "2011Q4", "q4.csv", dt.date(2012, 1, 12)),
        row("p5_health_recruitment", "2011H1", "h1.csv", dt.date(2011, 7, 12)),
        row("p5_health_recruitment", "2011Q3", "q3.csv", dt.date(2011, 10, 12)),
        row("p5_health_recruitment", "2011", "1-12.csv", dt.date(2012, 1, 16)),
    ])
    rows = timeliness(config, facts, sent, pd.DataFrame(columns=["source_id", "period"]), dt.date(2012, 2, 1))
    rows = rows.set_index(["form_id", "period"])
    graduates = rows.loc[("p8_graduates", "2011")]
    assert graduates["state"] == "late" and graduates["days_late"] == 5 and graduates["resubmissions"] == 0
    assert graduates["files"] == "h1.csv；h2.csv"
    tech = rows.loc["p3_enterprise_recruitment"]
    assert tech.loc["2011Q3", "state"] == "set_aside" and tech.loc["2011Q3", "files"] == "1-9.csv"
    health = rows.loc["p5_health_recruitment"]
    assert health.loc["2011Q4", "state"] == "late" and health.loc["2011Q4", "files"] == "1-12.csv"  # due 15 January
    assert health.loc["2011Q3", "files"] == "q3.csv"  # its own file, not the running total that contains it
    assert health.loc["2011Q1", "state"] == "late" and health.loc["2011Q1", "files"] == "h1.csv"  # came with the half-year


def test_the_measures_downloads_are_documented_csv_and_json(built):
    data = built["site"] / "data"
    downloads = page(built, "downloads")
    for name, table in TABLES.items():
        if not table.json:
            continue
        records = json.loads((data / f"{name}.json").read_text(encoding="utf-8"))
        frame = pd.read_csv(data / f"{name}.csv", encoding="utf-8-sig")
        assert len(records) == len(frame) > 0 and list(records[0]) == list(table.columns)
        assert f"{name}.json" in downloads
    status = json.loads((data / "commitment_status.json").read_text(encoding="utf-8"))
    assert {r["quarter"] for r in status} == {"2009Q2", "2009Q3", "2009Q4", "2010Q1", "2010Q2", "2010Q3", "2010Q4"}
    assert all(r["quarter_end"] is None or len(r["quarter_end"]) == 10 for r in status)


def test_the_methodology_explains_the_reading_from_the_registry(built, measures):
    text = page(built, "methodology")
    registry = measures.facts.registry
    assert 'id="measures"' in text and 'id="departments-rule"' in text
    assert f"共 {len(registry.commitments)} 项" in text
    for passage in registry.not_a_commitment:
        assert passage.text in text and passage.reason in text
    for status in registry.statuses.values():
        assert status.meaning in text
    assert "本站不计算其进度" not in text


def test_the_measures_charts_have_their_pages_and_link_back(built):
    for chart_id in ("measures-status", "measures-history"):
        text = page(built, f"charts/{chart_id}")
        assert 'href="../../measures/"' in text and "主要措施和组织领导工作进展表" in text


def test_a_commitment_is_found_by_search(built):
    index = json.loads((built["site"] / "search" / "search_index.json").read_text(encoding="utf-8"))
    # the search splits Chinese into words with zero-width spaces; each commitment is its own entry
    titles = {d["location"]: d["title"].replace("\u200b", "") for d in index["docs"]}
    assert titles["measures/s3-4/#talent-apartments"] == "人才公寓"
    assert titles["measures/s4/#quarterly-meeting"] == "领导小组季度例会"


def test_with_no_status_form_yet_every_commitment_is_unreported_and_the_pages_say_so(config, tmp_path):
    from pipeline.build import analyse, load_site_settings, read_and_check
    from tests.conftest import copy_raw

    raw = copy_raw(tmp_path, ["卫生局"])
    dataset, problems = read_and_check(raw, config, TODAY)
    facts = read_commitments(raw, config, paths.PLAN_TEXT.read_text(encoding="utf-8"), TODAY)
    assert facts.latest is None and facts.problems == []
    site = analyse(config, dataset, problems, "", load_site_settings(), facts)
    pages = commitment_pages(site)
    registry = facts.registry
    assert f"{len(registry.commitments)} 项" in pages["measures/index.md"] and "尚无进展表" in pages["measures/index.md"]
    assert [c.chart_id for c in site.commitments.charts] == ["measures-status"]
    assert "尚无进展表。" in pages["measures/s4.md"]
    talent = next(d for d in site.commitments.departments if d["department"] == registry.form.department)
    # its yearly list of 2009, and every status form due by the release date (2011-01-08: not 2010Q4's)
    assert talent["missing"] == ["2009年"] + [f"{y}年第{q}季度" for y in (2009, 2010) for q in "一二三四"][:7]


def test_the_measures_charts_count_what_the_forms_say(measures):
    """The status chart's bars are the latest quarter's counts of every status shown; the history
    chart has a bar part per quarter and status, summing to the commitments in each quarter."""
    from pipeline.charts.measures import commitment_charts

    facts = measures.facts
    charts = {c.chart_id: c for c in commitment_charts(facts)}
    status = charts["measures-status"].data
    counts = facts.counts()
    assert int(status["count"].sum()) == len(facts.registry.commitments) == sum(counts.values())
    assert sorted(status["count"].tolist()) == sorted(n for s, n in counts.items() if n or s != facts.registry.not_reported)
    history = next(c for cid, c in charts.items() if cid != "measures-status").data  # a row per quarter
    quarters = facts.data.quarters
    per_quarter = history.drop(columns=["quarter_zh"]).sum(axis=1).tolist()
    assert len(quarters) > 1 and per_quarter == [len(facts.registry.commitments)] * len(quarters)
