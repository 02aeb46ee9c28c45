"""What a sync leaves in the history, what the engine reads back, and that a crash leaves it intact."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import sqlite3
import zlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sync.assessment import line_facts
from sync.backends.memory import MemoryBook
from sync.engine import SyncOutcome, run_sync
from sync.errors import DispatchError
from sync.history import MOVING, VERSION, History
from sync.history_views import Labels, find_book, restore, runs, timeline, unit_month
from sync.schema import month_tab_name
from tests import history_scenario as scenario
from tests.rhythm_helpers import Clock, at, example_book, set_cell

KEY = "file:/books/台账.xlsx"
OCT, SEP = month_tab_name(2026, 10), month_tab_name(2026, 9)
TASK = "JH-2026-028-JC01"  # 新闻宣传报道 · 一矿党委, in every month's sheet


def sync(history: History, book: MemoryBook, moment: datetime, as_of: date | None = None,
         jobs: tuple[str, ...] = ("daily",)) -> SyncOutcome:
    memory = history.for_book(KEY, "集团台账", moment, Clock(moment))
    return run_sync(book, as_of or moment.date(), jobs=list(jobs), memory=memory)


@pytest.fixture
def book() -> MemoryBook:
    return example_book(date(2026, 10, 7))  # September's and October's sheets


@pytest.fixture
def history(tmp_path: Path) -> History:
    return History(tmp_path / "history.sqlite")


def rows(outcome: SyncOutcome) -> set[tuple[str, str, str, str]]:
    """(tab, id, kind, colour) of every task the sync classified: what a snapshot must hold."""
    return {(outcome.state.book.months[m].sheet, i, k, c) for m, f in outcome.state.months.items()
            for i, k, c in zip(f["id"], f["kind"], f["colour"], strict=True)}


def held(snapshot: pd.DataFrame | None) -> set[tuple[str, str, str, str]]:
    assert snapshot is not None
    return set(zip(snapshot["tab"], snapshot["id"], snapshot["kind"], snapshot["colour"], strict=True))


def test_previous_is_the_last_snapshot_of_an_earlier_day(history: History, book: MemoryBook) -> None:
    assert history.previous(KEY, date(2026, 10, 9)) is None
    first = sync(history, book, at(10, 8, 7, 30))
    second = sync(history, book, at(10, 9, 7, 30))
    assert history.previous(KEY, date(2026, 10, 8)) is None
    assert held(history.previous(KEY, date(2026, 10, 9))) == rows(first)
    assert held(history.previous(KEY, date(2026, 10, 20))) == rows(second)
    snapshot = history.previous(KEY, date(2026, 10, 9))
    assert list(dict.fromkeys(snapshot["tab"])) == [OCT, SEP]  # newest sheet first
    mine = snapshot[(snapshot["tab"] == OCT) & (snapshot["id"] == TASK)].iloc[0]
    task = first.state.months[(2026, 10)].set_index("id").loc[TASK]
    for field in ("unit", "deadline", "progress", "status", "closed", "kind", "colour"):
        assert mine[field] == task[field] or (pd.isna(mine[field]) and pd.isna(task[field])), field
    assert history.previous("file:/another.xlsx", date(2026, 10, 20)) is None


def test_a_later_sync_on_the_same_day_replaces_that_days_snapshot(history: History, book: MemoryBook) -> None:
    sync(history, book, at(10, 8, 7, 30))
    sync(history, book, at(10, 9, 7, 30))
    set_cell(book.tabs[OCT], TASK, "截止日期", date(2026, 10, 9))  # now overdue tomorrow
    later = sync(history, book, at(10, 9, 16), jobs=("weekly",))
    assert history.db.execute("SELECT COUNT(*) FROM snapshots").fetchone() == (2,)
    assert held(history.previous(KEY, date(2026, 10, 10))) == rows(later)
    assert history.db.execute("SELECT COUNT(*) FROM runs").fetchone() == (3,)  # every run is kept
    open_rows = history.db.execute("SELECT COUNT(*), COUNT(DISTINCT year || month || id) FROM tasks "
                                   "WHERE until = '9999-12-31'").fetchone()
    assert open_rows == (len(rows(later)), len(rows(later)))  # the morning's rows of that day are gone
    assert history.db.execute("SELECT COUNT(*) FROM tasks WHERE until <= since").fetchone() == (0,)


def test_only_what_changed_is_stored(history: History, book: MemoryBook) -> None:
    first = sync(history, book, at(10, 8, 7, 30))
    stored = history.db.execute("SELECT COUNT(*) FROM tasks").fetchone()[0]
    assert stored == len(rows(first))
    sync(history, book, at(10, 9, 7, 30))
    colours = {(i, c) for _, i, _, c in rows(first)}
    set_cell(book.tabs[OCT], TASK, "最新进展", "已上报")  # one cell staff see, nothing the sync reads
    third = sync(history, book, at(10, 12, 7, 30))
    moved = {i for _, i, _, c in rows(third) if (i, c) not in colours}  # days passed: some colours moved
    grown = history.db.execute("SELECT COUNT(*) FROM tasks").fetchone()[0] - stored
    changed = history.db.execute("SELECT DISTINCT id FROM tasks WHERE since > '2026-10-08'").fetchall()
    assert {i for (i,) in changed} >= {TASK} | moved
    assert grown < stored // 4  # not a second copy of the sheets
    september = history.db.execute("SELECT COUNT(*), COUNT(DISTINCT id) FROM tasks WHERE month = 9").fetchone()
    assert september[0] == september[1]  # last month, judged at its month end, reads the same every day
    lines = history.db.execute("SELECT COUNT(*) FROM line_rows").fetchone()
    sync(history, book, at(10, 12, 16))  # the same lines again: no line is stored twice
    assert history.db.execute("SELECT COUNT(*) FROM line_rows").fetchone() == lines
    assert len(history.lines(4, 2026, 10)) > 0
    assert history.lines(4, 2026, 10).equals(history.lines(3, 2026, 10))
    assert history.db.execute("SELECT c.row FROM tasks t JOIN cells c ON c.hash = t.cells "
                              "WHERE t.id = ? AND t.until = '9999-12-31' AND t.month = 10", (TASK,)).fetchone()[0] \
        .count("已上报") == 1
    cells = history.db.execute("SELECT COUNT(*) FROM cells").fetchone()[0]
    assert cells < history.db.execute("SELECT COUNT(*) FROM tasks").fetchone()[0]  # a colour alone: no new cells


def test_a_run_as_of_another_day_is_recorded_without_a_snapshot(history: History, book: MemoryBook) -> None:
    sync(history, book, at(10, 12, 9, 15), as_of=date(2026, 10, 8), jobs=("monthly",))
    assert history.db.execute("SELECT COUNT(*) FROM snapshots").fetchone() == (0,)
    assert history.db.execute("SELECT as_of, ok, jobs FROM runs").fetchall() == [("2026-10-08", 1, '["monthly"]')]
    # it covers the job's times up to the end of its own day only
    assert history.last_done(KEY) == {"monthly": datetime(2026, 10, 8, 15, 59, 59, tzinfo=UTC)}
    months = history.db.execute("SELECT DISTINCT year, month FROM scores ORDER BY 1, 2").fetchall()
    assert months == [(2026, 9), (2026, 10)]  # September: what the monthly job published


def test_last_done_counts_successful_runs_only(history: History, book: MemoryBook) -> None:
    sync(history, book, at(10, 8, 7, 30), jobs=("daily", "weekly"))
    history.record_failure(KEY, "集团台账", at(10, 9, 7, 30), at(10, 9, 7, 31), date(2026, 10, 9), ["daily"], "坏了")
    assert history.last_done(KEY) == {"daily": at(10, 8, 7, 30), "weekly": at(10, 8, 7, 30)}
    assert history.db.execute("SELECT ok, error FROM runs ORDER BY id").fetchall() == [(1, ""), (0, "坏了")]


def test_close_dates_are_pinned_per_month_sheet(history: History, book: MemoryBook) -> None:
    sync(history, book, at(10, 8, 7, 30))
    set_cell(book.tabs[OCT], TASK, "状态", "已完成")
    set_cell(book.tabs[OCT], TASK, "更新日期", date(2026, 10, 8))
    sync(history, book, at(10, 9, 7, 30))
    set_cell(book.tabs[OCT], TASK, "更新日期", date(2026, 10, 12))  # touched again later
    sync(history, book, at(10, 13, 7, 30))
    assert history.first_closed(KEY, (2026, 10))[TASK] == pd.Timestamp(2026, 10, 8)
    september = book.tabs[SEP]
    closed_in_september = history.first_closed(KEY, (2026, 9))
    assert closed_in_september.index.isin(pd.Index([r[0] for r in september[1:]])).all()
    assert history.first_closed(KEY, (2026, 11)).empty


def test_sheet_ids_remember_every_task_ever_seen(history: History, book: MemoryBook) -> None:
    sync(history, book, at(10, 8, 7, 30))
    first = history.sheet_ids(KEY, (2026, 10))
    gone = next(iter(sorted(first)))
    book.tabs[OCT] = [r for r in book.tabs[OCT] if not r or r[0] != gone]
    sync(history, book, at(10, 9, 7, 30))
    assert gone in history.sheet_ids(KEY, (2026, 10))
    assert history.sheet_ids(KEY, (2026, 10)) == first
    assert history.sheet_ids(KEY, (2026, 12)) == frozenset()


def test_a_failing_record_stores_nothing(history: History, book: MemoryBook, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sync(history, book, at(10, 8, 7, 30))
    before = held(history.previous(KEY, date(2026, 10, 20)))
    calls = []
    original = History._lines

    def breaks(self: History, *args: object) -> None:  # the lines are stored, then the tasks cannot be
        calls.append(1)
        original(self, *args)  # type: ignore[arg-type]
        raise OSError("disk full")

    monkeypatch.setattr(History, "_lines", breaks)
    with pytest.raises(OSError):
        sync(history, book, at(10, 9, 7, 30))
    assert len(calls) == 1
    assert history.db.execute("SELECT COUNT(*) FROM runs").fetchone() == (1,)
    assert held(history.previous(KEY, date(2026, 10, 20))) == before


class Stalling(History):
    """Stops for good half-way through storing a snapshot, after telling the test it got there."""

    marker: Path

    def _advance(self, *args: Any) -> None:
        super()._advance(*args)
        self.marker.write_text("half-way")
        multiprocessing.Event().wait(120)


def _sync_and_stall(folder: str) -> None:
    history = Stalling(Path(folder) / "history.sqlite")
    history.marker = Path(folder) / "half-way"
    book = example_book(date(2026, 10, 7))
    set_cell(book.tabs[OCT], TASK, "截止日期", date(2026, 10, 9))
    sync(history, book, at(10, 9, 7, 30))


def test_killing_a_sync_mid_write_leaves_the_history_consistent(tmp_path: Path, book: MemoryBook) -> None:
    history = History(tmp_path / "history.sqlite")
    first = sync(history, book, at(10, 8, 7, 30))
    history.close()
    child = multiprocessing.get_context("spawn").Process(target=_sync_and_stall, args=(str(tmp_path),))
    child.start()
    for _ in range(600):
        if (tmp_path / "half-way").exists() or not child.is_alive():
            break
        multiprocessing.Event().wait(0.1)
    assert (tmp_path / "half-way").exists()
    os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
    child.join()

    raw = sqlite3.connect(tmp_path / "history.sqlite")
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    raw.close()
    history = History(tmp_path / "history.sqlite")
    assert history.db.execute("SELECT COUNT(*), MAX(as_of) FROM runs").fetchone() == (1, "2026-10-08")
    assert history.db.execute("SELECT day FROM snapshots").fetchall() == [("2026-10-08",)]
    assert held(history.previous(KEY, date(2026, 10, 20))) == rows(first)
    assert history.db.execute("SELECT COUNT(*) FROM tasks WHERE since > '2026-10-08'").fetchone() == (0,)
    again = sync(history, book, at(10, 9, 7, 30))  # and the next sync records normally
    assert held(history.previous(KEY, date(2026, 10, 20))) == rows(again)


def test_a_newer_history_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    History(path).close()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version = 99")
    raw.close()
    with pytest.raises(DispatchError, match="更新版本"):
        History(path)


FIXTURE = Path(__file__).resolve().parent / "data" / "history-v2.sqlite"  # tests/history_scenario.py, version 2
FIXTURE_3 = FIXTURE.with_name("history-v3.sqlite")  # the same, stored by the version-3 history


def answers(history: History) -> dict[str, object]:
    """What the engine and ``dispatchbook history`` ask of a history, for the scenario's book."""
    labels = Labels({}, {})
    found: dict[str, object] = {}
    for day in (date(2026, 10, 9), date(2026, 10, 10), date(2026, 10, 13), date(2026, 10, 20)):
        snapshot = history.previous(scenario.KEY, day)
        assert snapshot is not None
        found[f"previous {day}"] = plain(snapshot.sort_values(["year", "month", "id"], ascending=[False, False, True]))
    for month in ((2026, 9), (2026, 10)):
        found[f"first_closed {month}"] = history.first_closed(scenario.KEY, month).sort_index().to_dict()
        found[f"sheet_ids {month}"] = history.sheet_ids(scenario.KEY, month)
    gone = sorted(history.sheet_ids(scenario.KEY, (2026, 10)) - set(history.previous(scenario.KEY, date(2026, 10, 20))
                                                                     .query("month == 10")["id"]))
    assert gone
    for task in (scenario.TASK, *gone):
        found[f"timeline {task}"] = plain(timeline(history, scenario.KEY, task, labels))
        found[f"restore {task}"] = restore(history, scenario.KEY, scenario.LABEL, task)
    unit = history.db.execute("SELECT unit FROM scores ORDER BY unit LIMIT 1").fetchone()[0]
    for upto in (date(2026, 10, 8), None):
        month = unit_month(history, scenario.KEY, unit, (2026, 10), upto)
        found[f"unit_month {upto}"] = (plain(month.scores), plain(month.lines), month.day)
    found["runs"] = plain(runs(history, scenario.KEY))
    found["find_book"] = find_book(history, None, scenario.TASK)
    return found


