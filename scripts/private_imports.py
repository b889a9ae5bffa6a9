#!/usr/bin/env python3
"""`make lint`: no name with a leading underscore is imported from another module of the project
(a private name stays in its module; what others need is public). Lists each one and exits 1.

    python scripts/private_imports.py pipeline tests bench scripts
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PROJECT_PACKAGES = ("pipeline", "tests", "bench")


def private_imports(path: Path) -> list[str]:
    """'file:line: takes _name from module' for each private name a file imports from the project."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PROJECT_PACKAGES:
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path}:{node.lineno}: takes {alias.name} from {node.module}")
    return found


def main(folders: list[str]) -> int:
    files = [p for folder in folders for p in sorted(Path(folder).rglob("*.py"))]
    found = [line for path in files for line in private_imports(path)]
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} 处从其他模块导入了以下划线开头的私有名称：请改为公开的名称，或把代码移到用它的模块。", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["pipeline", "tests", "bench", "scripts"]))
