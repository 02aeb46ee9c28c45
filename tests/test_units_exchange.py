"""Unit books (分发与收集): the example distributed to its 12 committees, edited by their staff in the
same week, collected and synced. Files are written by the sync and by openpyxl (the staff), and
read back with openpyxl and calamine."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from sync.backends.xlsx import XlsxBook
from sync.engine import run_sync
from sync.example import EXAMPLE_AS_OF, write_example
from sync.rulebook import Rulebook
from sync.units.collect import Exchanged, UnitsSetup, exchange
from sync.units.distribute import distribute
from sync.units.layout import CENTRAL_NOTE, UNIT_NOTE
from sync.units.ledger import LEDGER
from sync.units.status import NAME as STATUS

MONTH = "月度任务 2026-11"
EDIT_DAY = date(2026, 11, 19)  # the Thursday after the distribution
HEADER = ["任务编号", "任务名称", "类别", "来源", "牵头部门", "责任单位", "责任人", "开始日期", "截止日期",
          "进度", "状态", "最新进展", "更新日期", "备注", "典型"]
COL = {name: i + 1 for i, name in enumerate(HEADER)}  # openpyxl's 1-based columns


def rows_by_id(path: Path, tab: str = MONTH) -> dict[str, dict[str, object]]:
    sheet = openpyxl.load_workbook(path)[tab]
    found: dict[str, dict[str, object]] = {}
    header = False
    for row in sheet.iter_rows(values_only=True):
        if header and row and row[0] and str(row[0]) not in found:
            found[str(row[0])] = dict(zip(HEADER, row, strict=False))
        header = header or (bool(row) and row[0] == "任务编号")
    return found


def edit(path: Path, changes: dict[tuple[str, str], object]) -> None:
    """Staff edit cells by task and column, and save (openpyxl, as another program would)."""
    book = openpyxl.load_workbook(path)
    sheet = book[MONTH]
    for row in sheet.iter_rows(min_row=1):
        task = row[0].value
        for (t, column), value in changes.items():
            if t == task:
                row[COL[column] - 1].value = value
    book.save(path)


def first_tasks(path: Path, n: int) -> list[str]:
    return list(rows_by_id(path))[:n]


@dataclass
class World:
    central: Path
    folder: Path
    files: list[Path]
    distributed: Exchanged
    collected: Exchanged
    edits: dict[Path, dict[tuple[str, str], object]]
    before: dict[str, dict[str, object]]  # the central month sheet before the edits


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, rules: Rulebook) -> World:  # noqa: PLR0915 - one story
    root = tmp_path_factory.mktemp("units")
    central, folder = root / "党建调度.xlsx", root / "单位工作簿"
    write_example(central)
    run_sync(XlsxBook(central), EXAMPLE_AS_OF, rules=rules)
    setup = UnitsSetup(folder, "基层党委")
    distributed = distribute(XlsxBook(central), setup, EXAMPLE_AS_OF, rules)
    files = sorted(folder.glob("*.xlsx"))
    before = rows_by_id(central)
    edits: dict[Path, dict[tuple[str, str], object]] = {}
    stamp = datetime(2026, 11, 19)
    for i, path in enumerate(files):
        task = first_tasks(path, 1)[0]
        edits[path] = {(task, "进度"): 0.95, (task, "最新进展"): f"第{i + 1}单位：已完成主体工作",
                       (task, "更新日期"): stamp, (task, "备注"): "单位填写"}
    open_one, bad_one, deleting, conflicting, adding = files[1], files[2], files[3], files[4], files[5]
    bad_task, good_task = first_tasks(bad_one, 2)
    edits[bad_one] = {(bad_task, "进度"): "150%", (bad_task, "更新日期"): "下周一",
                      (good_task, "状态"): "已完成", (good_task, "进度"): 1, (good_task, "更新日期"): stamp}
    for path, changes in edits.items():
        edit(path, changes)
    (open_one.parent / f"~${open_one.name}").write_bytes(b"owner")  # left open in Excel
    # a row deleted in one unit book (its other edit still counts)
    gone = first_tasks(deleting, 2)[1]
    book = openpyxl.load_workbook(deleting)
    sheet = book[MONTH]
    sheet.delete_rows(next(r[0].row for r in sheet.iter_rows() if r[0].value == gone))
    book.save(deleting)
    # a new task of the unit's own, on a branch of it
    unit_name = rows_by_id(adding)[first_tasks(adding, 1)[0]]["责任单位"]
    book = openpyxl.load_workbook(adding)
    book[MONTH].append(["JC-NEW-1", "新增：安全生产专题党课", "主题教育", "本单位", "党委办公室", unit_name, "张三",
                        datetime(2026, 11, 19), datetime(2026, 11, 28), 0.1, "进行中", "已备课", stamp, None, None])
    book.save(adding)
    # the centre edits the same cell the conflicting unit edited, and a cell no unit touched
    clash_task = first_tasks(conflicting, 1)[0]
    quiet_task = first_tasks(files[6], 2)[1]
    book = openpyxl.load_workbook(central)
    for row in book[MONTH].iter_rows():
        if row[0].value == clash_task:
            row[COL["最新进展"] - 1].value = "中心核实：尚未完成"
        if row[0].value == quiet_task:
            row[COL["备注"] - 1].value = "中心提醒：请月底前闭合"
    book.save(central)
    collected = exchange(XlsxBook(central), setup, EDIT_DAY, rules, collect=True)
    return World(central, folder, files, distributed, collected, edits, before)


def test_distribute_writes_one_coloured_book_per_committee_with_only_its_rows(world: World) -> None:
    assert len(world.files) == 12 and len(world.distributed.created) == 12
    central = world.before
    every: set[str] = set()
    for path in world.files:
        book = openpyxl.load_workbook(path)
        assert {"组织架构", MONTH, "调度看板", "数据问题", "调度颜色"} <= set(book.sheetnames)
        assert book[MONTH]["A1"].value == UNIT_NOTE
        assert book[MONTH].conditional_formatting  # the 状态 cells show each task's colour
        committee = next(r[0] for r in book["组织架构"].iter_rows(values_only=True) if r[2] == "基层党委")
        units = {name for r in book["组织架构"].iter_rows(values_only=True) if committee in (r[0], r[3])
                 for name in r[:2]}
        mine = rows_by_id(path) if path != world.files[3] else {}
        assert all(row["责任单位"] in units for row in mine.values())
        every |= set(rows_by_id(path))
    committee_tasks = {t for t, row in central.items() if row["责任单位"] != "集团党委"}
    assert committee_tasks <= every | {"JC-NEW-1"}


def test_every_unit_edit_is_in_the_central_sheet(world: World) -> None:
    now = rows_by_id(world.central)
    skipped = {world.files[1]}
    checked = 0
    for path, changes in world.edits.items():
        for (task, column), value in changes.items():
            if path in skipped or (path == world.files[2] and task == first_tasks(path, 1)[0]):
                continue
            got = now[task][column]
            assert got == value, (path.name, task, column)
            checked += 1
    assert checked >= 40
    assert now["JC-NEW-1"]["任务名称"] == "新增：安全生产专题党课"


def test_the_open_book_is_skipped_reported_and_chased(world: World) -> None:
    report = {r.file: r for r in world.collected.reports}
    assert report[world.files[1].name].outcome.startswith("已跳过：正在打开")
    assert any(p.kind == "unit_book_skipped" and p.book == world.files[1].name for p in world.collected.problems)
    status = [list(r) for r in openpyxl.load_workbook(world.central)[STATUS].iter_rows(values_only=True)]
    chased = [r for r in status if r[-1] == "催报" and r[0] != "单位编码"]
    assert [r[0] for r in chased] == [report[world.files[1].name].code]
    assert any(r[0] == CENTRAL_NOTE for r in status)
    # its edits were not lost: still in its book, collected once it is closed
    assert rows_by_id(world.files[1])[first_tasks(world.files[1], 1)[0]]["备注"] == "单位填写"


def test_bad_cells_are_reported_and_not_carried_the_rest_is(world: World) -> None:
    bad = world.files[2]
    task = first_tasks(bad, 1)[0]
    kinds = {(p.kind, p.cell) for p in world.collected.problems if p.book == bad.name}
    assert any(cell.startswith("J") for _, cell in kinds) and any(cell.startswith("M") for _, cell in kinds)
    assert rows_by_id(world.central)[task]["进度"] == world.before[task]["进度"]
    assert rows_by_id(bad)[task]["进度"] == "150%"  # what staff typed stays where they typed it


def test_a_deleted_row_is_reported_and_put_back_in_the_unit_book(world: World) -> None:
    path = world.files[3]
    deleted = [p for p in world.collected.problems if p.kind == "unit_row_deleted"]
    assert [p.book for p in deleted] == [path.name]
    task = deleted[0].value
    assert task in rows_by_id(path) and task in rows_by_id(world.central)


def test_a_conflict_is_reported_the_unit_wins_and_the_central_value_is_kept(world: World) -> None:
    path = world.files[4]
    task = first_tasks(path, 1)[0]
    assert [(c["task"], c["column"]) for c in world.collected.conflicts] == [(task, "最新进展")]
    assert rows_by_id(world.central)[task]["最新进展"] == "第5单位：已完成主体工作"
    ledger = json.loads((world.folder / LEDGER).read_text("utf-8"))
    assert ledger["conflicts"][0]["central"] == "中心核实：尚未完成"
    status = [r for r in openpyxl.load_workbook(world.central)[STATUS].iter_rows(values_only=True)]
    assert any(r[1] == task and r[4] == "中心核实：尚未完成" for r in status)


def test_nothing_any_unit_typed_is_overwritten_in_its_book(world: World) -> None:
    for path, changes in world.edits.items():
        rows = rows_by_id(path)
        for (task, column), value in changes.items():
            assert rows[task][column] == value, (path.name, task, column)


def test_a_central_edit_no_unit_touched_goes_down_into_the_unit_book(world: World) -> None:
    task = first_tasks(world.files[6], 2)[1]
    assert rows_by_id(world.files[6])[task]["备注"] == "中心提醒：请月底前闭合"
    assert rows_by_id(world.central)[task]["备注"] == "中心提醒：请月底前闭合"


def test_a_second_collect_after_closing_the_book_carries_its_edits_and_changes_nothing_else(
        world: World, rules: Rulebook) -> None:
    (world.folder / f"~${world.files[1].name}").unlink()
    stamps = {p: p.stat().st_mtime_ns for p in world.files if p != world.files[1]}
    again = exchange(XlsxBook(world.central), UnitsSetup(world.folder, "基层党委"), EDIT_DAY, rules, collect=True)
    now = rows_by_id(world.central)
    for (task, column), value in world.edits[world.files[1]].items():
        assert now[task][column] == value
    assert not again.conflicts
    assert not [r for r in again.reports if r.outcome.startswith("已跳过")]
    unchanged = [p for p, stamp in stamps.items() if p.stat().st_mtime_ns == stamp]
    assert len(unchanged) >= 9  # unit books with nothing new are not rewritten
