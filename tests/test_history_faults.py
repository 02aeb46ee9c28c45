"""A history database that is corrupt, truncated, foreign, locked or full: one clear line, exit 5, and
the book is not written without its record (or, if the very last commit fails, it says so)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from sync import history as history_module
from sync.cli import main
from sync.errors import EXIT_HISTORY

EXAMPLE = Path(__file__).resolve().parent.parent / "workbooks" / "example.xlsx"


def sync(book: Path, db: Path, day: str = "2026-11-18") -> int:
    return main(["sync", str(book), "--as-of", day, "--jobs", "daily", "--history", str(db)])


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "台账.xlsx"
    shutil.copyfile(EXAMPLE, path)
    return path


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    return err


def corrupt(db: Path, book: Path) -> None:
    db.write_bytes(b"this is not a database, just text " * 200)


def truncated(db: Path, book: Path) -> None:
    assert sync(book, db, "2026-11-17") == 0
    data = db.read_bytes()
    db.write_bytes(data[:len(data) // 3])


def foreign(db: Path, book: Path) -> None:
    other = sqlite3.connect(db)
    other.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    other.commit()
    other.close()


@pytest.mark.parametrize(("make", "said"), [(corrupt, "已损坏或不是数据库文件"), (truncated, "已损坏"),
                                            (foreign, "不是 dispatchbook 的历史数据库")],
                         ids=["corrupt", "truncated", "foreign"])
def test_a_damaged_or_foreign_database_stops_the_sync_before_the_book_is_written(
        tmp_path: Path, book: Path, capsys: pytest.CaptureFixture[str], make, said: str) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "history.sqlite"
    make(db, book)
    capsys.readouterr()
    before = book.read_bytes()
    assert sync(book, db) == EXIT_HISTORY == 5
    line = error_line(capsys)
    assert line.startswith("错误 history.sqlite: ") and said in line, line
    assert book.read_bytes() == before


def test_a_locked_database_stops_the_sync_before_the_book_is_written(
        tmp_path: Path, book: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "history.sqlite"
    assert sync(book, db, "2026-11-17") == 0
    capsys.readouterr()
    before = book.read_bytes()
    monkeypatch.setattr(history_module, "LOCK_WAIT_SECONDS", 0.2)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another program holds it
    try:
        assert sync(book, db) == EXIT_HISTORY
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "history.sqlite: 历史数据库被另一个程序占用（锁定）" in error_line(capsys)
    assert book.read_bytes() == before
    assert sync(book, db) == 0  # free again: the day is written and recorded
    capsys.readouterr()
    assert book.read_bytes() != before
    assert recorded_days(db) == ["2026-11-17", "2026-11-18"]


def test_a_full_database_stops_the_sync_before_the_book_is_written(
        tmp_path: Path, book: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "history.sqlite"
    opened = history_module.History.__init__

    def on_a_full_disk(self: history_module.History, path: Path) -> None:
        opened(self, path)
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        self.db.execute(f"PRAGMA max_page_count = {pages}")  # not one page more: SQLITE_FULL

    monkeypatch.setattr(history_module.History, "__init__", on_a_full_disk)
    before = book.read_bytes()
    assert sync(book, db) == EXIT_HISTORY
    assert "history.sqlite: 历史数据库所在的磁盘已满，本次未写入工作簿" in error_line(capsys)
    assert book.read_bytes() == before
    monkeypatch.undo()
    assert recorded_days(db) == []


def test_a_commit_that_fails_after_the_book_was_written_says_so(
        tmp_path: Path, book: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "history.sqlite"
    execute = history_module._Guarded.execute

    def commit_fails(self: sqlite3.Connection, sql: str, parameters: object = ()) -> sqlite3.Cursor:
        if sql == "COMMIT" and self.in_transaction and book.read_bytes() != before:
            raise history_module.store_error(Path(db), sqlite3.OperationalError("database or disk is full"))
        return execute(self, sql, parameters)  # type: ignore[arg-type]

    before = book.read_bytes()
    monkeypatch.setattr(history_module._Guarded, "execute", commit_fails)
    assert sync(book, db) == EXIT_HISTORY
    line = error_line(capsys)
    assert "history.sqlite: 工作簿已写入（调度看板" in line and "但本次同步未能记入历史" in line, line
    assert book.read_bytes() != before
    monkeypatch.undo()
    assert recorded_days(db) == []


def recorded_days(db: Path) -> list[str]:
    raw = sqlite3.connect(db)
    try:
        return [d for (d,) in raw.execute("SELECT as_of FROM runs WHERE ok = 1 ORDER BY as_of")]
    finally:
        raw.close()


def test_every_failure_maps_to_one_code_and_one_line() -> None:
    from sync.errors import (  # noqa: PLC0415
        BookBusyError,
        BookError,
        DispatchError,
        HistoryStoreError,
        RemoteError,
    )
    from sync.exits import exit_code, one_line  # noqa: PLC0415

    cases = [(DispatchError("规则", "坏了", "改好"), 2), (BookError("台账.xlsx", "已损坏"), 2),
             (BookBusyError("台账.xlsx", "正在打开"), 3), (RemoteError("gsheet:x", "一直失败"), 4),
             (HistoryStoreError("h.sqlite", "已损坏"), 5), (sqlite3.DatabaseError("database disk image is malformed"), 5),
             (KeyError("状态"), 70), (KeyboardInterrupt(), 130)]
    assert [exit_code(error) for error, _ in cases] == [code for _, code in cases]
    assert one_line(sqlite3.DatabaseError("database disk image\nis malformed")) == \
        "历史数据库: 出错（database disk image is malformed）。请检查历史数据库文件；必要时从备份恢复"
    assert one_line(DispatchError("规则", "坏了", "改好")) == "规则: 坏了。改好"
