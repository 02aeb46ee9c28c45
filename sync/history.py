"""The sync's memory in SQLite: a snapshot of every task per day, assessment lines, run records.

A book is known by a stable key (see :func:`config.book_key`), not by its label. Each successful
sync stores its run record with the scores and lines of the as-of month (and of the month the
monthly job reported, when it ran) and, when its as-of day is the day it ran, that day's snapshot:
every task of every month sheet with its fields, kind and colour. A later sync on the same day
replaces that day's snapshot. Everything one sync stores is written in one transaction: a crash
leaves the previous state intact.

Only what changed is stored. A task's row (its fields, and its cells as staff see them, for
``history --restore``) is kept as a *span* of snapshot days: from the first snapshot that saw it so
(``since``) to the first that no longer did (``until``; :data:`OPEN` while it still does). A snapshot day's
tasks are the rows whose span covers it; cells are stored once per distinct content. A month's
assessment lines (with the facts each was judged on) are spans too, of the runs that stored the month;
only the facts that move with the date (MOVING) are kept with every run.

The book write and its record never silently diverge: a sync's rows are stored in a transaction
opened before the book is written and committed after it (see :meth:`History.recording`). A database
that is damaged, foreign, locked for longer than :data:`LOCK_WAIT_SECONDS` or full raises
:class:`errors.HistoryStoreError` (exit 5) naming the file.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime, time
from functools import partial
from pathlib import Path
from time import monotonic, sleep
from typing import Any

import numpy as np
import pandas as pd

from .assessment import FACTS, line_facts
from .engine import SyncOutcome
from .errors import DispatchError, HistoryStoreError
from .schema import DISTINCT, MONTH, STATUS_LABELS
from .staffsheets import cell_value

VERSION = 4  # 2: lines.facts; 3: tasks kept as spans of days, cells and line sets once per content;
# 4: assessment lines kept as spans of runs, the facts that move with the date per run; open spans end on OPEN
LOCK_WAIT_SECONDS = 60.0  # how long a sync waits for another process's transaction before giving up
ROW_KEYS = [c.key for c in MONTH.columns]
TASK_FIELDS = ["id", "unit", "deadline", "progress", "status", "closed", "closed_on", "kind", "colour"]
LINE_FIELDS = ["id", "name", "rule", "rule_label", "points", "facts"]
LINE_COLUMNS = ["unit", *LINE_FIELDS]
OPEN = "9999-12-31"  # the ``until`` of a span still open: a day's length, so that ending it rewrites it in place
OPEN_RUN = 2**31 - 1  # the ``last`` of a line still given: no shorter than a run id, so ending it shrinks the row
MOVING = ["expected_progress", "days_overdue"]  # a line's facts that move with the date, not with the book
MISSING = "\x00"  # stands for a missing value when hashing (no cell can hold it)
RUNS = """
CREATE TABLE books (key TEXT PRIMARY KEY, label TEXT NOT NULL, first_seen TEXT NOT NULL);
CREATE TABLE runs (id INTEGER PRIMARY KEY, book TEXT NOT NULL REFERENCES books(key), label TEXT NOT NULL,
    started TEXT NOT NULL, finished TEXT NOT NULL, as_of TEXT NOT NULL, ok INTEGER NOT NULL,
    jobs TEXT NOT NULL, written TEXT NOT NULL, problems TEXT NOT NULL, error TEXT NOT NULL);
CREATE INDEX runs_book ON runs(book, started);
CREATE TABLE run_jobs (run INTEGER NOT NULL REFERENCES runs(id), job TEXT NOT NULL, covers TEXT NOT NULL);
CREATE INDEX run_jobs_run ON run_jobs(run);
CREATE TABLE scores (run INTEGER NOT NULL REFERENCES runs(id), year INTEGER NOT NULL, month INTEGER NOT NULL,
    unit TEXT NOT NULL, unit_name TEXT, level TEXT, score REAL, rank INTEGER, deductions REAL, bonuses REAL);
CREATE INDEX scores_unit ON scores(unit, year, month);
CREATE TABLE snapshots (id INTEGER PRIMARY KEY, book TEXT NOT NULL REFERENCES books(key), day TEXT NOT NULL,
    run INTEGER NOT NULL REFERENCES runs(id), UNIQUE (book, day));
"""
SPANS = """
CREATE TABLE book_ids (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE REFERENCES books(key));
CREATE TABLE sheets (snapshot INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE, tab TEXT NOT NULL,
    year INTEGER NOT NULL, month INTEGER NOT NULL, columns TEXT NOT NULL);
CREATE INDEX sheets_snapshot ON sheets(snapshot);
CREATE TABLE cells (hash INTEGER PRIMARY KEY, row TEXT NOT NULL);
CREATE TABLE tasks (book INTEGER NOT NULL REFERENCES book_ids(id), year INTEGER NOT NULL, month INTEGER NOT NULL,
    id TEXT NOT NULL, unit TEXT, deadline TEXT, progress REAL, status TEXT, closed INTEGER NOT NULL, closed_on TEXT,
    kind TEXT, colour TEXT, cells INTEGER NOT NULL REFERENCES cells(hash), hash INTEGER NOT NULL,
    since TEXT NOT NULL, until TEXT NOT NULL);
