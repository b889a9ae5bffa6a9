"""The whole build: every page and download there, nothing unrendered, nothing fetched from another
host, no personal data, a failed build never replaces the last good site, and the same inputs
give a byte-identical site."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline.basics import paths
from pipeline.build import DataErrors, build
from pipeline.gate.privacy import find_personal_numbers
from pipeline.gate.read import detect_encoding
from pipeline.publish.tables import TABLES
from tests.conftest import TODAY, copy_raw, shared_images

pytestmark = pytest.mark.build


def html_pages(site: Path) -> list[Path]:
    """Every page of a built site (a site with no page is no site: the loops over it would pass)."""
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 100, f"{site}: {len(pages)} pages"
    return pages


def test_every_page_is_built(built, config):
    site = built["site"]
    expected = ["index.html", "methodology/index.html", "plan/index.html", "downloads/index.html",
                "changelog/index.html", "quality/index.html", "404.html"]
    expected += [f"programmes/{p.id}/index.html" for p in config.programmes]
    expected += [f"charts/{c.chart_id}/index.html" for c in built["outputs"].site.charts]
    for rel in expected:
        assert (site / rel).is_file(), rel


def test_no_template_text_is_left_unrendered(built):
    for page in html_pages(built["site"]):
        text = page.read_text(encoding="utf-8")
        assert "{{" not in text and "{%" not in text, page


def test_every_target_has_its_section_figures_and_charts_on_its_programme_page(built, config):
    outputs = built["outputs"]
    for target in config.targets:
        page = (built["site"] / "programmes" / target.programme / "index.html").read_text(encoding="utf-8")
        assert f'id="{target.id}"' in page, target.id
        assert f'id="chart-{target.id}-progress"' in page, target.id
        has_data = not outputs.site.series[outputs.site.series["target_id"] == target.id].empty
        assert (f'id="chart-{target.id}-trajectory"' in page) == has_data, target.id
        assert target.sentence.split("……")[-1] in page


def test_the_home_page_has_the_headline_the_date_and_the_sample_banner(built):
    page = (built["site"] / "index.html").read_text(encoding="utf-8")
    assert "项已完成或进度正常" in page  # the count itself: test_sample_data (from the golden statuses)
    assert "数据截至2010年第四季度（2010年12月31日）" in page
    assert "示例数据" in page
    assert 'id="chart-home-status"' in page


def test_the_quality_page_is_in_the_footer_not_the_navigation(built):
    home = (built["site"] / "index.html").read_text(encoding="utf-8")
    nav = home.split('class="md-footer"')[0]
    footer = home.split('class="md-footer"')[1]
    assert "quality/" not in re.sub(r"<footer.*", "", nav, flags=re.S).split('<nav class="md-nav md-nav--primary"')[1]
    assert "quality/" in footer


class _Requests(HTMLParser):
    """Everything a page would fetch: script, style, image, frame and font addresses."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in {"script", "img", "iframe", "source", "video", "audio", "embed", "track"} and a.get("src"):
            self.urls.append(a["src"])
        if tag == "link" and a.get("href") and set((a.get("rel") or "").split()) & {
                "stylesheet", "preload", "prefetch", "preconnect", "dns-prefetch", "icon", "modulepreload", "manifest"}:
            self.urls.append(a["href"])
        for candidate in (a.get("srcset") or "").split(","):
            if candidate.strip():
                self.urls.append(candidate.strip().split(" ")[0])


