"""Bar 1: a sync leaves every part it does not own byte-identical, and edits staff parts minimally.

Each workbook saved by real Excel (tests/data/excel-made) and a feature-rich .xlsm built here with
xlsxwriter gets the dispatch tabs, two appended rows and task colours; then every zip part is compared
with the original, and each touched staff part is shown to differ only by the sync's insertions.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from lxml import etree
from python_calamine import CalamineWorkbook

from sync.backends.xlsx import XlsxBook
from tests.test_xlsx_helpers import (
    EXCEL_MADE,
    NAME_RE,
    OWNED_NAMES,
    canonical,
    parts,
    sheet_parts,
    staff_plan,
    strip_count,
)

STYLE_LISTS = ("numFmts", "fonts", "fills", "cellXfs", "dxfs")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sync_and_compare(book: Path, tab: str, header_row: int = 0) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Apply the standard plan to ``book`` and check every part; returns (before, after) parts."""
    before, tabs_before = parts(book), sheet_parts(book)
    XlsxBook(book, backups=0).write(staff_plan(tab, header_row))
    after, tabs_after = parts(book), sheet_parts(book)
    staff_part = tabs_before[tab]
    touched = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml", staff_part}
    for name, data in before.items():
        assert name in after, f"{name} was dropped"
        if name not in touched:
            assert after[name] == data, f"{name} changed"
    new_parts = set(after) - set(before)
    ours = {tabs_after[n] for n in (*OWNED_NAMES, "调度颜色")}
    assert ours <= new_parts
    assert all(re.fullmatch(r"xl/(worksheets|drawings|charts)/(_rels/)?(sheet|drawing|chart)\d+\.xml(\.rels)?", n)
               for n in new_parts), new_parts
    assert list(tabs_after)[:len(tabs_before)] == list(tabs_before)  # staff tabs keep their order
    assert_minimal_edits(before, after, ours, staff_part)
    return before, after


def assert_minimal_edits(before: dict[str, bytes], after: dict[str, bytes], ours: set[str], staff: str) -> None:
    """Each touched staff part, minus what the sync inserted, is the original text exactly."""
    old_wb, new_wb = before["xl/workbook.xml"].decode(), after["xl/workbook.xml"].decode()
    stripped = re.sub(r'<sheet name="(?:调度看板|周报表|调度颜色)"[^>]*/>', "", NAME_RE.sub("", new_wb))
    if "<definedNames" not in old_wb:
        stripped = stripped.replace("<definedNames></definedNames>", "")
    assert stripped == old_wb

    rels = after["xl/_rels/workbook.xml.rels"].decode()
    for part in ours:
        rels = re.sub(rf'<Relationship Id="rId\d+" Type="[^"]+/worksheet" Target="{part.removeprefix("xl/")}"/>', "", rels)
    assert rels == before["xl/_rels/workbook.xml.rels"].decode()

    types = after["[Content_Types].xml"].decode()
    for part in set(after) - set(before):
        types = types.replace(f'<Override PartName="/{part}" ', "<dropped ")
    assert re.sub(r'<dropped ContentType="[^"]+"/>', "", types) == before["[Content_Types].xml"].decode()

    old_sheet, new_sheet = before[staff].decode(), after[staff].decode()
    new_sheet = re.sub(r'<conditionalFormatting sqref="B\d+:B1048576">.*?</conditionalFormatting>', "", new_sheet)
    old_rows = {int(m[1]): m[0] for m in re.finditer(r'<row r="(\d+)"[^>]*?(?:/>|>.*?</row>)', old_sheet)}
    filled = [n for n, row in old_rows.items() if re.search(r"<(?:v|is|f)[ />]", row)]
    for n in (max(filled, default=0) + 1, max(filled, default=0) + 2):  # new rows, or empty ones filled
        new_sheet, found = re.subn(rf'<row r="{n}"[^>]*>.*?</row>', old_rows.get(n, ""), new_sheet, count=1)
        assert found == 1
    old_dimension = re.search(r'<dimension ref="[^"]*"/>', old_sheet)
    if old_dimension:
        new_sheet = re.sub(r'<dimension ref="[^"]*"/>', old_dimension[0], new_sheet)
    if "<sheetData/>" in old_sheet:  # an empty sheet's data element was opened up for the rows
        new_sheet = new_sheet.replace("<sheetData></sheetData>", "<sheetData/>")
    assert new_sheet == old_sheet

    assert_styles_appended(before["xl/styles.xml"], after["xl/styles.xml"])


