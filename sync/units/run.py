"""A book's sync with its unit books: the one call the CLI and the scheduler make for a book in collect mode."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..backends import open_book
from ..config import UnitsConfig
from ..engine import Memory, SyncOutcome, run_sync
from ..errors import DispatchError
from ..rulebook import Rulebook
from ..sheets import Backend
from .collect import Exchanged, UnitsSetup, exchange
from .gsheets import SheetsPlace
from .ledger import Ledger


def setup_for(units: UnitsConfig, credentials: str | None = None) -> UnitsSetup:
    """The exchange's settings from the config: files in the folder, or the listed Google spreadsheets
    (opened with the central book's credentials)."""
    place = SheetsPlace(dict(units.sheets), lambda spec: open_book(spec, credentials)) if units.sheets else None
    return UnitsSetup(units.folder, units.level, units.new_tasks, place)


def distributed(folder: Path) -> UnitsConfig:
    """The collect settings of a folder ``dispatchbook distribute`` wrote (``sync --collect FOLDER``)."""
    ledger = Ledger.load(folder)
    if ledger.level is None:
        raise DispatchError(str(folder), "这个文件夹里没有分发过的单位工作簿",
                            "请先运行 dispatchbook distribute 中心工作簿 --level 基层党委 --to 该文件夹")
    return UnitsConfig(folder, ledger.level, ledger.new_tasks)


def sync_book(backend: Backend, as_of: date, *, rules: Rulebook, units: UnitsConfig | None,
              jobs: list[str] | None = None, memory: Memory | None = None, dry_run: bool = False,
              month: tuple[int, int] | None = None, week: date | None = None,
              credentials: str | None = None, record: bool = False) -> SyncOutcome:
    """The ordinary sync (leaving the re-run record with ``record``, see :mod:`sync.rerun`), or (with
    ``units``, not on a dry run and not reissuing a past period) the exchange with the unit books around
    it (then ``collected`` of the outcome holds it)."""
    if units is None or dry_run or month or week:
        return run_sync(backend, as_of, jobs=jobs, rules=rules, memory=memory, dry_run=dry_run, month=month,
                        week=week, record=record and units is None)
    done: Exchanged = exchange(backend, setup_for(units, credentials), as_of, rules, collect=True, jobs=jobs, memory=memory)
    assert done.central is not None
    done.central.collected = done
    return done.central
