"""How a plan lands in a book: sync-owned tabs replaced in place, created tabs, appended rows, the
colour map and its rules, no-op syncs, and ``--report-to``."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from lxml import etree
from openpyxl.styles import Border, Side
from python_calamine import CalamineWorkbook

from sync.backends.colourmap import merged_map
from sync.backends.xlsx import XlsxBook
from sync.backends.xlsx.colours import has_rules
from sync.backends.xlsx.ooxml.container import ZipSource
from sync.errors import DispatchError
from sync.sheets import (
    Cell,
    CellStyle,
    RowAppend,
    SheetGrid,
    TaskColours,
    WritePlan,
)
from tests.test_xlsx_helpers import PALETTE, board, parts, sheet_parts, weekly

TAB = "月度任务 2026-11"


def month_book(path: Path, template_rows: int = 0) -> Path:
    """A month sheet (header + 3 tasks) written by openpyxl, optionally with bordered empty rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = TAB
    sheet.append(["任务编号", "状态", "截止日期"])
    thin = Side(style="thin")
    for task in ("T1", "T2", "T3"):
        sheet.append([task, "进行中", date(2026, 11, 20)])
        sheet.cell(sheet.max_row, 1).border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for r in range(5, 5 + template_rows):
        sheet.cell(r, 1).border = Border(bottom=thin)
    workbook.create_sheet("年度计划书").append(["任务编号", "任务名称"])
    workbook.save(path)
    return path


def colours(tab: str = TAB, **by_task: str) -> TaskColours:
    return TaskColours(tab, 0, 0, 1, by_task)


