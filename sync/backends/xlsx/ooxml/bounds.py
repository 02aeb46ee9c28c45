"""Limits a book's zip must keep before anything parses it: a damaged or hostile file (a zip bomb, a
part that inflates past its declared size, a missing ``[Content_Types].xml``) is refused with one line.

Only the XML parts a reader parses are inflated here, in small chunks and never past their limit;
parts the sync copies raw (images, macros …) are never inflated.
"""

from __future__ import annotations

import zipfile
import zlib

from sync.backends.xlsx.ooxml.container import ZipSource
from sync.errors import BookError, said

MAX_PART_BYTES = 256 << 20  # the largest inflated XML part accepted
MAX_XML_BYTES = 1 << 30  # all XML parts together, inflated
_MAX_RATIO = 1032  # deflate's best ratio: no part inflates to more than this times its compressed bytes
_TRUSTED = 64 << 20  # a part that cannot inflate past this is not inflated to check its declared size
_CHUNK = 1 << 20
_REQUIRED = ("[Content_Types].xml",)
_FIX = "请确认它是 Excel 保存的 .xlsx/.xlsm 文件；可用 Excel 或 WPS 打开后另存一份再同步"


def bounded_source(blob: bytes, label: str) -> ZipSource:
    """The book's zip, checked against the limits above; :class:`BookError` if it cannot be used."""
    try:
        source = ZipSource(blob)
    except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, OSError) as exc:
        raise BookError(label, f"文件已损坏，不是完整的 Excel 工作簿（{said(exc)}）", _FIX) from None
    for name in _REQUIRED:
        if name not in source:
            raise BookError(label, f"文件已损坏：缺少 {name}", _FIX)
    total = 0
    for name in source.names():
        if not name.lower().endswith((".xml", ".rels")):
            continue
        part = source.raw(name)
        if part.size > MAX_PART_BYTES:
            raise _too_big(label, name, part.size)
        total += part.size
        if total > MAX_XML_BYTES:
            raise BookError(label, f"所有 XML 部件解压后超过 {MAX_XML_BYTES >> 20} MiB 的上限，未读取",
                            "该文件可能是压缩炸弹；如确是正常工作簿，请拆分后再同步")
        if len(part.data) * _MAX_RATIO > _TRUSTED:  # it could inflate to more than it declares: make sure
            _inflate_within(label, name, part.data, part.size, part.method)
    return source


def _inflate_within(label: str, name: str, data: memoryview, size: int, method: int) -> None:
    """Inflate ``data`` chunk by chunk, discarding the output; refuse it past ``size`` bytes."""
    if method == zipfile.ZIP_STORED:
        if len(data) != size:
            raise BookError(label, f"文件已损坏：部件 {name} 的长度与目录不符", _FIX)
        return
    inflater = zlib.decompressobj(-15)
    produced = 0
    pending = bytes(data)
    try:
        while pending:
            produced += len(inflater.decompress(pending, _CHUNK))
            pending = inflater.unconsumed_tail
            if produced > size:
                raise _too_big(label, name, produced) if produced > MAX_PART_BYTES else BookError(
                    label, f"文件已损坏：部件 {name} 解压后比目录记载的大", _FIX)
        produced += len(inflater.flush())
    except zlib.error as exc:
        raise BookError(label, f"文件已损坏：部件 {name} 无法解压（{exc}）", _FIX) from None
    if produced != size:
        raise BookError(label, f"文件已损坏：部件 {name} 解压后的长度与目录不符", _FIX)


def _too_big(label: str, name: str, size: int) -> BookError:
    return BookError(label, f"部件 {name} 解压后有 {size >> 20} MiB 以上，超过 {MAX_PART_BYTES >> 20} MiB 的上限，未读取",
                     "该文件可能是压缩炸弹；如确是正常工作簿，请拆分大的工作表后再同步")
