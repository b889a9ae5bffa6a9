"""make check-config (pipeline/check_config.py): a plan's whole configuration checked before its
first build, every missing or inconsistent entry named in Chinese, one line each, naming the file
and the key; exit 1 if there is any, a one-line summary and exit 0 otherwise."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipeline.basics import paths
from pipeline.check_config import check, main
from pipeline.config import load_config


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(paths.CONFIG_DIR, folder)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_shipped_configuration_passes_with_a_summary(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    config = load_config()
    assert len(out) == 1 and out[0].startswith("配置检查通过")
    assert f"{len(config.targets)} 项目标" in out[0] and config.plan.span_zh in out[0]


def test_a_target_naming_an_unknown_indicator_is_named_with_its_file_and_key(tmp_path, capsys):
    folder = _copy(tmp_path)
    plan = yaml.safe_load((folder / "plan.yml").read_text(encoding="utf-8"))
    target = plan["targets"][1]
    target["measure"]["indicator"] = "no_such_indicator"
    (folder / "plan.yml").write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert main(["--config", str(folder)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0].startswith("配置检查未通过") and "1 处问题" in lines[0]
    assert len(lines) == 2
    line = lines[1]
    assert "plan.yml" in line and f"targets({target['id']}).measure.indicator" in line
    assert "no_such_indicator" in line and "indicators.yml" in line and "请改正" in line


def test_problems_in_several_files_are_all_named_one_line_each(tmp_path):
    """A missing key in plan.yml and one in sources.yml: both named, not only the first file's."""
    folder = _copy(tmp_path)
    _edit(folder / "plan.yml", "  leading_group_short: 领导小组\n", "")
    defaults = load_config().defaults
    _edit(folder / "sources.yml", f"  status_form_folder: {defaults.status_form_folder}\n", "")
    lines, summary = check(folder, paths.PLAN_TEXT, paths.MKDOCS_YML)
    assert summary == ""
    assert [line for line in lines if "plan.yml" in line and "plan.leading_group_short" in line and "缺少必填项" in line]
    assert [line for line in lines if "sources.yml" in line and "defaults.status_form_folder" in line]
    assert all("\n" not in line for line in lines)


@pytest.mark.parametrize("file, old, new, named", [
    # a commitment's section that the registry does not have
    ("commitments.yml", "mechanism_part: 四", "mechanism_part: 五", "mechanism_part"),
    # the plan's text read from the wrong line
    ("plan.yml", "text_preamble_lines: 3", "text_preamble_lines: 2", "plan.text_preamble_lines"),
])
def test_entries_checked_against_the_plan_text_are_named(tmp_path, file, old, new, named):
    folder = _copy(tmp_path)
    _edit(folder / file, old, new)
    lines, _ = check(folder, paths.PLAN_TEXT, paths.MKDOCS_YML)
    assert [line for line in lines if line.startswith(str(folder / file)) and named in line], lines


def test_make_check_config_is_a_make_target():
    out = subprocess.run(["make", "-n", "check-config"], cwd=paths.ROOT, capture_output=True, text=True, check=True)
    assert "-m pipeline.check_config" in out.stdout
    assert sys.executable  # (the command runs with the project's Python, .venv/bin/python)
