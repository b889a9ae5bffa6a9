"""The shape of a file: where its header is, what its columns are called, which columns are read,
and what kind each row below the header is (data, total, note or blank)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.basics.parse import missing, tidy_name
from pipeline.clean.context import FileContext, blank_cells
from pipeline.gate.columns import Header, place_headers, unit_words
from pipeline.gate.kinds import HEADER_SEARCH_ROWS

ROW_DATA, ROW_BLANK, ROW_TOTAL, ROW_NOTE = 0, 1, 2, 3  # kinds of rows below the header


@dataclass(frozen=True)
class Table:
    """A file's table once its shape is known."""

    header_row: int
    title_cells: list  # the non-empty cells above the header (title, 填报日期：…)
    body: pd.DataFrame  # rows below the header, columns named by the header (tidied), personal columns gone
    person_columns: pd.DataFrame  # the person-key columns of the body, for duplicate checks only
    renamed: dict[str, Header] = field(default_factory=dict)  # tidied configured name -> its header written otherwise

    def written(self, column: str) -> str:
        """A configured column as the file writes it (for provenance: the cell is found by it)."""
        header = self.renamed.get(tidy_name(column))
        return header.written if header else column


def find_header(ctx: FileContext) -> int | None:
    """The row number of the header: the first row with a cell reading header.contains."""
    marker = tidy_name(ctx.source.header.contains)
    cells = ctx.grid.cells.head(HEADER_SEARCH_ROWS)
    for row_number, row in cells.iterrows():
        if any(tidy_name(v) == marker for v in row if not missing(v)):
            return int(row_number)
    ctx.problem("header_missing", f"前 {len(cells)} 行中没有内容为“{ctx.source.header.contains}”的单元格",
                f"表头行含有“{ctx.source.header.contains}”列（sources.yml 中 {ctx.source_id}.header）",
                "请使用约定的报表格式（表头列名不要改动），或在 sources.yml 中改正 header.contains。")
    return None


def column_names(ctx: FileContext, header_row: int) -> list[str]:
    """Names of the columns, joining the header rows (merged cells filled across): 市级/学科带头人."""
    rows = ctx.source.header.rows
    cells = ctx.grid.cells
    width = cells.shape[1]
    fill: dict[tuple[int, int], object] = {}
    for r1, c1, r2, c2 in ctx.grid.merged:
        top_left = cells.at[r1, c1] if r1 in cells.index and c1 < width else None
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                fill[(r, c)] = top_left
    names = []
    for c in range(width):
        parts = []
        for r in range(header_row, header_row + rows):
            part = tidy_name(fill.get((r, c), cells.at[r, c] if r in cells.index else None))
            if part and part not in parts:
                parts.append(part)
        names.append("/".join(parts))
    if rows > 1:
        ctx.count("multirow_header")
    return names


def read_table(ctx: FileContext) -> Table | None:
    """The header found, the columns named and checked, personal and unknown columns dropped;
    None (with the problem recorded) when the file's shape is not the source's."""
    source, grid = ctx.source, ctx.grid
    header_row = find_header(ctx)
    if header_row is None:
        return None
    names = column_names(ctx, header_row)
    above = grid.cells.loc[: header_row - 1]
    title_cells = [v for v in above.to_numpy().ravel() if not missing(v)]
    ctx.count("title_rows", n=int(above.notna().any(axis=1).sum()))
    body = grid.cells.loc[header_row + source.header.rows:]

    headers = place_headers(names, source, ctx.config)
    if not _headers_understood(ctx, headers, header_row):
        return None
    named = {i: tidy_name(h.column) if h.column else h.written for i, h in enumerate(headers) if h.written}
    renamed = {tidy_name(h.column): h for h in headers if h.renamed}
    for h in renamed.values():
        ctx.count("column_named", f"{h.written}→{h.column}")
    unnamed_with_data = [i for i in range(len(names)) if not names[i] and body[i].notna().any()]
    counts = Counter(named.values())
    for dup in [n for n, k in counts.items() if k > 1]:
        ctx.problem("column_duplicated", f"有 {counts[dup]} 列都叫“{dup}”", "每个列名只出现一次",
                    "删除重复的列，或改正写错的列名。", row=header_row, column=dup)
    body = body[list(named)].rename(columns=named)
    body = body.loc[:, ~body.columns.duplicated()]
    missing_columns = [c for c in source.required_columns if tidy_name(c) not in body.columns]
    if missing_columns:
        ctx.problem("column_missing", f"表头中的列：{'、'.join(named.values())}",
                    f"还应有列：{'、'.join(missing_columns)}",
                    "请使用约定的报表格式补上这些列（列名须一字不差）；如格式已正式调整，请修改 config/sources.yml。",
                    row=header_row, column=missing_columns[0])
        return None
    known = {tidy_name(c) for c in source.known_columns}
    for extra in [c for c in body.columns if c not in known]:  # resembling nothing the source has (see _headers_understood)
        ctx.count("unexpected_columns", extra)
        ctx.problem("column_unexpected", f"列“{extra}”", "sources.yml 中列出的列",
                    "该列未读取、不会发布。如含有个人信息，请列入该来源的 personal_columns；"
                    "如是需要统计的新指标，请在 sources.yml 中配置。", row=header_row, column=extra)
    for i in unnamed_with_data:
        ctx.problem("column_unexpected", f"第 {i + 1} 列没有列名但有内容", "每个有内容的列都有列名",
                    "该列未读取；请补上列名，或删除该列。", row=header_row)
    person_columns = body[[tidy_name(c) for c in source.person_key]]
    personal = [c for c in (tidy_name(p) for p in source.personal_columns) if c in body.columns]
    ctx.count("personal_cells", "、".join(personal), int(body[personal].notna().sum().sum()))
    body = body.drop(columns=personal + [c for c in body.columns if c not in known])
    return Table(header_row=header_row, title_cells=title_cells, body=body, person_columns=person_columns,
                 renamed=renamed)


