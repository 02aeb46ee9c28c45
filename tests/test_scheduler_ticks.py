"""One tick over several books: failures stay with their book and are retried, a locked book is skipped,
a stop request ends the tick between books, the long-running loop ticks on schedule and stops cleanly."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from sync.backends.memory import MemoryBook
from sync.booklock import BookLock
from sync.config import BookConfig, Config
from sync.errors import EXIT_BUG, EXIT_BUSY, EXIT_USER_ERROR, DispatchError
from sync.history import History
from sync.rhythm import DueRun
from sync.scheduler import BookResult, Scheduler, exit_code
from sync.sheets import Backend
from tests.rhythm_helpers import Clock, at, example_book, make_config

DAILY = [DueRun(date(2026, 10, 8), ("daily",))]


@pytest.fixture(scope="module")
def sheets():  # type: ignore[no-untyped-def]
    book = example_book(date(2026, 10, 7))
    return book.tabs


@pytest.fixture
def lines() -> Iterator[list[str]]:
    """The scheduler's log lines."""
    caught: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: caught.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("dispatchbook")
    logger.addHandler(handler)
    level, logger.level = logger.level, logging.INFO
    yield caught
    logger.removeHandler(handler)
    logger.setLevel(level)


class Books:
    """Opens books by name; a name in ``broken`` fails to open."""

    def __init__(self, sheets: dict[str, list[list[object]]], names: tuple[str, ...]) -> None:
        self.books = {name: MemoryBook(sheets, label=f"{name}.xlsx") for name in names}
        self.broken: dict[str, Exception] = {}
        self.opened: list[str] = []

    def __call__(self, book: BookConfig) -> Backend:
        self.opened.append(book.name)
        if book.name in self.broken:
            raise self.broken[book.name]
        return self.books[book.name]


def setup(tmp_path, sheets, *names: str, clock: Clock | None = None):  # type: ignore[no-untyped-def]
    config = make_config(tmp_path, *names)
    history = History(config.history)
    books = Books(sheets, tuple(b.name for b in config.books))
    return config, history, books, Scheduler(config, history, now=clock or Clock(at(10, 8, 7, 45)), open_backend=books)


def test_a_failing_book_never_stops_the_others_and_is_retried(tmp_path, sheets, lines) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(at(10, 8, 7, 45))
    config, history, books, scheduler = setup(tmp_path, sheets, "一矿", "二矿", "三矿", clock=clock)
    books.broken = {"一矿": DispatchError("一矿.xlsx", "找不到工作簿文件"), "二矿": RuntimeError("disk on fire")}
    first = scheduler.tick()
    assert [(r.status, r.runs, r.exit_code) for r in first] == [
        ("failed", [], EXIT_USER_ERROR), ("failed", [], EXIT_BUG), ("ok", DAILY, 0)]
    assert first[0].error == "一矿.xlsx: 找不到工作簿文件" and "disk on fire" in first[1].error
    assert exit_code(first) == EXIT_USER_ERROR
    failed = history.db.execute("SELECT label, ok, jobs, error FROM runs WHERE ok = 0 ORDER BY id").fetchall()
    assert failed == [("一矿", 0, '["daily"]', "一矿.xlsx: 找不到工作簿文件"),
                      ("二矿", 0, '["daily"]', "RuntimeError: disk on fire")]
    assert 'book=一矿 job=daily as_of=2026-10-08 result=failed error="一矿.xlsx: 找不到工作簿文件"' in lines
    assert any(line.startswith("book=三矿 job=daily as_of=2026-10-08 result=ok seconds=") for line in lines)

    clock.advance(timedelta(minutes=5))
    del books.broken["一矿"]
    second = scheduler.tick()  # retried at the next tick; the book that ran is left alone
    assert [(r.status, r.runs) for r in second] == [("ok", DAILY), ("failed", []), ("idle", [])]
    assert books.opened == ["一矿", "二矿", "三矿", "一矿", "二矿"]


def test_a_book_another_process_holds_is_skipped(tmp_path, sheets, lines) -> None:  # type: ignore[no-untyped-def]
    config, history, books, scheduler = setup(tmp_path, sheets)
    with BookLock(config.locks, config.books[0].key) as held:
        assert held
        results = scheduler.tick()
    assert [(r.status, r.exit_code) for r in results] == [("busy", EXIT_BUSY)]
    assert exit_code(results) == EXIT_BUSY
    assert lines == ['book=示例台账 job=daily result=busy note=另一个进程正在同步这个工作簿，本次跳过']
    assert books.opened == []
    assert [r.status for r in scheduler.tick()] == ["ok"]  # released: it runs at the next tick


def test_now_is_read_in_the_calendar_timezone(tmp_path, sheets) -> None:  # type: ignore[no-untyped-def]
    utc = Clock(datetime(2026, 10, 7, 23, 45, tzinfo=UTC))  # 07:45 on 8 Oct in Shanghai
    *_, scheduler = setup(tmp_path, sheets, clock=utc)
    assert [r.runs for r in scheduler.tick()] == [DAILY]


