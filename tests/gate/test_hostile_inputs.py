"""Files a careless or hostile sender could send. The one-defect cases are committed fixtures
(tests/fixtures/bad/, read by tests/gate/test_bad_fixtures.py); here are those that cannot be committed
as files: symbolic links (to files outside data/raw, to folders, to other files of data/raw),
made when the test runs; and what the read cache keeps of a file with personal numbers."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import openpyxl
import pytest

from pipeline.basics.problems import KINDS
from pipeline.build import read_and_check
from pipeline.gate.privacy import find_personal_numbers
from pipeline.ingest.files import ReadCache
from tests.conftest import TODAY, copy_raw
from tests.fixtures.cases import Expect, check_problems, load_cases
from tests.fixtures.edits import ENTERPRISE_Q1, GRADUATES_2009, HEALTH_Q1, csv_cell


def _link(raw: Path, target: Path, name: str) -> None:
    os.symlink(target, raw / name)


def _file_link(file: str) -> Expect:
    return Expect(code="file_link", file=file)


#: (name, department folder, the link made, what the build must report)
GENERATED = [
    ("a link to a file outside data/raw", "卫生局", lambda raw: _link(raw, Path("/etc/hostname"), "卫生局/卫生局_2011Q1_卫生人才引进.csv"),
     _file_link("卫生局/卫生局_2011Q1_卫生人才引进.csv")),
    ("a link to a folder outside data/raw", "卫生局", lambda raw: _link(raw, raw.parent, "卫生局/旧报表"), _file_link("卫生局/旧报表/")),
    ("a link to another file of data/raw", "卫生局", lambda raw: _link(raw, raw / HEALTH_Q1, "卫生局/卫生局_2009Q2_副本.csv"),
     _file_link("卫生局/卫生局_2009Q2_副本.csv")),
]


@pytest.mark.parametrize(("name", "folder", "change", "expect"), GENERATED, ids=[g[0] for g in GENERATED])
def test_each_link_gives_the_right_message(name, folder, change, expect, config, tmp_path):
    raw = copy_raw(tmp_path, [folder])
    change(raw)
    _, problems = read_and_check(raw, config, TODAY)
    check_problems(problems, expect)


def test_hostile_problem_kinds_are_all_tested():
    new = {"personal_data", "value_implausible", "file_link", "submitted_early", "no_submissions"}
    assert new <= set(KINDS) and new <= {c.expect.code for c in load_cases()} | {e.code for *_, e in GENERATED}


def test_the_read_cache_keeps_no_typed_personal_number_and_no_unkeyed_hash(config, tmp_path):
    """A phone number typed into a company's name is masked before the file is cleaned, so the
    cache entry holds none of it; ID numbers (person keys) are hashed with a key that stays in
    build/, so hashing every possible ID number does not find them."""
    import hashlib

    raw = copy_raw(tmp_path, ["科技局", "人事局", "农工办"])
    csv_cell(raw, ENTERPRISE_Q1, 2, 0, "华瑞电气 138-1234-5678", "gb18030")
    folder = tmp_path / "cache"
    read_and_check(raw, config, TODAY, ReadCache(folder, config, TODAY))
    entries = {p: p.read_bytes() for p in folder.glob("*.pickle")}
    assert len(entries) == 18
    # the phone numbers of the form fillers, in the note rows below each 农工办 table
    notes = [c.value for p in sorted((raw / "农工办").iterdir()) for c in openpyxl.load_workbook(p).worksheets[0]["A"]
             if str(c.value).startswith("填表人")]
    phones = {n.encode() for note in notes for n in find_personal_numbers(note)}
    assert len(phones) == 8 and not [n for n in phones for data in entries.values() if n in data]
    ids = [line.split(",")[2] for line in (raw / GRADUATES_2009).read_text(encoding="utf-8").splitlines()[2:] if line[:1].isdigit()]
    unkeyed = {hashlib.blake2b(i.encode(), digest_size=12).hexdigest() for i in ids}
    for path, data in entries.items():
        assert b"138-1234" not in data and b"1234-5678" not in data and b"12345678" not in data, path
        result = pickle.loads(data)
        if result.person_keys is not None:
            assert set(result.person_keys) and not set(result.person_keys) & unkeyed
    key = folder / "person-key"
    assert key.stat().st_mode & 0o077 == 0 and len(key.read_bytes()) == 32
