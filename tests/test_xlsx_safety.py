"""Bar 3: no write while the book is open or after it changed; atomic replace; rotating backups; a
process killed at any point of a large write leaves the old book or the new one, never a broken one."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from sync.backends.xlsx import XlsxBook
from sync.errors import EXIT_BUSY, BookBusyError
from sync.sheets import SheetGrid, WritePlan

LOCKED = ("book.xlsx: 工作簿正在 Excel、WPS 或 LibreOffice 中打开（发现锁文件 {}），本次未写入。"
          "请关闭工作簿后重试，下次同步也会自动重试；如确认无人打开，可删除该锁文件")
CHANGED = ("book.xlsx: 工作簿在本次读取之后被修改过（大小、时间或内容已变），本次未写入。"
           "下次同步会重新读取并自动重试")


def small_book(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("月度任务 2026-11")
    sheet.write_row(0, 0, ["任务编号", "状态"])
    sheet.write_row(1, 0, ["T1", "进行中"])
    book.close()
    return path


def report(as_of: str) -> WritePlan:
    return WritePlan(owned=[SheetGrid("周报表", [[f"周报表（截至 {as_of}）"]])])


@pytest.mark.parametrize("lock", ["~$book.xlsx", ".~lock.book.xlsx#"])
def test_open_in_a_client_means_no_write(tmp_path: Path, lock: str) -> None:
    path = small_book(tmp_path / "book.xlsx")
    content = path.read_bytes()
    book = XlsxBook(path)
    (tmp_path / lock).write_text("owner")
    with pytest.raises(BookBusyError) as error:
        book.write(report("2026-11-05"))
    assert str(error.value) == LOCKED.format(lock)
    assert error.value.exit_code == EXIT_BUSY == 3
    assert path.read_bytes() == content
    (tmp_path / lock).unlink()
    book.write(report("2026-11-05"))  # the next run retries and succeeds
    assert path.read_bytes() != content


def test_changed_on_disk_means_no_write(tmp_path: Path) -> None:
    path = small_book(tmp_path / "book.xlsx")
    book = XlsxBook(path)
    edited = bytearray(path.read_bytes())
    edited[-30] ^= 1  # same size, other content
    stat = path.stat()
    path.write_bytes(edited)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with the old time
    with pytest.raises(BookBusyError) as error:
        book.write(report("2026-11-05"))
    assert str(error.value) == CHANGED
    assert path.read_bytes() == edited
    os.utime(path)  # a plain save: new time
    with pytest.raises(BookBusyError):
        book.write(report("2026-11-05"))


def test_backups_rotate(tmp_path: Path) -> None:
    path = small_book(tmp_path / "book.xlsx")
    versions = [path.read_bytes()]
    for day in ("05", "06", "07"):
        XlsxBook(path, backups=2).write(report(f"2026-11-{day}"))
        versions.append(path.read_bytes())
    kept = sorted((tmp_path / ".dispatchbook-backups").iterdir())
    assert [p.read_bytes() for p in kept] == versions[1:3]
    assert all(p.name.startswith("book.") and p.suffix == ".xlsx" for p in kept)
    other = small_book(tmp_path / "none.xlsx")
    XlsxBook(other, backups=0).write(report("2026-11-05"))
    assert not any(p.name.startswith("none.") for p in (tmp_path / ".dispatchbook-backups").iterdir())


def test_a_killed_writers_temporary_files_are_removed_at_the_next_run(tmp_path: Path) -> None:
    path = small_book(tmp_path / "book.xlsx")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    dead, alive = int(gone.stdout), os.getppid()
    stale, fresh = tmp_path / f".~dispatchbook.{dead}.aa.tmp", tmp_path / f".~dispatchbook.{alive}.bb.tmp"
    stale.write_bytes(b"half a zip")  # just now: its age does not matter, its writer is gone
    fresh.write_bytes(b"another run, now")
    XlsxBook(path).write(report("2026-11-05"))
    assert not stale.exists() and fresh.exists()
    assert {p.name for p in tmp_path.iterdir()} == {"book.xlsx", fresh.name, ".dispatchbook-backups"}


CHILD = """
import sys
from sync.backends.xlsx import XlsxBook
sys.path.insert(0, {root!r})
from tests.test_xlsx_helpers import staff_plan
plan = staff_plan("月度任务 2026-11")
plan.colours[0].colours.update({{f"T{{r}}": "blue" for r in range(1, {rows})}})
book = XlsxBook({path!r}, backups=1)
print("ready", flush=True)
book.write(plan)
print("done", flush=True)
"""


def big_book(path: Path, rows: int) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("月度任务 2026-11")
    sheet.write_row(0, 0, ["任务编号", "状态", "任务名称"])
    for r in range(1, rows):
        sheet.write_row(r, 0, [f"T{r}", "进行中", f"第{r % 600}党支部的重点任务"])
    book.close()


def run_child(path: Path, rows: int, kill: str | None = None, delay: float = 0.0) -> bool:
    """Run a child that writes a large plan into ``path``. ``kill="ready"``: SIGKILL it once it has
    read the book; ``kill="temp"``: ``delay`` seconds after its temporary file appears. Returns
    whether it was killed while its temporary file existed."""
    child = start_child(path, rows)
    if kill is None:
        assert child.stdout is not None and child.stdout.readline().strip() == "done"
    elif kill == "temp":
        while child.poll() is None and not temporaries(path):
            time.sleep(0.001)
        time.sleep(delay)
    mid_write = child.poll() is None and bool(temporaries(path))
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    return mid_write


def start_child(path: Path, rows: int) -> subprocess.Popen[str]:
    code = CHILD.format(root=str(Path(__file__).parents[1]), path=str(path), rows=rows)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    return child


def write_window(path: Path, rows: int) -> float:
    """Seconds a whole write keeps its temporary file, watched from outside."""
    child = start_child(path, rows)
    seen: float | None = None
    while child.poll() is None:
        if temporaries(path):
            seen = seen or time.perf_counter()
        elif seen:
            break
        time.sleep(0.0005)
    end = time.perf_counter()
    child.wait(timeout=60)
    return end - seen if seen else 0.0


def temporaries(path: Path) -> list[Path]:
    return list(path.parent.glob(".~dispatchbook.*.tmp"))


def test_a_killed_write_leaves_the_old_or_the_new_book(tmp_path: Path) -> None:
    rows = 30_000
    original = tmp_path / "original.xlsx"
    big_book(original, rows)
    path = tmp_path / "book.xlsx"
    shutil.copyfile(original, path)
    window = write_window(path, rows)  # kill times spread over the write, however fast this machine is
    books = {hashlib.sha256(original.read_bytes()).hexdigest(): "old",
             hashlib.sha256(path.read_bytes()).hexdigest(): "new"}
    outcomes, mid_writes = [], 0
    delays = [window * f for f in (0.0, 0.1, 0.2, 0.3, 0.45, 0.6, 0.75, 0.9)] + [window * 2, window * 4]
    for kill, delay in [("ready", 0.0)] + [("temp", d) for d in delays]:
        for leftover in temporaries(path):
            leftover.unlink()
        shutil.copyfile(original, path)
        mid_writes += run_child(path, rows, kill, delay)
        outcome = books.get(hashlib.sha256(path.read_bytes()).hexdigest())
        assert outcome is not None, f"broken book after a kill {delay} s into the write"
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None
        assert "月度任务 2026-11" in CalamineWorkbook.from_path(str(path)).sheet_names
        outcomes.append(outcome)
    assert outcomes[0] == "old" and mid_writes >= 5, (outcomes, mid_writes)
