"""The quarterly briefing (`make briefing`, pipeline/briefing.py): an A4 PDF printed by Chromium
from the latest release's briefing page, whose text (read back with pypdf) carries the site's own
figures (headline counts, a line per programme, 本期变化) with its Chinese fonts embedded; the home
page shows the same 本期变化 as the release.

The sample plan's ids, years and departments are named here on purpose: these tests pin the
sample plan's published figures (config/ and data/raw as shipped), not a property of any plan."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pypdf
import pytest

from pipeline.basics import paths
from pipeline.briefing import main
from tests.conftest import made_once

pytestmark = pytest.mark.browser

CJK_FONT = re.compile(r"WenQuanYi|NotoSansCJK|NotoSerifCJK|SourceHan|PingFang|YaHei|Hiragino")
A4_POINTS = (595.28, 841.89)


@pytest.fixture(scope="module")
def briefing(built, tmp_path_factory):
    def printed(out: Path) -> list[Path]:
        assert main(["--site", str(built["site"]), "--out", str(out)]) == 0
        return sorted(out.glob("*.pdf"))

    pdfs = made_once(tmp_path_factory, "briefing", printed)  # Chromium prints it once for the test run
    assert [p.name for p in pdfs] == ["briefing-2010Q4.pdf"]  # the latest release's
    reader = pypdf.PdfReader(pdfs[0])
    text = "".join(page.extract_text() for page in reader.pages)
    return {"reader": reader, "text": _flat(text), "site": built["site"]}


def _flat(text: str) -> str:
    """Text without line breaks and spaces (the PDF wraps lines anywhere)."""
    return re.sub(r"\s+", "", text)


def _headlines(site: Path) -> pd.DataFrame:
    table = pd.read_csv(site / "data" / "target_progress.csv", encoding="utf-8-sig")
    return table[table["is_headline"]]


def _changes_items(page: str) -> list[str]:
    """The 本期变化 section of a page: each item (dt: dd, or a list item) as flat text."""
    section = page.split('class="release-changes"', 1)[1].split("</section>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", section) + re.findall(r"<dt>(.*?)</dt><dd>(?!<ul>)(.*?)</dd>", section)
    return [_flat(html.unescape(re.sub(r"<[^>]+>", "", "".join(i) if isinstance(i, tuple) else i))) for i in items]


def test_the_briefing_is_a4_and_its_fonts_are_embedded(briefing):
    reader = briefing["reader"]
    assert 2 <= len(reader.pages) <= 10
    for page in reader.pages:
        box = page.mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(A4_POINTS, abs=1)
    fonts = []

    def walk(resources):
        resources = resources.get_object() if resources is not None else {}
        fonts.extend(f.get_object() for f in resources.get("/Font", {}).values())
        for x in resources.get("/XObject", {}).values():
            if "/Resources" in x.get_object():
                walk(x.get_object()["/Resources"])

    for page in reader.pages:
        walk(page.get("/Resources"))
    outlines = []
    for font in fonts:
        if font["/Subtype"] == "/Type3":  # glyphs drawn by the PDF itself (text inside the SVG charts)
            assert "/CharProcs" in font
            continue
        descriptor = (font["/DescendantFonts"][0].get_object() if font["/Subtype"] == "/Type0" else font)["/FontDescriptor"]
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
        outlines.append(str(font["/BaseFont"]))
    assert any(CJK_FONT.search(name) for name in outlines), outlines
    assert "人才强区战略三年目标进展简报" in briefing["text"]  # Chinese text comes back as text


def test_the_headline_counts_are_the_sites(briefing, config):
    headlines = _headlines(briefing["site"])
    good = sum(config.method.status(s).good for s in headlines["status"])
    text = briefing["text"]
    assert f"{len(headlines)}项目标中，{good}项已完成或进度正常" in text
    for status, n in headlines["status"].value_counts().items():
        assert f"{config.method.status(status).word}{n}项" in text
    home = _flat(html.unescape(re.sub(r"<[^>]+>", "", (briefing["site"] / "index.html").read_text(encoding="utf-8"))))
    assert f"{good}" in home and f"{len(headlines)}项目标" in home


def test_each_programme_has_a_line_with_its_targets_figures(briefing, config):
    text = re.sub(r"第\d+页，共\d+页", "", briefing["text"])  # a line may run over a page's footer
    headlines = _headlines(briefing["site"])
    for programme in config.programmes:
        line = text.split(f"{programme.name}：", 1)
        assert len(line) == 2, programme.name
        for row in headlines[headlines["programme_id"] == programme.id].itertuples():
            # the status and the figure of the window it reads (a 每年 target's missed year included)
            figure = f"{row.target_name}：{config.method.status(row.status).label}，{row.figure_zh}"
            assert _flat(figure) in line[1], figure


def test_the_briefing_and_the_home_page_give_the_releases_changes(briefing):
    site = briefing["site"]
    home = (site / "index.html").read_text(encoding="utf-8")
    release = (site / paths.RELEASES_FOLDER / "2010Q4" / "index.html").read_text(encoding="utf-8")
    items = _changes_items(home)
    assert items == _changes_items(release) and len(items) > 5
    for item in items:
        assert item in briefing["text"], item
    # the new files listed are those whose first release is this one
    subs = pd.read_csv(site / "data" / "submissions.csv", encoding="utf-8-sig")
    new = subs[(subs["release"] == "2010Q4") & subs["status"].isin(["used", "superseded"])]
    assert f"新收到的文件{len(new)}个：" in briefing["text"]
    # each status change ends with the target's status and the figure of the window that flipped it
    headlines = _headlines(site).set_index("target_name")
    moves = re.findall(r"<li>([^<（]+)（[^）]+）：[^<]*→ <strong>([^<]+)</strong>：([^<]+)</li>", home)
    assert moves
    for name, after, figure in moves:
        assert after.endswith(headlines.loc[name, "status_zh"])
        assert html.unescape(figure) == headlines.loc[name, "figure_zh"]


@pytest.mark.parametrize("args", [["--site", "{empty}"], ["--site", "{site}", "--release", "2031Q1"]])
def test_without_a_briefing_page_it_says_what_to_do(built, tmp_path, capsys, args):
    (tmp_path / "empty").mkdir()
    argv = [a.format(empty=tmp_path / "empty", site=built["site"]) for a in args] + ["--out", str(tmp_path / "out")]
    assert main(argv) == 1
    assert "make" in capsys.readouterr().err and not (tmp_path / "out").exists()
