"""What a unit book holds and which columns belong to whom."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from ..org import Org
from ..schema import MONTH
from ..sheets import Cell, Grid
from ..staffsheets import cell_value

UNIT_COLUMNS: tuple[str, ...] = ("progress", "status", "latest", "updated", "note", "exemplar")
"""Columns the unit owns: its book is the truth for them (进度、状态、最新进展、更新日期、备注、典型)."""
DEFINITION_COLUMNS: tuple[str, ...] = tuple(c.key for c in MONTH.columns if c.key not in UNIT_COLUMNS)
"""Columns the central book owns: the task's definition (名称、类别、截止日期、责任单位 …)."""
UNIT_LEVELS: tuple[str, ...] = ("基层党委", "党支部")
UNIT_LABELS = "、".join(c.label for c in MONTH.columns if c.key in UNIT_COLUMNS)
UNIT_NOTE = (f"本表由调度中心分发，只填写本单位的 {UNIT_LABELS} 六列；任务编号、名称、类别、截止日期、责任单位等"
             "以调度中心为准，改动会被恢复并在报送情况中列出。可在表末新增本单位的任务（填写任务编号、名称、类别、"
             "截止日期和责任单位）。")
CENTRAL_NOTE = (f"收集模式：本表的 {UNIT_LABELS} 六列由同步从各单位工作簿填入（单位工作簿为准）；"
                "在本表改动这些列时，若单位同时也改了同一单元格，采用单位的值，本表原值记入报送情况和收集记录。")


def scope(org: Org, code: str) -> list[str]:
    """The unit and every unit below it (a committee answers for its branches' rows in its book)."""
    return [c for c in org.codes if code in org.chain(c)]


def book_file(org: Org, code: str) -> str:
    """The unit book's file name: code and name, safe on every file system."""
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", org.label(code)).strip("_")
    return f"{code}_{name}.xlsx"


@dataclass
class Rows:
    """A month sheet's task rows as typed: task id -> (0-based grid row, column key -> value)."""

    header_row: int
    columns: dict[str, int]  # column key -> 0-based column
    rows: dict[str, tuple[int, dict[str, Cell]]]

    @classmethod
    def of(cls, grid: Grid, header_row: int, columns: dict[str, int]) -> Rows:
        rows: dict[str, tuple[int, dict[str, Cell]]] = {}
        id_col = columns["id"]
        for i in range(header_row + 1, len(grid)):
            line = grid[i]
            raw = line[id_col] if id_col < len(line) else None
            task = str(raw).strip() if raw is not None else ""
            if task and task not in rows:
                rows[task] = (i, {k: line[j] if j < len(line) else None for k, j in columns.items()})
        return cls(header_row, columns, rows)


def same(a: Cell, b: Cell) -> bool:
    """Whether two typed values are the same for the exchange (dates with a zero time are days,
    whole floats are numbers, text is compared trimmed, an empty text is empty)."""
    return comparable(a) == comparable(b)


def comparable(value: Cell) -> object:
    v = cell_value(value)
    if isinstance(v, str):
        v = v.strip() or None
    if isinstance(v, datetime) and v.time() == time():
        v = v.date()
    if isinstance(v, bool | date):
        return v
    if isinstance(v, int | float):
        return round(float(v), 9)
    return v
