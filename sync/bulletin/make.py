"""``dispatchbook bulletin``: read the book (nothing is written to it), build the 通报 from the same
dispatch state as the tabs, and write it as .docx, or .pdf through LibreOffice."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..engine import run_sync
from ..errors import DispatchError
from ..rulebook import Rulebook
from ..sheets import Backend
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


def make_bulletin(book: Backend, kind: Period, as_of: date, rules: Rulebook, out: Path) -> Made:
    """Write the week's or the month's 通报 of ``book`` to ``out`` (.docx or .pdf)."""
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise DispatchError(str(out), "通报只能写成 .docx 或 .pdf", "请把输出文件名改为以 .docx 或 .pdf 结尾")
    state = run_sync(book, as_of, jobs=JOBS[kind], rules=rules, dry_run=True).state
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
