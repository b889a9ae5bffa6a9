"""The second plan, shipped as an example plan folder (examples/plan-2012-2015: a made-up
2012-2015 plan, sample data), built from its folder alone, with golden figures worked out BY HAND
from its sample files (the files are written by scripts/sample_plan_2012_2015.py; every sum below
was done from the files as they read, not from the script).

The build is made as of 20 August 2013 (the 2013Q2 files in, the plan running: pace statuses), and
the analysis again as of the tests' day (2026: the plan over, so no pace word, and every result
without its last figures incomplete)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from pipeline.analyse.analysis import analyse
from pipeline.basics import paths
from pipeline.combine.dataset import combine
from pipeline.config import load_config
from pipeline.ingest.files import read_all
from tests.conftest import TODAY, made_once, shared_images

PLAN = paths.ROOT / "examples" / "plan-2012-2015"
AUGUST_2013 = dt.date(2013, 8, 20)

#: The tests share one build of the second plan (made_once): see conftest.pytest_collection_modifyitems.
pytestmark = pytest.mark.shares_build("second-plan")


@pytest.fixture(scope="module")
def plan_paths(tmp_path_factory):
    """The paths a build of the second plan reads (what PLAN_DIR=examples/plan-2012-2015 sets)."""
    saved = {k: getattr(paths, k) for k in ("CONFIG_DIR", "RAW_DIR", "PLAN_TEXT", "RELEASES_DIR")}
    paths.CONFIG_DIR, paths.RAW_DIR = PLAN / "config", PLAN / "data" / "raw"
    paths.PLAN_TEXT, paths.RELEASES_DIR = PLAN / "data" / "plan" / "strategy.zh.txt", PLAN / "data" / "releases"
    yield
    for k, v in saved.items():
        setattr(paths, k, v)


def _build_second(root: Path) -> dict:
    """The second plan built from its folder alone (what PLAN_DIR=examples/plan-2012-2015 reads)."""
    from pipeline.build import build

    build(PLAN / "data" / "raw", root / "site", config_dir=PLAN / "config", today=AUGUST_2013,
          plan_text_file=PLAN / "data" / "plan" / "strategy.zh.txt", keep_docs=root / "docs",
          cache_dir=shared_images(root / "cache"), releases_dir=root / "releases")
    rows = list(csv.DictReader((root / "site" / "data" / "target_progress.csv").open(encoding="utf-8-sig")))
    return {"site": root / "site",
            "progress": {(r["target_id"], r["scope"]): r for r in rows},
            "headline": {r["target_id"]: r for r in rows if r["is_headline"] == "True"}}


@pytest.fixture(scope="module")
def second(tmp_path_factory):
    return made_once(tmp_path_factory, "second-plan", _build_second)


def _num(text: str) -> float:
    return float(text)


def approx(value: float):
    """The published CSVs keep fractions to 4 decimals (tables.rounded)."""
    return pytest.approx(value, abs=1e-4)


def test_the_sample_plan_is_marked_as_sample_everywhere():
    assert (PLAN / "data" / "plan" / "strategy.zh.txt").read_text(encoding="utf-8").startswith("示例数据")
    assert "示例数据" in (PLAN / "data" / "raw" / "README.md").read_text(encoding="utf-8")
    assert "sample_data: true" in (PLAN / "config" / "plan.yml").read_text(encoding="utf-8")


def test_count_targets_by_hand(second):
    p = second["progress"]
    # cumulative, 科学技术局 企业引才情况 (高层次创新创业人才), six quarterly CSVs:
    #   2012Q1 (UTF-8 BOM): 宏达 "3人" + 瑞丰 2 + 金陵 blank(0) = 5
    #   2012Q2: 4 + "6人" + 2 = 12;  2012Q3 (GBK): 5 + 3 + "4人" = 12
    #   2012Q4 (GBK): 6 + 7 + 5 = 18 (its 合计 row, 18, is a check, not counted)
    #   2013Q1 ("2013年1-3月"): 宏达 "４" (full-width) + 5 = 9;  2013Q2: 8 + "6人" = 14
    #   total 5+12+12+18+9+14 = 70 of 200; 18 of 48 months: expected 200 × 18/48 = 75; pace 70/75 = 0.933
    talents = p[("gaoceng-talents", "2012-2015")]
    assert int(talents["result_value"]) == 70
    assert _num(talents["expected_value"]) == approx(75)
    assert _num(talents["pace_ratio"]) == approx(70 / 75)
    assert talents["status"] == "behind"
    assert _num(talents["projected_value"]) == approx(70 / 0.375)
    # annual, 科技人才团队 (blank = none, "1个", "—" = none):
    #   2012: Q1 1+0+0, Q2 0+1+0, Q3 1+1+0, Q4 0+1+1 = 1+1+2+2 = 6 ≥ 5: achieved, final
    #   2013: Q1 1 + "—" = 1, Q2 1 + blank = 1: 2 of an expected 2.5 (half the year): pace 0.8, behind
    assert int(p[("gaoceng-teams", "2012")]["result_value"]) == 6
    assert p[("gaoceng-teams", "2012")]["status"] == "achieved" and p[("gaoceng-teams", "2012")]["final"] == "True"
    teams_2013 = p[("gaoceng-teams", "2013")]
    assert int(teams_2013["result_value"]) == 2 and _num(teams_2013["pace_ratio"]) == approx(0.8)
    assert second["headline"]["gaoceng-teams"]["scope"] == "2013"
    # annual, 人社局 技能人才 本季新培养 of 高级工 + 技师 + 高级技师 (four CSVs of 2012, GBK):
    #   Q1 110+12+3 = 125, Q2 150+20+5 = 175, Q3 180+25+5 = 210, Q4 230+30+10 = 270: 780 < 800
    #   2012 missed (final), so the plan's row ("每年") is missed and is the headline
    assert int(p[("jineng-new", "2012")]["result_value"]) == 780 and p[("jineng-new", "2012")]["status"] == "missed"
    assert second["headline"]["jineng-new"]["scope"] == "2012-2015"
    assert second["headline"]["jineng-new"]["status"] == "missed"
    # annual, 农业局 培训农村实用人才（人次）, xlsx with a title, short town names and a 合计 row:
    #   2012: 1,950 + 2,900 + 3,150 + 2,730 = 10,730 ≥ 10,000: achieved
    #   2013: Q1 500+420+350+480 = 1,750; Q2 760+690+600+750 = 2,800; 4,550 of 5,000 expected: 0.91
    assert int(p[("xiangtu-training", "2012")]["result_value"]) == 10730
    assert p[("xiangtu-training", "2012")]["status"] == "achieved"
    assert int(p[("xiangtu-training", "2013")]["result_value"]) == 4550
    assert _num(p[("xiangtu-training", "2013")]["pace_ratio"]) == approx(0.91)
    # cumulative from a yearly xlsx, 教育局 2012: 中学 32 + 小学 28 + 幼儿园 9 + 职校 6 = 75 (合计 75
    #   not counted); 12 of 48 months: expected 75, pace 1.00: on track
    teachers = p[("mingshi-teachers", "2012-2015")]
    assert int(teachers["result_value"]) == 75 and teachers["status"] == "on_track"
    # cumulative from a list (人社局毕业生 2012, one row per person): 14 rows, 2 of them 本科/本科生
    #   (not 硕士研究生以上): 12 of 60; expected 15; pace 0.8
    graduates = p[("biyesheng-postgraduates", "2012-2015")]
    assert int(graduates["result_value"]) == 12 and _num(graduates["pace_ratio"]) == approx(0.8)


def test_level_share_and_ratio_targets_by_hand(second):
    p = second["progress"]
    # level, 人社局 季末持证人数 of 高级工 + 技师 + 高级技师 (levels, never summed over quarters):
    #   end of 2012Q1: 5,100 + 560 + 140 = 5,800 (baseline); end of 2013Q2: 6,020 + 680 + 170 = 6,870
    #   gap closed 1,070 / (12,000 − 5,800) = 0.1726 in 15 of the 45 months after the baseline (1/3):
    #   pace 0.518, well behind; projected 5,800 + 1,070 × 3 = 9,010
    stock = p[("jineng-stock", "2012-2015")]
    assert stock["kind"] == "level"
    assert _num(stock["baseline_value"]) == 5800 and _num(stock["result_value"]) == 6870
    assert _num(stock["completion_pct"]) == approx(1070 / 6200 * 100)
    assert _num(stock["pace_ratio"]) == approx(1070 / 6200 * 3)
    assert stock["status"] == "well_behind" and _num(stock["projected_value"]) == approx(9010)
    # end_state share of the same stock: all five levels at the end of 2012Q1:
    #   9,000 + 14,000 + 5,100 + 560 + 140 = 28,800 -> 5,800 / 28,800 = 20.139%;
    #   2013Q2: 9,530 + 14,700 + 6,020 + 680 + 170 = 31,100 -> 6,870 / 31,100 = 22.090%;
    #   gap closed (22.090 − 20.139) / (30 − 20.139) = 0.198, pace 0.594 (< 0.60): well behind
    share = p[("jineng-share", "2012-2015")]
    assert _num(share["baseline_value"]) == approx(5800 / 28800 * 100)
    assert _num(share["result_value"]) == approx(6870 / 31100 * 100)
    assert share["status"] == "well_behind"
    # level from a yearly xlsx, 人才办 2012年度全区人才资源统计表 (年末人数（人）, thousands separators):
    #   4,200 + 18,600 + 36,800 + 30,705 + 12,300 + 1,395 = 104,000 (its 合计 row agrees, not counted);
    #   one figure: no trend yet
    total = p[("ziyuan-total", "2012-2015")]
    assert _num(total["result_value"]) == 104000 and total["status"] == "behind" and "只有一期数据" in total["reason_zh"]
    # ratio of two departments' yearly forms: 人才办's 104,000 over 统计局's 年末常住人口 2012 (GBK, 西城
    #   for 西城街道): 152,000 + 138,000 + 96,000 + 84,000 + 102,000 + 88,000 + 71,000 + 69,000 = 800,000
    #   (全区合计 not counted): 104,000 / 800,000 × 10,000 = 1,300 per 10,000 (target 1,500)
    density = p[("ziyuan-density", "2012-2015")]
    assert density["kind"] == "ratio" and _num(density["result_value"]) == approx(1300)
    series = list(csv.DictReader((second["site"] / "data" / "target_series.csv").open(encoding="utf-8-sig")))
    [row] = [r for r in series if r["target_id"] == "ziyuan-density"]
    assert (row["numerator"], row["denominator"], row["period"]) == ("104000", "800000", "2012")


def test_home_page_counts_and_addresses(second):
    site = second["site"]
    statuses = [r["status"] for r in second["headline"].values()]
    # headlines: on track mingshi-teachers; behind gaoceng-talents, gaoceng-teams (2013), ziyuan-total,
    # ziyuan-density, xiangtu-training (2013), biyesheng-postgraduates; well behind jineng-stock,
    # jineng-share; missed jineng-new
    assert len(statuses) == 10
    assert {s: statuses.count(s) for s in set(statuses)} == {"on_track": 1, "behind": 6, "well_behind": 2, "missed": 1}
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "10 项目标中，1 项已完成或进度正常" in home
    for address in ["programmes/gaoceng/", "programmes/jineng/", "programmes/ziyuan/", "programmes/xiangtu/",
                    "programmes/mingshi/", "programmes/biyesheng/", "charts/jineng-stock-progress/",
                    "charts/ziyuan-density-trajectory/", "charts/ziyuan-overview/", "measures/s3-1/", "measures/s4/",
                    "methodology/", "departments/"]:
        assert (site / address / "index.html").is_file(), address
    ziyuan = (site / "programmes" / "ziyuan" / "index.html").read_text(encoding="utf-8")
    assert "规划期末比率（每万）目标" in ziyuan and "规划期末总量目标" in ziyuan
    assert "年末人才资源总量" in ziyuan and "年末常住人口" in ziyuan  # the ratio's table names both
    assert "统计局_2012年末常住人口.csv，第 2–9 行" in ziyuan  # and cites the denominator's file and rows
    methodology = (site / "methodology" / "index.html").read_text(encoding="utf-8")
    assert "五类目标" in methodology and "规划期末比率目标" in methodology
    assert "年末人才资源总量 ÷ 年末常住人口 × 10,000" in methodology


def test_after_the_plan_no_pace_word_and_final_only_when_complete(plan_paths):
    config = load_config(PLAN / "config")
    results, problems = read_all(PLAN / "data" / "raw", config, TODAY)
    analysis = analyse(config, combine(results, problems, config), problems, released_on=TODAY)
    h = analysis.headlines.set_index("target_id")
    assert analysis.plan_over
    assert h.loc["jineng-new", "status"] == "missed" and h.loc["jineng-new", "final"]
    others = h.drop(index="jineng-new")
    assert set(others["status"]) == {"incomplete"} and not others["final"].any()
    assert analysis.headline_zh == "规划期已结束：10 项目标中，0 项达到目标，1 项未达到，9 项数据未报齐"
    for kind_target in ("jineng-stock", "ziyuan-total", "ziyuan-density"):
        reason = h.loc[kind_target, "reason_zh"]
        assert not any(w in reason for w in ("进度正常", "时间进度", "照此")), reason
        assert "2015年" in h.loc[kind_target, "missing_periods"] or "2015" in h.loc[kind_target, "missing_periods"]
