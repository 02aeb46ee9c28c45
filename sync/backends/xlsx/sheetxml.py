"""Worksheet XML for a tab the sync writes whole (:class:`SheetGrid`), generated as text."""

from __future__ import annotations

from sync.a1 import column_letter
from sync.backends.xlsx.cells import MAX_TEXT, NOT_PLAIN, cell
from sync.backends.xlsx.ooxml.xmledit import text
from sync.backends.xlsx.styles import Styles
from sync.backends.xlsx.workbook import MAIN_NS
from sync.empty import is_empty
from sync.quoting import formula_string
from sync.sheets import PAGE_X_OF_Y, CellStyle, ListValidation, SheetGrid

_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MARGINS = '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
_FIT_SETUP = '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'


def worksheet_xml(sheet: SheetGrid, styles: Styles, drawing_rid: str | None = None) -> str:
    """The whole worksheet part: views, widths, cells, dropdowns and the drawing reference."""
    by_row: dict[int, dict[int, CellStyle]] = {}
    for (r, c), given in sheet.styles.items():
        by_row.setdefault(r, {})[c] = given
    width = max([len(row) for row in sheet.rows] + [c + 1 for _, c in sheet.styles] + [1])
    letters = [column_letter(c) for c in range(width)]
    out: list[str] = []
    last_row = last_col = 0
    plain = NOT_PLAIN.search
    for r in range(max(len(sheet.rows), max(by_row, default=-1) + 1)):
        values = sheet.rows[r] if r < len(sheet.rows) else []
        styled, n = by_row.get(r), r + 1
        if styled and max(styled) >= len(values):  # styled blanks beyond the last value
            values = [*values, *[None] * (max(styled) + 1 - len(values))]
        cells, top = [], -1
        for c, v in enumerate(values):
            style = styled.get(c) if styled else None
            if style is None and type(v) is str and v and len(v) <= MAX_TEXT and not plain(v):
                cells.append(f'<c r="{letters[c]}{n}" t="inlineStr"><is><t>{v}</t></is></c>')  # the common case
            elif not is_empty(v):
                cells.append(cell(f"{letters[c]}{n}", v, styles.cell_xf(style, v)))
            elif style is not None:
                cells.append(cell(f"{letters[c]}{n}", None, styles.cell_xf(style, None)))
            else:
                continue
            top = c
        if cells:
            outline = ' outlineLevel="1" hidden="1"' if r in sheet.grouped else (
                ' collapsed="1"' if r + 1 in sheet.grouped else "")
            out.append(f'<row r="{n}"{outline}>{"".join(cells)}</row>')
            last_row, last_col = n, max(last_col, top + 1)
    dimension = f"A1:{letters[last_col - 1]}{last_row}" if last_row else "A1"
    drawing = f'<drawing r:id="{drawing_rid}"/>' if drawing_rid else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{_R}">{_sheet_pr(sheet)}'
            f'<dimension ref="{dimension}"/>'
            f'<sheetViews><sheetView workbookViewId="0">{_pane(sheet.freeze)}</sheetView></sheetViews>'
            f'{_format_pr(sheet)}{_cols(sheet.column_widths)}<sheetData>{"".join(out)}</sheetData>'
            f"{_autofilter(sheet)}{_validations(sheet.validations)}{_MARGINS}"
            f"{_FIT_SETUP if sheet.fit_width else ''}{_footer(sheet)}{drawing}"
            "</worksheet>")


def _sheet_pr(sheet: SheetGrid) -> str:
    """Fit-to-page printing, and outline summary rows above their groups (a committee above its branches)."""
    parts = ('<outlinePr summaryBelow="0"/>' if sheet.grouped else "") + \
        ('<pageSetUpPr fitToPage="1"/>' if sheet.fit_width else "")
    return f"<sheetPr>{parts}</sheetPr>" if parts else ""


def _format_pr(sheet: SheetGrid) -> str:
    return '<sheetFormatPr defaultRowHeight="15" outlineLevelRow="1"/>' if sheet.grouped else ""


def _autofilter(sheet: SheetGrid) -> str:
    ref = _filter_ref(sheet)
    return f'<autoFilter ref="{ref.replace("$", "")}"/>' if ref else ""


def _footer(sheet: SheetGrid) -> str:
    """The tab name left, page x / y in the middle, the tab's own text (the as-of date) or else the
    printing date on the right."""
    if not sheet.fit_width and sheet.footer is None:
        return ""
    right = f"&R{sheet.footer.replace('&', '&&')}" if sheet.footer else "&R打印日期 &D"
    return f"<headerFooter><oddFooter>{text(f'&L&A&C{PAGE_X_OF_Y}{right}')}</oddFooter></headerFooter>"


def sheet_names(sheet: SheetGrid) -> dict[str, str | None]:
    """The tab's built-in defined names: repeated header rows (_xlnm.Print_Titles) and the filter range
    (_xlnm._FilterDatabase); None removes a name the tab no longer has."""
    quoted = "'" + sheet.name.replace("'", "''") + "'"
    titles = f"{quoted}!${sheet.print_titles[0] + 1}:${sheet.print_titles[1] + 1}" if sheet.print_titles else None
    ref = _filter_ref(sheet)
    return {"_xlnm.Print_Titles": titles, "_xlnm._FilterDatabase": f"{quoted}!{ref}" if ref else None}


def _filter_ref(sheet: SheetGrid) -> str | None:
    if sheet.autofilter is None:
        return None
    width = max((len(r) for r in sheet.rows), default=0)
    if not width:
        return None
    bottom = max(len(sheet.rows), sheet.autofilter + 2)
    return f"$A${sheet.autofilter + 1}:${column_letter(width - 1)}${bottom}"


def _pane(freeze: tuple[int, int] | None) -> str:
    if not freeze or freeze == (0, 0):
        return ""
    rows, cols = freeze
    active = "bottomRight" if rows and cols else ("bottomLeft" if rows else "topRight")
    split = (f' xSplit="{cols}"' if cols else "") + (f' ySplit="{rows}"' if rows else "")
    return (f'<pane{split} topLeftCell="{column_letter(cols)}{rows + 1}" activePane="{active}"'
            f' state="frozen"/><selection pane="{active}"/>')


def _cols(widths: list[float]) -> str:
    cols = "".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>'
                   for i, w in enumerate(widths, start=1) if w and w > 0)
    return f"<cols>{cols}</cols>" if cols else ""


def _validations(validations: list[ListValidation]) -> str:
    if not validations:
        return ""
    items = []
    for v in validations:
        if any("," in value for value in v.values):
            raise ValueError(f"dropdown values may not contain commas: {v.values}")
        listed = ",".join(v.values)
        if len(listed) > 255:
            raise ValueError("a dropdown list is limited to 255 characters")
        letter = column_letter(v.column)
        items.append(f'<dataValidation type="list" allowBlank="1" showInputMessage="1" '
                     f'showErrorMessage="1" sqref="{letter}{v.first_row + 1}:{letter}{v.last_row + 1}">'
                     f"<formula1>{text(formula_string(listed))}</formula1></dataValidation>")
    return f'<dataValidations count="{len(items)}">{"".join(items)}</dataValidations>'
