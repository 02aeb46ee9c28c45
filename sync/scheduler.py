"""Keeping the configured books in rhythm: one tick runs what is due on every book (see :mod:`rhythm`),
one sync at a time per book (see :mod:`booklock`), each remembered in the history; ``serve`` ticks on
a schedule until stopped. A sync whose as-of day is not today records its run but no snapshot.
"""

from __future__ import annotations

import signal
import time as clock_time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from types import FrameType

import schedule

from .backends import open_book
from .booklock import BookLock
from .config import BookConfig, Config, UnitsConfig, book_key
from .engine import SyncOutcome
from .errors import EXIT_BUSY, BookBusyError, DispatchError
from .exits import exit_code as code_for
from .exits import is_bug, one_line
from .history import History
from .rhythm import DueRun, due_runs
from .rulebook import Rulebook
from .runlog import fields, log
from .sheets import Backend
from .units.run import sync_book

SLICE_SECONDS = 1.0  # the loop wakes at least this often to notice a stop request


def locked_sync(backend: Backend, key: str, label: str, as_of: date, *, history: History, locks: Path,
                rules: Rulebook, jobs: list[str] | None = None, dry_run: bool = False,
                now: Callable[[], datetime] | None = None, month: tuple[int, int] | None = None,
                week: date | None = None, units: UnitsConfig | None = None,
                credentials: str | None = None) -> SyncOutcome:
    """One sync of one book, on demand, under the book's lock and remembered in the history (with
    ``units``, collecting its unit books: see :mod:`sync.units`)."""
    clock = now or (lambda: datetime.now(rules.calendar.timezone))
    with BookLock(locks, key) as held:
        if not held:
            raise BookBusyError(label, "另一个 dispatchbook 进程正在同步这个工作簿", "本次未写入任何内容，请稍后再试")
        memory = history.for_book(key, label, clock(), clock)
        return sync_book(backend, as_of, jobs=jobs, rules=rules, memory=memory, dry_run=dry_run, month=month,
                         week=week, units=units, credentials=credentials)


def on_demand_sync(backend: Backend, spec: str, as_of: date, *, config: Config | None, rules: Rulebook,
                   jobs: list[str] | None = None, dry_run: bool = False, month: tuple[int, int] | None = None,
                   week: date | None = None, units: UnitsConfig | None = None, record: bool = False) -> SyncOutcome:
    """A sync a person asked for (the CLI, the Excel button): with a config, remembered in its history
    and under the book's lock, like a scheduled sync; without one, a plain sync (leaving the re-run
    record with ``record``). ``month``/``week`` choose the period of 月报表/月考核 and 周报表 (see
    :func:`sync.engine.run_sync`)."""
    entry = config.find(spec) if config else None
    units = units or (entry.units if entry else None)
    credentials = entry.credentials if entry else None
    if config is None:
        return sync_book(backend, as_of, jobs=jobs, rules=rules, dry_run=dry_run, month=month, week=week, units=units,
                         record=record)
    with closing(History(config.history)) as history:
        return locked_sync(backend, book_key(entry.spec if entry else spec), entry.name if entry else backend.label,
                           as_of, history=history, locks=config.locks, rules=rules, jobs=jobs, dry_run=dry_run,
                           month=month, week=week, units=units, credentials=credentials)


@dataclass
class BookResult:
    book: BookConfig
    status: str  # ok: ran every due sync · idle: nothing due · busy: another process has it · failed
    runs: list[DueRun] = field(default_factory=list)  # the syncs that ran
    error: str = ""
    exit_code: int = 0


def exit_code(results: Sequence[BookResult]) -> int:
    """0 when every book is in rhythm; else the first failure's code, or EXIT_BUSY for a skipped book."""
    failed = [r.exit_code for r in results if r.status == "failed"]
    if failed:
        return failed[0]
    return EXIT_BUSY if any(r.status == "busy" for r in results) else 0


def _open(book: BookConfig) -> Backend:
    return open_book(book.spec, book.credentials)


