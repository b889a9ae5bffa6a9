"""The one entry point: department files in, the public site out (python -m pipeline).

Load inputs -> process -> save outputs. The stages in between are pure (clean, combine, analyse,
charts, publish: data in, data out); the disk is touched by the packages at either end and by the
caches that make a rebuild cheap: the gate and ingest read data/raw (with the read cache), archive
reads and places the closed releases, images keeps its drawings by content, releases stores a
release closed now, generator runs MkDocs, and this module writes the site. The site is built in a
temporary folder and replaces site/ only when every step succeeded: a failed or interrupted build
leaves the last good site in place.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import copy
import datetime as dt
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.analyse.analysis import analyse as analyse_data
from pipeline.analyse.commitments import Commitments, commitments_of, read_commitments
from pipeline.archive.plans import load_ended, place_ended
from pipeline.archive.store import ArchiveError
from pipeline.basics import paths
from pipeline.basics.format import as_of_phrase, date_zh
from pipeline.basics.problems import Problem, sort_problems
from pipeline.basics.workdir import (
    TEMPORARY_PREFIX,
    build_lock,
    clear_report,
    discard,
    disk_full,
    disk_full_message,
    failed,
    link_or_copy,
    permission_message,
    replace_failed,
    skipped_writes,
    skipped_writes_message,
    write_whole,
    writing,
)
from pipeline.charts.measures import measures_analysis
from pipeline.charts.targets import all_charts
from pipeline.combine.checks import observation_schema, warnings
from pipeline.combine.dataset import Dataset, combine
from pipeline.config import Config, ConfigError, load_config
from pipeline.gate.privacy import leak_message
from pipeline.generator.mkdocs import GeneratorFailed, load_site_settings, run_mkdocs, write_config
from pipeline.generator.search_index import rewrite_search_index
from pipeline.generator.sitemap import add_releases
from pipeline.images import qr
from pipeline.images.portrait import portrait_file_name
from pipeline.images.render import DrawingPool, Images, render_images
from pipeline.ingest.files import ReadCache, read_all
from pipeline.publish.files import publish_files
from pipeline.publish.scan_cache import UNSCANNED, ScanCache, personal_numbers_in
from pipeline.publish.share import SettingsError, chart_footers, checked_settings, footer_links, portraits
from pipeline.publish.site import Site
from pipeline.releases.assemble import ReleaseBuild, ReleaseRequestError, Request

log = logging.getLogger(__name__)


class BuildFailed(Exception):
    """The build stopped; the message says why and what to do (no traceback is shown)."""


@dataclass
class Outputs:
    """Everything a build writes, in memory: files under docs/ (path -> bytes)."""

    files: dict[str, bytes]
    problems: list[Problem]
    site: Site
    file_counts: dict[str, int]  # department files read now and reused from the cache
    image_counts: dict[str, int]  # images drawn now and reused from the cache
    stage_seconds: dict[str, float]  # how long each stage of the build took
    stored: list = field(default_factory=list)  # releases closed (or re-issued) and kept in data/releases


# -- process ------------------------------------------------------------------------------------


def read_and_check(raw_dir: Path, config: Config, today: dt.date,
                   cache: ReadCache | None = None) -> tuple[Dataset, list[Problem]]:
    """Every department file read (or taken from the cache when unchanged), combined and checked:
    the data, and every problem found (the cache then keeps the entries of these files only)."""
    results, problems = read_all(raw_dir, config, today, cache)
    if cache:
        cache.prune()
    return check(results, problems, config)


def check(results: list, read_problems: list[Problem], config: Config) -> tuple[Dataset, list[Problem]]:
    """Files' results combined and checked (combine.py changes the results in place)."""
    dataset = combine(results, read_problems, config)
    problems = sort_problems(dataset.problems + warnings(dataset.observations, dataset.submissions, config))
    return dataset, problems