def assert_styles_appended(old: bytes, new: bytes) -> None:
    """The new stylesheet is the old one with entries appended to its lists (never renumbered)."""
    old_root, new_root = etree.fromstring(old), etree.fromstring(new)
    for local in STYLE_LISTS:
        old_list, new_list = old_root.find(f"{{{MAIN}}}{local}"), new_root.find(f"{{{MAIN}}}{local}")
        if new_list is None:
            continue
        if old_list is None:
            new_root.remove(new_list)
            continue
        kept = len(old_list)
        assert [canonical(e) for e in list(new_list)[:kept]] == [canonical(e) for e in old_list]
        for extra in list(new_list)[kept:]:
            new_list.remove(extra)
    assert strip_count(canonical(new_root).decode()) == strip_count(canonical(old_root).decode())


def first_worksheet(book: Path) -> str:
    with zipfile.ZipFile(book) as archive:
        return next(name for name, part in sheet_parts(book).items()
                    if b"<worksheet" in archive.read(part)[:400])


@pytest.mark.parametrize("name", sorted(p.name for p in EXCEL_MADE.glob("*.xls[xm]")))
def test_excel_made_workbook_keeps_every_part(tmp_path: Path, name: str) -> None:
    book = tmp_path / name
    shutil.copyfile(EXCEL_MADE / name, book)
    tab = first_worksheet(book)
    sync_and_compare(book, tab)
    # both readers see the new tabs and rows; the staff tab's first row is still there
    calamine = CalamineWorkbook.from_path(str(book))
    assert calamine.get_sheet_by_name("调度看板").to_python()[4][0] == "=SUM(B3:B4)"
    grid = calamine.get_sheet_by_name(tab).to_python()
    assert grid[-2][0] == "T-new-1" and grid[-1][1] == "=1+1"
    loaded = openpyxl.load_workbook(book, keep_vba=name.endswith(".xlsm"))
    assert loaded["调度看板"]["A5"].value == "=SUM(B3:B4)" and loaded["调度看板"]["A5"].data_type == "s"
    assert loaded["调度颜色"].sheet_state == "hidden"


def build_feature_book(path: Path, vba: bytes) -> None:
    """An .xlsm with each feature the issue lists, written by xlsxwriter (not by our writer)."""
    book = xlsxwriter.Workbook(str(path))
    book.add_vba_project(io.BytesIO(vba), is_stream=True)
    sheet = book.add_worksheet("月度任务 2026-11")
    bold, red = book.add_format({"bold": True}), book.add_format({"font_color": "red"})
    sheet.write_row(0, 0, ["任务编号", "状态", "截止日期", "进度", "合计"])
    for r in range(1, 6):
        sheet.write_row(r, 0, [f"T{r}", "进行中"])
        sheet.write_datetime(r, 2, pd.Timestamp(2026, 11, 10 + r).to_pydatetime(), book.add_format({"num_format": "yyyy-mm-dd"}))
        sheet.write_number(r, 3, r / 10)
        sheet.write_formula(r, 4, f"=D{r + 1}*100", None, r * 10)  # cached value r*10
    sheet.write_rich_string(6, 5, "普通", bold, "加粗", red, "红字")
    sheet.write_comment(1, 0, "员工的批注")
    sheet.data_validation(1, 1, 100, 1, {"validate": "list", "source": ["未开始", "进行中", "已完成"]})
    sheet.conditional_format(1, 3, 100, 3, {"type": "data_bar"})
    sheet.add_sparkline(1, 6, {"range": "'月度任务 2026-11'!D2:D6"})
    sheet.freeze_panes(1, 1)
    sheet.insert_textbox(8, 6, "文本框", {"width": 160, "height": 40})
    sheet.insert_button(12, 6, {"macro": "say_hello", "caption": "同步"})
    sheet.insert_checkbox(2, 7, True)
    with zipfile.ZipFile(EXCEL_MADE / "image01.xlsx") as archive:
        image = archive.read(next(n for n in archive.namelist() if n.startswith("xl/media/")))
    sheet.insert_image(16, 6, "red.png", {"image_data": io.BytesIO(image)})
    book.define_name("任务范围", "='月度任务 2026-11'!$A$1:$E$6")
    book.define_name("'月度任务 2026-11'!本表名", "='月度任务 2026-11'!$A$1")
    other = book.add_worksheet("年度计划书")
    other.add_table(0, 0, 3, 2, {"columns": [{"header": "编号"}, {"header": "名称"}, {"header": "月份"}]})
    other.write_url(5, 0, "https://example.org/", string="链接")
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": "='月度任务 2026-11'!$D$2:$D$6"})
    other.insert_chart(8, 0, chart)
    pie = book.add_chart({"type": "pie"})
    pie.add_series({"values": "='月度任务 2026-11'!$D$2:$D$6"})
    book.add_chartsheet("图表页").set_chart(pie)
    book.close()


