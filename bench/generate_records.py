"""Generated record-level input for the benchmark: rural training records, one row per person-time.

Writes a raw folder that the pipeline reads as the source `p6_rural_training_records`
(config/sources.yml), with realistic personal data that the pipeline must drop, and a copy of the
project's configuration whose town vocabulary has 100 towns (the project's 8 and 92 more):

    <out>/raw/农工办培训明细/农工办培训明细_2011Q1.csv … _2011Q4.csv
    <out>/config/…   (config/ with 92 towns appended to towns.names in vocabulary.yml)

Columns, exactly: 序号,姓名,身份证号,联系电话,街镇,培训类别,培训日期,培训机构. Names are Chinese,
ID numbers are 18 digits with a valid GB 11643 check digit, mobile numbers have 11 digits;
categories are the four P6 categories (some written with an alias), dates are written three ways
(2011-01-05, 2011.1.5, 2011年1月5日) and always fall inside the file's quarter; every one of the
100 towns has at least one record (from 100 rows up), some written with an alias or stray spaces.

Deterministic: the same rows, seed and years give byte-identical files. Vectorised (numpy and
lookup tables, no Python loop per row): a million rows take a few seconds.

    python bench/generate_records.py --rows 1000000 --out bench/out/data/records-1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
CONFIG_SRC = ROOT / "config"
FOLDER = "农工办培训明细"
COLUMNS = ["序号", "姓名", "身份证号", "联系电话", "街镇", "培训类别", "培训日期", "培训机构"]
DEFAULT_SEED = 20110101

# -- vocabularies ------------------------------------------------------------------------------

#: The project's eight towns (config/vocabulary.yml), with the aliases written in files.
PROJECT_TOWNS = {
    "东城街道": "东城", "西城街道": "西城", "南湖街道": "南湖", "金桥街道": "金桥",
    "北山镇": "北山", "青石镇": "青石", "白沙镇": "白沙", "柳岸镇": "柳岸",
}
_FIRST = "龙凤松桃梅竹兰杏槐枫柏荷泉溪云霞"
_SECOND = "山河湖桥口塘集店庄湾港岭坝埠林园"


def _extra_towns() -> dict[str, str]:
    """92 more town names (canonical -> alias), deterministic, none clashing with the project's."""
    taken = set(PROJECT_TOWNS) | set(PROJECT_TOWNS.values())
    towns: dict[str, str] = {}
    for i, a in enumerate(_FIRST):
        for j, b in enumerate(_SECOND):
            if a == b or len(towns) == 92:
                continue
            stem = a + b
            suffix = "街道" if (i + j) % 4 == 0 else ("乡" if (i + j) % 7 == 3 else "镇")
            name = stem + suffix
            if name in taken or stem in taken or stem in towns.values():
                continue
            towns[name] = stem
    assert len(towns) == 92
    return towns


EXTRA_TOWNS = _extra_towns()
#: All 100 towns, canonical name -> the alias sometimes written instead.
TOWNS = {**PROJECT_TOWNS, **EXTRA_TOWNS}

#: The four P6 categories (vocabulary.yml rural_training_categories) with their aliases, and how
#: often each is trained (practical technology most, finance staff least).
CATEGORIES = {
    "农村实用技术培训": (0.46, ["实用技术培训"]),
    "农村劳动力转移培训": (0.32, ["劳动力转移培训", "转移培训"]),
    "合作经济组织专业人员": (0.14, ["合作经济组织专业人员培训", "合作社人员"]),
    "农村财务人员": (0.08, ["农村财务人员培训", "村会计"]),
}

INSTITUTIONS = ["区农业广播电视学校", "区职业技术教育中心", "区农业技术推广中心", "区就业训练中心",
                "区农村经营管理站", "区科协科普培训基地", "市农业职业技术学院", "区成人教育中心"]

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟"
                "姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严") + ["欧阳", "司马", "诸葛"]
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧建国平玲桂兰红霞峰刚辉鹏飞志文斌宇浩凯雪梅琳晶燕萍"
             "海波春生林玉珍凤云荣德福新成海东金山水兵清宏忠祥和宁安庆贵富利永长根发中正光荣晓丹婷")
#: Region codes of the first six ID digits (Nanjing's districts and the province's neighbours).
REGIONS = [320116, 320111, 320113, 320115, 320117, 320118, 320102, 320104, 320105, 320106,
           320114, 321002, 321023, 321081, 341122, 341181, 320281, 321181]
MOBILE_PREFIXES = [130, 131, 132, 133, 135, 136, 137, 138, 139, 147, 150, 151, 152, 153, 155, 157, 158,
                   159, 177, 180, 181, 182, 183, 186, 187, 188, 189, 199]
