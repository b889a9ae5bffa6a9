"""The warm build process of make serve (pipeline/warm.py): each build it is asked for is the
ordinary one, answered on its protocol's stream with its exit code; a bad request or bad data is
an answer, not the end of the process."""

from __future__ import annotations

import json
import subprocess
import sys

from pipeline.basics import paths
from pipeline.warm import build_once


def test_a_build_asked_of_the_warm_process_answers_with_the_builds_exit_code(tmp_path, capsys):
    empty = tmp_path / "raw"
    empty.mkdir()
    answer = build_once(["--raw", str(empty), "--site", str(tmp_path / "site"), "--cache", str(tmp_path / "cache")])
    assert answer["code"] == 1 and answer["seconds"] > 0 and not (tmp_path / "site").exists()
    assert "没有可读取的报送文件" in capsys.readouterr().err  # the build's own message, on stderr


def test_the_warm_process_answers_each_request_on_its_own_line_and_ends_when_asked(tmp_path):
    empty = tmp_path / "raw"
    empty.mkdir()
    request = {"build": ["--raw", str(empty), "--site", str(tmp_path / "site"), "--cache", str(tmp_path / "cache")]}
    done = subprocess.run([sys.executable, "-m", "pipeline.warm"], cwd=paths.ROOT, capture_output=True, text=True,
                          input=json.dumps(request) + "\n" + json.dumps(request) + "\n", timeout=300)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 0 and "ready" in lines[0]
    assert [line["code"] for line in lines[1:]] == [1, 1]  # two builds, two answers, the process still there
