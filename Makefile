# The site's dependency graph: `make` builds only what changed. `make help` lists the targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := site
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BUILD_DEPS := $(VENV)/.build-deps
TEST_DEPS := $(VENV)/.test-deps
SYSTEM_BUILD := build/.system-build
SYSTEM_TEST := build/.system-test
SITE_STAMP := build/.site-built
NODE_DEPS := node_modules/.package-lock.json
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)

# Everything the site is made from. `make` depends on a manifest of their paths and content
# hashes, rewritten only when it changes (scripts/input-manifest): any change of content is seen,
# whatever the files' dates (cp -p), deletions and renames included, and any file name works.
INPUT_PATHS := data config docs overrides pipeline mkdocs.yml
INPUTS := build/inputs.manifest

# The plan the site shows: the project's config/ and data/ by default, or a plan folder of the same
# layout (config/, data/plan/, data/raw/, data/releases/): make PLAN=examples/plan-2012-2015
# (README: A new plan). Its files are inputs too.
PLAN ?=
ifneq ($(strip $(PLAN)),)
export PLAN_DIR := $(abspath $(PLAN))
INPUT_PATHS += $(PLAN)
endif

.PHONY: help site test lint serve templates clean distclean lock FORCE

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /\1\t/' | expand -t 14

site: $(SITE_STAMP) ## Build the site into site/ from data/raw (default; installs what it needs)

$(SITE_STAMP): $(BUILD_DEPS) $(SYSTEM_BUILD) $(INPUTS) $(if $(wildcard site/index.html),,FORCE)
	$(PY) -m pipeline
	@touch $@

$(INPUTS): FORCE
	@+$(PYTHON) scripts/input-manifest $@ $(INPUT_PATHS)

test: lint $(TEST_DEPS) $(SYSTEM_TEST) $(SITE_STAMP) ## Run every test (lint, unit, golden, build, browser)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist load --maxschedchunk 2

lint: $(TEST_DEPS) ## Check the code: ruff, the import contract (packages by stage, no cycle) and no private name across modules
	$(PY) -m ruff check pipeline tests bench scripts scripts/input-manifest
	$(VENV)/bin/lint-imports --no-cache
	$(PY) scripts/private_imports.py pipeline tests bench scripts

# Mobile first-visit bytes and Lighthouse scores of two pages (bench/out/web.json; see bench/web.py).
.PHONY: bench-web
bench-web: $(TEST_DEPS) $(SYSTEM_TEST) $(SITE_STAMP) $(NODE_DEPS) ## Measure first-visit bytes and Lighthouse mobile scores
	$(PY) bench/web.py --site site

PORT ?= 8000
serve: $(BUILD_DEPS) $(SYSTEM_BUILD) ## Serve the site on http://127.0.0.1:8000 (PORT=...), rebuilt and the page reloaded when an input changes
	$(PY) -m pipeline.serve --port $(PORT) $(INPUT_PATHS)

# Timings against the goals, on a temporary copy of the project (bench/out/bench.json; see README).
.PHONY: bench
bench: $(BUILD_DEPS) $(SYSTEM_BUILD) ## Measure full and incremental builds, the pipeline on 1 M records and a CSV at the size limit
	$(PY) bench/run.py

# The latest quarter's briefing for the leading group's meeting, printed by Chromium (pipeline/briefing.py).
.PHONY: briefing
briefing: $(TEST_DEPS) $(SYSTEM_TEST) $(SITE_STAMP) ## Print the latest quarter's briefing to build/briefing/briefing-<quarter>.pdf (A4)
	$(PY) -m pipeline.briefing

# Closing a quarter's release: it is stored in data/releases/<quarter>/ and never worked out again (README: 发布).
.PHONY: release reissue
release: $(BUILD_DEPS) $(SYSTEM_BUILD) ## Close every quarter whose closing date has passed (DATE=YYYY-MM-DD: its release date, default today)
	$(PY) -m pipeline --close $(if $(DATE),--date $(DATE))

reissue: $(BUILD_DEPS) $(SYSTEM_BUILD) ## Re-issue a closed release beside the original, with a dated erratum on both: RELEASE=2010Q3 NOTE="…" [FILES="…"] [DATE=…]
	$(PY) -m pipeline --reissue '$(RELEASE)' --note '$(subst ','"'"',$(NOTE))' $(if $(FILES),--take $(FILES)) $(if $(DATE),--date $(DATE))

# A plan's whole configuration checked before a first build (README: A new plan): config/*.yml, the
# plan's text against commitments.yml, mkdocs.yml's site identity; every problem on a line of its own.
.PHONY: check-config
check-config: $(BUILD_DEPS) ## Check the plan's configuration: every missing or inconsistent entry, in Chinese, one line each
	$(PY) -m pipeline.check_config

templates: $(BUILD_DEPS) ## Write an Excel template per department form into build/templates
	$(PY) -m pipeline.excel_templates

clean: ## Remove generated files (site/, build/); keeps the Python environment
	rm -rf build site site.old

distclean: clean ## Also remove the Python environment
	rm -rf $(VENV)

lock: $(TEST_DEPS) ## Re-pin every dependency from requirements/*.in into requirements/*.lock
	$(PY) -m pip install -q pip-tools
	$(PY) -m piptools compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
	  --no-emit-find-links -o requirements/build.lock requirements/build.in
	$(PY) -m piptools compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
	  --no-emit-find-links -o requirements/test.lock requirements/test.in

# A .venv whose Python cannot be run (the system's Python upgraded, wrong permissions) is not
# rebuilt over: a new environment on top of an old one mixes both. A venv that fails half-made is removed.
$(PY):
	@if [ -e $(VENV) ] || [ -L $(VENV) ]; then \
	  echo "$(VENV) 已存在，但其中的 Python（$(PY)）无法使用（可能系统的 Python 已升级，或权限不对）。" >&2; \
	  echo "为免把新环境装在旧环境上，make 不会自动重建：请运行 make distclean 删除 $(VENV)，再运行 make。" >&2; \
	  exit 1; fi
	scripts/ensure-debian-packages python3-venv
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

$(BUILD_DEPS): requirements/build.lock | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/build.lock
	@touch $@

$(TEST_DEPS): requirements/test.lock $(BUILD_DEPS)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes \
	  -r requirements/build.lock -r requirements/test.lock
	@touch $@

# A Chinese font, so that exported chart images and screenshots show characters, not boxes.
$(SYSTEM_BUILD): scripts/ensure-debian-packages
	scripts/ensure-debian-packages fonts-wqy-microhei
	@mkdir -p build && touch $@

# The browser the tests drive (Debian's Chromium; Playwright's own download does not work here).
$(SYSTEM_TEST): scripts/ensure-debian-packages $(SYSTEM_BUILD)
	scripts/ensure-debian-packages chromium
	@touch $@

# Lighthouse for bench-web, pinned in package-lock.json (npm ci writes node_modules/.package-lock.json).
$(NODE_DEPS): package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $@

FORCE:
