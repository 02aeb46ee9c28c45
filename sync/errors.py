"""The one exception tree and its exit codes.

Every error the user can act on is a :class:`DispatchError`; it carries *where* the trouble is and
*how to fix it*, and its class chooses the exit code. Anything else that raises is a bug
(:data:`EXIT_BUG`). :mod:`sync.exits` is the one place that turns an exception into a line and a code
(for the CLI, ``run`` and the Excel button); the README's table lists the same codes.

    DispatchError            2  the book, a rule file or the config cannot be used as it is
    ├── BookError            2  the book file itself: not a regular file, damaged, too large, read-only,
    │                           or the disk is full — nothing was written
    ├── BookBusyError        3  the book is open elsewhere or changed while we ran: nothing written
    ├── RemoteError          4  Google Sheets kept failing after retries: nothing written
    └── HistoryStoreError    5  the history database cannot be used (corrupt, foreign, locked, full)
    (config.ConfigError, rulebook.RuleError and history_views.HistoryError are DispatchErrors: 2)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEMS = 1  # `check` found data problems
EXIT_USER_ERROR = 2  # the book or a rule file cannot be used as it is
EXIT_BUSY = 3  # the book is open elsewhere or changed while we ran: nothing written, retry later
EXIT_REMOTE = 4  # a remote service (Google Sheets) failed after retries: nothing written
EXIT_HISTORY = 5  # the history database cannot be used
EXIT_BUG = 70  # an unexpected error in dispatchbook itself (sysexits' EX_SOFTWARE)
EXIT_INTERRUPTED = 130  # stopped at once by a second Ctrl-C


class DispatchError(Exception):
    """A problem the user can fix; `where` names the book/tab/cell or rule key."""

    exit_code = EXIT_USER_ERROR

    def __init__(self, where: str, message: str, fix: str = "") -> None:
        self.where = where
        self.message = message
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        return f"{text}。{self.fix}" if self.fix else text


class BookError(DispatchError):
    """The book file cannot be used or written as it is (damaged, hostile, read-only, disk full)."""


class BookBusyError(DispatchError):
    """The book is open in a client or changed on disk between read and write."""

    exit_code = EXIT_BUSY


class RemoteError(DispatchError):
    """A remote API kept failing; nothing was written."""

    exit_code = EXIT_REMOTE


class HistoryStoreError(DispatchError):
    """The history database is damaged, foreign, locked or full."""

    exit_code = EXIT_HISTORY


def said(exc: BaseException, limit: int | None = None) -> str:
    """What a library exception says, on one line (cut at ``limit`` characters), or its type's name."""
    return " ".join(str(exc).split())[:limit] or type(exc).__name__
