"""A warm build process: the pipeline, pandas, Altair, MkDocs and the drawing workers loaded once,
then the site built again each time it is asked (make serve; bench/run.py's warm rebuilds).

A cold `python -m pipeline` spends seconds before it reads a file: starting Python, importing
pandas, Altair and MkDocs, starting the drawing workers and their JavaScript engines. This process
pays that once. Each build is the ordinary one (build.main, with its caches, its lock, its atomic
replacement of the site and its error report), so what it writes is what a cold build writes.

Protocol, one JSON object per line: it reads a request on stdin ({"build": [arguments of
python -m pipeline]}) and answers on stdout when the build has ended ({"code": exit code,
"seconds": wall time, "timings": the stages' times, the files and images read and reused}).
Everything the build prints goes to stderr. An error in the program itself (not in the data)
is answered with code 3 and its traceback, then the process ends: the next build starts afresh.
"""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path

PROGRAM_ERROR = 3  # the exit code of a build stopped by an error in the program (a traceback)


def build_once(arguments: list[str]) -> dict:
    """One build as `python -m pipeline ARGUMENTS` would make it, in this process: its answer."""
    from pipeline.build import main

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="warm-") as work:
        timings = Path(work) / "timings.json"
        with contextlib.redirect_stdout(sys.stderr):
            code = main([*arguments, "--timings", str(timings)])
        answer = {"code": code, "seconds": round(time.perf_counter() - started, 3)}
        if timings.exists():
            answer["timings"] = json.loads(timings.read_text(encoding="utf-8"))
    return answer


def main() -> int:
    """Answer build requests from stdin until it closes (or the program itself fails)."""
    out = sys.stdout
    sys.stdout = sys.stderr  # nothing but answers on the protocol's stream
    started = time.perf_counter()
    import pipeline.build  # noqa: F401  (the heavy imports, once)
    from pipeline.images.render import DrawingPool

    DrawingPool.keep_workers()
    out.write(json.dumps({"ready": round(time.perf_counter() - started, 3)}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = build_once(request.get("build", []))
        except Exception:  # a bug, not bad data (build.main reports those): say so, and start afresh
            answer = {"code": PROGRAM_ERROR, "error": traceback.format_exc()}
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
        out.flush()
        if answer["code"] == PROGRAM_ERROR:
            return PROGRAM_ERROR
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl+C in make serve reaches this process too: make serve says it stopped
        sys.exit(130)
