"""Which release takes each file (pure): the closed releases keep the files they took, and the
quarters not yet closed take the rest, by receipt date (ingest/receipts.py).

  - A file whose bytes a closed release took belongs to that release, whatever its name now (a
    renamed or copied file is the same file: its hash is the same).
  - Any other file is new: it goes to the release whose window its receipt date falls in; a file
    received for a quarter already closed counts from the next quarter not yet closed (a warning
    says so: published means frozen; `make reissue` corrects a closed release on purpose).
  - A file a closed release took that is no longer in data/raw (withdrawn, or changed in place)
    leaves the closed releases as they are and the current figures without it: a warning.
"""

from __future__ import annotations

import dataclasses

from pipeline.archive.record import Release
from pipeline.basics.periods import Period
from pipeline.basics.problems import Problem
from pipeline.ingest.receipts import BASES, Receipt


@dataclasses.dataclass(frozen=True)
class ReleasePlan:
    """Every file's release, the quarters to close, and what a person should know about them."""

    closed: tuple[Release, ...]  # oldest first (re-issues after what they correct)
    release_of: dict[str, str]  # file -> the quarter of the release that first takes it
    open_labels: tuple[str, ...]  # quarters with files and not yet closed, oldest first
    problems: tuple[Problem, ...]

    @property
    def last_closed(self) -> Release | None:
        return self.closed[-1] if self.closed else None

    def files_up_to(self, label: str) -> list[str]:
        """The files a release of this quarter takes: every file first taken by it or before."""
        end = Period.from_label(label)
        return sorted(f for f, r in self.release_of.items() if Period.from_label(r) <= end)


def next_quarter(label: str) -> str:
    period = Period.from_label(label)
    year, quarter = (period.start.year + 1, 1) if period.quarter == 4 else (period.start.year, period.quarter + 1)
    return Period.quarter_of(year, quarter).label


def plan_releases(found: dict[str, Receipt], hashes: dict[str, str], closed: list[Release]) -> ReleasePlan:
    """found: each file's receipt; hashes: each file's SHA-256 now; closed: the closed releases."""
    originals = [r for r in closed if not r.reissue_of]
    taken: dict[str, str] = {}  # hash -> label of the first closed release that took it
    for release in originals:
        for file in release.files:
            taken.setdefault(release.file_hashes[file], release.label)
    last = originals[-1].label if originals else None
    first_open = next_quarter(last) if last else None
    closed_paths = {f for r in originals for f in r.files}
    release_of, problems = {}, []
    for file, receipt in sorted(found.items()):
        if hashes[file] in taken:
            release_of[file] = taken[hashes[file]]
        elif last is not None and Period.from_label(receipt.release) <= Period.from_label(last):
            release_of[file] = first_open
            if file not in closed_paths:  # a file changed in place: _gone's warning says so
                problems.append(_late(file, receipt, last, first_open))
        else:
            release_of[file] = receipt.release
    problems += _gone(found, hashes, originals)
    open_labels = sorted({r for r in release_of.values() if last is None or Period.from_label(r) > Period.from_label(last)},
                         key=Period.from_label)
    return ReleasePlan(closed=tuple(closed), release_of=release_of, open_labels=tuple(open_labels), problems=tuple(problems))


def _late(file: str, receipt: Receipt, last: str, first_open: str) -> Problem:
    window, first = Period.from_label(receipt.release).label_zh, Period.from_label(first_open).label_zh
    return Problem(
        code="release_changed", file=file,
        found=(f"这个文件按收文日期 {receipt.received_on.isoformat()}（{BASES[receipt.basis]}）应计入{window}发布，"
               f"但{Period.from_label(last).label_zh}及以前的发布已经封存"),
        expected=f"已封存的发布不再改变：这个文件计入{first}发布（下一期）",
        fix=("如果它其实是后来才收到的，在收文登记中写上收文日期，提醒就会消失；如果已封存的发布确有错误需要更正，"
             "用 make reissue 重新发布那一期（原版保留，两版都写明勘误）。"))


def _gone(found: dict[str, Receipt], hashes: dict[str, str], originals: list[Release]) -> list[Problem]:
    """A warning for each file a closed release took that is not in data/raw with those bytes."""
    present = set(hashes.values())
    gone: dict[str, list[Release]] = {}  # file (as the release named it) -> closed releases that took it
    for release in originals:
        for file in release.files:
            if release.file_hashes[file] not in present:
                gone.setdefault(file, []).append(release)
    problems = []
    for file, releases in gone.items():
        named = releases[0].label_zh if len(releases) == 1 else \
            f"{releases[0].period.label_zh}至{releases[-1].period.label_zh}的 {len(releases)} 期发布"
        changed = file in found
        problems.append(Problem(
            code="release_changed", file=file,
            found=(f"这个文件的内容与已封存的{named}收录时不同（原件被改动过）" if changed else
                   f"已封存的{named}收录的这个文件已不在 data/raw 中"),
            expected="原始文件收到后不再改动；已封存的发布不再改变",
            fix=("已封存的发布仍按原件发布，当前网站按现在的文件计算。原始文件不应修改：请用 git checkout 恢复原件，"
                 "更正请作为新文件（如“……（更正）”）放入；确需更正已封存的发布，用 make reissue。") if changed else
                ("已封存的发布保持不变，当前网站不再计入这个文件。如果是误删，请把文件放回原处；"
                 "如确需撤回，请在数据更新记录中说明。")))
    return problems
