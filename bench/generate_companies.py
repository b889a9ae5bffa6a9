"""Generated company tables for the benchmark: one 科技局 CSV file (企业引才情况, one row per company)
of a given size, to read a file at the size limit (config/sources.yml max_file_mb) and at a tenth
of it.

A company table is the layout that gives the most figures per byte that a department sends in
earnest: every row a company of its own (so every name is new to the name completion, the
duplicate check and the totals of each group) and three counts per row. Writes

    <out>/raw/科技局/科技局_2010年第四季度_企业引才情况.csv

in UTF-8, in the form of the shipped samples (data/raw/科技局/): 企业名称,季度,高层次经营管理人才,
科技人才团队,紧缺专业技术人才(本科以上); names such as 龙凤泉电子科技有限公司, every one different
(a stem of three characters and a trade, each pair once), most with a company ending and some
without (a short name, as departments write them); counts from 0 to 9, some blank (the source
reads blank as 0), some with a unit (3人). The file is as large as it can be without passing the
given size (in MiB, as max_file_mb is checked).

--shortest-cells N writes instead the shortest rows a company table can have (a1,2010Q4,0,0,0), as
many as fit in N cells (config/sources.yml max_csv_cells): the most figures a file may give.

Deterministic: the same size and seed give byte-identical files. Vectorised: 50 MB in a few
seconds.

    python bench/generate_companies.py --megabytes 50 --out bench/out/data/companies-50
    python bench/generate_companies.py --shortest-cells 5000000 --out bench/out/data/shortest
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

FOLDER = "科技局"
FILE_NAME = "科技局_2010年第四季度_企业引才情况.csv"
PERIOD = "2010年第四季度"
COLUMNS = ["企业名称", "季度", "高层次经营管理人才", "科技人才团队", "紧缺专业技术人才(本科以上)"]
DEFAULT_SEED = 20101231
MIB = 1024 * 1024

#: Characters of the stems (three each: 龙凤泉) and the trades after them; no trade is the start of
#: another trade followed by an ending, so every name is different.
STEM = "龙凤松桃梅竹兰杏槐枫柏荷泉溪云霞金银华瑞丰泰恒远航润泽宏达天长江海新港绿源精诚信德鑫盛晟昌隆兴嘉禾安康博睿智"
TRADES = ["科技", "电子", "医药", "物流", "机械", "化工", "新材料", "环保科技", "生物科技", "软件", "信息技术", "建材",
          "纺织", "食品", "汽车零部件", "光电", "精密机械", "电气设备", "船舶配件", "钢结构工程", "农业科技", "通信设备",
          "仪器仪表", "节能技术", "数据服务", "医疗器械", "包装材料", "塑胶制品", "电力工程", "智能装备"]
ENDINGS = ["有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司", "集团有限公司", ""]  # "": a short name


@dataclass
class Generated:
    """What was written: the raw folder, the file, its rows and bytes."""

    out: Path
    raw_dir: Path
    file: Path
    rows: int
    bytes: int
    seed: int
    seconds: float = 0.0


def company_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """n different company names: each (stem, trade) pair at most once, with an ending or none."""
    stems = len(STEM) ** 3
    space = stems * len(TRADES)
    if n > space:
        raise SystemExit(f"at most {space:,} different names can be made")
    pick = rng.choice(space, size=n, replace=False)
    stem, trade = np.divmod(pick, len(TRADES))
    chars = np.array(list(STEM), dtype=object)
    first, rest = np.divmod(stem, len(STEM) ** 2)
    second, third = np.divmod(rest, len(STEM))
    endings = np.array(ENDINGS, dtype=object)[rng.integers(0, len(ENDINGS), n)]
    return chars[first] + chars[second] + chars[third] + np.array(TRADES, dtype=object)[trade] + endings


def count_cells(rng: np.random.Generator, n: int, high: int, blank: float) -> np.ndarray:
    """n count cells from 0 to high - 1; a share blank, one in ten with a unit (3人)."""
    numbers = pd.Series(rng.integers(0, high, n)).astype(str).to_numpy(dtype=object)
    numbers = np.where(rng.random(n) < 0.1, numbers + "人", numbers)
    return np.where(rng.random(n) < blank, "", numbers)


def lines(rng: np.random.Generator, n: int) -> np.ndarray:
    """n data lines (with their line ends)."""
    return (company_names(rng, n) + "," + PERIOD + "," + count_cells(rng, n, 3, 0.3) + ","
            + count_cells(rng, n, 2, 0.4) + "," + count_cells(rng, n, 10, 0.05) + "\n")


def generate(megabytes: float, out: Path, *, seed: int = DEFAULT_SEED) -> Generated:
    """Write <out>/raw/科技局/<FILE_NAME>: as many rows as fit in `megabytes` MiB."""
    started = time.perf_counter()
    out = Path(out)
    folder = out / "raw" / FOLDER
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    budget = int(megabytes * MIB)
    header = (",".join(COLUMNS) + "\n").encode("utf-8")
    rng = np.random.default_rng(seed)
    candidates = lines(rng, max(1, budget // 40))  # rows are longer than 40 bytes: more than enough
    sizes = pd.Series(candidates).str.encode("utf-8").str.len().to_numpy()
    rows = int(np.searchsorted(np.cumsum(sizes), budget - len(header), side="right"))
    path = folder / FILE_NAME
    path.write_bytes(header + "".join(candidates[:rows]).encode("utf-8"))
    result = Generated(out=out, raw_dir=out / "raw", file=path, rows=rows, bytes=path.stat().st_size, seed=seed,
                       seconds=time.perf_counter() - started)
    (out / "generated.json").write_text(json.dumps({
        "megabytes": megabytes, "rows": rows, "bytes": result.bytes, "seed": seed, "file": f"{FOLDER}/{FILE_NAME}",
        "seconds": round(result.seconds, 3)}, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def generate_shortest(cells: int, out: Path) -> Generated:
    """Write <out>/raw/科技局/<FILE_NAME>: the shortest rows a company table can have (a1,2010Q4,0,0,0),
    as many as fit in `cells` cells (the header's included): the most figures a file within
    max_csv_cells can give, in the fewest bytes."""
    started = time.perf_counter()
    out = Path(out)
    folder = out / "raw" / FOLDER
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    rows = cells // len(COLUMNS) - 1
    numbers = pd.Series(np.arange(rows)).astype(str).to_numpy(dtype=object)
    text = ",".join(COLUMNS) + "\n" + "".join("a" + numbers + ",2010Q4,0,0,0\n")
    path = folder / FILE_NAME
    path.write_bytes(text.encode("utf-8"))
    result = Generated(out=out, raw_dir=out / "raw", file=path, rows=rows, bytes=path.stat().st_size, seed=0,
                       seconds=time.perf_counter() - started)
    (out / "generated.json").write_text(json.dumps({
        "cells": cells, "rows": rows, "bytes": result.bytes, "file": f"{FOLDER}/{FILE_NAME}",
        "seconds": round(result.seconds, 3)}, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--megabytes", type=float, help="the file's size at most, in MiB (max_file_mb: 50)")
    size.add_argument("--shortest-cells", type=int, help="the shortest rows instead, in this many cells at most (max_csv_cells)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write raw/ into")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    result = (generate_shortest(args.shortest_cells, args.out) if args.shortest_cells
              else generate(args.megabytes, args.out, seed=args.seed))
    print(f"{result.rows:,} companies, {result.bytes / MIB:.1f} MiB, in {result.file} ({result.seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
