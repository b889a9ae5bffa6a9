"""Web benchmark: what a phone downloads on a first visit, and Lighthouse's mobile scores.

For the home page and one programme page, with mobile emulation and an empty cache:

* bytes and requests of a first visit (Playwright + Debian's Chromium, 375x812 viewport, until
  the network is idle), and of a visit scrolled to the bottom (every lazy image, the chart
  library); each response's body is counted as served (raw) and as gzip would send it;
* whether the chart library (vega.min.js) was fetched, and at what scroll position;
* Lighthouse 12 (npm, pinned in package-lock.json) performance and accessibility scores, with its
  default mobile form factor and simulated throttling, run several times (median, min-max);
* the accessibility audits that fail and the main performance opportunities, with the elements
  and files involved.

The site is served from a local Python web server on 127.0.0.1. Python's server does not
compress, so Lighthouse sees uncompressed files (and suggests text compression); --gzip-server
serves text gzip-compressed, as an ordinary web server would, to see the scores a real host gets.

    .venv/bin/python bench/web.py --site site          # what `make bench-web` runs

Figures go to bench/out/web.json (web-gzip-server.json with --gzip-server) and the Lighthouse
reports to bench/out/lighthouse/.
"""

from __future__ import annotations

import argparse
import email.utils
import functools
import gzip
import http.server
import io
import json
import os
import shutil
import socketserver
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = {"home": "", "p7": "programmes/p7/"}
VIEWPORT = {"width": 375, "height": 812}
DEVICE_SCALE_FACTOR = 3  # an iPhone X-class phone at 375x812
CHART_LIBRARY = "vega.min.js"
GZIP_LEVEL = 6  # zlib's default, also Apache mod_deflate's (nginx's gzip_comp_level default is 1)
TEXT_EXTENSIONS = {".html", ".htm", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".map", ".csv"}
TEXT_TYPES = ("text/", "application/javascript", "application/json", "application/xml",
              "application/manifest+json", "image/svg+xml")
# Records, in the page, the largest-contentful-paint element and the layout shifts with the elements
# that moved (Lighthouse 12.2.3 cannot name them with a newer Chromium: its trace parser fails).
OBSERVE = """(() => {
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (el.classList && el.classList.length) s += "." + Array.from(el.classList).join(".");
    return s;
  };
  const describe = (el) => {
    if (!el || !el.tagName) return null;
    return (el.parentElement ? name(el.parentElement) + " > " : "") + name(el);
  };
  window.__bench = { lcp: [], shifts: [] };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      window.__bench.lcp.push({ time: Math.round(e.startTime), size: e.size, element: describe(e.element),
                                url: e.url || "" });
    }
  }).observe({ type: "largest-contentful-paint", buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.hadRecentInput) continue;
      window.__bench.shifts.push({ time: Math.round(e.startTime), value: e.value, scrollY: Math.round(window.scrollY),
        sources: (e.sources || []).map((src) => describe(src.node)).filter(Boolean) });
    }
  }).observe({ type: "layout-shift", buffered: true });
})();"""
IDLE_MS = 500  # "network idle": no request in flight for this long
# Lighthouse audits whose finding comes from the local benchmark server, not from the site.
SERVER_ARTIFACTS = {
    "uses-text-compression": "the local Python server does not compress; an ordinary web server with gzip on does",
    "uses-long-cache-ttl": "the local Python server sends no Cache-Control; set cache lifetimes on the real host",
}


# --------------------------------------------------------------------------------------------
# The local web server


def is_text(url: str, content_type: str = "") -> bool:
    """Would an ordinary web server compress this response (html, css, js, json, svg, xml)?"""
    content_type = content_type.split(";")[0].strip().lower()
    if content_type:
        return content_type.startswith(TEXT_TYPES)
    return Path(urlsplit(url).path).suffix.lower() in TEXT_EXTENSIONS or urlsplit(url).path.endswith("/")


