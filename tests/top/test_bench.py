"""The benchmark's generated record-level data (bench/generate_records.py): deterministic, well
formed, realistic personal data, and read by the pipeline with no problem, every row counted once
and no personal value kept."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from bench import generate_companies
from bench.generate_records import CATEGORIES, COLUMNS, FOLDER, TOWNS, generate
from pipeline.basics.parse import parse_date, tidy_name
from pipeline.basics.periods import Period
from pipeline.build import read_and_check
from pipeline.combine.checks import observation_schema
from pipeline.config import load_config
from pipeline.gate.privacy import find_personal_numbers, valid_id_number
from tests.conftest import TODAY

ROWS = 2_000


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return generate(ROWS, tmp_path_factory.mktemp("records"), seed=7)


@pytest.fixture(scope="module")
def frames(generated):
    """file name -> the generated file, every cell as text."""
    return {path.name: pd.read_csv(path, dtype=str, keep_default_na=False) for path in generated.csv_files()}


@pytest.fixture(scope="module")
def records(frames):
    return pd.concat(frames.values(), ignore_index=True)


def test_the_same_seed_gives_the_same_files_and_another_seed_other_files(generated, tmp_path):
    again = generate(ROWS, tmp_path / "again", seed=7)
    other = generate(ROWS, tmp_path / "other", seed=8)
    for path in generated.csv_files():
        assert (again.raw_dir / FOLDER / path.name).read_bytes() == path.read_bytes()
        assert (other.raw_dir / FOLDER / path.name).read_bytes() != path.read_bytes()
    assert (again.config_dir / "vocabulary.yml").read_bytes() == (generated.config_dir / "vocabulary.yml").read_bytes()


def test_rows_columns_and_one_file_per_quarter_with_dates_inside_it(generated, frames):
    assert sorted(frames) == [f"{FOLDER}_2011Q{q}.csv" for q in range(1, 5)]
    assert sum(len(f) for f in frames.values()) == ROWS
    for name, frame in frames.items():
        assert list(frame.columns) == COLUMNS
        assert frame["序号"].tolist() == [str(i) for i in range(1, len(frame) + 1)]
        quarter = Period.from_label(re.search(r"\d{4}Q\d", name).group())
        days = frame["培训日期"].map(parse_date)
        assert days.between(quarter.start, quarter.end).all()
    dates = pd.concat(f["培训日期"] for f in frames.values())
    assert {"iso": dates.str.match(r"^\d{4}-\d{2}-\d{2}$").any(), "dots": dates.str.match(r"^\d{4}\.\d{1,2}\.\d{1,2}$").any(),
            "chinese": dates.str.match(r"^\d{4}年\d{1,2}月\d{1,2}日$").any()} == {"iso": True, "dots": True, "chinese": True}


def test_personal_data_looks_real(records):
    assert records["身份证号"].map(valid_id_number).all()
    assert records["身份证号"].str.len().eq(18).all()
    assert records["联系电话"].str.fullmatch(r"1[3-9]\d{9}").all()
    assert records["姓名"].str.fullmatch(r"[\u4e00-\u9fff]{2,4}").all()


def test_a_hundred_towns_and_the_four_categories_some_with_aliases(generated, records):
    config = load_config(generated.config_dir)
    towns = config.vocabularies["towns"]
    canonical = records["街镇"].map(lambda t: towns.lookup.get(tidy_name(t)))
    assert canonical.notna().all() and canonical.nunique() == 100 == len(towns.names) == len(TOWNS)
    assert (records["街镇"] != canonical).any()  # aliases and stray spaces, tidied by the pipeline
    categories = config.vocabularies["rural_training_categories"]
    category = records["培训类别"].map(lambda c: categories.lookup.get(tidy_name(c)))
    assert set(category) == set(CATEGORIES)
    assert (records["培训类别"] != category).any()


def test_the_pipeline_counts_every_record_once_by_category_town_and_quarter(generated, frames):
    config = load_config(generated.config_dir)
    dataset, problems = read_and_check(generated.raw_dir, config, TODAY)
    assert problems == []
    obs = dataset.observations
    assert len(obs) == ROWS and int(obs["value"].sum()) == ROWS

    towns = config.vocabularies["towns"].lookup
    categories = config.vocabularies["rural_training_categories"].lookup
    indicator_of = config.sources["p6_rural_training_records"].indicator_by.indicators
    expected = pd.concat([
        pd.DataFrame({
            "indicator": f["培训类别"].map(lambda c: indicator_of[categories[tidy_name(c)]]),
            "period": re.search(r"\d{4}Q\d", name).group(),
            "breakdown": f["街镇"].map(lambda t: towns[tidy_name(t)]),
        }) for name, f in frames.items()])
    keys = ["indicator", "period", "breakdown"]
    assert obs.groupby(keys)["value"].sum().to_dict() == expected.groupby(keys).size().to_dict()
    assert obs["breakdown"].nunique() == 100


def test_no_personal_value_reaches_the_observations(generated, records):
    dataset, _ = read_and_check(generated.raw_dir, load_config(generated.config_dir), TODAY)
    obs = dataset.observations
    personal = set(records["姓名"]) | set(records["身份证号"]) | set(records["联系电话"])
    for column in obs.columns:
        assert not obs[column].astype(str).isin(personal).any(), column
    assert not {"姓名", "身份证号", "联系电话"} & set(obs.columns)
    assert find_personal_numbers(obs.to_csv(index=False)) == []
    assert isinstance(obs["period_start"].iloc[0], dt.date)


def test_large_record_files_read_by_arrow_give_the_same_observations_as_pandas(tmp_path, monkeypatch):
    import pipeline.gate.read

    big = generate(40_000, tmp_path / "big", seed=3)  # about 1.1 MB a quarter: read by Arrow
    assert all(path.stat().st_size >= pipeline.gate.read.ARROW_MIN_BYTES for path in big.csv_files())
    config = load_config(big.config_dir)
    by_arrow, problems = read_and_check(big.raw_dir, config, TODAY)
    monkeypatch.setattr(pipeline.gate.read, "ARROW_MIN_BYTES", 10**12)
    by_pandas, _ = read_and_check(big.raw_dir, config, TODAY)
    assert problems == [] and len(by_arrow.observations) == 40_000
    def cells(frame, column):
        return [None if pd.isna(v) else v for v in frame[column].tolist()]

    for column in by_pandas.observations.columns:
        assert cells(by_arrow.observations, column) == cells(by_pandas.observations, column), column
    pd.testing.assert_frame_equal(by_arrow.cleaning_log, by_pandas.cleaning_log)
    observation_schema(config).validate(by_arrow.observations)  # (its raw values were refused: stored by Arrow)


def test_a_company_table_of_a_given_size_reads_cleanly_with_every_name_new(config, tmp_path):
    """The benchmark's file at the size limit (bench/generate_companies.py), made here at 1.2 MiB:
    as large as fits, the same for the same seed, every company once, read by Arrow without a
    problem into a value per count cell that the published observations' schema accepts."""
    import pipeline.gate.read

    made = generate_companies.generate(1.2, tmp_path / "a", seed=5)
    again = generate_companies.generate(1.2, tmp_path / "b", seed=5)
    assert made.file.read_bytes() == again.file.read_bytes()
    assert pipeline.gate.read.ARROW_MIN_BYTES <= made.bytes <= 1.2 * 2**20 < made.bytes + 200
    lines = made.file.read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",") == generate_companies.COLUMNS and len(lines) == made.rows + 1
    names = [line.split(",")[0] for line in lines[1:]]
    assert len(set(names)) == len(names) and any(not n.endswith("公司") for n in names)
    dataset, problems = read_and_check(made.raw_dir, config, TODAY)
    assert problems == [] and len(dataset.observations) == 3 * made.rows
    observation_schema(config).validate(dataset.observations)
