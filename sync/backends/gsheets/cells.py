"""Plan cells and styles as Sheets API objects (CellData, formats, colours), and back for comparison.

Values are typed (``stringValue`` / ``numberValue`` / ``boolValue``), so nothing is ever parsed
as user input: ``0042``, ``6.10`` and ``=x`` stay text. Dates are serial numbers with a date
number format, which is how Sheets itself stores them.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import replace
from datetime import date
from typing import Any

from sync.empty import is_empty
from sync.serials import to_serial
from sync.sheets import Cell, CellStyle, SheetGrid, default_date_format

_RENDERING = 2  # bump when the way tabs are rendered changes, so every owned tab is rewritten once


def colour(hex_rgb: str) -> dict[str, float]:
    return {name: int(hex_rgb[i:i + 2], 16) / 255 for name, i in (("red", 0), ("green", 2), ("blue", 4))}


def hex_of(rgb: dict[str, Any] | None) -> str | None:
    """The API's colour (channels 0..1, zeros left out) as ``RRGGBB``."""
    if rgb is None:
        return None
    return "".join(f"{round(float(rgb.get(ch, 0)) * 255):02X}" for ch in ("red", "green", "blue"))


def number_format(pattern: str) -> dict[str, str]:
    """An Excel-style format code as a Sheets NumberFormat (the common codes read the same)."""
    low = pattern.lower()
    if "%" in low:
        kind = "PERCENT"
    elif any(token in low for token in ("yy", "dd", "hh", "h:", "m/d", "d/m")):
        kind = "DATE_TIME" if "h" in low else "DATE"
    elif low == "@":
        kind = "TEXT"
    else:
        kind = "NUMBER"
    return {"type": kind, "pattern": pattern}


def user_format(style: CellStyle | None, value: Cell) -> dict[str, Any]:
    """A cell's userEnteredFormat: its style, and a date format for a date without one."""
    fmt: dict[str, Any] = {}
    if style is not None:
        if style.fill:
            fmt["backgroundColor"] = colour(style.fill)
        text: dict[str, Any] = {}
        if style.font_colour:
            text["foregroundColor"] = colour(style.font_colour)
        if style.bold:
            text["bold"] = True
        if style.size:
            text["fontSize"] = style.size
        if text:
            fmt["textFormat"] = text
        if style.wrap:
            fmt["wrapStrategy"] = "WRAP"
        if style.align_right:
            fmt["horizontalAlignment"] = "RIGHT"
        if style.number_format:
            fmt["numberFormat"] = number_format(style.number_format)
    if (default := default_date_format(value)) and "numberFormat" not in fmt:
        fmt["numberFormat"] = number_format(default)
    return fmt


def entered_value(value: Cell) -> dict[str, Any] | None:
    """A typed userEnteredValue (never parsed); None for an empty cell."""
    value = canonical(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, float):
        return {"numberValue": value}
    return {"stringValue": value}


def cell_data(value: Cell, style: CellStyle | None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    entered = entered_value(value)
    if entered is not None:
        data["userEnteredValue"] = entered
    fmt = user_format(style, value if entered is not None else None)
    if fmt:
        data["userEnteredFormat"] = fmt
    return data


def canonical(value: Any) -> str | float | bool | None:
    """One comparable form for a plan cell and a cell read back (UNFORMATTED, SERIAL_NUMBER).

    numpy scalars become Python values; an empty cell (:func:`sync.empty.is_empty`) is None."""
    if type(value).__module__ == "numpy":
        value = value.item()
    if is_empty(value):
        return None
    if isinstance(value, bool | str):
        return value
    if isinstance(value, date):
        return to_serial(value)
    number = float(value)
    return number if math.isfinite(number) else None  # JSON cannot carry infinities


def canonical_grid(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows in comparable form without trailing empty cells or rows."""
    out = []
    for row in rows:
        line = [canonical(v) for v in row]
        while line and line[-1] is None:
            line.pop()
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return out


def layout_fingerprint(sheet: SheetGrid) -> str:
    """A digest of what a tab shows besides its cells and column widths: name, visibility, panes, charts,
    dropdowns. (Widths fit the content, so they change with it; they are kept apart, see :mod:`.diff`.)

    Hashed field by field: the rows and styles (100,000 rows at scale) are never copied for it."""
    digest = hashlib.blake2b(digest_size=8)
    for part in (_RENDERING, sheet.name, sheet.hidden, sheet.fit_width, sheet.freeze, sheet.charts,
                 sheet.validations):
        digest.update(repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def widths_fingerprint(sheet: SheetGrid) -> str:
    """A digest of the tab's column widths."""
    return hashlib.blake2b(repr(sheet.column_widths).encode(), digest_size=4).hexdigest()


def styles_by_row(sheet: SheetGrid, rows: int) -> dict[int, dict[int, CellStyle]]:
    """The formatted cells of each of the first ``rows`` rows, by column: each cell's style, with the
    number format a date gets when its style has none (so a cell's style says all of its format)."""
    by_row: dict[int, dict[int, CellStyle]] = {}
    for (r, c), style in sheet.styles.items():
        if r < rows:
            by_row.setdefault(r, {})[c] = style
    dated: dict[tuple[CellStyle | None, str], CellStyle] = {}  # few distinct: each made once
    for r, line in enumerate(sheet.rows[:rows]):
        for c, value in enumerate(line):
            if isinstance(value, date) and (default := default_date_format(value)):
                styled = by_row.get(r, {}).get(c)
                if styled is None or not styled.number_format:
                    key = (styled, default)
                    if key not in dated:
                        dated[key] = replace(styled or CellStyle(), number_format=default)
                    by_row.setdefault(r, {})[c] = dated[key]
    return by_row


def row_styles(by_row: dict[int, dict[int, CellStyle]], rows: int) -> list[str]:
    """One short stable digest per row of the styles on that row ("" for an unstyled row), from
    :func:`styles_by_row`."""
    names: dict[CellStyle, str] = {}  # few distinct styles: each named once by its fields
    out = [""] * rows
    for r, cells in by_row.items():
        text = ";".join(f"{c}:{names.get(s) or names.setdefault(s, repr(s))}" for c, s in sorted(cells.items()))
        out[r] = hashlib.blake2b(text.encode(), digest_size=5).hexdigest()
    return out
