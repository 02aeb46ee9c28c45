"""The engine plans a sync without changing the :class:`Book` it was given: new month rows reach the
reports through a new book, and the one read stays as it was read."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from sync.book import Book, read_book
from sync.engine import plan_sync, run_sync
from sync.jobdays import JOBS
from sync.rulebook import Rulebook
from tests.test_monthsheet import book as month_book

NOV = (2026, 11)


def snapshot(book: Book) -> dict[str, Any]:
    """Everything a sync could change in a book, copied deep."""
    def tab(data: Any) -> tuple[Any, ...]:
        return data, data.sheet, data.frame.copy(deep=True), dict(data.columns), list(data.problems)
    return {"tabs": {k: tab(d) for k, d in book.tabs.items()}, "months": {m: tab(d) for m, d in book.months.items()},
            "problems": list(book.problems), "org": book.org}


def assert_unchanged(book: Book, before: dict[str, Any]) -> None:
    after = snapshot(book)
    assert after["problems"] == before["problems"] and after["org"] is before["org"]
    for part in ("tabs", "months"):
        assert list(after[part]) == list(before[part])
        for key, (data, sheet, frame, columns, problems) in before[part].items():
            now = after[part][key]
            assert now[0] is data and (now[1], now[3], now[4]) == (sheet, columns, problems)
            pd.testing.assert_frame_equal(now[2], frame)


def test_a_new_month_sheet_is_planned_without_adding_it_to_the_book(rules: Rulebook) -> None:
    book = read_book(month_book(), date(2026, 11, 3))
    before = snapshot(book)
    outcome = plan_sync(book, date(2026, 11, 3), rules=rules, jobs=list(JOBS))
    assert outcome.month_created and NOV not in book.months
    assert len(outcome.state.book.months[NOV].frame) == 8
    assert_unchanged(book, before)


def test_appended_rows_are_planned_without_growing_the_books_month_frame(rules: Rulebook) -> None:
    memory = month_book()
    run_sync(memory, date(2026, 11, 3), jobs=[], rules=rules)
    memory.tabs["渠道诉求"].append(["QD-3", "矿区文明调度", "道路积水", "难点", "2026-11-04", "JC02", None,
                                "2026-11-20", "办理中", None])
    book = read_book(memory, date(2026, 11, 5))
    before = snapshot(book)
    outcome = plan_sync(book, date(2026, 11, 5), rules=rules, jobs=list(JOBS))
    [append] = outcome.plan.appends
    assert [r[0] for r in append.rows] == ["QD-3"]
    assert list(book.months[NOV].frame["id"])[-1] != "QD-3"
    assert list(outcome.state.book.months[NOV].frame["id"])[-1] == "QD-3"
    assert_unchanged(book, before)
