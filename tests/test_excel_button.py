"""The 「立即调度」 button: its entry point's message boxes, its VBA module and the xlwings.conf sample."""

from __future__ import annotations

import importlib
import inspect
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
import xlwings

import sync.button
from sync.button import TITLE, recalc
from sync.calendar import WorkCalendar
from sync.example import EXAMPLE_AS_OF
from sync.jobdays import due_jobs
from sync.rulebook import load_rules
from tests.excel_helpers import Replay, book_payload, open_remote, xlsx_tabs

WORKBOOKS = Path(__file__).resolve().parent.parent / "workbooks"


def click(tabs: dict) -> tuple[object, Replay]:
    """Press the button on a workbook with these tabs; the outcome and the workbook afterwards."""
    payload = book_payload(tabs)
    book = open_remote(payload)
    outcome = recalc(book)
    return outcome, Replay(payload).apply(book.json()["actions"])


def test_click_syncs_recalculates_and_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(WorkCalendar, "today", lambda self: EXAMPLE_AS_OF)
    outcome, replay = click(xlsx_tabs(WORKBOOKS / "example.xlsx"))
    assert outcome is not None
    assert replay.calls[-2:] == ["calculate", "alert"]
    ((prompt, title, buttons, mode, _),) = replay.alerts
    assert (title, buttons, mode) == (TITLE, "ok", "info")
    colours = outcome.state.tasks["colour"].value_counts()
    for colour in outcome.state.rules.palette.values():
        assert f"{colour.label} {colours.get(colour.key, 0)}" in prompt
    assert f"数据截至 {outcome.as_of:%Y-%m-%d}" in prompt
    assert "调度看板" in prompt and "Traceback" not in prompt
    assert "调度看板" in replay.names()


def test_a_click_on_a_rest_day_still_refreshes_the_board(monkeypatch: pytest.MonkeyPatch) -> None:
    sunday = date(2026, 11, 22)
    monkeypatch.setattr(WorkCalendar, "today", lambda self: sunday)
    rules = load_rules()
    assert due_jobs(rules, sunday) == []
    outcome, replay = click(xlsx_tabs(WORKBOOKS / "example.xlsx"))
    assert outcome is not None and outcome.as_of == sunday and outcome.jobs == ["daily"]
    assert "调度看板" in outcome.written and "调度看板" in replay.names()
    assert "数据截至 2026-11-22，日调度）" in replay.alerts[0][0]


def test_a_bad_workbook_gets_a_readable_message_and_nothing_written() -> None:
    outcome, replay = click({"说明": [["这不是调度工作簿"]]})
    assert outcome is None
    assert replay.calls == ["alert"]
    ((prompt, title, _, mode, _),) = replay.alerts
    assert (title, mode) == (TITLE, "critical")
    assert "找不到工作表“组织架构”" in prompt and "修改方法：" in prompt and "位置：党建调度.xlsm" in prompt


def test_a_bug_is_reported_with_its_log_not_a_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("状态")

    monkeypatch.setattr(sync.button, "on_demand_sync", broken)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    outcome, replay = click(xlsx_tabs(WORKBOOKS / "example.xlsx"))
    assert outcome is None
    ((prompt, _, _, mode, _),) = replay.alerts
    log = tmp_path / sync.button.LOG_NAME
    assert mode == "critical" and str(log) in prompt and "KeyError" in prompt
    assert "Traceback" not in prompt
    assert "Traceback" in log.read_text(encoding="utf-8") and "broken" in log.read_text(encoding="utf-8")


def test_vba_module_runs_the_entry_point() -> None:
    raw = (WORKBOOKS / "dispatch_button.bas").read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # the VBA editor wants CRLF
    code = raw.decode("gbk")  # the ANSI code page of Simplified Chinese Windows
    assert code.startswith('Attribute VB_Name = "DispatchButton"\r\n')
    (command,) = re.findall(r'Sub 立即调度\(\)\r\n\s+RunPython "([^"]+)"\r\nEnd Sub', code)
    statements = [s.strip() for s in command.split(";")]
    assert statements[0] == "import sync.button"
    module, call = statements[1].rsplit(".", 1)
    function = getattr(importlib.import_module(module), call.removesuffix("()"))
    assert function is recalc
    assert all(p.default is not p.empty for p in inspect.signature(function).parameters.values())


def test_conf_sample_sets_keys_the_xlwings_vba_reads() -> None:
    read = set(re.findall(r'GetConfig\("([A-Z_ ]+)"', (Path(xlwings.__file__).parent / "xlwings.bas").read_text()))
    lines = (WORKBOOKS / "xlwings.conf.sample").read_text(encoding="ascii").splitlines()
    pairs = [re.fullmatch(r'"([A-Z_ ]+)","([^"]+)"', line) for line in lines]
    assert all(pairs)
    keys = {p[1] for p in pairs if p}
    assert keys == {"INTERPRETER_WIN", "INTERPRETER_MAC"} and keys <= read


def test_a_click_is_remembered_in_the_schedulers_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "dispatchbook.toml"
    config.write_text('history = "state/history.sqlite"\n[[books]]\nname = "台账"\npath = "台账.xlsx"\n',
                      encoding="utf-8")
    monkeypatch.setenv("DISPATCHBOOK_CONFIG", str(config))
    monkeypatch.setattr(WorkCalendar, "today", lambda self: EXAMPLE_AS_OF)
    for _ in range(2):
        outcome, _ = click(xlsx_tabs(WORKBOOKS / "example.xlsx"))
        assert outcome is not None
    with sqlite3.connect(tmp_path / "state" / "history.sqlite") as db:
        runs = db.execute("SELECT as_of FROM runs").fetchall()
        scored = db.execute("SELECT COUNT(DISTINCT run) FROM scores").fetchone()[0]
    assert runs == [(EXAMPLE_AS_OF.isoformat(),)] * 2 and scored == 2
