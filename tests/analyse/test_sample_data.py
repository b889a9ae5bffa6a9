"""The shipped sample files: every one read, every mess handled, and the published figures exactly
what the files say (the golden figures below were counted by hand from the raw files).

The sample plan's ids, years and departments are named here on purpose: these tests pin the
sample plan's published figures (config/ and data/raw as shipped), not a property of any plan."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline.basics import paths
from pipeline.basics.parse import tidy_name
from pipeline.config import load_config
from pipeline.gate.read import detect_encoding

FORMS = load_config().defaults.status_form_folder  # read by status_forms.py, not as a department's files

# target -> (scope, result so far, status). Counted by hand from data/raw, not by the pipeline (a
# year that is over and fell short is "missed", whatever its pace):
# e.g. p7-new-skilled-workers 2010 = 366 + 552 + 383 + 629 new certificates in the four 人社局 files;
# p5-bachelors 2010 uses the corrected 2010Q3 file (区人民医院 11, not 9).
GOLDEN = [
    ("p1-entrepreneurs", "2009-2011", 36, "on_track"),
    ("p1-innovators", "2009-2011", 19, "well_behind"),
    ("p2-outstanding-contribution", "2009", 12, "achieved"),
    ("p2-outstanding-contribution", "2010", 10, "achieved"),
    ("p2-high-growth", "2009", 11, "achieved"),
    ("p2-high-growth", "2010", 13, "achieved"),
    ("p2-key-development", "2009", 8, "missed"),
    ("p2-key-development", "2010", 9, "missed"),
    ("p2-key-development", "2009-2011", None, "missed"),  # 每年: a year was missed
    ("p3-senior-managers", "2009", 11, "achieved"),
    ("p3-senior-managers", "2010", 9, "missed"),
    ("p3-senior-managers", "2009-2011", None, "missed"),  # 每年: a year was missed
    ("p3-tech-teams", "2009", 3, "achieved"),
    ("p3-tech-teams", "2010", 4, "achieved"),
    ("p3-scarce-professionals", "2009", 96, "missed"),
    ("p3-scarce-professionals", "2010", 118, "achieved"),
    ("p3-scarce-professionals", "2009-2011", None, "missed"),  # 每年: a year was missed
    ("p4-provincial-special-grade", "2009-2011", 1, "behind"),
    ("p4-municipal-subject-leaders", "2009-2011", 7, "on_track"),
    ("p4-municipal-young-teachers", "2009-2011", 15, "on_track"),
    ("p4-district-subject-leaders", "2009-2011", 71, "on_track"),
    ("p4-district-young-teachers", "2009-2011", 64, "behind"),
    ("p4-district-teaching-newcomers", "2009-2011", 152, "achieved"),
    ("p5-associate-senior", "2009", 1, "missed"),
    ("p5-associate-senior", "2010", 2, "achieved"),
    ("p5-associate-senior", "2009-2011", None, "missed"),  # 每年: a year was missed
    ("p5-postgraduates", "2009", 8, "missed"),
    ("p5-postgraduates", "2010", 11, "achieved"),
    ("p5-postgraduates", "2009-2011", None, "missed"),  # 每年: a year was missed
    ("p5-bachelors", "2009", 74, "achieved"),
    ("p5-bachelors", "2010", 68, "missed"),
    ("p5-bachelors", "2009-2011", None, "missed"),  # 每年: a year was missed
    ("p5-junior-college", "2009", 41, "achieved"),
    ("p5-junior-college", "2010", 37, "missed"),
    ("p5-junior-college", "2009-2011", None, "missed"),  # 每年: a year was missed
    ("p5-provincial-medical-bachelors", "2009", 15, "achieved"),
    ("p5-provincial-medical-bachelors", "2010", 8, "missed"),
    ("p5-provincial-medical-bachelors", "2009-2011", None, "missed"),  # 每年: a year was missed
    ("p6-cooperative-staff", "2009", 3120, "achieved"),
    ("p6-cooperative-staff", "2010", 2890, "missed"),
    ("p6-cooperative-staff", "2009-2011", None, "missed"),  # 每年: a year was missed
    ("p6-rural-finance-staff", "2010", None, "no_data"),
    ("p6-labour-transfer", "2009", 6350, "achieved"),
    ("p6-labour-transfer", "2010", 5480, "missed"),
    ("p6-labour-transfer", "2009-2011", None, "missed"),  # 每年: a year was missed
    ("p6-practical-technology", "2009", 21400, "achieved"),
    ("p6-practical-technology", "2010", 16800, "missed"),
    ("p6-practical-technology", "2009-2011", None, "missed"),  # 每年: a year was missed
    ("p7-new-skilled-workers", "2009", 2150, "achieved"),
    ("p7-new-skilled-workers", "2010", 1930, "missed"),
    ("p7-new-skilled-workers", "2009-2011", None, "missed"),  # 每年: a year was missed
    ("p7-new-senior-workers", "2009", 302, "achieved"),
    ("p7-new-senior-workers", "2010", 258, "missed"),
    ("p7-new-senior-workers", "2009-2011", None, "missed"),  # 每年: a year was missed
    # 2010Q4 certificate holders: 初级 10,010, 中级 18,480, 高级 3,760, 技师 62, 高级技师 16 (32,328)
    ("p7-mix-senior", "2009-2011", round((3760 + 62 + 16) / 32328 * 100, 4), "well_behind"),
    ("p7-mix-intermediate", "2009-2011", round(18480 / 32328 * 100, 4), "well_behind"),
    ("p7-mix-junior", "2009-2011", round(10010 / 32328 * 100, 4), "well_behind"),
    ("p7-technician-share", "2009-2011", round((62 + 16) / 32328 * 1000, 4), "achieved"),
    ("p8-graduates-recruited", "2009-2011", 310, "behind"),
]


@pytest.fixture(scope="module")
def published(built):
    return pd.read_csv(built["site"] / "data" / "target_progress.csv", encoding="utf-8-sig", dtype={"scope": str})


def test_every_sample_file_is_read_with_no_error_and_no_warning(sample):
    assert [p.message() for p in sample.problems] == []
    files = sorted(p.relative_to(paths.RAW_DIR).as_posix() for p in paths.RAW_DIR.rglob("*.*") if p.name != "README.md"
                   and p.relative_to(paths.RAW_DIR).parts[0] != FORMS)  # read by status_forms.py
    assert sorted(sample.submissions["file"]) == files
    assert set(sample.submissions["status"]) == {"used", "superseded"}


@pytest.mark.parametrize(("target_id", "scope", "result", "status"), GOLDEN, ids=[f"{g[0]}@{g[1]}" for g in GOLDEN])
def test_published_figures_are_what_the_files_say(published, target_id, scope, result, status):
    row = published[(published["target_id"] == target_id) & (published["scope"] == scope)]
    assert len(row) == 1
    row = row.iloc[0]
    if result is None:
        assert pd.isna(row["result_value"])
    else:
        assert row["result_value"] == pytest.approx(result, abs=1e-4)
    assert row["status"] == status


def test_the_golden_table_covers_every_target(config):
    assert {g[0] for g in GOLDEN} == {t.id for t in config.targets}


def test_headline_count_on_the_home_page(built, config):
    """Achieved or on track, from the golden status of each target's latest window (a 每年 target
    with a year missed: its plan's row, listed last)."""
    home = (built["docs"] / "index.md").read_text(encoding="utf-8")
    latest = {target: status for target, _, _, status in GOLDEN}  # the table lists each target's windows in order
    good = sum(config.method.status(s).good for s in latest.values())
    assert f"{len(config.targets)} 项目标中，{good} 项已完成或进度正常" in home


