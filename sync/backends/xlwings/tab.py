"""Writing cells, formats, widths, panes, dropdowns and charts into one sheet of an open workbook.

Only the xlwings Book/Sheet/Range API that both the desktop engines (Windows, macOS) and the remote
engine implement is used, so the tests on the remote engine run this very code. Where an engine
raises ``NotImplementedError`` for an optional feature, the feature is skipped: the desktop engines
cannot freeze panes, and the remote engine can only colour chart series asynchronously.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xlwings import Range, Sheet

from sync.a1 import column_letter
from sync.backends.xlwings.ranges import Format, Rect, format_ranges, runs, value_block
from sync.sheets import Cell, CellStyle, Chart, SheetGrid

_POINTS_PER_COLUMN, _POINTS_PER_ROW = 48.0, 15.0  # Excel's default cell size, to size charts

_SETTERS: dict[str, Callable[[Any, Any], None]] = {
    "fill": lambda rng, v: setattr(rng, "color", f"#{v}"),
    "font_colour": lambda rng, v: setattr(rng.font, "color", f"#{v}"),
    "bold": lambda rng, v: setattr(rng.font, "bold", v),
    "size": lambda rng, v: setattr(rng.font, "size", v),
    "number_format": lambda rng, v: setattr(rng, "number_format", v),
    "wrap": lambda rng, v: setattr(rng, "wrap_text", v),
}


def block(sheet: Sheet, rect: Rect) -> Range:
    """The range of a 0-based inclusive rectangle."""
    top, left, bottom, right = rect
    return sheet.range((top + 1, left + 1), (bottom + 1, right + 1))


def set_format(rng: Range, fmt: Format) -> None:
    name, value = fmt
    _SETTERS[name](rng, value)


def write_values(sheet: Sheet, top: int, left: int, rows: list[list[Cell]]) -> None:
    """One rectangular block of values with its top-left cell at (top, left), in one call."""
    values = value_block(rows)
    if values and values[0]:
        sheet.range((top + 1, left + 1)).value = values


def write_formats(sheet: Sheet, top: int, rows: list[list[Cell]],
                  styles: dict[tuple[int, int], CellStyle]) -> None:
    """Formats of ``rows`` (styles keyed by position within them) placed from row ``top`` down."""
    for fmt, rects in format_ranges(rows, styles):
        for r1, c1, r2, c2 in rects:
            set_format(block(sheet, (r1 + top, c1, r2 + top, c2)), fmt)


def write_tab(sheet: Sheet, grid: SheetGrid) -> None:
    """Fill an empty sheet with a whole tab."""
    write_values(sheet, 0, 0, grid.rows)
    write_formats(sheet, 0, grid.rows, grid.styles)
    for first, last, width in runs(enumerate(grid.column_widths)):
        block(sheet, (0, first, 0, last)).column_width = width
    if grid.freeze and any(grid.freeze):
        _freeze(sheet, *grid.freeze)
    for v in grid.validations:
        try:
            block(sheet, (v.first_row, v.column, v.last_row, v.column)).data_validation.set_list(list(v.values))
        except NotImplementedError:
            pass  # remote clients other than Office.js have no dropdowns
    for chart in grid.charts:
        add_chart(sheet, chart)


def add_chart(sheet: Sheet, chart: Chart) -> None:
    """A native chart: the series from their columns (side by side, the row above naming them), the
    categories from their column."""
    first, last, category = chart.categories
    columns = [s.values[2] for s in chart.series]
    if columns != list(range(columns[0], columns[0] + len(columns))) \
            or any(s.values[:2] != (first, last) for s in chart.series):
        raise ValueError(f"chart {chart.title!r}: series must be neighbouring columns over the category rows")
    kind = f"{chart.kind}_{'stacked' if chart.stacked else 'clustered'}"
    xl_chart = sheet.charts.add(anchor=block(sheet, (*chart.anchor, *chart.anchor)), chart_type=kind,
                                width=chart.size[0] * _POINTS_PER_COLUMN, height=chart.size[1] * _POINTS_PER_ROW)
    xl_chart.set_source_data(block(sheet, (max(first - 1, 0), columns[0], last, columns[-1])), plot_by="columns")
    xl_chart.set_x_axis_values(block(sheet, (first, category, last, category)))
    xl_chart.title = chart.title
    try:
        for i, series in enumerate(chart.series):
            xl_chart.series[i].set(name=series.name, fill_color=f"#{series.colour}")
    except NotImplementedError:
        pass  # the remote engine reads a chart's series only asynchronously; the header names them


def _freeze(sheet: Sheet, rows: int, columns: int) -> None:
    last = column_letter(columns - 1) if columns else ""
    address = f"A1:{last}{rows}" if rows and columns else f"1:{rows}" if rows else f"A:{last}"
    try:
        sheet.freeze_panes.freeze_at(address)
    except NotImplementedError:
        pass  # the desktop engines have no freeze-panes API; a replaced tab keeps its panes
