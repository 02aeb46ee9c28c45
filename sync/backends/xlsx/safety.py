"""Safe writes of a workbook file: refuse when it is open or changed, replace it atomically, keep backups.

A new version is written to a temporary file in the same folder, flushed and fsynced, then moved over
the book with one ``os.replace``: a crash at any moment leaves the old book or the new one.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sync.errors import BookBusyError, DispatchError

BACKUP_DIR = ".dispatchbook-backups"
_TEMP_SUFFIX = ".dispatchbook-tmp"
_STALE_SECONDS = 3600


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
    """Read a book whole, refusing a file that changes while being read."""
    before = path.stat()
    data = path.read_bytes()
    after = path.stat()
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or len(data) != after.st_size:
        raise _changed(label)
    return Snapshot(data, Fingerprint(after.st_size, after.st_mtime_ns, hashlib.sha256(data).hexdigest()))


def lock_files(path: Path) -> list[str]:
    """Names of the lock files Excel/WPS (``~$NAME``) and LibreOffice (``.~lock.NAME#``) leave."""
    name = path.name
    candidates = [f"~${name}", f"~${name[2:]}", f".~lock.{name}#"]
    return [c for c in dict.fromkeys(candidates) if (path.parent / c).exists()]


def check(path: Path, read: Snapshot | None, label: str) -> None:
    """Raise :class:`BookBusyError` if the book is open in a client or is no longer what was
    ``read`` (None: the file must not exist)."""
    locks = lock_files(path)
    if locks:
        raise BookBusyError(label, f"工作簿正在 Excel、WPS 或 LibreOffice 中打开（发现锁文件 {locks[0]}），本次未写入",
                            "请关闭工作簿后重试，下次同步也会自动重试；如确认无人打开，可删除该锁文件")
    expected = read.fingerprint if read else None
    if _fingerprint(path, expected) != expected:
        raise _changed(label)


def replace(path: Path, write: Callable[[BinaryIO], None], *, read: Snapshot | None, backups: int,
            label: str) -> None:
    """Write a new version of ``path`` atomically, keeping the version ``read`` among ``backups`` copies."""
    folder = path.parent
    _clean_stale(folder, path.name)
    temp = folder / f".~{path.name}.{os.getpid()}.{secrets.token_hex(4)}{_TEMP_SUFFIX}"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise DispatchError(label, f"无法在工作簿所在的文件夹中写入（{exc.strerror}）",
                            "请检查该文件夹的写入权限和剩余空间") from exc
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            shutil.copymode(path, temp)
        check(path, read, label)  # again, just before the swap
        if read is not None and backups > 0:
            _backup(path, read.data, backups)
        try:
            os.replace(temp, path)
        except PermissionError as exc:  # Windows: the book is open in a client
            raise BookBusyError(label, "工作簿正被其他程序占用，本次未写入", "请关闭工作簿后重试") from exc
        _sync_folder(folder)
    finally:
        temp.unlink(missing_ok=True)


def _fingerprint(path: Path, expected: Fingerprint | None) -> Fingerprint | None:
    """The file's fingerprint now (hashed only when size and time match ``expected``), None if absent."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    if expected is None or (stat.st_size, stat.st_mtime_ns) != (expected.size, expected.mtime_ns):
        return Fingerprint(stat.st_size, stat.st_mtime_ns, "")
    return Fingerprint(stat.st_size, stat.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())


def _changed(label: str) -> BookBusyError:
    return BookBusyError(label, "工作簿在本次读取之后被修改过（大小、时间或内容已变），本次未写入",
                         "下次同步会重新读取并自动重试")


def _backup(path: Path, data: bytes, keep: int) -> None:
    """Save ``data`` as the newest backup beside the book and drop all but the ``keep`` newest."""
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    (folder / f"{path.stem}.{stamp}{path.suffix}").write_bytes(data)
    pattern = re.compile(rf"{re.escape(path.stem)}\.\d{{8}}-\d{{6}}-\d{{6}}{re.escape(path.suffix)}")
    mine = sorted(p for p in folder.iterdir() if pattern.fullmatch(p.name))
    for old in mine[:-keep]:
        old.unlink()


def _clean_stale(folder: Path, name: str) -> None:
    """Remove temporary files an interrupted earlier write of this book left behind."""
    cutoff = time.time() - _STALE_SECONDS
    for leftover in folder.glob(f".~{glob.escape(name)}.*{_TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX; Windows has no directory handles to fsync)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
