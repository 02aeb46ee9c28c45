"""The Backend contract (sync/sheets.py): ``write`` returns whether anything was written.

The file and Google backends have their own "nothing changed, nothing written" tests; these pin the
memory backend and the live-Excel backend, which once returned True for every plan.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
import xlwings

from sync.backends.memory import MemoryBook
from sync.backends.xlwings import ExcelBook
from sync.engine import run_sync
from sync.example import EXAMPLE_AS_OF, build_example
from sync.sheets import Colour, RowAppend, SheetGrid, TaskColours, WritePlan
from tests.excel_helpers import book_payload, open_remote

MONTH = "月度任务 2026-11"
PALETTE = {"red": Colour("red", "红色考核", "FFC7CE", "9C0006")}


def staff_tabs() -> dict[str, list[list[Any]]]:
    return {MONTH: [["任务编号", "任务名称", "状态"], ["T1", "主题党日", "进行中"]],
            "调度看板": [["调度看板"]]}


def test_memory_write_is_true_only_when_the_book_changes() -> None:
    book = MemoryBook(staff_tabs())
    board = SheetGrid("调度看板", [["调度看板（数据截至 2026-11-18）"]])
    colours = TaskColours(MONTH, 0, 0, 2, {"T1": "red"})

    assert book.write(WritePlan()) is False
    assert book.write(WritePlan(owned=[board])) is True
    assert book.write(WritePlan(owned=[SheetGrid("调度看板", [["调度看板（数据截至 2026-11-18）"]])])) is False
    assert book.write(WritePlan(created=[SheetGrid(MONTH, [["不应写入"]])])) is False
    assert book.tabs[MONTH][1] == ["T1", "主题党日", "进行中"]
    assert book.write(WritePlan(appends=[RowAppend(MONTH, [])])) is False
    assert book.write(WritePlan(colours=[colours], palette=PALETTE)) is True
    assert book.write(WritePlan(colours=[colours], palette=PALETTE)) is False
    assert book.write(WritePlan(appends=[RowAppend(MONTH, [{0: "T2", 1: "谈心谈话"}])])) is True
    assert book.tabs[MONTH][2] == ["T2", "谈心谈话", None]


def test_a_second_sync_of_the_same_day_writes_nothing_to_a_memory_book() -> None:
    book = MemoryBook({s.name: s.rows for s in build_example()})
    first = run_sync(book, EXAMPLE_AS_OF, jobs=["daily"])
    second = run_sync(book, EXAMPLE_AS_OF, jobs=["daily"])
    assert first.written == ["调度看板", "重点调度", "超前调度", "变化调度", "数据问题", "月度任务 2026-10",
                             MONTH]
    assert second.written == []


def test_excel_write_is_false_when_nothing_is_written() -> None:
    book = ExcelBook(open_remote(book_payload(staff_tabs())))
    book.read([MONTH])
    assert book.write(WritePlan()) is False
    assert book.write(WritePlan(created=[SheetGrid(MONTH, [["不应写入"]])])) is False
    assert book.write(WritePlan(appends=[RowAppend(MONTH, [])])) is False
    assert book.write(WritePlan(colours=[TaskColours(MONTH, 0, 0, 2, {"没有这个任务": "red"})],
                                palette=PALETTE)) is False
    assert [a for a in book.book.json()["actions"] if a["func"] not in {"setScreenUpdating", "activateSheet", "calculate"}] == []


@pytest.mark.parametrize("plan", [
    WritePlan(owned=[SheetGrid("调度看板", [["调度看板（数据截至 2026-11-18）"]])]),
    WritePlan(created=[SheetGrid("月度任务 2026-12", [["任务编号"]])]),
    WritePlan(appends=[RowAppend(MONTH, [{0: "T2", 1: "谈心谈话"}])]),
    WritePlan(colours=[TaskColours(MONTH, 0, 0, 2, {"T1": "red"})], palette=PALETTE),
], ids=["owned", "created", "appended", "coloured"])
def test_excel_write_is_true_when_something_is_written(plan: WritePlan) -> None:
    book = ExcelBook(open_remote(book_payload(staff_tabs())))
    book.read([MONTH])
    assert book.write(plan) is True


def test_the_xlwings_subpackage_does_not_shadow_the_xlwings_library() -> None:
    adapter = importlib.import_module("sync.backends.xlwings.book")
    tab = importlib.import_module("sync.backends.xlwings.tab")
    assert xlwings.__name__ == "xlwings" and hasattr(xlwings, "Book")
    assert adapter.Book is xlwings.Book and tab.Sheet is xlwings.Sheet
