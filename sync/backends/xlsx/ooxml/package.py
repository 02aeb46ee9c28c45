"""An OPC package (the parts of an .xlsx) being edited: source parts stay raw unless replaced.

Keeps part contents, relationships and [Content_Types].xml consistent; every edit of an existing
XML part is a minimal string edit (see :mod:`sync.backends.xlsx.ooxml.xmledit`).
"""

from __future__ import annotations

import posixpath
import re
import zlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import unquote

from lxml import etree

from sync.backends.xlsx.ooxml import xmledit as xe
from sync.backends.xlsx.ooxml.container import HEAD, TAIL, ZipSink, ZipSource, deflate

CONTENT_TYPES = "[Content_Types].xml"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_BIG_PART = 8 << 20  # parts larger than this are deflated faster, a little less tightly
_EARLY_DEFLATE = 1 << 20  # parts larger than this start deflating as soon as they are put
_DEFLATERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="deflate")


def _level(data: bytes) -> int:
    return 1 if len(data) > _BIG_PART else 6


@dataclass(frozen=True)
class Rel:
    id: str
    type: str  # the full relationship type URI
    target: str  # a part name ("xl/worksheets/sheet1.xml"), or the URL if external
    external: bool


def rels_name(part: str) -> str:
    """The relationships part of ``part`` ("" is the package itself)."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def relative(source: str, target: str) -> str:
    """The Target text pointing from ``source``'s folder to part ``target``."""
    return posixpath.relpath(target, posixpath.dirname(source) or ".")


