"""Two processes on one book never both run it; `dispatchbook run --once` says so with its exit code."""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path

from sync.backends.memory import MemoryBook
from sync.booklock import BookLock
from sync.cli import main
from sync.config import load_config
from sync.errors import EXIT_BUSY
from sync.example import write_example
from sync.history import History
from sync.rulebook import DEFAULT_RULES_DIR
from sync.scheduler import Scheduler
from sync.sheets import WritePlan
from tests.rhythm_helpers import TZ, Clock, at, example_book, make_config


class SlowBook(MemoryBook):
    """Takes its time to write, and notes every write in a file."""

    def __init__(self, book: MemoryBook, log: Path) -> None:
        super().__init__(book.tabs, book.label)
        self.log = log

    def write(self, plan: WritePlan) -> None:
        with self.log.open("a") as f:
            f.write(f"{os.getpid()}\n")
        multiprocessing.Event().wait(2)
        super().write(plan)


def _process(folder: str, ready, results) -> None:  # type: ignore[no-untyped-def]
    root = Path(folder)
    book = SlowBook(example_book(date(2026, 10, 7)), root / "writes.log")
    config = make_config(root)
    scheduler = Scheduler(config, History(config.history), now=Clock(at(10, 8, 7, 45)), open_backend=lambda _: book)
    ready.wait()
    results.put([(r.status, [run.jobs for run in r.runs]) for r in scheduler.tick()])


def test_two_processes_never_run_one_book_twice(tmp_path: Path) -> None:
    spawn = multiprocessing.get_context("spawn")
    ready, results = spawn.Barrier(3), spawn.Queue()
    workers = [spawn.Process(target=_process, args=(str(tmp_path), ready, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    ready.wait(timeout=60)
    outcomes = sorted([results.get(timeout=60)[0], results.get(timeout=60)[0]])
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    assert outcomes in ([("busy", []), ("ok", [("daily",)])], [("idle", []), ("ok", [("daily",)])])
    assert len((tmp_path / "writes.log").read_text().split()) == 1
    config = make_config(tmp_path)
    history = History(config.history)
    assert history.db.execute("SELECT COUNT(*) FROM runs").fetchone() == (1,)
    book = example_book(date(2026, 10, 7))
    again = Scheduler(config, history, now=Clock(at(10, 8, 7, 50)), open_backend=lambda _: book)
    assert [r.status for r in again.tick()] == ["idle"]  # and a later tick finds it done


def _every_day_rules(folder: Path) -> Path:
    """The project's rules, with the daily dispatch due every day at midnight (so the test does not
    depend on which day it runs)."""
    rules = folder / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    jobs = rules / "jobs.toml"
    every_day = ",".join(str(d) for d in range(1, 32))
    text = re.sub(r'(\[daily\][^\[]*?)when = "workday"\nat = "07:30"', rf'\1when = "days:{every_day}"\nat = "00:00"',
                  jobs.read_text(encoding="utf-8"))
    jobs.write_text(text, encoding="utf-8")
    return rules


def test_run_once_skips_a_busy_book_with_its_exit_code_then_runs_it(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _every_day_rules(tmp_path)
    today = datetime.now(TZ).date()
    write_example(tmp_path / "台账.xlsx", today)
    (tmp_path / "dispatchbook.toml").write_text(
        'history = "state/history.sqlite"\nlog = "state/dispatchbook.log"\nrules = "rules"\n\n'
        '[[books]]\nname = "集团台账"\npath = "台账.xlsx"\n', encoding="utf-8")
    config = load_config(tmp_path / "dispatchbook.toml")
    command = ["run", "--once", "--config", str(tmp_path / "dispatchbook.toml")]
    with BookLock(config.locks, config.books[0].key):
        assert main(command) == EXIT_BUSY
    assert "集团台账：另一个进程正在同步，已跳过" in capsys.readouterr().out
    assert all(datetime.fromisoformat(line.split(" ")[0]).utcoffset() == timedelta(hours=8) for line in _log(tmp_path))
    busy = [line.split(" ", 2)[2] for line in _log(tmp_path)]  # after the time (in Shanghai) and level
    assert "book=集团台账 job=daily result=busy note=另一个进程正在同步这个工作簿，本次跳过" in busy
    assert all(line.endswith("result=busy note=另一个进程正在同步这个工作簿，本次跳过") for line in busy)

    assert main(command) == 0
    assert "集团台账：已运行" in capsys.readouterr().out
    ran = [line.split(" ", 2)[2] for line in _log(tmp_path)[len(busy):]]
    assert any(line.startswith(f"book=集团台账 job=daily as_of={today.isoformat()} result=ok") for line in ran)
    assert main(command) == 0
    assert "集团台账：无到期作业" in capsys.readouterr().out
    with closing(History(config.history)) as history:
        ran = history.db.execute("SELECT label, ok, as_of FROM runs").fetchall()
        assert ran == [("集团台账", 1, today.isoformat())]
        assert history.db.execute("SELECT COUNT(*) FROM snapshots").fetchone() == (1,)


def _log(folder: Path) -> list[str]:
    return (folder / "state" / "dispatchbook.log").read_text(encoding="utf-8").splitlines()
