"""Write staff tabs (SheetGrids without charts) into a brand-new .xlsx with xlsxwriter.

Used by ``dispatchbook init`` for the template and the example; the sync itself never rewrites a
book this way (see backends/xlsx/).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .sheets import PAGE_X_OF_Y, CellStyle, SheetGrid, default_date_format


def write_new_book(path: Path, sheets: list[SheetGrid], created: datetime | None = None) -> None:
    """``created`` fixes the file's creation stamp (the same sheets then give the same bytes)."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    if created:
        book.set_properties({"created": created})
    formats: dict[CellStyle, Format] = {}
    for sheet in sheets:
        if sheet.charts:
            raise ValueError(f"{sheet.name}: new books hold staff tabs only, without charts")
        ws = book.add_worksheet(sheet.name)
        for j, width in enumerate(sheet.column_widths):
            ws.set_column(j, j, width)
        if sheet.freeze:
            ws.freeze_panes(*sheet.freeze)
        if sheet.hidden:
            ws.hide()
        _print_setup(ws, sheet)
        for v in sheet.validations:
            ws.data_validation(v.first_row, v.column, v.last_row, v.column,
                               {"validate": "list", "source": list(v.values), "error_type": "warning"})
        for i, row in enumerate(sheet.rows):
            for j, value in enumerate(row):
                style = sheet.styles.get((i, j))
                if value is None:
                    if style:
                        ws.write_blank(i, j, None, _format(book, formats, style))
                    continue
                if not style and (default := default_date_format(value)):
                    style = CellStyle(number_format=default)
                fmt = _format(book, formats, style) if style else None
                if isinstance(value, bool):
                    ws.write_boolean(i, j, value, fmt)
                elif isinstance(value, datetime | date):
                    ws.write_datetime(i, j, value if isinstance(value, datetime) else
                                      datetime(value.year, value.month, value.day), fmt)
                elif isinstance(value, int | float):
                    ws.write_number(i, j, value, fmt)
                else:
                    ws.write_string(i, j, str(value), fmt)
    book.close()


def _print_setup(ws: Worksheet, sheet: SheetGrid) -> None:
    """The same print settings the sync's writer gives a tab (see backends/xlsx/sheetxml.py)."""
    if sheet.fit_width:
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        right = sheet.footer.replace("&", "&&") if sheet.footer else "打印日期 &D"
        ws.set_footer(f"&L&A&C{PAGE_X_OF_Y}&R{right}")
    if sheet.print_titles:
        ws.repeat_rows(*sheet.print_titles)
    if sheet.autofilter is not None:
        width = max((len(r) for r in sheet.rows), default=1)
        ws.autofilter(sheet.autofilter, 0, max(len(sheet.rows) - 1, sheet.autofilter + 1), width - 1)


def _format(book: Workbook, cache: dict[CellStyle, Format], style: CellStyle) -> Format:
    if style not in cache:
        props: dict[str, object] = {"bold": style.bold, "text_wrap": style.wrap}
        if style.fill:
            props |= {"bg_color": f"#{style.fill}", "pattern": 1}
        if style.font_colour:
            props["font_color"] = f"#{style.font_colour}"
        if style.number_format:
            props["num_format"] = style.number_format
        if style.size:
            props["font_size"] = style.size
        cache[style] = book.add_format(props)
    return cache[style]