_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK = np.array(list("10X98765432"), dtype=object)

# -- the generator -----------------------------------------------------------------------------


@dataclass
class Generated:
    """What was written: the raw folder, the config folder, and the rows of each file."""

    out: Path
    raw_dir: Path
    config_dir: Path
    rows: int
    seed: int
    files: dict[str, int] = field(default_factory=dict)  # file name -> rows
    seconds: float = 0.0

    def csv_files(self) -> list[Path]:
        return [self.raw_dir / FOLDER / name for name in self.files]


def quarters(years: list[int]) -> list[tuple[int, int]]:
    return [(y, q) for y in years for q in range(1, 5)]


def split_rows(rows: int, parts: int) -> list[int]:
    """rows over parts as evenly as possible (the first parts get the remainder)."""
    base, extra = divmod(rows, parts)
    return [base + (i < extra) for i in range(parts)]


def _pick(rng: np.random.Generator, table: list | np.ndarray, n: int, p=None) -> np.ndarray:
    return np.asarray(table, dtype=object)[rng.choice(len(table), size=n, p=p)]


def _strings(numbers: np.ndarray) -> np.ndarray:
    return pd.Series(numbers).astype(str).to_numpy(dtype=object)


def id_numbers(rng: np.random.Generator, n: int, year: int) -> np.ndarray:
    """n resident ID numbers (18 characters, valid GB 11643 check digit) of people aged 18-60."""
    region = np.asarray(REGIONS, dtype=np.int64)[rng.integers(0, len(REGIONS), n)]
    first, last = np.datetime64(f"{year - 60}-01-01"), np.datetime64(f"{year - 18}-12-31")
    days = first + rng.integers(0, int((last - first).astype(int)) + 1, n).astype("timedelta64[D]")
    ymd = pd.DatetimeIndex(days)
    birth = ymd.year.to_numpy() * 10000 + ymd.month.to_numpy() * 100 + ymd.day.to_numpy()
    sequence = rng.integers(1, 1000, n)
    body = region * 10**11 + birth.astype(np.int64) * 1000 + sequence  # 17 digits, no leading zero
    digits = (body[:, None] // 10 ** np.arange(16, -1, -1, dtype=np.int64)) % 10
    check = _CHECK[(digits @ _WEIGHTS) % 11]
    return _strings(body) + check


def mobile_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    prefix = np.asarray(MOBILE_PREFIXES, dtype=np.int64)[rng.integers(0, len(MOBILE_PREFIXES), n)]
    return _strings(prefix * 10**8 + rng.integers(0, 10**8, n))


def names(rng: np.random.Generator, n: int) -> np.ndarray:
    surname_p = np.linspace(3.0, 0.2, len(SURNAMES))
    surname = _pick(rng, SURNAMES, n, p=surname_p / surname_p.sum())
    first = _pick(rng, GIVEN, n)
    second = np.where(rng.random(n) < 0.7, _pick(rng, GIVEN, n), "")
    return surname + first + second


def date_texts(year: int, quarter: int) -> tuple[np.ndarray, np.ndarray]:
    """Every day of a quarter written three ways: (texts[day, form], dates)."""
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days)]
    texts = np.array([[f"{d:%Y-%m-%d}", f"{d.year}.{d.month}.{d.day}", f"{d.year}年{d.month}月{d.day}日"]
                      for d in days], dtype=object)
    return texts, np.array(days, dtype=object)


def town_column(rng: np.random.Generator, n: int) -> np.ndarray:
    """Towns of n records: every town at least once (n >= 100), big towns more often; 8 % written
    with the alias, 2 % with a stray space (ASCII or full-width) that the pipeline tidies."""
    canonical = list(TOWNS)
    weights = rng.gamma(2.0, 1.0, len(canonical))
    which = rng.choice(len(canonical), size=n, p=weights / weights.sum())
    which[: min(n, len(canonical))] = np.arange(min(n, len(canonical)))
    which = rng.permutation(which)
    names_ = np.asarray(canonical, dtype=object)
    aliases = np.asarray([TOWNS[c] for c in canonical], dtype=object)
    form = rng.random(n)
    out = names_[which].copy()
    use_alias = form < 0.08
    out[use_alias] = aliases[which[use_alias]]
    spaced = (form >= 0.08) & (form < 0.10)
    out[spaced] = out[spaced] + np.where(rng.random(int(spaced.sum())) < 0.5, " ", "\u3000")
    return out


