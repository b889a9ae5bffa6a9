"""The files of one dated release (pure, but for small_pngs): its page, the page and downloads of
each chart new in it, a short page pointing to the earlier version of each chart that did not
change, its quarterly briefing, all under releases/<folder>/.

Release pages are plain HTML, not MkDocs pages: they never change once their release is closed,
so they carry nothing that later releases change (menus, the current data's dates), and their
stylesheets and the embed script are copies kept in the release (releases/<folder>/assets/), so
a later change of the site's own look cannot change them either.
"""

from __future__ import annotations

import concurrent.futures
import json
from pathlib import Path

from pipeline.archive.record import Release, folder_label_zh
from pipeline.basics import paths
from pipeline.basics.periods import Period
from pipeline.basics.workdir import write_whole
from pipeline.images.frame import svg_size
from pipeline.images.portrait import portrait_file_name
from pipeline.images.qr import qr_svg
from pipeline.images.render import export_spec
from pipeline.publish.opendata import chart_csv, chart_csv_files
from pipeline.publish.render import render
from pipeline.publish.share import (
    EMBED_MESSAGE,
    chart_footers,
    chart_source,
    citations,
    cited_url,
    embed_snippet,
    licence,
)

#: The charts the briefing prints, by kind, in this order.
BRIEFING_KINDS = ("status", "overview", "measures")


def _root(path: str) -> str:
    """The way up from a file to the site's root."""
    return "../" * path.count("/")


#: The site's files a release keeps a copy of, under releases/<folder>/assets/ (docs/assets/...).
FROZEN_ASSETS = ("stylesheets/release.css", "stylesheets/embed.css", "javascripts/embed.js", "javascripts/release.js")


def _common(site, release: Release, path: str) -> dict:
    own = "../" * (path.count("/") - release.path.count("/"))  # from the page up to the release's folder
    return {"settings": site.settings, "release": release, "licence": licence(site.settings), "root": _root(path),
            "assets": own + "assets/", "canonical": site.settings.get("site_url", "/") + path.removesuffix("index.html"),
            "plan": site.config.plan, "original": _original_link(release, own),
            "measures_title": site.commitments.facts.registry.first_part if site.commitments else "措施",
            "meeting": _meeting(site)}


def _meeting(site) -> str | None:
    """The leading group's quarterly commitment the briefing is made for (config/commitments.yml), if any."""
    meeting = site.commitments.facts.registry.recurring_example("each_quarter") if site.commitments else None
    return meeting.name if meeting else None


def _original_link(release: Release, own: str) -> str | None:
    """A re-issue's link to the release it corrects."""
    return f"{own}../{release.reissue_of}/" if release.reissue_of else None


def frozen_assets(release: Release) -> dict[str, bytes]:
    """The copies of the site's stylesheets and embed script a release keeps."""
    return {f"{release.path}assets/{name.rsplit('/', 1)[-1]}": (paths.DOCS_SRC_DIR / "assets" / name).read_bytes()
            for name in FROZEN_ASSETS}


def release_files(site, release) -> tuple[dict[str, bytes], dict[str, Path]]:
    """Every file of a release made now (site: its publish.site.Site with images and releases), and the
    PNGs to add (path -> the full-colour PNG in the image cache; see small_pngs)."""
    files: dict[str, bytes] = {}
    pngs: dict[str, Path] = {}
    config = site.config
    footers = chart_footers(site)
    for chart in site.charts:
        folder = f"{release.path}charts/{chart.chart_id}/"
        version = release.versions[chart.chart_id]
        if version != release.name:
            path = folder + "index.html"
            files[path] = render(config, "release_stub.html.j2", **_common(site, release, path), title=chart.title,
                                 target=f"../../../{version}/charts/{chart.chart_id}/",
                                 version_zh=folder_label_zh(version)).encode()
            continue
        files.update(_chart_files(site, release, chart, folder, footers[chart.chart_id]))
        pngs[f"{folder}{chart.chart_id}.png"] = site.images[chart.chart_id].png_file
        if site.images[chart.chart_id].portrait_file is not None:
            pngs[f"{folder}{portrait_file_name(chart.chart_id)}"] = site.images[chart.chart_id].portrait_file
    index = f"{release.path}index.html"
    charts = [{"title": c.title, "link": f"../{release.versions[c.chart_id]}/charts/{c.chart_id}/",
               "same": release.versions[c.chart_id] != release.name,
               "version_zh": folder_label_zh(release.versions[c.chart_id])} for c in site.charts]
    files[index] = render(config, "release_index.html.j2", **_common(site, release, index), charts=charts).encode()
    briefing = f"{release.path}briefing/index.html"
    files[briefing] = briefing_page(site, release, briefing).encode()
    files.update(frozen_assets(release))
    return files, pngs


