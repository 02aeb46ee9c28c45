"""The 「立即调度」 button in Excel: sync the workbook that clicked, then say how it went in a message box.

The button's macro runs ``RunPython "import sync.button; sync.button.recalc()"`` (see
``workbooks/dispatch_button.bas`` and ``docs/excel-button.md``). The user sees one message box —
the result, or what went wrong and how to fix it — never a traceback. An unexpected error's
traceback goes to a log file whose place the message names.
"""

from __future__ import annotations

import os
from pathlib import Path

import xlwings as xw

from .backends.xlwings import ExcelBook
from .config import DEFAULT_CONFIG, Config, load_config
from .engine import SyncOutcome
from .errors import DispatchError
from .exits import BUG_LOG, log_bug, one_line, user_error
from .jobdays import JOBS, due_jobs
from .reports.common import colour_counts
from .reports.lists import PROBLEMS_NAME
from .rulebook import load_rules
from .scheduler import on_demand_sync

TITLE = "立即调度"
CONFIG_ENV = "DISPATCHBOOK_CONFIG"

LOG_NAME = BUG_LOG


def recalc(book: xw.Book | None = None) -> SyncOutcome | None:
    """Sync ``book`` (default: the workbook whose button was clicked) as of today: the daily dispatch
    even on a rest day, plus the reports due today.

    Returns the outcome, or None if the sync failed; either way the user has been told.
    """
    book = xw.Book.caller() if book is None else book
    try:
        outcome = _sync(book)
    except Exception as error:  # noqa: BLE001 - a bug must still reach the user as a message box
        known = user_error(error)
        text = failure_text(known) if known is not None else bug_text(error, log_bug(error))
        book.app.alert(text, TITLE, mode="critical")
        return None
    book.app.alert(summary_text(outcome), TITLE, mode="info")
    return outcome


def _sync(book: xw.Book) -> SyncOutcome:
    """The daily dispatch plus today's due reports; remembered in the scheduler's history and under
    its per-book lock when a config names one (``DISPATCHBOOK_CONFIG``, or dispatchbook.toml beside
    the workbook)."""
    config = _config(book)
    rules = config.rules_for(config.find(book.fullname)) if config else load_rules()
    today = rules.calendar.today()
    due = due_jobs(rules, today)
    jobs = [job for job in JOBS if job == "daily" or job in due]
    return on_demand_sync(ExcelBook(book), book.fullname, today, config=config, rules=rules, jobs=jobs)


def _config(book: xw.Book) -> Config | None:
    named = os.environ.get(CONFIG_ENV)
    if named:
        return load_config(Path(named))
    beside = Path(book.fullname).parent / DEFAULT_CONFIG.name
    return load_config(beside) if Path(book.fullname).is_absolute() and beside.exists() else None


def summary_text(outcome: SyncOutcome) -> str:
    state = outcome.state
    jobs = "、".join(state.rules.jobs[key].label for key in outcome.jobs)
    lines = [f"调度完成（数据截至 {outcome.as_of:%Y-%m-%d}，{jobs}）。", colour_counts(state.tasks, state.rules, "　")]
    if outcome.month_created:
        lines.append(f"已新建 {outcome.plan.created[0].name}：{len(outcome.month.rows)} 个任务。")
    lines.append(f"已更新：{'、'.join(outcome.written)}。")
    if outcome.problems:
        lines.append(f"发现 {len(outcome.problems)} 个数据问题，详见“{PROBLEMS_NAME}”表。")
    return "\n".join(lines)


def failure_text(error: DispatchError) -> str:
    fix = f"\n修改方法：{error.fix}" if error.fix else ""
    return f"调度未完成。\n位置：{error.where}\n问题：{error.message}{fix}\n改好后请再点一次「{TITLE}」。"


def bug_text(error: Exception, log: Path) -> str:
    return (f"调度未完成：程序出错（{one_line(error)}）。\n"
            f"工作簿可能只更新了一部分，可再点一次「{TITLE}」。\n"
            f"详细信息已记录在 {log}，请发给维护人员。")
