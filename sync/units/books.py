"""Opening one unit book for the exchange: the reasons a book is skipped this run, and the new book."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Protocol

from ..book import Book, read_book
from ..errors import DispatchError
from ..newbook import write_new_book
from ..org import Org
from ..schema import MONTH, ORG, PLAN
from ..sheets import Backend, Cell, CellStyle, SheetGrid
from ..staffsheets import DATE, PERCENT, staff_sheet
from .layout import UNIT_NOTE, book_file, scope
from .overlay import Overlay


class Skipped(Exception):  # noqa: N818 - a reason, not a failure of the sync
    """A unit book that cannot take part this run; ``reason`` says why, in the words of 报送情况."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


class UnitPlace(Protocol):
    """Where the unit books live: files in a folder, or one Google spreadsheet per unit."""

    def name(self, org: Org, code: str) -> str:
        """How 报送情况 and messages name the unit's book."""
        ...

    def open(self, org: Org, code: str, as_of: date) -> tuple[Overlay, Book] | None:
        """The unit's book read and checked with the central book's checks; None when it has no unit
        book yet; :class:`Skipped` when it cannot take part this run."""
        ...

    def create(self, org: Org, code: str, tabs: list[SheetGrid]) -> Overlay:
        """A new unit book holding ``tabs`` (written at the latest by the unit's first sync)."""
        ...


def read_unit(backend: Backend, as_of: date) -> tuple[Overlay, Book]:
    try:
        overlay = Overlay(backend)
        return overlay, read_book(overlay, as_of)
    except DispatchError as err:
        raise Skipped("无法读取", f"{err}") from None


class FolderPlace:
    """One .xlsx per unit in a folder, named by :func:`book_file`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def name(self, org: Org, code: str) -> str:
        return book_file(org, code)

    def open(self, org: Org, code: str, as_of: date) -> tuple[Overlay, Book] | None:
        from ..backends.xlsx import XlsxBook  # noqa: PLC0415 - the file backend loads only for file books
        from ..backends.xlsx.safety import lock_files  # noqa: PLC0415

        path = self.folder / self.name(org, code)
        if not path.exists():
            return None
        if locks := lock_files(path):
            raise Skipped("正在打开，未读取",
                          f"{path.name} 正在 Excel/WPS/LibreOffice 中打开（{locks[0]}），请保存并关闭后等下次同步")
        try:
            backend = XlsxBook(path)
        except DispatchError as err:
            raise Skipped("无法读取", f"{err}") from None
        return read_unit(backend, as_of)

    def create(self, org: Org, code: str, tabs: list[SheetGrid]) -> Overlay:
        from ..backends.xlsx import XlsxBook  # noqa: PLC0415

        path = self.folder / self.name(org, code)
        if path.exists():
            raise DispatchError(path.name, "单位工作簿已存在", "不会覆盖已有的单位工作簿")
        self.folder.mkdir(parents=True, exist_ok=True)
        write_new_book(path, tabs)
        return Overlay(XlsxBook(path))


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


