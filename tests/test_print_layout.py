"""Tabs leaders read on screen and on paper: nothing clipped (column width against the text's display
width, a CJK character counting double), print settings on every tab the sync writes and on the month
sheet it creates, and — rendered by LibreOffice — every such tab one page wide."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from sync.backends.xlsx import XlsxBook
from sync.engine import run_sync
from sync.example import EXAMPLE_AS_OF
from sync.jobdays import JOBS
from sync.textwidth import PADDING, display_width, fitted_widths
from tests.test_xlsx_helpers import soffice

EXAMPLE = Path(__file__).resolve().parent.parent / "workbooks" / "example.xlsx"
NEW_MONTH_DAY = EXAMPLE_AS_OF.replace(month=12, day=1)  # the sync creates 月度任务 2026-12
CHECKED_HEADERS = {"任务编号", "单位编码", "单位名称", "单位", "责任单位", "责任人"}  # IDs, units, owners


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The example synced on the 1st of December (all jobs): every report tab and a new month sheet."""
    folder = tmp_path_factory.mktemp("print")
    book = folder / "example.xlsx"
    shutil.copyfile(EXAMPLE, book)
    outcome = run_sync(XlsxBook(book), NEW_MONTH_DAY, jobs=list(JOBS))
    assert outcome.month_created
    return book, outcome.written


def tables(ws: Worksheet) -> list[tuple[int, list[str]]]:
    """(header row, header labels) of every table on a tab: a row holding a checked header label."""
    found = []
    for row in ws.iter_rows():
        labels = [c.value if isinstance(c.value, str) else "" for c in row]
        if CHECKED_HEADERS & set(labels):
            found.append((row[0].row, labels))
    return found


def test_ids_units_and_owners_are_never_clipped(synced: tuple[Path, list[str]]) -> None:
    book, written = synced
    wb = load_workbook(book)
    checked = 0
    for name in written:
        ws = wb[name]
        for header_row, labels in tables(ws):
            for j, label in enumerate(labels, start=1):
                if label not in CHECKED_HEADERS:
                    continue
                letter = ws.cell(header_row, j).column_letter
                width = ws.column_dimensions[letter].width
                for r in range(header_row, ws.max_row + 1):
                    cell = ws.cell(r, j)
                    if r > header_row and ws.cell(r, 1).value is None:
                        break  # the end of this table
                    if isinstance(cell.value, str) and not cell.alignment.wrap_text:
                        assert display_width(cell.value) <= width, (name, cell.coordinate, cell.value, width)
                        checked += 1
    assert checked > 1000
    board = wb["调度看板"]
    assert display_width("JH-2026-002-ZB0101") <= board.column_dimensions["A"].width  # the ID that was clipped


def test_every_written_tab_and_the_new_month_sheet_is_set_up_for_paper(synced: tuple[Path, list[str]]) -> None:
    book, written = synced
    wb = load_workbook(book)
    assert "月度任务 2026-12" in written
    for name in written:
        ws = wb[name]
        setup = ws.page_setup
        assert (setup.paperSize, setup.orientation, setup.fitToWidth or 1, setup.fitToHeight) == (9, "landscape", 1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert ws.oddFooter.center.text == "第 &P 页 / 共 &N 页", name
        assert ws.oddFooter.left.text == "&A", name
    for name in written:
        if not name.startswith("月度任务"):
            assert wb[name].oddFooter.right.text == "数据截至 2026-12-01", name
            assert wb[name].print_title_rows, name
    month = wb["月度任务 2026-12"]
    assert month.print_title_rows == "$1:$1" and month.freeze_panes == "A2"
    assert month.auto_filter.ref == f"A1:O{month.max_row}"
    header = [c.value for c in month[1]]
    progress, updated = header.index("进度") + 1, header.index("更新日期") + 1
    for r in range(2, month.max_row + 1):
        assert month.cell(r, progress).number_format == "0%"
        assert month.cell(r, updated).number_format == "yyyy-mm-dd"
    board = wb["调度看板"]
    hidden = [r for r, d in board.row_dimensions.items() if d.hidden]
    assert hidden and all(board.row_dimensions[r].outlineLevel == 1 for r in hidden)
    assert all(str(board.cell(r, 3).value) == "党支部" for r in hidden)  # only branches fold away


@pytest.mark.skipif(soffice() is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) and poppler (pdftotext) are not installed")
def test_every_written_tab_prints_one_page_wide(synced: tuple[Path, list[str]], tmp_path: Path) -> None:
    """LibreOffice prints a tab too wide for one page as left pages, then right pages: a right page holds
    none of column A. So every page of a written tab must show one of the values only column A holds; and
    no number or date shows as ### (its column too narrow)."""
    book, written = synced
    subprocess.run([soffice() or "soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path), str(book)],
                   check=True, capture_output=True, timeout=300)
    pdf = tmp_path / f"{book.stem}.pdf"
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    wb = load_workbook(book)
    seen: dict[str, int] = {}
    for page in pages:
        footer = [line for line in page.splitlines() if "页 / 共" in line]
        if not footer:
            continue  # a staff tab the sync does not print-format
        name = footer[-1].split("第")[0].strip()
        ws = wb[name]
        column_a = {str(c.value).strip() for c in ws["A"] if c.value is not None}
        elsewhere = {str(c.value).strip() for row in ws.iter_rows(min_col=2) for c in row if c.value is not None}
        only_a = {v for v in column_a - elsewhere if len(v) >= 4}
        flat = "".join(page.split())
        assert any("".join(v.split()) in flat for v in only_a), f"{name}: a page without column A"
        assert "###" not in flat, f"{name}: a number or date too wide for its column"
        seen[name] = seen.get(name, 0) + 1
    assert set(written) <= set(seen)


def test_headers_over_numbers_stand_right_so_a_wide_shared_column_still_reads(synced: tuple[Path, list[str]]) -> None:
    # 月考核's score table shares its columns with the wider lines table below it: 基础分 (column E) is as wide
    # as a task name there. Its numbers are right-aligned, so its header must be too, or 100 reads as 扣分.
    ws = load_workbook(synced[0])["月考核"]
    header = next(row for row in ws.iter_rows() if row[0].value == "单位编码" and row[4].value == "基础分")
    right = {c.value: c.alignment.horizontal == "right" for c in header if c.value}
    assert right == {"单位编码": False, "单位名称": False, "层级": False, "上级单位": False, "基础分": True,
                     "扣分": True, "加分": True, "得分": True, "层级内排名": True}


@pytest.mark.parametrize("texts", [
    ["T000123", "党建", "ab", "ＡＢＣ"],  # the longest is not the widest
    ["第一党支部主题党日活动", "long ascii name here", "x\n很长很长很长很长的第二行"],  # a wide line under a short one
    ["abc", "défg", "全角"], ["", " "], ["same", "size"], ["aaaa\nbbbb", "ccccccc"],  # the longest is two short lines
])
def test_a_columns_width_is_its_widest_value_however_long_the_others_are(texts: list[str]) -> None:
    rows = [[t, 3.5, None] for t in texts]
    widest = max(max(display_width(line) for line in t.split("\n")) for t in texts)
    assert fitted_widths(rows, 3, cap=1000, floor=0)[0] == widest + PADDING
