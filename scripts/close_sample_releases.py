#!/usr/bin/env python3
"""Close the SAMPLE releases into data/releases/, one quarter at a time, each on the day after its
closing date, as the district would have done with `make release` (run from the project folder:
.venv/bin/python scripts/close_sample_releases.py).

The shipped releases are sample data made from the shipped sample files. This script is how they
were made, kept so that a developer who changes the release pages before real data exist can
make the samples again (delete data/releases/ first: the script refuses to touch closed releases).
With real data, never delete a closed release: it is a record; correct one with `make reissue`.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.basics import paths  # noqa: E402
from pipeline.basics.periods import Period  # noqa: E402
from pipeline.build import main  # noqa: E402
from pipeline.config import load_config  # noqa: E402
from pipeline.ingest.files import read_all  # noqa: E402
from pipeline.ingest.receipts import closing_date  # noqa: E402


def main_close() -> int:
    if paths.RELEASES_DIR.exists() and any(paths.RELEASES_DIR.glob("*/manifest.json")):
        print(f"{paths.RELEASES_DIR} 中已有封存的发布：已封存的发布不能重做。要重做示例，先删除这个目录。", file=sys.stderr)
        return 1
    config = load_config()
    results, _ = read_all(paths.RAW_DIR, config, dt.date.today())
    quarters = sorted({Period.of_date(r.submission["coverage_end"]).label for r in results
                       if r.submission.get("coverage_end")}, key=Period.from_label)
    months_after = config.method.releases.months_after
    for label in quarters:
        day = closing_date(Period.from_label(label), months_after) + dt.timedelta(days=1)
        print(f"== {label}: make release DATE={day.isoformat()}", flush=True)
        code = main(["--close", "--date", day.isoformat()])
        if code != 0:
            return code
    return main([])  # the site as an ordinary build makes it


if __name__ == "__main__":
    sys.exit(main_close())
