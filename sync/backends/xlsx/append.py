"""Rows appended to a staff tab, edited as bytes so the rest of the part stays as it was.

New rows go below the table's last row that holds a value (see :mod:`rowroom`: a stray value far
below does not count, and new rows never overwrite it nor pass Excel's last row). Rows the staff pre-formatted below the table
(styled but empty) are filled in place, keeping their formats; the <dimension> grows to cover the new rows.
Nothing else in the part changes. New cells without a style of their own take the style of the same
column in the last filled row, so an appended task looks like the tasks above it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sync.a1 import column_index, column_letter
from sync.backends.rowroom import check_room, table_end
from sync.backends.xlsx.cells import cell
from sync.backends.xlsx.ooxml.xmledit import prefixed
from sync.empty import is_empty
from sync.sheets import Cell

_VALUE = re.compile(rb"<(?:[\w.-]+:)?(?:v|is|f)[\s/>]")
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_CELL = re.compile(rb"<(?:[\w.-]+:)?c(?=[\s/>])([^>]*)>")
_CELL_REF = re.compile(rb'\sr="([A-Z]+)\d*"')
_STYLE = re.compile(rb'\ss="(\d+)"')
_DIMENSION = re.compile(rb'<(?:[\w.-]+:)?dimension\s+ref="([^"]*)"')
_REF = re.compile(r"([A-Z]+)(\d+)")

CellXf = Callable[[int, Cell, "int | None"], "int | None"]
"""The format of a new cell from the plan (column, value, the pre-formatted cell's own format -> index),
or None to inherit one."""


def append_rows(xml: bytes, rows: list[dict[int, Cell]], plan_xf: CellXf) -> bytes:
    """The worksheet part with ``rows`` (0-based column -> value) added below its filled rows."""
    filled = [row for row in rows if not all(is_empty(v) for v in row.values())]
    return _Sheet(xml).append(filled, plan_xf) if filled else xml


def worksheet_prefix(xml: bytes) -> bytes:
    """The namespace prefix of a worksheet part's elements (b"" or b"x:")."""
    m = re.search(rb"<(?![?!])((?:[\w.-]+:)?)worksheet[\s>]", xml[:4096])
    if m is None:
        raise ValueError("not a worksheet part")
    return m[1]


class _Sheet:
    """A worksheet part as bytes, and where its <sheetData> content starts and ends."""

    def __init__(self, xml: bytes) -> None:
        p = self.p = worksheet_prefix(xml)
        opening = xml.find(b"<" + p + b"sheetData")
        close = xml.index(b">", opening)
        if xml[close - 1:close] == b"/":  # an empty <sheetData/> is opened up
            xml = xml[:close - 1].rstrip() + b"></" + p + b"sheetData>" + xml[close + 1:]
            close = xml.index(b">", opening)
        self.xml, self.start, self.end = xml, close + 1, xml.rindex(b"</" + p + b"sheetData>")

    def append(self, rows: list[dict[int, Cell]], plan_xf: CellXf) -> bytes:
        trail, last, stop = self._table_end()
        numbers = self._numbers(trail + [s for s in (last, stop) if s is not None and s != self.end])
        first_new = numbers[last] + 1 if last is not None else 1
        check_room(first_new, len(rows), numbers[stop] if stop != self.end else None)
        region_start = trail[0] if trail else stop
        inherited = self._styles(last, region_start) if last is not None else {}

        def style_of(column: int, value: Cell, own: bytes) -> int:
            xf = plan_xf(column, value, int(own) if own else inherited.get(column))
            return xf if xf is not None else int(own) if own else inherited.get(column, 0)

        templates = {numbers[s]: (s, e) for s, e in zip(trail, [*trail[1:], stop], strict=False)}
        wanted = dict(enumerate(rows, start=first_new))
        region = [self._row(n, wanted[n], templates.get(n), style_of) if n in wanted
                  else self.xml[templates[n][0]:templates[n][1]]
                  for n in sorted(templates.keys() | wanted.keys())]
        return b"".join([*self._head(region_start, wanted), *region, memoryview(self.xml)[stop:]])

    def _table_end(self) -> tuple[list[int], int | None, int]:
        """The value-less rows below the table, the start of its last filled row, and where the rows
        after the table begin (the end of sheetData, or a stray value far below)."""
        trail, last = self._trailing_rows(self.end)
        if last is None:
            return trail, None, self.end
        _, before = self._trailing_rows(last)
        if before is None or table_end([self._number(before), self._number(last)])[1] is None:
            return trail, last, self.end  # the usual case: no need to look at the whole sheet
        return self._first_gap()

    def _first_gap(self) -> tuple[list[int], int | None, int]:
        """The value-less rows, last filled row and stray row of the table as :func:`rowroom.table_end` sees it."""
        tag = rb"<" + re.escape(self.p) + rb"row[\s/>]"
        starts = [self.start + m.start() for m in re.finditer(tag, self.xml[self.start:self.end])]
        ends = [*starts[1:], self.end]
        numbers = self._numbers(starts)
        filled = [s for s, e in zip(starts, ends, strict=True) if _VALUE.search(self.xml, s, e)]
        by_number = {numbers[s]: s for s in filled}
        here, after = table_end([numbers[s] for s in filled])
        assert here is not None  # the sheet has filled rows: _table_end found one
        last, stop = by_number[here], by_number[after] if after is not None else self.end
        return [s for s in starts if last < s < stop], last, stop

    def _number(self, start: int) -> int:
        return self._numbers([start])[start]

    def _trailing_rows(self, pos: int) -> tuple[list[int], int | None]:
        """Starts of the value-less rows just above ``pos``, and the start of the filled row above them."""
        tag = b"<" + self.p + b"row"
        trail: list[int] = []
        end = pos
        while (s := self.xml.rfind(tag, self.start, pos)) >= 0:
            pos = s
            if self.xml[s + len(tag):s + len(tag) + 1] not in b" >/\t\n\r":
                continue
            if _VALUE.search(self.xml, s, trail[-1] if trail else end):
                return trail[::-1], s
            trail.append(s)
        return trail[::-1], None

    def _numbers(self, rows: list[int]) -> dict[int, int]:
        """Row numbers of the rows starting at ``rows``; without ``r`` attributes, counted from the top."""
        found = {s: m for s in rows if (m := _ROW_NUMBER.search(self.xml, s, self.xml.index(b">", s)))}
        if len(found) == len(rows):
            return {s: int(m[1]) for s, m in found.items()}
        counted, n = {}, 0
        pattern = rb"<" + re.escape(self.p) + rb"row[\s/>][^>]*"
        for m in re.finditer(pattern, self.xml[self.start:self.end]):
            r = _ROW_NUMBER.search(m[0])
            n = int(r[1]) if r else n + 1
            counted[self.start + m.start()] = n
        return {s: counted[s] for s in rows}

    def _cells(self, start: int, end: int) -> dict[int, tuple[int, int, bytes]]:
        """Cells of one row element: column -> (start, end, style index as bytes or b"")."""
        found: dict[int, tuple[int, int, bytes]] = {}
        col = -1
        close = b"</" + self.p + b"c>"
        for m in _CELL.finditer(self.xml, start, end):
            ref = _CELL_REF.search(m[0])
            col = column_index(ref[1].decode()) if ref else col + 1
            stop = m.end() if m[0].endswith(b"/>") else self.xml.index(close, m.end()) + len(close)
            style = _STYLE.search(m[0])
            found[col] = (m.start(), stop, style[1] if style else b"")
        return found

    def _styles(self, start: int, end: int) -> dict[int, int]:
        return {c: int(s) for c, (_, _, s) in self._cells(start, end).items() if s}

    def _row(self, n: int, values: dict[int, Cell], span: tuple[int, int] | None,
             style_of: Callable[[int, Cell, bytes], int]) -> bytes:
        """A new row, or a pre-formatted empty row filled with ``values``."""
        old = self._cells(*span) if span else {}
        parts = []
        for c in sorted(old.keys() | {c for c, v in values.items() if not is_empty(v)}):
            value = values.get(c)
            if is_empty(value):
                parts.append(self.xml[old[c][0]:old[c][1]])
                continue
            text = cell(f"{column_letter(c)}{n}", value, style_of(c, value, old[c][2] if c in old else b""))
            parts.append(prefixed(text, self.p.decode()).encode("utf-8"))
        close = b"</" + self.p + b"row>"
        if span is None:
            return f'<{self.p.decode()}row r="{n}">'.encode() + b"".join(parts) + close
        head = self.xml[span[0]:self.xml.index(b">", span[0]) + 1]
        if head.endswith(b"/>"):
            head = head[:-2].rstrip() + b">"
        return head + b"".join(parts) + close

    def _head(self, upto: int, rows: dict[int, dict[int, Cell]]) -> list[memoryview | bytes]:
        """The part up to ``upto``, in pieces, with its <dimension> grown to cover ``rows``."""
        view = memoryview(self.xml)
        m = _DIMENSION.search(view, 0, self.start)
        refs = [_REF.fullmatch(r) for r in m[1].decode().split(":")] if m else []
        if m is None or not refs or not all(refs):
            return [view[:upto]]
        cols = [column_index(r[1]) for r in refs if r] + [c for row in rows.values() for c, v in row.items()
                                                      if not is_empty(v)]
        numbers = [int(r[2]) for r in refs if r] + list(rows)
        ref = f"{column_letter(min(cols))}{min(numbers)}:{column_letter(max(cols))}{max(numbers)}"
        return [view[:m.start(1)], ref.encode(), view[m.end(1):upto]]

