"""Planning values and formats for live Excel: text guarding, runs, rectangles, task colour rows."""

from __future__ import annotations

import itertools
import random
from datetime import date, datetime

import pytest

from sync.backends.rowroom import EXCEL_ROWS, NoRoom
from sync.backends.xlwings.ranges import (
    append_at,
    colour_runs,
    excel_value,
    format_ranges,
    last_filled_row,
    rectangles,
    runs,
    style_formats,
    value_block,
)
from sync.sheets import CellStyle, TaskColours


def test_every_text_is_guarded_so_excel_keeps_it_as_typed() -> None:
    assert excel_value("=SUM(A1:A3)") == "'=SUM(A1:A3)"
    assert excel_value("001") == "'001"
    assert excel_value("'引号") == "''引号"
    assert excel_value("综采一队") == "'综采一队"
    assert excel_value("") is None
    day = date(2026, 11, 18)
    assert [excel_value(v) for v in (3, 0.5, True, day, None)] == [3, 0.5, True, day, None]


def test_value_block_is_rectangular() -> None:
    assert value_block([["a"], ["b", 2, None], []]) == [["'a", None, None], ["'b", 2, None], [None, None, None]]


def test_runs_merge_only_neighbours_with_the_same_key() -> None:
    items = [(5, "red"), (1, "red"), (2, "red"), (3, "blue"), (4, "red"), (7, "red")]
    assert runs(items) == [(1, 2, "red"), (3, 3, "blue"), (4, 5, "red"), (7, 7, "red")]


def _covered(rects: list[tuple[int, int, int, int]]) -> list[tuple[int, int]]:
    return [(r, c) for r1, c1, r2, c2 in rects for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def test_rectangles_merge_rows_and_columns() -> None:
    header = [(2, c) for c in range(6)]
    column = [(r, 0) for r in range(3, 10)]
    assert rectangles(header + column) == [(2, 0, 2, 5), (3, 0, 9, 0)]
    assert rectangles([(0, 0), (0, 1), (1, 0), (1, 1), (3, 0), (3, 1)]) == [(0, 0, 1, 1), (3, 0, 3, 1)]


def _mergeable(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Two rectangles that together make one: same columns stacked, or same rows side by side."""
    (a1, ac1, a2, ac2), (b1, bc1, b2, bc2) = sorted([a, b])
    return ((ac1, ac2) == (bc1, bc2) and b1 == a2 + 1) or ((a1, a2) == (b1, b2) and bc1 == ac2 + 1)


def test_rectangles_cover_any_cells_exactly_once_and_none_could_merge() -> None:
    rng = random.Random(6)
    for _ in range(200):
        cells = {(rng.randrange(12), rng.randrange(8)) for _ in range(rng.randrange(1, 60))}
        rects = rectangles(cells)
        assert sorted(_covered(rects)) == sorted(cells)  # every cell, and no cell twice
        assert not [(a, b) for a, b in itertools.combinations(rects, 2) if _mergeable(a, b)]
    assert rectangles([(0, 0), (0, 1), (1, 0), (1, 1), (2, 0)]) == [(0, 0, 1, 1), (2, 0, 2, 0)]
    assert _mergeable((0, 0, 1, 1), (2, 0, 2, 1)) and _mergeable((0, 2, 1, 3), (0, 0, 1, 1))


def test_style_formats_leave_defaults_alone() -> None:
    assert style_formats(CellStyle()) == []
    assert style_formats(CellStyle(fill="D9E1F2", bold=True, wrap=True, size=12, number_format="0%",
                                   font_colour="595959")) == [
        ("fill", "D9E1F2"), ("font_colour", "595959"), ("bold", True), ("number_format", "0%"),
        ("wrap", True), ("size", 12)]


def test_format_ranges_group_by_attribute_and_format_bare_dates() -> None:
    header = CellStyle(fill="D9E1F2", bold=True)
    title = CellStyle(bold=True, size=14)
    rows = [["标题"], ["单位", "截止日期"], ["一矿", date(2026, 11, 30)], ["二矿", datetime(2026, 11, 30, 9, 0)],
            ["三矿", date(2026, 12, 1)]]
    styles = {(0, 0): title, (1, 0): header, (1, 1): header, (4, 1): CellStyle(number_format="m月d日")}
    got = dict(format_ranges(rows, styles))
    assert got == {("bold", True): [(0, 0, 0, 0), (1, 0, 1, 1)],
                   ("size", 14): [(0, 0, 0, 0)], ("fill", "D9E1F2"): [(1, 0, 1, 1)],
                   ("number_format", "m月d日"): [(4, 1, 4, 1)],
                   ("number_format", "yyyy-mm-dd"): [(2, 1, 2, 1)],
                   ("number_format", "yyyy-mm-dd hh:mm"): [(3, 1, 3, 1)]}


def test_last_filled_row_ignores_blank_and_whitespace_rows() -> None:
    assert last_filled_row([["表头"], [None, 0], ["  ", None], [None]]) == 1
    assert last_filled_row([[None], []]) == -1


def test_colour_runs_find_tasks_by_id_below_the_header() -> None:
    grid = [["月度任务"], ["任务编号", "状态"], ["T1", "进行中"], ["T2", None], [101.0, None], [None, None],
            ["T3", None], ["T1", None], ["T9", None]]
    colours = TaskColours("月度任务 2026-11", header_row=1, id_column=0, status_column=1,
                          colours={"T1": "red", "T2": "red", "101": "blue", "T3": "green", "月度任务": "red"})
    assert colour_runs(grid, colours) == [(2, 3, "red"), (4, 4, "blue"), (6, 6, "green"), (7, 7, "red")]


def test_appended_rows_go_below_the_table_not_below_a_stray_value() -> None:
    table: list[list[object]] = [["任务编号"], ["T1"], ["T2"]]
    assert append_at(table, 5) == 3
    assert append_at([*table, [None], ["备注"]], 1) == 5  # a note close below belongs to the table
    far = [*table, *[[None]] * 300, ["草稿"]]  # row 304
    assert append_at(far, 2) == 3
    with pytest.raises(NoRoom) as full:
        append_at(far, 301)  # rows 4–304 would reach the draft at row 304
    assert (full.value.first, full.value.last, full.value.blocked) == (4, 304, 304)
    with pytest.raises(NoRoom):  # a table that already ends at Excel's last row
        append_at([*[[None]] * (EXCEL_ROWS - 3), ["T7"], ["T8"], ["T9"]], 1)
    assert append_at([], 2) == 0
