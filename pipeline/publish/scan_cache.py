"""How the last guard (build.check_no_personal_data) reads a published file, and which published
files it already found free of personal numbers, so that a rebuild scans only the files whose
content is new.

A file is known by a hash of its bytes (SHA-256), in a list kept beside the other caches
(build/cache/scanned/) and named after a hash of the scanner's code (privacy.py, which holds
every pattern and rule, and this module, which says what of a file is read): the same bytes
scanned by the same code give the same answer, so a file is skipped only when that answer is
known to be "none". A changed file, or a changed scanner, is scanned again. The list holds hashes
only, never text, and is rewritten each build with the files of that build.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import zipfile
from pathlib import Path

from pipeline.basics.workdir import write_whole
from pipeline.gate import privacy

#: Published files that hold no text to scan (images, fonts); a workbook's text is in its parts.
UNSCANNED = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".woff", ".woff2", ".pdf")


def published_text(path: str, content: bytes) -> str:
    """The text a published file shows a reader: a workbook (tables.xlsx) as the text of its XML
    parts (cells, shared strings, sheet names), any other file decoded as UTF-8."""
    if path.endswith(".xlsx"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist()
                             if name.endswith(".xml"))
    return content.decode("utf-8", errors="replace")


def personal_numbers_in(path: str, content: bytes) -> list[str]:
    """The personal numbers a published file holds, read more broadly than the cell screen reads
    a cell: an 18-digit ID number whatever its check digit (a typing error still shows a person's
    region and birth date)."""
    return privacy.find_personal_numbers(published_text(path, content), any_check_digit=True)


class ScanCache:
    """`known(content)`: already found clean; `remember()` after every file passed."""

    def __init__(self, folder: Path):
        scanner = hashlib.sha256(Path(privacy.__file__).read_bytes() + Path(__file__).read_bytes()).hexdigest()[:16]
        self.file = folder / f"clean-{scanner}.txt"
        try:
            self.clean = set(self.file.read_text(encoding="ascii").split())
        except (OSError, UnicodeDecodeError):
            self.clean = set()
        self.checked: set[str] = set()  # the files of this build (clean, once every one has passed)
        self.counts = {"scanned": 0, "known": 0}

    def known(self, content: bytes) -> bool:
        """True when these bytes were found clean before; otherwise they are to be scanned now."""
        digest = hashlib.sha256(content).hexdigest()
        self.checked.add(digest)
        found = digest in self.clean
        self.counts["known" if found else "scanned"] += 1
        return found

    def remember(self) -> None:
        """Every file of this build passed: keep their hashes (only theirs) for the next build."""
        self.file.parent.mkdir(parents=True, exist_ok=True)
        for old in self.file.parent.glob("clean-*.txt"):
            if old != self.file:
                old.unlink(missing_ok=True)  # made by another version of the scanner
        with contextlib.suppress(OSError):  # (on a full disk: scanned again next time; the build says so)
            write_whole(self.file, "".join(f"{d}\n" for d in sorted(self.checked)).encode("ascii"))
