"""`dispatchbook sync` as a user runs it on a file: dry run, JSON, a second run that changes nothing."""

import json
import shutil
from pathlib import Path

from sync.backends.xlsx import XlsxBook
from sync.cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "workbooks" / "example.xlsx"


def test_dry_run_writes_nothing_and_says_what_would_change(tmp_path, capsys):
    book = tmp_path / "台账.xlsx"
    shutil.copyfile(EXAMPLE, book)
    before = book.read_bytes()
    assert main(["sync", str(book), "--as-of", "2026-11-18", "--jobs", "daily", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert book.read_bytes() == before
    assert out.splitlines() == [
        "试运行：不写入任何内容。若正式同步，将会：",
        "  写入汇总表 调度看板（142 行）", "  写入汇总表 重点调度（27 行）", "  写入汇总表 超前调度（106 行）",
        "  写入汇总表 变化调度（21 行）", "  写入汇总表 数据问题（6 行）",
        "  更新 月度任务 2026-10 的任务颜色（200 个任务）", "  更新 月度任务 2026-11 的任务颜色（234 个任务）",
        "  更新工作簿结构（名称、样式）"]
    assert main(["sync", str(book), "--as-of", "2026-11-18", "--jobs", "daily"]) == 0
    capsys.readouterr()
    assert main(["sync", str(book), "--as-of", "2026-11-18", "--jobs", "daily", "--dry-run"]) == 0
    unchanged = ["  汇总表 调度看板 内容不变", "  汇总表 重点调度 内容不变", "  汇总表 超前调度 内容不变",
                 "  汇总表 变化调度 内容不变", "  汇总表 数据问题 内容不变"]
    assert capsys.readouterr().out.splitlines() == ["试运行：不写入任何内容。正式同步不会改动工作簿。", *unchanged]
    assert main(["sync", str(book), "--as-of", "2026-11-18", "--jobs", "daily,weekly", "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "试运行：不写入任何内容。若正式同步，将会：", *unchanged, "  写入汇总表 周报表（160 行）", "  更新工作簿结构（名称、样式）"]


def test_json_result_and_a_repeat_that_writes_nothing(tmp_path, capsys):
    book = tmp_path / "台账.xlsx"
    shutil.copyfile(EXAMPLE, book)
    assert main(["sync", str(book), "--as-of", "2026-11-18", "--jobs", "daily", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["as_of"] == "2026-11-18" and result["jobs"] == ["daily"]
    assert {t["colour"] for t in result["tasks"]} == {"green", "red", "orange", "blue"}
    assert "调度看板" in result["written"]
    stamp = book.stat().st_mtime_ns
    assert main(["sync", str(book), "--as-of", "2026-11-18", "--jobs", "daily"]) == 0
    assert "内容与上次相同，未写入" in capsys.readouterr().out
    assert book.stat().st_mtime_ns == stamp


def test_a_book_open_in_excel_is_left_alone(tmp_path, capsys):
    book = tmp_path / "台账.xlsx"
    shutil.copyfile(EXAMPLE, book)
    (tmp_path / "~$台账.xlsx").write_bytes(b"lock")
    before = book.read_bytes()
    assert main(["sync", str(book), "--as-of", "2026-11-18"]) == 3
    assert "本次未写入" in capsys.readouterr().err
    assert book.read_bytes() == before


def test_month_and_week_reissue_the_reports_of_the_period_asked(tmp_path, capsys):
    book = tmp_path / "台账.xlsx"
    shutil.copyfile(EXAMPLE, book)
    args = ["sync", str(book), "--as-of", "2026-11-18", "--month", "2026-10", "--week", "2026-11-04", "--json"]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["jobs"] == ["weekly", "monthly"]
    assert (result["assessment"]["month"], result["assessment"]["judged_at"]) == ("2026-10", "2026-10-31")
    tabs = XlsxBook(book).read(["月考核", "月报表", "周报表"])
    assert [tabs[name][0][0] for name in ("月考核", "月报表", "周报表")] == [
        "月考核 · 2026年10月（数据截至 2026-11-18）", "月报表 · 2026年10月（数据截至 2026-11-18）",
        "周报表 · 周通报 2026年11月02日—11月08日（数据截至 2026-11-18）"]
    scores = {u["unit"]: u["score"] for u in result["assessment"]["units"]}
    rows = tabs["月考核"]
    start = next(i for i, row in enumerate(rows) if row[0] == "单位编码" and row[8] == "层级内排名") + 1
    end = next(i for i in range(start, len(rows)) if rows[i][0] is None)
    shown = {row[0]: row[7] for row in rows[start:end]}
    assert shown == scores  # the JSON is the tab