def read(path: Path, tab: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(tab).to_python()


def sheet_ids(path: Path) -> list[tuple[str | None, str | None]]:
    root = etree.fromstring(parts(path)["xl/workbook.xml"])
    return [(s.get("name"), s.get("sheetId")) for s in root.iter("{*}sheet")]


def test_owned_tabs_are_replaced_in_place_and_new_ones_appended(tmp_path: Path) -> None:
    book = month_book(tmp_path / "book.xlsx")
    XlsxBook(book).write(WritePlan(owned=[board(), weekly()], palette=PALETTE))
    first = sheet_parts(book)
    ids = sheet_ids(book)
    changed = board("2026-11-06")
    changed.charts = []
    XlsxBook(book).write(WritePlan(owned=[changed, SheetGrid("月报表", [["月报表"]])], palette=PALETTE))
    assert list(sheet_parts(book)) == [TAB, "年度计划书", "调度看板", "周报表", "月报表"]
    assert sheet_parts(book)["调度看板"] == first["调度看板"]  # same part, same place
    assert sheet_ids(book)[:4] == ids
    assert read(book, "调度看板")[0][0] == "调度看板（截至 2026-11-06）"
    assert read(book, "周报表")[2] == ["T1", "组织生活会"]  # absent from the plan: kept as it was
    names = set(parts(book))
    assert not any(n.startswith(("xl/drawings/", "xl/charts/")) for n in names)  # the old chart went with it
    assert "/xl/charts/chart1.xml" not in parts(book)["[Content_Types].xml"].decode()


def test_same_plan_twice_writes_nothing_the_second_time(tmp_path: Path) -> None:
    book = month_book(tmp_path / "book.xlsx")
    plan = WritePlan(owned=[board(), weekly()], colours=[colours(T1="red", T2="green")], palette=PALETTE)
    XlsxBook(book).write(plan)
    stamp, content = book.stat().st_mtime_ns, book.read_bytes()
    backups = sorted((tmp_path / ".dispatchbook-backups").iterdir())
    XlsxBook(book).write(plan)
    assert book.stat().st_mtime_ns == stamp and book.read_bytes() == content
    assert sorted((tmp_path / ".dispatchbook-backups").iterdir()) == backups


def test_created_tabs_are_written_only_when_absent(tmp_path: Path) -> None:
    book = month_book(tmp_path / "book.xlsx")
    created = SheetGrid("月度任务 2026-12", [["任务编号", "状态"], ["T9", "未开始"]], freeze=(1, 0))
    XlsxBook(book).write(WritePlan(created=[created, SheetGrid("年度计划书", [["不应写入"]])],
                                   colours=[colours("月度任务 2026-12", T9="blue")], palette=PALETTE))
    assert read(book, "月度任务 2026-12") == [["任务编号", "状态"], ["T9", "未开始"]]
    assert read(book, "年度计划书") == [["任务编号", "任务名称"]]
    xml = parts(book)[sheet_parts(book)["月度任务 2026-12"]].decode()
    assert '"月度任务 2026-12|"&amp;SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(TRIM($A2),' in xml
    created.rows.append(["T10", "已完成"])
    XlsxBook(book).write(WritePlan(created=[created]))
    assert len(read(book, "月度任务 2026-12")) == 2  # staff-owned from now on


def test_appended_rows_go_below_the_last_task_and_look_like_it(tmp_path: Path) -> None:
    book = month_book(tmp_path / "book.xlsx")
    before = parts(book)[sheet_parts(book)[TAB]].decode()
    rows: list[dict[int, Cell]] = [{0: "T4", 1: "未开始", 2: date(2026, 11, 30)}, {0: "T5", 2: date(2026, 12, 1)}]
    XlsxBook(book).write(WritePlan(appends=[RowAppend(TAB, rows, {2: CellStyle(number_format="yyyy/m/d")})]))
    assert [r[:3] for r in read(book, TAB)[4:]] == [["T4", "未开始", date(2026, 11, 30)], ["T5", "", date(2026, 12, 1)]]
    sheet = openpyxl.load_workbook(book)[TAB]
    assert sheet["A5"].border.left.style == "thin"  # inherited from the task above
    assert sheet["C6"].number_format == "yyyy/m/d"
    after = parts(book)[sheet_parts(book)[TAB]].decode()
    assert re.search(r'<dimension ref="A1:C6"/>', after)
    assert after.startswith(before[:before.index("<dimension")])


def test_appended_rows_fill_preformatted_empty_rows(tmp_path: Path) -> None:
    book = month_book(tmp_path / "book.xlsx", template_rows=4)
    XlsxBook(book).write(WritePlan(appends=[RowAppend(TAB, [{0: "T4"}, {0: "T5"}])]))
    xml = parts(book)[sheet_parts(book)[TAB]].decode()
    assert len(re.findall(r'<row r="5"', xml)) == 1 and len(re.findall(r'<row r="7"', xml)) == 1
    sheet = openpyxl.load_workbook(book)[TAB]
    assert sheet["A5"].value == "T4" and sheet["A5"].border.bottom.style == "thin"  # the row's own format
    assert sheet["A8"].value is None and sheet["A8"].border.bottom.style == "thin"  # untouched template row


def test_parts_with_prefixed_elements_get_prefixed_insertions(tmp_path: Path) -> None:
    """Some writers use ``<x:worksheet xmlns:x=...>``: what the sync inserts must carry the prefix."""
    book = month_book(tmp_path / "book.xlsx")
    contents = parts(book)
    for part in (sheet_parts(book)[TAB], "xl/workbook.xml", "xl/styles.xml"):
        xml = contents[part].decode()
        contents[part] = re.sub(r"<(/?)(?!\?)([a-zA-Z]+)([\s/>])", r"<\1x:\2\3", xml).replace(
            'xmlns="http://schemas', 'xmlns:x="http://schemas', 1).encode()
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    XlsxBook(book).write(WritePlan(owned=[board()], appends=[RowAppend(TAB, [{0: "T4", 2: date(2026, 12, 1)}])],
                                   colours=[colours(T4="red")], palette=PALETTE))
    assert [r[0] for r in read(book, TAB)] == ["任务编号", "T1", "T2", "T3", "T4"]
    assert read(book, TAB)[4][2] == date(2026, 12, 1)
    loaded = openpyxl.load_workbook(book)
    assert loaded[TAB].conditional_formatting  # the rules parse, in the right namespace
    assert loaded["调度看板"]["A1"].font.b and "_调度颜色键" in loaded.defined_names
    assert re.search(r"<x:dxfs [^>]*><x:dxf><x:font>", parts(book)["xl/styles.xml"].decode())


def test_colour_map_merges_tabs_and_later_syncs_leave_the_staff_tab_alone(tmp_path: Path) -> None:
    book = month_book(tmp_path / "book.xlsx")
    other = "月度任务 2026-10"
    XlsxBook(book).write(WritePlan(created=[SheetGrid(other, [["任务编号", "状态"], ["T1", "已完成"]])],
                                   colours=[colours(T1="red", T2="blue"), colours(other, T1="green")],
                                   palette=PALETTE))
    staff = sheet_parts(book)[TAB]
    first = parts(book)
    XlsxBook(book).write(WritePlan(colours=[colours(T1="green", T3="orange", T4="red")], palette=PALETTE))
    second = parts(book)
    assert read(book, "调度颜色") == [["键", "颜色"], [f"{other}|T1", "绿色已闭合"], [f"{TAB}|T1", "绿色已闭合"],
                                    [f"{TAB}|T3", "橙色预警"], [f"{TAB}|T4", "红色考核"]]
    assert second[staff] == first[staff] and second[sheet_parts(book)[other]] == first[sheet_parts(book)[other]]
    changed = {n for n in second if second[n] != first.get(n)}
    assert changed == {sheet_parts(book)["调度颜色"], "xl/workbook.xml"}
    assert "'调度颜色'!$A$2:$A$5" in second["xl/workbook.xml"].decode()


def test_a_later_sync_finds_the_rules_in_the_staff_tabs_end_without_inflating_it_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = month_book(tmp_path / "book.xlsx")
    XlsxBook(book).write(WritePlan(colours=[colours(T1="red")], palette=PALETTE))
    staff, first = sheet_parts(book)[TAB], parts(book)
    inflated: list[str] = []
    whole = ZipSource.read
    monkeypatch.setattr(ZipSource, "read", lambda self, name: inflated.append(name) or whole(self, name))
    XlsxBook(book).write(WritePlan(colours=[colours(T1="green")], palette=PALETTE))
    assert parts(book)[staff] == first[staff] and staff not in inflated
    moved = WritePlan(colours=[TaskColours(TAB, 0, 0, 2, {"T1": "red"})], palette=PALETTE)  # status column moved
    XlsxBook(book).write(moved)
    assert staff in inflated and 'sqref="C2:C1048576"' in parts(book)[staff].decode()


def test_rules_are_not_judged_from_an_end_that_does_not_reach_the_cells() -> None:
    end = b'<conditionalFormatting sqref="B2:B1048576"/><pageMargins/></worksheet>'
    assert not has_rules(b'<worksheet xmlns="x">', end, colours(T1="red"), [("红色考核", 0)])


def test_colour_map_is_not_reread_when_no_other_tab_looks_it_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = month_book(tmp_path / "book.xlsx")
    XlsxBook(book).write(WritePlan(colours=[colours(T1="red", T2="blue")], palette=PALETTE))
    existing = read(book, "调度颜色")
    plan = WritePlan(colours=[colours(T1="green", T3="orange")], palette=PALETTE)
    asked: list[str] = []
    original = XlsxBook.read
    monkeypatch.setattr(XlsxBook, "read", lambda self, names: asked.extend(names) or original(self, names))
    XlsxBook(book).write(plan)
    assert "调度颜色" not in asked
    full = merged_map(existing, plan.colours, PALETTE, {TAB, "调度颜色"})  # what a re-read and merge gives
    assert read(book, "调度颜色")[1:] == [[k, v] for k, v in full.items()]


def test_colour_rules_move_with_the_status_column(tmp_path: Path) -> None:
    book = month_book(tmp_path / "book.xlsx")
    XlsxBook(book).write(WritePlan(colours=[colours(T1="red")], palette=PALETTE))
    XlsxBook(book).write(WritePlan(colours=[TaskColours(TAB, 0, 0, 2, {"T1": "red"})], palette=PALETTE))
    xml = parts(book)[sheet_parts(book)[TAB]].decode()
    assert re.findall(r'<conditionalFormatting sqref="([^"]+)"', xml) == ["C2:C1048576"]
    assert sorted(map(int, re.findall(r'priority="(\d+)"', xml))) == [1, 2, 3, 4]


def test_colours_of_removed_tabs_are_dropped(tmp_path: Path) -> None:
    book = month_book(tmp_path / "book.xlsx")
    XlsxBook(book).write(WritePlan(colours=[colours(T1="red"), colours("年度计划书", P1="blue")], palette=PALETTE))
    workbook = openpyxl.load_workbook(book)  # staff delete a tab (and openpyxl rewrites the book)
    del workbook["年度计划书"]
    workbook.save(book)
    XlsxBook(book).write(WritePlan(colours=[colours(T2="green")], palette=PALETTE))
    assert read(book, "调度颜色")[1:] == [[f"{TAB}|T2", "绿色已闭合"]]


def test_missing_staff_tab_is_a_clear_error(tmp_path: Path) -> None:
    book = month_book(tmp_path / "book.xlsx")
    with pytest.raises(DispatchError) as error:
        XlsxBook(book).write(WritePlan(appends=[RowAppend("月度任务 2027-01", [{0: "T1"}])]))
    assert str(error.value) == ("book.xlsx / 月度任务 2027-01: 找不到这个工作表，无法追加任务行。"
                                "请确认该工作表没有被改名或删除，然后重新同步")


def test_strict_open_xml_is_refused_with_advice(tmp_path: Path) -> None:
    book = month_book(tmp_path / "book.xlsx")
    contents = parts(book)
    contents["xl/workbook.xml"] = contents["xl/workbook.xml"].replace(
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main")
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    with pytest.raises(DispatchError, match="Strict Open XML"):
        XlsxBook(book).write(WritePlan(owned=[weekly()]))


def test_replacing_a_tab_that_had_formulas_drops_the_calculation_chain(tmp_path: Path) -> None:
    book = tmp_path / "formulas.xlsx"
    workbook = xlsxwriter.Workbook(str(book))
    workbook.add_worksheet("周报表").write_formula(0, 0, "=1+1", None, 2)
    workbook.add_worksheet("台账").write_formula(0, 0, "=2+2", None, 4)
    workbook.close()
    contents = parts(book)  # give it the calcChain Excel would have written
    contents["xl/calcChain.xml"] = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns='
                                    b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="A1" i="1"/>'
                                    b'<c r="A1" i="2"/></calcChain>')
    contents["xl/_rels/workbook.xml.rels"] = contents["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                             b'relationships/calcChain" Target="calcChain.xml"/></Relationships>')
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    XlsxBook(book).write(WritePlan(owned=[weekly()]))
    after = parts(book)
    assert "xl/calcChain.xml" not in after and b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    assert read(book, "台账") == [[4.0]]


def test_report_to_writes_summary_tabs_elsewhere_and_leaves_the_staff_book(tmp_path: Path) -> None:
    book = month_book(tmp_path / "book.xlsx")
    content, stamp = book.read_bytes(), book.stat().st_mtime_ns
    report = tmp_path / "report.xlsx"
    plan = WritePlan(owned=[board(), weekly()], appends=[RowAppend(TAB, [{0: "T4"}])],
                     colours=[colours(T1="red")], palette=PALETTE)
    XlsxBook(book, report_to=report).write(plan)
    assert book.read_bytes() == content and book.stat().st_mtime_ns == stamp
    assert CalamineWorkbook.from_path(str(report)).sheet_names == ["调度看板", "周报表"]
    assert openpyxl.load_workbook(report)["调度看板"]["A1"].font.b
    XlsxBook(book, report_to=report).write(WritePlan(owned=[board("2026-11-06")], palette=PALETTE))
    assert read(report, "调度看板")[0][0] == "调度看板（截至 2026-11-06）"
    assert read(report, "周报表")[0][0] == "周报表（截至 2026-11-05）"
    with pytest.raises(DispatchError, match=r"汇总表只能写入 \.xlsx 文件"):
        XlsxBook(book, report_to=tmp_path / "report.xlsm")
