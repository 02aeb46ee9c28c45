"""The exchange between the central book and the unit books: collect, sync, refresh.

One run reads the central book and every unit book once, merges each unit's rows (see :mod:`merge`),
writes the central book in one write (the ordinary sync's tabs and colours, the collected cells, the
units' new tasks and 报送情况), then refreshes each unit book in one write of its own (tasks new to
it, central changes to cells the unit did not touch, its own board and 数据问题). A unit book that
cannot be read is skipped and reported; one that cannot be written keeps its agreed values in the
ledger, so the next run tries again. Without ``collect`` (``dispatchbook distribute``), the central
book is not written and units' edits wait in their books for the next collecting sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..book import Book, read_book
from ..engine import Memory, SyncOutcome, run_sync
from ..errors import DispatchError
from ..ownership import owned_names
from ..problems import Problem
from ..rulebook import Rulebook
from ..schema import month_tab_name
from ..sheets import Backend, Cell
from .books import FolderPlace, Skipped, UnitPlace, row_styles, unit_tabs
from .layout import CENTRAL_NOTE, UNIT_COLUMNS, Rows, scope
from .ledger import Ledger
from .merge import Merged, merge_unit
from .overlay import Overlay
from .status import NAME, UnitReport, monday, status_tab


@dataclass
class UnitsSetup:
    folder: Path  # the ledger, and the unit books unless ``place`` says otherwise
    level: str  # 基层党委 or 党支部
    allow_new: bool = True  # units may add tasks of their own
    place: UnitPlace | None = None  # where the unit books are; default: .xlsx files in ``folder``

    @property
    def books(self) -> UnitPlace:
        return self.place or FolderPlace(self.folder)


@dataclass
class Exchanged:
    central: SyncOutcome | None  # None for distribute (the central book is not written)
    reports: list[UnitReport]
    conflicts: list[dict[str, Any]]
    problems: list[Problem]  # the unit books' problems, skips and refresh failures
    created: list[str] = field(default_factory=list)  # unit books written for the first time


def exchange(central: Backend, setup: UnitsSetup, as_of: date, rules: Rulebook, *, collect: bool,
             jobs: list[str] | None = None, memory: Memory | None = None) -> Exchanged:
    over = Overlay(central)
    owned = owned_names(k.label for k in rules.kinds if not k.default)
    book = read_book(over, as_of, also=(*owned, NAME))
    ym = (as_of.year, as_of.month)
    data = book.months.get(ym)
    if data is None and collect:  # the month's first sync: the sheet is made now, collecting starts next sync
        first = run_sync(over, as_of, jobs=jobs, rules=rules, memory=memory)
        started = Problem(book.label, month_tab_name(*ym), "", "unit_month_started", "本月任务表本次新建，尚未向单位分发",
                       "下次同步会把本月任务表加入各单位工作簿并开始收集", handled="本次未收集单位工作簿")
        return Exchanged(first, [], [], [started])
    if data is None or not data.readable or any(k not in data.columns for k in (*UNIT_COLUMNS, "id")):
        raise DispatchError(book.label, f"中心表没有可用的本月任务表（{month_tab_name(*ym)}，需含 "
                            "进度、状态、最新进展、更新日期、备注、典型 列）",
                            "请先运行一次 dispatchbook sync 生成本月任务表，或补齐这些列后再分发/收集")
    central_rows = Rows.of(over.read([data.sheet])[data.sheet], data.header_row, data.columns)
    units_of = dict(zip(data.frame["id"], data.frame["unit"], strict=True))
    ledger = Ledger.load(setup.folder)
    ledger.level, ledger.new_tasks = setup.level, setup.allow_new
    reports: list[UnitReport] = []
    conflicts: list[dict[str, Any]] = []
    problems: list[Problem] = []
    plans: list[tuple[str, Overlay | None, Book | None, Merged, Rows | None]] = []
    central_cells: dict[tuple[int, int], Cell] = {}
    central_new: list[dict[int, Cell]] = []
    for code in book.org.at_level(setup.level):
        mine_units = set(scope(book.org, code))
        mine = {t for t, u in units_of.items() if u in mine_units and t in central_rows.rows}
        file = setup.books.name(book.org, code)
        base = ledger.base.get(code, {})
        outcome = "已收集" if collect else "已分发"
        unit: Overlay | None = None
        unit_book: Book | None = None
        try:
            opened = setup.books.open(book.org, code, as_of)
            if opened is None and code in ledger.base:
                raise Skipped("工作簿不存在", f"找不到 {file}；删除收集记录中该单位的记录后重新分发，会按中心表重建它")
            if opened is None:
                outcome = "新分发"  # never distributed: written below
            else:
                unit, unit_book = opened
        except Skipped as skip:
            problems.append(Problem(file, "", "", "unit_book_skipped", f"本次跳过：{skip.reason}", skip.detail,
                                    handled="本次未收集该单位"))
            reports.append(_report(book, code, file, f"已跳过：{skip.reason}", len(mine), ledger, as_of))
            continue
        unit_rows, bad, checked, u_data = None, set(), {}, None
        if unit_book is not None:  # a book without this month's sheet gets it (a new month): nothing to collect
            u_data = unit_book.months.get(ym)
        if unit is not None and unit_book is not None and u_data is not None:
            if not u_data.readable or any(k not in u_data.columns for k in (*UNIT_COLUMNS, "id")):
                problems.append(Problem(file, "", "", "unit_book_skipped", "本次跳过：本月任务表的表头不全",
                                        f"请保留“{month_tab_name(*ym)}”表及其表头；可删除该文件后重新分发",
                                        handled="本次未收集该单位"))
                reports.append(_report(book, code, file, "已跳过：本月任务表的表头不全", len(mine), ledger, as_of))
                continue
            problems += unit_book.problems
            unit_rows = Rows.of(grid_of(unit, u_data.sheet), u_data.header_row, u_data.columns)
            bad = {p.cell for p in unit_book.problems if p.tab == u_data.sheet and p.cell}
            checked = {t: (u if u in mine_units else "") for t, u in
                       zip(u_data.frame["id"], u_data.frame["unit"], strict=True)}
        merged = merge_unit(file, u_data.sheet if u_data is not None else data.sheet, central_rows, mine,
                            unit_rows, base, bad, set(central_rows.rows), checked, setup.allow_new)
        problems += merged.problems
        if collect:
            central_cells |= merged.central_cells
            central_new += [{data.columns[k]: v for k, v in row.items() if k in data.columns}
                            for row in merged.central_new]
            for c in merged.conflicts:
                conflicts.append(c | {"unit": book.org.label(code), "unit_value": c["unit"], "day": as_of.isoformat()})
            if merged.updated:
                ledger.last_change[code] = as_of.isoformat()
                ledger.updated.setdefault(code, {}).update(dict.fromkeys(merged.updated, as_of.isoformat()))
        else:  # the units' edits stay in their books until a collecting sync
            for task in merged.updated:
                merged.base.pop(task, None)
                if task in base:
                    merged.base[task] = dict(base[task])
        plans.append((code, unit, unit_book, merged, unit_rows))
        reports.append(_report(book, code, file, outcome, len(mine) + len(merged.central_new), ledger, as_of))
    result = Exchanged(None, reports, conflicts, problems)
    if collect:
        note = _note_cell(over.read([data.sheet])[data.sheet], data.header_row)
        if note is not None:
            central_cells[note] = CENTRAL_NOTE
        if central_cells:
            over.set_cells(data.sheet, central_cells, row_styles(data.columns))
        if central_new:
            over.append(data.sheet, central_new, row_styles(data.columns))
        over.owned.append(status_tab(reports, [*ledger.conflicts, *conflicts], problems, as_of))
        result.central = run_sync(over, as_of, jobs=jobs, rules=rules, memory=memory)
        if result.central.written:
            result.central.written.append(NAME)
        ledger.conflicts += conflicts
    for code, unit, unit_book, merged, unit_rows in plans:
        agreed = _refresh(setup, book, code, unit, unit_book, merged, unit_rows, data.sheet, as_of, rules, result)
        ledger.base[code] = agreed
    setup.folder.mkdir(parents=True, exist_ok=True)
    ledger.save()
    return result


def _refresh(setup: UnitsSetup, book: Book, code: str, unit: Overlay | None, unit_book: Book | None, merged: Merged,
             unit_rows: Rows | None, central_sheet: str, as_of: date, rules: Rulebook,
             result: Exchanged) -> dict[str, dict[str, Cell]]:
    """Write the unit book (create it, or lay the merge over it and run its own daily sync); the values
    both sides agree on afterwards."""
    file = setup.books.name(book.org, code)
    agreed = {t: dict(v) for t, v in merged.base.items()}
    try:
        if unit is None:
            tabs = unit_tabs(book.org, code, month_tab_name(as_of.year, as_of.month), merged.unit_new)
            unit = setup.books.create(book.org, code, tabs)
            result.created.append(file)
        elif unit_rows is None:  # a new month: its sheet is added to the unit's book
            unit.add_tabs(unit_tabs(book.org, code, month_tab_name(as_of.year, as_of.month), merged.unit_new)[-1:])
        else:
            assert unit_book is not None
            sheet = unit_book.months[(as_of.year, as_of.month)].sheet
            if merged.unit_cells:
                unit.set_cells(sheet, merged.unit_cells, row_styles(unit_rows.columns))
            if merged.unit_new:
                unit.append(sheet, [{unit_rows.columns[k]: v for k, v in row.items() if k in unit_rows.columns}
                                    for row in merged.unit_new], row_styles(unit_rows.columns))
        run_sync(unit, as_of, jobs=["daily"], rules=rules)
    except (DispatchError, Skipped) as err:
        result.problems.append(Problem(file, "", "", "unit_book_not_written", f"单位工作簿本次未更新（{err}）",
                                       "请关闭该工作簿，下次同步会再次更新", handled="单位已填写的内容不受影响"))
        return agreed
    for task, values in merged.pending.items():
        agreed.setdefault(task, {}).update(values)
    return agreed


def _report(book: Book, code: str, file: str, outcome: str, tasks: int, ledger: Ledger, as_of: date) -> UnitReport:
    seen = ledger.last_change.get(code)
    start = monday(as_of)
    week = sum(1 for day in ledger.updated.get(code, {}).values() if start <= date.fromisoformat(day) <= as_of)
    return UnitReport(code, book.org.label(code), book.org.levels[code], file, outcome, tasks,
                      date.fromisoformat(seen) if seen else None, week)


def _note_cell(grid: list[list[Cell]], header_row: int) -> tuple[int, int] | None:
    """The cell above the central month sheet's header that says this mode fills the unit columns: the
    first row above the header whose A cell is empty or says it already; None when there is none."""
    for r in range(header_row):
        a = grid[r][0] if grid[r] else None
        if a == CENTRAL_NOTE:
            return None
        if a is None:
            return (r, 0)
    return None


def grid_of(unit: Overlay, tab: str) -> list[list[Cell]]:
    return unit.read([tab])[tab]


