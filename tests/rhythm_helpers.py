"""A controllable clock, the example book in memory and a config around it, for scheduler and history tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sync.backends.memory import MemoryBook
from sync.config import BookConfig, Config, locks_beside
from sync.example import build_example
from sync.schema import MONTH

TZ = ZoneInfo("Asia/Shanghai")
MONTH_LABELS = [c.label for c in MONTH.columns]


def at(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


class Clock:
    """``now()`` for the scheduler; tests move it."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        self.moment += delta


def example_book(as_of: date, label: str = "example.xlsx") -> MemoryBook:
    return MemoryBook({s.name: s.rows for s in build_example(as_of)}, label=label)


def make_config(folder: Path, *names: str) -> Config:
    """Books named ``names`` (default one) whose specs are files in ``folder``; history beside them."""
    history = folder / "history.sqlite"
    books = tuple(BookConfig(name, str(folder / f"{name}.xlsx")) for name in names or ("示例台账",))
    return Config(books, history, locks_beside(history))


def header(grid: list[list[object]]) -> int:
    """The row index of a month sheet's header."""
    return next(i for i, row in enumerate(grid) if row and row[0] == MONTH_LABELS[0])


def task_row(grid: list[list[object]], task_id: str) -> list[object]:
    return next(row for row in grid[header(grid) + 1:] if row and row[0] == task_id)


def set_cell(grid: list[list[object]], task_id: str, label: str, value: object) -> None:
    """Type ``value`` into a task's cell under the header ``label``, as staff would."""
    row = task_row(grid, task_id)
    row[grid[header(grid)].index(label)] = value
