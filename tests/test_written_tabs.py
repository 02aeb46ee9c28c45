"""The sync says which tabs it changed, not every tab it planned (a staff sheet it did not touch is not named)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from sync.backends.xlsx import XlsxBook
from sync.engine import run_sync

EXAMPLE = Path(__file__).resolve().parent.parent / "workbooks" / "example.xlsx"


def test_written_names_only_the_tabs_whose_parts_changed(tmp_path: Path) -> None:
    book = tmp_path / "example.xlsx"
    shutil.copyfile(EXAMPLE, book)
    first = run_sync(XlsxBook(book, backups=0), date(2026, 11, 18), jobs=["daily"])
    assert {"月度任务 2026-10", "月度任务 2026-11", "调度看板"} <= set(first.written)  # colours set up on both sheets
    second = run_sync(XlsxBook(book, backups=0), date(2026, 11, 19), jobs=["daily"])
    # October's sheet is judged at its month end either way: its colours and rules stay as they are
    assert "月度任务 2026-10" not in second.written and "调度看板" in second.written
    assert set(second.written) <= {*second.plan.tab_names(), "调度颜色", "工作簿结构"}
    again = run_sync(XlsxBook(book, backups=0), date(2026, 11, 19), jobs=["daily"])
    assert again.written == []