def analyse(config: Config, dataset: Dataset, problems: list[Problem], plan_text: str, settings: dict,
            commitments: Commitments | None = None, released_on: dt.date | None = None) -> Site:
    """From the cleaned data to figures and charts as of the release's date (pure); errors in the
    data stop here."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataErrors(errors, problems)
    observation_schema(config).validate(dataset.observations)
    analysis = analyse_data(config, dataset, problems, released_on)
    charts = all_charts(analysis)
    # the plan's measures and working mechanism (pipeline/publish/measures.py), when read
    measures = commitments and measures_analysis(commitments, config, dataset, analysis.progress, problems,
                                                 analysis.released_on, settings)
    return Site(analysis=analysis, charts=charts + (measures.charts if measures else []), plan_text=plan_text,
                settings=settings, commitments=measures)


class DataErrors(Exception):
    """Problems in department files that stop the build."""

    def __init__(self, errors: list[Problem], problems: list[Problem]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors
        self.problems = problems


def check_no_personal_data(files: dict[str, bytes], scanned: ScanCache | None = None) -> None:
    """The last guard: nothing the build writes may contain an ID number or a mobile number,
    written in any of the ways the cell screen knows (privacy.py), and, more broadly than the
    screen, an 18-digit ID number whatever its check digit (a typing error still shows a region
    and a birth date). Every file but images is read, the tables workbook as its parts' text.
    With `scanned`, a file whose bytes an earlier build found clean is not scanned again."""
    for path, content in files.items():
        if path.lower().endswith(UNSCANNED) or (scanned and scanned.known(content)):
            continue
        hits = personal_numbers_in(path, content)
        if hits:
            raise BuildFailed(leak_message(path, hits))
    if scanned:
        scanned.remember()


# -- save ---------------------------------------------------------------------------------------


def assemble_docs(files: dict[str, bytes], docs_dir: Path, vega_bundle: bytes) -> None:
    """The hand-written docs/ sources, the generated files and the chart library, in one folder.
    (File by file: shutil.copytree gathers the errors of all files into one that says none's cause,
    such as a full disk.)"""
    for source in sorted(paths.DOCS_SRC_DIR.rglob("*")):
        target = docs_dir / source.relative_to(paths.DOCS_SRC_DIR)
        if source.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    for rel, content in files.items():
        target = docs_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    (docs_dir / "assets" / "javascripts").mkdir(parents=True, exist_ok=True)
    (docs_dir / "assets" / "javascripts" / "vega.min.js").write_bytes(vega_bundle)


def vega_bundle(cache_dir: Path) -> bytes:
    """vega + vega-lite + vega-embed in one file, wrapped so its names stay out of the page's
    global scope (except window.vegaEmbed). Made once per vl-convert version and cached."""
    import vl_convert

    cached = cache_dir / f"vega-bundle-{vl_convert.__version__}.js"
    if cached.exists():
        return cached.read_bytes()
    bundle = ("(function(){\n" + vl_convert.javascript_bundle() + "\n})();\n").encode()
    with contextlib.suppress(OSError):  # (on a full disk: made again next time; the build says so)
        write_whole(cached, bundle)
    return bundle


def add_chart_pngs(images: dict[str, Images], site: Path) -> None:
    """Each chart's PNG beside its other downloads (made while MkDocs built the pages, so not
    part of the docs it built from)."""
    for chart_id, image in images.items():  # linked: the image cache replaces its files whole
        link_or_copy(image.png_file, site / "charts" / chart_id / f"{chart_id}.png")
        link_or_copy(image.portrait_file, site / "charts" / chart_id / portrait_file_name(chart_id))


def replace_site(new_site: Path, site_dir: Path) -> None:
    """Put a finished site in place of the old one with two renames on the same disk; if that
    cannot be done (no permission), BuildFailed, with the old site where it was. Whatever is left
    at site.old (a folder of an earlier build, or a file or link that is not a site) is removed
    first: a file there once stopped every later build."""
    old = site_dir.with_name(site_dir.name + ".old")
    try:
        remove_path(old)
        if site_dir.exists() or site_dir.is_symlink():
            site_dir.rename(old)
        new_site.rename(site_dir)
    except OSError as exc:
        with contextlib.suppress(OSError):
            recover_interrupted_swap(site_dir)  # the last site back in its place
        exc.filename = exc.filename or str(site_dir)
        raise BuildFailed(disk_full_message(exc, site_dir) if disk_full(exc) else replace_failed(site_dir, old, exc)) from None
    with contextlib.suppress(OSError):
        discard(old, site_dir.parent / "build")


def remove_path(path: Path) -> None:
    """Remove what is at path, if anything: a folder with all it holds, or a file or a symbolic
    link (the link only, never what it points to)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def recover_interrupted_swap(site_dir: Path) -> None:
    """If a build was stopped between the two renames, bring the previous site back (a folder:
    anything else at site.old is no site, and replace_site removes it)."""
    old = site_dir.with_name(site_dir.name + ".old")
    if old.is_dir() and not old.is_symlink() and not site_dir.exists() and not site_dir.is_symlink():
        old.rename(site_dir)