CREATE INDEX tasks_span ON tasks(book, until);
CREATE INDEX tasks_month ON tasks(book, year, month);
CREATE INDEX tasks_id ON tasks(id);
"""
LINES = """
CREATE TABLE run_lines (run INTEGER NOT NULL REFERENCES runs(id), year INTEGER NOT NULL, month INTEGER NOT NULL,
    columns TEXT NOT NULL, moving BLOB NOT NULL, added BLOB NOT NULL);
CREATE INDEX run_lines_run ON run_lines(run);
CREATE TABLE line_rows (book INTEGER NOT NULL REFERENCES book_ids(id), year INTEGER NOT NULL, month INTEGER NOT NULL,
    hash INTEGER NOT NULL, first INTEGER NOT NULL REFERENCES runs(id), place INTEGER NOT NULL, last INTEGER NOT NULL);
CREATE INDEX line_rows_span ON line_rows(book, year, month, last);
"""
SEEN = ("JOIN book_ids b ON b.id = t.book "
        "JOIN snapshots n ON n.book = b.key AND n.day >= t.since AND n.day < t.until "
        "JOIN sheets s ON s.snapshot = n.id AND s.year = t.year AND s.month = t.month JOIN cells c ON c.hash = t.cells")
"""Joins each task row of ``tasks t`` to its book's key ``b.key``, to the snapshots ``n`` and month
sheets ``s`` it was in, and to its cells ``c.row``."""
KEYS = ["year", "month", "id", "hash", "cells"]  # what tells whether a task's stored row changed
BOOK = "(SELECT id FROM book_ids WHERE key = ?)"
ALIVE = "SELECT * FROM tasks WHERE book = :book AND until > :day AND since <= :day"
"""The task rows of one book's snapshot of ``:day``."""


