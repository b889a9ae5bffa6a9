"""The one entry point: department files in, the public site out (python -m pipeline).

Load inputs -> process -> save outputs, as in every step of the pipeline. Only this module and
the readers touch the disk. The site is built in a temporary folder and replaces site/ only when
every step succeeded: a failed or interrupted build leaves the last good site in place.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import yaml

from pipeline import paths
from pipeline.charts import all_charts
from pipeline.checks import observation_schema, warnings
from pipeline.combine import Dataset, combine
from pipeline.config import Config, ConfigError, load_config
from pipeline.ingest import ReadCache, read_all
from pipeline.exports import DrawingPool, Images, render_images
from pipeline.format import as_of_phrase, date_zh
from pipeline.opendata import open_data_files
from pipeline.pages import Site, all_pages, chart_files, chart_footers
from pipeline.portrait import portrait_file_name, portrait_frames
from pipeline.privacy import find_personal_numbers
from pipeline.problems import Problem, problems_frame, sort_problems
from pipeline.progress import all_progress, reference_date, target_series
from pipeline.search_index import rewrite_search_index
from pipeline.share import SettingsError, checked_settings, footer_links
from pipeline.tables import csv_bytes, for_table



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


# -- load -------------------------------------------------------------------------------------


def load_site_settings(mkdocs_yml: Path = paths.MKDOCS_YML) -> dict:
    """Site identity from mkdocs.yml: site_name, site_url, copyright and every `extra` setting."""

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    _Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    data = yaml.load(mkdocs_yml.read_text(encoding="utf-8"), Loader=_Loader)
    site_url = str(data.get("site_url") or "/")
    return {"site_name": data.get("site_name", ""), "site_url": site_url if site_url.endswith("/") else site_url + "/",
            "copyright": data.get("copyright", ""), **(data.get("extra") or {})}


# -- process ------------------------------------------------------------------------------------


def read_and_check(raw_dir: Path, config: Config, today: dt.date,
                   cache: ReadCache | None = None) -> tuple[Dataset, list[Problem]]:
    """Every department file read (or taken from the cache when unchanged), combined and checked:
    the data, and every problem found."""
    results, read_problems = read_all(raw_dir, config, today, cache)
    dataset = combine(results, read_problems, config)
    problems = sort_problems(dataset.problems + warnings(dataset.observations, dataset.submissions, config))
    return dataset, problems


@dataclass
class Analysis:
    """The data turned into progress, series, charts and published tables (before any image)."""

    site: Site
    tables: dict[str, pd.DataFrame]


def analyse(config: Config, dataset: Dataset, problems: list[Problem], plan_text: str, settings: dict) -> Analysis:
    """From the cleaned data to figures and charts (pure); errors in the data stop here."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataErrors(errors, problems)
    observation_schema(config).validate(dataset.observations)

    progress = all_progress(config, dataset.observations, dataset.submissions)
    series = target_series(config, dataset.observations, progress)
    used = dataset.submissions[dataset.submissions["status"] == "used"] if not dataset.submissions.empty else dataset.submissions
    as_of = max(used["coverage_end"]) if len(used) else None
    reference = reference_date(dataset.submissions)
    charts = all_charts(config, progress, series, as_of_phrase(as_of))
    tables = {
        "targets": targets_table(config),
        "target_progress": progress,
        "target_series": series,
        "observations": dataset.observations,
        "submissions": dataset.submissions,
        "cleaning_log": dataset.cleaning_log,
        "corrections": dataset.corrections,
        "problems": problems_frame(problems),
    }
    site = Site(config=config, dataset=dataset, progress=progress, series=series, charts=charts, problems=problems,
                as_of=as_of, reference=reference, plan_text=plan_text, settings=settings)
    return Analysis(site=site, tables=tables)


def publish_files(analysis: Analysis, images: dict[str, Images], footers: dict[str, list[str]]) -> dict[str, bytes]:
    """Every generated file under docs/ (pure): tables, pages, and each chart's downloads."""
    site, tables = analysis.site, analysis.tables
    published = {name: _rounded(for_table(name, frame)) for name, frame in tables.items()}
    files = {f"data/{name}.csv": csv_bytes(frame) for name, frame in published.items()}
    files.update(open_data_files(published, site))  # the data dictionary, datapackage.json and the workbook
    pages = all_pages(site, {name: len(frame) for name, frame in tables.items()}, images)
    files.update({path: text.encode("utf-8") for path, text in pages.items()})
    site = replace(site, images=images)
    for chart in site.charts:
        files.update(chart_files(site, chart, images[chart.chart_id], footers[chart.chart_id]))
    return files