def plain(frame: pd.DataFrame) -> dict[str, list[object]]:
    """Columns as lists, None for every missing value (NaN is not equal to itself)."""
    frame = frame.reset_index(drop=True).astype(object)
    return frame.where(frame.notna(), None).to_dict("list")


def test_a_version_2_history_upgrades_itself_and_answers_the_same(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURE, path)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone() == (2,)
    assert raw.execute("SELECT COUNT(*) FROM versions").fetchone()[0] > 0  # written by the version-2 history
    raw.close()
    upgraded = History(path)
    assert upgraded.db.execute("PRAGMA user_version").fetchone() == (VERSION,)
    tables = {t for (t,) in upgraded.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not tables & {"versions", "lines", "old_tasks", "old_sheets", "old_lines", "old_cells"}
    fresh = History(tmp_path / "new.sqlite")
    scenario.play(fresh)
    assert answers(upgraded) == answers(fresh)
    stored = "SELECT year, month, id, hash, since, until FROM tasks ORDER BY 1, 2, 3, 5"
    assert upgraded.db.execute(stored).fetchall() == fresh.db.execute(stored).fetchall()  # the same spans
    upgraded.close()
    assert History(path).db.execute("PRAGMA user_version").fetchone() == (VERSION,)  # opened again: nothing to do


def test_a_version_1_history_gains_the_facts_of_its_lines(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    shutil.copyfile(FIXTURE, path)
    raw = sqlite3.connect(path)  # version 1: the same, but lines without the facts they were judged on
    raw.execute("ALTER TABLE lines DROP COLUMN facts")
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    count = raw.execute("SELECT COUNT(*) FROM lines").fetchone()[0]
    raw.close()
    history = History(path)
    assert history.db.execute("PRAGMA user_version").fetchone() == (VERSION,)
    runs = history.db.execute("SELECT run, year, month FROM run_lines").fetchall()
    lines = pd.concat([history.lines(*r) for r in runs])
    assert (len(lines), lines["facts"].notna().sum()) == (count, 0)
    history.close()


def test_a_version_3_history_upgrades_itself_and_answers_the_same(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURE_3, path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone() == (3,)
    upgraded = History(path)
    assert upgraded.db.execute("PRAGMA user_version").fetchone() == (VERSION,)
    tables = {t for (t,) in upgraded.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not tables & {"line_sets", "old_run_lines"}
    fresh = History(tmp_path / "new.sqlite")
    scenario.play(fresh)
    assert answers(upgraded) == answers(fresh)
    stored = "SELECT year, month, hash, first, place, last FROM line_rows ORDER BY 1, 2, 3, 4, 5"
    assert upgraded.db.execute(stored).fetchall() == fresh.db.execute(stored).fetchall()  # the same spans
    stored = "SELECT year, month, id, hash, since, until FROM tasks ORDER BY 1, 2, 3, 5"
    assert upgraded.db.execute(stored).fetchall() == fresh.db.execute(stored).fetchall()


def test_a_days_lines_store_only_what_changed(history: History, book: MemoryBook) -> None:
    first, second = (sync(history, book, at(10, day, 7, 30)) for day in (8, 9))
    rows = history.db.execute("SELECT COUNT(*), SUM(last = 2), SUM(first = 2) FROM line_rows "
                              "WHERE year = 2026 AND month = 10").fetchone()
    judged = [o.state.assessment((2026, 10)).lines for o in (first, second)]
    assert rows[0] - rows[2] == len(judged[0]) and rows[2] < len(judged[1])  # day 2 stored only new lines
    assert rows[2] - rows[1] == len(judged[1]) - len(judged[0])
    for (moving,) in history.db.execute("SELECT moving FROM run_lines"):
        assert set(json.loads(zlib.decompress(moving))) >= set(MOVING)  # kept with each run
    for run, lines in zip((1, 2), judged, strict=True):
        stored = history.lines(run, 2026, 10)
        assert stored[["id", "rule"]].values.tolist() == lines[["id", "rule"]].values.tolist()
        assert stored["facts"].tolist() == line_facts(lines).tolist()  # with the day's moving facts


def test_moving_facts_come_back_exactly_as_given() -> None:
    from sync.history import _factorized, _unfactorized  # noqa: PLC0415

    for column in (pd.Series([1.5, -0.0, 0.0, float("nan"), 1.5, 200 / 3]), pd.Series([3, 1, 3]),
                   pd.Series([1, None], dtype="Int64"), pd.Series([None, 2.0, "x"], dtype=object)):
        back = json.loads(json.dumps(_unfactorized(json.loads(json.dumps(_factorized(column))))))
        given = column.astype(object).where(column.notna(), None).tolist()
        assert [repr(v) for v in back] == [repr(v) for v in given]


def test_task_and_line_hashes_are_those_of_the_stored_forms() -> None:
    """The hashes computed once per distinct value are those of the stored values as a whole (the ones
    older versions stored), so that an unchanged task or line keeps its span across the upgrade."""
    from sync import history as h  # noqa: PLC0415

    days = pd.to_datetime(pd.Series(["2026-10-01", None, "2026-10-01", "2026-11-30"]))
    frame = pd.DataFrame({
        "id": ["A", "B", "C", "D"], "name": ["甲", None, "丙", "丁"], "category": ["x", "x", "y", None],
        "source": ["s"] * 4, "lead_dept": [None] * 4, "unit": ["U1", "U2", "U1", "U3"],
        "unit_name": pd.Series(["一矿", None, "一矿", None], dtype="string"), "owner": ["o", "p", "o", "o"],
        "start": days, "deadline": days[::-1].reset_index(drop=True), "updated": days,
        "progress": [50.0, None, 100.0, 0.5], "status": ["open", "closed", None, "open"], "latest": ["", "l", "", None],
        "note": [None, "n", None, None], "exemplar": [True, False, False, True], "closed": [False, True, False, False],
        "closed_on": days, "kind": pd.Series(["a", None, "b", "a"], dtype="string"),
        "colour": pd.Series(["red", "green", None, "red"], dtype="string"), "year": 2026, "month": [10, 10, 11, 11]})
    fields, shown = h._fields(frame), h._shown(frame)
    cells = pd.util.hash_pandas_object(h._filled(shown), index=False).to_numpy()
    text = h._filled(fields.drop(columns=["progress", "closed"]))
    both = pd.DataFrame({**{f"f{i}": text.iloc[:, i].to_numpy() for i in range(text.shape[1])},
                         "progress": fields["progress"].astype(float).to_numpy(),
                         "closed": fields["closed"].astype(float).to_numpy(), "cells": cells})
    columns = dict(frame.items())
    keys = h._hashed(frame, h._field_columns(columns), h._shown_columns(columns))
    assert keys["cells"].tolist() == cells.view("int64").tolist()
    assert keys["hash"].tolist() == pd.util.hash_pandas_object(both, index=False).to_numpy().view("int64").tolist()
    lines = frame[["unit", "id", "name", "progress", "deadline", "exemplar"]].assign(points=[-1.0, -0.5, 2, None])
    names = list(lines)
    stored = h._plain(lines.assign(deadline=h._days(lines["deadline"]))).assign(columns=h._json(names))
    assert h._line_hashes(lines, names, {"deadline"}).tolist() == \
        pd.util.hash_pandas_object(h._filled(stored), index=False).to_numpy().view("int64").tolist()