def error_report(errors: list[Problem], problems: list[Problem]) -> str:
    lines = [f"发布中止：数据中有 {len(errors)} 个错误需要改正（网站保持上一次的版本，未作任何改动）。", ""]
    lines += [p.message() + "\n" for p in errors]
    warned = [p for p in problems if p.severity == "warning"]
    if warned:
        lines.append(f"另有 {len(warned)} 条提醒（不影响发布）：")
        lines += [p.message() + "\n" for p in warned]
    lines.append("改正后重新运行 make。文件格式约定见 data/raw/README.md。")
    return "\n".join(lines)


def build(raw_dir: Path = paths.RAW_DIR, site_dir: Path = paths.SITE_DIR, *, config_dir: Path = paths.CONFIG_DIR,
          today: dt.date | None = None, keep_docs: Path | None = paths.BUILD_DIR / "docs",
          cache_dir: Path | None = None, releases_dir: Path | None = None, request: Request | None = None,
          site_settings: dict | None = None, plan_text_file: Path = paths.PLAN_TEXT) -> Outputs:
    """Build the site from raw_dir into site_dir; raise BuildFailed or DataErrors on failure.
    cache_dir: what is kept between builds (default paths.CACHE_DIR, looked up at each call);
    releases_dir: the closed releases (default: releases/ beside raw_dir, paths.releases_dir);
    plan_text_file: the plan's text (paths.PLAN_TEXT: that of the plan folder, PLAN_DIR);
    request: close quarters (make release) or re-issue a closed release (make reissue) too;
    site_settings: settings that replace the site's own: make new-plan builds an ended plan's final
    site for its archive with its permanent site_url and archived_plan (what the banner says).
    The ended plans archived beside raw_dir (paths.plans_dir) are placed in the site, except in
    such an archive's own build.

    One build at a time per build folder (a second one waits); what a killed build left there is
    removed first. Outputs.stage_seconds says how long each stage took (for the benchmark).
    """
    with build_lock(site_dir.parent / "build"):
        return _build(raw_dir, site_dir, config_dir=config_dir, today=today, keep_docs=keep_docs,
                      cache_dir=cache_dir or paths.CACHE_DIR, releases_dir=releases_dir or paths.releases_dir(raw_dir),
                      request=request or Request(), site_settings=site_settings or {}, plan_text_file=plan_text_file)


