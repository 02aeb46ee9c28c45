"""The marker on every tab the sync made in an .xlsx book: a hidden, sheet-scoped defined name.

Excel keeps a sheet-scoped name with its tab when staff rename, move or copy it, and it is not
part of anything staff see. The sync replaces a tab of one of its names only when the tab carries
this marker (or, in a book synced before the marker existed, looks like the sync's own tab).
"""

from __future__ import annotations

from sync.backends.xlsx.ooxml import xmledit as xe
from sync.backends.xlsx.workbook import _AFTER_NAMES, Tab, Workbook

MARKER = "_dispatchbook"
_VALUE = '"dispatchbook"'


def owned_tabs(book: Workbook) -> set[str]:
    """Names of the tabs carrying the marker."""
    positions = {str(i): t.name for i, t in enumerate(book.tabs)}
    return {positions[tag.attrs["localSheetId"]] for tag in xe.tags(book.xml, "definedName")
            if tag.attrs.get("name", "").casefold() == MARKER and tag.attrs.get("localSheetId") in positions}


def mark(book: Workbook, tab: Tab) -> None:
    """Put the marker on ``tab`` unless it is there."""
    if tab.name in owned_tabs(book):
        return
    index = next(i for i, t in enumerate(book.tabs) if t.sheet_id == tab.sheet_id)
    p = xe.root_prefix(book.xml)
    name = f'<{p}definedName name="{MARKER}" localSheetId="{index}" hidden="1">{xe.text(_VALUE)}</{p}definedName>'
    book.xml = xe.insert_children(book.xml, "definedNames", name, _AFTER_NAMES)