class Handler(http.server.SimpleHTTPRequestHandler):
    """Python's static file handler, quiet; with gzip=True it compresses text like a real host."""

    gzip = False
    _cache: dict[tuple[str, float], bytes] = {}

    def log_message(self, *args):
        pass

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser stopped reading (Lighthouse cancels requests): nothing to report

    def send_head(self):
        if not self.gzip or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the redirect to the folder with a slash
            path = os.path.join(path, "index.html")
        ctype = self.guess_type(path)
        if not os.path.isfile(path) or not is_text(path, ctype):
            return super().send_head()
        stat = os.stat(path)
        key = (path, stat.st_mtime)
        body = self._cache.get(key)
        if body is None:
            body = self._cache[key] = gzip.compress(Path(path).read_bytes(), GZIP_LEVEL, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
        self.end_headers()
        return io.BytesIO(body)


def start_server(site: Path, compress: bool) -> tuple[socketserver.TCPServer, str]:
    handler = functools.partial(type("H", (Handler,), {"gzip": compress}), directory=str(site))
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


# --------------------------------------------------------------------------------------------
# Bytes and requests (Playwright)


class Recorder:
    """Every response of one browser context (pages and their workers), with its body size."""

    def __init__(self, context, origin: str):
        self.origin = origin
        self.inflight: set = set()
        self.last_change = time.monotonic()
        self.responses: list = []  # (response, scrollY when it was requested)
        self.failed: list[str] = []
        self.scroll_y = 0
        self._requested_at: dict = {}
        context.on("request", self._request)
        context.on("requestfinished", self._done)
        context.on("requestfailed", self._failed)
        context.on("response", lambda r: self.responses.append((r, self._requested_at.get(r.request, 0))))

    def _request(self, request):
        if request.url.startswith("data:"):
            return
        self.inflight.add(request)
        self._requested_at[request] = self.scroll_y
        self.last_change = time.monotonic()

    def _done(self, request):
        self.inflight.discard(request)
        self.last_change = time.monotonic()

    def _failed(self, request):
        self._done(request)
        self.failed.append(request.url)

    def wait_idle(self, page, timeout: float = 20.0) -> None:
        """Wait until no request has been in flight for IDLE_MS (or the timeout)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            page.wait_for_timeout(100)
            if not self.inflight and (time.monotonic() - self.last_change) * 1000 >= IDLE_MS:
                return

    def tally(self) -> dict:
        """Requests and bytes of every response so far."""
        files = []
        for response, scroll_y in self.responses:
            url = response.url
            if url.startswith("data:"):
                continue
            try:
                body = response.body()
                raw = len(body)
            except Exception:  # a redirect or a body the browser dropped: take its reported size
                body = None
                raw = max(response.request.sizes().get("responseBodySize", 0), 0)
            ctype = response.headers.get("content-type", "")
            text = is_text(url, ctype)
            gz = len(gzip.compress(body, GZIP_LEVEL, mtime=0)) if (text and body) else raw
            files.append({"url": url.removeprefix(self.origin) if url.startswith(self.origin) else url,
                          "status": response.status, "type": ctype.split(";")[0], "raw": raw,
                          "gzip": gz, "compressible": text, "requested_at_scroll_y": scroll_y,
                          "external": not url.startswith(self.origin)})
        return {
            "requests": len(files),
            "external_requests": sum(f["external"] for f in files),
            "raw_bytes": sum(f["raw"] for f in files),
            "gzip_bytes": sum(f["gzip"] for f in files),
            "files": files,
        }


def chart_library(files: list[dict]) -> dict | None:
    return next((f for f in files if f["url"].endswith(CHART_LIBRARY)), None)


def measure_bytes(browser, base: str, path: str) -> dict:
    """A first visit to one page with an empty cache, then scrolled to the bottom."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=DEVICE_SCALE_FACTOR,
                                  is_mobile=True, has_touch=True)
    recorder = Recorder(context, base.rstrip("/"))
    page = context.new_page()
    page.add_init_script(OBSERVE)
    page.goto(base + path, wait_until="networkidle")
    recorder.wait_idle(page)
    first = recorder.tally()
    observed = page.evaluate("window.__bench")
    lcp = observed["lcp"][-1] if observed["lcp"] else None
    charts = page.evaluate("""() => Array.from(document.querySelectorAll('.vega-chart[data-spec]'))
        .map(el => Math.round(el.getBoundingClientRect().top + window.scrollY))""")

    # Scroll down by half a screen at a time, letting the network settle at each step.
    step = VIEWPORT["height"] // 2
    while True:
        y = page.evaluate("window.scrollY")
        bottom = page.evaluate("document.documentElement.scrollHeight - window.innerHeight")
        if y >= bottom:
            break
        recorder.scroll_y = min(y + step, bottom)
        page.evaluate(f"window.scrollTo(0, {recorder.scroll_y})")
        recorder.wait_idle(page, timeout=10)
        if page.evaluate("window.scrollY") <= y:  # could not scroll further
            break
    full = recorder.tally()
    shifts_scrolled = page.evaluate("window.__bench.shifts")
    height = page.evaluate("document.documentElement.scrollHeight")
    context.close()

    library = chart_library(full["files"])
    return {
        "url": "/" + path,
        "first_visit": first,
        "full_scroll": full,
        "page_height_px": height,
        "chart_tops_px": charts,
        "chart_library": {
            "first_visit": chart_library(first["files"]) is not None,
            "full_scroll": library is not None,
            "requested_at_scroll_y": library["requested_at_scroll_y"] if library else None,
            "raw": library["raw"] if library else 0,
            "gzip": library["gzip"] if library else 0,
        },
        "largest_contentful_paint": lcp,
        "layout_shifts_first_visit": {"cls": round(sum(x["value"] for x in observed["shifts"]), 4),
                                      "shifts": observed["shifts"]},
        "layout_shifts_while_scrolling": shifts_scrolled[len(observed["shifts"]):],
        "failed_requests": recorder.failed,
    }


