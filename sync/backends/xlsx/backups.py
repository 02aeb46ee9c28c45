"""The previous versions of a book kept in ``.dispatchbook-backups/`` beside it.

A backup is the bytes the sync read (so a save that landed meanwhile is never passed off as the
previous version), written to a temporary file, fsynced and renamed; rotation keeps the newest
copies that open as a zip and only then deletes older ones, so a damaged copy never pushes out a
good one. Names fit the 255-byte limit of common filesystems however long the book's name is.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import zipfile
from datetime import datetime
from pathlib import Path

from sync.backends.xlsx.leftovers import temporary_name

BACKUP_DIR = ".dispatchbook-backups"
_NAME_BYTES = 255
_STAMP = "20261231-235959-999999"


def backup_stem(path: Path) -> str:
    """The book's stem as used in backup names: shortened (with a hash of the whole name) if needed."""
    room = _NAME_BYTES - len(f".{_STAMP}{path.suffix}".encode())
    stem = path.stem
    if len(stem.encode()) <= room:
        return stem
    tag = "~" + hashlib.sha1(path.name.encode()).hexdigest()[:8]
    cut = stem.encode()[:room - len(tag)].decode("utf-8", "ignore")
    return cut + tag


def keep_backup(path: Path, data: bytes, keep: int) -> None:
    """Save ``data`` as the newest backup of ``path`` and keep the ``keep`` newest that open."""
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stem = backup_stem(path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    temp = folder / temporary_name()
    try:
        with temp.open("xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, folder / f"{stem}.{stamp}{path.suffix}")
    finally:
        temp.unlink(missing_ok=True)
    _rotate(folder, stem, path.suffix, keep)


def backups_of(path: Path) -> list[Path]:
    """The backups of ``path``, oldest first."""
    folder = path.parent / BACKUP_DIR
    if not folder.is_dir():
        return []
    pattern = re.compile(rf"{re.escape(backup_stem(path))}\.\d{{8}}-\d{{6}}-\d{{6}}{re.escape(path.suffix)}")
    return sorted(p for p in folder.iterdir() if pattern.fullmatch(p.name))


def _rotate(folder: Path, stem: str, suffix: str, keep: int) -> None:
    pattern = re.compile(rf"{re.escape(stem)}\.\d{{8}}-\d{{6}}-\d{{6}}{re.escape(suffix)}")
    newest_first = sorted((p for p in folder.iterdir() if pattern.fullmatch(p.name)), reverse=True)
    good = [p for p in newest_first if _opens(p)][:keep]
    for old in newest_first:
        if old not in good:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()


def _opens(path: Path) -> bool:
    """Whether ``path`` opens as a zip (its central directory reads)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return bool(archive.namelist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return False
