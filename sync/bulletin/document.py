"""The 通报 as a .docx (python-docx): title and period, headline figures, the board chart, new reds,
短板, 典型导向 and the items due next, on A4 with Chinese fonts declared (w:eastAsia) so Word, WPS and
LibreOffice show them as meant."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt
from docx.styles.style import BaseStyle
from docx.table import Table
from docx.text.run import Run

from ..textwidth import display_width
from .figures import LIST_LIMIT, Bulletin
from .fonts import BODY_FONT, HEADING_FONT, LATIN_FONT

TEXT_WIDTH_CM = 16.6
CM_PER_COLUMN = 0.22  # one display column (half a CJK character) of 9 pt text, with room to spare
CELL_PADDING_CM = 0.4
SHORT_TEXT = 20  # display columns: a cell up to this wide never wraps
SECTIONS = ("一、总体情况", "二、一图四色", "三、红色任务", "四、短板", "五、典型导向", "六、下步到期事项")
TASK_COLUMNS = [("任务编号", "id"), ("任务名称", "name"), ("责任单位", "unit_name"), ("责任人", "owner"),
                ("截止日期", "deadline"), ("进度", "progress")]


def write_docx(bulletin: Bulletin, picture: Path | None, missing_picture: str, out: Path) -> Path:
    """Write the bulletin to ``out`` (.docx); without ``picture`` the chart section says why."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2)
    _declare_fonts(doc)
    title = doc.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(title.add_run(bulletin.title), HEADING_FONT)
    period = doc.add_paragraph(f"（{bulletin.period} · 数据截至 {bulletin.as_of:%Y-%m-%d}）")
    period.alignment = WD_ALIGN_PARAGRAPH.CENTER

    _heading(doc, SECTIONS[0])
    doc.add_paragraph(bulletin.summary + "。")
    names = list(bulletin.figures)
    _table(doc, names, [[_figure(name, bulletin.figures[name]) for name in names]])

    _heading(doc, SECTIONS[1])
    if picture is not None:
        doc.add_picture(str(picture), width=Cm(16.5))
    else:
        doc.add_paragraph(missing_picture)

    red_title = "本周新增红色（逾期）任务" if bulletin.kind == "week" else "本月红色考核任务"
    _heading(doc, f"{SECTIONS[2]}：{red_title}")
    _task_table(doc, bulletin.new_red)

    _heading(doc, SECTIONS[3])
    weakest = [[r.level, r.unit_name, f"{r.score:g}", "并列" if r.tied else ""]
               for r in bulletin.weakest.itertuples(index=False)]
    _rows_or_none(doc, ["层级", "单位", "得分", "并列"], weakest)

    _heading(doc, SECTIONS[4])
    top = [[r.level, r.unit_name, f"{r.score:g}"] for r in bulletin.top_units.itertuples(index=False)]
    doc.add_paragraph("各层级得分第一的单位：")
    _rows_or_none(doc, ["层级", "单位", "得分"], top)
    doc.add_paragraph("典型任务：")
    marked = [[r.id, r.name, r.unit_name, _text(r.latest)] for r in bulletin.exemplars.itertuples(index=False)]
    _rows_or_none(doc, ["任务编号", "任务名称", "责任单位", "最新进展"], marked)

    _heading(doc, f"{SECTIONS[5]}（{bulletin.due_label}到期、尚未闭合）")
    _task_table(doc, bulletin.due_next)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def _declare_fonts(doc: object) -> None:
    """Body in 宋体 and headings in 黑体 for Chinese text (w:eastAsia), Times New Roman for Latin."""
    styles = doc.styles  # type: ignore[attr-defined]
    normal = styles["Normal"]
    normal.font.size = Pt(11)
    _style_fonts(normal, BODY_FONT)
    for name in ("Title", "Heading 1", "Heading 2"):
        _style_fonts(styles[name], HEADING_FONT)
    styles["Title"].font.size = Pt(22)
    styles["Heading 1"].font.size = Pt(14)


def _style_fonts(style: BaseStyle, east_asian: str) -> None:
    rpr = style.element.get_or_add_rPr()
    _set_rfonts(rpr, east_asian)


def _fonts(run: Run, east_asian: str) -> Run:
    _set_rfonts(run._element.get_or_add_rPr(), east_asian)
    return run


def _set_rfonts(rpr: BaseOxmlElement, east_asian: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for key in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(key), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)  # a theme font would win over the names above


def _heading(doc: object, text: str) -> None:
    _fonts(doc.add_heading(level=1).add_run(text), HEADING_FONT)  # type: ignore[attr-defined]


def _table(doc: object, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    """A grid table in 9 pt; columns share the 16.6 cm line by their longest text (IDs do not wrap)."""
    table = doc.add_table(rows=1, cols=len(header))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.autofit = False
    widths = [Cm(w) for w in _column_widths(header, rows)]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid LibreOffice and WPS go by
    for row in [header, *rows]:
        cells = table.rows[0].cells if row is header else table.add_row().cells
        for cell, text, width in zip(cells, row, widths, strict=True):
            cell.width = width
            cell.text = ""
            run = cell.paragraphs[0].add_run(text)
            run.font.size = Pt(9)
            run.bold = row is header
    return table


def _column_widths(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[float]:
    """Centimetres per column: short columns (IDs, dates, names of units) as wide as their longest text,
    the long-text columns share what is left of the line and wrap."""
    longest = [max([display_width(h), *(display_width(r[j]) for r in rows)]) for j, h in enumerate(header)]
    need = [w * CM_PER_COLUMN + CELL_PADDING_CM for w in longest]
    flexible = [j for j, w in enumerate(longest) if w > SHORT_TEXT] or list(range(len(need)))
    fixed = sum(n for j, n in enumerate(need) if j not in flexible)
    left = max(TEXT_WIDTH_CM - fixed, 2.0 * len(flexible))
    share = sum(need[j] for j in flexible)
    return [left * need[j] / share if j in flexible else need[j] for j in range(len(need))]


def _rows_or_none(doc: object, header: Sequence[str], rows: list[list[str]]) -> None:
    if not rows:
        doc.add_paragraph("（无）")  # type: ignore[attr-defined]
        return
    _table(doc, header, rows[:LIST_LIMIT])
    if len(rows) > LIST_LIMIT:
        doc.add_paragraph(f"另有 {len(rows) - LIST_LIMIT} 项，详见工作簿。")  # type: ignore[attr-defined]


def _task_table(doc: object, tasks: pd.DataFrame) -> None:
    rows = [[_text(getattr(r, key)) if key not in ("deadline", "progress") else
             (f"{r.deadline:%Y-%m-%d}" if key == "deadline" and not pd.isna(r.deadline) else
              f"{r.progress:.0f}%" if key == "progress" and not pd.isna(r.progress) else "")
             for _, key in TASK_COLUMNS] for r in tasks.itertuples(index=False)]
    _rows_or_none(doc, [h for h, _ in TASK_COLUMNS], rows)


def _figure(name: str, value: int | float) -> str:
    return f"{value:.1%}" if name.endswith("率") else f"{value:g}"


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)