def test_a_stop_request_ends_the_tick_after_the_current_book(tmp_path, sheets) -> None:  # type: ignore[no-untyped-def]
    config, history, books, scheduler = setup(tmp_path, sheets, "一矿", "二矿")
    opened = books.__call__

    def signalled(book: BookConfig) -> Backend:  # SIGTERM arrives while the first book syncs
        os.kill(os.getpid(), signal.SIGTERM)
        return opened(book)

    scheduler.open_backend = signalled
    before = signal.getsignal(signal.SIGTERM)
    with scheduler.stop_on_signals():
        results = scheduler.tick()
    assert [(r.book.name, r.status) for r in results] == [("一矿", "ok")]
    assert books.opened == ["一矿"]
    assert signal.getsignal(signal.SIGTERM) is before
    assert history.db.execute("SELECT label FROM runs").fetchall() == [("一矿",)]
    with BookLock(config.locks, config.books[0].key) as held:
        assert held  # the lock was released


def test_a_second_signal_stops_at_once(tmp_path, sheets) -> None:  # type: ignore[no-untyped-def]
    *_, scheduler = setup(tmp_path, sheets)
    with scheduler.stop_on_signals():
        os.kill(os.getpid(), signal.SIGINT)
        assert scheduler.stopping
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)  # the handler runs here


def test_serve_ticks_at_start_and_on_schedule_then_stops_on_sigterm(tmp_path, sheets) -> None:  # type: ignore[no-untyped-def]
    config, history, books, _ = setup(tmp_path, sheets)
    config = Config(config.books, config.history, config.locks, poll_minutes=1 / 60)  # tick every second
    ticks: list[BookResult] = []

    def sleep(seconds: float) -> None:
        assert 0 <= seconds <= 1
        time.sleep(min(seconds, 0.05))
        if len(ticks) >= 3:
            os.kill(os.getpid(), signal.SIGTERM)

    scheduler = Scheduler(config, history, now=Clock(at(10, 8, 7, 45)), sleep=sleep, open_backend=books,
                          on_book=ticks.append)
    began = time.monotonic()
    with scheduler.stop_on_signals():
        scheduler.serve()
    assert [(r.status, r.runs) for r in ticks] == [("ok", DAILY), ("idle", []), ("idle", [])]
    assert 1.5 < time.monotonic() - began < 10  # the second and third ticks came from the schedule, a second apart


def test_exit_codes() -> None:
    book = BookConfig("x", "x.xlsx")
    assert exit_code([]) == 0
    assert exit_code([BookResult(book, "ok"), BookResult(book, "idle")]) == 0
    assert exit_code([BookResult(book, "busy", exit_code=EXIT_BUSY), BookResult(book, "ok")]) == EXIT_BUSY
    assert exit_code([BookResult(book, "busy", exit_code=EXIT_BUSY),
                      BookResult(book, "failed", exit_code=EXIT_BUG)]) == EXIT_BUG


class Flaky(History):
    """A history that is unavailable the first time the scheduler asks it something."""

    failed = False

    def last_done(self, key: str) -> dict[str, datetime]:
        if not self.failed:
            self.failed = True
            raise sqlite3.OperationalError("database is locked")
        return super().last_done(key)


def test_serve_outlives_a_failing_tick(tmp_path, sheets, lines) -> None:  # type: ignore[no-untyped-def]
    config, _, books, _ = setup(tmp_path, sheets)
    config = Config(config.books, config.history, config.locks, poll_minutes=1 / 60)
    ticks: list[BookResult] = []

    def sleep(seconds: float) -> None:
        time.sleep(min(seconds, 0.05))
        if ticks:
            os.kill(os.getpid(), signal.SIGTERM)

    scheduler = Scheduler(config, Flaky(config.history), now=Clock(at(10, 8, 7, 45)), sleep=sleep,
                          open_backend=books, on_book=ticks.append)
    with scheduler.stop_on_signals():
        scheduler.serve()
    assert "event=tick result=failed" in lines
    assert [(r.status, r.runs) for r in ticks] == [("ok", DAILY)]  # the next tick ran what was due


def test_jobs_another_process_ran_while_we_waited_for_the_lock_are_not_run_again(
        tmp_path, sheets, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(at(10, 8, 7, 45))
    config, history, books, scheduler = setup(tmp_path, sheets, "一矿", clock=clock)
    other = Scheduler(config, History(config.history), now=clock, open_backend=books)  # the other process
    enter = BookLock.__enter__
    raced: list[list[BookResult]] = []

    def the_other_process_runs_first(lock: BookLock) -> bool:
        if not raced:  # between our look at what is due and our taking the lock
            raced.append([])
            raced[0] = other.tick()
        return enter(lock)

    monkeypatch.setattr(BookLock, "__enter__", the_other_process_runs_first)
    (result,) = scheduler.tick()
    assert [r.status for r in raced[0]] == ["ok"] and raced[0][0].runs == DAILY
    assert (result.status, result.runs) == ("idle", [])  # seen under the lock: nothing left to do
    assert books.opened == ["一矿"]  # the book was synced once
