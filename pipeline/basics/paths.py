"""Every path the project reads or writes, in one place."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

# The plan the site is built for: a folder of configuration and data (README: A new plan). The
# project's own config/ and data/ by default; another with PLAN_DIR=<folder> (make PLAN=<folder>),
# e.g. examples/plan-2012-2015. Its config/, data/plan/, data/raw/ and data/releases/ are read.
PLAN_DIR = Path(os.environ.get("PLAN_DIR") or ROOT).resolve()
CONFIG_DIR = PLAN_DIR / "config"
RAW_DIR = PLAN_DIR / "data" / "raw"
# The quarterly status forms of the plan's measures are in data/raw/<status_form_folder>/
# (config/sources.yml defaults), read by pipeline/ingest/status_history.py.
PLAN_TEXT = PLAN_DIR / "data" / "plan" / "strategy.zh.txt"  # the plan's full text, as republished online

PIPELINE_DIR = ROOT / "pipeline"  # the code: what a file reads as depends on all of it
PAGE_TEMPLATES_DIR = PIPELINE_DIR / "publish" / "templates"  # jinja2 templates of the pages
DOCS_SRC_DIR = ROOT / "docs"  # hand-written page sources and assets
BUILD_DIR = ROOT / "build"  # everything generated (git-ignored)
CACHE_DIR = BUILD_DIR / "cache"  # reused between builds: read results, chart images, pages, QR codes, the vega bundle
TEMPLATES_DIR = BUILD_DIR / "templates"  # Excel templates for the departments (make templates)
SITE_DIR = ROOT / "site"  # the built site, replaced only when a build succeeds
MKDOCS_YML = ROOT / "mkdocs.yml"  # the website's settings; the plan's identity is in config/plan.yml (site)
# Dated releases in the built site: /releases/<quarter>/ (pipeline/releases/, pipeline/archive/).
RELEASES_FOLDER = "releases"
RELEASES_DIR = PLAN_DIR / "data" / "releases"  # the closed releases, kept in the repository (data/releases/README.md)


def releases_dir(raw_dir: Path) -> Path:
    """The closed releases of a folder of department files: releases/ beside it (data/releases for
    data/raw), so that a copy of the data folder carries its releases with it."""
    return raw_dir.parent / "releases"
BRIEFING_DIR = BUILD_DIR / "briefing"  # make briefing: the quarterly briefing as an A4 PDF
