"""`dispatchbook sync --history DB` / `--config FILE`: an on-demand sync is remembered and takes the lock."""

from __future__ import annotations

from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from sync.booklock import BookLock
from sync.cli import main
from sync.config import book_key, load_config, locks_beside
from sync.errors import EXIT_BUSY, EXIT_USER_ERROR
from sync.example import write_example
from sync.history import History
from tests.rhythm_helpers import TZ


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "台账.xlsx"
    write_example(path, datetime.now(TZ).date())
    return path


def counts(db: Path) -> tuple[int, int, list[str]]:
    with closing(History(db)) as history:
        runs = history.db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        snapshots = history.db.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0]
        labels = [label for (label,) in history.db.execute("SELECT label FROM books")]
    return runs, snapshots, labels


def test_sync_with_history_is_remembered_and_locked(book: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "state" / "history.sqlite"
    assert main(["sync", str(book), "--history", str(db), "--jobs", "daily", "--dry-run"]) == 0
    assert counts(db)[:2] == (0, 0)  # a dry run remembers nothing
    assert main(["sync", str(book), "--history", str(db), "--jobs", "daily"]) == 0
    assert main(["sync", str(book), "--history", str(db), "--jobs", "weekly"]) == 0
    assert counts(db) == (2, 1, ["台账.xlsx"])  # two runs, today's one snapshot (the later)
    with BookLock(locks_beside(db), book_key(str(book))):
        assert main(["sync", str(book), "--history", str(db), "--jobs", "daily"]) == EXIT_BUSY
    assert "另一个dispatchbook进程正在同步这个工作簿" in "".join(capsys.readouterr().err.split())
    assert counts(db)[0] == 2


def test_sync_with_a_config_uses_its_history_and_book_name(book: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "dispatchbook.toml"
    config.write_text('history = "h.sqlite"\n[[books]]\nname = "集团台账"\npath = "台账.xlsx"\n', encoding="utf-8")
    assert main(["sync", "集团台账", "--config", str(config), "--jobs", "daily"]) == 0
    assert counts(tmp_path / "h.sqlite") == (1, 1, ["集团台账"])
    assert main(["run", "--once", "--config", str(config), "--book", "二矿台账"]) == EXIT_USER_ERROR
    assert "配置中没有工作簿二矿台账" in "".join(capsys.readouterr().err.split())
    assert load_config(config).books[0].key == book_key(str(book))


def test_a_past_day_stores_no_snapshot_and_says_so(book: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "history.sqlite"
    assert main(["sync", str(book), "--history", str(db), "--as-of", "2026-01-05", "--jobs", "daily"]) == 0
    out = "".join(capsys.readouterr().out.split())
    assert "未保存2026-01-05的任务快照：历史记录只保存按当天日期运行的同步；运行记录和考核得分已保存" in out
    assert counts(db)[:2] == (1, 0)
    assert main(["history", "JH-2026-001", "--history", str(db)]) == EXIT_USER_ERROR
    err = "".join(capsys.readouterr().err.split())
    assert "历史记录中还没有这个工作簿的任务快照，无法查到任务“JH-2026-001”" in err
