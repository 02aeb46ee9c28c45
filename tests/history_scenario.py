"""A fixed run of syncs of the example book with a history: edits, a close, a same-day re-run, a deleted
task, a past-day run. ``tests/data/history-v2.sqlite`` and ``history-v3.sqlite`` are this run stored by the
version-2 and version-3 histories; the upgrade tests play it again with today's history and ask both the same
questions. Regenerate a fixture (only with that version's ``sync/history.py``): python -m tests.history_scenario PATH"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from sync.engine import run_sync
from sync.history import History
from sync.schema import month_tab_name
from tests.rhythm_helpers import Clock, at, example_book, set_cell

KEY, LABEL = "file:/books/台账.xlsx", "集团台账"
OCT = month_tab_name(2026, 10)
TASK = "JH-2026-028-JC01"  # 新闻宣传报道 · 一矿党委
DAYS = [(8, 7, None), (9, 7, None), (9, 16, None), (12, 7, None), (12, 9, date(2026, 10, 8)), (13, 7, None)]


def play(history: History) -> None:
    book = example_book(date(2026, 10, 7))
    sheet = book.tabs[OCT]
    gone = sorted(r[0] for r in sheet[1:] if r and r[0] != TASK)[0]
    for day, hour, as_of in DAYS:
        if (day, hour) == (9, 7):
            set_cell(book.tabs[OCT], TASK, "进度", 0.6)
            set_cell(book.tabs[OCT], TASK, "更新日期", date(2026, 10, 9))
        if (day, hour) == (9, 16):
            set_cell(book.tabs[OCT], TASK, "截止日期", date(2026, 10, 9))
        if (day, hour) == (12, 7):
            set_cell(book.tabs[OCT], TASK, "状态", "已完成")
            set_cell(book.tabs[OCT], TASK, "进度", 1.0)
            book.tabs[OCT] = [r for r in book.tabs[OCT] if not r or r[0] != gone]
        moment = at(10, day, hour, 30)
        jobs = ["monthly"] if as_of else ["daily", "weekly"] if hour == 16 else ["daily"]
        run_sync(book, as_of or moment.date(), jobs=jobs, memory=history.for_book(KEY, LABEL, moment, Clock(moment)))


if __name__ == "__main__":
    target = History(Path(sys.argv[1]))
    play(target)
    target.close()
