"""A1 notation as the Sheets API reads and writes it: parse ranges, normalise them, quote titles."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sync.a1 import column_letter

_CELL = re.compile(r"^\$?([A-Za-z]*)\$?(\d*)$")
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOOKS_LIKE_REF = re.compile(r"^(?:[A-Za-z]{1,3}\d+|[Rr]\d+[Cc]\d+|[Rr]\d*|[Cc]\d*|true|false)$", re.I)


class RangeError(ValueError):
    """The text is not a range the API can parse."""


@dataclass(frozen=True)
class Box:
    """A rectangle of a sheet, 0-based, end-exclusive; ``None`` ends are unbounded."""

    row0: int | None = None
    col0: int | None = None
    row1: int | None = None
    col1: int | None = None

    def bound(self, rows: int, cols: int) -> tuple[int, int, int, int]:
        """Concrete (row0, col0, row1, col1) on a grid of ``rows`` x ``cols``."""
        return (self.row0 or 0, self.col0 or 0,
                rows if self.row1 is None else self.row1, cols if self.col1 is None else self.col1)


def column_index(letters: str) -> int:
    """A -> 0, AA -> 26."""
    value = 0
    for ch in letters.upper():
        value = value * 26 + ord(ch) - 64
    return value - 1


def quote_title(title: str) -> str:
    """The title as it appears before ``!``: bare when it is a plain identifier, else quoted."""
    if _PLAIN_TITLE.match(title) and not _LOOKS_LIKE_REF.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def split_title(text: str) -> tuple[str | None, str | None]:
    """``'My sheet'!A1:B2`` -> (``My sheet``, ``A1:B2``); a text without ``!`` -> (None, text)."""
    if text.startswith("'"):
        i, title = 1, []
        while i < len(text):
            if text[i] == "'":
                if text[i + 1:i + 2] == "'":
                    title.append("'")
                    i += 2
                    continue
                rest = text[i + 1:]
                if rest and not rest.startswith("!"):
                    raise RangeError(text)
                return "".join(title), rest[1:] if rest else None
            title.append(text[i])
            i += 1
        raise RangeError(text)
    if "!" in text:
        name, cells = text.rsplit("!", 1)
        return name, cells
    return None, text


def parse_cells(text: str) -> Box:
    """``A1``, ``A1:D4``, ``A:A``, ``1:2``, ``A1:C`` (to the last row), ``A1:1`` (to the last column)."""
    parts = text.split(":")
    if len(parts) > 2 or not text:
        raise RangeError(text)
    ends = []
    for part in parts:
        m = _CELL.match(part)
        if not m or not (m.group(1) or m.group(2)):
            raise RangeError(text)
        col = column_index(m.group(1)) if m.group(1) else None
        row = int(m.group(2)) - 1 if m.group(2) else None
        if row is not None and row < 0:
            raise RangeError(text)
        ends.append((row, col))
    (r0, c0), (r1, c1) = ends[0], ends[-1]
    if len(parts) == 1:
        if r0 is None or c0 is None:
            raise RangeError(text)
        return Box(r0, c0, r0 + 1, c0 + 1)
    if r0 is not None and r1 is not None and r1 < r0:
        r0, r1 = r1, r0
    if c0 is not None and c1 is not None and c1 < c0:
        c0, c1 = c1, c0
    # "A:C" / "1:3" / "A1:C" (rows unbounded below) / "A1:3" (columns unbounded to the right)
    return Box(r0 if r0 is not None else (0 if r1 is not None else None),
               c0 if c0 is not None else (0 if c1 is not None else None),
               None if r1 is None else r1 + 1, None if c1 is None else c1 + 1)


def format_cells(row0: int, col0: int, row1: int, col1: int) -> str:
    """0-based end-exclusive bounds -> ``A1`` or ``A1:D4``."""
    first = f"{column_letter(col0)}{row0 + 1}"
    if row1 - row0 == 1 and col1 - col0 == 1:
        return first
    return f"{first}:{column_letter(col1 - 1)}{row1}"


def format_range(title: str, row0: int, col0: int, row1: int, col1: int) -> str:
    return f"{quote_title(title)}!{format_cells(row0, col0, row1, col1)}"
