"""Unit books over time: a damaged and a missing unit book are skipped while the others are
collected, and at a month change every unit book gains the new month's sheet and is collected again."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl

from sync.backends.xlsx import XlsxBook
from sync.engine import run_sync
from sync.example import EXAMPLE_AS_OF, write_example
from sync.rulebook import Rulebook
from sync.units.collect import UnitsSetup, exchange
from sync.units.distribute import distribute


def latest(path: Path, tab: str) -> dict[str, object]:
    """Task id -> 最新进展 (the header row found by its first cell)."""
    rows = list(openpyxl.load_workbook(path)[tab].iter_rows(values_only=True))
    top = next(i for i, r in enumerate(rows) if r and r[0] == "任务编号")
    return {r[0]: r[11] for r in rows[top + 1:] if r and r[0]}


def test_damaged_and_missing_books_are_skipped_and_a_new_month_reaches_every_unit(tmp_path: Path,
                                                                                 rules: Rulebook) -> None:
    central, folder = tmp_path / "党建调度.xlsx", tmp_path / "单位"
    write_example(central)
    run_sync(XlsxBook(central), EXAMPLE_AS_OF, rules=rules)
    setup = UnitsSetup(folder, "基层党委")
    distribute(XlsxBook(central), setup, EXAMPLE_AS_OF, rules)
    files = sorted(folder.glob("*.xlsx"))
    files[2].write_bytes(b"not a workbook")
    files[3].unlink()
    done = exchange(XlsxBook(central), setup, date(2026, 11, 19), rules, collect=True)
    outcomes = {r.file: r.outcome for r in done.reports}
    assert outcomes[files[2].name] == "已跳过：无法读取"
    assert outcomes[files[3].name] == "已跳过：工作簿不存在"
    assert sum(o == "已收集" for o in outcomes.values()) == 10

    first = exchange(XlsxBook(central), setup, date(2026, 12, 1), rules, collect=True)
    assert [p.kind for p in first.problems] == ["unit_month_started"]
    assert "月度任务 2026-12" in openpyxl.load_workbook(central).sheetnames
    second = exchange(XlsxBook(central), setup, date(2026, 12, 2), rules, collect=True)
    assert sum(r.outcome == "已收集" for r in second.reports) == 10
    december = latest(files[0], "月度任务 2026-12")
    assert december and "月度任务 2026-11" in openpyxl.load_workbook(files[0]).sheetnames
    task = next(iter(december))
    book = openpyxl.load_workbook(files[0])
    sheet = book["月度任务 2026-12"]
    row = next(r for r in sheet.iter_rows() if r[0].value == task)
    row[11].value = "十二月：已启动"
    book.save(files[0])
    exchange(XlsxBook(central), setup, date(2026, 12, 3), rules, collect=True)
    assert latest(central, "月度任务 2026-12")[task] == "十二月：已启动"
