"""``dispatchbook bulletin``: from the dispatch state of a dry-run sync (the book is only read), build the
通报 and write it as .docx, or .pdf through LibreOffice."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import DispatchError
from ..reports.common import DispatchState
from .document import write_docx
from .figures import Bulletin, Period, build_bulletin
from .fonts import MISSING, cjk_font
from .pdf import docx_to_pdf
from .picture import render_chart

JOBS = {"week": ["daily", "weekly"], "month": ["daily", "monthly"]}
SUFFIXES = (".docx", ".pdf")
CHART_TITLE = "各基层党委任务四色分布"


@dataclass
class Made:
    bulletin: Bulletin
    out: Path
    warnings: list[str]


def check_output(out: Path) -> None:
    if out.suffix.lower() not in SUFFIXES:
        raise DispatchError(str(out), "通报只能写成 .docx 或 .pdf", "请把输出文件名改为以 .docx 或 .pdf 结尾")


def make_bulletin(state: DispatchState, kind: Period, out: Path) -> Made:
    """Write the week's or the month's 通报 to ``out`` (.docx or .pdf) from a sync's dispatch state (a sync
    run with the jobs in :data:`JOBS`, so that its tabs and the 通报 report the same period)."""
    check_output(out)
    suffix = out.suffix.lower()
    bulletin = build_bulletin(state, kind)
    font = cjk_font()
    warnings = [] if font else [MISSING]
    with tempfile.TemporaryDirectory(prefix="dispatchbook-bulletin-") as work:
        picture = render_chart(bulletin.chart, CHART_TITLE, font, Path(work) / "chart.png") if font else None
        docx = out if suffix == ".docx" else out.with_suffix(".docx")
        write_docx(bulletin, picture, MISSING, docx)
    if suffix == ".pdf":
        docx_to_pdf(docx, out)
    return Made(bulletin, out, warnings)
