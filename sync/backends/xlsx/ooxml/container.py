"""The zip container of an .xlsx: list parts, copy a part's compressed bytes untouched, add new parts.

Copying raw compressed data keeps every part the sync does not own byte-for-byte identical and
costs no recompression. New parts get a fixed timestamp so the same input gives the same file.
The archive comment (outside every part; Excel drops it when it saves the book) can carry a short
record, and :func:`parts_digest` of the central directory (every part's name, CRC-32 and size) tells
whether any part changed since it was written.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

_LOCAL = struct.Struct("<4s5H3I2H")  # local file header (30 bytes)
_CENTRAL = struct.Struct("<4s6H3I5H2I")  # central directory entry (46 bytes)
_END = struct.Struct("<4s4H2IH")  # end of central directory (22 bytes)
_UTF8 = 0x800  # general-purpose flag: the name is UTF-8
_DOS_DATE_1980 = (1 << 5) | 1  # 1980-01-01, what Excel itself writes
_LIMIT = 0xFFFFFFFF
_SCAN_CHUNK = 1 << 16  # compressed bytes inflated at a time by ZipSource.holds and ZipSource.ends
HEAD = 4096  # uncompressed bytes ZipSource.ends keeps from a part's start
TAIL = 1 << 20  # and from its end


@dataclass(frozen=True)
class RawPart:
    """One compressed zip entry, ready to be copied as it is."""

    name: str
    method: int  # zipfile.ZIP_STORED or zipfile.ZIP_DEFLATED
    crc: int
    size: int  # uncompressed
    data: memoryview  # compressed bytes
    dos_time: int
    dos_date: int


def parts_digest(parts: Iterable[RawPart]) -> str:
    """One digest of the parts' names, CRC-32s and sizes, in archive order (from the central directory)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(f"{part.name}\x00{part.crc}\x00{part.size}\n".encode())
    return h.hexdigest()