def stamp(moment: datetime) -> str:
    """A sortable UTC text for an aware datetime."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def unstamp(text: str) -> datetime:
    return datetime.fromisoformat(text)


class History:
    """One SQLite database holding the history of any number of books."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level=None, timeout=LOCK_WAIT_SECONDS, factory=_Guarded,
                                      check_same_thread=False)  # see recall.py: used by one thread at a time
        except (OSError, sqlite3.Error) as exc:
            raise store_error(path, exc) from None
        self.db.path = path
        _use_wal(self.db, path)
        self.db.execute("PRAGMA synchronous = FULL")
        self.db.execute("PRAGMA foreign_keys = ON")
        with self.transaction():
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > VERSION:
                raise DispatchError(path.name, "历史数据库由更新版本的 dispatchbook 创建", "请升级 dispatchbook")
            if version == 0:
                if self.db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]:
                    raise HistoryStoreError(path.name, "这是别的程序的数据库，不是 dispatchbook 的历史数据库",
                                            "请在配置中为历史数据库另选一个文件名")
                self._create(RUNS + SPANS + LINES)
            if version == 1:  # lines gain the facts they were judged on (older lines have none)
                self.db.execute("ALTER TABLE lines ADD COLUMN facts TEXT")
            if version in (1, 2):
                self._upgrade_to_spans()
            if version == 3:
                self._upgrade_lines_to_spans()
            if version != VERSION:
                self.db.execute(f"PRAGMA user_version = {VERSION}")

    def _create(self, schema: str) -> None:
        for statement in schema.split(";"):
            if statement.strip():
                self.db.execute(statement)

    def _upgrade_to_spans(self) -> None:
        """Version 2 → 3: every stored snapshot and run's lines played again, in order, into spans and
        line sets (the same queries then give the same answers); the old tables are dropped."""
        for index in ("lines_run", "sheets_snapshot", "sheets_version", "tasks_version", "tasks_id"):
            self.db.execute(f"DROP INDEX IF EXISTS {index}")
        for table in ("lines", "sheets", "tasks", "cells"):
            self.db.execute(f"ALTER TABLE {table} RENAME TO old_{table}")
        self._create(SPANS + LINES)
        snapshots = self.db.execute("SELECT id, book, day FROM snapshots ORDER BY book, day").fetchall()
        for snapshot, key, day in snapshots:
            self.db.execute("INSERT INTO sheets SELECT snapshot, tab, year, month, columns FROM old_sheets "
                            "WHERE snapshot = ?", (snapshot,))
            tasks = pd.read_sql_query(
                f"SELECT s.year, s.month, {', '.join('t.' + f for f in TASK_FIELDS)}, c.row FROM old_sheets s "
                "JOIN old_tasks t ON t.version = s.version JOIN old_cells c ON c.hash = t.cells WHERE s.snapshot = ? "
                "ORDER BY s.year, s.month, t.rowid", self.db, params=(snapshot,))
            fields = tasks[TASK_FIELDS].astype(object).assign(
                progress=tasks["progress"].astype(float), closed=tasks["closed"].astype(int))
            shown = pd.DataFrame([json.loads(r) for r in tasks["row"]], columns=ROW_KEYS, index=tasks.index)
            self._advance(self._book_id(key), day, _hashed(tasks, {f: (fields[f], None) for f in TASK_FIELDS},
                                                           {k: (shown[k], None) for k in ROW_KEYS}),
                          partial(_stored_as_read, tasks))
        self.db.execute("CREATE INDEX old_lines_run ON old_lines(run, year, month)")
        for run, year, month in self.db.execute("SELECT DISTINCT run, year, month FROM old_lines ORDER BY 1, 2, 3") \
                .fetchall():
            self._lines(run, year, month, pd.read_sql_query(
                f"SELECT {', '.join(LINE_COLUMNS)} FROM old_lines WHERE run = ? AND year = ? AND month = ? ORDER BY rowid",
                self.db, params=(run, year, month)))
        for table in ("old_lines", "old_tasks", "old_sheets", "old_cells", "versions"):
            self.db.execute(f"DROP TABLE {table}")

    def _upgrade_lines_to_spans(self) -> None:
        """Version 3 → 4: every run's line set played again, in order, into spans of lines; the line
        sets are dropped. Open task spans end on :data:`OPEN` instead of NULL."""
        self.db.execute("UPDATE tasks SET until = ? WHERE until IS NULL", (OPEN,))
        self.db.execute("DROP INDEX tasks_span")
        self.db.execute("CREATE INDEX tasks_span ON tasks(book, until)")
        self.db.execute("DROP INDEX run_lines_run")
        self.db.execute("ALTER TABLE run_lines RENAME TO old_run_lines")
        self._create(LINES)
        for run, year, month, packed in self.db.execute(
                "SELECT r.run, r.year, r.month, l.lines FROM old_run_lines r JOIN line_sets l ON l.id = r.line_set "
                "ORDER BY r.run, r.year, r.month").fetchall():
            self._lines(run, year, month, pd.DataFrame(json.loads(zlib.decompress(packed))))
        for table in ("old_run_lines", "line_sets"):
            self.db.execute(f"DROP TABLE {table}")

    def _book_id(self, key: str) -> int:
        self.db.execute("INSERT OR IGNORE INTO book_ids (key) VALUES (?)", (key,))
        return int(self.db.execute("SELECT id FROM book_ids WHERE key = ?", (key,)).fetchone()[0])

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing; IMMEDIATE so that two writers queue instead of failing half-way."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self._roll_back()
            raise
        self.db.execute("COMMIT")

    # ---- what the scheduler asks -------------------------------------------------------------

    def see(self, key: str, label: str, when: datetime) -> None:
        """Remember a book from ``when`` on (the scheduler catches up nothing from before that day)."""
        with self.transaction():
            self._see(key, label, when)

    def first_seen(self, key: str) -> datetime | None:
        row = self.db.execute("SELECT first_seen FROM books WHERE key = ?", (key,)).fetchone()
        return unstamp(row[0]) if row else None

    def last_done(self, key: str) -> dict[str, datetime]:
        """Job → the latest scheduled time a successful run of this book covered."""
        rows = self.db.execute("SELECT j.job, MAX(j.covers) FROM run_jobs j JOIN runs r ON r.id = j.run "
                               "WHERE r.book = ? AND r.ok = 1 GROUP BY j.job", (key,))
        return {job: unstamp(covers) for job, covers in rows}

    def for_book(self, key: str, label: str, started: datetime, clock: Callable[[], datetime]) -> BookMemory:
        """The :class:`engine.Memory` of one sync of one book that starts at ``started``."""
        return BookMemory(self, key, label, started, clock)

    def record_failure(self, key: str, label: str, started: datetime, finished: datetime, as_of: date,
                       jobs: list[str], error: str) -> None:
        with self.transaction():
            self._see(key, label, started)
            self._run(key, label, started, finished, as_of, jobs, [], [], error)

    # ---- what the engine asks ----------------------------------------------------------------

    def previous(self, key: str, before: date, fields: Sequence[str] = TASK_FIELDS) -> pd.DataFrame | None:
        """The last snapshot of a day before ``before``: one row per task and month sheet (its tab, year,
        month and ``fields``), the latest month sheet first (so ``drop_duplicates('id')`` keeps a
        carried-over task's newest row). Read sheet by sheet, only the fields asked for."""
        found = self.db.execute("SELECT n.id, n.day, b.id FROM snapshots n JOIN book_ids b ON b.key = n.book "
                                "WHERE n.book = ? AND n.day < ? ORDER BY n.day DESC LIMIT 1",
                                (key, before.isoformat())).fetchone()
        if found is None:
            return None
        snapshot, day, book = found
        columns = ["tab", "year", "month", *fields]
        frames = [pd.DataFrame(self.db.execute(f"SELECT {', '.join(fields)} FROM ({ALIVE}) "
                                               "WHERE year = :year AND month = :month",
                                               {"book": book, "day": day, "year": year, "month": month}).fetchall(),
                               columns=list(fields)).assign(tab=tab, year=year, month=month)[columns]
                  for tab, year, month in self.db.execute("SELECT tab, year, month FROM sheets WHERE snapshot = ? "
                                                          "ORDER BY year DESC, month DESC", (snapshot,))]
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
        for column in ("deadline", "closed_on"):
            if column in frame:
                frame[column] = pd.to_datetime(frame[column])
        if "closed" in frame:
            frame["closed"] = frame["closed"].astype(bool)
        return frame

    def first_closed(self, key: str, month: tuple[int, int]) -> pd.Series:
        """Task id → its close date in the month's sheet as first recorded: the date the first snapshot
        that saw it closed gave it (staff's date then, or that day). Pinned: later edits to a closed task
        do not move it."""
        rows = self.db.execute(  # SQLite takes the other columns from the row with the MIN
            f"SELECT id, COALESCE(closed_on, since), MIN(since) FROM tasks WHERE book = {BOOK} AND year = ? AND month = ? "
            "AND closed = 1 GROUP BY id", (key, *month)).fetchall()
        ids, days, _ = zip(*rows, strict=True) if rows else ((), (), ())
        return pd.Series(pd.to_datetime(list(days)), index=list(ids), dtype="datetime64[ns]")

    def sheet_ids(self, key: str, month: tuple[int, int]) -> frozenset[str]:
        """Every task id any snapshot of the book saw in the month's sheet."""
        rows = self.db.execute(f"SELECT id FROM tasks WHERE book = {BOOK} AND year = ? AND month = ?", (key, *month))
        return frozenset(i for (i,) in rows)

    # ---- writing one sync --------------------------------------------------------------------

    @contextmanager
    def recording(self, key: str, label: str, outcome: SyncOutcome, started: datetime,
                  clock: Callable[[], datetime]) -> Iterator[None]:
        """Store one successful sync around its book write (the ``with`` body): its rows go in first,
        in one transaction that the write's failure rolls back; the commit follows the write. Its
        snapshot only if its as-of day is the day it ran."""
        planned = outcome.plan.tab_names()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self._see(key, label, started)
            run = self._run(key, label, started, clock(), outcome.as_of, outcome.jobs, planned,
                            [p.to_dict() for p in outcome.problems])
            # A run covers a job's scheduled times up to the end of its as-of day: a replay of a past
            # day does not stand in for today's run.
            covers = stamp(min(started, datetime.combine(outcome.as_of, time.max, started.tzinfo)))
            self.db.executemany("INSERT INTO run_jobs VALUES (?, ?, ?)", [(run, j, covers) for j in outcome.jobs])
            self._assessments(run, outcome)
            outcome.snapshot = outcome.as_of == started.date() and self._snapshot(key, run, outcome)
            yield
        except HistoryStoreError as error:
            self._roll_back()
            raise HistoryStoreError(error.where, f"{error.message}，本次未写入工作簿", error.fix) from None
        except BaseException:
            self._roll_back()
            raise
        try:
            self.db.execute("UPDATE runs SET finished = ?, written = ? WHERE id = ?",
                            (stamp(clock()), _json(outcome.written), run))
            self.db.execute("COMMIT")
        except HistoryStoreError as error:
            self._roll_back()
            if outcome.written:  # the book is written: say so loudly, never silently
                raise HistoryStoreError(
                    error.where, f"工作簿已写入（{'、'.join(outcome.written)}），但本次同步未能记入历史：{error.message}",
                    f"{error.fix}；下次同步会重新记录当天的情况") from None
            raise

    def _roll_back(self) -> None:
        if self.db.in_transaction:  # SQLite may already have rolled back (a full disk, say)
            self.db.execute("ROLLBACK")

    def _see(self, key: str, label: str, when: datetime) -> None:
        self.db.execute("INSERT INTO books VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET label = excluded.label",
                        (key, label, stamp(when)))

    def _run(self, key: str, label: str, started: datetime, finished: datetime, as_of: date, jobs: list[str],
             written: list[str], problems: list[dict[str, object]], error: str = "") -> int:
        cursor = self.db.execute(
            "INSERT INTO runs (book, label, started, finished, as_of, ok, jobs, written, problems, error) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key, label, stamp(started), stamp(finished), as_of.isoformat(), int(not error), _json(jobs),
             _json(written), _json(problems), error))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _assessments(self, run: int, outcome: SyncOutcome) -> None:
        """Scores and lines of the as-of month, and of the month the monthly job reported if it ran."""
        state = outcome.state
        months = {state.month} | ({outcome.assessed_month} if "monthly" in outcome.jobs else set())
        for year, month in sorted(m for m in months if m in state.months):
            result = state.assessment((year, month))
            scores = result.scores[["unit", "unit_name", "level", "score", "rank", "deductions", "bonuses"]]
            self.db.executemany("INSERT INTO scores VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                [(run, year, month, *map(cell_value, row)) for row in scores.itertuples(index=False)])
            self._lines(run, year, month, result.lines[[*LINE_COLUMNS[:-1], *FACTS]])

    def _lines(self, run: int, year: int, month: int, lines: pd.DataFrame) -> None:
        """The month's lines (LINE_COLUMNS, with the FACTS they were judged on instead of their ``facts``
        text, which is built from them when read). Like tasks, each line without its MOVING facts is a
        row kept as a span of the book's runs that stored the month: from the first run that gave it so
        (``first``) to the first that no longer did (``last``; :data:`OPEN_RUN` while open); its values are the ``place``-th of the
        lines its first run ``added`` (compressed with that run). The MOVING facts, which change every
        day, are kept with the run, in the lines' order."""
        lines = lines.reset_index(drop=True)
        dates = {c for c in lines if pd.api.types.is_datetime64_any_dtype(lines[c])}
        columns = [c for c in lines if c not in MOVING]
        hashes = _line_hashes(lines, columns, dates)
        order = np.argsort(_canonical(_plain(lines[["unit", "id", "rule"]]), hashes), kind="stable")  # where each
        moving = {c: _factorized(lines[c]) for c in MOVING if c in lines}  # line stands when read
        if not (order == np.arange(len(order))).all():
            moving["order"] = order.tolist()
        book = self._book_id(self.db.execute("SELECT book FROM runs WHERE id = ?", (run,)).fetchone()[0])
        found = _integers(self.db.execute("SELECT rowid, hash FROM line_rows WHERE book = ? AND year = ? AND month = ? "
                                          "AND last = ?", (book, year, month, OPEN_RUN)), ["rowid", "hash"])
        open_keys, keys = _line_keys(found["hash"]), _line_keys(hashes)  # the same line may be given twice
        self.db.executemany("UPDATE line_rows SET last = ? WHERE rowid = ?",
                            [(run, r) for r in found["rowid"][~pd.Index(open_keys).isin(keys)].tolist()])
        started = ~pd.Index(keys).isin(open_keys)
        chosen = lines.loc[started, columns]
        values = _plain(chosen.assign(**{c: _days(chosen[c]) for c in dates}))
        self.db.execute("INSERT INTO run_lines VALUES (?, ?, ?, ?, ?, ?)",
                        (run, year, month, _json(columns), _pack(moving), _pack(values.values.tolist())))
        self.db.executemany("INSERT INTO line_rows VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [(book, year, month, h, run, i, OPEN_RUN) for i, h in enumerate(hashes[started].tolist())])

    def lines(self, run: int, year: int, month: int) -> pd.DataFrame:
        """The lines (LINE_COLUMNS) a run stored for a month; none if it stored none."""
        found = self.db.execute("SELECT r.columns, r.moving, b.id FROM run_lines r JOIN runs u ON u.id = r.run "
                                "JOIN book_ids b ON b.key = u.book WHERE r.run = ? AND r.year = ? AND r.month = ?",
                                (run, year, month)).fetchone()
        if found is None:
            return pd.DataFrame({c: [] for c in LINE_COLUMNS})
        names, moving = json.loads(found[0]), json.loads(zlib.decompress(found[1]))
        moving = {c: _unfactorized(v) for c, v in moving.items()}
        stored = self.db.execute("SELECT hash, first, place FROM line_rows WHERE book = ? AND year = ? AND month = ? "
                                 "AND first <= ? AND last > ?",
                                 (found[2], year, month, run, run)).fetchall()
        added = {first: json.loads(zlib.decompress(rows)) for first, rows in self.db.execute(
            "SELECT run, added FROM run_lines WHERE year = ? AND month = ? AND run IN "
            f"({', '.join(str(int(f)) for f in {f for _, f, _ in stored})})", (year, month))}
        values = pd.DataFrame([added[f][p] for _, f, p in stored], columns=names, dtype=object)
        hashes = np.array([h for h, _, _ in stored], dtype=np.int64)
        at = _canonical(values, hashes)  # the stored rows in their canonical order
        if "order" in moving:  # the lines were given in another order
            at = at[np.array(moving.pop("order"), dtype=np.int64)]
        columns = {c: values[c].to_numpy()[at].tolist() for c in names} | moving
        lines = pd.DataFrame(columns)
        if "facts" not in lines:  # stored with what it was judged on
            judged = lines.astype({c: float for c in ("progress", "expected_progress", "days_overdue")}) \
                .assign(deadline=pd.to_datetime(lines["deadline"]), updated=pd.to_datetime(lines["updated"]))
            lines["facts"] = line_facts(judged)
        return lines[LINE_COLUMNS]

    def _snapshot(self, key: str, run: int, outcome: SyncOutcome) -> bool:
        """Store the as-of day's snapshot (replacing one of the same day); not one older than the
        latest (a clock set back), which would rewrite the days after it."""
        day = outcome.as_of.isoformat()
        latest = self.db.execute("SELECT MAX(day) FROM snapshots WHERE book = ?", (key,)).fetchone()[0]
        if latest is not None and latest > day:
            return False
        book = self._book_id(key)
        if latest == day:  # back to the state before that day's snapshot
            self.db.execute("DELETE FROM tasks WHERE book = ? AND since = ?", (book, day))
            self.db.execute("UPDATE tasks SET until = ? WHERE book = ? AND until = ?", (OPEN, book, day))
            self.db.execute("DELETE FROM snapshots WHERE book = ? AND day = ?", (key, day))
        snapshot = self.db.execute("INSERT INTO snapshots (book, day, run) VALUES (?, ?, ?)", (key, day, run)).lastrowid
        state = outcome.state
        months = list(state.months.items())
        self.db.executemany("INSERT INTO sheets VALUES (?, ?, ?, ?, ?)",
                            [(snapshot, state.book.months[ym].sheet, *ym, _json(state.book.months[ym].columns))
                             for ym, _ in months])
        if not months:  # no month sheet any more: every open span ends
            self._advance(book, day, _keyed(pd.DataFrame({c: [] for c in KEYS})), lambda chosen: ([], []))
            return True
        tasks = pd.concat([frame.assign(year=ym[0], month=ym[1]) for ym, frame in months], ignore_index=True)

        def stored(chosen: np.ndarray) -> tuple[list[list[Any]], list[str]]:
            return _plain(_fields(tasks[chosen])).values.tolist(), \
                [_json(r) for r in _plain(_shown(tasks[chosen])).values.tolist()]

        columns = dict(tasks.items())  # one Series per column, so that a column both forms share is hashed once
        self._advance(book, day, _hashed(tasks, _field_columns(columns), _shown_columns(columns)), stored)
        return True

    def _advance(self, book: int, day: str, tasks: pd.DataFrame,
                 stored: Callable[[np.ndarray], tuple[list[list[Any]], list[str]]]) -> None:
        """Move the book's spans to the snapshot of ``day`` holding ``tasks`` (KEYS): end the open rows
        that changed or went missing, start rows for the new and changed ones. ``stored`` gives the
        TASK_FIELDS and the cells' JSON of the chosen tasks."""
        found = _integers(self.db.execute("SELECT rowid, year, month, hash FROM tasks WHERE book = ? AND until = ?",
                                          (book, OPEN)), ["rowid", "year", "month", "hash"])
        tasks = tasks.reset_index(drop=True)
        open_keys = _span_keys(found["year"], found["month"], found["hash"])
        keys = _span_keys(tasks["year"].to_numpy(), tasks["month"].to_numpy(), tasks["hash"].to_numpy())
        ended = found["rowid"][~pd.Index(open_keys).isin(keys)].tolist()
        self.db.executemany("UPDATE tasks SET until = ? WHERE rowid = ?", [(day, r) for r in ended])
        started = ~pd.Index(keys).isin(open_keys)
        if not started.any():
            return
        fields, rows = stored(started)
        keys = tasks.loc[started, ["year", "month", "hash", "cells"]].astype(object).values.tolist()
        self.db.executemany("INSERT OR IGNORE INTO cells VALUES (?, ?)",
                            [(k[3], r) for k, r in zip(keys, rows, strict=True)])
        self.db.executemany(f"INSERT INTO tasks VALUES (?, ?, ?, {', '.join('?' * len(TASK_FIELDS))}, ?, ?, ?, ?)",
                            [(book, y, m, *f, c, h, day, OPEN) for (y, m, h, c), f in zip(keys, fields, strict=True)])


class BookMemory:
    """:class:`engine.Memory` for one sync of one book. The engine names the book by its backend's
    label; the history keys it by its stable key and shows it by ``label`` (e.g. its config name)."""

    def __init__(self, history: History, key: str, label: str, started: datetime,
                 clock: Callable[[], datetime]) -> None:
        self.history, self.key, self.label, self.started, self.clock = history, key, label, started, clock

    def previous(self, book: str, before: date, fields: Sequence[str]) -> pd.DataFrame | None:
        return self.history.previous(self.key, before, fields)

    def first_closed(self, book: str, month: tuple[int, int]) -> pd.Series:
        return self.history.first_closed(self.key, month)

    def sheet_ids(self, book: str, month: tuple[int, int]) -> frozenset[str]:
        return self.history.sheet_ids(self.key, month)

    def recording(self, book: str, outcome: SyncOutcome) -> AbstractContextManager[None]:
        return self.history.recording(self.key, self.label, outcome, self.started, self.clock)


def _busy(exc: BaseException) -> bool:
    """Whether SQLite refused because another connection holds the database."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def store_error(path: Path, exc: BaseException) -> HistoryStoreError:
    """What a SQLite (or file) error on the history database means for the user."""
    text = str(exc).lower()
    if _busy(exc):
        what, fix = "历史数据库被另一个程序占用（锁定）", "请稍后再试；如一直如此，请关闭正在打开该数据库的程序"
    elif "full" in text or getattr(exc, "errno", None) == 28:
        what, fix = "历史数据库所在的磁盘已满", "请清理磁盘空间后重试"
    elif "not a database" in text or "malformed" in text or "corrupt" in text:
        what, fix = "历史数据库已损坏或不是数据库文件", "请从备份恢复它；或把它改名保存，再运行一次（将从头开始记录历史）"
    elif "readonly" in text or "read-only" in text or isinstance(exc, PermissionError):
        what, fix = "历史数据库是只读的", "请检查该文件及其文件夹的写入权限"
    elif "unable to open" in text:
        what, fix = "无法打开历史数据库", "请检查路径是否是一个可写的文件（而不是文件夹）"
    else:
        what, fix = f"历史数据库无法使用（{' '.join(str(exc).split())}）", "请检查该文件；必要时从备份恢复"
    return HistoryStoreError(path.name, what, fix)


class _Guarded(sqlite3.Connection):
    """A connection whose SQLite errors become :class:`HistoryStoreError` naming the database file."""

    path: Path

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from None

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from None


def _use_wal(db: sqlite3.Connection, path: Path) -> None:
    """Switch to WAL. The switch needs the database to itself and SQLite does not wait for that (no busy
    timeout applies), so while another process creates or upgrades the database, wait and try again."""
    deadline = monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            sqlite3.Connection.execute(db, "PRAGMA journal_mode = WAL")
            return
        except sqlite3.Error as exc:
            if not _busy(exc) or monotonic() > deadline:
                raise store_error(path, exc) from None
            sleep(0.05)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _filled(frame: pd.DataFrame) -> pd.DataFrame:
    """Every value as an object, :data:`MISSING` for a missing one: what hashing sees."""
    frame = frame.astype(object)
    return frame.where(frame.notna(), MISSING)


Shaped = dict[str, tuple[pd.Series, Callable[[pd.Series], pd.Series] | None]]
"""Stored columns by name, each as a column and how its values are shaped for storing (None: as they are)."""


def _hashed(tasks: pd.DataFrame, fields: Shaped, shown: Shaped) -> pd.DataFrame:
    """Each task's KEYS: year, month, id, a 64-bit hash of its cells (``shown``, ROW_KEYS) and one of its
    stored form (its TASK_FIELDS ``fields`` and its cells). The same as ``hash_pandas_object`` of the
    stored forms with missing values as :data:`MISSING`, each column's values hashed once per distinct value."""
    known: dict[tuple[int, int], np.ndarray] = {}  # a column both forms share (id, deadline) is hashed once

    def hashed(column: pd.Series, shape: Callable[[pd.Series], pd.Series] | None) -> np.ndarray:
        if (id(column), id(shape)) not in known:
            known[id(column), id(shape)] = _value_hashes(column, shape)
        return known[id(column), id(shape)]

    cells = _combined([hashed(*shown[k]) for k in ROW_KEYS])
    text = [hashed(*fields[f]) for f in TASK_FIELDS if f not in ("progress", "closed")]
    numbers = [pd.util.hash_array(fields[f][0].to_numpy(np.float64)) for f in ("progress", "closed")]
    both = _combined([*text, *numbers, pd.util.hash_array(cells)])
    return _keyed(pd.DataFrame({"year": tasks["year"].to_numpy(), "month": tasks["month"].to_numpy(),
                                "id": tasks["id"].to_numpy(), "hash": both.view(np.int64),
                                "cells": cells.view(np.int64)}))


def _value_hashes(column: pd.Series, shape: Callable[[pd.Series], pd.Series] | None = None) -> np.ndarray:
    """``hash_array`` of each value of ``shape(column)`` as hashing sees it (:func:`_filled`). A shaped or
    numeric column is shaped and hashed once per distinct value (a float by its bits); a column of
    texts that are mostly distinct (ids, names) is hashed without looking for repeats first."""
    values = column.to_numpy()
    if shape is None and values.dtype == object:
        return pd.util.hash_array(_filled(column.to_frame()).iloc[:, 0].to_numpy(),
                                  categorize=column.name not in DISTINCT or not _texts(values))
    bits = values.view(np.int64) if values.dtype.kind in "fM" else values
    codes, found = pd.factorize(bits, use_na_sentinel=False)
    distinct = pd.Series(found.view(values.dtype) if values.dtype.kind in "fM" else found, dtype=column.dtype)
    return pd.util.hash_array(_filled((shape(distinct) if shape else distinct).to_frame()).iloc[:, 0].to_numpy())[codes]


def _texts(values: np.ndarray) -> bool:
    """Whether every value is a text or missing (then looking for repeats before hashing changes nothing)."""
    return bool(pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"))


def _combined(hashes: list[np.ndarray]) -> np.ndarray:
    """One hash per row from its columns' hashes, as ``hash_pandas_object`` combines them."""
    multiplier = np.uint64(1000003)
    out = np.zeros_like(hashes[0]) + np.uint64(0x345678)
    for i, column in enumerate(hashes):
        out ^= column
        out *= multiplier
        multiplier += np.uint64(82520 + 2 * (len(hashes) - i))
    return out + np.uint64(97531)


def _integers(rows: Iterable[tuple[int, ...]], names: list[str]) -> np.ndarray:
    """Rows of 64-bit integers as a record array with these field names, built without a list of them."""
    return np.fromiter(rows, dtype=np.dtype([(n, np.int64) for n in names]))


def _span_keys(year: np.ndarray, month: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """One 64-bit key per task row from its month and hash (which covers its id)."""
    return _combined([pd.util.hash_array(year * 100 + month), hashes.astype(np.int64).view(np.uint64)])


def _pack(value: object) -> bytes:
    return zlib.compress(_json(value).encode("utf-8"), 6)


def _factorized(column: pd.Series) -> object:
    """A numeric column as its distinct values and each value's code (-1: missing), which compress
    well; any other column as its values."""
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return _plain(column.to_frame()).iloc[:, 0].tolist()
    if pd.api.types.is_float_dtype(column):  # by bits, so that -0.0 stays -0.0
        codes, bits = pd.factorize(column.to_numpy(np.float64).view(np.int64))
        codes[column.isna().to_numpy()] = -1
        distinct = [None if v != v else v for v in bits.view(np.float64).tolist()]
    else:
        codes, found = pd.factorize(column)
        distinct = pd.Series(found).tolist()
    return {"values": distinct, "codes": codes.tolist()}


def _unfactorized(stored: Any) -> Any:
    """The values :func:`_factorized` stored."""
    if not isinstance(stored, dict):
        return stored
    values = stored["values"]
    return [values[code] if code >= 0 else None for code in stored["codes"]]


def _line_hashes(lines: pd.DataFrame, columns: list[str], dates: set[str]) -> np.ndarray:
    """A 64-bit hash of each line's stored values (``columns``, ``dates`` stored as days) and of which
    columns it has: ``hash_pandas_object`` of the stored values as hashing sees them (:func:`_filled`)."""
    named = pd.util.hash_array(np.array([_json(columns)], dtype=object))
    hashes = [_value_hashes(lines[c], _days if c in dates else None) for c in columns]
    return _combined([*hashes, np.repeat(named, len(lines))]).view(np.int64)


def _line_keys(hashes: np.ndarray) -> np.ndarray:
    """One key per line from its hash and how many lines before it have the same hash (so that lines
    given twice are matched one to one)."""
    seen = pd.Series(hashes).groupby(hashes).cumcount().to_numpy()
    return _combined([pd.util.hash_array(seen), hashes.astype(np.int64).view(np.uint64)])


def _canonical(values: pd.DataFrame, hashes: np.ndarray) -> np.ndarray:
    """The order lines are read back in, however their spans were stored: by unit, task, rule and hash."""
    keys = pd.DataFrame({"unit": values["unit"].astype(str), "id": values["id"].astype(str),
                         "rule": values["rule"].astype(str), "hash": hashes})
    if _ascending([keys[c].to_numpy(object) for c in keys]):  # as the assessment gives them
        return np.arange(len(keys))
    return keys.sort_values(["unit", "id", "rule", "hash"], kind="stable").index.to_numpy()


def _ascending(keys: list[np.ndarray]) -> bool:
    """Whether the rows of these key columns are in ascending order (False if they cannot be compared)."""
    lower, same = np.zeros(len(keys[0]) - 1 if len(keys[0]) else 0, dtype=bool), True
    try:
        for key in keys:
            lower = lower | same & (key[:-1] < key[1:])
            same = same & (key[:-1] == key[1:])
    except TypeError:
        return False
    return bool((lower | same).all())


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    """Task keys with the same types whether read from SQLite (maybe empty) or built from a sync."""
    types = {"year": "int64", "month": "int64", "hash": "int64", "cells": "int64", "id": object}
    return frame.astype({c: t for c, t in types.items() if c in frame})


def _stored_as_read(tasks: pd.DataFrame, chosen: np.ndarray) -> tuple[list[list[Any]], list[str]]:
    return _plain(tasks.loc[chosen, TASK_FIELDS]).values.tolist(), tasks.loc[chosen, "row"].tolist()


def _days(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column).dt.strftime("%Y-%m-%d")


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Python values with None for every missing one, ready for SQLite and JSON."""
    return frame.astype(object).where(frame.notna(), None)


def _field_columns(frame: Mapping[str, pd.Series]) -> Shaped:
    """The TASK_FIELDS of each classified task and how each is stored."""
    shapes: dict[str, Callable[[pd.Series], pd.Series]] = {"deadline": _days, "closed_on": _days}
    return {f: (frame[f], shapes.get(f)) for f in TASK_FIELDS} | {"closed": (frame["closed"].astype(int), None)}


def _shown_columns(frame: Mapping[str, pd.Series]) -> Shaped:
    """Each task's month-sheet cells (ROW_KEYS) and how each is shaped as staff would type it back."""
    shapes: dict[str, Callable[[pd.Series], pd.Series]] = {
        "start": _days, "deadline": _days, "updated": _days,
        "progress": lambda p: p.map(lambda v: f"{v:g}%", na_action="ignore"),
        "status": lambda s: s.map(STATUS_LABELS), "exemplar": lambda e: e.map({True: "是"})}
    return {k: (frame[k], shapes.get(k)) for k in ROW_KEYS} | {"unit": (frame["unit_name"].fillna(frame["unit"]), None)}


def _formed(columns: Shaped) -> pd.DataFrame:
    return pd.DataFrame({k: shape(column) if shape else column for k, (column, shape) in columns.items()})


def _fields(frame: pd.DataFrame) -> pd.DataFrame:
    """The TASK_FIELDS of each classified task, as stored."""
    return _formed(_field_columns(dict(frame.items())))


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    """Each task's month-sheet cells (ROW_KEYS) as staff would type them back."""
    return _formed(_shown_columns(dict(frame.items())))
