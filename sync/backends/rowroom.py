"""Where rows appended to a staff tab go, for every backend that appends by position.

Below the table's last filled row: a value more than :data:`TABLE_GAP` empty rows further down (a
stray note, a value typed at row 1,048,576) is not part of the table, so new rows go above it — and
are refused rather than written over it, or past Excel's last row.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from sync.errors import DispatchError

EXCEL_ROWS = 1_048_576
TABLE_GAP = 100  # a value further below the table's last filled row than this is not part of the table


class NoRoom(ValueError):
    """The new rows ``first``–``last`` (1-based) would reach the value at row ``blocked`` or pass Excel's last row."""

    def __init__(self, first: int, last: int, blocked: int | None) -> None:
        super().__init__(first, last, blocked)
        self.first, self.last, self.blocked = first, last, blocked


def table_end(filled: Sequence[int]) -> tuple[int | None, int | None]:
    """Of the ascending 1-based numbers of the rows holding a value: the table's last row (None: no
    rows), and the first row of a stray value below it (None: nothing below)."""
    for here, after in itertools.pairwise(filled):
        if after - here > TABLE_GAP:
            return here, after
    return (filled[-1] if filled else None), None


def check_room(first: int, count: int, blocked: int | None) -> None:
    """Raise :class:`NoRoom` unless rows ``first`` … ``first + count - 1`` fit above ``blocked`` and Excel's end."""
    last = first + count - 1
    if last > (blocked - 1 if blocked is not None else EXCEL_ROWS):
        raise NoRoom(first, last, blocked)


def no_room_error(label: str, tab: str, full: NoRoom) -> DispatchError:
    """What the user reads when appended rows do not fit."""
    where = f"{label} / {tab}"
    if full.blocked is not None:
        return DispatchError(where, f"表格下方第 {full.blocked} 行有内容，新任务（第 {full.first}–{full.last} 行）会写到它上面，本次未写入",
                             f"请把第 {full.blocked} 行的内容移走或删除，下次同步会追加新任务")
    return DispatchError(where, f"新任务将超出 Excel 的最后一行（第 {EXCEL_ROWS} 行），本次未写入",
                         "请删除表格下方远处的内容，或把已闭合的任务移到别的表")