@pytest.mark.filterwarnings("ignore:Sparkline Group extension:UserWarning")  # openpyxl reads around it
def test_feature_rich_xlsm_survives(tmp_path: Path) -> None:
    with zipfile.ZipFile(EXCEL_MADE / "macro01.xlsm") as archive:
        vba = archive.read("xl/vbaProject.bin")
    book = tmp_path / "features.xlsm"
    build_feature_book(book, vba)
    _, after = sync_and_compare(book, "月度任务 2026-11")
    assert after["xl/vbaProject.bin"] == vba
    assert b"macroEnabled.main+xml" in after["[Content_Types].xml"]
    assert any(n.startswith("xl/media/") for n in after) and any("vmlDrawing" in n for n in after)
    # cached formula values still read (pandas through openpyxl uses the cached <v> values)
    frame = pd.read_excel(book, sheet_name="月度任务 2026-11", engine="openpyxl")
    assert list(frame["合计"][:5]) == [10, 20, 30, 40, 50]
    assert list(pd.read_excel(book, sheet_name="月度任务 2026-11", engine="calamine")["合计"][:5]) == [10, 20, 30, 40, 50]
    loaded = openpyxl.load_workbook(book, keep_vba=True)
    sheet = loaded["月度任务 2026-11"]
    assert sheet.freeze_panes == "B2"
    assert sheet["A2"].comment.text.startswith("员工的批注")
    assert sheet.data_validations.dataValidation[0].formula1 == '"未开始,进行中,已完成"'
    assert "任务范围" in loaded.defined_names and "本表名" in sheet.defined_names
    assert "_调度颜色键" in loaded.defined_names
    assert loaded["年度计划书"].tables["Table1"].ref == "A1:C4"
    assert [sheet["A8"].value, sheet["A9"].value] == ["T-new-1", "T-new-2"]  # below the rich-text row 7
    assert b"<x14:sparklineGroups" in after[sheet_parts(book)["月度任务 2026-11"]]


def test_staff_tab_with_banner_rows_gets_rules_below_its_header(tmp_path: Path) -> None:
    book = tmp_path / "banner.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "月度任务 2026-12"
    sheet.append(["2026年12月重点工作任务安排表"])
    sheet.append(["任务编号", "状态", "截止日期"])
    sheet.append(["T1", "进行中", date(2026, 12, 31)])
    workbook.save(book)
    XlsxBook(book, backups=0).write(staff_plan("月度任务 2026-12", header_row=1, append=False))
    xml = parts(book)[sheet_parts(book)["月度任务 2026-12"]].decode()
    assert '<conditionalFormatting sqref="B3:B1048576">' in xml
    assert '"月度任务 2026-12|"&amp;SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(TRIM($A3),' in xml


def raw_parts(path: Path) -> dict[str, bytes]:
    """Each part's compressed bytes as stored in the zip."""
    data = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    found = {}
    for info in infos:
        start = info.header_offset + 30 + int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
        start += int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
        found[info.filename] = data[start:start + info.compress_size]
    return found


def test_untouched_parts_are_copied_without_recompression(tmp_path: Path) -> None:
    book = tmp_path / "chart_bar01.xlsx"
    shutil.copyfile(EXCEL_MADE / book.name, book)
    before = raw_parts(book)
    XlsxBook(book, backups=0).write(staff_plan("Sheet1", append=False))
    after = raw_parts(book)
    touched = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml",
               "xl/worksheets/sheet1.xml"}
    assert all(after[name] == raw for name, raw in before.items() if name not in touched)
