"""What `make` does around the pipeline: it never builds a Python environment over a broken one,
and two branches of `make -j` never run apt at the same time."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.basics import paths


@pytest.fixture
def project(tmp_path) -> Path:
    """The Makefile and scripts/ in an empty folder (no data, no environment)."""
    shutil.copy(paths.ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copytree(paths.ROOT / "scripts", tmp_path / "scripts")
    return tmp_path


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_a_venv_whose_python_cannot_run_is_not_rebuilt_over(project):
    venv = project / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to("/usr/bin/python3.0-removed-by-an-upgrade")
    (venv / "lib").mkdir()
    (venv / "lib" / "installed.txt").write_text("packages of the old environment", encoding="utf-8")
    result = subprocess.run(["make", ".venv/bin/python"], cwd=project, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "make distclean" in result.stderr and ".venv" in result.stderr
    assert (venv / "lib" / "installed.txt").exists() and not (venv / "pyvenv.cfg").exists()
    assert os.readlink(venv / "bin" / "python") == "/usr/bin/python3.0-removed-by-an-upgrade"


FAKE = {
    # stand-ins for the system's package tools: every package is missing, and an install takes a second
    "dpkg-query": "#!/bin/sh\nexit 1\n",
    "apt-get": '#!/bin/sh\necho "start $$" >> "$APT_LOG"\nsleep 1\necho "end $$" >> "$APT_LOG"\n',
    "sudo": '#!/bin/sh\nexec "$@"\n',
}


def test_two_installs_at_once_run_apt_one_after_the_other(project, tmp_path):
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    for name, text in FAKE.items():
        (bin_dir / name).write_text(text, encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    log = tmp_path / "apt.log"
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "APT_LOG": str(log)}
    script = str(project / "scripts" / "ensure-debian-packages")
    runs = [subprocess.Popen([script, "some-package"], env=env, stderr=subprocess.DEVNULL) for _ in range(2)]
    assert [run.wait(timeout=60) for run in runs] == [0, 0]
    events = [line.split()[0] for line in log.read_text().splitlines()]
    assert len(events) == 8  # update and install, twice
    assert events == ["start", "end"] * 4, "apt ran twice at the same time"