class DataErrors(Exception):
    """Problems in department files that stop the build."""

    def __init__(self, errors: list[Problem], problems: list[Problem]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors
        self.problems = problems


def targets_table(config: Config) -> pd.DataFrame:
    return pd.DataFrame([{
        "target_id": t.id, "programme_id": t.programme, "programme_name": config.programme(t.programme).name,
        "target_name": t.name, "kind": t.kind, "target_value": t.value, "unit": t.unit,
        "comparison": t.comparison if t.kind == "end_state" else "", "period_start": config.plan.start,
        "period_end": config.plan.end, "department": config.department_of(t), "indicator": t.measure.indicator,
        "breakdown_filter": "|".join(t.measure.breakdown or ()), "sentence": t.sentence,
    } for t in config.targets])


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Floats to 4 decimals, so files do not change with floating-point noise."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(4)
    return out


def check_no_personal_data(files: dict[str, bytes]) -> None:
    """The last guard: nothing the build writes may contain an ID number or a mobile number."""
    for path, content in files.items():
        if not path.endswith((".md", ".csv", ".html", ".json", ".txt")):
            continue
        hits = find_personal_numbers(content.decode("utf-8", errors="replace"))
        if hits:
            raise BuildFailed(f"发布中止：生成的 {path} 中出现了疑似身份证号或手机号（共 {len(hits)} 处）。"
                              "这是程序错误，个人信息不应进入网站；请联系维护人员。")


# -- save ---------------------------------------------------------------------------------------


def assemble_docs(files: dict[str, bytes], docs_dir: Path, vega_bundle: bytes) -> None:
    """The hand-written docs/ sources, the generated files and the chart library, in one folder."""
    shutil.copytree(paths.DOCS_SRC_DIR, docs_dir, dirs_exist_ok=True)
    for rel, content in files.items():
        target = docs_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    (docs_dir / "assets" / "javascripts").mkdir(parents=True, exist_ok=True)
    (docs_dir / "assets" / "javascripts" / "vega.min.js").write_bytes(vega_bundle)


def vega_bundle(cache_dir: Path = paths.CACHE_DIR) -> bytes:
    """vega + vega-lite + vega-embed in one file, wrapped so its names stay out of the page's
    global scope (except window.vegaEmbed). Made once per vl-convert version and cached."""
    import vl_convert

    cached = cache_dir / f"vega-bundle-{vl_convert.__version__}.js"
    if not cached.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        code = vl_convert.javascript_bundle()
        tmp = cached.with_suffix(".tmp")
        tmp.write_text("(function(){\n" + code + "\n})();\n", encoding="utf-8")
        tmp.replace(cached)
    return cached.read_bytes()


def load_chinese_words() -> None:
    """Load jieba's dictionary, with which the search plugin splits Chinese text into words (about
    a second; done once per process, so it can be done ahead, while the images are drawn)."""
    import jieba  # imported here first: importing it resets its logger to DEBUG

    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter
    jieba.initialize()


def run_mkdocs(docs_dir: Path, site_dir: Path, source_date: dt.date | None, data_dates: dict | None = None) -> None:
    """mkdocs build --strict of docs_dir into site_dir; data_dates (as-of and release dates, in
    words, and the footer's links) are shown in every page's footer."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config as load_mkdocs_config
    from mkdocs.exceptions import Abort, ConfigurationError

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    if source_date:
        # Reproducible output: the sitemap's dates come from the data, not from the build clock.
        os.environ["SOURCE_DATE_EPOCH"] = str(int(dt.datetime(source_date.year, source_date.month, source_date.day,
                                                               tzinfo=dt.timezone.utc).timestamp()))
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    load_chinese_words()
    try:
        # Paths in mkdocs.yml's plugin settings (the search dictionary) are relative to the project.
        with contextlib.chdir(paths.ROOT):
            cfg = load_mkdocs_config(config_file=str(paths.MKDOCS_YML), docs_dir=str(docs_dir),
                                     site_dir=str(site_dir), strict=True)
            cfg.extra.update(data_dates or {})
            mkdocs_build(cfg)
    except (Abort, ConfigurationError) as exc:
        raise BuildFailed(f"发布中止：MkDocs 生成网站时出错（{exc}）。上面的 WARNING 行说明了原因；网站保持上一次的版本。") from None


def add_chart_pngs(images: dict[str, Images], site: Path) -> None:
    """Each chart's PNG beside its other downloads (made while MkDocs built the pages, so not
    part of the docs it built from)."""
    for chart_id, image in images.items():
        shutil.copyfile(image.png_file, site / "charts" / chart_id / f"{chart_id}.png")
        shutil.copyfile(image.portrait_file, site / "charts" / chart_id / portrait_file_name(chart_id))


def replace_site(new_site: Path, site_dir: Path) -> None:
    """Put a finished site in place of the old one with two renames on the same disk."""
    old = site_dir.with_name(site_dir.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if site_dir.exists():
        site_dir.rename(old)
    new_site.rename(site_dir)
    shutil.rmtree(old, ignore_errors=True)


def recover_interrupted_swap(site_dir: Path) -> None:
    """If a build was stopped between the two renames, bring the previous site back."""
    old = site_dir.with_name(site_dir.name + ".old")
    if old.exists() and not site_dir.exists():
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
          cache_dir: Path = paths.CACHE_DIR) -> Outputs:
    """Build the site from raw_dir into site_dir; raise BuildFailed, SettingsError or DataErrors on failure.

    Outputs.stage_seconds says how long each stage took (for the benchmark).
    """
    clock = _StageClock()
    recover_interrupted_swap(site_dir)
    # load
    with clock("read"):
        settings = checked_settings(load_site_settings())  # or SettingsError: it would publish something wrong
        config = load_config(config_dir)
        today = today or dt.date.today()
        read_cache = ReadCache(cache_dir / "read", config, today)
        dataset, problems = read_and_check(raw_dir, config, today, read_cache)
        plan_text = paths.PLAN_TEXT.read_text(encoding="utf-8")
    # process: the drawing workers start (and warm up) on the other core while the figures are worked out
    with DrawingPool() as pool:
        with clock("analyse"):
            analysis = analyse(config, dataset, problems, plan_text, settings)
            footers = chart_footers(analysis.site)
        with clock("images"):
            # While the workers draw, this process (otherwise waiting) makes the chart library
            # (once per vl-convert version) and loads the search's word list.
            with concurrent.futures.ThreadPoolExecutor(max_workers=2) as side:
                bundle_job = side.submit(vega_bundle, cache_dir)
                words_job = side.submit(load_chinese_words)
                images, image_counts = render_images(analysis.site.charts, footers, cache_dir, pool,
                                                     portrait_frames(analysis.site, footers))
                bundle = bundle_job.result()
                words_job.result()
        # The pages and the site are made while the workers make the PNGs.
        with clock("pages"):
            files = publish_files(analysis, images, footers)
            check_no_personal_data(files)
        # save
        work_root = site_dir.parent / "build"
        work_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="build-", dir=work_root) as work:
            docs_dir, new_site = Path(work) / "docs", Path(work) / "site"
            with clock("mkdocs"):
                assemble_docs(files, docs_dir, bundle)
                run_mkdocs(docs_dir, new_site, analysis.site.reference,
                           {"data_as_of": as_of_phrase(analysis.site.as_of), "data_released": date_zh(analysis.site.reference),
                            **footer_links(settings)})
                rewrite_search_index(new_site)  # finds any run of characters (search_index.py)
            with clock("png"):
                pool.finish()
                add_chart_pngs(images, new_site)
            with clock("publish"):
                replace_site(new_site, site_dir)
                if keep_docs is not None:
                    if keep_docs.exists():
                        shutil.rmtree(keep_docs)
                    shutil.move(str(docs_dir), keep_docs)
    return Outputs(files=files, problems=problems, site=analysis.site, file_counts=read_cache.counts,
                   image_counts=image_counts, stage_seconds=clock.seconds)


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
    parser.add_argument("--cache", type=Path, default=paths.CACHE_DIR, help="图片缓存目录（默认 build/cache）")
    parser.add_argument("--timings", type=Path, help="把各阶段用时（秒）写入这个 JSON 文件（供性能测试用）")
    args = parser.parse_args(argv)
    work_dir = args.site.resolve().parent / "build"
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        # Generated pages and the error report go in the build folder beside the site.
        outputs = build(args.raw.resolve(), args.site.resolve(), config_dir=args.config.resolve(),
                        cache_dir=args.cache.resolve(), keep_docs=work_dir / "docs")
    except ConfigError as exc:
        print(exc.message(), file=sys.stderr)
        return 2
    except DataErrors as exc:
        report = error_report(exc.errors, exc.problems)
        print(report, file=sys.stderr)
        work_dir.mkdir(parents=True, exist_ok=True)
        (work_dir / "problems.txt").write_text(report, encoding="utf-8")
        return 1
    except (BuildFailed, SettingsError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断：网站保持上一次的版本。", file=sys.stderr)
        return 130
    if args.timings:
        args.timings.write_text(json.dumps({"stage_seconds": outputs.stage_seconds, "files": outputs.file_counts,
                                            "images": outputs.image_counts},
                                           ensure_ascii=False, indent=1), encoding="utf-8")
    warned = sum(p.severity == "warning" for p in outputs.problems)
    site = outputs.site
    shown = os.path.relpath(args.site) if args.site.resolve().is_relative_to(Path.cwd()) else str(args.site)
    print(f"已发布到 {shown}/：{len(site.dataset.submissions)} 个报送文件，{len(site.config.targets)} 项目标，"
          f"数据截至{as_of_phrase(site.as_of)}。"
          + (f"数据有 {warned} 条提醒，请查看“数据质量报告”页（{shown}/quality/index.html）。" if warned else "数据没有提醒。"))
    return 0
