"""What changed in a sync-owned tab since the sync last wrote it: its marker, and the cells that differ.

A tab's marker (developer metadata ``dispatchbook``) is ``layout|styles|runs``: a digest of the tab's
layout (widths, panes, charts, dropdowns), a digest of all its cell styles, and the style digest of
each row as runs (``digest*count``). Values are compared with what was read; styles with the runs.
So a tab whose layout is unchanged is patched cell by cell instead of rewritten, and the result is
the same as a full rewrite. The runs are left out when they would be long (a tab whose styles change
row by row), and such a tab is rewritten whole when its styles change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sync.backends.gsheets.cells import canonical, layout_fingerprint, row_styles
from sync.sheets import Grid, SheetGrid

MAX_RUNS_CHARS = 8000  # Sheets keeps at most 30,000 characters of developer metadata per sheet


@dataclass(frozen=True)
class Mark:
    """A parsed marker; ``rows`` is None when the per-row style digests were not kept."""

    layout: str
    styles: str
    rows: list[str] | None


def mark_of(sheet: SheetGrid, rows: int) -> tuple[str, list[str]]:
    """The marker text for ``sheet`` written with ``rows`` rows, and its per-row style digests."""
    digests = row_styles(sheet, rows)
    styles = hashlib.blake2b("\n".join(digests).encode(), digest_size=8).hexdigest()
    runs = ",".join(f"{d}*{len(list(group))}" for d, group in groupby(digests))
    return f"{layout_fingerprint(sheet)}|{styles}|{runs if len(runs) <= MAX_RUNS_CHARS else '?'}", digests


def parse_mark(text: str) -> Mark | None:
    """The marker's parts; None for a marker of an older version (the tab is then rewritten once)."""
    parts = text.split("|")
    if len(parts) != 3:
        return None
    if parts[2] == "?":
        return Mark(parts[0], parts[1], None)
    rows: list[str] = []
    for run in filter(None, parts[2].split(",")):
        digest, _, count = run.partition("*")
        rows += [digest] * int(count)
    return Mark(parts[0], parts[1], rows)


@dataclass(frozen=True)
class Patch:
    """Rows ``first``..``last`` (inclusive) to rewrite, columns ``start``..``stop`` (exclusive)."""

    first: int
    last: int
    start: int
    stop: int


def patches(read: Grid, sheet: SheetGrid, old_styles: list[str], new_styles: list[str],
            size: tuple[int, int]) -> list[Patch]:
    """The cells of a ``size`` tab that differ between what was read (values, and the old row styles)
    and ``sheet``: a row whose styles changed is rewritten whole, else only its differing cells; runs
    of adjacent rows with the same column span become one patch."""
    out: list[Patch] = []
    for r in range(size[0]):
        old = _trimmed(read[r]) if r < len(read) else []
        new = _trimmed(sheet.rows[r]) if r < len(sheet.rows) else []
        if (old_styles[r] if r < len(old_styles) else "") != new_styles[r]:
            span = (0, size[1])
        elif old == new:
            continue
        else:
            old += [None] * (len(new) - len(old))
            new += [None] * (len(old) - len(new))
            differing = [c for c, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
            span = (differing[0], differing[-1] + 1)
        last = out[-1] if out else None
        if last is not None and last.last == r - 1 and (last.start, last.stop) == span:
            out[-1] = Patch(last.first, r, *span)
        else:
            out.append(Patch(r, r, *span))
    return out


def _trimmed(row: list[Any]) -> list[Any]:
    line: list[Any] = [canonical(v) for v in row]
    while line and line[-1] is None:
        line.pop()
    return line
