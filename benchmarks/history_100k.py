"""What the history costs on a 100,000-task book: sync time with history off and on, side by side in
one run, the database's growth on a first day and on a next day when 1 % of the tasks changed, and the
time of the history's own steps.

The day-1 book is synced as of day 1 with a history (the first day's snapshot). The day-2 book has the
same tasks with 1 % of them edited (progress, status, deadline or update date) and was synced once
the day before, as every book is in the morning. Its day-2 sync is then timed on fresh copies, history
off and on interleaved, each run in its own process; every "on" run starts from the day-1 database.
Prints figures; not a test. Run: .venv/bin/python benchmarks/history_100k.py
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bytecode import compile_package  # noqa: E402
from benchmarks.org_100k import org_rows, task_rows  # noqa: E402

DAY1, DAY2 = date(2026, 11, 17), date(2026, 11, 18)
N = 100_000
CHANGED = N // 100
MONTH = "月度任务 2026-11"
REPEATS = 3  # runs of each side, interleaved
TZ = ZoneInfo("Asia/Shanghai")
KEY, LABEL = "file:/bench/台账.xlsx", "台账"


def tasks_changed(rows: list[list[object]]) -> list[list[object]]:
    """The same month sheet with ``CHANGED`` tasks edited the way staff edit them on a day."""
    rng = random.Random(11)
    edited = [list(r) for r in rows]
    for i in rng.sample(range(1, len(rows)), CHANGED):
        row = edited[i]
        row[9] = min(1.0, float(row[9]) + 0.05)  # type: ignore[arg-type]
        row[11] = "已推进，待验收"
        row[12] = DAY2
    return edited


def build(path: Path, rows: list[list[object]]) -> None:
    from sync.newbook import write_new_book  # noqa: PLC0415
    from sync.sheets import SheetGrid  # noqa: PLC0415

    plan = [["任务编号", "任务名称", "类别", "责任单位", "计划月份"], ["JH-1", "主题党日", "规定动作", "JT", "全年"]]
    write_new_book(path, [SheetGrid("组织架构", org_rows()), SheetGrid(MONTH, rows), SheetGrid("年度计划书", plan)])


class Timed:
    """A Memory around a history's that times its reads and the store step (rows in before the book
    write, commit after it)."""

    def __init__(self, memory) -> None:  # type: ignore[no-untyped-def]
        self.memory, self.reads, self.store = memory, 0.0, 0.0

    def _read(self, name: str, *args: object) -> object:
        start = time.perf_counter()
        try:
            return getattr(self.memory, name)(*args)
        finally:
            self.reads += time.perf_counter() - start

    def previous(self, book: str, before: date, fields):  # type: ignore[no-untyped-def]
        return self._read("previous", book, before, fields)

    def first_closed(self, book: str, month: tuple[int, int]):  # type: ignore[no-untyped-def]
        return self._read("first_closed", book, month)

    def sheet_ids(self, book: str, month: tuple[int, int]):  # type: ignore[no-untyped-def]
        return self._read("sheet_ids", book, month)

    @contextmanager
    def _recording(self, inner: AbstractContextManager[None]) -> Iterator[None]:
        start = time.perf_counter()
        inner.__enter__()
        self.store += time.perf_counter() - start
        try:
            yield
        except BaseException as error:
            inner.__exit__(type(error), error, error.__traceback__)
            raise
        start = time.perf_counter()
        inner.__exit__(None, None, None)
        self.store += time.perf_counter() - start

    def recording(self, book: str, outcome):  # type: ignore[no-untyped-def]
        return self._recording(self.memory.recording(book, outcome))


def sync(path: Path, day: date, db: Path | None) -> dict[str, float]:
    """One sync as of ``day`` run on ``day`` at 07:30, with the history in ``db`` if given."""
    from sync.backends.xlsx import XlsxBook  # noqa: PLC0415
    from sync.engine import run_sync  # noqa: PLC0415
    from sync.history import History  # noqa: PLC0415

    start = time.perf_counter()
    if db is None:
        run_sync(XlsxBook(path), day, jobs=["daily"])
        return {"seconds": time.perf_counter() - start}
    moment = datetime(day.year, day.month, day.day, 7, 30, tzinfo=TZ)
    history = History(db)
    memory = Timed(history.for_book(KEY, LABEL, moment, lambda: moment))
    outcome = run_sync(XlsxBook(path), day, jobs=["daily"], memory=memory)
    history.close()
    assert outcome.snapshot
    return {"seconds": time.perf_counter() - start, "reads": memory.reads, "store": memory.store}


def child(path: Path, day: date, db: Path | None) -> None:
    print(json.dumps(sync(path, day, db)))


def measure(source: Path, folder: Path, day: date, db: Path | None = None) -> dict[str, float]:
    """``sync`` in its own process on a copy of ``source``, with a copy of ``db`` (a new database if
    ``db`` does not exist yet) in ``run.sqlite``."""
    target = folder / "run.xlsx"
    shutil.copyfile(source, target)
    args = [str(target), day.isoformat()]
    if db is not None:
        (folder / "run.sqlite").unlink(missing_ok=True)
        if db.exists():
            shutil.copyfile(db, folder / "run.sqlite")
        args.append(str(folder / "run.sqlite"))
    out = subprocess.run([sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def size(db: Path) -> int:
    """The database's size once its write-ahead log is folded in."""
    import sqlite3  # noqa: PLC0415

    raw = sqlite3.connect(db)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    return db.stat().st_size


