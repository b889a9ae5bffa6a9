"""What a reader or a journalist takes away from a chart page: the address to cite, the reuse
terms, the embed snippet, and the site settings they depend on (pure; its QR code: pipeline/images/qr.py).

Every address a citation, an embed snippet, a QR code, a CSV's metadata or an exported image
gives comes from `cited_url`: the chart's page in the dated release the reader is looking at
(on the current site, its version in the latest release when the content is the same: pipeline/releases/make.py).
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from pipeline.basics.format import count_zh
from pipeline.charts.kit import Chart
from pipeline.images.portrait import portrait_file_name, portrait_frames
from pipeline.publish.site import Site


def chart_address(site_url: str, chart_id: str) -> str:
    """The chart's current page: <site_url>charts/<chart id>/."""
    return f"{site_url}charts/{chart_id}/"


def cited_url(site, chart: Chart) -> str:
    """The one address every citation, embed snippet, QR code, download and exported image of a
    chart points at (site: publish.site.Site): the page of the chart's version in the dated release shown
    (releases.Releases.chart_path: on the current site, the latest release's), or, with no
    releases, the chart's current page."""
    site_url = site.settings.get("site_url", "/")
    releases = getattr(site, "releases", None)
    path = releases.chart_path(chart.chart_id) if releases is not None else None
    return site_url + path if path else chart_address(site_url, chart.chart_id)


def cited_date(site, chart: Chart):
    """The date of the version cited (cited_url): its release's date, or the current site's."""
    releases = getattr(site, "releases", None)
    release = releases.cited_release(chart.chart_id) if releases is not None else None
    return release.released_on if release is not None else site.reference


def embed_url(site, chart: Chart) -> str:
    """The bare page an iframe shows, beside the cited page."""
    return cited_url(site, chart) + "embed/"


# -- reuse terms --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Licence:
    """The reuse terms of everything the site publishes (mkdocs.yml: extra.license)."""

    name: str  # in words, e.g. 知识共享署名 4.0 国际许可协议
    short: str  # e.g. CC BY 4.0, printed on images
    url: str  # the licence's text
    spdx: str  # its SPDX identifier, for open-data tools (datapackage.json)
    statement: str  # the reuse statement in plain Chinese: what a reader may do and must say

    @property
    def line(self) -> str:
        """One line for an exported image or a CSV's metadata."""
        return f"许可：{self.short}，转载请注明来源及本图地址"


def licence(settings: dict) -> Licence:
    """The licence from the site settings; a missing or incomplete setting is an error that names
    what to add (the build must not publish data without reuse terms)."""
    given = settings.get("license") or {}
    needed = ("name", "short", "url", "spdx", "statement")
    missing = [key for key in needed if not str(given.get(key) or "").strip()]
    if missing:
        raise SettingsError("mkdocs.yml 的 extra.license 缺少 " + "、".join(missing) +
                            "：网站发布的图表和数据必须写明使用许可（见 README“网站设置”）。")
    return Licence(**{key: str(given[key]).strip() for key in needed})


# -- the site's own address ---------------------------------------------------------------------


class SettingsError(Exception):
    """A site setting that would publish something wrong; the message says what to change."""


def is_example_address(site_url: str) -> bool:
    """An address on a reserved example domain (example.com, rencai.example.gov.cn, x.example):
    a placeholder, not where the site is published."""
    host = (urlsplit(site_url).hostname or "").lower()
    return "example" in host.split(".")


def check_site_address(settings: dict) -> list[str]:
    """Warnings about site_url (returned), or SettingsError when real data would be published
    under an address that is not the site's: citations, embed code, QR codes and exported images
    would all point somewhere else."""
    site_url = str(settings.get("site_url") or "")
    parts = urlsplit(site_url)
    real_data = settings.get("sample_data") is False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        problem = f"site_url（{site_url or '空'}）不是完整的网址（应如 https://rencai.某区.gov.cn/）"
    elif is_example_address(site_url):
        problem = f"site_url 仍是示例地址 {site_url}"
    else:
        return []
    consequence = "引用、嵌入代码、二维码和导出图片上的地址都会指向它"
    if real_data:
        raise SettingsError(f"发布中止：config/plan.yml 的 site.sample_data 已设为 false（正式数据），但 {problem}，{consequence}。"
                            "请把 site_url 改为本站正式发布的地址后重新运行 make。网站保持上一次的版本。")
    return [f"提醒：mkdocs.yml 中的 {problem}，{consequence}。正式发布前请改为本站的真实地址。"]


def check_settings(settings: dict) -> list[str]:
    """Every check of the site settings before anything is built: warnings (returned), or
    SettingsError for a setting that would publish something wrong."""
    licence(settings)
    return check_site_address(settings)


