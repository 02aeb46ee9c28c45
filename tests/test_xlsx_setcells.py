"""Cells set in existing rows of a staff tab (the collect mode's only kind of staff write): the value
changes, the cell's own format and every other cell stay, and the write keeps the file backend's
guarantees (refused while open or after a change on disk)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import PatternFill

from sync.backends.xlsx import XlsxBook
from sync.errors import BookBusyError
from sync.sheets import CellStyle, CellWrite, WritePlan


def staff_book(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "表"
    sheet.append(["任务编号", "进度", "最新进展", "更新日期", "合计"])
    sheet.append(["A-1", 0.5, "旧进展", datetime(2026, 11, 2), "=B2*2"])
    sheet.append(["A-2", 0.2, "保留", None, None])
    sheet["C2"].fill = PatternFill("solid", fgColor="FFFF00")
    sheet["B2"].number_format = "0%"
    book.save(path)
    return path


def test_set_cells_keep_formats_and_other_cells(tmp_path: Path) -> None:
    path = staff_book(tmp_path / "b.xlsx")
    book = XlsxBook(path)
    book.read(["表"])
    written = book.write(WritePlan(cells=[CellWrite("表", {(1, 1): 0.9, (1, 2): "新进展", (1, 3): date(2026, 11, 19),
                                                           (2, 2): None, (1, 4): 7},
                                                    {3: CellStyle(number_format="yyyy-mm-dd")})]))
    assert written
    sheet = openpyxl.load_workbook(path)["表"]
    assert [c.value for c in sheet[2]] == ["A-1", 0.9, "新进展", datetime(2026, 11, 19), 7]
    assert [c.value for c in sheet[3]] == ["A-2", 0.2, None, None, None]
    assert sheet["C2"].fill.fgColor.rgb.endswith("FFFF00") and sheet["B2"].number_format == "0%"
    assert sheet["D2"].number_format == "yyyy-mm-dd"
    again = XlsxBook(path)
    assert again.read(["表"])["表"][1][:3] == ["A-1", 0.9, "新进展"]  # the sync's own reader agrees


def test_set_cells_are_refused_while_open_or_after_a_change_on_disk(tmp_path: Path) -> None:
    path = staff_book(tmp_path / "b.xlsx")
    plan = WritePlan(cells=[CellWrite("表", {(1, 2): "新"})])
    book = XlsxBook(path)
    book.read(["表"])
    (tmp_path / "~$b.xlsx").write_bytes(b"x")
    with pytest.raises(BookBusyError):
        book.write(plan)
    (tmp_path / "~$b.xlsx").unlink()
    staff = openpyxl.load_workbook(path)  # staff save a change after the sync read the book
    staff["表"]["C3"] = "员工刚改的"
    staff.save(path)
    with pytest.raises(BookBusyError):
        book.write(plan)
    assert openpyxl.load_workbook(path)["表"]["C3"].value == "员工刚改的"