def main() -> None:
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        day1, day2, db1 = folder / "day1.xlsx", folder / "day2.xlsx", folder / "day1.sqlite"
        start = time.perf_counter()
        rows = task_rows(N, DAY1)
        build(day1, rows)
        build(day2, tasks_changed(rows))
        print(f"built two {N:,}-task books of 641 units ({CHANGED:,} tasks edited in the second) "
              f"in {time.perf_counter() - start:.1f} s")
        first = measure(day1, folder, DAY1, db1)
        shutil.copyfile(folder / "run.sqlite", db1)
        grown1 = size(db1)
        sync(day2, DAY1, None)  # yesterday's sync: the book as it stands every morning
        runs: dict[str, list[dict[str, float]]] = {"off": [], "on": []}
        for _ in range(REPEATS):
            runs["off"].append(measure(day2, folder, DAY2))
            runs["on"].append(measure(day2, folder, DAY2, db1))
        grown2 = size(folder / "run.sqlite") - grown1
    print(f"day 1, first snapshot: sync {first['seconds']:.2f} s, store step {first['store']:.2f} s, "
          f"database {grown1 / 2**20:.2f} MiB")
    for side in ("off", "on"):
        times = ", ".join(f"{m['seconds']:.2f}" for m in runs[side])
        print(f"day 2 sync, history {side:>3}: median {median(runs[side], 'seconds'):.2f} s ({times} s)")
    ratio = median(runs["on"], "seconds") / median(runs["off"], "seconds") - 1
    print(f"history adds {ratio:+.1%} to the day-2 sync (target < 10 %: {'met' if ratio < 0.10 else 'NOT met'})")
    stores = ", ".join(f"{m['store']:.2f}" for m in runs["on"])
    print(f"day 2 history steps: reads {median(runs['on'], 'reads'):.2f} s, store step "
          f"{median(runs['on'], 'store'):.2f} s (medians; store step runs: {stores} s)")
    print(f"day 2 database growth with 1 % of tasks changed: {grown2 / 2**20:.2f} MiB "
          f"(target < 2 MB: {'met' if grown2 < 2_000_000 else 'NOT met'})")


def median(runs: list[dict[str, float]], field: str) -> float:
    values = sorted(m[field] for m in runs)
    return values[len(values) // 2]


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), date.fromisoformat(sys.argv[3]), Path(sys.argv[4]) if len(sys.argv) == 5 else None)
    else:
        main()
