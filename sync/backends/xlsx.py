"""Local .xlsx/.xlsm books: fast reading with python-calamine, lossless part-level writing.

Writing copies every zip part the sync does not own byte for byte and adds or replaces only what
the plan needs (see :mod:`xlsx_apply`); the file is replaced atomically, never while it is open in
a client or after it changed on disk (see :mod:`xlsx_safety`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from python_calamine import CalamineWorkbook

from ..errors import DispatchError
from .base import Grid, WritePlan
from .colourmap import MAP_TAB
from .xlsx_apply import PlanWriter
from .xlsx_blank import blank_workbook
from .xlsx_errors import error_cells
from .xlsx_marker import owned_tabs
from .xlsx_package import Package
from .xlsx_workbook import Workbook
from .xlsx_safety import Snapshot, check, load, replace
from .xlsx_zip import ZipSource


class XlsxBook:
    """A workbook file on disk.

    ``backups`` previous versions are kept in ``.dispatchbook-backups/`` beside the book (0: none).
    With ``report_to``, the plan's sync-owned tabs are written into that other workbook instead
    (created if absent, same safety rules) and the staff book is never written: the plan's created
    tabs, appended rows and task colours are skipped, as they only make sense in the staff book.
    """

    def __init__(self, path: str | Path, backups: int = 3, report_to: str | Path | None = None) -> None:
        self.path = Path(path)
        self.label = self.path.name
        self.backups = backups
        self.report_to = Path(report_to) if report_to is not None else None
        if not self.path.exists():
            raise DispatchError(self.label, "找不到工作簿文件", f"请检查路径 {self.path}")
        self._open()
        self._report: Snapshot | None = None
        if self.report_to is not None:
            if self.report_to.suffix.lower() != ".xlsx":
                raise DispatchError(self.report_to.name, "汇总表只能写入 .xlsx 文件", "请换一个以 .xlsx 结尾的文件名")
            if self.report_to.exists():
                self._report = load(self.report_to, self.report_to.name)

    def sheet_names(self) -> list[str]:
        return list(self._book.sheet_names)

    def read(self, names: Sequence[str]) -> dict[str, Grid]:
        sheets = {name: self._book.get_sheet_by_name(name) for name in names}
        self._merges.update((name, sheet.merged_cell_ranges or []) for name, sheet in sheets.items())
        grids = {name: _grid(sheet.to_python(skip_empty_area=False)) for name, sheet in sheets.items()}
        for name, grid in grids.items():
            for (r, c), error in self._errors(name).items():  # calamine reads #DIV/0! as empty
                if r < len(grid) and c < len(grid[r]):
                    grid[r][c] = error
        return grids

    def merged_cells(self, name: str) -> list[tuple[int, int, int, int]]:
        """Merged blocks of a tab: (first row, first column, last row, last column), 0-based."""
        if name not in self._merges:
            self._merges[name] = self._book.get_sheet_by_name(name).merged_cell_ranges or []
        return [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in self._merges[name]]

    def owned_tabs(self) -> set[str]:
        """Tabs carrying the sync's marker (a hidden sheet-scoped name the sync writes on its tabs)."""
        return owned_tabs(self._workbook())

    def _workbook(self) -> Workbook:
        if self._parsed is None:
            self._parsed = Workbook(Package(_source(self.label, self._snapshot.data)))
        return self._parsed

    def _errors(self, name: str) -> dict[tuple[int, int], str]:
        """Cells holding an Excel error value (#DIV/0!, #N/A …) by (row, column)."""
        try:
            tab = self._workbook().tab(name)
        except ValueError:
            return {}
        if tab is None or not tab.part:
            return {}
        return error_cells(self._workbook().pkg.blob(tab.part))

    def write(self, plan: WritePlan) -> bool:
        """Apply ``plan``; nothing is written if it would not change any part of the file."""
        if self.report_to is not None:
            target, read = self.report_to, self._report
            plan = WritePlan(owned=plan.owned, palette=plan.palette)
        else:
            target, read = self.path, self._snapshot
        if not (plan.owned or plan.created or plan.appends or plan.colours):
            return False
        check(target, read, target.name)
        pkg = Package(_source(target.name, read.data if read else blank_workbook()))
        colour_map = self.read([MAP_TAB])[MAP_TAB] if plan.colours and MAP_TAB in self.sheet_names() else None
        PlanWriter(pkg, target.name).apply(plan, colour_map)
        if not pkg.changed():
            return False
        replace(target, pkg.write, read=read, backups=self.backups, label=target.name)
        if self.report_to is not None:
            self._report = load(target, target.name)
        else:
            self._open()
        return True

    def _open(self) -> None:
        """Read the whole file once: what we read, write from and fingerprint are the same bytes."""
        self._snapshot = load(self.path, self.label)
        self._parsed: Workbook | None = None
        self._merges: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
        try:
            self._book = CalamineWorkbook.from_filelike(io.BytesIO(self._snapshot.data))
        except Exception as exc:  # calamine raises its own error types for corrupt files
            raise DispatchError(self.label, f"无法作为 Excel 工作簿打开（{exc}）",
                                "请确认它是 .xlsx/.xlsm 文件且未损坏") from exc


def _source(label: str, blob: bytes) -> ZipSource:
    try:
        return ZipSource(blob)
    except Exception as exc:  # zipfile raises several error types for damaged archives
        raise DispatchError(label, f"无法作为 Excel 工作簿打开（{exc}）", "请确认它是 .xlsx/.xlsm 文件且未损坏") from exc


def _grid(rows: Sequence[Sequence[object]]) -> Grid:
    """calamine returns '' for empty cells; the rest of the sync expects None."""
    return [[None if v == "" else v for v in row] for row in rows]  # type: ignore[misc]
