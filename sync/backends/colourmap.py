"""The hidden colour map every backend keeps: ``tab|task id`` → colour label, in the sync-owned tab
调度颜色. A staff tab's colour rules (or, in live Excel, its fills) read it, so a colour belongs to a
task ID, not to a row."""

from __future__ import annotations

import hashlib

from ..sheets import Colour, Grid, SheetGrid, TaskColours

MAP_TAB = "调度颜色"


def merged_map(existing: Grid | None, colours: list[TaskColours], palette: dict[str, Colour],
               tabs: set[str]) -> dict[str, str]:
    """The map after this sync: entries of tabs in ``colours`` replaced, entries of other existing
    tabs kept, entries of tabs that no longer exist dropped."""
    replaced = {tc.tab for tc in colours}
    entries: dict[str, str] = {}
    kept = tabs - replaced
    for row in (existing or [])[1:]:
        if len(row) >= 2 and isinstance(key := row[0], str) and isinstance(label := row[1], str) \
                and _tab_of(key, tabs) in kept:
            entries[key] = label
    labels = {key: colour.label for key, colour in palette.items()}
    for tc in colours:
        if unknown := set(tc.colours.values()) - palette.keys():
            raise ValueError(f"colours {sorted(unknown)!r} of tab {tc.tab!r} are not in the palette")
        entries.update(zip(map(f"{tc.tab}|".__add__, tc.colours), map(labels.__getitem__, tc.colours.values()),
                           strict=True))
    return entries


def map_digest(entries: dict[str, str]) -> str:
    """A fingerprint of the map's entries, in order: an equal one means an equal map tab."""
    text = "\x00".join(map("\x01".join, entries.items()))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def map_sheet(entries: dict[str, str]) -> SheetGrid:
    rows: Grid = [["键", "颜色"]]
    for key, label in entries.items():
        rows.append([key, label])
    return SheetGrid(MAP_TAB, rows, column_widths=[40, 12], hidden=True)


def _tab_of(key: str, tabs: set[str]) -> str | None:
    """The tab a map key belongs to (tab names may themselves contain "|")."""
    if (tab := key.partition("|")[0]) in tabs:
        return tab
    at = key.find("|")
    while at >= 0:
        if key[:at] in tabs:
            return key[:at]
        at = key.find("|", at + 1)
    return None