class ZipSource:
    """A zip archive held in memory, read part by part."""

    def __init__(self, blob: bytes) -> None:
        self._blob = memoryview(blob)
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            infos = archive.infolist()
            self.comment: bytes = archive.comment
        self._parts = {info.filename: self._raw(info) for info in infos if not info.is_dir()}
        self._ends: dict[str, tuple[bytes, bytes]] = {}

    def digest(self) -> str:
        """:func:`parts_digest` of the archive as read."""
        return parts_digest(self._parts.values())

    def names(self) -> list[str]:
        """Part names in archive order."""
        return list(self._parts)

    def __contains__(self, name: str) -> bool:
        return name in self._parts

    def raw(self, name: str) -> RawPart:
        if name not in self._parts:
            raise zipfile.BadZipFile(f"missing part {name}")
        return self._parts[name]

    def read(self, name: str) -> bytes:
        """The uncompressed content of a part (CRC checked)."""
        part = self.raw(name)
        if part.method == zipfile.ZIP_DEFLATED:  # never more than the declared size
            data = zlib.decompressobj(-15).decompress(part.data, part.size + 1)
        else:
            data = bytes(part.data)
        if len(data) != part.size or zlib.crc32(data) != part.crc:
            raise zipfile.BadZipFile(f"CRC mismatch in {name}")
        return data

    def holds(self, name: str, needle: bytes, piece: int = _SCAN_CHUNK) -> bool:
        """Whether the uncompressed part contains ``needle``, inflated ``piece`` compressed bytes at a
        time: a worksheet of 100,000 rows is searched without being held whole."""
        part = self.raw(name)
        if part.method != zipfile.ZIP_DEFLATED:
            return needle in bytes(part.data)
        inflater, data, tail = zlib.decompressobj(-15), memoryview(part.data), b""
        for at in range(0, len(data), piece):
            text = tail + inflater.decompress(data[at:at + piece])
            if needle in text:
                return True
            tail = text[max(0, len(text) - len(needle) + 1):]
        return needle in tail + inflater.flush()

    def ends(self, name: str, piece: int = _SCAN_CHUNK) -> tuple[bytes, bytes]:
        """The first :data:`HEAD` and the last :data:`TAIL` uncompressed bytes of a part (all of it when
        shorter), inflated ``piece`` compressed bytes at a time and kept: what follows a big worksheet's
        cells is found without holding them, and found once (a reading thread may ask first)."""
        if name in self._ends:
            return self._ends[name]
        part = self.raw(name)
        if part.method != zipfile.ZIP_DEFLATED:
            return self._ends.setdefault(name, (bytes(part.data[:HEAD]), bytes(part.data[-TAIL:])))
        inflater, data = zlib.decompressobj(-15), part.data
        head, kept, held = b"", [], 0
        for at in range(0, len(data) + piece, piece):  # the last round flushes
            text = inflater.decompress(data[at:at + piece]) if at < len(data) else inflater.flush()
            head += text[:HEAD - len(head)]
            kept.append(text)
            held += len(text)
            if held > 2 * TAIL:  # joined now and then: the tail is copied a bounded number of times
                kept, held = [b"".join(kept)[-TAIL:]], TAIL
        return self._ends.setdefault(name, (head, b"".join(kept)[-TAIL:]))

    def _raw(self, info: zipfile.ZipInfo) -> RawPart:
        if info.flag_bits & 1:
            raise zipfile.BadZipFile(f"{info.filename} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise zipfile.BadZipFile(f"{info.filename} uses an unsupported compression method")
        head = _LOCAL.unpack_from(self._blob, info.header_offset)
        if head[0] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"bad local header for {info.filename}")
        start = info.header_offset + _LOCAL.size + head[9] + head[10]
        year, month, day, hour, minute, second = info.date_time
        return RawPart(info.filename, info.compress_type, info.CRC, info.file_size,
                       self._blob[start:start + info.compress_size],
                       (hour << 11) | (minute << 5) | (second // 2),
                       ((year - 1980) << 9) | (month << 5) | day)


def deflate(data: bytes, level: int) -> tuple[bytes, int, int]:
    """Raw-deflated bytes, CRC and size of a part (zlib releases the GIL: this may run in a thread)."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(), zlib.crc32(data), len(data)


class ZipSink:
    """Writes a zip archive to a binary stream, one part at a time."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._offset = 0
        self._central: list[bytes] = []
        self._parts: list[RawPart] = []

    def copy(self, part: RawPart) -> None:
        """Append a part exactly as it was compressed in its source archive."""
        self._entry(part)

    def add(self, name: str, data: bytes, level: int = 6) -> None:
        """Append a new part, deflated at ``level``."""
        self.add_deflated(name, *deflate(data, level))

    def add_deflated(self, name: str, packed: bytes, crc: int, size: int) -> None:
        """Append a new part already deflated by :func:`deflate`."""
        self._entry(RawPart(name, zipfile.ZIP_DEFLATED, crc, size, memoryview(packed), 0, _DOS_DATE_1980))

    def digest(self) -> str:
        """:func:`parts_digest` of the parts written so far."""
        return parts_digest(self._parts)

    def close(self, comment: bytes = b"") -> None:
        """Write the central directory and the archive ``comment``; the stream stays open."""
        if len(comment) > 0xFFFF:
            raise ValueError("zip comment too long")
        start = self._offset
        for record in self._central:
            self._write(record)
        count = len(self._central)
        if count > 0xFFFF or self._offset > _LIMIT:
            raise ValueError("workbook too large for a zip without ZIP64")
        self._write(_END.pack(b"PK\x05\x06", 0, 0, count, count, self._offset - start, start,
                             len(comment)) + comment)

    def _entry(self, part: RawPart) -> None:
        name = part.name.encode("utf-8")
        flags = 0 if part.name.isascii() else _UTF8
        if self._offset > _LIMIT or len(part.data) > _LIMIT or part.size > _LIMIT:
            raise ValueError("workbook too large for a zip without ZIP64")
        self._parts.append(part)
        common = (20, flags, part.method, part.dos_time, part.dos_date, part.crc,
                  len(part.data), part.size, len(name))
        self._central.append(_CENTRAL.pack(b"PK\x01\x02", 20, *common, 0, 0, 0, 0, 0,
                                           self._offset) + name)
        self._write(_LOCAL.pack(b"PK\x03\x04", *common, 0) + name)
        self._write(part.data)

    def _write(self, data: bytes | memoryview) -> None:
        self._out.write(data)
        self._offset += len(data)
