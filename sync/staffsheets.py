"""How a staff tab looks when dispatchbook makes it (the template, the example, a new month sheet):
header from the schema, frozen, widths, dropdowns, date and percent formats."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime, time

import pandas as pd

from .schema import CATEGORIES, DAY_TYPE_LABELS, LEVELS, MONTH, ORIENTATIONS, STATUS_LABELS, Column, Tab
from .sheets import DATE_FORMAT, Cell, CellStyle, ListValidation, SheetGrid
from .textwidth import fitted_widths

HEADER = CellStyle(fill="DDEBF7", bold=True)
TITLE = CellStyle(bold=True, size=14)
NOTE = CellStyle(font_colour="595959")
DATE = CellStyle(number_format=DATE_FORMAT)
PERCENT = CellStyle(number_format="0%")
VALIDATION_ROWS = 5000  # dropdowns cover this many rows below the header

DROPDOWNS: dict[str, tuple[str, ...]] = {
    "status": tuple(STATUS_LABELS.values()),
    "level": LEVELS,
    "category": CATEGORIES,
    "orientation": ORIENTATIONS,
    "day_type": tuple(DAY_TYPE_LABELS.values()),
}


def staff_sheet(tab: Tab, name: str, rows: Iterable[Mapping[str, object]], title: str | None = None, *,
                note: bool = False) -> SheetGrid:
    """A staff tab with ``rows`` (dicts by column key); an optional title above the header (one row per
    line), set as plain grey note rows when ``note`` (the header is still found below them). Without a
    title, the tab's own note (``Tab.note``, e.g. where staff close a channel issue) stands there."""
    if title is None and tab.note:
        title, note = tab.note, True
    columns = list(tab.columns)
    grid: list[list[Cell]] = [[line] for line in title.split("\n")] if title else []
    top = len(grid)
    grid.append([c.label for c in columns])
    styles = {(top, j): HEADER for j in range(len(columns))}
    styles |= {(i, 0): NOTE if note else TITLE for i in range(top)}
    for i, row in enumerate(rows, start=top + 1):
        values: list[Cell] = []
        for j, col in enumerate(columns):
            value, style = staff_cell(col, row.get(col.key))
            if style:
                styles[(i, j)] = style
            values.append(value)
        grid.append(values)
    validations = [ListValidation(j, top + 1, top + VALIDATION_ROWS, DROPDOWNS[key])
                   for j, c in enumerate(columns) if (key := _dropdown_key(tab, c.key, c.kind))]
    return SheetGrid(name, grid, styles, [float(c.width) for c in columns], freeze=(top + 1, 0),
                     validations=validations)


def printable_month_sheet(grid: SheetGrid) -> SheetGrid:
    """A month sheet the sync creates, ready to work in and to print: columns as wide as their content
    (at least the template's width), 进度 as a percent and 更新日期/dates as dates also where still
    empty, a filter on the header, A4 landscape one page wide with the header on every page."""
    top = next(i for i, row in enumerate(grid.rows) if row and row[0] == MONTH.columns[0].label)
    formats = {j: PERCENT if c.kind == "progress" else DATE for j, c in enumerate(MONTH.columns)
               if c.kind in ("progress", "date")}
    for i in range(top + 1, len(grid.rows)):
        for j, style in formats.items():
            grid.styles.setdefault((i, j), style)
    fitted = fitted_widths(grid.rows[top:], len(MONTH.columns))
    widths = [max(given, fit) for given, fit in zip(grid.column_widths, fitted, strict=True)]
    return replace(grid, column_widths=widths, fit_width=True, print_titles=(top, top), autofilter=top)


def staff_cell(column: Column, raw: object) -> tuple[Cell, CellStyle | None]:
    """A value as staff would type it in ``column`` (progress as a percent, 典型 as 是) and its format."""
    value = cell_value(raw)
    if column.kind == "progress" and isinstance(value, int | float):
        return value / 100, PERCENT
    if column.kind == "date" and isinstance(value, date):
        return value, DATE
    if column.kind == "flag":
        return ("是" if value else None), None
    if column.kind == "day_type" and isinstance(value, str):
        return DAY_TYPE_LABELS.get(value, value), None
    return value, None


def _dropdown_key(tab: Tab, key: str, kind: str) -> str | None:
    if kind in ("status", "level", "day_type"):
        return kind
    if key == "category" and tab.key in ("plan", "submissions", "month"):
        return "category"
    return "orientation" if key == "orientation" else None


def cell_value(value: object) -> Cell:
    """A plain cell value from pandas/numpy values (Timestamp → date, NaN/NaT/NA → None, tuples joined)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is date or value is None:
        return value  # type: ignore[return-value]
    if value is pd.NA:
        return None
    if hasattr(value, "item") and not isinstance(value, datetime):  # numpy scalar
        value = value.item()
    if isinstance(value, float | datetime) and value != value:  # NaN, NaT
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return value.date() if value.time() == time() else value
    if isinstance(value, tuple | frozenset | list):
        return "、".join(str(v) for v in (sorted(value) if isinstance(value, frozenset) else value))
    return value  # type: ignore[return-value]
