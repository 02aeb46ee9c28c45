"""Shared helpers for the .xlsx writer tests: plans, part comparison, LibreOffice rendering.

(No tests here; the other ``test_xlsx_*`` modules import from it.)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

from lxml import etree

from sync.sheets import (
    CellStyle,
    Chart,
    Colour,
    Grid,
    ListValidation,
    RowAppend,
    Series,
    SheetGrid,
    TaskColours,
    WritePlan,
)

EXCEL_MADE = Path(__file__).parent / "data" / "excel-made"
PALETTE = {
    "green": Colour("green", "绿色已闭合", "00B050", "FFFFFF"),
    "red": Colour("red", "红色考核", "FF0000", "FFFFFF"),
    "orange": Colour("orange", "橙色预警", "FFA500", "000000"),
    "blue": Colour("blue", "蓝色进行中", "0070C0", "FFFFFF"),
}
OWNED_NAMES = ("调度看板", "周报表")
NAME_RE = re.compile(r'<definedName name="(?:_调度颜色(?:键|值)|_dispatchbook" localSheetId="\d+" hidden="1)">[^<]*</definedName>')


def board(as_of: str = "2026-11-05") -> SheetGrid:
    """A summary tab with every feature a SheetGrid has."""
    rows: Grid = [[f"调度看板（截至 {as_of}）"], ["单位", "红色考核", "绿色已闭合", "截止日期"],
            ["一矿党委", 3, 5, date(2026, 11, 30)], ["二矿党委", 1, 7, datetime(2026, 11, 30, 17, 30)],
            ["=SUM(B3:B4)", -2, 0.25, "@staff"], ["+86 电话", "-", "合计", None]]
    return SheetGrid("调度看板", rows,
                     styles={(0, 0): CellStyle(bold=True, size=14), (1, 1): CellStyle(fill="FF0000", font_colour="FFFFFF"),
                             (4, 2): CellStyle(number_format="0.0%"), (5, 0): CellStyle(wrap=True),
                             (7, 3): CellStyle(fill="DDDDDD")},
                     column_widths=[18, 10, 12, 14], freeze=(2, 1),
                     charts=[Chart("各基层党委四色分布", (2, 3, 0), (Series("红色考核", (2, 3, 1), "FF0000"),
                                                              Series("绿色已闭合", (2, 3, 2), "00B050")), (8, 0), (6, 10))],
                     validations=[ListValidation(3, 2, 20, ("是", "否"))])


def weekly() -> SheetGrid:
    return SheetGrid("周报表", [["周报表（截至 2026-11-05）"], ["编号", "任务"], ["T1", "组织生活会"]])


def staff_plan(tab: str, header_row: int = 0, append: bool = True) -> WritePlan:
    """Summary tabs, two appended rows and colours on ``tab`` (IDs in column A, status in B)."""
    appends = [RowAppend(tab, [{0: "T-new-1", 1: "未开始", 2: date(2026, 11, 30)}, {0: "T-new-2", 1: "=1+1"}],
                         {2: CellStyle(number_format="yyyy-mm-dd")})] if append else []
    colours = TaskColours(tab, header_row, 0, 1, {"T-new-1": "red", "T-new-2": "green"})
    return WritePlan(owned=[board(), weekly()], appends=appends, colours=[colours], palette=PALETTE)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def sheet_parts(path: Path) -> dict[str, str]:
    """Tab name -> worksheet part name."""
    with zipfile.ZipFile(path) as archive:
        workbook = etree.fromstring(archive.read("xl/workbook.xml"))
        rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    ns = {"m": workbook.nsmap[None], "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    return {str(s.get("name")): "xl/" + str(targets[s.get(f"{{{ns['r']}}}id")]).lstrip("/").removeprefix("xl/")
            for s in workbook.iterfind("m:sheets/m:sheet", ns)}


def strip_count(xml: str) -> str:
    return re.sub(r'\scount="\d+"', "", xml)


def canonical(el: etree._Element) -> bytes:
    return etree.tostring(el, method="c14n")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(books: list[Path], out: Path, profile: Path) -> list[Path]:
    """Convert books to PDF with LibreOffice headless (user profile in ``profile``), in one process."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([soffice() or "soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--norestore", "--convert-to", "pdf", "--outdir", str(out), *map(str, books)],
                   check=True, capture_output=True, timeout=300)
    return [out / f"{book.stem}.pdf" for book in books]


def pdf_pages(pdf: Path, out: Path, dpi: int = 60) -> list[Path]:
    """Render every page of a PDF to PNG (poppler's pdftoppm)."""
    prefix = out / pdf.stem
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True, timeout=120)
    return sorted(out.glob(f"{pdf.stem}-*.png"))
