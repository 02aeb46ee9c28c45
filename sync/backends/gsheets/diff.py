"""What changed in a sync-owned tab since the sync last wrote it: its marker, and the cells that differ.

A tab's marker (developer metadata ``dispatchbook``) is ``layout|widths|styles|runs``: a digest of the
tab's layout (panes, charts, dropdowns), one of its column widths, one of all its cell styles, and the
style digest of each row as runs (``digest*count``). Values are compared with what was read; styles with
the runs. So a tab whose layout is unchanged is patched cell by cell instead of rewritten (its widths
set again when they changed), and the result is the same as a full rewrite. The runs are left out when
they would be long (a tab whose styles change row by row), and such a tab is rewritten whole when its
styles change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import groupby
from typing import Any

from sync.backends.gsheets.cells import canonical, layout_fingerprint, row_styles, styles_by_row, widths_fingerprint
from sync.sheets import CellStyle, Grid, SheetGrid

PENDING = "pending"  # the marker while a tab is being rewritten: a later sync rewrites such a tab whole
MAX_RUNS_CHARS = 8000  # Sheets keeps at most 30,000 characters of developer metadata per sheet
GAP = 2  # unchanged cells sent rather than starting another request (about 150 bytes)
MOVE_CELLS = 3  # a copyPaste costs about as much as sending three cells


@dataclass(frozen=True)
class Mark:
    """A parsed marker; ``rows`` is None when the per-row style digests were not kept."""

    layout: str
    widths: str
    styles: str
    rows: list[str] | None


@dataclass(frozen=True)
class Marked:
    """A tab as the sync writes it: its marker text, each row's style digest and each row's formatted
    cells by column (see :func:`sync.backends.gsheets.cells.styles_by_row`)."""

    text: str
    rows: list[str]
    cells: dict[int, dict[int, CellStyle]]


def mark_of(sheet: SheetGrid, rows: int) -> Marked:
    """The marker of ``sheet`` written with ``rows`` rows, with what it was made from."""
    cells = styles_by_row(sheet, rows)
    digests = row_styles(cells, rows)
    styles = hashlib.blake2b("\n".join(digests).encode(), digest_size=8).hexdigest()
    runs = ",".join(f"{d}*{len(list(group))}" for d, group in groupby(digests))
    runs = runs if len(runs) <= MAX_RUNS_CHARS else "?"
    return Marked(f"{layout_fingerprint(sheet)}|{widths_fingerprint(sheet)}|{styles}|{runs}", digests, cells)


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
    when a cell's style changed (else the formats stay, but for a date's number format)."""

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


def changes(read: Grid, sheet: SheetGrid, old_styles: list[str], marked: Marked,
            rows: tuple[int, int], columns: int) -> Changes:
    """What turns a tab of ``rows[0]`` rows (``read`` values, ``old_styles``) into ``sheet`` (``marked``)
    at ``rows[1]`` rows, both ``columns`` wide.

    Rows whose values and styles are unchanged are matched in order (a list sorted by colour moves a
    task's row when its colour changes, shifting every row between) and moved, not resent. Between
    those, a row whose first cell (a task's or unit's code) is still there, in order, is moved too when
    that leaves fewer cells to send, and then patched. Each other row is compared with what it holds
    after the moves: cells whose style stayed are sent as values, cells whose style changed with their
    formats; a row whose old styles are not known (no row of the new tab has them) is rewritten whole.
    Moves going down are listed bottom-up and those going up top-down, so no move overwrites rows
    another still has to copy."""
    new_styles = marked.rows
    old = [_trimmed(read[r]) if r < len(read) else [] for r in range(rows[0])]
    new = [_trimmed(sheet.rows[r]) if r < len(sheet.rows) else [] for r in range(rows[1])]
    old_keys = [(*line, _style(old_styles, r)) for r, line in enumerate(old)]
    new_keys = [(*line, new_styles[r]) for r, line in enumerate(new)]
    source: list[int | None] = [r if r < rows[0] else None for r in range(rows[1])]  # the old row row r holds
    pairs: list[tuple[int, int]] = []
    matched = bytearray(rows[1])
    i0 = j0 = 0
    for i, j, n in SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_matching_blocks():
        pairs += _paired(old, new, range(i0, i), range(j0, j))
        pairs += [(i + k, j + k) for k in range(n)]
        matched[j:j + n] = b"\x01" * n
        i0, j0 = i + n, j + n
    for i, j in pairs:
        source[j] = i
    cell_styles = marked.cells
    known: dict[str, dict[int, CellStyle]] = {"": {}} | {new_styles[r]: cell_styles.get(r, {}) for r in range(rows[1])}  # "": no style at all
    open_patches: dict[tuple[int, int, bool], int] = {}  # span -> index of the patch ending on the row before
    patches: list[Patch] = []
    for r in range(rows[1]):
        if matched[r]:
            continue
        s = source[r]
        before = old[s] if s is not None else []
        old_digest = _style(old_styles, s) if s is not None else ""
        for span in _spans(before, new[r], known.get(old_digest), cell_styles.get(r, {}),
                           old_digest == new_styles[r], columns):
            at = open_patches.pop(span, None)
            if at is not None and patches[at].last == r - 1:
                patches[at] = Patch(patches[at].first, r, *span)
            else:
                at = len(patches)
                patches.append(Patch(r, r, *span))
            open_patches[span] = at
    return Changes(_moves(pairs), patches)