def checked_settings(settings: dict) -> dict:
    """The settings, once checked: each warning logged (the build prints it), SettingsError raised."""
    for message in check_settings(settings):
        logging.getLogger(__name__).warning(message)
    return settings


# -- government-site conventions ----------------------------------------------------------------

POLICE_RECORD_URL = "https://beian.mps.gov.cn/#/query/webSearch?code={code}"  # 公安备案 record page
ERROR_REPORT_URL = "https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo.action?sitecode={code}"  # 找错


def footer_links(settings: dict) -> dict[str, str]:
    """Addresses the footer links to: the police filing record (from the digits of the filing
    number) and the 找错 (error report) page of the national platform for government websites
    (from the site code, unless extra.error_report_url gives another)."""
    digits = "".join(re.findall(r"\d", str(settings.get("police_number") or "")))
    site_code = str(settings.get("site_code") or "").strip()
    error_report = str(settings.get("error_report_url") or "").strip()
    if not error_report and site_code:
        error_report = ERROR_REPORT_URL.format(code=site_code)
    return {"police_url": POLICE_RECORD_URL.format(code=digits) if digits else "",
            "error_report_url": error_report}


# -- embed snippet ------------------------------------------------------------------

EMBED_MESSAGE = "rencai-embed-height"  # the message an embed page posts with its height


def embed_snippet(site, chart: Chart, height: int) -> str:
    """What a journalist pastes: the iframe, and a few lines that set its height to what the
    embedded page reports (and only what this site's page reports), so that it never shows a
    scroll bar or a gap. Without the script the iframe keeps its initial height."""
    src = embed_url(site, chart)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(src))
    frame_id = f"rencai-{chart.chart_id}"
    return (f'<iframe id="{frame_id}" src="{src}" title="{html.escape(chart.title)}" width="100%" height="{height}" '
            f'style="border:0;width:100%" loading="lazy"></iframe>\n'
            f"<script>addEventListener(\"message\",function(e){{var f=document.getElementById(\"{frame_id}\");"
            f"if(f&&e.origin===\"{origin}\"&&e.source===f.contentWindow&&e.data&&e.data.type===\"{EMBED_MESSAGE}\")"
            f"f.style.height=Math.ceil(e.data.height)+\"px\"}});</script>")


def share_view(site, chart: Chart, height: int) -> dict:
    """What the share section of a chart page shows."""

    return {"url": cited_url(site, chart), "embed": embed_snippet(site, chart, height),
            "qr": "qr.svg", "portrait": portrait_file_name(chart.chart_id), "licence": licence(site.settings)}


def portraits(site, footers: dict[str, list[str]]) -> dict:
    """Each chart's portrait frame (images.portrait), giving the address the chart is cited at."""
    return portrait_frames(site.charts, site.settings.get("site_name", ""), footers,
                           {c.chart_id: cited_url(site, c) for c in site.charts})


def chart_source(site: Site, chart: Chart) -> str:
    """Who the figures behind a chart come from."""
    config = site.config
    if chart.source:
        return chart.source
    if chart.target_id:
        target = config.target(chart.target_id)
        names = [f"{s.department}《{s.name}》" for s in config.sources_of(target.measure.indicator)]
        return "、".join(names) or config.department_of(target)
    if chart.programme_id:
        return config.programme(chart.programme_id).department
    departments = list(dict.fromkeys(p.department for p in config.programmes))
    return f"{departments[0]}等{count_zh(len(departments))}个部门"


def chart_footers(site: Site) -> dict[str, list[str]]:
    """The source lines printed under each exported image, so a cropped image still says where it
    came from and how recent it is."""
    sample = "（示例数据，非官方统计）" if site.settings.get("sample_data") else ""
    name = site.settings.get("site_name", "")
    terms = licence(site.settings)
    return {c.chart_id: [f"来源：{chart_source(site, c)}报送数据{sample}；{name}整理",
                         f"{c.as_of_text} · {cited_url(site, c)}", terms.line]
            for c in site.charts}


def citations(site: Site, chart: Chart) -> dict[str, str]:
    """A citation in plain Chinese, and a reference in the style of GB/T 7714-2015 ([EB/OL])."""
    name = site.settings.get("site_name", "")
    organization = site.settings.get("organization") or site.settings.get("copyright", "")
    as_of = chart.as_of_text
    updated = cited_date(site, chart).isoformat() if cited_date(site, chart) else ""
    url = cited_url(site, chart)
    return {
        "sentence": f"{name}：《{chart.title}》，{as_of}，{url}",
        "gbt7714": f"{organization}. {chart.title}[EB/OL]. {name}, ({updated})[引用日期]. {url}.",
        "updated": updated,  # the date of the version cited ([引用日期]: the reader's, filled in by the page's script)
    }