# --------------------------------------------------------------------------------------------
# Lighthouse


def run_lighthouse(lighthouse: Path, url: str, report: Path) -> dict:
    report.parent.mkdir(parents=True, exist_ok=True)
    command = [str(lighthouse), url, "--only-categories=performance,accessibility", "--output=json",
               f"--output-path={report}", "--quiet", "--chrome-flags=" + " ".join(CHROME_FLAGS)]
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not report.exists():
        raise SystemExit(f"Lighthouse failed on {url} (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(report.read_text(encoding="utf-8"))


def nodes_in(details) -> list[dict]:
    """Every element (node) named anywhere in an audit's details."""
    found = []
    if isinstance(details, dict):
        if details.get("type") == "node" and (details.get("selector") or details.get("snippet")):
            return [{k: details.get(k) for k in ("selector", "snippet", "nodeLabel", "explanation")
                     if details.get(k)}]
        for value in details.values():
            found += nodes_in(value)
    elif isinstance(details, list):
        for value in details:
            found += nodes_in(value)
    return found


def summarise_run(report: dict) -> dict:
    audits = report["audits"]
    cats = report["categories"]
    run = {
        "performance": round(cats["performance"]["score"] * 100) if cats["performance"]["score"] is not None else None,
        "accessibility": round(cats["accessibility"]["score"] * 100) if cats["accessibility"]["score"] is not None else None,
        "lcp_ms": audits["largest-contentful-paint"].get("numericValue"),
        "tbt_ms": audits["total-blocking-time"].get("numericValue"),
        "cls": audits["cumulative-layout-shift"].get("numericValue"),
        "fcp_ms": audits["first-contentful-paint"].get("numericValue"),
        "speed_index_ms": audits["speed-index"].get("numericValue"),
        "total_byte_weight": audits["total-byte-weight"].get("numericValue"),
        "chart_library_loaded": any(i.get("url", "").endswith(CHART_LIBRARY) for i in
                                    audits.get("network-requests", {}).get("details", {}).get("items", [])),
        "run_warnings": report.get("runWarnings", []),
        "lighthouse_version": report.get("lighthouseVersion"),
        "browser": report.get("environment", {}).get("hostUserAgent", ""),
        "errored_audits": {k: a.get("errorMessage", "")[:200] for k, a in audits.items()
                           if a.get("scoreDisplayMode") == "error"},
    }
    return run


def accessibility_failures(report: dict) -> list[dict]:
    audits = report["audits"]
    failing = []
    for ref in report["categories"]["accessibility"]["auditRefs"]:
        audit = audits[ref["id"]]
        if audit.get("score") is None or audit["score"] >= 1:
            continue
        nodes = nodes_in(audit.get("details", {}).get("items", []))
        failing.append({"id": ref["id"], "title": audit["title"], "weight": ref.get("weight", 0),
                        "elements": len(nodes) or len(audit.get("details", {}).get("items", [])),
                        "nodes": nodes})
    failing.sort(key=lambda a: (-a["weight"], -a["elements"]))
    return failing


def local(url: str, origin: str) -> str:
    return url[len(origin):] if origin and url.startswith(origin) else url


def performance_findings(report: dict) -> list[dict]:
    """Opportunities and diagnostics that cost time, largest first (the metrics themselves excluded)."""
    audits = report["audits"]
    origin = report.get("finalDisplayedUrl", report.get("requestedUrl", "")).split("/", 3)
    origin = "/".join(origin[:3]) if len(origin) >= 3 else ""
    findings = []
    for ref in report["categories"]["performance"]["auditRefs"]:
        if ref.get("group") == "metrics" or ref.get("group") == "hidden":
            continue
        audit = audits[ref["id"]]
        details = audit.get("details") or {}
        savings = {k: v for k, v in (audit.get("metricSavings") or {}).items() if v}
        failing = audit.get("score") is not None and audit["score"] < 0.9 and audit.get("scoreDisplayMode") != "informative"
        if not (savings or failing):
            continue
        items = []
        for item in details.get("items", [])[:8]:
            if not isinstance(item, dict):
                continue
            entry = {}
            for key in ("url", "wastedBytes", "totalBytes", "wastedMs", "duration", "total", "scripting",
                        "cacheLifetimeMs", "transferSize", "group", "groupLabel", "value", "statistic"):
                if key in item and item[key] not in (None, ""):
                    entry[key] = item[key]
            if isinstance(entry.get("url"), str):
                entry["url"] = local(entry["url"], origin)
            if isinstance(entry.get("value"), dict):
                entry["value"] = entry["value"].get("value")
            node = nodes_in(item.get("node")) or (nodes_in(item["value"]) if isinstance(item.get("value"), dict) else [])
            if node:
                entry["node"] = node[0]
            if entry:
                items.append(entry)
        findings.append({
            "id": ref["id"], "title": audit["title"], "display": audit.get("displayValue", ""),
            "score": audit.get("score"), "metric_savings": savings,
            "savings_ms": details.get("overallSavingsMs"), "savings_bytes": details.get("overallSavingsBytes"),
            "items": items, "server_artifact": SERVER_ARTIFACTS.get(ref["id"]),
        })
    findings.sort(key=lambda f: (-(max(f["metric_savings"].values()) if f["metric_savings"] else 0),
                                 -(f["savings_bytes"] or 0)))
    return findings


def lcp_element(report: dict) -> dict | None:
    nodes = nodes_in(report["audits"].get("largest-contentful-paint-element", {}).get("details"))
    return nodes[0] if nodes else None


def spread(values: list) -> dict:
    values = [v for v in values if v is not None]
    if not values:
        return {"median": None, "min": None, "max": None, "runs": []}
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


# --------------------------------------------------------------------------------------------
# Output


def kb(n: float) -> str:
    return f"{n / 1024:,.0f}"


def score(s: dict) -> str:
    if s["median"] is None:
        return "-"
    m = f"{s['median']:.0f}"
    return m if s["min"] == s["max"] else f"{m} ({s['min']:.0f}–{s['max']:.0f})"


def print_table(results: dict, runs: int, server: str) -> None:
    head = ["page", "requests first/scroll", "first KB raw", "first KB gzip", "scroll KB raw", "scroll KB gzip",
            f"perf (min–max of {runs})", "a11y", "LCP s", "TBT ms", "CLS"]
    rows = []
    for name, r in results.items():
        b, lh = r["bytes"], r["lighthouse"]
        rows.append([
            f"{name} {r['bytes']['url']}", f"{b['first_visit']['requests']}/{b['full_scroll']['requests']}",
            kb(b["first_visit"]["raw_bytes"]), kb(b["first_visit"]["gzip_bytes"]),
            kb(b["full_scroll"]["raw_bytes"]), kb(b["full_scroll"]["gzip_bytes"]),
            score(lh["performance"]), score(lh["accessibility"]),
            f"{lh['lcp_ms']['median'] / 1000:.1f}" if lh["lcp_ms"]["median"] is not None else "-",
            f"{lh['tbt_ms']['median']:.0f}" if lh["tbt_ms"]["median"] is not None else "-",
            f"{lh['cls']['median']:.3f}" if lh["cls"]["median"] is not None else "-",
        ])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    def line(cells):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    print()
    print(line(head))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))
    print()
    print(f"Bytes: response bodies (HTTP headers not counted), KB = 1024 bytes, mobile {VIEWPORT['width']}x"
          f"{VIEWPORT['height']} @{DEVICE_SCALE_FACTOR}x, empty cache. \"raw\" = as the files are on disk and as "
          f"Python's server sends them; \"gzip\" = text responses (html, css, js, json, svg, xml) gzip-compressed "
          f"at level {GZIP_LEVEL}, as an ordinary web server would send them, other files as they are.")
    print(f"first = load until the network is idle ({IDLE_MS} ms without a request); scroll = after scrolling "
          f"to the bottom half a screen at a time.")
    print(f"Lighthouse: median of {runs} runs, default mobile form factor (412x823) and simulated throttling; "
          f"LCP, TBT, CLS are medians. Server: {server}.")
    external = {name: r["bytes"]["full_scroll"]["external_requests"] for name, r in results.items()}
    print("Requests to other hosts: " + ", ".join(f"{name} {n}" for name, n in external.items()) + ".")
    for name, r in results.items():
        lib = r["bytes"]["chart_library"]
        if lib["first_visit"]:
            where = (f"fetched on the first visit (scrollY {lib['requested_at_scroll_y']}: a chart starts at "
                     f"{r['bytes']['chart_tops_px'][0]} px, within the viewport + 300 px margin)"
                     if r["bytes"]["chart_tops_px"] else "fetched on the first visit")
        elif lib["full_scroll"]:
            where = f"not on the first visit; fetched after scrolling to y = {lib['requested_at_scroll_y']} px"
        else:
            where = "never fetched"
        lh_lib = sum(run["chart_library_loaded"] for run in r["lighthouse"]["runs"])
        print(f"  {name}: {CHART_LIBRARY} ({kb(lib['raw'] or 0)} KB raw, {kb(lib['gzip'] or 0)} KB gzip) {where}; "
              f"in Lighthouse's load: {lh_lib} of {len(r['lighthouse']['runs'])} runs. "
              f"Lighthouse's total byte weight: {kb(r['lighthouse']['total_byte_weight']['median'] or 0)} KB.")