def _build(raw_dir: Path, site_dir: Path, *, config_dir: Path, today: dt.date | None, keep_docs: Path | None,
           cache_dir: Path, releases_dir: Path, request: Request, site_settings: dict, plan_text_file: Path) -> Outputs:
    clock = _StageClock()
    recover_interrupted_swap(site_dir)
    # load
    with clock("read"):
        config = load_config(config_dir)
        # or SettingsError: it would publish something wrong
        settings = checked_settings({**load_site_settings(plan_yml=config_dir / "plan.yml"), **site_settings})
        try:
            ended = [] if "archived_plan" in settings else load_ended(paths.plans_dir(raw_dir))
        except ArchiveError as exc:
            raise BuildFailed(f"发布中止：{exc}") from None
        settings["earlier_plans"] = [plan.for_pages(paths.PLANS_FOLDER) for plan in ended]
        today = today or dt.date.today()
        read_cache = ReadCache(cache_dir / "read", config, today)
        results, read_problems = read_all(raw_dir, config, today, read_cache)
        pristine = copy.deepcopy(results)  # a release closed now combines its own files (releases/assemble.py)
        dataset, problems = check(results, read_problems, config)
        plan_text = plan_text_file.read_text(encoding="utf-8")
        commitments = read_commitments(raw_dir, config, plan_text, today, config_dir, read_cache)  # the status forms
        read_cache.prune()  # every file read: entries of files gone or changed removed
        qr.symbols = qr.QrSymbols.load(cache_dir / qr.CACHE_FILE)
        try:
            releases = ReleaseBuild(raw_dir, releases_dir, config, today, pristine, commitments, request)
        except (ArchiveError, ReleaseRequestError) as exc:
            raise BuildFailed(f"发布中止：{exc}") from None
        dataset = replace(dataset, submissions=releases.submissions(dataset.submissions))
        problems = sort_problems(problems + commitments.problems + releases.problems)
    # process: the drawing workers start (and warm up) on the other core while the figures are worked out
    with DrawingPool() as pool:
        with clock("analyse"):
            # An ended plan's archive (make new-plan) is its final result, dated the day it is kept:
            # in the words of an ended plan, whatever its last closed release said.
            released_on = today if "archived_plan" in settings else releases.release_date
            site = analyse(config, dataset, problems, plan_text, settings, commitments, released_on)
            site = releases.attach(site, _release_analysis(config, plan_text, settings, commitments))
            footers = chart_footers(site)
        with clock("images"), writing(cache_dir):
            # While the workers draw, this process (otherwise waiting) makes the chart library
            # (once per vl-convert version).
            with concurrent.futures.ThreadPoolExecutor(max_workers=1) as side:
                bundle_job = side.submit(vega_bundle, cache_dir)
                images, image_counts = render_images(site.charts, footers, cache_dir, pool, portraits(site, footers))
                releases.render_images(images, cache_dir, pool)
                bundle = bundle_job.result()
        # The pages and the site are made while the workers make the PNGs.
        with clock("pages"):
            files = publish_files(site, images, footers)
            check_no_personal_data({**files, **releases.render_files()}, ScanCache(cache_dir / "scanned"))
            qr.symbols.save(cache_dir / qr.CACHE_FILE)
        # save
        work_root = site_dir.parent / "build"
        work_root.mkdir(parents=True, exist_ok=True)
        with writing(work_root), tempfile.TemporaryDirectory(prefix=TEMPORARY_PREFIX, dir=work_root) as work:
            docs_dir, new_site = Path(work) / "docs", Path(work) / "site"
            data_dates = {"data_as_of": as_of_phrase(site.as_of), "data_released": date_zh(site.reference),
                          **footer_links(settings), **_archived(settings)}
            with clock("mkdocs"), writing(Path(work)):
                assemble_docs(files, docs_dir, bundle)
                run_mkdocs(config, docs_dir, new_site, site.reference, data_dates, pages := _pages(files), cache_dir / "pages")
                rewrite_search_index(new_site)  # finds any run of characters (search_index.py)
            with clock("png"), writing(Path(work)):
                pool.finish()
                add_chart_pngs(images, new_site)
                stored = releases.write(new_site, pool, cache_dir)  # the releases closed now kept in data/releases
                add_releases(new_site, site.releases.all if site.releases else (), settings.get("site_url", "/"),
                             paths.RELEASES_FOLDER)
                place_ended(ended, paths.plans_dir(raw_dir), new_site, paths.PLANS_FOLDER, paths.RELEASES_FOLDER,
                            settings["site_url"])
            with clock("publish"):
                replace_site(new_site, site_dir)
                if keep_docs is not None:
                    keep_pages(docs_dir, keep_docs, images, lambda: write_config(
                        config, keep_docs, site_dir, data_dates, pages, keep_docs.parent / "mkdocs.yml"), work_root)
    return Outputs(files=files, problems=problems, site=site, file_counts=read_cache.counts,
                   image_counts=image_counts, stage_seconds=clock.seconds, stored=stored)


