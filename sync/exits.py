"""The one place that turns an exception into the line a user reads and the process's exit code.

The CLI, the scheduler's ``run`` and the Excel button all ask here, so the codes match the README's
table (see :mod:`sync.errors`). A bug's traceback goes to a log file whose place the line names.
"""

from __future__ import annotations

import sqlite3
import tempfile
import traceback
from datetime import datetime
from pathlib import Path

from .errors import EXIT_BUG, EXIT_HISTORY, EXIT_INTERRUPTED, DispatchError

BUG_LOG = "dispatchbook-errors.log"


def exit_code(error: BaseException) -> int:
    """The exit code for ``error``: its class's code for a user-side error, else the bug code."""
    if isinstance(error, DispatchError):
        return error.exit_code
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(error, sqlite3.Error):  # one the history's guarded calls did not wrap (a fetch, pandas)
        return EXIT_HISTORY
    return EXIT_BUG


def is_bug(error: BaseException) -> bool:
    return exit_code(error) == EXIT_BUG


def one_line(error: BaseException) -> str:
    """What went wrong, on one line (a user-side error names its place and the fix)."""
    if isinstance(error, DispatchError):
        text = str(error)
    elif isinstance(error, sqlite3.Error):
        text = f"历史数据库出错（{error}）。请检查历史数据库文件；必要时从备份恢复"
    else:
        text = f"{type(error).__name__}: {error}"
    return " ".join(text.split())


def bug_line(error: BaseException, log: Path) -> str:
    return f"程序内部错误（{one_line(error)}），不是数据问题，工作簿未被改动。详细信息已记录在 {log}，请发给维护人员"


def log_bug(error: BaseException) -> Path:
    """Append ``error``'s traceback to the log in the temp folder; return the log's path."""
    path = Path(tempfile.gettempdir()) / BUG_LOG
    with path.open("a", encoding="utf-8") as log:
        log.write(f"--- {datetime.now():%Y-%m-%d %H:%M:%S}\n")
        log.write("".join(traceback.format_exception(error)))
    return path
