"""`make briefing`: the latest quarter's briefing (the site's own page releases/<quarter>/briefing/)
printed to an A4 PDF by the Chromium the browser tests use, with its Chinese fonts embedded.

    python -m pipeline.briefing [--site site] [--out build/briefing] [--release YYYYQn]

writes build/briefing/briefing-<quarter>.pdf and prints its path.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.basics import paths
from pipeline.basics.periods import Period, PeriodError

CHROMIUM = "/usr/bin/chromium"  # Debian's (Playwright's own download does not work offline)
FOOTER = ('<div style="width:100%;font-size:8px;color:#57606a;text-align:center;font-family:sans-serif">'
          '第 <span class="pageNumber"></span> 页，共 <span class="totalPages"></span> 页</div>')


class BriefingFailed(Exception):
    """The briefing cannot be printed; the message says why and what to do."""


def latest_release(site: Path) -> str:
    """The latest release whose briefing page is in the built site."""
    found = []
    for page in (site / paths.RELEASES_FOLDER).glob("*/briefing/index.html"):
        try:
            found.append(Period.from_label(page.parent.parent.name))
        except (PeriodError, ValueError):
            continue
    if not found:
        raise BriefingFailed(f"{site} 中没有季度简报页：请先运行 make 生成网站。")
    return max(found).label


def print_briefing(site: Path, release: str, out_dir: Path) -> Path:
    """Print releases/<release>/briefing/ of the built site to out_dir/briefing-<release>.pdf."""
    page = site / paths.RELEASES_FOLDER / release / "briefing" / "index.html"
    if not page.is_file():
        raise BriefingFailed(f"没有找到 {page}：请先运行 make；发布的季度写作 YYYYQn，如最新一期 {latest_release(site)}。")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise BriefingFailed("缺少 playwright：请用 make briefing 运行（它会安装所需的软件）。") from None
    if not Path(CHROMIUM).exists():
        raise BriefingFailed(f"缺少 {CHROMIUM}：请用 make briefing 运行（它会安装 Debian 的 chromium）。")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"briefing-{release}.pdf"
    tmp = target.with_suffix(".pdf.tmp")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            tab = browser.new_page()
            tab.goto(page.resolve().as_uri(), wait_until="load")
            tab.emulate_media(media="print")
            tab.pdf(path=str(tmp), format="A4", print_background=True, prefer_css_page_size=True,
                    display_header_footer=True, header_template="<span></span>", footer_template=FOOTER)
        finally:
            browser.close()
    tmp.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.briefing", description="把最新一期的季度简报打印成 A4 PDF。")
    parser.add_argument("--site", type=Path, default=paths.SITE_DIR, help="网站目录（默认 site）")
    parser.add_argument("--out", type=Path, default=paths.BRIEFING_DIR, help="输出目录（默认 build/briefing）")
    parser.add_argument("--release", help="哪一期发布，写作 YYYYQn（默认最新一期）")
    args = parser.parse_args(argv)
    try:
        release = args.release or latest_release(args.site)
        target = print_briefing(args.site, release, args.out)
    except BriefingFailed as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"季度简报已写入 {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
