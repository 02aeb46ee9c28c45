"""Stacking report blocks (title, header, rows) into one sync-owned SheetGrid with a banner."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from itertools import zip_longest
from numbers import Number
from typing import cast

import numpy as np
import pandas as pd

from ..sheets import Cell, CellStyle, Chart, Colour, Series, SheetGrid
from ..staffsheets import cell_value
from ..textwidth import CAP, fitted_widths, too_wide

BANNER = CellStyle(bold=True, size=14)
NOTE = CellStyle(font_colour="595959")
TITLE = CellStyle(bold=True, size=12)
HEADER = CellStyle(fill="D9E1F2", bold=True)
PERCENT = "0.0%"


@dataclass
class BlockChart:
    """A chart over a block: categories from one column, one series per listed column."""

    title: str
    category_column: int
    series: list[tuple[int, str]]  # (column, colour RRGGBB)


@dataclass
class Block:
    title: str | None
    header: list[str]
    rows: Sequence[Sequence[object]]  # plain cells, or values cell_value() makes plain
    formats: dict[int, str] = field(default_factory=dict)  # column -> number format
    row_formats: dict[int, str] = field(default_factory=dict)  # row -> number format (data columns)
    fills: dict[tuple[int, int], Colour] = field(default_factory=dict)  # (row, column) -> colour
    header_fills: dict[int, Colour] = field(default_factory=dict)
    bold_rows: set[int] = field(default_factory=set)
    chart: BlockChart | None = None
    empty_text: str = "（无）"
    plain: bool = False  # rows already hold plain cell values (from frame_rows): skip converting them
    grouped: set[int] = field(default_factory=set)  # rows outlined and collapsed under the row above them


def frame_rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[list[Cell]]:
    """Plain cell rows from frame columns (Timestamps → dates, NaN → empty), converted column by column."""
    return [list(row) for row in zip(*(_plain(frame[c]) for c in columns), strict=True)] if len(frame) else []


def _plain(column: pd.Series) -> list[Cell]:
    if pd.api.types.is_datetime64_any_dtype(column):
        return column.dt.date.where(column.notna(), None).tolist()
    if pd.api.types.is_float_dtype(column):
        return column.astype(object).where(column.notna(), None).tolist()
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_integer_dtype(column):
        return column.tolist()
    return [v if v is None or type(v) is str else cell_value(v) for v in column.tolist()]


@cache
def _style(colour: Colour | None, bold: bool, number_format: str | None) -> CellStyle:
    return CellStyle(fill=colour.fill if colour else None, font_colour=colour.font if colour else None,
                     bold=bold, number_format=number_format)


def _block_styles(block: Block, first: int) -> dict[tuple[int, int], CellStyle]:
    """Styles of a block's cells (sheet row = ``first`` + block row): number formats by column or row,
    fills, bold rows. Only styled cells are visited: a block may hold 100,000 rows."""
    styles: dict[tuple[int, int], CellStyle] = {}
    by_id: dict[tuple[int, bool, str | None], CellStyle] = {}  # colours by identity: hashing one costs more

    def style(colour: Colour | None, bold: bool, number_format: str | None) -> CellStyle:
        key = (id(colour), bold, number_format)
        found = by_id.get(key)
        if found is None:
            found = by_id[key] = _style(colour, bold, number_format)
        return found

    fills, lengths = block.fills, list(map(len, block.rows))
    special = block.bold_rows | block.row_formats.keys()
    for i in sorted(special):  # bold rows (every cell) and rows with their own number format
        if i >= len(lengths):
            continue
        bold = i in block.bold_rows
        formats = block.formats if i not in block.row_formats else \
            {j: block.row_formats[i] for j in range(1, lengths[i])} | block.formats
        for j in range(lengths[i]) if bold else formats:
            if j < lengths[i]:
                styles[(first + i, j)] = style(fills.get((i, j)), bold, formats.get(j))
    for j, code in block.formats.items():  # a column's number format, in every other row a column at a time
        plain = style(None, False, code)
        styles.update({(first + i, j): plain for i, n in enumerate(lengths) if n > j and i not in special})
    for (i, j), colour in fills.items():  # filled cells: with their column's format, or plain
        if i >= len(lengths) or j >= lengths[i]:
            continue
        if i not in special:
            styles[(first + i, j)] = style(colour, False, block.formats.get(j))
        elif (first + i, j) not in styles:
            styles[(first + i, j)] = style(colour, False, None)
    return styles


NOTE_TEXT = "本表由 dispatchbook 同步时自动生成，请勿手工修改；修改会在下次同步时被覆盖。"


def banner_text(title: str, as_of: date) -> str:
    return f"{title}（数据截至 {as_of:%Y-%m-%d}）"


def sheet(name: str, title: str, as_of: date, blocks: list[Block], notes: Sequence[str] = ()) -> SheetGrid:
    """A sync-owned tab: banner, notes, then each block (title row, header, rows) with a blank row between.

    Ready for paper: columns as wide as the widest header or value of every block (wider text wraps),
    A4 landscape one page wide, the header of the longest block (in shown rows) repeated on every page,
    the as-of date in the footer."""
    rows: list[list[Cell]] = [[banner_text(title, as_of)],
                              [NOTE_TEXT]]
    styles: dict[tuple[int, int], CellStyle] = {(0, 0): BANNER, (1, 0): NOTE}
    for note in notes:
        rows.append([note])
    charts: list[Chart] = []
    tables: list[tuple[int, int]] = []  # (header row, first data row .. end) of each block
    grouped: set[int] = set()
    for block in blocks:
        rows.append([])
        if block.title:
            styles[(len(rows), 0)] = TITLE
            rows.append([block.title])
        head = len(rows)
        rows.append(list(block.header))
        numeric = _numeric(block.rows, len(block.header))
        for j in range(len(block.header)):
            colour = block.header_fills.get(j)
            style = CellStyle(fill=colour.fill, font_colour=colour.font, bold=True) if colour else HEADER
            # over a column of numbers (right-aligned) the header stands right too, so a wide column shared
            # with a text column of another block still reads as one
            styles[(head, j)] = replace(style, align_right=True) if numeric[j] else style
        if not block.rows:
            tables.append((head, head + 1))
            rows.append([block.empty_text])
            continue
        first = len(rows)
        rows.extend(cast(list[list[Cell]], block.rows) if block.plain
                    else ([cell_value(v) for v in values] for values in block.rows))
        tables.append((head, len(rows)))
        grouped |= {first + i for i in block.grouped}
        styles.update(_block_styles(block, first))
        if block.chart:
            last = first + len(block.rows) - 1
            c = block.chart
            charts.append(Chart(c.title, (first, last, c.category_column),
                                tuple(Series(block.header[col], (first, last, col), colour)
                                      for col, colour in c.series),
                                anchor=(head, len(block.header) + 1), size=(10, max(len(block.rows) + 8, 16))))
    widths = _fit_columns(rows, tables, styles)
    longest = max(tables, key=lambda t: t[1] - t[0] - sum(t[0] < r < t[1] for r in grouped), default=None)
    return SheetGrid(name, rows, styles, widths, freeze=(2, 0), charts=charts, fit_width=True,
                     print_titles=(longest[0], longest[0]) if longest else None,
                     footer=f"数据截至 {as_of:%Y-%m-%d}", grouped=grouped)


def _fit_columns(rows: list[list[Cell]], tables: list[tuple[int, int]],
                 styles: dict[tuple[int, int], CellStyle]) -> list[float]:
    """Widths that fit the headers and values of every stacked table (banner, notes and block titles
    may run over empty neighbours); values wider than the cap wrap (their styles gain ``wrap``)."""
    columns = max(len(r) for r in rows)
    table_rows = [rows[r] for head, end in tables for r in range(head, end)]
    widths = fitted_widths(table_rows, columns)
    for j in (j for j, w in enumerate(widths) if w >= CAP):
        wrapped = {v for v in {row[j] for row in table_rows if len(row) > j} if too_wide(v, widths[j])}
        for head, end in tables:
            for r in range(head, end):
                row = rows[r]
                if j < len(row) and row[j] in wrapped:
                    styles[(r, j)] = replace(styles.get((r, j), CellStyle()), wrap=True)
    return widths


def _numeric(rows: Sequence[Sequence[object]], width: int) -> list[bool]:
    """For each of the first ``width`` columns: whether every filled cell holds a number (not a flag)."""
    columns = list(zip_longest(*rows))
    return [j < len(columns) and _all_numbers(columns[j]) for j in range(width)]


def _all_numbers(cells: Sequence[object]) -> bool:
    """Whether the cells hold at least one number and, besides empty cells, nothing else (stops at the first other)."""
    seen = False
    for v in cells:
        if v is None or v == "":
            continue
        if not (type(v) in (int, float) or (isinstance(v, Number) and not isinstance(v, bool | np.bool_))):
            return False
        seen = True
    return seen
