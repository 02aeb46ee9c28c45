"""Unit books on Google Sheets: one spreadsheet per unit, listed in ``dispatchbook.toml``.

Why one spreadsheet per unit rather than protected ranges in the shared one: a unit then sees only
its own rows (a branch does not read another committee's tasks), the same exchange serves .xlsx and
Sheets, a protected range would need every unit's editors' e-mail addresses kept in step with staff
changes, and a unit's spreadsheet can be shared and re-shared by the office without touching the
central book. The sync never creates Drive files: the office creates each unit's (empty)
spreadsheet, shares it with the service account, and lists it as ``CODE = "gsheet:ID"``; the first
distribute fills it. Each unit spreadsheet costs at most 3 requests per sync (metadata, one batch
read, one batchUpdate), through the service account's one process-wide limiter.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ..book import Book
from ..errors import DispatchError
from ..org import Org
from ..schema import ORG, match_tab
from ..sheets import Backend, SheetGrid
from .books import Skipped, read_unit
from .overlay import Overlay


class SheetsPlace:
    """``sheets``: unit code -> ``gsheet:ID`` (or URL); ``open_backend`` opens one (the CLI: open_book)."""

    def __init__(self, sheets: dict[str, str], open_backend: Callable[[str], Backend]) -> None:
        self.sheets, self.open_backend = sheets, open_backend
        self._fresh: dict[str, Backend] = {}

    def name(self, org: Org, code: str) -> str:
        return self.sheets.get(code, f"{org.label(code)}（未配置表格）")

    def open(self, org: Org, code: str, as_of: date) -> tuple[Overlay, Book] | None:
        spec = self.sheets.get(code)
        if spec is None:
            raise Skipped("未配置表格", f'请为{org.label(code)}新建一个 Google 表格并共享给服务账号，'
                                       f'在 dispatchbook.toml 的 [books.units.sheets] 中写 {code} = "gsheet:表格ID"')
        try:
            backend = self.open_backend(spec)
            names = backend.sheet_names()
        except DispatchError as err:
            raise Skipped("无法读取", str(err)) from None
        if match_tab(ORG, names) is None:  # an empty spreadsheet: distribute fills it
            self._fresh[code] = backend
            return None
        return read_unit(backend, as_of)

    def create(self, org: Org, code: str, tabs: list[SheetGrid]) -> Overlay:
        overlay = Overlay(self._fresh.pop(code))
        overlay.add_tabs(tabs)
        return overlay