def _paired(old: list[list[Any]], new: list[list[Any]], olds: range, news: range) -> list[tuple[int, int]]:
    """Rows of a gap between unchanged blocks matched in order by their first cell, where the old row
    leaves fewer cells to send than the one in place."""
    first_old = [_at(old[i], 0) for i in olds]
    first_new = [_at(new[j], 0) for j in news]
    out = []
    for a, b, n in SequenceMatcher(None, first_old, first_new, autojunk=False).get_matching_blocks():
        for k in range(n):
            i, j = olds[a + k], news[b + k]
            if first_new[b + k] is None or i == j:
                continue
            here = old[j] if j < len(old) else []
            if _differing(old[i], new[j]) + MOVE_CELLS < _differing(here, new[j]):
                out.append((i, j))
    return out


def _moves(pairs: list[tuple[int, int]]) -> list[Move]:
    """Row pairs (old, new), in order, as moves of blocks: down bottom-up, then up top-down."""
    blocks: list[Move] = []
    for i, j in pairs:
        last = blocks[-1] if blocks else None
        if last is not None and last.source + last.count == i and last.target + last.count == j:
            blocks[-1] = Move(last.source, last.target, last.count + 1)
        else:
            blocks.append(Move(i, j, 1))
    moved = [m for m in blocks if m.source != m.target]
    return [m for m in moved if m.target > m.source][::-1] + [m for m in moved if m.target < m.source]


def _differing(before: list[Any], after: list[Any]) -> int:
    return sum(_at(before, c) != _at(after, c) for c in range(max(len(before), len(after))))


def _spans(before: list[Any], after: list[Any], old_cells: dict[int, CellStyle] | None,
           new_cells: dict[int, CellStyle], same_styles: bool, columns: int) -> list[tuple[int, int, bool]]:
    """The column spans (start, stop, styled) to send for one row: runs of differing cells, split where
    more than :data:`GAP` unchanged cells lie between; styled when a cell of the run changed style."""
    if not same_styles and old_cells is None:
        return [(0, columns, True)]
    width = max(len(before), len(after), *(c + 1 for c in new_cells), *(c + 1 for c in old_cells or {}))
    cells = [(c, not same_styles and (old_cells or {}).get(c) != new_cells.get(c)) for c in range(width)]
    cells = [(c, styled) for c, styled in cells if styled or _at(before, c) != _at(after, c)]
    spans: list[tuple[int, int, bool]] = []
    for c, styled in cells:
        if spans and c - spans[-1][1] <= GAP:
            spans[-1] = (spans[-1][0], c + 1, spans[-1][2] or styled)
        else:
            spans.append((c, c + 1, styled))
    return spans


def _style(styles: list[str], row: int) -> str:
    return styles[row] if row < len(styles) else ""


def _at(line: list[Any], column: int) -> Any:
    return line[column] if column < len(line) else None


def _trimmed(row: list[Any]) -> list[Any]:
    line: list[Any] = [canonical(v) for v in row]
    while line and line[-1] is None:
        line.pop()
    return line