class Package:
    """The parts of one workbook; unchanged parts are written back as their original bytes."""

    def __init__(self, source: ZipSource) -> None:
        self._source = source
        self._order = source.names()
        self._by_fold = {n.casefold(): n for n in self._order}
        self._new: dict[str, bytes] = {}  # replaced or added parts
        self._deflating: dict[str, Future[tuple[bytes, int, int]]] = {}  # big new parts being deflated
        self._removed: set[str] = set()
        self._types: dict[str, str] = {}  # content-type Overrides for parts put here

    # parts -----------------------------------------------------------------------------------

    def find(self, name: str) -> str | None:
        """The stored spelling of part ``name`` (OPC names are case-insensitive), if present."""
        found = self._by_fold.get(name.casefold())
        return found if found is not None and found not in self._removed else None

    def names(self) -> list[str]:
        return [n for n in self._order if n not in self._removed]

    def blob(self, name: str) -> bytes:
        return self._new[name] if name in self._new else self._source.read(name)

    def holds(self, name: str, needle: bytes) -> bool:
        """Whether part ``name`` contains ``needle`` (see :meth:`ZipSource.holds`)."""
        return needle in self._new[name] if name in self._new else self._source.holds(name, needle)

    def ends(self, name: str) -> tuple[bytes, bytes]:
        """The first and last bytes of part ``name`` (see :meth:`ZipSource.ends`)."""
        if name in self._new:
            return self._new[name][:HEAD], self._new[name][-TAIL:]
        return self._source.ends(name)

    def source_crc(self, name: str) -> int | None:
        """The CRC-32 of part ``name`` as the source holds it (None when absent, replaced or removed)."""
        if name in self._new or name in self._removed or name not in self._source:
            return None
        return self._source.raw(name).crc

    def text(self, name: str) -> str:
        return self.blob(name).decode("utf-8")

    def put(self, name: str, data: bytes | str, content_type: str | None = None) -> None:
        """Replace or add a part; ``content_type`` makes sure it has that Override."""
        name = self._by_fold.setdefault(name.casefold(), name)
        if name not in self._order:
            self._order.append(name)
        self._removed.discard(name)
        blob = self._new[name] = data.encode("utf-8") if isinstance(data, str) else data
        self._deflating.pop(name, None)
        if len(blob) > _EARLY_DEFLATE:  # deflated in a thread while the next part is being built
            self._deflating[name] = _DEFLATERS.submit(deflate, blob, _level(blob))
        if content_type is not None:
            self._types[name] = content_type

    def remove(self, name: str) -> None:
        """Drop a part, its relationships part and (when written) its content-type Override."""
        for part in (name, rels_name(name)):
            if (found := self.find(part)) is not None:
                self._removed.add(found)
                self._new.pop(found, None)
                self._deflating.pop(found, None)
                self._types.pop(found, None)

    def free_name(self, pattern: str) -> str:
        """The first ``pattern.format(n)``, n = 1, 2…, that names no part."""
        n = 1
        while self.find(pattern.format(n)) is not None:
            n += 1
        return pattern.format(n)

    def changed(self) -> bool:
        """Whether writing would produce other parts (names or contents) than the source has."""
        return bool(self.changed_parts())

    def changed_parts(self) -> list[str]:
        """The parts writing would add, alter or drop, against the source."""
        self._settle_types()
        names = self.names()
        dropped = [n for n in self._source.names() if n not in set(names)]
        return [n for n in names if n not in self._source or
                (n in self._new and self._differs(n, self._new[n]))] + dropped

    def write(self, out: BinaryIO, comment: Callable[[str], bytes] | None = None) -> None:
        """Write the package: parts with their source content as raw copies, the others deflated.
        ``comment`` turns the written parts' :func:`parts_digest` into the archive comment (default: none)."""
        self._settle_types()
        sink = ZipSink(out)
        for name in self.names():
            data = self._new.get(name)
            if data is None or not self._differs(name, data):
                sink.copy(self._source.raw(name))
            else:
                future = self._deflating.get(name)
                sink.add_deflated(name, *(future.result() if future else deflate(data, _level(data))))
        sink.close(comment(sink.digest()) if comment else b"")

    def _differs(self, name: str, data: bytes) -> bool:
        """Whether ``data`` is not what the source holds under ``name``."""
        if name not in self._source:
            return True
        raw = self._source.raw(name)
        if raw.size != len(data) or raw.crc != zlib.crc32(data):
            return True
        return data != self._source.read(name)

    # relationships ---------------------------------------------------------------------------

    def rels(self, part: str) -> list[Rel]:
        """The relationships of ``part`` ("" for the package's own)."""
        name = self.find(rels_name(part))
        if name is None:
            return []
        root = etree.fromstring(self.blob(name))
        found = []
        for el in root.iter(f"{{{REL_NS}}}Relationship"):
            target, external = el.get("Target", ""), el.get("TargetMode") == "External"
            if not external:
                base = "" if target.startswith("/") else posixpath.dirname(part)
                target = posixpath.normpath(posixpath.join(base, unquote(target))).lstrip("/")
            found.append(Rel(el.get("Id", ""), el.get("Type", ""), target, external))
        return found

    def add_rel(self, part: str, type_: str, target: str) -> str:
        """Add a relationship from ``part`` to part ``target``; returns its new Id."""
        name = rels_name(part)
        xml = (self.text(name) if self.find(name) else
               f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{REL_NS}"/>')
        used = {r.id for r in self.rels(part)}
        rid = next(f"rId{n}" for n in range(1, len(used) + 2) if f"rId{n}" not in used)
        rel = f'<Relationship Id="{rid}" Type="{type_}" Target="{xe.attr(relative(part, target))}"/>'
        self.put(name, xe.insert_children(xml, "Relationships", rel, ()))
        return rid

    def drop_rel(self, part: str, rid: str) -> None:
        name = self.find(rels_name(part))
        if name is None:
            return
        xml = self.text(name)
        for tag in xe.tags(xml, "Relationship"):
            if tag.attrs.get("Id") == rid:
                self.put(name, xml[:tag.start] + xml[tag.end:])
                return

    def prune(self, part: str) -> None:
        """Remove ``part``'s relationships and the parts reachable only through them."""
        doomed = self._closure(part) - {part}
        outside = {r.target for src in self._rel_sources() if src != part and src not in doomed
                   for r in self.rels(src) if not r.external}
        kept: set[str] = set()
        for name in doomed & outside:
            kept |= self._closure(name)
        for name in sorted(doomed - kept):
            self.remove(name)
        if (rels := self.find(rels_name(part))) is not None:
            self._removed.add(rels)
            self._new.pop(rels, None)

    def _closure(self, part: str) -> set[str]:
        """``part`` and every part reachable from it through internal relationships."""
        seen: set[str] = set()
        todo = [part]
        while todo:
            name = todo.pop()
            if name not in seen and self.find(name) is not None:
                seen.add(name)
                todo += [r.target for r in self.rels(name) if not r.external]
        return seen

    def _rel_sources(self) -> list[str]:
        """Every part (and "" for the package) that has a relationships part."""
        return [m[1] + m[2] for name in self.names()
                if (m := re.fullmatch(r"(.*?)_rels/([^/]*)\.rels", name))]

    # content types ---------------------------------------------------------------------------

    def _settle_types(self) -> None:
        """Bring [Content_Types].xml in line: Overrides of removed parts out, of new parts in."""
        xml = self._source.read(CONTENT_TYPES).decode("utf-8")
        live = {n.casefold() for n in self.names()}
        gone = {n.casefold() for n in self._removed} - live
        wanted = {n.casefold(): (n, t) for n, t in self._types.items() if n.casefold() in live}
        for tag in reversed(list(xe.tags(xml, "Override"))):
            part = unquote(tag.attrs.get("PartName", "")).lstrip("/").casefold()
            if part in wanted and wanted[part][1] == tag.attrs.get("ContentType"):
                del wanted[part]
            elif part in gone or part in wanted:
                xml = xml[:tag.start] + xml[tag.end:]
        added = "".join(f'<Override PartName="/{xe.attr(n)}" ContentType="{t}"/>'
                        for n, t in wanted.values())
        self._new[CONTENT_TYPES] = xe.insert_children(xml, "Types", added, ()).encode("utf-8")