def _chart_files(site, release, chart, folder: str, footer: list[str]) -> dict[str, bytes]:
    image = site.images[chart.chart_id]
    table = chart_csv(chart)
    url = cited_url(site, chart)
    page = folder + "index.html"
    embed_path = folder + "embed/index.html"
    common = _common(site, release, page)
    out = {
        # the embed snippet's default height is the chart page's: the page figure and its source line
        page: render(site.config, "release_chart.html.j2", **common, chart=chart, image=image, svg_size=svg_size(image.svg),
                     png_size=image.png_size, source=chart_source(site, chart), url=url,
                     citation=citations(site, chart), embed=embed_snippet(site, chart, image.figure_size[1] + 90),
                     portrait=portrait_file_name(chart.chart_id) if image.portrait_file is not None else None,
                     table_columns=list(table.columns), table_rows=table.to_dict("records")).encode(),
        f"{folder}{chart.chart_id}.svg": image.svg,
        f"{folder}figure.svg": image.figure_svg,
        f"{folder}figure-narrow.svg": image.narrow_svg,
        f"{folder}{chart.chart_id}.vl.json": json.dumps(export_spec(chart, footer), ensure_ascii=False, indent=1,
                                                        sort_keys=True).encode(),
        f"{folder}qr.svg": qr_svg(url, f"{chart.title}：本图地址的二维码"),
        embed_path: render(site.config, "release_embed.html.j2", **_common(site, release, embed_path), chart=chart,
                           image=image, url=url, source=chart_source(site, chart), message=EMBED_MESSAGE).encode(),
    }
    for path, content in chart_csv_files(site, chart, table).items():  # charts/<id>/<id>.csv and its metadata
        out[folder + path.rsplit("/", 1)[-1]] = content
    return out


def briefing_page(site, release, path: str) -> str:
    """The quarterly briefing for the leading group's meeting: headline, what changed, a line per
    programme, the charts; printed to A4 by `make briefing` (pipeline/briefing.py)."""
    config = site.config
    headlines = site.headlines
    programmes = []
    for programme in config.programmes:
        rows = headlines[headlines["programme_id"] == programme.id].to_dict("records")
        programmes.append({"name": programme.name, "targets": [
            {"name": r["target_name"], "figure": r["figure_zh"], "status": config.method.status(r["status"]).label}
            for r in rows]})
    root = _root(path)
    charts = [{"src": f"{root}{paths.RELEASES_FOLDER}/{release.versions[c.chart_id]}/charts/{c.chart_id}/{c.chart_id}.svg",
               "summary": c.summary, "width": 680, "height": 400}
              for kind in BRIEFING_KINDS for c in site.charts if c.kind == kind]
    measures = None
    if site.commitments and site.commitments.facts.latest:
        facts = site.commitments.facts
        done = facts.registry.done
        measures = {"total": len(facts.registry.commitments), "done": facts.counts()[done],
                    "done_word": facts.registry.statuses[done].word, "parts_zh": facts.registry.parts_zh,
                    "quarter": Period.from_label(facts.latest).label_zh}
    return render(config, "release_briefing.html.j2", **_common(site, release, path), programmes=programmes,
                  charts=charts, measures=measures)


# -- save -----------------------------------------------------------------------------------------


def quantized_png(path: str) -> bytes:
    """A chart's PNG in 256 colours (run by the drawing workers): about a seventh of the
    full-colour file's size, with no difference to see (a chart has few colours)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.open(path).convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(out, format="PNG")
    return out.getvalue()


def small_pngs(pngs: dict[str, Path], cache: Path, pool) -> dict[str, bytes]:
    """Each release PNG in 256 colours, from the cache (by the full-colour image's name, a hash of
    its spec) or made now by the pool's workers (after pool.finish(): the full-colour PNGs exist)."""
    cache.mkdir(parents=True, exist_ok=True)
    jobs = {path: pool.executor.submit(quantized_png, str(png)) for path, png in pngs.items()
            if not (cache / png.name).exists()}
    out = {}
    for path, png in pngs.items():
        if path in jobs:
            write_whole(cache / png.name, jobs[path].result())
        out[path] = (cache / png.name).read_bytes()
    concurrent.futures.wait(jobs.values())
    return out
