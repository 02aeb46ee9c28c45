"""Safe writes of a workbook file: refuse when it is open, changed or read-only, replace it atomically,
keep backups.

A new version is written to a temporary file in the same folder, flushed and fsynced, given the
book's owner, group and mode, then swapped with the book in one atomic step: a crash at any moment
leaves the old book or the new one. The file swapped out is compared with the version that was read;
if a save landed after the last check, it is swapped back and nothing is written (exit 3). Only
regular files are read, and only up to :data:`MAX_BOOK_BYTES`.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sync.backends.xlsx.backups import BACKUP_DIR, keep_backup
from sync.backends.xlsx.exchange import exchange
from sync.backends.xlsx.leftovers import sweep, temporary_name
from sync.errors import BookBusyError, BookError

__all__ = ["BACKUP_DIR", "MAX_BOOK_BYTES", "Snapshot", "check", "load", "replace"]

MAX_BOOK_BYTES = 512 << 20  # a book file larger than this is refused before reading


def step_reached(step: str) -> None:
    """Called at each step of :func:`replace` ("written", "backed-up", "checked", "exchanged"); tests
    replace it to save a staff edit at that very moment."""


@dataclass(frozen=True)
class Fingerprint:
    size: int
    mtime_ns: int
    sha256: str


@dataclass(frozen=True)
class Snapshot:
    """A file's bytes as read once, and its fingerprint at that moment."""

    data: bytes
    fingerprint: Fingerprint


