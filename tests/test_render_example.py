"""Bar 4 on the example: after a full sync, LibreOffice opens the book and renders the four colours
where the tasks say — on the month sheet's 状态 cells and on 调度看板. Skipped only without LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from sync.backends.xlsx import XlsxBook
from sync.engine import run_sync
from sync.example import EXAMPLE_AS_OF
from sync.jobdays import JOBS
from tests.test_xlsx_helpers import soffice
from tests.test_xlsx_render import colour_bands

pytestmark = pytest.mark.skipif(soffice() is None or shutil.which("pdftoppm") is None,
                                reason="LibreOffice (soffice) and poppler (pdftoppm) are not installed")
EXAMPLE = Path(__file__).resolve().parent.parent / "workbooks" / "example.xlsx"
ONE_PAGE_PER_SHEET = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'


def collapse(colours: list[str]) -> list[str]:
    return [c for i, c in enumerate(colours) if i == 0 or c != colours[i - 1]]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], dict[str, str]]:
    """The example synced in place (all jobs), then exported one page per sheet."""
    folder = tmp_path_factory.mktemp("render")
    book = folder / "example.xlsx"
    shutil.copyfile(EXAMPLE, book)
    outcome = run_sync(XlsxBook(book), EXAMPLE_AS_OF, jobs=list(JOBS))
    colours = dict(zip(outcome.state.tasks["id"], outcome.state.tasks["colour"], strict=True))
    subprocess.run([soffice() or "soffice", f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                    "--norestore", "--convert-to", ONE_PAGE_PER_SHEET, "--outdir", str(folder), str(book)],
                   check=True, capture_output=True, timeout=300)
    sheets = CalamineWorkbook.from_path(str(book)).sheet_names  # hidden sheets get a page too
    return folder / "example.pdf", sheets, colours


def page(rendered, name: str) -> Path:  # type: ignore[no-untyped-def]
    pdf, sheets, _ = rendered
    number = sheets.index(name) + 1
    prefix = pdf.parent / f"page{number}"
    subprocess.run(["pdftoppm", "-f", str(number), "-l", str(number), "-r", "40", "-png", str(pdf), str(prefix)],
                   check=True, timeout=120)
    return next(pdf.parent.glob(f"page{number}-*.png"))


def test_month_sheet_status_cells_show_each_tasks_colour(rendered):
    pdf, _, colours = rendered
    ids = [row[0] for row in CalamineWorkbook.from_path(str(pdf.with_suffix(".xlsx")))
           .get_sheet_by_name("月度任务 2026-11").to_python()[1:]]
    expected = collapse([colours[i] for i in ids])
    assert set(expected) == {"green", "red", "orange", "blue"}
    assert colour_bands(page(rendered, "月度任务 2026-11")) == expected


def test_board_shows_the_four_colours(rendered):
    assert set(colour_bands(page(rendered, "调度看板"))) == {"green", "red", "orange", "blue"}

