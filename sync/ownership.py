"""Which tab the sync may replace: only a tab it made itself, recognised by its marker.

A staff tab that happens to have a sync-owned name (周报表 and 月报表 are common in organisations'
own books) is never replaced: the sync writes its tab as ``周报表（调度）`` instead and says so.
A book synced before the marker existed is recognised by the sync's banner and note rows on the
tab plus the hidden colour map the sync always wrote; the next write adds the marker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .backends.colourmap import MAP_TAB
from .problems import Problem
from .reports.board import NAME as BOARD
from .reports.layout import NOTE_TEXT
from .reports.lists import PROBLEMS_NAME
from .reports.monthly import ASSESSMENT_NAME, REPORT_NAME
from .reports.quarterly import NAME as QUARTERLY
from .reports.weekly import NAME as WEEKLY
from .reports.xun import NAME as XUN
from .sheets import Grid

FIXED_NAMES: tuple[str, ...] = (BOARD, PROBLEMS_NAME, WEEKLY, XUN, REPORT_NAME, ASSESSMENT_NAME, QUARTERLY)
SUFFIX = "（调度）"
_BANNER = re.compile(r".+（数据截至 \d{4}-\d{2}-\d{2}）$")


def owned_names(kind_labels: Iterable[str]) -> tuple[str, ...]:
    """Every tab name the sync writes; the dispatch lists are named after the kinds in the rules."""
    return (*FIXED_NAMES, *kind_labels)


def colliding(sheet_names: Iterable[str], owned: tuple[str, ...]) -> list[str]:
    """The book's tabs that carry one of the sync's tab names (compared as Excel does)."""
    folded = {n.casefold() for n in owned}
    return [s for s in sheet_names if s.casefold() in folded]


def claim(book: str, sheet_names: list[str], owned: tuple[str, ...], marked: set[str] | None,
          grids: Mapping[str, Grid]) -> tuple[dict[str, str], list[Problem]]:
    """Sync-owned name -> the name to write it under, for each name a staff tab holds; and the problems.

    ``marked`` are the tabs carrying the marker, or None when the backend cannot tell (then the
    banner rows decide). ``grids`` holds the colliding tabs as read.
    """
    taken = {s.casefold() for s in sheet_names}
    legacy = marked is None or (not marked and MAP_TAB in sheet_names)
    renames: dict[str, str] = {}
    problems: list[Problem] = []
    for name in colliding(sheet_names, owned):
        if (marked is not None and name in marked) or (legacy and _looks_synced(grids.get(name))):
            continue
        canonical = next(n for n in owned if n.casefold() == name.casefold())
        other, n = f"{canonical}{SUFFIX}", 2
        while other.casefold() in taken and (marked is None or other not in marked):
            other, n = f"{canonical}（调度{n}）", n + 1
        renames[canonical] = other
        problems.append(Problem(book, name, "", "tab_name_taken",
                                f"工作簿中已有一张“{name}”表，不是同步生成的，同步不会改动它",
                                f"同步生成的{canonical}写在“{other}”表中；如果“{name}”其实可以由同步覆盖，"
                                f"请删除它或改名，下次同步会重新生成“{canonical}”",
                                handled="该表未被改动"))
    return renames, problems


def _looks_synced(grid: Grid | None) -> bool:
    """The sync's banner in A1 and its note in A2."""
    if not grid:
        return False
    a1 = grid[0][0] if grid[0] else None
    a2 = grid[1][0] if len(grid) > 1 and grid[1] else None
    return isinstance(a1, str) and bool(_BANNER.match(a1)) and a2 == NOTE_TEXT