class Scheduler:
    """Keeps the configured books in rhythm. ``now`` and ``sleep`` are injectable so that tests can
    drive a simulated month in seconds."""

    def __init__(self, config: Config, history: History, *, now: Callable[[], datetime] | None = None,
                 sleep: Callable[[float], None] = clock_time.sleep,
                 open_backend: Callable[[BookConfig], Backend] = _open,
                 on_book: Callable[[BookResult], None] | None = None,
                 after_sync: Callable[[BookConfig, SyncOutcome, Backend], None] | None = None) -> None:
        self.config, self.history = config, history
        self.now = now or (lambda: datetime.now(UTC))
        self.sleep, self.open_backend, self.on_book = sleep, open_backend, on_book
        self.after_sync = after_sync  # e.g. reminders and bulletins (notify); its failure never fails the sync
        self.stopping = False

    def tick(self) -> list[BookResult]:
        """Run whatever is due on every book now; one book failing never stops the others."""
        results = []
        for book in self.config.books:
            if self.stopping:
                break
            result = self._tick_book(book)
            results.append(result)
            if self.on_book:
                self.on_book(result)
        return results

    def serve(self) -> None:
        """Tick now (catching up), then every ``poll_minutes`` until :meth:`stop`."""
        pending = schedule.Scheduler()
        pending.every(max(1, round(self.config.poll_minutes * 60))).seconds.do(self._tick_logged)
        log.info(fields(event="start", books=len(self.config.books), poll_minutes=self.config.poll_minutes))
        self._tick_logged()
        while not self.stopping:
            pending.run_pending()
            self.sleep(min(max(pending.idle_seconds or 0.0, 0.0), SLICE_SECONDS))
        log.info(fields(event="stop"))

    def _tick_logged(self) -> None:
        """A tick that outlives anything unexpected (the history briefly unavailable …): logged, and the
        next tick tries again."""
        try:
            self.tick()
        except Exception:
            log.exception(fields(event="tick", result="failed"))

    def stop(self) -> None:
        self.stopping = True

    @contextmanager
    def stop_on_signals(self) -> Iterator[None]:
        """SIGTERM or Ctrl-C: finish the current book, then stop; a second one stops at once."""

        def handler(number: int, frame: FrameType | None) -> None:
            if self.stopping:
                raise KeyboardInterrupt
            log.info(fields(event="signal", signal=signal.Signals(number).name, note="完成当前工作簿后退出"))
            self.stop()

        previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for number, old in previous.items():
                signal.signal(number, old)

    def _local(self, rules: Rulebook) -> datetime:
        return self.now().astimezone(rules.calendar.timezone)

    def _due(self, book: BookConfig, rules: Rulebook) -> list[DueRun]:
        now = self._local(rules)
        seen = self.history.first_seen(book.key)
        if seen is None:
            self.history.see(book.key, book.name, now)
        since = datetime.combine((seen or now).astimezone(now.tzinfo).date(), datetime.min.time(), now.tzinfo)
        return due_runs(rules, now, self.history.last_done(book.key), since)

    def _tick_book(self, book: BookConfig) -> BookResult:
        try:
            rules = self.config.rules_for(book)
            due = self._due(book, rules)  # a look without the lock first: most ticks have nothing to do
            if not due:
                return BookResult(book, "idle")
            with BookLock(self.config.locks, book.key) as held:
                if not held:
                    for job in (j for run in due for j in run.jobs):
                        log.warning(fields(book=book.name, job=job, result="busy",
                                            note="另一个进程正在同步这个工作簿，本次跳过"))
                    return BookResult(book, "busy", exit_code=EXIT_BUSY)
                done: list[DueRun] = []
                for run in self._due(book, rules):  # again under the lock: another process may just have run
                    if self.stopping:
                        break
                    error = self._sync(book, rules, run)
                    if error:
                        return BookResult(book, "failed", done, one_line(error), code_for(error))
                    done.append(run)
                return BookResult(book, "ok" if done else "idle", done)
        except DispatchError as error:  # rules or config that cannot be used
            log.error(fields(book=book.name, result="failed", error=str(error)))
            return BookResult(book, "failed", error=one_line(error), exit_code=code_for(error))

    def _sync(self, book: BookConfig, rules: Rulebook, run: DueRun) -> Exception | None:
        """One sync; its failure is logged, recorded and returned (it is retried at the next tick)."""
        started = self._local(rules)
        began = clock_time.perf_counter()
        try:
            memory = self.history.for_book(book.key, book.name, started, lambda: self._local(rules))
            outcome = sync_book(self.open_backend(book), run.as_of, jobs=list(run.jobs), rules=rules, memory=memory,
                                units=book.units, credentials=book.credentials)
        except Exception as error:  # one book's failure must not stop the others
            for job in run.jobs:
                log.error(fields(book=book.name, job=job, as_of=run.as_of, result="failed", error=one_line(error)))
            if is_bug(error):
                log.exception("unexpected error", exc_info=error)
            self.history.record_failure(book.key, book.name, started, self._local(rules), run.as_of,
                                        list(run.jobs), one_line(error))
            return error
        seconds = round(clock_time.perf_counter() - began, 2)
        for job in run.jobs:
            log.info(fields(book=book.name, job=job, as_of=run.as_of, result="ok", seconds=seconds,
                             written=len(outcome.written), problems=len(outcome.problems)))
        if self.after_sync:
            try:
                self.after_sync(book, outcome, self.open_backend(book))
            except Exception as error:  # the book is synced and recorded; what could not be sent is logged
                log.error(fields(book=book.name, job="notify", as_of=run.as_of, result="failed", error=one_line(error)))
                if is_bug(error):
                    log.exception("unexpected error", exc_info=error)
        return None
