"""Column widths from content, measured in display width: a CJK (wide) character counts double."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date

from .sheets import Cell

PADDING = 2.0  # characters of air beside the widest value
CAP = 40.0  # wider text wraps instead of widening the column
FLOOR = 6.0


def display_width(text: str) -> int:
    """Columns the text takes in a monospaced CJK view: wide and full-width characters count 2."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def cell_width(value: Cell) -> int:
    """Display width of a cell as a spreadsheet shows it (dates as yyyy-mm-dd, numbers short)."""
    if value is None:
        return 0
    if isinstance(value, str):
        return max((display_width(line) for line in value.split("\n")), default=0)
    if isinstance(value, date):
        return 10 if not hasattr(value, "hour") else 16
    if isinstance(value, float):  # room for the longest way a report formats it: 100.0%, -12.5
        return max(len(f"{value:g}"), len("100.0%"))
    return len(str(value))


def fitted_widths(rows: Sequence[Sequence[Cell]], columns: int, cap: float = CAP,
                  floor: float = FLOOR) -> list[float]:
    """Each column's width: its widest value plus padding, at least ``floor``, at most ``cap``. Each
    distinct value is measured once (a column of 100,000 tasks holds few distinct names)."""
    widths = []
    for j in range(columns):
        distinct = {row[j] for row in rows if len(row) > j}
        distinct.discard(None)
        widest = max(map(cell_width, distinct), default=0)
        widths.append(min(cap, max(floor, widest + PADDING)))
    return widths


def too_wide(value: Cell, width: float) -> bool:
    """Whether the value needs wrapping in a column ``width`` characters wide."""
    return isinstance(value, str) and cell_width(value) + PADDING > width
