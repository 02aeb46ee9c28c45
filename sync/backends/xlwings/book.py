"""A workbook open in Excel, driven through xlwings: the 「立即调度」 button's backend.

Everything goes through Excel itself, so nothing in the workbook is lost: sync-owned tabs are
cleared and refilled in place (formulas elsewhere that point at them keep working; shapes such as
the button stay), new summary tabs are added at the end and a new month sheet after the latest one, rows are
appended below the table's last filled row, and
each task's 状态 cell takes its colour, found by task ID in the sheet as read — the user is waiting
on the button, so rows cannot move in between. Excel then recalculates the staff's formulas.

When the book also carries the file backend's colour map (see :mod:`sync.backends.xlsx.colours`), the map is
refreshed too, so its conditional formats agree with the colours set here.
"""

from __future__ import annotations

from collections.abc import Sequence

from xlwings import Book, Sheet

from sync.backends.colourmap import MAP_TAB, map_sheet, merged_map
from sync.backends.rowroom import NoRoom, no_room_error
from sync.backends.xlwings.ranges import append_at, colour_runs
from sync.backends.xlwings.tab import block, write_formats, write_tab, write_values
from sync.errors import DispatchError
from sync.sheets import Grid, RowAppend, SheetGrid, TaskColours, WritePlan


class ExcelBook:
    """One open workbook (an ``xlwings.Book``: desktop Excel, or the remote engine in tests)."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.label = book.name
        self._grids: dict[str, Grid] = {}  # each tab as read, and as written since

    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.book.sheets]

    def read(self, names: Sequence[str]) -> dict[str, Grid]:
        grids = {name: _read(self.book.sheets[name]) for name in names}
        self._grids.update(grids)
        return grids

    def changes(self, plan: WritePlan) -> list[str]:
        """Every tab of the plan: a live workbook is always rewritten and recalculated."""
        return plan.tab_names()

    def write(self, plan: WritePlan) -> bool:
        """Apply ``plan``, put the user back on the sheet they were on, then recalculate.

        Sync-owned tabs are always rewritten, so this is True whenever the plan holds any; otherwise
        True only when a month sheet was created, rows were appended or a 状态 cell was coloured.
        A plan that sets cells of staff rows (the collect mode of unit books) is refused: that mode
        runs from the command line or the scheduler, which read the unit books beside the file."""
        if plan.cells:
            raise DispatchError(self.label, "本工作簿配置为收集模式（从各单位工作簿收集填报），按钮不能执行收集",
                                "请用 dispatchbook sync 或定时任务（dispatchbook run）同步本工作簿")
        app = self.book.app
        active = self.book.sheets.active.name
        app.screen_updating = False
        written = False
        try:
            for grid in plan.owned:
                self._replace(grid)
                written = True
            present = {name.casefold() for name in self.sheet_names()}
            for grid in plan.created:
                if grid.name.casefold() not in present:
                    self._replace(grid, after=plan.beside)
                    written = True
            for append in plan.appends:
                written |= self._append(append)
            for colours in plan.colours:
                written |= self._colour(colours, plan)
            if plan.colours and MAP_TAB in self.sheet_names():
                self._refresh_colour_map(plan)
                written = True
            self.book.sheets[active].activate()
        finally:
            app.screen_updating = True
        app.calculate()
        return written

    def _replace(self, grid: SheetGrid, after: str | None = None) -> None:
        """Write a whole tab: the existing sheet emptied (cells, formats, charts) or a new one after
        the tab ``after`` (when it exists), else at the end."""
        sheet = self._sheet(grid.name)
        if sheet is None:
            anchor = self._sheet(after) if after else None
            sheet = self.book.sheets.add(grid.name, after=anchor or self.book.sheets[-1])
        else:
            sheet.clear()
            for chart in reversed(list(sheet.charts)):  # last first: positions of the others hold
                chart.delete()
        if sheet.visible == grid.hidden:
            sheet.visible = not grid.hidden
        write_tab(sheet, grid)
        self._grids[grid.name] = [list(row) for row in grid.rows]

    def _append(self, append: RowAppend) -> bool:
        """New rows below the table's last row holding a value (see :mod:`sync.backends.rowroom`), in the
        columns they name; whether there were any."""
        grid = self._grid(append.tab)
        columns = sorted({c for row in append.rows for c in row})
        if not columns:
            return False
        try:
            top = append_at(grid, len(append.rows))
        except NoRoom as full:
            raise no_room_error(self.label, append.tab, full) from None
        left, right = columns[0], columns[-1]
        rows = [[row.get(c) for c in range(left, right + 1)] for row in append.rows]
        sheet = self.book.sheets[append.tab]
        write_values(sheet, top, left, rows)
        styles = {(r, c - left): style for r in range(len(rows)) for c, style in append.styles.items()
                  if left <= c <= right}
        write_formats(sheet, top, rows, styles)
        grown = [list(row) for row in grid] + [[] for _ in range(top + len(rows) - len(grid))]
        grown[top:top + len(rows)] = [[None] * left + row for row in rows]
        self._grids[append.tab] = grown
        return True

    def _colour(self, colours: TaskColours, plan: WritePlan) -> bool:
        """Each task's 状态 cell in its colour; whether any task of the tab was found."""
        sheet = self.book.sheets[colours.tab]
        found = colour_runs(self._grid(colours.tab), colours)
        for first, last, key in found:
            colour = plan.palette[key]
            cells = block(sheet, (first, colours.status_column, last, colours.status_column))
            cells.color = f"#{colour.fill}"
            cells.font.color = f"#{colour.font}"
        return bool(found)

    def _refresh_colour_map(self, plan: WritePlan) -> None:
        """Rewrite the file backend's hidden colour map, which its conditional formats look up."""
        entries = merged_map(self.read([MAP_TAB])[MAP_TAB], plan.colours, plan.palette, set(self.sheet_names()))
        self._replace(map_sheet(entries))

    def _grid(self, name: str) -> Grid:
        return self._grids[name] if name in self._grids else self.read([name])[name]

    def _sheet(self, name: str) -> Sheet | None:
        return next((s for s in self.book.sheets if s.name.casefold() == name.casefold()), None)


def _read(sheet: Sheet) -> Grid:
    """The sheet from A1 to the last used cell; empty cells None, dates as datetimes."""
    last = sheet.used_range.last_cell
    return sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
