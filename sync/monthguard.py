"""Never rebuild a month sheet that existed: a renamed 月度任务 tab stops the sync instead.

Month sheets under the names staff give them (``2026年11月任务``, ``表1 2026-11`` …) are adopted when
the book is read. When no tab reads as this month's sheet but the history or the colour map shows
the month already had one, a new empty sheet would hide every task staff typed: the sync stops
(exit 2) and names the tabs that look like the month sheet, so staff can give it back its name.
"""

from __future__ import annotations

from .backends.colourmap import MAP_TAB
from .book import Book
from .errors import DispatchError
from .normalise import locate_header
from .ownership import colliding
from .schema import MONTH, STAFF_TABS, match_tab, month_tab_name, parse_month_tab
from .sheets import Backend


def refuse_rebuild(backend: Backend, book: Book, ym: tuple[int, int], seen_ids: frozenset[str],
                   owned: tuple[str, ...]) -> None:
    """Raise when the month's sheet existed (history or colour map) and no tab reads as it now;
    ``owned`` are the sync-owned tab names (never taken for a renamed month sheet)."""
    colour_map = backend.read([MAP_TAB])[MAP_TAB] if MAP_TAB in book.sheet_names else []
    mapped = {key.partition("|")[0] for row in colour_map[1:]
              if row and isinstance(key := row[0], str) and "|" in key}
    old_names = sorted(t for t in mapped if parse_month_tab(t) == ym)
    if not seen_ids and not old_names:
        return
    name = old_names[0] if old_names else month_tab_name(*ym)
    fixed = {match_tab(t, book.sheet_names) for t in STAFF_TABS if t is not MONTH}
    ours = set(colliding(book.sheet_names, owned))
    unknown = [s for s in book.sheet_names if s not in fixed and s not in ours
               and parse_month_tab(s) is None and s != MAP_TAB]
    grids = backend.read(unknown) if unknown else {}
    alike = [s for s in unknown if locate_header(grids[s], MONTH, book.label, s)[2] is None]
    looks = "、".join(f"“{s}”" for s in alike)
    hint = f"看起来是它的工作表：{looks}。" if alike else ""
    raise DispatchError(book.label, f"找不到本月的任务表“{name}”，但同步记录显示本月已有任务表（可能被改名或删除）；"
                        "为免新建一张空表、丢失已填写的进度，本次没有同步",
                        f"{hint}请把它改回“{month_tab_name(*ym)}”，或改为“{ym[0]}年{ym[1]}月任务”这类名称，然后重新同步；"
                        f"如确要重建本月任务表，请新建一张只有表头的“{month_tab_name(*ym)}”")
