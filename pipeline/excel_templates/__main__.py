"""python -m pipeline.excel_templates (make templates): an Excel template per department form, and
the status form of the plan's measures, written into build/templates."""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.basics import paths
from pipeline.config import ConfigError, load_config
from pipeline.config.commitments import load_commitments
from pipeline.excel_templates.departments import write_templates
from pipeline.excel_templates.status import write_status_template


def main(argv: list[str] | None = None) -> int:
    """Command line: write the templates (make templates)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m pipeline.excel_templates",
                                     description="为每个报送来源生成 Excel 报送模板。")
    parser.add_argument("--out", type=Path, default=paths.TEMPLATES_DIR, help="输出目录（默认 build/templates）")
    args = parser.parse_args(argv)
    try:
        config = load_config()
    except ConfigError as exc:
        print(exc.message(), file=sys.stderr)
        return 2
    written = write_templates(config, args.out)
    # The status form of the plan's measures, for the office that runs the plan (pipeline/excel_templates/status.py).
    try:
        registry = load_commitments(config, paths.PLAN_TEXT.read_text(encoding="utf-8"))
    except ConfigError as exc:
        print(exc.message(), file=sys.stderr)
        return 2
    written.append(write_status_template(registry, config, args.out))
    print(f"已生成 {len(written)} 个报送模板，在 {args.out}/：")
    for path in written:
        print(f"  {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
