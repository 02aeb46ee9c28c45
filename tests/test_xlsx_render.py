"""Bar 4: every workbook the writer produces opens in LibreOffice headless and renders; the task
colours (conditional formats looking the task ID up in the hidden map) appear where the tasks say,
also after staff sort the rows. Skipped only when LibreOffice is not installed."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import xlsxwriter
from PIL import Image

from sync.backends.xlsx import XlsxBook
from sync.sheets import TaskColours, WritePlan
from tests.test_xlsx_helpers import (
    EXCEL_MADE,
    PALETTE,
    board,
    pdf_pages,
    sheet_parts,
    soffice,
    staff_plan,
    to_pdf,
    weekly,
)

pytestmark = pytest.mark.skipif(soffice() is None or shutil.which("pdftoppm") is None,
                                reason="LibreOffice (soffice) and poppler (pdftoppm) are not installed")
TAB = "月度任务 2026-11"
@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One LibreOffice user profile for the module: its first start is the slow one."""
    return tmp_path_factory.mktemp("soffice-profile")


TASKS = {"T3": "orange", "T1": "red", "T4": "blue", "T2": "green", "T9": None, "T5": "red"}


def colour_bands(png: Path) -> list[str]:
    """Palette colours met from top to bottom of a page, one entry per horizontal band."""
    image = np.asarray(Image.open(png).convert("RGB"), dtype=np.int16)
    keys = list(PALETTE)
    targets = np.array([[int(PALETTE[k].fill[i:i + 2], 16) for i in (0, 2, 4)] for k in keys])
    near = np.all(np.abs(image[:, :, None, :] - targets[None, None]) <= 40, axis=3)  # y, x, colour
    counts = near.sum(axis=1)  # y, colour
    bands: list[str] = []
    previous = None
    for row in counts:
        current = keys[int(row.argmax())] if row.max() >= 15 else None
        if current is not None and current != previous:
            bands.append(current)
        previous = current
    return bands


def month_book(path: Path) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet(TAB)
    sheet.write_row(0, 0, ["任务编号", "状态", "任务名称"])
    for r, task in enumerate(TASKS, start=1):
        sheet.write_row(r, 0, [f"{task} " if task == "T5" else task, "进行中", f"任务 {task}"])  # a stray space
    sheet.set_column(1, 1, 16)
    book.close()


def sort_rows(path: Path, order: list[str]) -> None:
    """Reorder the task rows of the month sheet the way a sort in Excel does (cells move with rows)."""
    part = sheet_parts(path)[TAB]
    with zipfile.ZipFile(path) as archive:
        contents = {i.filename: archive.read(i) for i in archive.infolist()}
    xml = contents[part].decode()
    strings = re.findall(r"<t[^>]*>([^<]*)</t>", contents["xl/sharedStrings.xml"].decode())
    rows = {strings[int(m[2])].strip(): m[0] for m in re.finditer(r'<row r="(\d+)".*?<c r="A\1" t="s"><v>(\d+)</v>.*?</row>', xml)
            if m[1] != "1"}
    body = "".join(re.sub(r'(<row r="|<c r="[A-Z]+)\d+"', rf'\g<1>{n}"', rows[task])
                   for n, task in enumerate(order, start=2))
    first, last = xml.index(rows[next(iter(TASKS))]), xml.index("</sheetData>")
    contents[part] = (xml[:first] + body + xml[last:]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


def test_task_colours_render_and_follow_a_sort(tmp_path: Path, profile: Path) -> None:
    book = tmp_path / "month.xlsx"
    month_book(book)
    colours = {task: colour for task, colour in TASKS.items() if colour}
    XlsxBook(book).write(WritePlan(owned=[board(), weekly()], colours=[TaskColours(TAB, 0, 0, 1, colours)],
                                   palette=PALETTE))
    first_page = pdf_pages(to_pdf([book], tmp_path / "pdf", profile)[0], tmp_path)[0]
    assert colour_bands(first_page) == [c for c in TASKS.values() if c]

    order = ["T5", "T9", "T2", "T1", "T3", "T4"]
    sort_rows(book, order)  # staff sort; no sync in between
    sorted_pdf = to_pdf([book], tmp_path / "sorted", profile)[0]
    assert colour_bands(pdf_pages(sorted_pdf, tmp_path / "sorted")[0]) == [TASKS[t] for t in order if TASKS[t]]


def test_summary_tab_fills_and_chart_render(tmp_path: Path, profile: Path) -> None:
    book = tmp_path / "month.xlsx"
    month_book(book)
    XlsxBook(book).write(WritePlan(owned=[board()], palette=PALETTE))
    pages = pdf_pages(to_pdf([book], tmp_path / "pdf", profile)[0], tmp_path)
    found = {band for page in pages[1:] for band in colour_bands(page)}
    assert {"red", "green"} <= found  # the red header fill, and both chart series


def test_every_written_workbook_converts(tmp_path: Path, profile: Path) -> None:
    books = []
    for source in sorted(EXCEL_MADE.glob("*.xls[xm]")):
        book = tmp_path / "books" / source.name
        book.parent.mkdir(exist_ok=True)
        shutil.copyfile(source, book)
        tab = next(name for name, part in sheet_parts(book).items() if "worksheets/" in part)
        XlsxBook(book, backups=0).write(staff_plan(tab))
        books.append(book)
    for pdf in to_pdf(books, tmp_path / "pdf", profile):
        assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000, pdf.name


def test_ids_with_wildcard_characters_keep_their_own_colour(tmp_path: Path, profile: Path) -> None:
    tasks = {"AB": "green", "A*": "red", "A?": "orange", "A~B": "blue"}  # unescaped, each would match AB's entry
    book = xlsxwriter.Workbook(str(tmp_path / "ids.xlsx"))
    sheet = book.add_worksheet(TAB)
    sheet.write_row(0, 0, ["任务编号", "状态"])
    for r, task in enumerate(tasks, start=1):
        sheet.write_row(r, 0, [task, "进行中"])
    sheet.set_column(1, 1, 16)
    book.close()
    XlsxBook(tmp_path / "ids.xlsx").write(WritePlan(colours=[TaskColours(TAB, 0, 0, 1, tasks)], palette=PALETTE))
    page = pdf_pages(to_pdf([tmp_path / "ids.xlsx"], tmp_path / "pdf", profile)[0], tmp_path)[0]
    assert colour_bands(page) == list(tasks.values())
