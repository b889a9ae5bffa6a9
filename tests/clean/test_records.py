"""Record-level input: one row per person trained, with personal columns, counted by the pipeline."""

from __future__ import annotations

import pandas as pd

from pipeline.build import read_and_check
from tests.conftest import TODAY, copy_raw
from tests.fixtures.edits import training_records


def test_person_records_are_counted_by_category_town_and_quarter(config, tmp_path):
    raw = copy_raw(tmp_path, ["农工办培训明细"])
    rows = [("北山", "农村实用技术培训", "2011-01-05"), ("北山镇", "实用技术培训", "2011.2.1"),
            ("东城街道", "农村劳动力转移培训", "2011年3月31日"), ("柳岸镇", "合作经济组织专业人员", "2011/1/9"),
            ("柳岸镇", "村会计", "2011-02-27")]
    training_records(raw, "农工办培训明细_2011Q1.csv", rows)
    dataset, problems = read_and_check(raw, config, TODAY)
    assert problems == []
    obs = dataset.observations
    assert set(obs["period"]) == {"2011Q1"} and (obs["value"] == 1).all()
    counts = obs.groupby(["indicator", "breakdown"])["value"].sum().to_dict()
    assert counts == {
        ("p6_practical_technology_trained", "北山镇"): 2,
        ("p6_labour_transfer_trained", "东城街道"): 1,
        ("p6_cooperative_staff_trained", "柳岸镇"): 1,
        ("p6_rural_finance_staff_trained", "柳岸镇"): 1,
    }
    assert not {"姓名", "身份证号", "联系电话"} & set(obs.columns)
    assert obs["row"].tolist() == [2, 3, 4, 5, 6]  # every record, in the file's order
    log = dataset.cleaning_log
    assert log[(log["action"] == "personal_cells")]["count"].sum() == 5  # the names (ID and phone left blank)
    assert log[(log["action"] == "name_alias") & (log["detail"] == "北山→北山镇")]["count"].sum() == 1


def test_a_record_dated_outside_its_quarter_or_of_an_unknown_category_is_an_error(config, tmp_path):
    raw = copy_raw(tmp_path, ["农工办培训明细"])
    training_records(raw, "农工办培训明细_2011Q1.csv", [("北山镇", "农村实用技术培训", "2011-04-01"),
                                                      ("北山镇", "电商培训", "2011-01-04")])
    _, problems = read_and_check(raw, config, TODAY)
    assert {(p.code, p.row, p.column) for p in problems} == {
        ("date_outside_period", 2, "培训日期"), ("category_unknown", 3, "培训类别")}


def test_a_yearly_list_of_records_is_split_into_quarters_by_date(sample):
    graduates = sample.observations[sample.observations["indicator"] == "p8_graduates_recruited"]
    by_quarter = graduates.groupby("period")["value"].sum().to_dict()
    # 人事局's 2009 list: 28 recruits reported in January-March, 14 in April-June, …
    assert by_quarter == {"2009Q1": 28, "2009Q2": 14, "2009Q3": 114, "2009Q4": 14,
                          "2010Q1": 31, "2010Q2": 15, "2010Q3": 83, "2010Q4": 11}


def test_a_single_list_passes_the_published_schema(config, tmp_path):
    """One file alone (its constant columns stored as categories) satisfies the schema of
    observations that the build checks before writing anything."""
    from pipeline.combine.checks import observation_schema

    raw = copy_raw(tmp_path, ["农工办培训明细"])
    training_records(raw, "农工办培训明细_2011Q1.csv", [("北山镇", "农村实用技术培训", "2011-01-05")] * 3)
    dataset, problems = read_and_check(raw, config, TODAY)
    assert problems == []
    observation_schema(config).validate(dataset.observations)


def test_a_persons_key_is_the_keyed_hash_of_their_tidied_key_cells_joined(config):
    """Each row's key: its key cells tidied (spaces, full-width forms, case), joined by "|", hashed
    with the key of the read cache; none when a key cell is blank. (Joined column by column: row by
    row, a list of 200,000 people took 30 s.)"""
    import hashlib

    from pipeline.clean.context import FileContext
    from pipeline.clean.records import person_keys
    from tests.clean.test_clean import grid

    ctx = FileContext(grid([["x"]], file="工商联/2011年度优秀企业家表彰名单.csv"), "p2_entrepreneurs",
                      config.sources["p2_entrepreneurs"], config, TODAY)
    ctx.person_secret = b"k" * 32
    people = pd.DataFrame({"姓名": ["张 三", "ｌｉ", None, "王五"], "企业名称": ["华瑞电气", "abc", "x", " "]}, index=[3, 4, 5, 6])
    keys = person_keys(ctx, people)

    def keyed(text: str) -> str:
        return hashlib.blake2b(text.encode(), digest_size=12, key=b"k" * 32).hexdigest()

    assert keys.loc[3] == keyed("张三|华瑞电气") and keys.loc[4] == keyed("LI|ABC")
    assert keys.loc[[5, 6]].isna().all()