def keep_pages(docs_dir: Path, keep_docs: Path, images: dict[str, Images], write_generator_config,
               work_root: Path) -> None:
    """The pages and the generator's configuration, kept to look at or to rebuild with the
    generator alone (mkdocs build -f build/mkdocs.yml). The site is already published: if they
    cannot all be kept (a full disk), it says so and the build ends as it succeeded."""
    try:
        discard(keep_docs, work_root)  # the last build's pages, into the trash
        shutil.move(str(docs_dir), keep_docs)
        add_chart_pngs(images, keep_docs)
        write_generator_config()
    except OSError as exc:
        log.warning("提醒：网站已发布，但生成的页面未能完整保存到 %s（%s：%s）；不影响网站。%s", keep_docs, exc.strerror,
                    exc.filename or keep_docs, "请腾出磁盘空间。" if disk_full(exc) else "")


def _release_analysis(config: Config, plan_text: str, settings: dict, commitments: Commitments):
    """How a release closed now is analysed: its files' results and status forms -> its Site."""
    def analyse_files(results: list, forms: list, label: str, closing: dt.date, released_on: dt.date) -> Site:
        dataset, problems = check(results, [], config)
        try:
            return analyse(config, dataset, problems, plan_text, settings, commitments_of(commitments, forms, config),
                           released_on)
        except DataErrors as exc:
            raise BuildFailed(f"发布中止：{label} 发布（收录 {closing.isoformat()} 以前收到的文件）的数据有错误：\n\n"
                              + "\n".join(p.message() for p in exc.errors)) from None
    return analyse_files


def _archived(settings: dict) -> dict:
    """In an ended plan's archive (make new-plan): its permanent address and what its banner says."""
    if "archived_plan" not in settings:
        return {}
    return {"site_url": settings["site_url"], "archived_plan": settings["archived_plan"]}


def _pages(files: dict[str, bytes]) -> list[str]:
    """The generated Markdown pages, in the order made."""
    return [path for path in files if path.endswith(".md")]


