"""The site generator, the replaceable last step: MkDocs with the Material theme turns the generated
Markdown pages and assets into the site.

Everything the generator needs from the build reaches it in files, not through its Python API: a
generated configuration (build/…/mkdocs.yml) that inherits the project's mkdocs.yml and adds the
navigation (made from the plan's programmes) and the data's dates shown in every page's footer.
So `mkdocs build -f <that file>` gives the same site, and a successor that reads mkdocs.yml
(Zensical) can take its place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sys
from pathlib import Path

import yaml

from pipeline.basics import paths
from pipeline.basics.format import count_zh
from pipeline.config import Config
from pipeline.generator.page_cache import context_key, remembered_pages


class GeneratorFailed(Exception):
    """MkDocs stopped; the message says why (its WARNING lines above say more)."""


def load_site_settings(mkdocs_yml: Path = paths.MKDOCS_YML, plan_yml: Path | None = None) -> dict:
    """The site's settings: the website's from mkdocs.yml (site_url, copyright and every `extra`
    setting), and the plan's identity from config/plan.yml's `site` (site_name, site_description,
    sample_data; checked with the rest of plan.yml when the configuration is loaded)."""

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    _Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    data = yaml.load(mkdocs_yml.read_text(encoding="utf-8"), Loader=_Loader)
    site_url = str(data.get("site_url") or "/")
    plan_yml = plan_yml or paths.CONFIG_DIR / "plan.yml"
    try:
        identity = (yaml.safe_load(plan_yml.read_text(encoding="utf-8")) or {}).get("site") or {}
    except (OSError, yaml.YAMLError, AttributeError):
        identity = {}  # load_config names the problem
    return {"site_url": site_url if site_url.endswith("/") else site_url + "/", "copyright": data.get("copyright", ""),
            **(data.get("extra") or {}),
            **{key: identity.get(key, "") for key in ("site_name", "site_description", "sample_data")}}


#: The menu, in order: a page, or a folder of pages (its index first, the rest in the order the
#: build made them). Pages in no entry (the data-quality page, chart pages) are left out of it.
#: A label None is the title of the folder's index page (the measures: the names of the plan's
#: parts, config/commitments.yml).
MENU = [("首页", "index.md"), ("programmes", "programmes/"), (None, "measures/"),
        ("各部门情况", "departments/"), ("方法说明", "methodology.md"), ("规划原文", "plan.md"),
        ("数据下载", "downloads.md"), ("数据更新记录", "changelog.md"), ("历次发布", "releases/index.md")]


def navigation(config: Config, pages: list[str], docs_dir: Path) -> list:
    """The site's menu from the pages the build made (path under docs/, in the order made): the
    programmes' section is named after how many the plan has (八项重点工程)."""
    menu = []
    for label, where in MENU:
        if label == "programmes":
            label = f"{count_zh(len(config.programmes))}项重点工程"
        elif label is None:
            label = page_title(docs_dir / where / "index.md")
        if not where.endswith("/"):
            if where in pages:
                menu.append({label: where})
            continue
        inside = [p for p in pages if p.startswith(where) and p.count("/") == where.count("/")]
        if inside:
            menu.append({label: sorted(inside, key=lambda p: (not p.endswith("/index.md"), pages.index(p)))})
    return menu


def page_title(page: Path) -> str | None:
    """A generated page's `title:` (its front matter); None when there is no such page."""
    if not page.is_file():
        return None
    text = page.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return None
    front = yaml.safe_load(text[4:text.index("\n---", 4)]) or {}
    return front.get("title")


def generated_config(config: Config, docs_dir: Path, site_dir: Path, data_dates: dict, pages: list[str]) -> dict:
    """The generator's configuration for this build: the project's mkdocs.yml, plus where the pages
    are and go, the navigation, and the data's dates (footer)."""
    return {
        "INHERIT": str(paths.MKDOCS_YML),
        "docs_dir": str(docs_dir),
        "site_dir": str(site_dir),
        "theme": {"name": "material", "custom_dir": str(paths.ROOT / "overrides")},
        "site_name": config.site.site_name,
        "site_description": config.site.site_description,
        "nav": navigation(config, pages, docs_dir),
        "extra": {"sample_data": config.site.sample_data, **data_dates},
    }


def write_config(config: Config, docs_dir: Path, site_dir: Path, data_dates: dict, pages: list[str],
                 path: Path) -> Path:
    """Write the generated configuration to path (see generated_config)."""
    path.write_text("# Generated by the build (pipeline/generator/mkdocs.py): do not edit.\n"
                    + yaml.safe_dump(generated_config(config, docs_dir, site_dir, data_dates, pages), allow_unicode=True,
                                     sort_keys=False), encoding="utf-8")
    return path


def without_word_splitting() -> None:
    """Keep the search plugin from splitting Chinese text into words (it does so whenever jieba can
    be imported, e.g. left in an older environment): the index keeps runs of text whole
    (search_index.py), so the split would only cost a second and be thrown away."""
    sys.modules.setdefault("jieba", None)  # `import jieba` then raises ImportError, as when it is absent


def run_mkdocs(config: Config, docs_dir: Path, site_dir: Path, source_date: dt.date | None, data_dates: dict,
               pages: list[str], cache_dir: Path | None = None) -> Path:
    """mkdocs build --strict of docs_dir into site_dir, from a generated configuration written
    beside docs_dir (returned); data_dates (as-of and release dates, in words) go in every footer.
    With cache_dir, pages whose Markdown is unchanged are not converted again (page_cache.py)."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config as load_mkdocs_config
    from mkdocs.exceptions import Abort, ConfigurationError

    config_file = write_config(config, docs_dir, site_dir, data_dates, pages, docs_dir.parent / "mkdocs.yml")
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    if source_date:
        # Reproducible output: the sitemap's dates come from the data, not from the build clock.
        os.environ["SOURCE_DATE_EPOCH"] = str(int(dt.datetime(source_date.year, source_date.month, source_date.day,
                                                               tzinfo=dt.timezone.utc).timestamp()))
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    without_word_splitting()
    try:
        # Paths in mkdocs.yml's settings are relative to the project.
        with contextlib.chdir(paths.ROOT), remembered_pages(cache_dir, context_key(plan_site=repr(config.site).encode())):
            mkdocs_build(load_mkdocs_config(config_file=str(config_file), strict=True))
    except (Abort, ConfigurationError) as exc:
        raise GeneratorFailed(f"发布中止：MkDocs 生成网站时出错（{exc}）。上面的 WARNING 行说明了原因；网站保持上一次的版本。") from None
    return config_file
