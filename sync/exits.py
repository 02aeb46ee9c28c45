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

from .errors import EXIT_BUG, EXIT_INTERRUPTED, DispatchError, HistoryStoreError

BUG_LOG = "dispatchbook-errors.log"


def user_error(error: BaseException) -> DispatchError | None:
    """``error`` as the user-side error it is, or None for a bug (or an interrupt)."""
    if isinstance(error, DispatchError):
        return error
    if isinstance(error, sqlite3.Error):  # one the history's guarded calls did not wrap (a fetch, pandas)
        return HistoryStoreError("历史数据库", f"出错（{error}）", "请检查历史数据库文件；必要时从备份恢复")
    return None


def exit_code(error: BaseException) -> int:
    """The exit code for ``error``: its class's code for a user-side error, else the bug code."""
    known = user_error(error)
    if known is not None:
        return known.exit_code
    return EXIT_INTERRUPTED if isinstance(error, KeyboardInterrupt) else EXIT_BUG


def is_bug(error: BaseException) -> bool:
    return exit_code(error) == EXIT_BUG


def one_line(error: BaseException) -> str:
    """What went wrong, on one line (a user-side error names its place and the fix)."""
    known = user_error(error)
    text = str(known) if known is not None else f"{type(error).__name__}: {error}"
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
