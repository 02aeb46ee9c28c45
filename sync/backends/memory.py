"""Books held in memory: for tests, for building the example, and for --dry-run diffs."""

from __future__ import annotations

from collections.abc import Sequence

from ..sheets import Grid, SheetGrid, WritePlan


class MemoryBook:
    """Tabs as grids; ``write`` applies a plan the way a real backend would."""

    def __init__(self, tabs: dict[str, Grid] | None = None, label: str = "memory") -> None:
        self.label = label
        self.tabs: dict[str, Grid] = {name: [list(r) for r in grid] for name, grid in (tabs or {}).items()}
        self.sheets: dict[str, SheetGrid] = {}  # the last SheetGrid written for each tab
        self.colours: dict[str, dict[str, str]] = {}  # tab -> task id -> colour key

    def sheet_names(self) -> list[str]:
        return list(self.tabs)

    def read(self, names: Sequence[str]) -> dict[str, Grid]:
        return {name: [list(r) for r in self.tabs[name]] for name in names}

    def changes(self, plan: WritePlan) -> list[str]:
        """The tabs :meth:`write` would change."""
        changed = [s.name for s in plan.owned if self.tabs.get(s.name) != [list(r) for r in s.rows]]
        changed += [s.name for s in plan.created if s.name not in self.tabs]
        changed += [a.tab for a in plan.appends if a.rows]
        changed += [c.tab for c in plan.colours if self.colours.get(c.tab) != c.colours]
        changed += [w.tab for w in plan.cells if any(self._at(w.tab, r, c) != v for (r, c), v in w.cells.items())]
        return list(dict.fromkeys(changed))

    def write(self, plan: WritePlan) -> bool:
        """Apply ``plan``; False when the tabs, sheets and colours already held all of it."""
        changed = False
        for sheet in plan.owned:
            changed |= self._put(sheet)
        for sheet in plan.created:
            if sheet.name not in self.tabs:
                changed |= self._put(sheet)
        for append in plan.appends:
            grid = self.tabs[append.tab]
            width = max([len(r) for r in grid] + [c + 1 for row in append.rows for c in row] + [0])
            for row in append.rows:
                grid.append([row.get(c) for c in range(width)])
            changed |= bool(append.rows)
        for edit in plan.cells:
            grid = self.tabs[edit.tab]
            for (r, c), value in edit.cells.items():
                changed |= self._at(edit.tab, r, c) != value
                grid[r].extend([None] * (c + 1 - len(grid[r])))
                grid[r][c] = value
        for colours in plan.colours:
            changed |= self.colours.get(colours.tab) != colours.colours
            self.colours[colours.tab] = dict(colours.colours)
        return changed

    def _at(self, tab: str, row: int, column: int) -> object:
        grid = self.tabs[tab]
        return grid[row][column] if row < len(grid) and column < len(grid[row]) else None

    def _put(self, sheet: SheetGrid) -> bool:
        """Replace a whole tab; whether it differed from what the tab held."""
        rows = [list(r) for r in sheet.rows]
        same = self.tabs.get(sheet.name) == rows and self.sheets.get(sheet.name) == sheet
        self.tabs[sheet.name] = rows
        self.sheets[sheet.name] = sheet
        return not same
