"""The history's answers a sync is sure to ask for, read in a thread while the book is being read.

Reading a big month sheet is mostly calamine parsing, which lets go of the GIL; the history's reads of
the as-of month (the last snapshot, the ids the month's sheet ever held, their close dates: about
0.4 s at 100,000 tasks) run in that time on the other core. Every other question, and the recording,
waits until those reads are done: one SQLite connection is never used by two threads at once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from sync.engine import Memory, SyncOutcome

COMPARED = ("id", "unit", "deadline")  # the fields of the last snapshot a sync compares with today's


class Recalled:
    """A :class:`engine.Memory` answering the as-of month's questions from reads started ahead."""

    def __init__(self, memory: Memory, book: str, as_of: date) -> None:
        self._memory = memory
        ym = (as_of.year, as_of.month)
        pool = ThreadPoolExecutor(1, thread_name_prefix="recall")  # one thread: the reads in turn
        self._ahead: dict[Hashable, Future[Any]] = {
            ("previous", book, as_of, COMPARED): pool.submit(memory.previous, book, as_of, list(COMPARED)),
            ("sheet_ids", book, ym): pool.submit(memory.sheet_ids, book, ym),
            ("first_closed", book, ym): pool.submit(memory.first_closed, book, ym),
        }
        pool.shutdown(wait=False)  # the thread ends once the reads are done

    def previous(self, book: str, before: date, fields: Sequence[str]) -> pd.DataFrame | None:
        return self._answer(("previous", book, before, tuple(fields)), lambda: self._memory.previous(book, before, fields))

    def first_closed(self, book: str, month: tuple[int, int]) -> pd.Series:
        return self._answer(("first_closed", book, month), lambda: self._memory.first_closed(book, month))

    def sheet_ids(self, book: str, month: tuple[int, int]) -> frozenset[str]:
        return self._answer(("sheet_ids", book, month), lambda: self._memory.sheet_ids(book, month))

    def recording(self, book: str, outcome: SyncOutcome) -> AbstractContextManager[None]:
        self.settle()
        return self._memory.recording(book, outcome)

    def settle(self) -> None:
        """Wait until no read started ahead is running."""
        wait(self._ahead.values())

    def _answer(self, key: Hashable, ask: Callable[[], Any]) -> Any:
        """The answer read ahead for ``key`` (once: asked again, it is read again), else ``ask()``."""
        ahead = self._ahead.pop(key, None)
        if ahead is not None:
            return ahead.result()
        self.settle()
        return ask()


@contextmanager
def recalling(memory: Memory | None, book: str, as_of: date) -> Iterator[Memory | None]:
    """``memory`` with the as-of month's reads started ahead (None stays None); on the way out, however
    the sync ended, the reads still running are waited for, so the caller may use the database again."""
    if memory is None:
        yield None
        return
    recalled = Recalled(memory, book, as_of)
    try:
        yield recalled
    finally:
        recalled.settle()
