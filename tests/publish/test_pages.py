"""Pages from the analysis, without a build: addresses and links, escaping, and what each page and
chart page says, read from the analysis and nowhere else."""

from __future__ import annotations

import re

import pytest

from pipeline.analyse.analysis import analyse
from pipeline.charts.targets import all_charts
from pipeline.generator.mkdocs import load_site_settings
from pipeline.publish.opendata import chart_csv
from pipeline.publish.pages import home_page, programme_page
from pipeline.publish.render import markdown_escape
from pipeline.publish.share import chart_footers, chart_source, citations
from pipeline.publish.site import Site, page_url, relative


@pytest.fixture(scope="module")
def site(config, sample):
    analysis = analyse(config, sample, sample.problems)
    return Site(analysis=analysis, charts=all_charts(analysis), plan_text="", settings=load_site_settings())


@pytest.mark.parametrize(("md", "url"), [("index.md", ""), ("programmes/p1.md", "programmes/p1/"),
                                         ("charts/p1-overview/index.md", "charts/p1-overview/")])
def test_page_addresses(md, url):
    assert page_url(md) == url


@pytest.mark.parametrize(("page", "to", "link"), [
    ("index.md", "programmes/p1/", "programmes/p1/"),
    ("programmes/p1.md", "charts/p1-overview/figure.svg", "../../charts/p1-overview/figure.svg"),
    ("charts/p1-overview/index.md", "", "../../"),
])
def test_links_are_relative_so_the_site_works_in_any_folder(page, to, link):
    assert relative(page, to) == link


def test_markdown_punctuation_from_data_is_literal():
    assert markdown_escape("[链接](x) *强调*") == r"\[链接\]\(x\) \*强调\*"


def test_the_home_page_counts_come_from_the_analysis(site):
    page = home_page(site)
    analysis = site.analysis
    assert f"{len(analysis.headlines)} 项目标中，{analysis.good_count} 项已完成或进度正常" in page
    legend = re.sub(r"\s+", " ", page.split('class="status-legend"')[1].split("</ul>")[0])
    for status, count in analysis.status_counts.items():
        listed = status in analysis.listed_statuses  # a status of the plan's phase, or one with targets in it
        assert (f"{site.config.method.status(status).word}</span> {count} 项" in legend) == listed, status
        assert listed or count == 0
    assert "incomplete" not in analysis.listed_statuses  # while the plan runs, 数据未报齐 only when it has targets


def test_a_programme_page_shows_each_targets_headline_reason(site):
    page = programme_page(site, "p7")
    assert len(site.config.targets_of("p7")) >= 2
    for target in site.config.targets_of("p7"):
        assert site.analysis.headline(target.id)["reason_zh"] in page


def test_chart_numbers_keep_whole_numbers_whole(site):
    table = chart_csv(site.chart("p5-bachelors-progress"))
    assert table["完成数（名）"].dropna().map(type).eq(int).all()


def test_footers_and_citations_carry_the_charts_own_date_and_address(site):
    chart = site.chart("p4-provincial-special-grade-progress")
    footer = chart_footers(site)[chart.chart_id]
    assert footer[1].startswith(chart.as_of_text) and chart.chart_id in footer[1]
    assert chart.as_of_text in citations(site, chart)["sentence"]
    assert "《名特优教师培养情况统计表》" in chart_source(site, chart)
    assert "等" in chart_source(site, site.chart("home-status"))


def test_the_home_and_releases_pages_link_the_ended_plans_archives(site):
    """After make new-plan (pipeline/new_plan.py): the ended plan, newest first, at /plans/<id>/."""
    import dataclasses
    import datetime as dt

    from pipeline.archive.plans import EndedPlan
    from pipeline.publish.pages import releases_page

    ended = [EndedPlan(id=f"{y}-{y + 2}", title=f"第{n}个规划", site_name="某站", start=dt.date(y, 1, 1),
                       end=dt.date(y + 2, 12, 31), archived_on=dt.date(y + 3, 2, 1)).for_pages("plans")
             for n, y in ((1, 2000), (2, 2003))]
    earlier = dataclasses.replace(site, settings={**site.settings, "earlier_plans": ended})
    home = home_page(earlier)
    assert home.index('href="plans/2003-2005/">《第2个规划》（2003–2005年）') < home.index('href="plans/2000-2002/">《第1个规划》')
    assert "2005年12月31日结束后的最终结果，2006年2月1日存档" in home
    assert '<a href="../plans/2003-2005/releases/">《第2个规划》（2003–2005年）的历次发布</a>' in releases_page(earlier)
    assert "往期规划" not in home_page(site) and "往期规划" not in releases_page(site)
