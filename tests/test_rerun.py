"""A same-day re-run that can change nothing is not run (sync.rerun), and every change runs the sync in full."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from sync import cli, rerun
from sync.backends.xlsx import XlsxBook
from sync.cli import main
from sync.engine import run_sync
from sync.rulebook import load_rules

EXAMPLE = Path(__file__).resolve().parent.parent / "workbooks" / "example.xlsx"
DAY = ["--as-of", "2026-11-18", "--jobs", "daily"]
FIRST = [  # the first sync's summary
    "台账.xlsx 调度日期 2026-11-18，作业：daily",
    "                    一图四色                     ",
    "┏━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━┓",
    "┃ 绿色已闭合 ┃ 红色考核 ┃ 橙色预警 ┃ 蓝色进行中 ┃",
    "┡━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━┩",
    "│         57 │        8 │       39 │        130 │",
    "└────────────┴──────────┴──────────┴────────────┘",
    "  2026年11月考核 基层党委短板：四矿党委 94、洗选中心党委 95（并列）、物流公司党委 95（并列）",
    "  2026年11月考核 党支部短板：一矿调度室党支部等 11 个单位并列 99（名单见“月考核”表）",
    "  已写入：调度看板、重点调度、超前调度、变化调度、数据问题、月度任务 2026-10、月度任务 2026-11"]
SHORTCUT = "以来工作簿和规则都没有改动，结果同上次，未重新计算，未写入"


@pytest.fixture
def book(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example, synced once on 2026-11-18 by a plain sync (which leaves the record)."""
    monkeypatch.setattr(cli.console, "_width", 200)  # a summary line per line
    path = tmp_path / "台账.xlsx"
    shutil.copyfile(EXAMPLE, path)
    assert main(["sync", str(path), *DAY]) == 0
    assert capsys.readouterr().out.splitlines() == FIRST
    return path


def sync_out(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["sync", *args]) == 0
    return capsys.readouterr().out


def test_a_rerun_on_an_unchanged_book_neither_reads_nor_writes_and_says_so(
        book: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    before, stamp = book.read_bytes(), book.stat().st_mtime_ns

    def no_sync(*args: object, **kwargs: object) -> None:
        raise AssertionError("the sync ran")

    monkeypatch.setattr(cli, "on_demand_sync", no_sync)
    lines = sync_out(capsys, str(book), *DAY).splitlines()
    assert lines[:-1] == FIRST[:-1]  # what the sync that wrote the book found
    assert lines[-1] == f"  自上次同步（{lines[-1][8:13]}）{SHORTCUT}"
    assert book.read_bytes() == before and book.stat().st_mtime_ns == stamp


def test_the_book_a_recording_sync_wrote_is_one_a_full_sync_leaves_alone(tmp_path: Path) -> None:
    """The record claims a re-run would write nothing: a full sync of the book it was written with agrees.
    A sync that makes a month sheet leaves none (the sync after it still rewrites the summary tabs)."""
    path = tmp_path / "台账.xlsx"
    shutil.copyfile(EXAMPLE, path)
    rules, jobs = load_rules(), ["daily", "weekly"]
    for day, makes_a_sheet in ((date(2026, 11, 18), False), (date(2026, 11, 19), False), (date(2026, 12, 1), True)):
        key = rerun.run_key(path.name, day, rules=rules, jobs=jobs, month=None, week=None)
        assert bool(run_sync(XlsxBook(path), day, jobs=jobs, rules=rules, record=True).plan.created) == makes_a_sheet
        if makes_a_sheet:
            assert rerun.unchanged_since(XlsxBook(path), key) is None
            assert run_sync(XlsxBook(path), day, jobs=jobs, rules=rules, record=True).written
        again = XlsxBook(path)
        assert rerun.unchanged_since(again, key) is not None
        assert run_sync(again, day, jobs=jobs, rules=rules).written == []


def rewrite_part(path: Path, part: str, old: bytes, new: bytes) -> None:
    """Change one part in place, the archive comment (the record) kept: as a zip tool would."""
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info)) for info in source.infolist()]
        comment = source.comment
    assert any(info.filename == part and old in data for info, data in items)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            out.writestr(info, data.replace(old, new) if info.filename == part else data)
        out.comment = comment


def part_of(path: Path, tab: str) -> str:
    workbook = XlsxBook(path)._workbook()
    assert workbook is not None
    return next(t.part for t in workbook.tabs if t.name == tab)


