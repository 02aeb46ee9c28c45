"""User-side errors: a bad workbook, a bad rule file, a busy or changed file, missing credentials.

Each carries *where* the trouble is and *how to fix it*; the CLI prints one readable line and exits
with the error's code. Anything else that raises is a bug.
"""

from __future__ import annotations

EXIT_PROBLEMS = 1  # `check` found data problems
EXIT_USER_ERROR = 2  # the book or a rule file cannot be used as it is
EXIT_BUSY = 3  # the book is open elsewhere or changed while we ran: nothing written, retry later
EXIT_REMOTE = 4  # a remote service (Google Sheets) failed after retries: nothing written


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


class BookBusyError(DispatchError):
    """The book is open in a client or changed on disk between read and write."""

    exit_code = EXIT_BUSY


class RemoteError(DispatchError):
    """A remote API kept failing; nothing was written."""

    exit_code = EXIT_REMOTE
