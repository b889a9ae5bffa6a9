"""The committed bad-input fixtures (tests/fixtures/bad/<case>/, one defect each): every case gives
the one clear message its case.yml expects, and every case's files are exactly what
tests/fixtures/make_bad.py makes from the shipped samples (so a changed sample or a fixture edited
by hand is noticed)."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.basics import paths
from pipeline.build import read_and_check
from pipeline.config.commitments import load_commitments
from pipeline.ingest.receipts import read_register
from tests.fixtures import make_bad
from tests.fixtures.cases import (
    BAD,
    CASE_FILE,
    CaseFileError,
    check_problems,
    lay_out,
    load_cases,
    read_case,
    same_content,
)
from tests.ingest.test_status_forms import read_status_forms

CASES = load_cases()
MAX_FIXTURE_BYTES = 200 * 1024  # larger files (bombs, 60 MB files) are made when the test runs


def with_plausible_max(config, plausible_max: dict[str, int]):
    if not plausible_max:
        return config
    indicators = {k: v.model_copy(update={"plausible_max": plausible_max[k]}) if k in plausible_max else v
                  for k, v in config.indicators.items()}
    return dataclasses.replace(config, indicators=indicators)


@pytest.fixture(scope="module")
def registry(config):
    """The plan's measures (config/commitments.yml), loaded once: the build's read_commitments
    loads them, then reads the status forms with read_status_forms."""
    return load_commitments(config, paths.PLAN_TEXT.read_text(encoding="utf-8"))


def problems_of(raw, case, config, registry) -> list:
    """The problems the build finds in a case's raw folder, read as the build reads it."""
    if case.reader == "status_forms":
        return read_status_forms(raw, registry, config, case.today).problems
    if case.reader == "register":  # the build passes it every file it reads
        files = [p.relative_to(raw).as_posix() for p in sorted(raw.rglob("*")) if p.is_file() and p.parent != raw]
        return read_register(raw, config, case.today, files)[1]
    return read_and_check(raw, with_plausible_max(config, case.plausible_max), case.today)[1]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_bad_fixture_gives_the_message_its_case_expects(case, config, registry, tmp_path):
    raw = lay_out(tmp_path, case)
    check_problems(problems_of(raw, case, config, registry), case.expect)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_fixture_is_what_make_bad_makes_from_the_samples(case, tmp_path):
    made, removed = make_bad.make(case, tmp_path)
    committed = case.files()
    hint = f"run: .venv/bin/python -m tests.fixtures.make_bad {case.id}"
    assert sorted(committed) == sorted(made), f"the case's files differ from what its recipe makes; {hint}"
    assert [rel for rel in made if not same_content(made[rel], committed[rel])] == [], f"changed since made; {hint}"
    assert removed == tuple(sorted(case.remove)), f"case.yml's remove should be {list(removed)}"


def test_every_case_has_a_recipe_and_every_recipe_a_case():
    assert sorted(c.id for c in CASES) == sorted(make_bad.RECIPES)


def test_fixtures_are_small_and_start_from_real_folders():
    assert not [p for p in BAD.rglob("*") if p.is_file() and p.stat().st_size > MAX_FIXTURE_BYTES]
    folders = {p.name for p in paths.RAW_DIR.iterdir() if p.is_dir()}
    assert not [c.id for c in CASES if not set(c.start_from) <= folders or not c.defect.strip()]
    assert not [c.id for c in CASES for rel in c.remove if rel.split("/")[0] not in c.start_from]


@pytest.mark.parametrize(("text", "named"), [
    ("defect: x\nreader: data\nfrom: []\nexpect: {code: file_empty, file: a.csv, severity: error, sheet: null, row: null,"
     " column: null}\nexpected: 1\n", "expected"),
    ("defect: x\nreader: data\nfrom: []\nexpect: {code: file_empty, file: a.csv, colum: x}\n", "colum"),
    ("defect: x\nreader: data\nfrom: []\nexpect: {code: file_empty, file: a.csv}\n", "row"),
    ("defect: x\nreader: data\nfrom: []\nexpect: {code: file_emty, file: a.csv, severity: error, sheet: null, row: null,"
     " column: null}\n", "file_emty"),
])
def test_a_case_file_with_a_wrong_key_is_refused_naming_it(tmp_path, text, named):
    (tmp_path / "some-case").mkdir()
    (tmp_path / "some-case" / CASE_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(CaseFileError, match=named) as err:
        read_case(tmp_path / "some-case")
    assert "some-case/case.yml" in str(err.value)
