"""Column widths from content, measured in display width: a CJK (wide) character counts double."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date
from itertools import zip_longest

from .sheets import Cell

PADDING = 2.0  # characters of air beside the widest value
CAP = 40.0  # wider text wraps instead of widening the column
FLOOR = 6.0


class _Doubled(dict[int, str]):
    """A ``str.translate`` table that doubles each wide or full-width character, filled as characters
    are met: the translated text's length is its display width, counted in C."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        self[code] = found = ch * 2 if unicodedata.east_asian_width(ch) in "WF" else ch
        return found


_DOUBLED = _Doubled()


def display_width(text: str) -> int:
    """Columns the text takes in a monospaced CJK view: wide and full-width characters count 2."""
    return len(text) if text.isascii() else len(text.translate(_DOUBLED))


def cell_width(value: Cell) -> int:
    """Display width of a cell as a spreadsheet shows it (dates as yyyy-mm-dd, numbers short)."""
    if value is None:
        return 0
    if isinstance(value, str):
        if "\n" not in value:
            return display_width(value)
        return max(display_width(line) for line in value.split("\n"))
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
    by_column = list(zip_longest(*rows))[:columns] if rows else []
    for j in range(columns):
        distinct = set(by_column[j]) if j < len(by_column) else set()
        distinct.discard(None)
        widths.append(min(cap, max(floor, _widest(distinct) + PADDING)))
    return widths


def _widest(values: set[Cell]) -> int:
    """The widest display width among ``values``. A text is at most as wide as it is long if it is ASCII,
    and at most twice as wide otherwise: only the texts that could be wider than the longest one are
    measured (together, in one translation)."""
    texts = [v for v in values if type(v) is str]
    widest = 0 if len(texts) == len(values) else max(cell_width(v) for v in values if type(v) is not str)
    if texts:
        lengths = list(map(len, texts))
        widest = max(widest, _measured([texts[lengths.index(max(lengths))]]))
        rivals = [t for t, n in zip(texts, lengths, strict=True) if n > widest or (2 * n > widest and not t.isascii())]
        widest = max(widest, _measured(rivals)) if rivals else widest
    return widest


def _measured(texts: list[str]) -> int:
    """The widest line among ``texts``."""
    return max(map(len, "\n".join(texts).translate(_DOUBLED).split("\n")))


def too_wide(value: Cell, width: float) -> bool:
    """Whether the value needs wrapping in a column ``width`` characters wide."""
    return isinstance(value, str) and 2 * len(value) + PADDING > width and cell_width(value) + PADDING > width
