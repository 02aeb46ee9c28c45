"""The 周通报 / 月通报: its figures equal the tabs the same sync writes, and the .docx holds every section
(opened with python-docx), with Chinese fonts declared and the board chart as a picture."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from sync.bulletin import make, pdf
from sync.bulletin.document import SECTIONS
from sync.bulletin.figures import build_bulletin
from sync.bulletin.fonts import MISSING, cjk_font
from sync.cli import main
from sync.engine import run_sync
from sync.example import EXAMPLE_AS_OF
from tests.test_engine_example import block, tab

EXAMPLE = Path(__file__).resolve().parent.parent / "workbooks" / "example.xlsx"
MONTH_DAY = date(2026, 12, 1)  # the monthly job's day: 月报表 and the 月通报 report November


def by_header(rows: list[list[object]]) -> dict[object, object]:
    """The group's row of a per-unit block (its first data row) keyed by the block's header."""
    return dict(zip(rows[0], rows[1], strict=False))


def test_the_weekly_bulletin_says_what_the_weekly_report_and_the_board_say(example_memory, rules) -> None:
    outcome = run_sync(example_memory, EXAMPLE_AS_OF, jobs=["daily", "weekly"], rules=rules, dry_run=True)
    bulletin = build_bulletin(outcome.state, "week")
    group = by_header(block(tab(outcome, "周报表"), "分单位情况（逐级汇总）"))
    assert bulletin.figures == {name: group[name] for name in ["任务总数", "周内闭合", "周内新增红色", "橙色预警",
                                                               "红色（累计）"]}
    board = block(tab(outcome, "调度看板"), "各基层党委四色分布（含下属党支部）")
    labels = [label for label, _ in bulletin.chart.colours]
    columns = [board[0].index(label) for label in labels]
    assert bulletin.chart.units == [row[1] for row in board[1:]]
    assert bulletin.chart.counts == [[row[c] for c in columns] for row in board[1:]]
    assert bulletin.summary in tab(outcome, "调度看板").rows[3][0]  # the board's headline sentence
    assert bulletin.figures["任务总数"] == 234 and bulletin.figures["周内闭合"] == 12  # see test_engine_example


def test_the_monthly_bulletin_says_what_the_monthly_report_and_assessment_say(example_memory, rules) -> None:
    outcome = run_sync(example_memory, MONTH_DAY, jobs=["daily", "monthly"], rules=rules, dry_run=True)
    bulletin = build_bulletin(outcome.state, "month")
    assert bulletin.period == "2026年11月"
    group = by_header(block(tab(outcome, "月报表"), "完成情况（按单位，逐级汇总）"))
    assert bulletin.figures == {"任务总数": group["任务数"], "已闭合": group["已闭合"], "闭合率": group["闭合率"],
                                "红色": group["红色"], "橙色": group["橙色"]}
    assessment = tab(outcome, "月考核")
    weakest_title = next(r[0] for r in assessment.rows if r and str(r[0]).startswith("短板"))
    weakest = block(assessment, weakest_title)[1:]
    assert [[r.level, r.unit_name, r.score] for r in bulletin.weakest.itertuples()] == [r[:3] for r in weakest]
    assert sorted(bulletin.new_red["id"]) == sorted(
        r[0] for r in block(tab(outcome, "月报表"), "问题导向：逾期与预警任务")[1:] if r[5] == "红色考核")


@pytest.fixture
def book(tmp_path: Path) -> Path:
    copy = tmp_path / "示例.xlsx"
    shutil.copyfile(EXAMPLE, copy)
    return copy


def headings(document) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]


def test_the_docx_holds_every_section_in_declared_chinese_fonts(book: Path, tmp_path: Path) -> None:
    if cjk_font() is None:
        pytest.skip("no CJK font installed (CI installs fonts-noto-cjk)")
    before = book.read_bytes()
    out = tmp_path / "周通报.docx"
    assert main(["bulletin", str(book), "--week", "--as-of", EXAMPLE_AS_OF.isoformat(), "--out", str(out)]) == 0
    assert book.read_bytes() == before  # the bulletin only reads the book
    document = Document(str(out))
    assert document.paragraphs[0].text == "党建调度周通报"
    assert document.paragraphs[1].text == "（2026年11月16日—11月22日 · 数据截至 2026-11-18）"
    found = headings(document)
    assert [h.split("：")[0].split("（")[0] for h in found] == list(SECTIONS)
    assert len(document.inline_shapes) == 1  # the board chart
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "宋体"
    heading_fonts = document.styles["Heading 1"].element.rPr.find(qn("w:rFonts"))
    assert heading_fonts.get(qn("w:eastAsia")) == "黑体" and heading_fonts.get(qn("w:eastAsiaTheme")) is None
    figures = document.tables[0]
    assert [c.text for c in figures.rows[0].cells] == ["任务总数", "周内闭合", "周内新增红色", "橙色预警", "红色（累计）"]
    assert [c.text for c in figures.rows[1].cells] == ["234", "12", "0", "39", "8"]
    due = document.tables[-1]
    assert [c.text for c in due.rows[0].cells] == ["任务编号", "任务名称", "责任单位", "责任人", "截止日期", "进度"]
    assert all(c.text.startswith("2026-11-") for c in due.columns[4].cells[1:])


def test_without_a_chinese_font_the_document_says_why_the_chart_is_missing(
        book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(make, "cjk_font", lambda: None)
    out = tmp_path / "月通报.docx"
    assert main(["bulletin", str(book), "--month", "--as-of", "2026-12-01", "--out", str(out)]) == 0
    document = Document(str(out))
    assert len(document.inline_shapes) == 0
    assert MISSING in [p.text for p in document.paragraphs]
    assert "fonts-noto-cjk" in "".join(capsys.readouterr().out.split())


def test_a_pdf_without_libreoffice_keeps_the_docx_and_says_what_to_do(
        book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(pdf, "office", lambda: None)
    out = tmp_path / "周通报.pdf"
    assert main(["bulletin", str(book), "--week", "--as-of", "2026-11-18", "--out", str(out)]) == 2
    message = "".join(capsys.readouterr().err.split())
    assert "未安装LibreOffice，无法生成PDF" in message and "另存为PDF" in message
    assert not out.exists() and out.with_suffix(".docx").exists()


def test_a_named_month_or_week_is_reported_after_its_job_day(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "十一月.docx"
    assert main(["bulletin", str(book), "--month", "2026-11", "--as-of", "2026-12-02", "--out", str(out)]) == 0
    assert Document(str(out)).paragraphs[1].text == "（2026年11月 · 数据截至 2026-12-02）"
    assert main(["bulletin", str(book), "--week", "2026-11-12", "--as-of", "2026-12-02", "--out", str(out)]) == 0
    assert Document(str(out)).paragraphs[1].text == "（2026年11月09日—11月15日 · 数据截至 2026-12-02）"


def test_only_docx_or_pdf(book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bulletin", str(book), "--week", "--out", str(tmp_path / "x.txt")]) == 2
    assert "通报只能写成 .docx 或 .pdf" in capsys.readouterr().err


@pytest.mark.skipif(pdf.office() is None or shutil.which("pdfinfo") is None, reason="LibreOffice is not installed")
def test_the_pdf_is_one_or_two_pages(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "月通报.pdf"
    assert main(["bulletin", str(book), "--month", "--as-of", "2026-12-01", "--out", str(out)]) == 0
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))) <= 2
