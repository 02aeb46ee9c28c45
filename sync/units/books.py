"""Opening one unit book for the exchange: the reasons a book is skipped this run, and the new book."""

from __future__ import annotations

from pathlib import Path

from ..book import Book, read_book
from ..errors import DispatchError
from ..newbook import write_new_book
from ..org import Org
from ..schema import MONTH, ORG, PLAN
from ..sheets import Backend, Cell, CellStyle, Grid, SheetGrid
from ..staffsheets import DATE, PERCENT, staff_sheet
from .layout import UNIT_NOTE, scope
from .overlay import Overlay


class Skipped(Exception):  # noqa: N818 - a reason, not a failure of the sync
    """A unit book that cannot take part this run; ``reason`` says why, in the words of 报送情况."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


def open_unit(path: Path, as_of: object) -> tuple[Overlay, Book]:
    """The unit book read and checked with the central book's checks, or :class:`Skipped`."""
    from ..backends.xlsx import XlsxBook  # noqa: PLC0415 - the file backend loads only for file books
    from ..backends.xlsx.safety import lock_files  # noqa: PLC0415

    if not path.exists():
        raise Skipped("工作簿不存在", f"找不到 {path.name}；重新运行 dispatchbook distribute 会按中心表重建它")
    if locks := lock_files(path):
        raise Skipped("正在打开，未读取", f"{path.name} 正在 Excel/WPS/LibreOffice 中打开（{locks[0]}），请保存并关闭后等下次同步")
    try:
        overlay = Overlay(XlsxBook(path))
        return overlay, read_book(overlay, as_of)  # type: ignore[arg-type]
    except DispatchError as err:
        raise Skipped("无法读取", f"{err}") from None


def open_backend(backend: Backend, as_of: object) -> tuple[Overlay, Book]:
    """A unit book on any backend (a Google spreadsheet), read and checked, or :class:`Skipped`."""
    try:
        overlay = Overlay(backend)
        return overlay, read_book(overlay, as_of)  # type: ignore[arg-type]
    except DispatchError as err:
        raise Skipped("无法读取", f"{err}") from None


ROW_STYLES: dict[str, CellStyle] = {c.key: DATE for c in MONTH.columns if c.kind == "date"} | {"progress": PERCENT}


def row_styles(columns: dict[str, int]) -> dict[int, CellStyle]:
    return {j: ROW_STYLES[k] for k, j in columns.items() if k in ROW_STYLES}


def unit_tabs(org: Org, code: str, month_name: str, rows: list[dict[str, Cell]]) -> list[SheetGrid]:
    """A new unit book's staff tabs: its part of 组织架构, an empty 年度计划书, and its month sheet with
    the note on who fills what and its rows exactly as the central book holds them."""
    units = [*reversed(org.chain(code)), *(c for c in scope(org, code) if c != code)]
    org_rows = [{"code": c, "name": org.names[c], "level": org.levels[c], "parent": org.parents.get(c)} for c in units]
    month = staff_sheet(MONTH, month_name, [], title=UNIT_NOTE, note=True)
    top = len(month.rows)
    keys = [c.key for c in MONTH.columns]
    for i, row in enumerate(rows, start=top):
        month.rows.append([row.get(k) for k in keys])
        month.styles |= {(i, j): ROW_STYLES[k] for j, k in enumerate(keys) if k in ROW_STYLES}
    return [staff_sheet(ORG, ORG.name, org_rows), staff_sheet(PLAN, PLAN.name, []), month]


def create_unit(path: Path, org: Org, code: str, month_name: str, rows: list[dict[str, Cell]]) -> None:
    """Write a new unit book file (never over an existing one)."""
    if path.exists():
        raise DispatchError(path.name, "单位工作簿已存在", "不会覆盖已有的单位工作簿")
    write_new_book(path, unit_tabs(org, code, month_name, rows))


def grid_of(overlay: Overlay, tab: str) -> Grid:
    return overlay.read([tab])[tab]
