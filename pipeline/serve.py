"""make serve: the site on http://127.0.0.1:8000, rebuilt when an input changes, and the page open
in the browser reloaded once the new site is in place, so staff see the effect of a file as they
add it to data/raw.

Three parts, standard library only:
- the inputs are watched by polling (the files the Makefile's manifest lists: INPUT_PATHS, given
  on the command line): a file whose size or date changed is hashed again, and a change of content (a file added, edited, removed or renamed) starts a build
  once nothing has changed for a moment;
- the builds run in a warm process (pipeline/warm.py) that keeps the libraries and the drawing
  workers loaded between builds; a change under pipeline/ starts a new one, with the new code;
- the web server serves site/ as it is on disk, and adds one script to each HTML page it sends
  (never to the files: the published site has no trace of it) that asks the server every second
  which site it has, reloads the page when a new one is in place, says when a build is running,
  and shows a failed build's report (in Chinese, as the terminal does) over the last good site,
  which stays served.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.basics import paths
from pipeline.basics.workdir import REPORT_FILE

POLL_SECONDS = 0.4  # how often the inputs are looked at
SETTLE_SECONDS = 0.4  # a build starts when nothing has changed for this long (a folder being copied)
CODE = "pipeline"  # a change here needs a new build process (with the new code)
SKIPPED_DIRS = {"__pycache__", ".git", ".hypothesis", ".pytest_cache"}
OWN = "/__serve__/"  # the addresses of the server itself (the script, the state of the builds)


# -- the inputs ----------------------------------------------------------------------------------


class Inputs:
    """The content of the watched files, each hashed again only when it may have changed (its size,
    dates or inode did: a write sets the inode's change time, whatever date it gives the file)."""

    def __init__(self, root: Path, watched: list[str]):
        self.root, self.watched = root, watched
        self._known: dict[str, tuple[tuple[int, ...], str]] = {}  # path -> (stat, content hash)

    def snapshot(self) -> dict[str, str]:
        """path -> hash of its content, for every watched file now."""
        now = {}
        for path in self._files():
            try:
                st = path.stat()
            except OSError:
                continue  # removed while we looked
            key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)  # ctime: any write, whatever date it sets
            rel = path.relative_to(self.root).as_posix()
            known = self._known.get(rel)
            if known is None or known[0] != key:
                known = (key, _digest(path))
            now[rel] = known[1]
            self._known[rel] = known
        self._known = {rel: self._known[rel] for rel in now}
        return now

    def _files(self):
        for name in self.watched:
            top = self.root / name
            if top.is_file():
                yield top
                continue
            for folder, dirs, files in os.walk(top):
                dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
                for file in sorted(files):
                    if not file.endswith((".pyc", ".pyo")):
                        yield Path(folder) / file


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return f"unreadable:{exc.errno}"


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The paths added, removed or changed from one snapshot to the next (pure)."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


# -- the builds ----------------------------------------------------------------------------------


@dataclass
class State:
    """What the pages ask the server: which site is served, and how the last build went."""

    version: int = 0  # raised each time a new site is in place
    building: bool = False
    error: str = ""  # the last build's report if it failed, else ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"version": self.version, "building": self.building, "error": self.error},
                              ensure_ascii=False).encode("utf-8")


