"""Swap two directory entries in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``).

After the swap the temporary name holds the very file the book's name held at that instant, so the
writer can verify it is the version it read and swap back if a save landed in between. Where the
call is missing (other systems, old kernels, some network filesystems) :func:`exchange` says so and
the caller falls back to a plain ``os.replace``.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP}


def _renameat2() -> object | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # no C library handle, or a libc older than glibc 2.28
        return None


_CALL = _renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap ``a`` and ``b`` (both must exist); False when the system cannot."""
    if _CALL is None:
        return False
    if _CALL(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:  # type: ignore[operator]
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(b))
