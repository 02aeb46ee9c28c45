"""Bar 4 on the example: after a full sync, LibreOffice opens the book and renders the four colours
where the tasks say — on the month sheet's 状态 cells and on 调度看板. Skipped only without LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from python_calamine import CalamineWorkbook

from sync.backends.xlsx import XlsxBook
from sync.engine import run_sync
from sync.example import EXAMPLE_AS_OF
from sync.jobdays import JOBS
from tests.test_xlsx_helpers import PALETTE, soffice
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


def page(rendered, name: str, dpi: int = 40) -> Path:  # type: ignore[no-untyped-def]
    pdf, sheets, _ = rendered
    number = sheets.index(name) + 1
    prefix = pdf.parent / f"page{number}-{dpi}dpi"
    subprocess.run(["pdftoppm", "-f", str(number), "-l", str(number), "-r", str(dpi), "-png", str(pdf), str(prefix)],
                   check=True, timeout=120)
    return next(pdf.parent.glob(f"page{number}-{dpi}dpi-*.png"))


def palette_pixels(png: Path) -> np.ndarray:
    """(y, x, colour) booleans: is the pixel one of the palette's fills (in PALETTE's order)."""
    image = np.asarray(Image.open(png).convert("RGB"), dtype=np.int16)
    targets = np.array([[int(PALETTE[k].fill[i:i + 2], 16) for i in (0, 2, 4)] for k in PALETTE])
    return np.all(np.abs(image[:, :, None, :] - targets[None, None]) <= 40, axis=3)


def runs(columns: np.ndarray) -> int:
    """How many separate runs of True a row of booleans holds."""
    return int(np.count_nonzero(columns[1:] & ~columns[:-1]) + columns[0])


def test_month_sheet_status_cells_show_each_tasks_colour(rendered):
    pdf, _, colours = rendered
    ids = [row[0] for row in CalamineWorkbook.from_path(str(pdf.with_suffix(".xlsx")))
           .get_sheet_by_name("月度任务 2026-11").to_python()[1:]]
    expected = collapse([colours[i] for i in ids])
    assert set(expected) == {"green", "red", "orange", "blue"}
    assert colour_bands(page(rendered, "月度任务 2026-11")) == expected


def test_board_chart_draws_bars_in_the_four_colours(rendered):
    """The header cells of 调度看板 carry the four fills too, so look only right of the tables, at the chart:
    each colour must appear as more than one column of pixels there (its legend key, and at least one bar)."""
    near = palette_pixels(page(rendered, "调度看板", dpi=80))
    side_by_side = np.flatnonzero(near.any(axis=1).all(axis=1))  # pixel rows where all four fills appear
    assert side_by_side.size, "the board's header fills were not found"
    header = near[side_by_side[0]]  # the topmost: the first table's header (the chart's legend is lower)
    tables_end = int(np.flatnonzero(header.any(axis=1)).max()) + 80  # past 合计 and 闭合率
    chart = near[:, tables_end:]
    bars = {key: runs(chart[:, :, i].any(axis=0)) for i, key in enumerate(PALETTE)}
    assert {key: count >= 2 for key, count in bars.items()} == dict.fromkeys(PALETTE, True), bars

