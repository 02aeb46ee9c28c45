"""The progress display: shown on a terminal for a large book, silent otherwise (a log, a pipe, cron)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from sync import progress
from sync.engine import run_sync
from sync.example import EXAMPLE_AS_OF


def shown(example_memory, rules, terminal: bool) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    with progress.progress_display(Console(file=out, force_terminal=terminal, width=100)):
        run_sync(example_memory, EXAMPLE_AS_OF, rules=rules, dry_run=True)
    return out.getvalue()


def test_a_large_book_shows_its_steps_on_a_terminal(example_memory, rules, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "SHOW_FROM_TASKS", 400)  # the example holds 434 tasks over two months
    text = shown(example_memory, rules, terminal=True)
    assert "同步 434 项任务" in text and "生成汇总表" in text


def test_quiet_off_a_terminal_and_for_small_books(example_memory, rules, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "SHOW_FROM_TASKS", 400)
    assert shown(example_memory, rules, terminal=False) == ""
    monkeypatch.setattr(progress, "SHOW_FROM_TASKS", 435)
    assert shown(example_memory, rules, terminal=True) == ""