def test_the_site_fetches_nothing_from_another_host(built):
    absolute = re.compile(r"^\s*(https?:)?//", re.I)
    found = []
    for page in html_pages(built["site"]):
        parser = _Requests()
        parser.feed(page.read_text(encoding="utf-8"))
        found += [(page.name, u) for u in parser.urls if absolute.match(u)]
    for sheet in built["site"].rglob("*.css"):
        for url in re.findall(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""", sheet.read_text(encoding="utf-8")):
            u = url[0] or url[1]
            if absolute.match(u):
                found.append((sheet.name, u))
    assert found == []


def test_the_chart_library_is_served_by_the_site_itself(built):
    bundle = built["site"] / "assets" / "javascripts" / "vega.min.js"
    assert bundle.stat().st_size > 500_000
    assert "window.vegaEmbed" in bundle.read_text(encoding="utf-8")


def _personal_names() -> set[str]:
    """Every name in a personal column of the raw files, read independently of the pipeline."""
    names = set()
    for path in paths.RAW_DIR.rglob("*.*"):
        if path.suffix == ".csv":
            data = path.read_bytes()
            rows = list(csv.reader(io.StringIO(data.decode(detect_encoding(data)).lstrip("\ufeff"))))
        elif path.suffix == ".xlsx":
            rows = [["" if v is None else str(v) for v in r] for r in openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True)]
        else:
            continue
        for i, row in enumerate(rows):
            if "姓名" in row:
                col = row.index("姓名")
                names |= {r[col].strip() for r in rows[i + 1:] if len(r) > col and len(r[col].strip()) >= 2
                          and not r[col].strip().endswith("人")}
            for cell in row:
                m = re.match(r"填表人[:：]\s*(\S+?)\s", cell + " ")
                if m:
                    names.add(m.group(1))
    return names


def test_no_personal_data_reaches_the_site(built):
    names = _personal_names()
    assert len(names) > 400  # the lists of recruits, talents and entrepreneurs, and the form fillers
    leaks = []
    for path in built["site"].rglob("*"):
        if path.is_file() and path.suffix in {".html", ".csv", ".json", ".js", ".xml", ".txt", ".svg"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            # hex digests (a release's manifest: the SHA-256 of each file it took and published) hold
            # digit runs by chance, and no number anyone typed
            text = re.sub(r"\b[0-9a-f]{32,64}\b", " ", text)
            vendored = path.parent.name in {"javascripts", "lunr", "workers", "min"} and path.name != "charts.js"
            if not vendored:  # minified libraries hold long digit runs that can pass an ID check by chance
                leaks += [(path.name, hit) for hit in find_personal_numbers(text)]
            leaks += [(path.name, n) for n in names if n in text]
    assert leaks == []


def test_every_download_is_a_documented_table(built):
    data = built["site"] / "data"
    for name, table in TABLES.items():
        raw = (data / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # opens in Excel on a Chinese Windows PC
        frame = pd.read_csv(data / f"{name}.csv", encoding="utf-8-sig")
        assert list(frame.columns) == list(table.columns)
    dictionary = pd.read_csv(data / "data_dictionary.csv", encoding="utf-8-sig")
    assert len(dictionary) == sum(len(t.columns) for t in TABLES.values())
    observations = pd.read_csv(data / "observations.csv", encoding="utf-8-sig")
    assert observations["value"].sum() == built["outputs"].site.dataset.observations["value"].sum()


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_of_the_same_inputs_are_byte_identical(built, tmp_path):
    """Read, analysed, paged and released from nothing (the chart images linked from `make`'s
    cache: the next test draws them from nothing), in another process than `make`'s build."""
    again = tmp_path / "site"
    build(paths.RAW_DIR, again, today=TODAY, keep_docs=None, cache_dir=shared_images(tmp_path / "cache"))
    first, second = _digest(built["site"]), _digest(again)
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_chart_images_drawn_from_nothing_are_byte_identical_to_the_ones_make_drew(built, tmp_path):
    """Every image of every chart (page figures, figures for phones, exports, portraits, as SVG and
    PNG) drawn again with an empty cache, by whichever worker, in whatever order: the same bytes
    as the images of make's builds, which the site is made of."""
    from pipeline.images.render import render_images
    from pipeline.publish.share import chart_footers, portraits

    site = built["outputs"].site
    footers = chart_footers(site)
    _, counts = render_images(site.charts, footers, tmp_path, portraits=portraits(site, footers))
    assert counts["reused"] == 0 and counts["drawn"] >= 3 * len(site.charts)
    drawn = sorted((tmp_path / "exports").iterdir())
    assert {p.suffix for p in drawn} == {".svg", ".png"}
    differ = [p.name for p in drawn if p.read_bytes() != (paths.CACHE_DIR / "exports" / p.name).read_bytes()]
    assert differ == []


def test_a_failed_build_leaves_the_previous_site_untouched(built, tmp_path, config):
    import shutil

    site = tmp_path / "site"
    shutil.copytree(built["site"], site)
    before = _digest(site)
    raw = copy_raw(tmp_path)
    (raw / "卫生局" / "卫生局_2009Q1_卫生人才引进.csv").write_bytes(b"")
    with pytest.raises(DataErrors):
        build(raw, site, today=TODAY, keep_docs=None)
    assert _digest(site) == before
    assert not list(tmp_path.glob("build/build-*")), "temporary build folders are cleaned up"


def test_an_interrupted_swap_is_recovered(tmp_path):
    from pipeline.build import recover_interrupted_swap

    (tmp_path / "site.old").mkdir()
    (tmp_path / "site.old" / "index.html").write_text("previous", encoding="utf-8")
    recover_interrupted_swap(tmp_path / "site")
    assert (tmp_path / "site" / "index.html").read_text(encoding="utf-8") == "previous"


def test_the_command_line_reports_bad_data_in_chinese_without_a_traceback(tmp_path):
    raw = copy_raw(tmp_path, ["卫生局"])
    (raw / "卫生局" / "卫生局_2009Q1_卫生人才引进.csv").write_bytes(b"")
    result = subprocess.run([sys.executable, "-m", "pipeline", "--raw", str(raw), "--site", str(tmp_path / "site"),
                             "--cache", str(tmp_path / "cache")],
                            cwd=paths.ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(paths.ROOT)})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "发布中止" in result.stderr and "卫生局/卫生局_2009Q1_卫生人才引进.csv" in result.stderr
    assert "文件为空" in result.stderr
    assert not (tmp_path / "site").exists()


