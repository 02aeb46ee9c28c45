"""String-level edits of XML parts: find tags, read and set attributes, insert children.

Edits touch only the characters they must, so a part Excel wrote keeps its prefixes, quoting and
order everywhere else. Element names match with any namespace prefix (``x:sheet`` and ``sheet``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape, unescape

_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ROOT = re.compile(r"<(?![?!])((?:[\w.-]+:)?)([\w.-]+)")
_ELEMENT = re.compile(r"<(/?)(?=[A-Za-z_])")
_ENTITIES = {"&quot;": '"', "&apos;": "'"}


@dataclass(frozen=True)
class Tag:
    """A start or empty-element tag found in a document."""

    start: int
    end: int
    text: str
    prefix: str  # "" or "x:"
    empty: bool

    @property
    def attrs(self) -> dict[str, str]:
        return {m[1]: unescape(m[2] if m[2] is not None else m[3], _ENTITIES)
                for m in _ATTR.finditer(self.text)}


@cache
def _tag_pattern(local: str, prefix: str | None) -> re.Pattern[str]:
    pre = r"(?:[\w.-]+:)?" if prefix is None else re.escape(prefix)
    return re.compile(rf"""<({pre}){local}(?=[\s/>])(?:[^>"']|"[^"]*"|'[^']*')*>""")


def tags(xml: str, local: str, start: int = 0, end: int | None = None,
         prefix: str | None = None) -> Iterator[Tag]:
    """Start and empty-element tags named ``local`` in ``xml[start:end]``, with ``prefix`` or any."""
    for m in _tag_pattern(local, prefix).finditer(xml, start, len(xml) if end is None else end):
        yield Tag(m.start(), m.end(), m[0], m[1], m[0].endswith("/>"))


def first(xml: str, local: str, start: int = 0, prefix: str | None = None) -> Tag | None:
    return next(tags(xml, local, start, prefix=prefix), None)


def root_prefix(xml: str) -> str:
    """The prefix of the document element ("" or "x:"), used for elements inserted beside it."""
    m = _ROOT.search(xml)
    if m is None:
        raise ValueError("no document element")
    return m[1]


def prefixed(snippet: str, prefix: str) -> str:
    """``snippet`` (our unprefixed elements) with every element name given ``prefix``."""
    return _ELEMENT.sub(rf"<\1{prefix}", snippet) if prefix else snippet


def element_end(xml: str, tag: Tag) -> int:
    """The index just after the element that ``tag`` opens (elements of one name do not nest here)."""
    if tag.empty:
        return tag.end
    name = tag.text[1:].split(None, 1)[0].rstrip("/>")
    close = xml.find(f"</{name}>", tag.end)
    if close < 0:
        raise ValueError(f"unclosed <{name}>")
    return close + len(name) + 3


def set_attr(tag_text: str, name: str, value: str | None) -> str:
    """The tag with attribute ``name`` set to ``value`` (added at the end), or removed if None."""
    for m in _ATTR.finditer(tag_text):
        if m[1] == name:
            if value is None:
                return tag_text[:m.start()].rstrip() + tag_text[m.end():]
            return f'{tag_text[:m.start()]}{name}="{attr(value)}"{tag_text[m.end():]}'
    if value is None:
        return tag_text
    cut = len(tag_text) - (2 if tag_text.endswith("/>") else 1)
    return f'{tag_text[:cut].rstrip()} {name}="{attr(value)}"{tag_text[cut:]}'


def insert_children(xml: str, local: str, children: str, successors: Iterable[str],
                    count: int | None = None) -> str:
    """Append ``children`` inside the first ``local`` element, creating it if absent.

    A new element goes before the first of ``successors`` found (schema order), else before the
    document element's end tag. ``count``, if given, is written to the element's count attribute.
    """
    prefix = root_prefix(xml)
    tag = first(xml, local, prefix=prefix)
    if tag is None:
        counted = f' count="{count}"' if count is not None else ""
        found = [t.start for name in successors if (t := first(xml, name, prefix=prefix)) is not None]
        at = min(found) if found else xml.rindex("</")
        return f"{xml[:at]}<{prefix}{local}{counted}>{children}</{prefix}{local}>{xml[at:]}"
    head = set_attr(tag.text, "count", str(count)) if count is not None else tag.text
    if tag.empty:
        head = head[:-2].rstrip() + ">"
        return f"{xml[:tag.start]}{head}{children}</{tag.prefix}{local}>{xml[tag.end:]}"
    close = xml.index(f"</{tag.prefix}{local}>", tag.end)
    return f"{xml[:tag.start]}{head}{xml[tag.end:close]}{children}{xml[close:]}"


def attr(value: str) -> str:
    """Escape text for a double-quoted attribute."""
    return escape(value, {'"': "&quot;"})


def text(value: str) -> str:
    """Escape text for element content."""
    return escape(value)
