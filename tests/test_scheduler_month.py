"""The scheduler on a controllable clock through a simulated month and a half (19 Sep – 3 Nov 2026):
the Mid-Autumn holiday (25 Sep), the 调休 Sunday 20 Sep, National Day 1–7 Oct, the 调休 Saturday
10 Oct, two gaps while the machine is off, and staff working in the book meanwhile.

The expected runs below are written out by hand from the 2026 calendar, not computed with the code
under test.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta

import pytest

from sync.backends.memory import MemoryBook
from sync.book import read_book
from sync.engine import run_sync
from sync.history import History
from sync.history_views import restore
from sync.scheduler import Scheduler
from sync.schema import month_tab_name
from tests.rhythm_helpers import (
    Clock,
    at,
    example_book,
    header,
    make_config,
    set_cell,
    task_row,
)

OCT = month_tab_name(2026, 10)
CLOSED = "JH-2026-028-JC01"  # 新闻宣传报道 · 一矿党委: staff close it on 13 Oct, touch it again on 20 Oct
DELETED = "JH-2026-043-JC02"  # 文明单位创建 · 二矿党委: staff delete its row on 9 Oct
MOVED = "JH-2026-050-JC03"  # 党建信息化平台数据维护 · 三矿党委 (常规工作): deadline moved on 26 Oct
OFF = [(at(10, 14, 12), at(10, 22, 10)), (at(10, 30, 18), at(11, 3, 9, 15))]

EXPECTED = [  # (tick, as-of day, jobs)
    (at(9, 20, 7, 30), date(2026, 9, 20), ("daily",)),  # 调休: Sunday is a working day
    (at(9, 21, 7, 30), date(2026, 9, 21), ("daily",)),
    (at(9, 21, 8), date(2026, 9, 21), ("weekly", "xun")),  # Monday, and the 21st
    (at(9, 22, 7, 30), date(2026, 9, 22), ("daily",)),
    (at(9, 23, 7, 30), date(2026, 9, 23), ("daily",)),
    (at(9, 24, 7, 30), date(2026, 9, 24), ("daily",)),  # 25 Sep: Mid-Autumn holiday
    (at(9, 28, 7, 30), date(2026, 9, 28), ("daily",)),
    (at(9, 28, 8), date(2026, 9, 28), ("weekly",)),
    (at(9, 29, 7, 30), date(2026, 9, 29), ("daily",)),
    (at(9, 30, 7, 30), date(2026, 9, 30), ("daily",)),  # 1–7 Oct: National Day, nothing runs
    (at(10, 8, 7, 30), date(2026, 10, 8), ("daily",)),
    (at(10, 8, 8), date(2026, 10, 8), ("weekly", "xun")),  # Monday 5 Oct and the 1st, moved to a working day
    (at(10, 8, 8, 30), date(2026, 10, 8), ("monthly",)),  # October's first working day: September's assessment
    (at(10, 8, 9), date(2026, 10, 8), ("quarterly",)),  # the third quarter's meeting pack
    (at(10, 9, 7, 30), date(2026, 10, 9), ("daily",)),
    (at(10, 10, 7, 30), date(2026, 10, 10), ("daily",)),  # 调休: Saturday is a working day
    (at(10, 12, 7, 30), date(2026, 10, 12), ("daily",)),
    (at(10, 12, 8), date(2026, 10, 12), ("weekly", "xun")),  # the 11th is a Sunday: moved to Monday
    (at(10, 13, 7, 30), date(2026, 10, 13), ("daily",)),
    (at(10, 14, 7, 30), date(2026, 10, 14), ("daily",)),
    # off 14 Oct 12:00 – 22 Oct 10:00: five dailies, Monday's bulletin and the 21st's self-check missed;
    # each runs once: the bulletin and the self-check as of their own days (they report last week and
    # look ahead to the 旬 starting on the 21st), then today's dispatch
    (at(10, 22, 10), date(2026, 10, 19), ("weekly",)),
    (at(10, 22, 10), date(2026, 10, 21), ("xun",)),
    (at(10, 22, 10), date(2026, 10, 22), ("daily",)),
    (at(10, 23, 7, 30), date(2026, 10, 23), ("daily",)),
    (at(10, 26, 7, 30), date(2026, 10, 26), ("daily",)),
    (at(10, 26, 8), date(2026, 10, 26), ("weekly",)),
    (at(10, 27, 7, 30), date(2026, 10, 27), ("daily",)),
    (at(10, 28, 7, 30), date(2026, 10, 28), ("daily",)),
    (at(10, 29, 7, 30), date(2026, 10, 29), ("daily",)),
    (at(10, 30, 7, 30), date(2026, 10, 30), ("daily",)),
    # off 30 Oct 18:00 – 3 Nov 09:15: Monday 2 Nov's jobs missed. They run as of their own day, first:
    # the assessment still reports October, the bulletin the last week of October; then today's dispatch
    (at(11, 3, 9, 15), date(2026, 11, 2), ("weekly", "xun", "monthly")),
    (at(11, 3, 9, 15), date(2026, 11, 3), ("daily",)),
]


def block(grid: list[list[object]], title: str) -> list[list[object]]:
    """The rows of a report block: after its title and header, up to the next blank row."""
    start = next(i for i, row in enumerate(grid) if row and row[0] == title) + 2
    end = next((i for i in range(start, len(grid)) if not grid[i]), len(grid))
    return grid[start:end]


def mentions(grid: list[list[object]], text: str) -> bool:
    return any(text in str(cell) for row in grid for cell in row)


def sheet_ids(grid: list[list[object]]) -> set[str]:
    return {row[0] for row in grid[header(grid) + 1:] if row and row[0]}


class Staff:
    """What staff do in the book, at given moments (also while the machine is off)."""

    def __init__(self, book: MemoryBook) -> None:
        self.book = book
        self.deleted_row: list[object] = []
        self.without_history: MemoryBook | None = None  # the catch-up bulletin, made without history

    def act(self, moment: datetime) -> None:
        octo = self.book.tabs.get(OCT)
        if moment == at(10, 9, 12):
            self.deleted_row = list(task_row(octo, DELETED))
            octo.remove(task_row(octo, DELETED))
        elif moment == at(10, 13, 12):
            set_cell(octo, CLOSED, "状态", "已完成")
            set_cell(octo, CLOSED, "进度", 1.0)
            set_cell(octo, CLOSED, "更新日期", date(2026, 10, 13))
        elif moment == at(10, 20, 12):  # a closed task edited again: its close date must not move
            set_cell(octo, CLOSED, "更新日期", date(2026, 10, 20))
            set_cell(octo, CLOSED, "最新进展", "补充上传了报道链接")
        elif moment == at(10, 26, 12):
            set_cell(octo, MOVED, "截止日期", date(2026, 10, 29))


@pytest.fixture(scope="module")
def simulation(tmp_path_factory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("month")
    book = example_book(date(2026, 9, 18))  # August and September sheets; the sync makes October's
    config = make_config(folder)
    history = History(config.history)
    clock = Clock(at(9, 19))
    ran: list[tuple[datetime, date, tuple[str, ...]]] = []
    checks: dict[date, dict[str, object]] = {}
    staff = Staff(book)
    scheduler = Scheduler(config, history, now=clock, open_backend=lambda _: book)
    key = config.books[0].key
    while clock() < at(11, 4):
        staff.act(clock())
        if not any(start <= clock() < end for start, end in OFF):
            for result in scheduler.tick():
                assert result.status in ("ok", "idle"), result.error
                ran += [(clock(), run.as_of, run.jobs) for run in result.runs]
                if result.runs and result.runs[-1].as_of == clock().date():
                    checks[clock().date()] = _check_snapshot(history, key, book, clock().date())
                    checks[clock().date()]["tabs"] = copy.deepcopy(book.tabs)
        if clock() == at(10, 22, 9, 30):  # just before the catch-up: the same book without any history
            copied = MemoryBook(copy.deepcopy(book.tabs))
            plan = run_sync(copied, date(2026, 10, 19), jobs=["weekly"], dry_run=True).plan
            staff.without_history = MemoryBook({s.name: s.rows for s in plan.owned})
        step = clock() + timedelta(minutes=30)
        clock.moment = min([step] + [end for _, end in OFF if clock() < end < step])  # back at an odd time
    yield ran, checks, history, key, book, staff
    history.close()


def _check_snapshot(history: History, key: str, book: MemoryBook, day: date) -> dict[str, object]:
    """Today's snapshot holds exactly the book's tasks, with the colours the sync just wrote."""
    snapshot = history.previous(key, day + timedelta(days=1))
    assert snapshot is not None
    tabs = {tab for tab in book.tabs if tab.startswith("月度任务")}
    assert set(snapshot["tab"]) == tabs
    for tab in tabs:
        mine = snapshot[snapshot["tab"] == tab]
        assert set(mine["id"]) == sheet_ids(book.tabs[tab])
        assert dict(zip(mine["id"], mine["colour"], strict=True)) == book.colours[tab]
    return {"snapshot": snapshot, "first_closed": history.first_closed(key, (2026, 10))}


def test_exactly_the_expected_jobs_ran_on_the_expected_days(simulation) -> None:  # type: ignore[no-untyped-def]
    ran = simulation[0]
    assert ran == EXPECTED


def test_one_snapshot_per_day_that_ran_as_itself(simulation) -> None:  # type: ignore[no-untyped-def]
    ran, checks, history, key = simulation[:4]
    days = [date.fromisoformat(d) for (d,) in history.db.execute("SELECT day FROM snapshots WHERE book = ? "
                                                                 "ORDER BY day", (key,))]
    assert days == sorted({as_of for moment, as_of, _ in ran if as_of == moment.date()})
    assert date(2026, 11, 2) not in days  # the caught-up assessment ran on 3 Nov: no snapshot for 2 Nov
    assert list(checks) == days


def test_the_month_sheet_is_created_once_and_a_deleted_task_stays_deleted(simulation) -> None:  # type: ignore[no-untyped-def]
    _, checks, history, key, book, staff = simulation
    assert OCT not in checks[date(2026, 9, 30)]["tabs"] and OCT in checks[date(2026, 10, 8)]["tabs"]
    assert DELETED in sheet_ids(checks[date(2026, 10, 8)]["tabs"][OCT])
    for day in (date(2026, 10, 10), date(2026, 10, 30), date(2026, 11, 3)):
        assert DELETED not in sheet_ids(checks[day]["tabs"][OCT])
    problems = checks[date(2026, 10, 10)]["tabs"]["数据问题"]
    assert mentions(problems, DELETED) and mentions(problems, f"dispatchbook history {DELETED} --restore")


def test_a_deleted_row_restored_from_history_reads_as_it_was(simulation) -> None:  # type: ignore[no-untyped-def]
    _, checks, history, key, book, staff = simulation
    row = restore(history, key, "示例台账", DELETED)
    assert (row.tab, row.day) == (OCT, date(2026, 10, 9))
    before = MemoryBook(copy.deepcopy(checks[date(2026, 10, 9)]["tabs"]))
    after = MemoryBook(copy.deepcopy(book.tabs))
    after.tabs[OCT].append(row.tsv().split("\t"))  # pasted as text, the way a clipboard brings it
    old = read_book(before, date(2026, 10, 9)).months[(2026, 10)].frame.set_index("id").loc[DELETED]
    new = read_book(after, date(2026, 11, 3)).months[(2026, 10)].frame.set_index("id").loc[DELETED]
    assert row.cells[0] == DELETED
    for column in ("name", "category", "source", "lead_dept", "unit", "owner", "start", "deadline", "progress",
                   "status", "latest", "updated", "note", "exemplar"):
        assert (old[column] == new[column]) or (old[column] != old[column] and new[column] != new[column]), column


def test_a_close_date_is_pinned_by_history(simulation) -> None:  # type: ignore[no-untyped-def]
    _, checks, history, key, book, staff = simulation
    assert CLOSED not in checks[date(2026, 10, 13)]["first_closed"]  # closed in the afternoon
    assert checks[date(2026, 10, 14)]["first_closed"][CLOSED] == datetime(2026, 10, 13)
    assert checks[date(2026, 11, 3)]["first_closed"][CLOSED] == datetime(2026, 10, 13)
    # The caught-up bulletin (run on 22 Oct as of Monday 19 Oct) reports the week 12–18 Oct. Staff closed
    # the task on the 13th and touched it again on the 20th: only the history knows it closed that week.
    bulletin = checks[date(2026, 10, 22)]["tabs"]["周报表"]
    assert bulletin[0][0] == "周报表 · 周通报 2026年10月12日—10月18日（数据截至 2026-10-19）"
    assert mentions(block(bulletin, "周内闭合"), CLOSED)
    assert staff.without_history is not None
    assert not mentions(block(staff.without_history.tabs["周报表"], "周内闭合"), CLOSED)  # 更新日期 says the 20th


def test_change_dispatch_lists_a_moved_deadline_the_next_day_only(simulation) -> None:  # type: ignore[no-untyped-def]
    checks = simulation[1]
    assert not mentions(checks[date(2026, 10, 26)]["tabs"]["变化调度"], MOVED)
    assert mentions(checks[date(2026, 10, 27)]["tabs"]["变化调度"], MOVED)
    assert not mentions(checks[date(2026, 10, 28)]["tabs"]["变化调度"], MOVED)


def test_caught_up_periodic_reports_cover_the_right_periods(simulation) -> None:  # type: ignore[no-untyped-def]
    _, checks, history, key, book, staff = simulation
    assert book.tabs["月考核"][0][0] == "月考核 · 2026年10月（数据截至 2026-11-02）"
    assert book.tabs["周报表"][0][0] == "周报表 · 周通报 2026年10月26日—11月01日（数据截至 2026-11-02）"
    assert checks[date(2026, 10, 8)]["tabs"]["季例会"][0][0].startswith("季例会 · 2026年第3季度")
    assert checks[date(2026, 10, 8)]["tabs"]["月考核"][0][0].startswith("月考核 · 2026年9月")
    months = history.db.execute("SELECT DISTINCT s.year, s.month FROM scores s JOIN runs r ON r.id = s.run "
                                "WHERE r.as_of = '2026-11-02' ORDER BY 1, 2").fetchall()
    assert months == [(2026, 10), (2026, 11)]  # the back-dated run kept the assessment it published