def load(path: Path, label: str) -> Snapshot:
    """Read a book whole, refusing anything but a regular file, and a file that changes while read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise BookError(label, "找不到工作簿文件", f"请检查路径 {path}") from None
    except IsADirectoryError:
        raise _not_a_file(label, "是一个文件夹") from None
    except OSError as exc:
        raise BookError(label, f"无法打开工作簿文件（{exc.strerror}）", "请检查路径和读取权限") from None
    before = os.fstat(fd)
    if not stat.S_ISREG(before.st_mode):
        os.close(fd)
        raise _not_a_file(label, "是一个文件夹" if stat.S_ISDIR(before.st_mode) else "不是普通文件（是管道、设备或套接字）")
    if before.st_size > MAX_BOOK_BYTES:
        os.close(fd)
        raise BookError(label, f"文件有 {before.st_size >> 20} MiB，超过了 {MAX_BOOK_BYTES >> 20} MiB 的上限",
                        "请确认选对了文件；过大的工作簿请拆分后再同步")
    with os.fdopen(fd, "rb") as source:
        data = source.read(MAX_BOOK_BYTES + 1)
        after = os.fstat(fd)
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or len(data) != after.st_size:
        raise _changed(label)
    return Snapshot(data, Fingerprint(after.st_size, after.st_mtime_ns, hashlib.sha256(data).hexdigest()))


def lock_files(path: Path, opened_as: Path | None = None) -> list[str]:
    """Names of the lock files Excel/WPS (``~$NAME``) and LibreOffice (``.~lock.NAME#``) leave beside
    the book (and beside the link it was opened through)."""
    found = []
    for place in dict.fromkeys(p for p in (path, opened_as) if p is not None):
        name = place.name
        for candidate in dict.fromkeys([f"~${name}", f"~${name[2:]}", f".~lock.{name}#"]):
            if os.path.lexists(place.parent / candidate):  # False (not an error) for an over-long name
                found.append(candidate)
    return found


def read_only(path: Path) -> bool:
    """Whether the book file is read-only (its attribute, or this user may not write it)."""
    return not os.stat(path).st_mode & 0o222 or not os.access(path, os.W_OK)


def check(path: Path, read: Snapshot | None, label: str, opened_as: Path | None = None) -> None:
    """Raise :class:`BookBusyError` if the book is open in a client or is no longer what was ``read``
    (None: the file must not exist); :class:`BookError` if it is read-only."""
    locks = lock_files(path, opened_as)
    if locks:
        raise BookBusyError(label, f"工作簿正在 Excel、WPS 或 LibreOffice 中打开（发现锁文件 {locks[0]}），本次未写入",
                            "请关闭工作簿后重试，下次同步也会自动重试；如确认无人打开，可删除该锁文件")
    expected = read.fingerprint if read else None
    if _fingerprint(path, expected) != expected:
        raise _changed(label)
    if read is not None and read_only(path):
        raise BookError(label, "工作簿是只读文件，本次未写入",
                        "如需同步，请去掉只读属性（Windows：文件属性；Linux/macOS：chmod u+w）")


def replace(path: Path, write: Callable[[BinaryIO], None], *, read: Snapshot | None, backups: int,
            label: str, opened_as: Path | None = None) -> None:
    """Write a new version of ``path`` atomically, keeping the version ``read`` among ``backups`` copies."""
    folder = path.parent
    sweep(folder)
    sweep(folder / BACKUP_DIR)
    temp = folder / temporary_name()
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except OSError as exc:
        raise _cannot_write(label, exc) from exc
    try:
        try:
            with os.fdopen(fd, "wb") as out:
                write(out)
                out.flush()
                os.fsync(out.fileno())
            if read is not None:
                _copy_owner_and_mode(path, temp)
            step_reached("written")
            check(path, read, label, opened_as)
            if read is not None and backups > 0:
                keep_backup(path, read.data, backups)
            step_reached("backed-up")
            check(path, read, label, opened_as)  # again, just before the swap
            step_reached("checked")
            _swap(path, temp, read, label)
            _sync_folder(folder)
        except OSError as exc:
            raise _cannot_write(label, exc) from exc
    finally:
        temp.unlink(missing_ok=True)


def _swap(path: Path, temp: Path, read: Snapshot | None, label: str) -> None:
    """Put ``temp`` in place of ``path``; a version other than ``read`` found in the way is put back."""
    if read is None:  # a new file: it must still not exist
        try:
            os.link(temp, path)
        except FileExistsError:
            raise _changed(label) from None
        except OSError:  # no hard links on this filesystem: the check just before must do
            os.replace(temp, path)
        return
    ours = os.stat(temp)
    if not exchange(temp, path):  # no atomic swap here: the check just before must do
        try:
            os.replace(temp, path)
        except PermissionError as exc:  # Windows: the book is open in a client
            raise BookBusyError(label, "工作簿正被其他程序占用，本次未写入", "请关闭工作簿后重试") from exc
        return
    step_reached("exchanged")
    if _fingerprint(temp, read.fingerprint) != read.fingerprint:  # a save landed after the last check
        now = os.stat(path)
        if (now.st_dev, now.st_ino) == (ours.st_dev, ours.st_ino):
            exchange(temp, path)
        raise _changed(label)


def _copy_owner_and_mode(book: Path, temp: Path) -> None:
    """Give the new file the book's permission bits, and its owner and group where allowed."""
    info = os.stat(book)
    os.chmod(temp, stat.S_IMODE(info.st_mode))
    if hasattr(os, "chown"):
        for uid in (info.st_uid, -1):  # root keeps the owner; others can often keep the group
            try:
                os.chown(temp, uid, info.st_gid)
                break
            except PermissionError:
                continue


def _fingerprint(path: Path, expected: Fingerprint | None) -> Fingerprint | None:
    """The file's fingerprint now (hashed only when size and time match ``expected``), None if absent."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    if expected is None or (info.st_size, info.st_mtime_ns) != (expected.size, expected.mtime_ns):
        return Fingerprint(info.st_size, info.st_mtime_ns, "")
    return Fingerprint(info.st_size, info.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())


def _changed(label: str) -> BookBusyError:
    return BookBusyError(label, "工作簿在本次读取之后被修改过（大小、时间或内容已变），本次未写入",
                         "下次同步会重新读取并自动重试")


def _not_a_file(label: str, what: str) -> BookError:
    return BookError(label, f"{what}，不是工作簿文件，未读取", "请给出 .xlsx/.xlsm 文件的路径")


def _cannot_write(label: str, exc: OSError) -> BookError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return BookError(label, "磁盘空间不足，本次未写入，工作簿保持原样", "请清理工作簿所在磁盘的空间后重试")
    if exc.errno == errno.ENAMETOOLONG:
        return BookError(label, "文件路径太长，无法写入", "请把工作簿移到路径较短的文件夹，或缩短文件名")
    if isinstance(exc, PermissionError):
        return BookError(label, "无权在工作簿所在的文件夹中写入，本次未写入", "请检查该文件夹的写入权限")
    return BookError(label, f"写入失败（{exc.strerror or exc}），本次未写入，工作簿保持原样",
                     "请检查磁盘和文件夹后重试")


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX; Windows has no directory handles to fsync)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
