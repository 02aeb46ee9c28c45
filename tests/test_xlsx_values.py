"""Bar 2: sync-owned tabs hold values as values (text stays text, dates are dates) and their layout,
read back by three other readers: calamine, openpyxl and pandas."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from sync.a1 import column_letter
from sync.backends.xlsx import XlsxBook
from sync.backends.xlsx.cells import cell
from sync.sheets import CellStyle, Grid, ListValidation, SheetGrid, WritePlan
from tests.test_xlsx_helpers import PALETTE, board, parts, sheet_parts, weekly

TRICKY = ["=SUM(A1:A3)", "+86 138", "-5", "@staff", "'quoted", "a & b <c>", "  spaced  ", "两行\n文字",
          "_x0041_ literal", "bell\x07", "crlf\r\nend", "x" * 300]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "book.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "组织架构"
    workbook.active.append(["单位编码", "单位名称"])
    workbook.save(path)
    return path


def test_text_stays_text_in_every_reader(book: Path) -> None:
    XlsxBook(book).write(WritePlan(owned=[SheetGrid("数据问题", [[t] for t in TRICKY])]))
    assert [r[0] for r in CalamineWorkbook.from_path(str(book)).get_sheet_by_name("数据问题").to_python()] == TRICKY
    # openpyxl does not decode Excel's _xHHHH_ escapes in inline strings (Excel, LibreOffice and
    # calamine do), so the three texts that need them are compared through calamine only
    plain = [i for i, t in enumerate(TRICKY) if not any(c in t for c in "\x07\r_")]
    sheet = openpyxl.load_workbook(book)["数据问题"]
    assert [sheet.cell(i + 1, 1).value for i in plain] == [TRICKY[i] for i in plain]
    assert {c.data_type for c in sheet["A"]} == {"s"}
    frame = pd.read_excel(book, sheet_name="数据问题", header=None, engine="openpyxl")
    assert [frame[0][i] for i in plain] == [TRICKY[i] for i in plain]
    xml = parts(book)[sheet_parts(book)["数据问题"]]
    assert b"<f>" not in xml and b"<f " not in xml


def test_numbers_booleans_and_dates_are_typed(book: Path) -> None:
    rows: Grid = [[1, 2.5, -0.125, True, False, date(2026, 11, 5), datetime(2026, 11, 5, 8, 30), 10**12, float("nan"), None, ""]]
    XlsxBook(book).write(WritePlan(owned=[SheetGrid("月报表", rows)]))
    got = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("月报表").to_python()[0]
    assert got[:8] == [1, 2.5, -0.125, True, False, date(2026, 11, 5), datetime(2026, 11, 5, 8, 30), 10**12]
    assert len(got) == 8  # NaN, None and "" write no cell
    sheet = openpyxl.load_workbook(book)["月报表"]
    assert sheet["F1"].is_date and sheet["F1"].number_format == "yyyy-mm-dd"
    assert sheet["G1"].number_format == "yyyy-mm-dd hh:mm"


def test_a_long_tab_reads_back_cell_for_cell_whatever_each_stretch_of_a_column_holds(book: Path) -> None:
    """Long columns are written a stretch of rows at a time, a stretch of one kind at once: mixed,
    escaped, styled and blank stretches, anywhere in the column, read back as they were given."""
    n, red, percent = 3000, CellStyle(fill="FFC7CE"), CellStyle(number_format="0%")
    rows: Grid = [[f"T{i:05d}", date(2026, 11, 1 + i % 28), i / n, None, i, "  " if i < 5 else None] for i in range(n)]
    rows[1500][0], rows[2999][0] = "a & b <c>", TRICKY[-1]  # text to escape, far down the column
    rows[2500][1] = datetime(2026, 11, 5, 8, 30)
    rows[100][2] = float("nan")
    rows[10][4] = True
    styles = {(r, 2): percent for r in range(n)} | {(r, 3): red for r in range(2048, 2100)} | {(7, 0): red}
    XlsxBook(book).write(WritePlan(owned=[SheetGrid("月报表", rows, styles)]))
    got = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("月报表").to_python(skip_empty_area=False)
    shown = [["" if v is None or v == "  " or v != v else v for v in row] for row in rows]  # noqa: PLR0124 - NaN
    assert [row[:5] for row in got] == [row[:5] for row in shown]
    assert all(len(row) == 5 or row[5:] == [""] for row in got)  # whitespace-only text writes no cell
    sheet = openpyxl.load_workbook(book)["月报表"]
    assert sheet["D2049"].fill.fgColor.rgb == "FFFFC7CE" and sheet["D2049"].value is None
    assert sheet["D2101"].fill.fgColor.rgb != "FFFFC7CE" and sheet["A8"].fill.fgColor.rgb == "FFFFC7CE"
    assert sheet["C3000"].number_format == "0%" and sheet["B2"].is_date and sheet["E11"].value is True


def test_layout_styles_dropdowns_chart_and_hidden_state(book: Path) -> None:
    grid = board()
    XlsxBook(book).write(WritePlan(owned=[grid, SheetGrid("调度颜色备用", [["x"]], hidden=True)], palette=PALETTE))
    loaded = openpyxl.load_workbook(book)
    sheet = loaded["调度看板"]
    assert sheet.freeze_panes == "B3"
    assert sheet.column_dimensions["A"].width == 18 and sheet.column_dimensions["D"].width == 14
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 14
    assert sheet["B2"].fill.fgColor.rgb == "FFFF0000" and sheet["B2"].font.color.rgb == "FFFFFFFF"
    assert sheet["C5"].number_format == "0.0%" and sheet["A6"].alignment.wrap_text
    assert sheet["D8"].fill.fgColor.rgb == "FFDDDDDD" and sheet["D8"].value is None  # styled blank cell
    validation = sheet.data_validations.dataValidation[0]
    assert validation.type == "list" and validation.formula1 == '"是,否"' and str(validation.sqref) == "D3:D21"
    chart = sheet._charts[0]  # openpyxl reads charts back from the drawing
    assert chart.grouping == "stacked" and len(chart.series) == 2
    assert loaded["调度颜色备用"].sheet_state == "hidden" and sheet.sheet_state == "visible"


def test_dropdown_values_with_commas_are_refused(book: Path) -> None:
    grid = SheetGrid("调度看板", [["a"]], validations=[ListValidation(0, 1, 5, ("甲,乙", "丙"))])
    with pytest.raises(ValueError, match="commas"):
        XlsxBook(book).write(WritePlan(owned=[grid]))


@pytest.mark.parametrize("name", ["", "a" * 32, "周报[1]", "a/b", "'引号'"])
def test_tab_names_excel_refuses_are_refused(book: Path, name: str) -> None:
    with pytest.raises(ValueError, match="does not accept the tab name"):
        XlsxBook(book).write(WritePlan(owned=[SheetGrid(name, [["x"]])]))


def test_repeated_syncs_do_not_grow_the_stylesheet(book: Path) -> None:
    XlsxBook(book).write(WritePlan(owned=[board(), weekly()], palette=PALETTE))
    styles = parts(book)["xl/styles.xml"]
    XlsxBook(book).write(WritePlan(owned=[board("2026-11-06"), weekly()], palette=PALETTE))
    assert parts(book)["xl/styles.xml"] == styles
    assert CalamineWorkbook.from_path(str(book)).get_sheet_by_name("调度看板").to_python()[0][0] == "调度看板（截至 2026-11-06）"


def test_styles_reuse_equal_entries_of_the_staff_book(tmp_path: Path) -> None:
    path = tmp_path / "styled.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"].number_format = "0.0%"
    workbook.save(path)
    XlsxBook(path).write(WritePlan(owned=[SheetGrid("月报表", [[0.5]], styles={(0, 0): CellStyle(number_format="0.0%")})]))
    xml = parts(path)["xl/styles.xml"].decode()
    assert xml.count('formatCode="0.0%"') == 1


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")])
def test_column_letters(index: int, letters: str) -> None:
    assert column_letter(index) == letters


def test_cell_xml_and_serials() -> None:
    assert cell("A1", "=1+1") == '<c r="A1" t="inlineStr"><is><t>=1+1</t></is></c>'
    assert cell("B2", float("inf"), 3) == '<c r="B2" s="3"/>'
    assert cell("C3", "a_x0041_") == '<c r="C3" t="inlineStr"><is><t>a_x005F_x0041_</t></is></c>'
    assert cell("D4", "长" * 40_000).count("长") == 32_766  # Excel's limit is 32,767 characters