def test_a_staff_tab_changed_with_the_record_kept_runs_in_full(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    part = part_of(book, "组织架构")
    rewrite_part(book, part, b"</sheetData>", b"</sheetData>" + b" " * 1)
    out = sync_out(capsys, str(book), *DAY)
    assert SHORTCUT not in out and "内容与上次相同，未写入" in out  # a blank in the XML changes no value


def test_a_sync_owned_tab_edited_is_rebuilt(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rewrite_part(book, part_of(book, "调度看板"), b"</sheetData>", b"</sheetData> ")
    out = sync_out(capsys, str(book), *DAY)
    assert SHORTCUT not in out and "已写入：调度看板" in out


def test_a_book_saved_by_another_program_runs_in_full(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Saving rewrites the zip and drops the record, as Excel does; here a sync-owned tab is also deleted."""
    workbook = openpyxl.load_workbook(book)
    del workbook["调度看板"]
    workbook.save(book)
    out = sync_out(capsys, str(book), *DAY)
    assert SHORTCUT not in out and "调度看板" in out.split("已写入：")[1]


@pytest.mark.parametrize("args", [
    ["--as-of", "2026-11-19", "--jobs", "daily"],  # the date moved
    ["--as-of", "2026-11-18", "--jobs", "daily,weekly"],  # other jobs
    ["--as-of", "2026-11-18", "--jobs", "daily", "--month", "2026-10"],
    ["--as-of", "2026-11-18", "--jobs", "daily", "--week", "2026-11-09"],
])
def test_another_run_asked_for_runs_in_full(book: Path, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    out = sync_out(capsys, str(book), *args)
    assert SHORTCUT not in out and "已写入：" in out


def test_edited_rules_or_a_new_version_of_the_sync_run_in_full(
        book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    rules = tmp_path / "规则"
    assert main(["init-rules", str(rules)]) == 0
    text = (rules / "assessment.toml").read_text(encoding="utf-8")
    (rules / "assessment.toml").write_text(text.replace("bottom = 3", "bottom = 4"), encoding="utf-8")
    capsys.readouterr()
    assert SHORTCUT not in sync_out(capsys, str(book), *DAY, "--rules", str(rules))
    assert SHORTCUT in sync_out(capsys, str(book), *DAY, "--rules", str(rules))  # that run left its own record
    monkeypatch.setattr(rerun, "code_digest", lambda: b"another version")
    assert SHORTCUT not in sync_out(capsys, str(book), *DAY, "--rules", str(rules))


def test_runs_that_need_the_dispatch_state_or_a_history_run_in_full(
        book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "正式同步不会改动工作簿" in sync_out(capsys, str(book), *DAY, "--dry-run")
    assert '"tasks"' in sync_out(capsys, str(book), *DAY, "--json")
    out = sync_out(capsys, str(book), *DAY, "--history", str(tmp_path / "history.sqlite"))
    assert SHORTCUT not in out and "内容与上次相同，未写入" in out
    assert SHORTCUT in sync_out(capsys, str(book), *DAY)  # none of those wrote: the record still stands


def test_a_copy_under_another_name_or_a_report_book_runs_in_full(
        book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "副本.xlsx"
    shutil.copyfile(book, copy)
    assert SHORTCUT not in sync_out(capsys, str(copy), *DAY)  # the book's name is in its tabs' inputs
    assert SHORTCUT not in sync_out(capsys, str(book), *DAY, "--report-to", str(tmp_path / "汇总.xlsx"))


def test_a_book_open_in_excel_or_read_only_runs_in_full_and_says_so(
        book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Such a book would not be written: the sync says why, as it did before the record existed."""
    lock = book.parent / f"~${book.name}"
    lock.write_bytes(b"lock")
    assert main(["sync", str(book), *DAY]) == 3
    assert "正在 Excel、WPS 或 LibreOffice 中打开" in capsys.readouterr().err
    lock.unlink()
    book.chmod(0o444)
    assert main(["sync", str(book), *DAY]) != 0
    assert "工作簿是只读文件" in capsys.readouterr().err
    book.chmod(0o644)
    assert SHORTCUT in sync_out(capsys, str(book), *DAY)


def test_a_write_without_the_record_drops_the_old_one(book: Path) -> None:
    assert XlsxBook(book).kept_record() is not None
    assert run_sync(XlsxBook(book), date(2026, 11, 19), jobs=["daily"]).written
    assert XlsxBook(book).kept_record() is None


def test_the_book_that_wrote_answers_for_the_file_it_wrote(book: Path) -> None:
    same = XlsxBook(book)
    assert same.kept_record() is not None
    assert run_sync(same, date(2026, 11, 19), jobs=["daily"]).written
    assert same.kept_record() is None  # the written file has no record, not the one read before


def test_a_record_too_long_for_a_zip_comment_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    shutil.copyfile(EXAMPLE, path)
    book = XlsxBook(path)
    book.keep_record("x" * 70_000)
    assert run_sync(book, date(2026, 11, 18), jobs=["daily"]).written
    with zipfile.ZipFile(path) as written:
        assert written.comment == b""
    assert XlsxBook(path).kept_record() is None