class _StageClock:
    """Times the stages of a build: `with clock("name"): ...`."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, stage: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Command line: build the site; data problems are reported in Chinese, without a traceback."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m pipeline", description="从 data/raw 中的部门报送文件生成网站（site/）。")
    parser.add_argument("--raw", type=Path, default=paths.RAW_DIR, help="报送文件目录（默认 data/raw）")
    parser.add_argument("--site", type=Path, default=paths.SITE_DIR, help="网站输出目录（默认 site）")
    parser.add_argument("--config", type=Path, default=paths.CONFIG_DIR, help="配置目录（默认 config）")
    parser.add_argument("--cache", type=Path, default=paths.CACHE_DIR, help="缓存目录：图片、读取结果等（默认 build/cache）")
    parser.add_argument("--releases", type=Path, help="已封存的发布目录（默认报送文件目录旁的 releases/，即 data/releases）")
    parser.add_argument("--timings", type=Path, help="把各阶段用时（秒）写入这个 JSON 文件（供性能测试用）")
    parser.add_argument("--close", action="store_true", help="封存收录截止日期已过的季度发布（make release）")
    parser.add_argument("--reissue", metavar="季度", help="重新发布一期已封存的发布（写作 YYYYQn），原版保留并写明勘误（make reissue）")
    parser.add_argument("--note", default="", help="--reissue 的勘误说明：什么错了，怎样更正的")
    parser.add_argument("--take", nargs="*", default=[], metavar="文件", help="--reissue：更正版另外收录的文件（data/raw 下的路径）")
    parser.add_argument("--date", type=_date_argument, help="--close、--reissue 的发布日期（默认今天），YYYY-MM-DD")
    args = parser.parse_args(argv)
    if args.close and args.reissue:
        parser.error("--close 和 --reissue 不能同时使用")
    request = Request(close=args.close, reissue=args.reissue, note=args.note, take=tuple(args.take),
                      day=(args.date or dt.date.today()) if args.close or args.reissue else None)
    work_dir = args.site.resolve().parent / "build"
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    report = clear_report(work_dir)  # the report of this build if it fails; never an older, unrelated one
    try:
        # Generated pages and the error report go in the build folder beside the site.
        outputs = build(args.raw.resolve(), args.site.resolve(), config_dir=args.config.resolve(),
                        cache_dir=args.cache.resolve(), keep_docs=work_dir / "docs",
                        releases_dir=args.releases and args.releases.resolve(), request=request)
    except ConfigError as exc:
        return failed(exc.message(), report, 2)
    except DataErrors as exc:
        return failed(error_report(exc.errors, exc.problems), report, 1)
    except (BuildFailed, GeneratorFailed, SettingsError) as exc:
        return failed(str(exc), report, 1)
    except PermissionError as exc:
        return failed(permission_message(exc), report, 1)
    except OSError as exc:
        if not disk_full(exc):
            raise
        return failed(disk_full_message(exc, args.site.resolve()), report, 1)
    except KeyboardInterrupt:
        print("已中断：网站保持上一次的版本。", file=sys.stderr)
        return 130
    if args.timings:
        args.timings.write_text(json.dumps({"stage_seconds": outputs.stage_seconds, "files": outputs.file_counts,
                                            "images": outputs.image_counts},
                                           ensure_ascii=False, indent=1), encoding="utf-8")
    if skipped := skipped_writes():
        print(skipped_writes_message(skipped), file=sys.stderr)
    warned = sum(p.severity == "warning" for p in outputs.problems)
    site = outputs.site
    shown = os.path.relpath(args.site) if args.site.resolve().is_relative_to(Path.cwd()) else str(args.site)
    print(f"已发布到 {shown}/：{len(site.dataset.submissions)} 个报送文件，{len(site.config.targets)} 项目标，"
          f"数据截至{as_of_phrase(site.as_of)}。"
          + (f"数据有 {warned} 条提醒，请查看“数据质量报告”页（{shown}/quality/index.html）。" if warned else "数据没有提醒。"))
    releases_dir = (args.releases or paths.releases_dir(args.raw)).resolve()
    for release in outputs.stored:
        folder = releases_dir / release.name
        folder = folder.relative_to(Path.cwd()) if folder.is_relative_to(Path.cwd()) else folder
        what = (f"已重新发布{release.label_zh}（更正 {release.reissue_of}，原版保留并加上勘误）" if release.reissue_of
                else f"已封存{release.label_zh}")
        print(f"{what}：发布日期 {release.released_on.isoformat()}，收录 {len(release.files)} 个文件，"
              f"{sum(v == release.name for v in release.versions.values())} 张图表本期更新，{release.size / 1e6:.1f} MB，"
              f"存入 {folder}/。此后任何构建都按原样发布它，不再重新计算。请把它提交到版本库：git add {folder}")
    return 0


def _date_argument(text: str) -> dt.date:
    import argparse

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期要写成 YYYY-MM-DD（如今天：{dt.date.today().isoformat()}），而不是 {text!r}") from None
