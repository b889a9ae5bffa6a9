"""Names in a file (towns, units, categories, departments) mapped to the vocabulary's canonical
names; unknown names are errors in closed vocabularies."""

from __future__ import annotations

import pandas as pd

from pipeline.basics.parse import tidy_name, tidy_text
from pipeline.clean.context import FileContext, distinct, rows_of, rows_text, take
from pipeline.config import Vocabulary


def canonical_names(ctx: FileContext, values: pd.Series, vocab_name: str, raw_column: str, what: str,
                    action: str = "name_alias") -> pd.Series:
    """Canonical names for a column of names; unknown names are errors (closed vocabularies).

    Works on the distinct values (a list of a million records has a few dozen towns)."""
    vocab: Vocabulary = ctx.config.vocabularies[vocab_name]
    tidy_of = tidy_text if vocab.open else tidy_name
    codes, uniques, counts = distinct(values)
    tidied, names = [], []
    for raw, count in zip(uniques, counts):
        tidy = tidy_of(raw)
        tidied.append(tidy)
        if tidy != str(raw):
            ctx.count("name_tidied", raw_column, count)
        if vocab.open:
            names.append(tidy or None)
            continue
        name = vocab.lookup.get(tidy)
        names.append(name)
        if name is not None and tidy != tidy_name(name):
            ctx.count(action, f"{tidy}→{name}", count)
    canonical = take(codes, names, None, values.index)
    blank = canonical.isna() if vocab.open else take(codes, tidied, "", values.index) == ""
    if blank.any():
        rows = blank.index[blank.to_numpy()].tolist()
        ctx.problem("name_blank", f"{what}为空白（没有内容，或只有空格）", f"每一行都写明{what}",
                    f"补上{rows_text(rows)}的{what}；如这些行不是数据，请整行删除。", row=rows[0], column=raw_column)
    if vocab.open:
        return canonical
    unknown = canonical.isna() & ~blank
    if unknown.any():
        tidy = take(codes, tidied, "", values.index)[unknown]
        known = "、".join(list(vocab.names)[:12])
        for raw_tidy, rows in rows_of(tidy).items():
            ctx.problem("category_unknown" if vocab.kind == "category" else "name_unknown",
                        f"“{raw_tidy}”（{rows_text(rows)}）", f"{what}词表中的名称：{known}",
                        f"如为写错，请改正文件；如为新的名称或写法，请在 config/vocabulary.yml 的 {vocab_name} 下添加"
                        f"（新写法加在它所指的名称后面的列表里）。", row=rows[0], column=raw_column)
    return canonical


def breakdown_names(ctx: FileContext, data: pd.DataFrame) -> pd.Series:
    """Each data row's town, unit, company or category, by its canonical name."""
    source = ctx.source
    vocab_name = ctx.config.indicators[source.indicator_ids[0]].breakdown
    return canonical_names(ctx, data[tidy_name(source.breakdown)], vocab_name, source.breakdown, source.breakdown)


def check_department(ctx: FileContext, data: pd.DataFrame) -> None:
    """The department a file names (填报单位) is the one whose folder it is in."""
    source = ctx.source
    canonical = canonical_names(ctx, data[tidy_name(source.department_column)], "departments",
                                source.department_column, "填报单位", action="department_alias")
    wrong = canonical.notna() & (canonical != source.department)
    for name in canonical[wrong].unique():
        rows = canonical.index[canonical == name].tolist()
        ctx.problem("department_mismatch", f"填报单位为“{name}”（{rows_text(rows)}）",
                    f"{source.department}（文件放在 data/raw/{source.folder}/ 目录中）",
                    "如文件放错了目录，请移到正确的部门目录；否则请改正填报单位。",
                    row=rows[0], column=source.department_column)