class Builder:
    """The warm build process (pipeline/warm.py), started when first needed and again after a
    change of code or a failure of its own."""

    def __init__(self, root: Path, arguments: list[str]):
        self.root, self.arguments = root, arguments
        self.process: subprocess.Popen | None = None

    def build(self, new_code: bool) -> dict:
        if new_code or self.process is None or self.process.poll() is not None:
            self.stop()
            self.process = subprocess.Popen([sys.executable, "-m", "pipeline.warm"], cwd=self.root, text=True,
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, encoding="utf-8")
            self._answer()  # ready
        self.process.stdin.write(json.dumps({"build": self.arguments}) + "\n")
        self.process.stdin.flush()
        return self._answer()

    def _answer(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            self.stop()
            return {"code": -1, "error": "生成进程意外退出（详见终端中的输出）。"}
        return json.loads(line)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


def report(answer: dict, work_dir: Path) -> str:
    """A failed build's message for the page: its report (as printed in the terminal), or the
    program's own error."""
    if answer.get("error"):
        return "生成网站时程序出错（不是数据的问题），请把下面的内容发给维护人员：\n\n" + answer["error"]
    try:
        return (work_dir / REPORT_FILE).read_text(encoding="utf-8")
    except OSError:
        return "生成网站失败，原因见终端中的输出。"


def watch(inputs: Inputs, builder: Builder, state: State, work_dir: Path, stop: threading.Event) -> None:
    """Build now, then again after every change of the inputs, until stop is set."""
    built: dict[str, str] | None = None
    while not stop.is_set():
        now = inputs.snapshot()
        if built is not None and not changed(built, now):
            stop.wait(POLL_SECONDS)
            continue
        if built is not None:  # wait until it settles: a folder of files may be arriving
            stop.wait(SETTLE_SECONDS)
            later = inputs.snapshot()
            if changed(now, later):
                continue
        files = changed(built or {}, now)
        new_code = built is not None and any(p.startswith(CODE + "/") for p in files)
        if built is not None:
            shown = "、".join(files[:5]) + (f" 等 {len(files)} 个文件" if len(files) > 5 else "")
            print(f"\n发现改动：{shown}。重新生成网站……", file=sys.stderr, flush=True)
        with state.lock:
            state.building = True
        answer = builder.build(new_code)
        built = now
        with state.lock:
            state.building = False
            if answer["code"] == 0:
                state.version += 1
                state.error = ""
                print(f"网站已更新（{answer.get('seconds', 0):.1f} 秒），打开的页面会自动刷新。", file=sys.stderr, flush=True)
            else:
                state.error = report(answer, work_dir)
                if answer.get("error"):
                    print(answer["error"], file=sys.stderr, flush=True)
                print("网站未更新：仍在提供上一次成功生成的版本。改正后保存，会自动重新生成。", file=sys.stderr, flush=True)


# -- the web server ------------------------------------------------------------------------------

RELOAD_JS = (paths.PAGE_TEMPLATES_DIR / "serve-reload.js").read_bytes()
WAITING_PAGE = ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>网站正在生成</title></head>'
                "<body><p>网站正在生成，完成后本页会自动刷新。</p></body></html>").encode("utf-8")


class Handler(http.server.SimpleHTTPRequestHandler):
    """site/ as it is on disk, with the reload script added to each HTML page sent."""

    state: State

    def log_message(self, *args) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")  # always ask: the site changes under the browser
        super().end_headers()

    def do_GET(self) -> None:
        address = self.path.split("?", 1)[0].split("#", 1)[0]
        if address == OWN + "state":
            return self._send(200, "application/json; charset=utf-8", self.state.as_json())
        if address == OWN + "reload.js":
            return self._send(200, "text/javascript; charset=utf-8", RELOAD_JS)
        file = Path(self.translate_path(self.path))
        if file.is_dir() and address.endswith("/"):
            file = file / "index.html"
        if file.suffix == ".html" and file.is_file():
            return self._send(200, "text/html; charset=utf-8", self._with_script(file.read_bytes()))
        if not file.exists():
            missing = Path(self.directory) / "404.html"
            page = missing.read_bytes() if missing.is_file() else WAITING_PAGE  # no site yet: the first build runs
            return self._send(404, "text/html; charset=utf-8", self._with_script(page))
        return super().do_GET()

    def _with_script(self, page: bytes) -> bytes:
        with self.state.lock:
            version = self.state.version
        tag = f'<script src="{OWN}reload.js" data-version="{version}"></script>'.encode()
        at = page.rfind(b"</body>")
        return page[:at] + tag + page[at:] if at >= 0 else page + tag

    def _send(self, code: int, kind: str, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(root: Path, watched: list[str], port: int, bind: str = "127.0.0.1") -> None:
    """Serve and rebuild until interrupted."""
    site, work_dir = root / "site", root / "build"
    state, stop = State(), threading.Event()
    builder = Builder(root, ["--site", str(site)])
    handler = type("ServeHandler", (Handler,), {"state": state})
    server = http.server.ThreadingHTTPServer((bind, port), functools.partial(handler, directory=str(site)))
    server.daemon_threads = True
    watcher = threading.Thread(target=watch, args=(Inputs(root, watched), builder, state, work_dir, stop), daemon=True)
    watcher.start()
    print(f"预览网站：http://{bind}:{server.server_address[1]}/（data/raw 等目录中的文件一有改动就重新生成，"
          "打开的页面自动刷新；按 Ctrl+C 停止）", file=sys.stderr, flush=True)
    signal.signal(signal.SIGTERM, _interrupt)  # stopped by kill as by Ctrl+C: the build process too
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("\n预览已停止。", file=sys.stderr)
    finally:
        stop.set()
        server.server_close()
        builder.stop()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.serve", description="预览网站，输入文件一有改动就重新生成。")
    parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000；0：任一空闲端口）")
    parser.add_argument("--bind", default="127.0.0.1", help="监听的地址（默认只对本机：127.0.0.1）")
    parser.add_argument("watched", nargs="+", help="监视的文件和目录（Makefile 的 INPUT_PATHS）")
    args = parser.parse_args(argv)
    serve(paths.ROOT, args.watched, args.port, args.bind)
    return 0


if __name__ == "__main__":
    sys.exit(main())
