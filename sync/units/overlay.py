"""A book as it will read once the exchange's cells are written, for the ordinary sync to run on.

Reads are served once from the backend and then from memory (one read request per book, as the
Google quota wants). The exchange's cells and rows are laid over what was read, so the sync colours
and reports on the merged values; ``write`` hands the backend one plan with the sync's own writes
plus the exchange's cells, rows and tabs: one atomic write, with the backend's own safety checks
against the book as it was read.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..sheets import Backend, Cell, CellStyle, CellWrite, Grid, RowAppend, SheetGrid, WritePlan


class Overlay:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.label = backend.label
        self._grids: dict[str, Grid] = {}
        self.cells: dict[str, CellWrite] = {}
        self.appends: list[RowAppend] = []
        self.owned: list[SheetGrid] = []
        self.virtual: dict[str, SheetGrid] = {}  # staff tabs of a new unit book, written with the first plan
        for optional in ("owned_tabs", "file_problems"):
            if hasattr(backend, optional):
                setattr(self, optional, getattr(backend, optional))
        if hasattr(backend, "merged_cells"):  # a tab not written yet has no merged cells
            self.merged_cells = lambda name: [] if name in self.virtual else backend.merged_cells(name)

    def sheet_names(self) -> list[str]:
        names = self.backend.sheet_names()
        return [*names, *(n for n in self.virtual if n not in names)]

    def add_tabs(self, tabs: list[SheetGrid]) -> None:
        """Staff tabs the book does not have yet: read as if they were there, created by the write."""
        for tab in tabs:
            self.virtual[tab.name] = tab
            self._grids[tab.name] = [list(r) for r in tab.rows]

    def read(self, names: Sequence[str]) -> dict[str, Grid]:
        """The tabs as read (once: the first read also fetches the tabs the sync owns, which a later
        read asks for), with the exchange's cells and rows laid over them."""
        missing = [n for n in names if n not in self._grids]
        if missing:
            owned = getattr(self.backend, "owned_tabs", None)
            along = [t for t in (owned() if owned else ()) if t not in self._grids and t not in missing]
            fetched = self.backend.read([*missing, *along])  # copied: a backend may keep what it returned
            self._grids.update({n: [list(r) for r in grid] for n, grid in fetched.items()})
        return {n: [list(r) for r in self._grids[n]] for n in names}

    def set_cells(self, tab: str, cells: dict[tuple[int, int], Cell], styles: dict[int, CellStyle]) -> None:
        """Lay ``cells`` over the tab as read, and write them with the plan."""
        grid = self._grids[tab]
        for (r, c), value in cells.items():
            grid[r].extend([None] * (c + 1 - len(grid[r])))
            grid[r][c] = value
        edit = self.cells.setdefault(tab, CellWrite(tab, {}, {}))
        edit.cells.update(cells)
        edit.styles.update(styles)

    def append(self, tab: str, rows: list[dict[int, Cell]], styles: dict[int, CellStyle]) -> None:
        """Lay ``rows`` under the tab's last row, and append them with the plan."""
        grid = self._grids[tab]
        width = max([len(r) for r in grid] + [c + 1 for row in rows for c in row] + [0])
        grid.extend([row.get(c) for c in range(width)] for row in rows)
        self.appends.append(RowAppend(tab, rows, styles))

    def _plan(self, plan: WritePlan) -> WritePlan:
        return WritePlan(owned=[*plan.owned, *self.owned], created=[*self.virtual.values(), *plan.created],
                         appends=[*self.appends, *plan.appends], colours=plan.colours, palette=plan.palette,
                         beside=plan.beside, cells=[*self.cells.values(), *plan.cells])

    def changes(self, plan: WritePlan) -> list[str]:
        return self.backend.changes(self._plan(plan))

    def write(self, plan: WritePlan) -> bool:
        return self.backend.write(self._plan(plan))
