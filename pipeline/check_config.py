"""make check-config: the whole configuration of a plan read and checked, every missing or
inconsistent entry named in Chinese, one line each (the file, the key, what was found and what is
expected), before a first build.

    python -m pipeline.check_config [--config config] [--plan-text data/plan/strategy.zh.txt] [--mkdocs mkdocs.yml]

It reads what the build reads, with the build's own checks (pipeline/config: config/*.yml, the
commitments against the plan's text; mkdocs.yml's site settings), but reports every file's
problems, not only the first; exit status 1 if there is any, 0 with a one-line summary otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.basics import paths
from pipeline.basics.format import date_zh
from pipeline.config import Config, ConfigError, config_errors
from pipeline.config.commitments import Registry, load_commitments
from pipeline.generator.mkdocs import load_site_settings
from pipeline.publish.share import SettingsError, check_settings, licence


def check(config_dir: Path, plan_text: Path, mkdocs_yml: Path) -> tuple[list[str], str]:
    """(every problem as one line, the summary when there is none)."""
    config, errors = config_errors(config_dir)
    registry, unread = None, []
    if config is not None:
        try:
            text = plan_text.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            unread.append(f"{plan_text}：规划原文无法读取（{type(exc).__name__}），应为 UTF-8 文本文件。"
                          "请把规划全文放在这里（每段一行）。")
        else:
            errors += _plan_identity(config, config_dir, text)
            try:
                registry = load_commitments(config, text, config_dir)
            except ConfigError as exc:
                errors.append(exc)
    lines = unread + [line for error in errors for line in error.lines()]
    lines += _site_settings(mkdocs_yml, config_dir / "plan.yml")
    return lines, _summary(config, registry) if config is not None and not lines else ""


def _plan_identity(config: Config, config_dir: Path, text: str) -> list[ConfigError]:
    """What plan.yml and sources.yml say of the plan that only its text and folders can confirm."""
    plan, problems = config.plan, []
    body = [line.strip() for line in text.splitlines() if line.strip()]
    first = body[plan.text_preamble_lines] if len(body) > plan.text_preamble_lines else ""
    if body and first != plan.title:
        problems.append(f"plan.text_preamble_lines：跳过 {plan.text_preamble_lines} 行后，规划原文的第一行是“{first[:30]}”，"
                        f"应为规划标题“{plan.title}”（plan.title）；改为标题之前的非空行数")
    if body and not any(plan.leading_group in line for line in body):
        problems.append(f"plan.leading_group：规划原文中没有“{plan.leading_group}”，应照原文写出领导机构的全称")
    errors = [ConfigError(config_dir / "plan.yml", problems)] if problems else []
    folder = config.defaults.status_form_folder
    if folder in {s.folder for s in config.sources.values()}:
        errors.append(ConfigError(config_dir / "sources.yml", [
            f"defaults.status_form_folder：{folder!r} 也是一种报表的 folder，应为 data/raw 下单独存放进展表的目录"]))
    return errors


def _site_settings(mkdocs_yml: Path, plan_yml: Path) -> list[str]:
    """mkdocs.yml's website settings with the plan's site identity, as the build checks them
    (README: 网站设置; the identity's own entries are checked with plan.yml)."""
    shown = mkdocs_yml.name
    try:
        settings = load_site_settings(mkdocs_yml, plan_yml)
    except (OSError, ValueError) as exc:
        return [f"{shown}：无法读取（{exc}）。请改正该文件。"]
    lines = [f"{shown}：{key} 为空，应写明{what}。请改正该文件中的这一项（见 README“网站设置”）。"
             for key, what in (("site_url", "网站地址"), ("copyright", "主办单位"))
             if not str(settings.get(key) or "").strip("/ ")]
    for check_one in (licence, check_settings):
        try:
            check_one(settings)
        except SettingsError as exc:
            lines.append(f"{shown}：{exc}")
    return lines


def _summary(config: Config, registry: Registry | None) -> str:
    plan = config.plan
    measures = f"、{len(registry.commitments)} 项措施" if registry else ""
    return (f"配置检查通过：《{plan.title}》，规划期 {date_zh(plan.start)}至{date_zh(plan.end)}（{plan.span_zh}），"
            f"{len(config.programmes)} 项重点工程、{len(config.targets)} 项目标{measures}、{len(config.sources)} 种报表、"
            f"{len(config.vocabularies['departments'].names)} 个部门。")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.check_config",
                                     description="检查一个规划的全部配置，逐条列出缺少或不一致之处。")
    parser.add_argument("--config", type=Path, default=paths.CONFIG_DIR, help="配置目录（默认 config）")
    parser.add_argument("--plan-text", type=Path, default=paths.PLAN_TEXT, help="规划原文（默认 data/plan/strategy.zh.txt）")
    parser.add_argument("--mkdocs", type=Path, default=paths.MKDOCS_YML, help="网站设置（默认 mkdocs.yml）")
    args = parser.parse_args(argv)
    lines, summary = check(args.config, args.plan_text, args.mkdocs)
    if lines:
        print(f"配置检查未通过（configuration check failed）：{len(lines)} 处问题", file=sys.stderr)
        for line in lines:
            print(f"  - {line}", file=sys.stderr)
        return 1
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
