"""make new-plan FROM=<folder>: the next plan starts, the ended one is kept (README: A new plan).

    python -m pipeline.new_plan --from examples/plan-2012-2015 [--date YYYY-MM-DD]

One step, once the plan the site shows has ended:

1. the new plan's folder (config/, data/plan/, data/raw/, optionally data/releases/) is checked as
   `make check-config` checks it, and must start after the ended plan;
2. the ended plan's final site is built once more, for its permanent address /plans/<id>/ (every
   page says it is archived and links the current plan), and kept with what it was made from in
   data/plans/<id>/ (pipeline/archive/plans.py): from then on every build places it as it is;
3. the new plan's files take the place of the ended plan's in config/ and data/.

Nothing is changed when a check or the build fails. Then `make` builds the new plan's site, with
the ended plan at /plans/<id>/ and its closed releases at their addresses; commit config/ and data/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path

from pipeline.archive.plans import EndedPlan, plan_id, store_plan
from pipeline.archive.store import ArchiveError
from pipeline.basics import paths
from pipeline.basics.format import date_zh
from pipeline.basics.workdir import TEMPORARY_PREFIX
from pipeline.build import BuildFailed, DataErrors, build, error_report
from pipeline.check_config import check
from pipeline.config import ConfigError, load_config
from pipeline.generator.mkdocs import GeneratorFailed, load_site_settings

#: A plan folder's parts (README: A new plan): where each is in the folder.
PARTS = ("config", "data/plan", "data/raw", "data/releases")


class NewPlanRefused(Exception):
    """The new plan cannot start yet; the message says why and what to do."""


def plan_parts(folder: Path) -> dict[str, Path]:
    """The parts of a plan folder (config/, data/plan/, data/raw/, data/releases/)."""
    return {part: folder / part for part in PARTS}


def start_new_plan(new_folder: Path, today: dt.date, plan_dir: Path = paths.PLAN_DIR,
                   work_dir: Path = paths.BUILD_DIR) -> tuple[EndedPlan, Path]:
    """Archive the plan in plan_dir and put new_folder's plan in its place (see the module's
    docstring); the ended plan's site is built in work_dir. Returns the ended plan and its archive
    folder; NewPlanRefused, DataErrors or BuildFailed when it cannot, with nothing changed."""
    current, incoming = plan_parts(plan_dir), plan_parts(new_folder.resolve())
    config = load_config(current["config"])
    plan = config.plan
    if today <= plan.end:
        raise NewPlanRefused(f"现行规划《{plan.title}》的规划期到{date_zh(plan.end)}结束，结束以后才能开始新规划"
                             f"（今天是{date_zh(today)}）。")
    if new_folder.resolve() == plan_dir.resolve():
        raise NewPlanRefused(f"{new_folder} 就是现行规划的目录：请指定新规划的目录（它有 config/、data/plan/、data/raw/）。")
    missing = [part for part in ("config", "data/plan", "data/raw") if not incoming[part].is_dir()]
    if missing:
        raise NewPlanRefused(f"{new_folder} 缺少 {'、'.join(p + '/' for p in missing)}：新规划的目录应与现行规划的相同"
                             "（config/ 六个配置文件，data/plan/strategy.zh.txt 规划原文，data/raw/ 报送文件目录）。")
    lines, _ = check(incoming["config"], incoming["data/plan"] / paths.PLAN_TEXT.name, paths.MKDOCS_YML)
    if lines:
        raise NewPlanRefused(f"新规划的配置检查未通过（{len(lines)} 处问题）：\n" + "\n".join(f"  - {line}" for line in lines)
                             + f"\n请改正后再运行（可先用 make check-config PLAN={new_folder} 检查）。")
    following = load_config(incoming["config"]).plan
    if following.start <= plan.end:
        raise NewPlanRefused(f"新规划《{following.title}》从{date_zh(following.start)}开始，应在现行规划结束"
                             f"（{date_zh(plan.end)}）之后。")
    ended = EndedPlan(id=plan_id(plan.start, plan.end), title=plan.title, site_name=config.site.site_name,
                      start=plan.start, end=plan.end, archived_on=today)
    plans_dir = paths.plans_dir(current["data/raw"])
    if (plans_dir / ended.id).exists():
        raise NewPlanRefused(f"{plans_dir / ended.id} 已存在：规划 {ended.id} 已经存档过。")
    site_url = load_site_settings(plan_yml=current["config"] / "plan.yml")["site_url"]
    work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=TEMPORARY_PREFIX, dir=work_dir) as work:
        built = Path(work) / "site"
        build(current["data/raw"], built, config_dir=current["config"], today=today, keep_docs=None,
              releases_dir=current["data/releases"], plan_text_file=current["data/plan"] / paths.PLAN_TEXT.name,
              site_settings={"site_url": f"{site_url}{ended.path(paths.PLANS_FOLDER)}",
                             "archived_plan": ended.for_pages(paths.PLANS_FOLDER)})
        folder = store_plan(plans_dir, ended, built, current)
    for part, source in incoming.items():
        if source.is_dir():
            shutil.copytree(source, current[part])
        else:
            current[part].mkdir(parents=True)
    return ended, folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.new_plan",
                                     description="现行规划结束后开始新规划：存档现行规划的最终结果，换上新规划的配置和数据。")
    parser.add_argument("--from", dest="new_folder", type=Path, required=True,
                        help="新规划的目录（有 config/、data/plan/、data/raw/），如 examples/plan-2012-2015")
    parser.add_argument("--date", type=dt.date.fromisoformat, help="存档日期（默认今天），YYYY-MM-DD")
    args = parser.parse_args(argv)
    try:
        ended, folder = start_new_plan(args.new_folder, args.date or dt.date.today())
    except NewPlanRefused as exc:
        print(f"没有开始新规划：{exc}", file=sys.stderr)
        return 1
    except ConfigError as exc:
        print(f"没有开始新规划：现行规划的配置有错误。\n{exc.message()}", file=sys.stderr)
        return 1
    except DataErrors as exc:
        print("没有开始新规划：现行规划的最终结果无法生成。\n" + error_report(exc.errors, exc.problems), file=sys.stderr)
        return 1
    except (BuildFailed, GeneratorFailed, ArchiveError) as exc:
        print(f"没有开始新规划：{exc}", file=sys.stderr)
        return 1
    shown = folder.relative_to(paths.ROOT) if folder.is_relative_to(paths.ROOT) else folder
    print(f"已开始新规划。《{ended.title}》（{ended.span_zh}）的最终结果已存档到 {shown}"
          f"（网址 /{ended.path(paths.PLANS_FOLDER)}），它的各期发布仍在原来的网址。\n"
          "现在运行 make 生成新规划的网站，检查后提交 config/ 和 data/（git add -A config data）。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
