"""Local .xlsx/.xlsm books: fast reading with python-calamine, lossless part-level writing.

.xls, .xlsb, .ods and WPS .et files are read the same way (python-calamine reads them) but never
written in place: their summary tabs go to another workbook with ``report_to`` (see :mod:`sync.backends.xlsx.filetype`).

Writing copies every zip part the sync does not own byte for byte and adds or replaces only what
the plan needs (see :mod:`sync.backends.xlsx.apply`); the file is replaced atomically, never while it is open in
a client or after it changed on disk (see :mod:`sync.backends.xlsx.safety`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from python_calamine import CalamineWorkbook, PasswordError

from sync.backends.colourmap import MAP_TAB
from sync.backends.xlsx.apply import PlanWriter
from sync.backends.xlsx.blank import blank_workbook
from sync.backends.xlsx.error_cells import error_cells
from sync.backends.xlsx.filetype import ENCRYPTED, FileKind, detect, kind_problems, password_fix, save_as_fix
from sync.backends.xlsx.marker import owned_tabs
from sync.backends.xlsx.ooxml.container import ZipSource
from sync.backends.xlsx.ooxml.package import Package
from sync.backends.xlsx.safety import Snapshot, check, load, replace
from sync.backends.xlsx.workbook import Workbook
from sync.errors import DispatchError
from sync.problems import Problem
from sync.sheets import Grid, WritePlan


class XlsxBook:
    """A workbook file on disk.

    ``backups`` previous versions are kept in ``.dispatchbook-backups/`` beside the book (0: none).
    With ``report_to``, the plan's sync-owned tabs are written into that other workbook instead
    (created if absent, same safety rules) and the staff book is never written: the plan's created
    tabs, appended rows and task colours are skipped, as they only make sense in the staff book.
    """

    _parsed: Workbook | None  # the package, parsed on demand (markers, error cells)
    _merges: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]]

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
        workbook = self._workbook()
        return owned_tabs(workbook) if workbook else set()

    def _workbook(self) -> Workbook | None:
        """The .xlsx package as parsed parts; None for a format read only through calamine (.xls …)."""
        if not self.kind.writable:
            return None
        if self._parsed is None:
            self._parsed = Workbook(Package(_source(self.label, self._snapshot.data)))
        return self._parsed

    def _errors(self, name: str) -> dict[tuple[int, int], str]:
        """Cells holding an Excel error value (#DIV/0!, #N/A …) by (row, column)."""
        workbook = self._workbook()
        if workbook is None:
            return {}
        try:
            tab = workbook.tab(name)
        except ValueError:
            return {}
        if tab is None or not tab.part:
            return {}
        return error_cells(workbook.pkg.blob(tab.part))

    def changes(self, plan: WritePlan) -> list[str]:
        """The tabs :meth:`write` would change, from the very package it would write (nothing is written);
        a change outside any tab (workbook index, styles) is named 工作簿结构."""
        built = self._build(plan)
        if built is None:
            return []
        pkg, writer = built[2:]
        by_part = {tab.part: tab.name for tab in writer.book.tabs if tab.part}
        parts = pkg.changed_parts()
        return list(dict.fromkeys(by_part.get(part, "工作簿结构") for part in parts))

    def _build(self, plan: WritePlan) -> tuple[Path, Snapshot | None, Package, PlanWriter] | None:
        """The package ``plan`` turns the target file into (None when the plan holds nothing)."""
        if self.report_to is not None:
            target, read = self.report_to, self._report
            plan = WritePlan(owned=plan.owned, palette=plan.palette)
        elif not self.kind.writable:
            raise DispatchError(self.label, f"{self.kind.this_is}，同步只能写入 .xlsx/.xlsm 文件，本次未写入",
                                save_as_fix(self.kind) + "；或加 --report-to 汇总.xlsx，把汇总表写到另一个工作簿")
        else:
            target, read = self.path, self._snapshot
        if not (plan.owned or plan.created or plan.appends or plan.colours):
            return None
        pkg = Package(_source(target.name, read.data if read else blank_workbook()))
        colour_map = self.read([MAP_TAB])[MAP_TAB] if plan.colours and MAP_TAB in self.sheet_names() else None
        writer = PlanWriter(pkg, target.name)
        writer.apply(plan, colour_map)
        return target, read, pkg, writer

    def write(self, plan: WritePlan) -> bool:
        """Apply ``plan``; nothing is written if it would not change any part of the file."""
        built = self._build(plan)
        if built is None:
            return False
        target, read, pkg, _ = built
        check(target, read, target.name)
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
        self.kind: FileKind = detect(self._snapshot.data, self.path.name)
        if self.kind is ENCRYPTED:
            raise DispatchError(self.label, "工作簿设有打开密码，无法读取", password_fix())
        if not self.kind.readable:
            raise DispatchError(self.label, f"{self.kind.this_is}，无法读取", save_as_fix(self.kind))
        self._parsed = None
        self._merges = {}
        try:
            self._book = CalamineWorkbook.from_filelike(io.BytesIO(self._snapshot.data))
        except PasswordError as exc:  # e.g. an .xls saved with an open password (RC4); untested: no writer here
            raise DispatchError(self.label, "工作簿设有打开密码，无法读取", password_fix()) from exc
        except Exception as exc:  # calamine raises its own error types for corrupt files
            if not self.kind.writable:
                raise DispatchError(self.label, f"{self.kind.this_is}，但无法读取（{exc}）",
                                    save_as_fix(self.kind)) from exc
            raise DispatchError(self.label, f"无法作为 Excel 工作簿打开（{exc}）",
                                "请确认它是 .xlsx/.xlsm 文件且未损坏") from exc
        self.file_problems: list[Problem] = kind_problems(self.kind, self.label, self.path.name)


def _source(label: str, blob: bytes) -> ZipSource:
    try:
        return ZipSource(blob)
    except Exception as exc:  # zipfile raises several error types for damaged archives
        raise DispatchError(label, f"无法作为 Excel 工作簿打开（{exc}）", "请确认它是 .xlsx/.xlsm 文件且未损坏") from exc


def _grid(rows: Sequence[Sequence[object]]) -> Grid:
    """calamine returns '' for empty cells; the rest of the sync expects None."""
    return [[None if v == "" else v for v in row] for row in rows]  # type: ignore[misc]