def print_files(results: dict) -> None:
    print("\nLargest files of a first visit (KB raw / gzip):")
    for name, r in results.items():
        files = sorted(r["bytes"]["first_visit"]["files"], key=lambda f: -f["raw"])[:6]
        print(f"  {name}: " + "; ".join(f"{f['url']} {kb(f['raw'])}/{kb(f['gzip'])}" for f in files))


def print_findings(results: dict) -> None:
    print("\nAccessibility audits that fail (Lighthouse / axe-core):")
    for name, r in results.items():
        failing = r["accessibility_failures"]
        if not failing:
            print(f"  {name}: none")
        for a in failing:
            print(f"  {name}: {a['id']} (weight {a['weight']}, {a['elements']} element(s)) {a['title']}")
            for node in a["nodes"][:5]:
                print(f"      {node.get('selector', '')}  {node.get('snippet', '')[:110]}")
            if len(a["nodes"]) > 5:
                print(f"      ... and {len(a['nodes']) - 5} more (bench/out JSON lists all)")
    print(f"\nIn the browser at {VIEWPORT['width']}x{VIEWPORT['height']} (no throttling), first visit:")
    for name, r in results.items():
        b = r["bytes"]
        if b["largest_contentful_paint"]:
            e = b["largest_contentful_paint"]
            print(f"  {name}: LCP element: {e['element']}" + (f" ({e['url']})" if e["url"] else "")
                  + f", at {e['time']} ms")
        ls = b["layout_shifts_first_visit"]
        print(f"  {name}: layout shifts: CLS {ls['cls']:.3f} from {len(ls['shifts'])} shift(s)")
        for shift in sorted(ls["shifts"], key=lambda x: -x["value"])[:4]:
            print(f"      {shift['value']:.4f} at {shift['time']} ms: {'; '.join(shift['sources'][:3])}")
        later = b["layout_shifts_while_scrolling"]
        if later:
            print(f"  {name}: while scrolling: {len(later)} more shift(s), "
                  f"total {sum(x['value'] for x in later):.3f}: "
                  + "; ".join(f"{x['value']:.3f} at y={x['scrollY']} ({', '.join(x['sources'][:2])})" for x in
                              sorted(later, key=lambda x: -x["value"])[:3]))
    print("\nPerformance opportunities and diagnostics (estimated savings from the median run):")
    for name, r in results.items():
        if r.get("lcp_element"):
            print(f"  {name}: LCP element: {r['lcp_element'].get('selector', '')}  "
                  f"{r['lcp_element'].get('snippet', '')[:100]}")
        for f in r["performance_findings"][:8]:
            savings = ", ".join(f"{k} {v:.0f} ms" if k != "CLS" else f"CLS {v:.3f}" for k, v in f["metric_savings"].items())
            note = f"  [server artifact: {f['server_artifact']}]" if f["server_artifact"] else ""
            print(f"  {name}: {f['id']}: {f['display'] or f['title']}" + (f" (saves {savings})" if savings else "") + note)
            for item in f["items"][:4]:
                what = (item.get("url") or item.get("groupLabel") or item.get("group")
                        or (f"{item['statistic']}: {item.get('value')}" if item.get("statistic") else "")
                        or (item.get("node") or {}).get("selector") or "")
                if item.get("statistic") and item.get("node"):
                    what += f"  ({item['node'].get('selector', '')})"
                size = []
                if item.get("wastedBytes"):
                    total = item.get("totalBytes") or item.get("transferSize")
                    size.append(f"{kb(item['wastedBytes'])} KB wasted" + (f" of {kb(total)}" if total else ""))
                if item.get("wastedMs"):
                    size.append(f"{item['wastedMs']:.0f} ms")
                if item.get("total") and not item.get("wastedMs"):
                    size.append(f"{item['total']:.0f} ms")
                if item.get("duration"):
                    size.append(f"{item['duration']:.0f} ms")
                print(f"      {what}  {' '.join(size)}".rstrip())
    for name, r in results.items():
        runs = r["lighthouse"]["runs"]
        errored = sorted({k for run in runs for k in run["errored_audits"]})
        if errored:
            browser = next((part for part in runs[0]["browser"].split() if "Chrome/" in part), "")
            print(f"  {name}: audits Lighthouse could not compute ({len(errored)}, this Lighthouse may be older "
                  f"than the browser, {browser}): {', '.join(errored)}")
        warnings = sorted({w.split(".")[0] for run in runs for w in run["run_warnings"]})
        for w in warnings:
            print(f"  {name}: Lighthouse warning: {w}.")


# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site", help="the built site folder (default: site)")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (default 3)")
    parser.add_argument("--gzip-server", action="store_true",
                        help="serve text gzip-compressed, as an ordinary web server does (default: Python's plain server)")
    parser.add_argument("--out", type=Path, help="JSON file (default bench/out/web.json, or web-gzip-server.json)")
    parser.add_argument("--lighthouse", type=Path, default=LIGHTHOUSE,
                        help="the Lighthouse command (default: node_modules/.bin/lighthouse, pinned in package-lock.json)")
    args = parser.parse_args(argv)

    site = args.site.resolve()
    if not (site / "index.html").is_file():
        parser.error(f"{args.site} has no index.html: build the site first (make, or python -m pipeline --site DIR)")
    if not args.lighthouse.exists():
        parser.error("Lighthouse is not installed: run `npm ci` in the project folder (make bench-web does)")
    if not shutil.which(CHROMIUM):
        parser.error(f"{CHROMIUM} is missing: apt-get install chromium (make bench-web installs it)")
    out = args.out or OUT / ("web-gzip-server.json" if args.gzip_server else "web.json")
    reports = OUT / "lighthouse"
    server_name = ("local Python server with gzip (level %d) for text" % GZIP_LEVEL if args.gzip_server
                   else "local Python http.server, no compression")

    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()
    server, base = start_server(site, args.gzip_server)
    results: dict = {}
    try:
        print(f"Serving {args.site} at {base} ({server_name})", file=sys.stderr)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_FLAGS)
            for name, path in PAGES.items():
                print(f"Bytes: {name} /{path}", file=sys.stderr)
                results[name] = {"bytes": measure_bytes(browser, base, path)}
            browser.close()

        raw_runs: dict[str, list[dict]] = {name: [] for name in PAGES}
        for i in range(args.runs):  # alternate pages so that a noisy moment does not hit one page only
            for name, path in PAGES.items():
                print(f"Lighthouse run {i + 1}/{args.runs}: {name} /{path}", file=sys.stderr)
                suffix = "-gzip-server" if args.gzip_server else ""
                report = run_lighthouse(args.lighthouse, base + path, reports / f"{name}{suffix}-{i + 1}.report.json")
                raw_runs[name].append(report)
    finally:
        server.shutdown()
        server.server_close()

    for name, reports_ in raw_runs.items():
        runs = [summarise_run(r) for r in reports_]
        # The findings come from the run whose performance score is the median one.
        order = sorted(range(len(runs)), key=lambda i: runs[i]["performance"] or 0)
        median_report = reports_[order[len(order) // 2]]
        results[name]["lighthouse"] = {
            key: spread([run[key] for run in runs])
            for key in ("performance", "accessibility", "lcp_ms", "tbt_ms", "cls", "fcp_ms", "speed_index_ms",
                        "total_byte_weight")
        }
        results[name]["lighthouse"]["runs"] = runs
        results[name]["lighthouse"]["median_run_report"] = str(
            (reports / f"{name}{'-gzip-server' if args.gzip_server else ''}-{order[len(order) // 2] + 1}.report.json")
            .relative_to(ROOT))
        results[name]["accessibility_failures"] = accessibility_failures(median_report)
        results[name]["performance_findings"] = performance_findings(median_report)
        results[name]["lcp_element"] = lcp_element(median_report)

    load_after = os.getloadavg()
    print_table(results, args.runs, server_name)
    print(f"Machine: {os.cpu_count()} cores, load average {load_before[0]:.1f} before and {load_after[0]:.1f} after "
          f"(Lighthouse's timings, and so its performance score, vary with other work on the machine).")
    print_files(results)
    print_findings(results)

    lighthouse_version = raw_runs[next(iter(PAGES))][0].get("lighthouseVersion")
    document = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "site": str(args.site),
        "server": server_name,
        "machine": {"cores": os.cpu_count(), "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in load_after]},
        "viewport": {**VIEWPORT, "device_scale_factor": DEVICE_SCALE_FACTOR, "mobile": True},
        "gzip_level": GZIP_LEVEL,
        "lighthouse": {"version": lighthouse_version, "runs": args.runs, "form_factor": "mobile",
                       "throttling": "simulate", "chrome": CHROMIUM, "chrome_flags": CHROME_FLAGS},
        "pages": results,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nFigures: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}; "
          f"Lighthouse reports: {reports.relative_to(ROOT)}/", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
