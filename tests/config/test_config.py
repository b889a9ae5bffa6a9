"""The configuration: loaded once, typed, and every mistake in it named by file and key."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pipeline.basics import paths
from pipeline.config import ConfigError, Defaults, Source, load_config
from pipeline.generator.mkdocs import load_site_settings


def test_the_plan_reads_as_configured(config):
    assert [p.number for p in config.programmes] == list(range(1, len(config.programmes) + 1))
    kinds = {t.kind for t in config.targets}
    assert kinds == {"annual", "cumulative", "end_state"}
    assert {t.unit for t in config.targets} == {"名", "人次", "个", "%", "‰"}
    mix = sorted((t.value, t.comparison) for t in config.targets if t.id.startswith("p7-mix"))
    assert mix == [(15, "at_least"), (20, "at_most"), (65, "at_least")]
    assert config.target("p7-technician-share").value == 2 and config.target("p7-technician-share").unit == "‰"


def test_every_target_keeps_a_sentence_of_the_plan(config):
    plan = (paths.PLAN_TEXT).read_text(encoding="utf-8")
    assert len(config.targets) >= 10  # the loop below has targets to check
    for target in config.targets:
        fragments = [f for f in re.split(r"……|，|。", target.sentence) if len(f) >= 4]
        assert fragments and all(f in plan for f in fragments), target.id
        assert config.department_of(target)


def _copy_config(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(paths.CONFIG_DIR, folder)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "named"),
    [
        ("plan.yml", "    unit: 名\n    value: 50\n", "    unit: 名\n    valeu: 50\n", ["plan.yml", "targets[0](p1-entrepreneurs).valeu", "unknown key"]),
        ("plan.yml", "    unit: 名\n    value: 50\n", "    value: 50\n", ["plan.yml", "targets[0](p1-entrepreneurs).unit", "missing field"]),
        ("plan.yml", "unit: 名\n    value: 50", "unit: 位\n    value: 50", ["plan.yml", "targets[0](p1-entrepreneurs).unit"]),
        ("plan.yml", "indicator: p8_graduates_recruited", "indicator: p8_graduates", ["plan.yml", "p8-graduates-recruited", "未知指标"]),
        ("plan.yml", "programme: p3\n", "programme: p9\n", ["plan.yml", "未知的重点工程"]),
        ("plan.yml", "breakdown: [创业人才]", "breakdown: [创业者]", ["plan.yml", "不在词表"]),
        ("indicators.yml", "breakdown: towns", "breakdown: villages", ["indicators.yml", "未知词表"]),
        ("sources.yml", "    due_days: 20\n    layout: records\n", "    due_days: 20\n    layuot: records\n", ["sources.yml", "layuot", "unknown key"]),
        ("sources.yml", "本科: p5_bachelors_recruited", "本科: p5_bachelor", ["sources.yml", "p5_bachelor"]),
        ("sources.yml", "period: [column:季度, filename]", "period: [colum:季度, filename]", ["sources.yml", "period"]),
        ("sources.yml", "department: 区卫生局", "department: 区卫健委", ["sources.yml", "不在部门词表"]),
        ("vocabulary.yml", "北山镇: [北山]", "北山镇: [北山, 东城]", ["vocabulary.yml", "东城"]),
        ("method.yml", "behind_from: 0.60", "behind_from: 0.99", ["method.yml", "behind_from"]),
        ("method.yml", "on_track_from: 0.95", "on_track_from: [0.95", ["method.yml", "YAML"]),
    ],
)
def test_a_mistake_in_the_configuration_names_the_file_and_the_key(tmp_path, file, old, new, named):
    folder = _copy_config(tmp_path)
    _edit(folder / file, old, new)
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    message = err.value.message()
    assert named
    for word in named:
        assert word in message, message


def test_every_source_and_default_key_is_documented_in_sources_yml():
    header = (paths.CONFIG_DIR / "sources.yml").read_text(encoding="utf-8").split("\ndefaults:")[0]
    documented = set(re.findall(r"^#   ([a-z_]+) ", header, flags=re.M))
    assert set(Source.model_fields) <= documented
    assert set(Defaults.model_fields) <= documented


def test_every_site_setting_is_documented_in_the_readme():
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    assert len(load_site_settings()) >= 5
    for key in load_site_settings():
        assert f"`{key}`" in readme or f"`extra.{key}`" in readme, key




def test_every_source_folder_exists_in_data_raw(config):
    assert len(config.sources) >= 8
    for source in config.sources.values():
        assert (paths.RAW_DIR / source.folder).is_dir(), source.folder
