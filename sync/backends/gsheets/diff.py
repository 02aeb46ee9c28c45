"""What changed in a sync-owned tab since the sync last wrote it: its marker, and the cells that differ.

A tab's marker (developer metadata ``dispatchbook``) is ``layout|widths|styles|runs``: a digest of the
tab's layout (panes, charts, dropdowns), one of its column widths, one of all its cell styles, and the
style digest of each row as runs (``digest*count``). Values are compared with what was read; styles with
the runs. So a tab whose layout is unchanged is patched cell by cell instead of rewritten (its widths
set again when they changed), and the result is the same as a full rewrite. The runs are left out when they would be long (a tab whose styles change
row by row), and such a tab is rewritten whole when its styles change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import groupby
from typing import Any

from sync.backends.gsheets.cells import canonical, layout_fingerprint, row_styles, widths_fingerprint
from sync.sheets import Grid, SheetGrid

PENDING = "pending"  # the marker while a tab is being rewritten: a later sync rewrites such a tab whole
MAX_RUNS_CHARS = 8000  # Sheets keeps at most 30,000 characters of developer metadata per sheet


@dataclass(frozen=True)
class Mark:
    """A parsed marker; ``rows`` is None when the per-row style digests were not kept."""

    layout: str
    widths: str
    styles: str
    rows: list[str] | None


def mark_of(sheet: SheetGrid, rows: int) -> tuple[str, list[str]]:
    """The marker text for ``sheet`` written with ``rows`` rows, and its per-row style digests."""
    digests = row_styles(sheet, rows)
    styles = hashlib.blake2b("\n".join(digests).encode(), digest_size=8).hexdigest()
    runs = ",".join(f"{d}*{len(list(group))}" for d, group in groupby(digests))
    runs = runs if len(runs) <= MAX_RUNS_CHARS else "?"
    return f"{layout_fingerprint(sheet)}|{widths_fingerprint(sheet)}|{styles}|{runs}", digests


def parse_mark(text: str) -> Mark | None:
    """The marker's parts; None for a marker of an older version (the tab is then rewritten once)."""
    parts = text.split("|")
    if len(parts) != 4:
        return None
    layout, widths, styles, runs = parts
    if runs == "?":
        return Mark(layout, widths, styles, None)
    rows: list[str] = []
    for run in filter(None, runs.split(",")):
        digest, _, count = run.partition("*")
        rows += [digest] * int(count)
    return Mark(layout, widths, styles, rows)


@dataclass(frozen=True)
class Move:
    """``count`` rows that stay the same but moved, from row ``source`` to row ``target``."""

    source: int
    target: int
    count: int


@dataclass(frozen=True)
class Patch:
    """Rows ``first``..``last`` (inclusive) to rewrite, columns ``start``..``stop`` (exclusive); ``styled``
    when their styles changed too (else their formats stay, but for a date's number format)."""

    first: int
    last: int
    start: int
    stop: int
    styled: bool


@dataclass(frozen=True)
class Changes:
    """How a tab becomes the plan's: rows moved as they are (in this order), then cells rewritten."""

    moves: list[Move]
    patches: list[Patch]


def changes(read: Grid, sheet: SheetGrid, old_styles: list[str], new_styles: list[str],
            rows: tuple[int, int], columns: int) -> Changes:
    """What turns a tab of ``rows[0]`` rows (``read`` values, ``old_styles``) into ``sheet`` at ``rows[1]``
    rows, both ``columns`` wide.

    Rows whose values and styles are unchanged are matched in order (a list sorted by colour moves a
    task's row when its colour changes, shifting every row between) and moved, not resent. Of the other
    rows, one whose styles changed is rewritten whole, else only its differing cells' values; adjacent rows
    with the same column span and kind make one patch. Moves going down are listed bottom-up and those going up top-down,
    so no move overwrites rows another still has to copy."""
    old = [_trimmed(read[r]) if r < len(read) else [] for r in range(rows[0])]
    new = [_trimmed(sheet.rows[r]) if r < len(sheet.rows) else [] for r in range(rows[1])]
    old_keys = [(*line, _style(old_styles, r)) for r, line in enumerate(old)]
    new_keys = [(*line, new_styles[r]) for r, line in enumerate(new)]
    matched = bytearray(rows[1])
    down: list[Move] = []
    up: list[Move] = []
    for i, j, n in SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_matching_blocks():
        matched[j:j + n] = b"\x01" * n
        if i != j and n:
            (down if j > i else up).append(Move(i, j, n))
    patches: list[Patch] = []
    for r in range(rows[1]):
        if matched[r]:
            continue
        before = old[r] if r < rows[0] else []
        styled = _style(old_styles, r) != new_styles[r]
        if styled:
            span = (0, columns)
        else:
            width = max(len(before), len(new[r]))
            differing = [c for c in range(width) if _at(before, c) != _at(new[r], c)]
            if not differing:
                continue
            span = (differing[0], differing[-1] + 1)
        last = patches[-1] if patches else None
        if last is not None and last.last == r - 1 and (last.start, last.stop, last.styled) == (*span, styled):
            patches[-1] = Patch(last.first, r, *span, styled)
        else:
            patches.append(Patch(r, r, *span, styled))
    return Changes(down[::-1] + up, patches)


def _style(styles: list[str], row: int) -> str:
    return styles[row] if row < len(styles) else ""


def _at(line: list[Any], column: int) -> Any:
    return line[column] if column < len(line) else None


def _trimmed(row: list[Any]) -> list[Any]:
    line: list[Any] = [canonical(v) for v in row]
    while line and line[-1] is None:
        line.pop()
    return line
