"""Worksheet XML for a tab the sync writes whole (:class:`SheetGrid`), generated as text."""

from __future__ import annotations

import math
from datetime import date

from sync.a1 import column_letter
from sync.backends.xlsx.cells import MAX_TEXT, NOT_PLAIN, NOT_PLAIN_INSIDE, cell
from sync.backends.xlsx.ooxml.xmledit import text
from sync.backends.xlsx.styles import Styles
from sync.backends.xlsx.workbook import MAIN_NS
from sync.empty import is_empty
from sync.quoting import formula_string
from sync.serials import day_serial
from sync.sheets import PAGE_X_OF_Y, Cell, CellStyle, ListValidation, SheetGrid

_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MARGINS = '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
_BLOCK = 1024  # rows built together, each column of them checked at once
_FIT_SETUP = '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'


def worksheet_xml(sheet: SheetGrid, styles: Styles, drawing_rid: str | None = None) -> str:
    """The whole worksheet part: views, widths, cells, dropdowns and the drawing reference."""
    data, last_row, last_col = _sheet_data(sheet, styles)
    dimension = f"A1:{column_letter(last_col - 1)}{last_row}" if last_row else "A1"
    drawing = f'<drawing r:id="{drawing_rid}"/>' if drawing_rid else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{_R}">{_sheet_pr(sheet)}'
            f'<dimension ref="{dimension}"/>'
            f'<sheetViews><sheetView workbookViewId="0">{_pane(sheet.freeze)}</sheetView></sheetViews>'
            f'{_format_pr(sheet)}{_cols(sheet.column_widths)}<sheetData>{data}</sheetData>'
            f"{_autofilter(sheet)}{_validations(sheet.validations)}{_MARGINS}"
            f"{_FIT_SETUP if sheet.fit_width else ''}{_footer(sheet)}{drawing}"
            "</worksheet>")


def _sheet_data(sheet: SheetGrid, styles: Styles) -> tuple[str, int, int]:
    """The ``<row>`` elements, the last row written and the number of columns used. Built a block of
    rows at a time, and within it a column at a time (see :func:`_cells`)."""
    by_column: dict[int, dict[int, CellStyle]] = {}
    for (r, c), given in sheet.styles.items():
        by_column.setdefault(c, {})[r] = given
    rows = sheet.rows
    height = max(len(rows), max((r for r, _ in sheet.styles), default=-1) + 1)
    width = max([len(row) for row in rows] + [c + 1 for c in by_column] + [1])
    letters = [column_letter(c) for c in range(width)]
    styled_blocks = {r // _BLOCK for r, _ in sheet.styles}
    blank: list[Cell] = [None] * width
    out: list[str] = []
    last_row = last_col = 0
    for first in range(0, height, _BLOCK):
        block = [row if len(row) == width else [*row, *blank[len(row):]] for row in rows[first:first + _BLOCK]]
        block += [blank] * (min(height - first, _BLOCK) - len(block))  # styled blanks below the last values
        styled = first // _BLOCK in styled_blocks
        columns = [_cells(letters[c], first, values,
                          _styles_of(by_column.get(c), first, len(block)) if styled else None, styles)
                   for c, values in enumerate(zip(*block, strict=True))]
        last_col = max([last_col, *(c + 1 for c, cells in enumerate(columns) if any(cells))])
        texts = list(map("".join, zip(*columns, strict=True)))
        out += [f'<row r="{n}"{_outline(n, sheet.grouped)}>{cells}</row>'
                for n, cells in enumerate(texts, start=first + 1) if cells]
        last_row = next((first + i for i in range(len(texts), 0, -1) if texts[i - 1]), last_row)
    return "".join(out), last_row, last_col


def _styles_of(styled: dict[int, CellStyle] | None, first: int, count: int) -> list[CellStyle | None] | None:
    """Each row's style in a block of one column (None: no row of it is styled)."""
    if not styled:
        return None
    given = [styled.get(r) for r in range(first, first + count)]
    return given if any(s is not None for s in given) else None


def _outline(n: int, grouped: set[int]) -> str:
    if not grouped:
        return ""
    return ' outlineLevel="1" hidden="1"' if n - 1 in grouped else ' collapsed="1"' if n in grouped else ""


def _cells(letter: str, first: int, values: tuple[Cell, ...], given: list[CellStyle | None] | None,
           styles: Styles) -> list[str]:
    """Each row's ``<c>`` in a block of one column ("" where it has nothing to write): a block of one
    kind (most of a list's columns) is one comprehension."""
    cells = _uniform(letter, first, values, given, styles)
    if cells is not None:
        return cells
    plain = NOT_PLAIN.search
    return [f'<c r="{letter}{n}" t="inlineStr"><is><t>{v}</t></is></c>'
            if style is None and type(v) is str and v and len(v) <= MAX_TEXT and not plain(v)
            else _any_cell(f"{letter}{n}", v, style, styles)
            for n, v, style in zip(range(first + 1, first + len(values) + 1), values,
                                   given or [None] * len(values), strict=True)]


def _uniform(letter: str, first: int, block: tuple[Cell, ...], given: list[CellStyle | None] | None,
             styles: Styles) -> list[str] | None:
    """The cells of a block whose values are all of one kind written as they are and share one style
    (``given``: each row's, None for none), or None for a block of any other kind."""
    kinds = set(map(type, block))
    if len(kinds) != 1 or (given is not None and len(set(map(id, given))) != 1):
        return None
    style, kind = given[0] if given else None, kinds.pop()
    if kind is type(None):
        return None if style is not None else [""] * len(block)
    xf = styles.cell_xf(style, block[0])
    s = f' s="{xf}"' if xf else ""
    if kind is str and _all_plain(block):  # type: ignore[arg-type]
        return [f'<c r="{letter}{n}"{s} t="inlineStr"><is><t>{v}</t></is></c>' for n, v in enumerate(block, start=first + 1)]
    if kind is date:
        return [f'<c r="{letter}{n}"{s}><v>{day_serial(v)}</v></c>' for n, v in enumerate(block, start=first + 1)]  # type: ignore[arg-type]
    if kind is int or (kind is float and all(map(math.isfinite, block))):  # type: ignore[arg-type]
        return [f'<c r="{letter}{n}"{s}><v>{v!r}</v></c>' for n, v in enumerate(block, start=first + 1)]
    return None


def _any_cell(ref: str, value: Cell, style: CellStyle | None, styles: Styles) -> str:
    if not is_empty(value):
        return cell(ref, value, styles.cell_xf(style, value))
    return cell(ref, None, styles.cell_xf(style, None)) if style is not None else ""


def _all_plain(values: tuple[str, ...]) -> bool:
    """Whether every text is written as it is (:data:`NOT_PLAIN` finds nothing in it), checked at once."""
    return all(values) and max(map(len, values)) <= MAX_TEXT and tuple(map(str.strip, values)) == values \
        and not NOT_PLAIN_INSIDE.search("".join(values))


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
