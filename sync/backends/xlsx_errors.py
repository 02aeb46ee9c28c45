"""Excel error values (#DIV/0!, #N/A …) in a worksheet part: calamine reads them as empty cells."""

from __future__ import annotations

import re

_ERROR_CELL = re.compile(rb'<(?:[\w.-]+:)?c\s[^>]*?\bt="e"[^>]*>')
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)<")


def error_cells(xml: bytes) -> dict[tuple[int, int], str]:
    """(row, column) 0-based -> the error text, for every cell of type ``e`` that has a reference."""
    if b't="e"' not in xml:
        return {}
    found: dict[tuple[int, int], str] = {}
    for m in _ERROR_CELL.finditer(xml):
        ref = _REF.search(m[0])
        value = _VALUE.match(xml, m.end()) or _VALUE.search(xml, m.end(), m.end() + 200)
        if ref and value:
            col = 0
            for ch in ref[1]:
                col = col * 26 + ch - 64
            found[(int(ref[2]) - 1, col - 1)] = value[1].decode()
    return found
