"""The kill loop: a large sync SIGKILLed at random moments, again and again. After every kill the book
is exactly as it was before the sync or exactly as the sync leaves it, every backup kept opens, and
the next run removes what the killed one left behind.

The syncs run in children forked from one warm process (imports and rules loaded once), so the loop
costs the syncs themselves, not interpreter start-ups.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest

from benchmarks.org_100k import org_rows, task_rows
from sync.backends.xlsx.backups import backups_of
from sync.backends.xlsx.leftovers import temporaries
from sync.newbook import write_new_book
from sync.sheets import SheetGrid

ROOT = Path(__file__).resolve().parent.parent
TASKS = 20_000
KILLS = 30  # kills that land while the sync runs
AS_OF = date(2026, 11, 18)
SERVER = """
import os, sys
sys.path.insert(0, {root!r})
from datetime import date
from sync.backends.xlsx import XlsxBook
from sync.engine import run_sync
from sync.rulebook import load_rules
rules = load_rules()
for _ in sys.stdin:
    pid = os.fork()
    if pid == 0:
        try:
            run_sync(XlsxBook({path!r}, backups=3), date({day}), jobs=["daily"], rules=rules)
        except BaseException:
            import traceback
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    print(pid, flush=True)
    print(os.waitpid(pid, 0)[1], flush=True)
"""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Syncs:
    """A warm process that forks one sync of ``path`` per request."""

    def __init__(self, path: Path) -> None:
        code = SERVER.format(root=str(ROOT), path=str(path), day=f"{AS_OF.year}, {AS_OF.month}, {AS_OF.day}")
        self.process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)

    def start(self) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def status(self) -> int:
        assert self.process.stdout is not None
        return int(self.process.stdout.readline())

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


def test_thirty_random_kills_during_a_large_sync(tmp_path: Path) -> None:
    plan = [["任务编号", "任务名称", "类别", "责任单位", "计划月份"], ["JH-1", "主题党日", "规定动作", "JT", "全年"]]
    before = tmp_path / "before.xlsx"
    write_new_book(before, [SheetGrid("组织架构", org_rows()), SheetGrid("年度计划书", plan),
                            SheetGrid("月度任务 2026-11", task_rows(TASKS, AS_OF))])
    path = tmp_path / "book" / "台账.xlsx"
    path.parent.mkdir()
    shutil.copyfile(before, path)
    syncs = Syncs(path)
    try:
        began = time.perf_counter()
        pid = syncs.start()  # one whole sync, watched: when its write begins and how long it lasts
        writing = wait_for_write(path, pid)
        assert writing is not None
        assert syncs.status() == 0
        write_seconds = time.perf_counter() - began - writing
        states = {digest(before): "before", digest(path): "after"}
        assert len(states) == 2

        rng = random.Random(11)
        outcomes: dict[str, int] = {"before": 0, "after": 0}
        kills = mid_write = 0
        loop = time.perf_counter()
        while kills < KILLS:
            shutil.copyfile(before, path)
            pid = syncs.start()
            if rng.random() < 1 / 3:  # a third of the kills while it reads and computes
                time.sleep(rng.uniform(0, writing * 0.9))
            else:  # the rest at a random moment of its write
                wait_for_write(path, pid)
                time.sleep(rng.uniform(0, write_seconds * 0.9))
            in_write = bool(temporaries(path.parent))
            with contextlib.suppress(ProcessLookupError):  # it may have finished (and been reaped) already
                os.kill(pid, signal.SIGKILL)
            status = syncs.status()
            if os.WIFSIGNALED(status):
                kills += 1
                mid_write += in_write
            else:
                assert os.WEXITSTATUS(status) == 0
            state = states.get(digest(path))
            assert state is not None, "the book is neither before nor after a kill"
            outcomes[state] += 1
            for backup in backups_of(path):
                with zipfile.ZipFile(backup) as archive:
                    assert archive.testzip() is None, backup
        seconds = time.perf_counter() - loop
        shutil.copyfile(before, path)
        syncs.start()
        assert syncs.status() == 0  # a run after the kills: the book is synced, the leftovers are gone
        assert digest(path) == next(k for k, v in states.items() if v == "after")
        assert not temporaries(path.parent) and not temporaries(path.parent / ".dispatchbook-backups")
        assert len(backups_of(path)) == 3
    finally:
        syncs.close()
    print(f"kill loop: {kills} kills ({mid_write} mid-write) in {seconds:.1f} s; a sync writes from {writing:.2f} s "
          f"for {write_seconds:.2f} s; books after a kill: {outcomes}")
    assert mid_write >= KILLS // 3 and outcomes["before"] > 0 and outcomes["after"] > 0, (mid_write, outcomes)


def wait_for_write(path: Path, pid: int) -> float | None:
    """Seconds until the sync ``pid`` starts writing (its temporary file appears); None if it ended first."""
    began = time.perf_counter()
    while not temporaries(path.parent):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        time.sleep(0.001)
    return time.perf_counter() - began


if not hasattr(os, "fork"):
    pytestmark = pytest.mark.skip(reason="the kill loop forks its syncs (POSIX)")
