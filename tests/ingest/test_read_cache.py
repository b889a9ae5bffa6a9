"""The read cache: a rebuild reads only the department files that changed, and gives exactly
what reading every file again gives."""

from __future__ import annotations

import dataclasses

import pandas as pd

from pipeline.build import read_and_check
from pipeline.config import load_config
from pipeline.ingest.files import ReadCache
from tests.conftest import TODAY, copy_raw
from tests.fixtures.edits import xlsx_cells

CHANGED = "农工办/农工办_2010年第四季度农村实用人才培训.xlsx"


def _same_data(a, b) -> None:
    pd.testing.assert_frame_equal(a[0].observations, b[0].observations)
    pd.testing.assert_frame_equal(a[0].submissions, b[0].submissions)
    pd.testing.assert_frame_equal(a[0].cleaning_log, b[0].cleaning_log)
    assert a[1] == b[1]  # problems


def test_a_rebuild_reads_only_the_changed_file_and_gives_what_a_fresh_read_gives(tmp_path, config):
    raw = copy_raw(tmp_path)
    files = sum(1 for p in raw.rglob("*") if p.is_file() and p.name != "README.md"
                and p.relative_to(raw).parts[0] != config.defaults.status_form_folder)  # status forms: not department files
    folder = tmp_path / "cache"

    first = ReadCache(folder, config, TODAY)
    uncached = read_and_check(raw, config, TODAY)
    _same_data(read_and_check(raw, config, TODAY, first), uncached)
    assert first.counts == {"read": files, "reused": 0}

    again = ReadCache(folder, config, TODAY)
    _same_data(read_and_check(raw, config, TODAY, again), uncached)
    assert again.counts == {"read": 0, "reused": files}

    # 东城街道's practical-technology training in 2010Q4, 204 -> 304: one file read again
    xlsx_cells(raw, CHANGED, lambda ws: ws.cell(4, 4, "304"))
    after = ReadCache(folder, config, TODAY)
    changed = read_and_check(raw, config, TODAY, after)
    assert after.counts == {"read": 1, "reused": files - 1}
    _same_data(changed, read_and_check(raw, config, TODAY))
    obs = changed[0].observations
    assert 304 in set(obs.loc[obs["file"] == CHANGED, "value"])
    # the old version's entry is gone: the cache holds one entry per file
    assert len(list(folder.glob("*.pickle"))) == files


def test_a_changed_setting_day_or_damaged_entry_means_reading_again(tmp_path, config):
    raw = copy_raw(tmp_path, ["农工办"])
    files = len(list(raw.rglob("*.xlsx")))
    folder = tmp_path / "cache"
    read_and_check(raw, config, TODAY, ReadCache(folder, config, TODAY))

    # another day: a period that was in the future may not be any more
    later = ReadCache(folder, config, TODAY.replace(day=TODAY.day - 1))
    read_and_check(raw, config, TODAY.replace(day=TODAY.day - 1), later)
    assert later.counts["read"] == files

    # another setting in config/
    changed = dataclasses.replace(config, defaults=config.defaults.model_copy(update={"max_file_mb": 99}))
    other = ReadCache(folder, changed, TODAY)
    read_and_check(raw, changed, TODAY, other)
    assert other.counts["read"] == files

    # a damaged entry (a build killed while writing, a full disk) is read again, not an error
    entries = sorted(folder.glob("*.pickle"))
    entries[0].write_bytes(b"not a pickle")
    damaged = ReadCache(folder, changed, TODAY)
    _same_data(read_and_check(raw, changed, TODAY, damaged), read_and_check(raw, changed, TODAY))
    assert damaged.counts == {"read": 1, "reused": files - 1}


def test_the_cache_key_does_not_change_between_loads_of_the_same_settings(tmp_path, config):
    raw = copy_raw(tmp_path, ["农工办"])
    path = next(raw.rglob("*.xlsx"))
    rel, data = path.relative_to(raw).as_posix(), path.read_bytes()
    assert ReadCache(tmp_path, config, TODAY).key(rel, data) == ReadCache(tmp_path, load_config(), TODAY).key(rel, data)
    # the same bytes under another name are another file (the name is in every figure's provenance)
    assert ReadCache(tmp_path, config, TODAY).key(rel, data) != ReadCache(tmp_path, config, TODAY).key("x/" + rel, data)


def test_a_cache_that_cannot_be_written_does_not_stop_the_build(tmp_path, config):
    raw = copy_raw(tmp_path, ["农工办"])
    files = len(list(raw.rglob("*.xlsx")))
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")  # as a read-only disk would
    cache = ReadCache(blocked, config, TODAY)
    _same_data(read_and_check(raw, config, TODAY, cache), read_and_check(raw, config, TODAY))
    assert cache.counts == {"read": files, "reused": 0}


def test_an_unreadable_file_is_reported_with_or_without_a_cache(tmp_path, config):
    raw = copy_raw(tmp_path, ["农工办"])
    (raw / CHANGED).write_bytes(b"")
    folder = tmp_path / "cache"
    for _ in range(2):  # the second time, every other file comes from the cache
        _, problems = read_and_check(raw, config, TODAY, ReadCache(folder, config, TODAY))
        assert [(p.code, p.file) for p in problems if p.severity == "error"] == [("file_empty", CHANGED)]


def test_a_file_over_the_size_limit_is_reported_not_hashed_or_kept(tmp_path, config):
    raw = copy_raw(tmp_path, ["农工办"])
    small = dataclasses.replace(config, defaults=config.defaults.model_copy(update={"max_file_mb": 0.001}))
    folder = tmp_path / "cache"
    cache = ReadCache(folder, small, TODAY)
    _, problems = read_and_check(raw, small, TODAY, cache)
    assert {p.code for p in problems if p.severity == "error"} == {"file_too_large"}
    assert cache.counts == {"read": 0, "reused": 0} and not list(folder.glob("*.pickle"))


def test_the_cache_key_covers_the_code_of_every_subpackage():
    """A change to the cleaner or the configuration's models reads every file again."""
    from pipeline.ingest.files import pipeline_sources

    names = {name for name, _ in pipeline_sources()}
    assert {"clean/table.py", "clean/when.py", "config/models.py", "basics/periods.py", "ingest/files.py"} <= names


def test_the_person_key_is_readable_by_its_owner_only_and_kept_between_builds(tmp_path, config):
    from pipeline.ingest.files import PERSON_KEY_FILE

    first = ReadCache(tmp_path / "read", config, TODAY)
    key_file = tmp_path / "read" / PERSON_KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert ReadCache(tmp_path / "read", config, TODAY).secret == first.secret
    assert [p.name for p in key_file.parent.iterdir()] == [PERSON_KEY_FILE]  # no temporary file left
