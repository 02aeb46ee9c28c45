"""The history's reads of the as-of month start ahead, in a thread, while the book is read (sync.recall);
nothing else touches the history while one of them runs."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import date

import pandas as pd
import pytest

from sync.backends.memory import MemoryBook
from sync.engine import run_sync
from sync.errors import DispatchError, HistoryStoreError


class Watched:
    """A Memory noting, for each question, the thread that asked it and how many reads were running then."""

    def __init__(self, ids: list[str], slow: float = 0.0, failing: str = "") -> None:
        self.ids, self.slow, self.failing = ids, slow, failing
        self.asked: list[tuple[str, str, int]] = []
        self.running = 0
        self.lock = threading.Lock()

    @contextmanager
    def _read(self, what: str):  # type: ignore[no-untyped-def]
        with self.lock:
            self.asked.append((what, threading.current_thread().name, self.running))
            self.running += 1
        try:
            time.sleep(self.slow)
            if what == self.failing:
                raise HistoryStoreError("history.sqlite", "历史数据库被另一个程序占用（锁定）", "请稍后再试")
            yield
        finally:
            with self.lock:
                self.running -= 1

    def previous(self, book, before, fields):  # type: ignore[no-untyped-def]
        with self._read(f"previous {before:%m-%d} {','.join(fields)}"):
            frame = pd.DataFrame({"tab": "月度任务 2026-11", "year": 2026, "month": 11, "id": self.ids,
                                  "unit": None, "deadline": pd.NaT, "colour": "red"})
            return frame[["tab", "year", "month", *fields]]

    def first_closed(self, book, month):  # type: ignore[no-untyped-def]
        with self._read(f"first_closed {month[1]}"):
            return pd.Series(dtype="datetime64[ns]")

    def sheet_ids(self, book, month):  # type: ignore[no-untyped-def]
        with self._read(f"sheet_ids {month[1]}"):
            return frozenset(self.ids)

    @contextmanager
    def recording(self, book, outcome):  # type: ignore[no-untyped-def]
        with self._read("recording"):
            yield


@pytest.fixture
def ids(example_memory: MemoryBook) -> list[str]:
    return [str(row[0]) for row in example_memory.tabs["月度任务 2026-11"][1:] if row and row[0]]


def threads(memory: Watched) -> list[tuple[str, str, int]]:
    """The questions in order, each with 'recall' or 'main' for the thread and the reads running then."""
    return [(what, "recall" if name.startswith("recall") else "main", running)
            for what, name, running in memory.asked]


def test_the_months_reads_run_ahead_and_the_recording_waits_for_them(example_memory, ids, rules):
    memory = Watched(ids, slow=0.3)
    outcome = run_sync(example_memory, date(2026, 11, 24), jobs=["daily"], rules=rules, memory=memory)
    assert threads(memory) == [("previous 11-24 id,unit,deadline", "recall", 0), ("sheet_ids 11", "recall", 0),
                               ("first_closed 11", "recall", 0),
                               ("first_closed 10", "main", 0),  # the book's October sheet: not read ahead
                               ("recording", "main", 0)]
    assert outcome.written  # the reads' answers were used: the sync ran as ever


def test_a_question_not_read_ahead_waits_until_no_read_runs(example_memory, ids, rules):
    memory = Watched(ids, slow=0.3)
    outcome = run_sync(example_memory, date(2026, 11, 23), rules=rules, memory=memory)  # Monday: the weekly report
    assert threads(memory)[4:] == [("previous 11-16 id,colour", "main", 0), ("recording", "main", 0)]
    assert "周报表" in outcome.plan.tab_names()


def test_a_failed_read_ahead_fails_the_sync_where_it_is_used(example_memory, ids, rules):
    memory = Watched(ids, failing="sheet_ids 11")
    with pytest.raises(HistoryStoreError, match="占用"):
        run_sync(example_memory, date(2026, 11, 24), jobs=["daily"], rules=rules, memory=memory)
    assert "recording" not in [what for what, _, _ in memory.asked]
    assert example_memory.tabs == MemoryBook(example_memory.tabs).tabs  # nothing written


def test_a_book_that_cannot_be_read_returns_only_once_the_reads_ahead_are_done(ids, rules):
    memory = Watched(ids, slow=0.2)
    unreadable = MemoryBook({"月度任务 2026-11": [["任务编号"], ["T1"]]}, label="no-org.xlsx")  # no 组织架构
    with pytest.raises(DispatchError, match="组织架构"):
        run_sync(unreadable, date(2026, 11, 24), jobs=["daily"], rules=rules, memory=memory)
    assert memory.running == 0  # the caller may use the history (to record the failure) at once
    assert not [t for t in threading.enumerate() if t.name.startswith("recall")]