def test_the_correction_replaces_the_first_submission(sample):
    superseded = sample.submissions[sample.submissions["status"] == "superseded"]
    assert superseded["file"].tolist() == ["卫生局/卫生局_2010Q3_卫生人才引进.csv"]
    changes = sample.corrections[["indicator", "breakdown", "old_value", "new_value"]].to_dict("records")
    assert changes == [
        {"indicator": "p5_bachelors_recruited", "breakdown": "区人民医院", "old_value": 9, "new_value": 11},
        {"indicator": "p5_junior_college_recruited", "breakdown": "白沙镇卫生院", "old_value": 3, "new_value": 2},
    ]


@pytest.mark.parametrize(
    ("action", "detail", "count"),
    [
        ("name_alias", "北山→北山镇", 4),  # towns written short
        ("name_alias", "金桥→金桥街道", 3),
        ("name_alias", "突出贡献企业家→有突出贡献的企业家", 12),  # 2009 categories vs 2010's
        ("department_alias", "卫生局→区卫生局", 38),
        ("company_completed", "龙腾钢结构工程→龙腾钢结构工程有限公司", 2),
        ("fullwidth", "", 34),  # １, ３ in 卫生局 files
        ("thousands_separator", "", 30),  # "16,250" in CSV and "1,952" as Excel text
        ("unit_suffix", "", 29),  # 3人, 1个
        ("dash_as_zero", "", 189),  # — in 卫生局 and 教育局
        ("blank_as_zero", "", 29),  # 科技局 blanks
        ("blank_rows", "", 15),  # ,,,,,, in 人事局 lists
        ("note_rows", "", 10),  # 填表人…联系电话… (personal) and 注：
        ("total_rows", "", 19),  # 合计 rows, first or last, checked against the rows
        ("multirow_header", "", 2),  # 教育局's two header rows
    ],
)
def test_each_kind_of_mess_in_the_samples_is_handled_and_counted(sample, action, detail, count):
    log = sample.cleaning_log
    assert log[(log["action"] == action) & (log["detail"] == detail)]["count"].sum() == count


def test_personal_columns_are_dropped_on_reading(sample):
    assert not {"姓名", "身份证号", "联系电话", "性别"} & set(sample.observations.columns)
    personal = sample.cleaning_log[sample.cleaning_log["action"] == "personal_cells"]
    assert set(personal["file"].str.split("/").str[0]) == {"人事局", "工商联", "组织部人才办"}


def _raw_cells(path: Path, sheet: str | None) -> dict[int, list[str]]:
    """An independent reader: row number -> cell texts, with csv or openpyxl only."""
    if path.suffix == ".csv":
        data = path.read_bytes()
        text = data.decode(detect_encoding(data)).lstrip("\ufeff")
        return {i + 1: row for i, row in enumerate(csv.reader(io.StringIO(text)))}
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return {i + 1: ["" if v is None else str(v) for v in row] for i, row in enumerate(ws.iter_rows(values_only=True))}


def test_every_published_value_can_be_traced_to_its_raw_cell(sample):
    """Open each raw file again with a plain reader: the row the observation names holds its text."""
    cache: dict[str, dict[int, list[str]]] = {}
    assert len(sample.observations) > 1000
    for obs in sample.observations.itertuples():
        if obs.file not in cache:
            cache[obs.file] = _raw_cells(paths.RAW_DIR / obs.file, obs.sheet if isinstance(obs.sheet, str) else None)
        cells = [tidy_name(c) for c in cache[obs.file][obs.row]]
        assert tidy_name(obs.raw_value) in cells, (obs.file, obs.row, obs.raw_value)
