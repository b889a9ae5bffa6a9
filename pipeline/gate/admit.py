"""The one way in for every file under data/raw: a department's file, a status form of the plan's
measures, the receipts register. Each is read by `screened_grid` and by nothing else, so each
passes the same checks in the same order before any reader sees a cell:

1. its name: a personal number in a file's name (shown on the site) refuses the file unread;
2. its size (max_file_mb), then, for a workbook, its archive unpacked as a stream against the
   workbook limits (config/sources.yml defaults: zip bombs, huge sheets, entity declarations);
3. its cells: the grid read, then screened for personal numbers in every cell its reader keeps
   (pipeline/gate/kinds.py), alone and joined with its right neighbour; a number found is an
   error at its cell, and masked in the grid the reader gets.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Config
from pipeline.gate.kinds import DepartmentFile, Register, StatusForm
from pipeline.gate.read import FileProblem, grid_from_bytes, load_bytes
from pipeline.gate.screen import Screened, screen_grid, screen_name

Kind = DepartmentFile | StatusForm | Register


def admitted_bytes(path: Path, rel: str, config: Config) -> bytes:
    """A file's bytes, once its name holds no personal number and its size is within max_file_mb;
    FileProblem otherwise (or when it cannot be read, or is of a type not read)."""
    if problem := screen_name(rel):
        raise FileProblem(problem)
    return load_bytes(path, rel, max_file_mb=config.defaults.max_file_mb)


def screened_grid(path: Path, rel: str, config: Config, kind: Kind, data: bytes | None = None) -> Screened:
    """The cells of a file (path; rel: its path under data/raw, as messages show it), read within
    the workbook limits and screened for personal numbers in the cells its kind of reader keeps;
    FileProblem when it cannot be read at all. `data`: its bytes, when the caller already has them
    from admitted_bytes (the read cache is keyed by them)."""
    if data is None:
        data = admitted_bytes(path, rel, config)
    grid = grid_from_bytes(data, path.suffix.lower(), rel, sheet=kind.sheet, skip_sheets=kind.skip_sheets(config.defaults),
                           limits=config.defaults)
    return screen_grid(grid, kind.kept(grid, config.defaults))
