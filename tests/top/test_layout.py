"""The README's layout section is the tree: every package of pipeline/ and every module in it is
listed (under its package), and nothing listed is gone; the packages are listed in the order of
the import contract (pyproject.toml), which `make lint` checks."""

from __future__ import annotations

import re
import tomllib

from pipeline.basics import paths


def _layout_block() -> list[str]:
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layout of the repository", 1)[1]
    return section.split("```", 2)[1].splitlines()


def _listed() -> dict[str, str]:
    """pipeline entry (a package 'gate/' or a top-level module 'build.py') -> its lines' text."""
    lines = _layout_block()
    start = next(i for i, line in enumerate(lines) if line.startswith("pipeline/"))
    entries: dict[str, str] = {}
    current = None
    for line in lines[start + 1:]:
        if line and not line.startswith(" "):
            break  # the next top-level folder
        found = re.match(r"^  (\S.*?)\s{2,}", line)
        if found:
            current = found.group(1)
            entries[current] = line
        elif current is not None:
            entries[current] += " " + line.strip()
    return entries


def _packages() -> list[str]:
    return sorted(p.name for p in paths.PIPELINE_DIR.iterdir() if (p / "__init__.py").is_file())


def test_every_package_and_module_of_the_pipeline_is_in_the_readme_and_nothing_else():
    listed = _listed()
    packages = [e.removesuffix("/") for e in listed if e.endswith("/")]
    assert sorted(packages) == _packages()
    modules = {m for e in listed if not e.endswith("/") for m in re.findall(r"[\w]+\.py", e)}
    assert modules == {p.name for p in paths.PIPELINE_DIR.glob("*.py")} - {"__init__.py"}
    for package in packages:
        on_its_lines = set(re.findall(r"([\w]+\.py)", listed[package + "/"]))
        present = {p.name for p in (paths.PIPELINE_DIR / package).glob("*.py")} - {"__init__.py"}
        assert on_its_lines == present, package
    assert len(packages) >= 10 and len(modules) >= 4  # the block was found and read


def test_the_readme_lists_the_packages_in_the_order_of_the_import_contract():
    listed = [e.removesuffix("/") for e in _listed() if e.endswith("/")]
    contract = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = next(c["layers"] for c in contract["contracts"] if c["type"] == "layers")
    stages = [name.removeprefix("pipeline.") for layer in reversed(layers) for name in layer.split(" | ")
              if name.removeprefix("pipeline.") in listed]
    assert stages == [p for p in listed if p in stages] and len(stages) >= 10


def test_the_tests_are_arranged_like_the_packages():
    """tests/<package>/ holds the tests of pipeline/<package>/; only top/ (the build, make and serve
    as wholes) and browser/ (the built site in Chromium) are not packages of the pipeline, and
    fixtures/ holds the committed bad inputs."""
    tests = paths.ROOT / "tests"
    folders = sorted(p.name for p in tests.iterdir() if (p / "__init__.py").is_file() and p.name != "fixtures")
    assert sorted(set(folders) - {"top", "browser"}) == [p for p in _packages() if p in folders]
    assert set(_packages()) - set(folders) <= {"archive", "images"}  # tested through releases/ and charts/
    assert not list(tests.glob("test_*.py"))  # every test module is in its package's folder
    for folder in folders:
        assert list((tests / folder).glob("test_*.py")), folder
