"""Editing a book the way office staff do, with openpyxl (a second writer), between syncs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from sync.backends.xlsx import XlsxBook
from sync.engine import SyncOutcome, run_sync
from sync.history import History
from sync.rulebook import Rulebook

SHANGHAI = ZoneInfo("Asia/Shanghai")


def edit(path: Path, change: Callable[[openpyxl.Workbook], object]) -> None:
    """Open the book in openpyxl, apply ``change``, save: what a staff member's Excel session does."""
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)


def row_of(sheet: Worksheet, task_id: str) -> int:
    """The 1-based row whose 任务编号 (column A) is ``task_id``."""
    return next(c.row for c in sheet["A"] if c.value == task_id)


def header(sheet: Worksheet, label: str, row: int = 1) -> int:
    """The 1-based column of a header cell that starts with ``label``."""
    return next(c.column for c in sheet[row] if isinstance(c.value, str) and c.value.startswith(label))


def sync_on(path: Path, day: date, history: History, rules: Rulebook, jobs: list[str] | None = None) -> SyncOutcome:
    """One sync at 18:00 of ``day`` (Asia/Shanghai) with the history, as the scheduler runs it."""
    started = datetime.combine(day, time(18), SHANGHAI)
    memory = history.for_book("book", path.name, started, lambda: started)
    return run_sync(XlsxBook(path, backups=0), day, jobs=jobs, rules=rules, memory=memory)


def cells(path: Path, tab: str) -> list[list[object]]:
    """A tab's values as openpyxl reads them (not the sync's reader)."""
    sheet = openpyxl.load_workbook(path)[tab]
    return [list(r) for r in sheet.iter_rows(values_only=True)]