def _headers_understood(ctx: FileContext, headers: list[Header], header_row: int) -> bool:
    """Every header placed is read with a unit that is its indicator's, and every header that
    resembles one of the source's columns is placed: otherwise an error (the file is not read)."""
    source, units = ctx.source, unit_words(ctx.config)
    for h in headers:
        if h.column is None and h.resembles:
            alike = "、".join(f"“{c}”" for c in h.resembles)
            first = next(iter(source.values.items()), None)
            unit = f"“{first[0]}（{ctx.config.indicators[first[1].indicator].unit}）”" if first else ""
            ctx.problem("column_unclear", f"列“{h.written}”像是{alike}，但无法确定是哪一列",
                        f"{source.name}的列名（{'、'.join(c for c, _ in source.column_roles())}），可加单位或报送期，"
                        f"如{unit}“1-9月累计新增”",
                        "请报送部门按约定的列名改正后重新报送；如格式已正式调整，请修改 config/sources.yml。",
                        row=header_row, column=h.written)
        elif h.column in source.values and h.unit is not None:
            expected = ctx.config.indicators[source.values[h.column].indicator].unit
            if units[h.unit] != expected:
                ctx.problem("column_unit", f"列“{h.written}”的单位是“{h.unit}”",
                            f"“{h.column}”以“{expected}”计（config/indicators.yml）",
                            "请报送部门核实这一列的数字是什么（如人数与人次不同），按约定的单位填写后重新报送。",
                            row=header_row, column=h.written)
    return not ctx.has_errors


def classify_rows(ctx: FileContext, body: pd.DataFrame) -> np.ndarray:
    """The kind of every body row: ROW_DATA, ROW_BLANK, ROW_TOTAL or ROW_NOTE.

    A total row starts with, or has in its breakdown column, a total label (合计, …); a note row
    starts with a note label and a colon (填表人：…, 注：…)."""
    kind = np.full(len(body), ROW_DATA, dtype=np.int8)
    if body.empty:
        return kind
    # The first non-empty cell of each row (most rows have their first cell filled).
    first = body.iloc[:, 0].copy()
    empty = blank_cells(first)
    for column in body.columns[1:]:
        if not empty.any():
            break
        first[empty] = body.loc[empty, column]
        empty[empty] = blank_cells(first[empty])
    kind[empty.to_numpy()] = ROW_BLANK
    totals = {tidy_name(t) for t in ctx.config.defaults.total_labels}
    notes = tuple(tidy_name(n) + ":" for n in ctx.config.defaults.note_prefixes)

    def tidied(cells: pd.Series) -> tuple[np.ndarray, list[str], pd.Index]:
        """Codes, distinct tidied texts and rows of the non-empty cells (each text tidied once)."""
        text = cells.dropna()
        codes, uniques = pd.factorize(text)
        return codes, [tidy_name(u) for u in uniques], text.index

    def rows_where(cells: tuple[np.ndarray, list[str], pd.Index], test) -> np.ndarray:
        codes, texts, rows = cells
        found = np.zeros(len(body), dtype=bool)
        if len(rows):
            hits = np.array([test(t) for t in texts], dtype=bool)
            found[body.index.get_indexer(rows[hits[codes]])] = True
        return found

    breakdown_col = tidy_name(ctx.source.breakdown)
    if breakdown_col in body.columns:
        # A total or note row has a label where the town, unit or category goes, or nothing there
        # at all: only rows with an empty breakdown need their first cell read, which spares a
        # million-row list a pass over every row.
        breakdown = body[breakdown_col]
        labels = tidied(breakdown)
        kind[rows_where(labels, lambda t: t in totals)] = ROW_TOTAL
        kind[rows_where(labels, lambda t: t.startswith(notes))] = ROW_NOTE
        first = first[blank_cells(breakdown).to_numpy()]
    firsts = tidied(first)
    kind[rows_where(firsts, lambda t: t in totals)] = ROW_TOTAL
    kind[rows_where(firsts, lambda t: t.startswith(notes))] = ROW_NOTE
    return kind

