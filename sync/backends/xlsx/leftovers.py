"""Temporary files of a write: one short name pattern, and the sweep that removes those a killed
process left behind (at the next run, not hours later)."""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from pathlib import Path

_PREFIX = ".~dispatchbook."
SUFFIX = ".tmp"
_FOREIGN_SECONDS = 3600  # where liveness cannot be asked (Windows): leftovers older than this go


def temporary_name() -> str:
    """A fresh temporary file name for this process (short: it fits beside any book name)."""
    return f"{_PREFIX}{os.getpid()}.{secrets.token_hex(4)}{SUFFIX}"


def temporaries(folder: Path) -> list[Path]:
    return list(folder.glob(f"{_PREFIX}*{SUFFIX}"))


def sweep(folder: Path) -> None:
    """Remove temporary files in ``folder`` whose writing process is gone."""
    for leftover in temporaries(folder):
        with contextlib.suppress(FileNotFoundError):
            if not _writer_alive(leftover):
                leftover.unlink()


def _writer_alive(leftover: Path) -> bool:
    try:
        pid = int(leftover.name.removeprefix(_PREFIX).split(".")[0])
    except ValueError:
        return False
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return leftover.stat().st_mtime > time.time() - _FOREIGN_SECONDS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True
