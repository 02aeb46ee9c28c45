"""The marker on every tab the sync made in an .xlsx book: a hidden, sheet-scoped defined name.

Excel keeps a sheet-scoped name with its tab when staff rename, move or copy it, and it is not
part of anything staff see. The sync replaces a tab of one of its names only when the tab carries
this marker (or, in a book synced before the marker existed, looks like the sync's own tab).

The marker's text also keeps the tab's fingerprint (see :mod:`sync.fingerprint`) and the CRC-32 of
the worksheet part as the sync wrote it: ``"dispatchbook <fingerprint> <crc>"``. A tab whose part
still has that CRC was not edited since, so the fingerprint stands for its contents.
"""

from __future__ import annotations

from xml.sax.saxutils import unescape

from sync.backends.xlsx.ooxml import xmledit as xe
from sync.backends.xlsx.workbook import _AFTER_NAMES, Tab, Workbook

MARKER = "_dispatchbook"
_WORD = "dispatchbook"
_QUOTES = {"&quot;": '"', "&apos;": "'"}


def owned_tabs(book: Workbook) -> set[str]:
    """Names of the tabs carrying the marker."""
    return set(_markers(book))


def stored_fingerprints(book: Workbook) -> dict[str, tuple[str, int]]:
    """Tab name -> (fingerprint, CRC-32 of the part as written) for marked tabs that keep one."""
    found = {}
    for name, (tag, end) in _markers(book).items():
        words = unescape(book.xml[tag.end:end], _QUOTES).strip('"').split() if not tag.empty else []
        if len(words) == 3 and words[0] == _WORD and words[2].isdigit():
            found[name] = (words[1], int(words[2]))
    return found


def mark(book: Workbook, tab: Tab, fingerprint: str | None = None, crc: int | None = None) -> None:
    """Put the marker on ``tab``, keeping ``fingerprint`` and the part's ``crc`` (or neither)."""
    value = f'"{_WORD} {fingerprint} {crc}"' if fingerprint and crc is not None else f'"{_WORD}"'
    found = _markers(book).get(tab.name)
    p = xe.root_prefix(book.xml)
    if found is not None:
        tag, end = found
        close = f"</{tag.prefix}definedName>"
        if not tag.empty and unescape(book.xml[tag.end:end], _QUOTES) == value:
            return
        head = tag.text[:-2].rstrip() + ">" if tag.empty else tag.text
        after = end + len(close) if not tag.empty else tag.end
        book.xml = f"{book.xml[:tag.start]}{head}{xe.text(value)}{close}{book.xml[after:]}"
        return
    index = next(i for i, t in enumerate(book.tabs) if t.sheet_id == tab.sheet_id)
    name = f'<{p}definedName name="{MARKER}" localSheetId="{index}" hidden="1">{xe.text(value)}</{p}definedName>'
    book.xml = xe.insert_children(book.xml, "definedNames", name, _AFTER_NAMES)


def _markers(book: Workbook) -> dict[str, tuple[xe.Tag, int]]:
    """Tab name -> (the marker's start tag, where its text ends)."""
    positions = {str(i): t.name for i, t in enumerate(book.tabs)}
    found = {}
    for tag in xe.tags(book.xml, "definedName"):
        if tag.attrs.get("name", "").casefold() == MARKER and tag.attrs.get("localSheetId") in positions:
            end = tag.end if tag.empty else book.xml.index("<", tag.end)
            found[positions[tag.attrs["localSheetId"]]] = (tag, end)
    return found
