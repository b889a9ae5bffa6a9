"""The kinds of target judged by a level at the plan's end, beside the first plan's share
(end_state): a stock's level (kind: level, 全区人才资源总量达到N人) and a ratio per N of two
indicators, possibly of two departments' forms (kind: ratio, 每万人口人才资源数). Hand-made
series on the first plan's configuration with two such targets added; the second plan's golden
figures are in tests/top/test_second_plan.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline.analyse.progress import target_progress
from pipeline.analyse.series import aggregate, all_series, series_table
from pipeline.basics.periods import Period
from pipeline.config import ConfigError, Indicator, Source, Target, load_config

D = dt.date
STOCK = "p7_skilled_workers_certified"  # 期末累计持证技能人才, quarterly (人社局)
POPULATION = "population_year_end"  # added here: 年末常住人口, yearly, by town


@pytest.fixture(scope="module")
def kinds_config(config):
    level = Target.model_validate({
        "id": "p7-technician-stock", "programme": "p7", "name": "技师和高级技师总量", "unit": "名", "value": 100,
        "kind": "level", "measure": {"indicator": STOCK, "breakdown": ["技师", "高级技师"]},
        "sentence": "到规划期末，全区技师和高级技师总量达到100名。"})
    ratio = Target.model_validate({
        "id": "p7-skilled-per-10k", "programme": "p7", "name": "每万人口技能人才数", "unit": "名", "value": 700,
        "kind": "ratio", "measure": {"indicator": STOCK, "per": {"indicator": POPULATION, "scale": 10000}},
        "sentence": "每万人口中技能人才达到700名。"})
    population = Indicator(name="年末常住人口", unit="名", measure_type="stock", breakdown="towns", plausible_max=10_000_000)
    source = Source.model_validate({
        "name": "常住人口统计表", "department": "区委农村工作办公室", "folder": "统计局", "files": "*.csv",
        "frequency": "yearly", "due_days": 60, "layout": "table", "header": {"contains": "街镇"},
        "period": ["filename"], "breakdown": "街镇", "values": {"年末常住人口": POPULATION}})
    return dataclasses.replace(config, targets=(*config.targets, level, ratio),
                               indicators={**config.indicators, POPULATION: population},
                               sources={**config.sources, "population": source})


def _obs(rows):
    """rows: (indicator, period label, breakdown, value)."""
    frame = pd.DataFrame([{"indicator": i, "period": p, "breakdown": b, "value": v} for i, p, b, v in rows],
                         columns=["indicator", "period", "breakdown", "value"])
    frame["period_start"] = frame["period"].map(lambda p: Period.from_label(p).start)
    frame["period_end"] = frame["period"].map(lambda p: Period.from_label(p).end)
    return frame


def _subs(rows):
    """rows: (indicator, period label, source id): the files that reported them."""
    out = []
    for indicator, label, source_id in rows:
        period = Period.from_label(label)
        out.append({"status": "used", "indicators": indicator, "period": label, "coverage_start": period.start,
                    "coverage_end": period.end, "submitted_on": None, "source_id": source_id, "file": f"x/{label}.csv"})
    return pd.DataFrame(out, columns=["status", "indicators", "period", "coverage_start", "coverage_end",
                                      "submitted_on", "source_id", "file"])


def _progress(config, target_id, obs_rows, sub_rows, release):
    target = config.target(target_id)
    series = all_series(dataclasses.replace(config, targets=(target,)), aggregate(_obs(obs_rows)))[target_id]
    return target_progress(config, target, series, _subs(sub_rows), release)


def _stock(label, technicians, others=900):
    return [(STOCK, label, "技师", technicians), (STOCK, label, "初级工", others)]


QUARTERS_2009_2011 = [f"{y}Q{q}" for y in (2009, 2010, 2011) for q in (1, 2, 3, 4)]


def test_a_level_is_the_latest_stock_and_its_pace_the_gap_closed(kinds_config):
    # 40 at the end of 2009Q1, 70 at the end of 2010Q1; target 100: half the gap closed in 12 of 33 months
    [p] = _progress(kinds_config, "p7-technician-stock", _stock("2009Q1", 40) + _stock("2010Q1", 70),
                    [(STOCK, "2009Q1", "p7_skilled_workers"), (STOCK, "2010Q1", "p7_skilled_workers")], D(2010, 4, 10))
    assert p.kind == "level" and p.result_value == 70 and p.baseline_value == 40  # levels, never summed (110)
    assert p.completion_pct == pytest.approx(50)
    assert p.pace_ratio == pytest.approx(0.5 / (12 / 33)) and p.status == "on_track"
    assert p.projected_value == pytest.approx(40 + 30 / (12 / 33))
    assert p.figure_zh == "2010年第一季度末 70名（目标不低于 100名）"


def test_a_level_reached_is_achieved_while_the_plan_runs(kinds_config):
    [p] = _progress(kinds_config, "p7-technician-stock", _stock("2009Q1", 40) + _stock("2010Q2", 104),
                    [(STOCK, "2009Q1", "p7_skilled_workers"), (STOCK, "2010Q2", "p7_skilled_workers")], D(2010, 7, 10))
    assert p.status == "achieved" and not p.final and "需保持到规划期末" in p.reason_zh


def test_a_level_after_the_plan_is_final_only_with_the_last_quarter_and_never_paced(kinds_config):
    quarters = QUARTERS_2009_2011
    rows = [r for i, q in enumerate(quarters) for r in _stock(q, 40 + 3 * i)]  # 40 … 73 at the end of 2011
    subs = [(STOCK, q, "p7_skilled_workers") for q in quarters]
    # the last quarter's file has not come: incomplete, no pace word, the quarter named
    [p] = _progress(kinds_config, "p7-technician-stock", rows[:-2], subs[:-1], D(2012, 2, 1))
    assert p.status == "incomplete" and not p.final and p.over and p.missing_periods == "2011Q4"
    assert p.pace_ratio is None and p.projected_value is None
    assert not any(w in p.reason_zh for w in ("进度正常", "时间进度", "照此")), p.reason_zh
    # with it: missed, final
    [p] = _progress(kinds_config, "p7-technician-stock", rows, subs, D(2012, 2, 1))
    assert p.status == "missed" and p.final and p.result_value == 73 and "未达到目标" in p.reason_zh


def test_a_ratio_divides_two_forms_levels_at_the_dates_both_were_reported(kinds_config):
    rows = (_stock("2009Q4", 100, others=29_900) + _stock("2010Q1", 100, others=31_000)
            + [(POPULATION, "2009", "东城街道", 300_000), (POPULATION, "2009", "北山镇", 200_000)])
    subs = [(STOCK, "2009Q4", "p7_skilled_workers"), (STOCK, "2010Q1", "p7_skilled_workers"),
            (POPULATION, "2009", "population")]
    config = kinds_config
    target = config.target("p7-skilled-per-10k")
    series = all_series(dataclasses.replace(config, targets=(target,)), aggregate(_obs(rows)))[target.id]
    # 30,000 skilled workers / 500,000 residents × 10,000 = 600 at the end of 2009; 2010Q1 has no population
    assert series[["period", "numerator", "denominator"]].to_dict("records") == [
        {"period": "2009Q4", "numerator": 30_000, "denominator": 500_000}]
    assert series["value"].iloc[0] == pytest.approx(600)
    table = series_table(dataclasses.replace(config, targets=(target,)), {target.id: series})
    assert table["numerator"].iloc[0] == 30_000 and table["denominator"].iloc[0] == 500_000
    [p] = target_progress(config, target, series, _subs(subs), D(2010, 4, 10))
    assert p.kind == "ratio" and p.result_value == pytest.approx(600) and p.status == "behind"  # one figure: no trend yet
    assert "只有一期数据" in p.reason_zh


def test_a_ratio_is_final_only_when_both_forms_reached_the_plans_end(kinds_config):
    # 30,000 skilled workers in 2009, 32,500 in 2010, 35,000 in 2011, of 500,000 residents: 600, 650, 700
    rows = [r for q in QUARTERS_2009_2011 for r in _stock(q, 100, others={"2009": 29_900, "2010": 32_400}.get(q[:4], 34_900))]
    rows += [(POPULATION, str(y), "东城街道", 500_000) for y in (2009, 2010, 2011)]
    stock_files = [(STOCK, q, "p7_skilled_workers") for q in QUARTERS_2009_2011]
    # the population of 2011 has not come: the ratio stops at 2010 and the plan's result waits for it
    [p] = _progress(kinds_config, "p7-skilled-per-10k", rows[:-1], stock_files
                    + [(POPULATION, "2009", "population"), (POPULATION, "2010", "population")], D(2012, 3, 1))
    assert p.status == "incomplete" and not p.final and p.missing_periods == "2011"
    assert p.data_through == D(2010, 12, 31) and p.pace_ratio is None
    assert not any(w in p.reason_zh for w in ("进度正常", "时间进度", "照此")), p.reason_zh
    # with it: 35,000 / 500,000 × 10,000 = 700, the target reached: achieved, final
    [p] = _progress(kinds_config, "p7-skilled-per-10k", rows, stock_files
                    + [(POPULATION, str(y), "population") for y in (2009, 2010, 2011)], D(2012, 3, 1))
    assert p.result_value == pytest.approx(700) and p.status == "achieved" and p.final


def test_a_ratio_without_the_denominators_file_has_no_data_and_says_when_it_is_due(kinds_config):
    [p] = _progress(kinds_config, "p7-skilled-per-10k", _stock("2009Q1", 10),
                    [(STOCK, "2009Q1", "p7_skilled_workers")], D(2009, 5, 1))
    assert p.status == "not_due" and p.result_value is None  # the 2009 population is due 60 days after the year
    assert "2010年3月1日" in p.reason_zh


# ---------------------------------------------------------------------------------------------
# Configuration: one clear message per mistake


def _config_with(tmp_path: Path, edit) -> Path:
    from pipeline.basics import paths

    folder = tmp_path / "config"
    folder.mkdir(parents=True)
    for f in paths.CONFIG_DIR.glob("*.yml"):
        (folder / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    plan = yaml.safe_load((folder / "plan.yml").read_text(encoding="utf-8"))
    edit(plan)
    (folder / "plan.yml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    return folder


def _target(**fields) -> dict:
    return {"id": "p7-x", "programme": "p7", "name": "x", "unit": "名", "value": 10, "sentence": "x", **fields}


@pytest.mark.parametrize(("target", "words"), [
    (_target(kind="ratio", measure={"indicator": STOCK}), "kind: ratio 的 measure 须写明 per"),
    (_target(kind="level", measure={"indicator": "p7_skilled_workers_new"}), "level 目标须基于存量（stock）指标"),
    (_target(kind="level", unit="人次", measure={"indicator": STOCK}), "level 目标的单位须与指标"),
    (_target(kind="ratio", measure={"indicator": STOCK, "per": {"indicator": "nowhere"}}),
     "measure.per.indicator：未知指标 'nowhere'"),
    (_target(kind="ratio", measure={"indicator": STOCK, "per": {"indicator": "p7_skilled_workers_new"}}),
     "须是存量（stock）指标"),
    (_target(kind="ratio", measure={"indicator": STOCK, "per": {"indicator": STOCK, "scale": 7}}), "per.scale"),
])
def test_a_wrong_level_or_ratio_target_is_named_in_one_message(tmp_path, target, words):
    folder = _config_with(tmp_path, lambda plan: plan["targets"].append(target))
    with pytest.raises(ConfigError) as caught:
        load_config(folder)
    message = caught.value.message()
    assert "plan.yml" in message and words in message and "targets" in message


def test_programme_ids_need_not_be_p_and_a_number(tmp_path):
    """A plan may name its programmes as it likes (talent-1, gaoceng): the id is only lower-case
    words and hyphens (addresses), and a target's id starts with its programme's."""
    def rename(plan):
        plan["programmes"][0]["id"] = "talent-1"
        for t in plan["targets"]:
            if t["programme"] == "p1":
                t["programme"] = "talent-1"
                t["id"] = "talent-1-" + t["id"].removeprefix("p1-")
    config = load_config(_config_with(tmp_path, rename))
    assert config.programmes[0].id == "talent-1" and config.target("talent-1-entrepreneurs").programme == "talent-1"
    with pytest.raises(ConfigError, match="编号须以所属工程 talent-1- 开头"):
        load_config(_config_with(tmp_path / "b", lambda plan: (rename(plan), plan["targets"][0].update(id="p9-x"))))