def category_column(rng: np.random.Generator, n: int) -> np.ndarray:
    """Categories of n records; 15 % written with one of the category's aliases."""
    canonical = list(CATEGORIES)
    p = np.array([CATEGORIES[c][0] for c in canonical])
    which = rng.choice(len(canonical), size=n, p=p / p.sum())
    out = np.asarray(canonical, dtype=object)[which]
    use_alias = rng.random(n) < 0.15
    for i, c in enumerate(canonical):
        hit = use_alias & (which == i)
        out[hit] = _pick(rng, CATEGORIES[c][1], int(hit.sum()))
    return out


def quarter_frame(rng: np.random.Generator, n: int, year: int, quarter: int) -> pd.DataFrame:
    texts, _ = date_texts(year, quarter)
    day = np.sort(rng.integers(0, len(texts), n))  # lists are usually in date order
    form = rng.choice(3, size=n, p=[0.6, 0.25, 0.15])
    return pd.DataFrame({
        "序号": _strings(np.arange(1, n + 1)),
        "姓名": names(rng, n),
        "身份证号": id_numbers(rng, n, year),
        "联系电话": mobile_numbers(rng, n),
        "街镇": town_column(rng, n),
        "培训类别": category_column(rng, n),
        "培训日期": texts[day, form],
        "培训机构": _pick(rng, INSTITUTIONS, n),
    }, columns=COLUMNS)


def write_config(config_dir: Path, config_src: Path = CONFIG_SRC) -> Path:
    """A copy of config/ with the 92 extra towns appended to towns.names in vocabulary.yml.

    The YAML is edited as text (its comments and order stay), then checked by loading it."""
    import yaml

    if config_dir.exists():
        shutil.rmtree(config_dir)
    shutil.copytree(config_src, config_dir)
    vocabulary = config_dir / "vocabulary.yml"
    lines = vocabulary.read_text(encoding="utf-8").splitlines(keepends=True)
    try:
        start = lines.index("towns:\n")
    except ValueError:
        raise SystemExit(f"{vocabulary}: no top-level 'towns:' line to extend") from None
    if not lines[start + 1].startswith("  names:"):
        raise SystemExit(f"{vocabulary}: 'towns:' is not followed by '  names:'")
    end = start + 2
    last = start + 1
    while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
        if lines[end].strip() and not lines[end].lstrip().startswith("#"):
            last = end
        end += 1
    added = [f"    {name}: [{alias}]\n" for name, alias in EXTRA_TOWNS.items()]
    lines[last + 1:last + 1] = added
    vocabulary.write_text("".join(lines), encoding="utf-8")
    towns = yaml.safe_load(vocabulary.read_text(encoding="utf-8"))["towns"]["names"]
    if set(towns) != set(TOWNS):
        raise SystemExit(f"{vocabulary}: expected the 100 generated towns, found {len(towns)}")
    return config_dir


def generate(rows: int, out: Path, *, seed: int = DEFAULT_SEED, years: list[int] | None = None,
             config_src: Path = CONFIG_SRC) -> Generated:
    """Write <out>/raw/农工办培训明细/*.csv (rows split over the quarters of `years`) and <out>/config."""
    started = time.perf_counter()
    years = years or [2011]
    out = Path(out)
    raw_dir = out / "raw"
    folder = raw_dir / FOLDER
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    result = Generated(out=out, raw_dir=raw_dir, config_dir=out / "config", rows=rows, seed=seed)
    rng = np.random.default_rng(seed)
    periods = quarters(years)
    for (year, quarter), n in zip(periods, split_rows(rows, len(periods))):
        name = f"{FOLDER}_{year}Q{quarter}.csv"
        frame = quarter_frame(rng, n, year, quarter)
        frame.to_csv(folder / name, index=False, encoding="utf-8", lineterminator="\n")
        result.files[name] = n
    write_config(result.config_dir, config_src)
    result.seconds = time.perf_counter() - started
    (out / "generated.json").write_text(json.dumps({
        "rows": rows, "seed": seed, "years": years, "files": result.files, "seconds": round(result.seconds, 3),
    }, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def _years(text: str) -> list[int]:
    if "-" in text:
        first, last = (int(x) for x in text.split("-"))
        return list(range(first, last + 1))
    return [int(x) for x in text.split(",")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, required=True, help="number of records (rows) in all")
    parser.add_argument("--out", type=Path, required=True, help="folder to write raw/ and config/ into")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--years", type=_years, default=[2011], help="2011 (default), 2010,2011 or 2009-2011")
    parser.add_argument("--config-src", type=Path, default=CONFIG_SRC, help="configuration to copy (default config/)")
    args = parser.parse_args(argv)
    result = generate(args.rows, args.out, seed=args.seed, years=args.years, config_src=args.config_src)
    print(f"{result.rows:,} rows in {len(result.files)} files under {result.raw_dir / FOLDER} "
          f"and config in {result.config_dir} ({result.seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
