"""Cells set in rows a staff tab already has, edited as bytes so the rest of the part stays as it was.

Only the unit-book exchange (:mod:`sync.units`) asks for this, for the columns its mode owns. A set
cell keeps the format staff gave it (a date gets the plan's number format on top); an empty value
leaves a blank cell with that format. Every other cell, row and attribute keeps its bytes.
"""

from __future__ import annotations

import re

from sync.a1 import column_letter
from sync.backends.xlsx.append import CellXf, _Sheet
from sync.backends.xlsx.cells import cell
from sync.backends.xlsx.ooxml.xmledit import prefixed
from sync.empty import is_empty
from sync.sheets import Cell

_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")


def set_cells(xml: bytes, cells: dict[tuple[int, int], Cell], plan_xf: CellXf) -> tuple[bytes, bool]:
    """The worksheet part with ``cells`` ((0-based row, column) -> value) set, and whether a formula
    was replaced (the calculation chain must then be dropped). A row that is not in the part is an
    error: the exchange only sets cells of task rows it read."""
    if not cells:
        return xml, False
    sheet = _Sheet(xml)
    tag = rb"<" + re.escape(sheet.p) + rb"row[\s/>]"
    starts = [sheet.start + m.start() for m in re.finditer(tag, sheet.xml[sheet.start:sheet.end])]
    spans = dict(zip(starts, [*starts[1:], sheet.end], strict=True))
    by_number = {n: s for s, n in sheet._numbers(starts).items()}
    wanted: dict[int, dict[int, Cell]] = {}
    for (row, column), value in cells.items():
        wanted.setdefault(row + 1, {})[column] = value
    missing = sorted(set(wanted) - set(by_number))
    if missing:
        raise ValueError(f"row {missing[0]} is not in the sheet")
    pieces: list[bytes | memoryview] = []
    at, formula = sheet.start, False
    view = memoryview(sheet.xml)
    for n in sorted(wanted, key=lambda k: by_number[k]):
        start = by_number[n]
        row_xml, replaced = _row(sheet, n, wanted[n], start, spans[start], plan_xf)
        formula |= replaced
        pieces += [view[at:start], row_xml]
        at = spans[start]
    head = sheet._head(sheet.start, wanted)
    return b"".join([*head, *pieces, view[at:]]), formula


def _row(sheet: _Sheet, n: int, values: dict[int, Cell], start: int, end: int,
         plan_xf: CellXf) -> tuple[bytes, bool]:
    old = sheet._cells(start, end)
    close = b"</" + sheet.p + b"row>"
    head = sheet.xml[start:sheet.xml.index(b">", start) + 1]
    if head.endswith(b"/>"):
        head = head[:-2].rstrip() + b">"
    parts, replaced = [], False
    for c in sorted(old.keys() | values.keys()):
        if c not in values:
            parts.append(sheet.xml[old[c][0]:old[c][1]])
            continue
        own = int(old[c][2]) if c in old and old[c][2] else None
        replaced |= c in old and bool(_FORMULA.search(sheet.xml, old[c][0], old[c][1]))
        value = values[c]
        ref = f"{column_letter(c)}{n}"
        if is_empty(value):
            if own:
                parts.append(prefixed(f'<c r="{ref}" s="{own}"/>', sheet.p.decode()).encode())
            continue
        xf = plan_xf(c, value, own)
        text = cell(ref, value, xf if xf is not None else own or 0)
        parts.append(prefixed(text, sheet.p.decode()).encode("utf-8"))
    return head + b"".join(parts) + close, replaced