SCRIPT = "<script>alert('x')</script>"
IMAGE = '<img src=x onerror="alert(1)">'
LINK = "[点我](javascript:alert(1))"


def test_text_from_data_is_escaped_everywhere_in_the_site(tmp_path):
    """Markup and script in file names, sheet names, company names and column names is shown as
    text, never run: every data text is HTML-escaped, and Markdown punctuation in headings is literal."""
    import openpyxl

    from tests.fixtures.edits import csv_lines, set_cell

    raw = copy_raw(tmp_path)
    enterprise = "科技局/科技局_2009年第一季度_企业引才情况.csv"
    # a short and a full company name (completed, shown on the data-quality page), and a new column
    csv_lines(raw, enterprise, lambda ls: [ls[0] + ",<b>备注</b>"] + [set_cell(line, 0, f"{SCRIPT}科技") + "," if i == 1 else
                                                                      line + "," for i, line in enumerate(ls[1:], 1) if line],
              encoding="gb18030")
    csv_lines(raw, "科技局/科技局_2009年第二季度_企业引才情况.csv",
              lambda ls: [ls[0]] + [set_cell(ls[1], 0, f"{SCRIPT}科技有限公司")] + ls[2:], encoding="gb18030")
    rural = raw / "农工办" / "农工办_2009年第一季度农村实用人才培训.xlsx"
    workbook = openpyxl.load_workbook(rural)
    workbook.worksheets[0].title = "<img src=x>"
    workbook.save(rural)
    (raw / "人事局" / "2009年度本科以上毕业生招录名单.csv").rename(raw / "人事局" / f"2009年度{LINK}名单.csv")
    site = tmp_path / "site"
    build(raw, site, today=TODAY, keep_docs=None)
    pages = {p: p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    for path, html in pages.items():
        for payload in (SCRIPT, "<b>备注</b>", "<img src=x>", 'href="javascript:'):
            assert payload not in html, (path, payload)
    quality = (site / "quality" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;科技→&lt;script&gt;" in quality  # the completed name
    assert "&lt;b&gt;备注&lt;/b&gt;" in quality
    assert "&lt;img src=x&gt;" in quality
    assert "[点我](javascript:alert(1))" in quality  # shown as the text it is


def test_the_generator_alone_rebuilds_the_site_from_the_kept_pages_and_its_configuration(built, tmp_path):
    """Everything MkDocs needs reaches it in files (build/docs and build/mkdocs.yml), not through
    its Python API: the generator can be swapped for another that reads mkdocs.yml."""
    again = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "0")}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(built["docs"].parent / "mkdocs.yml"),
                          "-d", str(again)], cwd=paths.ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    first, second = built["site"], again
    for page in html_pages(first):
        if page.relative_to(first).parts[0] == paths.RELEASES_FOLDER:
            continue  # dated releases are plain HTML written by pipeline/releases/dated.py, not MkDocs pages
        assert (second / page.relative_to(first)).read_bytes() == page.read_bytes(), page
    assert "数据截至" in (second / "index.html").read_text(encoding="utf-8").split("site-footer")[-1]


def test_the_menu_lists_every_page_but_the_staff_page_and_the_chart_pages(built):
    """The generated navigation (from the plan's programmes) leaves no page out."""
    import yaml

    def entries(nav):
        for item in nav:
            for value in (item.values() if isinstance(item, dict) else [item]):
                yield from entries(value) if isinstance(value, list) else [value]

    nav = yaml.safe_load((built["docs"].parent / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    pages = {p.relative_to(built["docs"]).as_posix() for p in built["docs"].rglob("*.md")}
    listed = set(entries(nav))
    assert listed <= pages
    assert {p for p in pages - listed if not p.startswith("charts/")} == {"quality.md"}
