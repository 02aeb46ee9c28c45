"""Plain-data planning for the live-Excel backend: which values go where, and which ranges get which
format — few, large ranges rather than one call per cell. No xlwings here.

Coordinates are 0-based (row, column); a rectangle is (first_row, first_column, last_row, last_column),
inclusive.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

from sync.backends.rowroom import check_room, table_end
from sync.empty import is_empty
from sync.sheets import Cell, CellStyle, Grid, TaskColours, default_date_format
from sync.values import text

K = TypeVar("K", bound=Hashable)
Rect = tuple[int, int, int, int]
Format = tuple[str, object]
"""One formatting attribute and its value, e.g. ("fill", "D9E1F2") or ("bold", True)."""



def excel_value(value: Cell) -> Cell:
    """A cell as it must be handed to Excel so that Excel stores exactly ``value``.

    Excel parses text it is given as if typed: ``=1+1`` becomes a formula, ``001`` a number, ``1-2``
    a date. A leading apostrophe makes Excel keep the rest as text (the apostrophe is not stored),
    so every non-empty text gets one; an empty text is an empty cell.
    """
    if isinstance(value, str):
        return None if is_empty(value) else f"'{value}"
    return value


def value_block(rows: Sequence[Sequence[Cell]]) -> list[list[Cell]]:
    """Rows padded to one width, as Excel values (a rectangular block written in one call)."""
    width = max((len(r) for r in rows), default=0)
    return [[excel_value(v) for v in r] + [None] * (width - len(r)) for r in rows]


def runs(items: Iterable[tuple[int, K]]) -> list[tuple[int, int, K]]:
    """Consecutive positions with the same key merged: [(1, a), (2, a), (4, a)] -> [(1, 2, a), (4, 4, a)]."""
    merged: list[tuple[int, int, K]] = []
    for position, key in sorted(items, key=lambda item: item[0]):
        if merged and merged[-1][1] == position - 1 and merged[-1][2] == key:
            merged[-1] = (merged[-1][0], position, key)
        else:
            merged.append((position, position, key))
    return merged


def rectangles(cells: Iterable[tuple[int, int]]) -> list[Rect]:
    """Cover ``cells`` exactly with few rectangles: runs along each row, then equal runs of
    consecutive rows stacked."""
    by_row: dict[int, list[int]] = defaultdict(list)
    for row, column in cells:
        by_row[row].append(column)
    open_: dict[tuple[int, int], Rect] = {}  # (first_column, last_column) -> rectangle still growing
    done: list[Rect] = []
    for row in sorted(by_row):
        spans = {(first, last) for first, last, _ in runs((c, 0) for c in set(by_row[row]))}
        for span, rect in list(open_.items()):
            if span not in spans or rect[2] != row - 1:
                done.append(open_.pop(span))
        for first, last in spans:
            top = open_[(first, last)][0] if (first, last) in open_ else row
            open_[(first, last)] = (top, first, row, last)
    return sorted(done + list(open_.values()))


def style_formats(style: CellStyle) -> list[Format]:
    """The attributes a style sets; defaults (no fill, not bold …) are left as the sheet has them."""
    wanted: list[tuple[str, object]] = [("fill", style.fill), ("font_colour", style.font_colour),
                                        ("bold", style.bold or None), ("number_format", style.number_format),
                                        ("wrap", style.wrap or None), ("size", style.size)]
    return [(name, value) for name, value in wanted if value is not None]


def format_ranges(rows: Grid, styles: dict[tuple[int, int], CellStyle]) -> list[tuple[Format, list[Rect]]]:
    """Each formatting attribute of a tab with the rectangles it applies to. Dates without a number
    format get a date format, as the file backend gives them."""
    cells: dict[Format, list[tuple[int, int]]] = defaultdict(list)
    for position, style in styles.items():
        for fmt in style_formats(style):
            cells[fmt].append(position)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            default = default_date_format(value)
            if default and not (styles.get((r, c)) or CellStyle()).number_format:
                cells[("number_format", default)].append((r, c))
    return [(fmt, rectangles(where)) for fmt, where in cells.items()]


def last_filled_row(grid: Grid) -> int:
    """The 0-based index of the last row holding a value, or -1."""
    return next((r for r in range(len(grid) - 1, -1, -1) if any(text(v) for v in grid[r])), -1)


def append_at(grid: Grid, count: int) -> int:
    """The 0-based row where ``count`` appended rows start: below the table (see :mod:`rowroom`);
    raises :class:`rowroom.NoRoom` if they would reach a value below it or pass Excel's last row."""
    last = last_filled_row(grid)
    before = last_filled_row(grid[:last]) if last > 0 else -1
    if before >= 0 and table_end([before + 1, last + 1])[1] is not None:  # a stray value far below
        end, stray = table_end([r + 1 for r, row in enumerate(grid) if any(text(v) for v in row)])
        last, blocked = (end or 0) - 1, stray
    else:
        blocked = None
    check_room(last + 2, count, blocked)
    return last + 1


def colour_runs(grid: Grid, colours: TaskColours) -> list[tuple[int, int, str]]:
    """(first_row, last_row, colour key) for the status cells of the tasks in ``colours``, found by
    task ID in ``grid`` (every row carrying the ID, as the file backend's rules colour them)."""
    hits = []
    for r in range(colours.header_row + 1, len(grid)):
        row = grid[r]
        task = text(row[colours.id_column]) if colours.id_column < len(row) else None
        if task in colours.colours:
            hits.append((r, colours.colours[task]))
    return runs(hits)
