"""Excel error values (#DIV/0!, #N/A …) in a worksheet part: calamine reads them as empty cells."""

from __future__ import annotations

import re

from sync.a1 import column_index

ERROR_TYPE = b't="e"'  # in every error cell, and rare elsewhere
_ERROR_CELL = re.compile(rb'<(?:[\w.-]+:)?c\s[^>]*?\bt="e"[^>]*>')
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)<")
_CLOSE = re.compile(rb"</(?:[\w.-]+:)?c>")


def error_cells(xml: bytes) -> dict[tuple[int, int], str]:
    """(row, column) 0-based -> the error text, for every cell of type ``e`` that has a reference."""
    if ERROR_TYPE not in xml:
        return {}
    found: dict[tuple[int, int], str] = {}
    for m in _ERROR_CELL.finditer(xml):
        ref = _REF.search(m[0])
        close = None if m[0].endswith(b"/>") else _CLOSE.search(xml, m.end())
        value = _VALUE.search(xml, m.end(), close.start()) if close else None
        if ref and value:
            found[(int(ref[2]) - 1, column_index(ref[1].decode()))] = value[1].decode()
    return found
