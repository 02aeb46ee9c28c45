"""Local .xlsx/.xlsm books: fast reading with python-calamine, lossless part-level writing.

.xls, .xlsb, .ods and WPS .et files are read the same way (python-calamine reads them) but never
written in place: their summary tabs go to another workbook with ``report_to`` (see :mod:`sync.backends.xlsx.filetype`).

Writing copies every zip part the sync does not own byte for byte and adds or replaces only what
the plan needs (see :mod:`sync.backends.xlsx.apply`); the file is replaced atomically, never while it is open in
a client or after it changed on disk (see :mod:`sync.backends.xlsx.safety`).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from lxml import etree
from python_calamine import CalamineWorkbook, PasswordError

from sync.backends.colourmap import MAP_TAB
from sync.backends.xlsx.apply import PlanWriter
from sync.backends.xlsx.blank import blank_workbook
from sync.backends.xlsx.colours import rules_elsewhere
from sync.backends.xlsx.error_cells import ERROR_TYPE, error_cells
from sync.backends.xlsx.filetype import ENCRYPTED, FileKind, detect, kind_problems, password_fix, save_as_fix
from sync.backends.xlsx.marker import owned_tabs, stored_fingerprints
from sync.backends.xlsx.ooxml.bounds import bounded_source
from sync.backends.xlsx.ooxml.package import Package
from sync.backends.xlsx.safety import Snapshot, check, load, lock_files, read_only, replace
from sync.backends.xlsx.workbook import Workbook
from sync.errors import BookError, DispatchError, said
from sync.problems import Problem
from sync.sheets import Grid, WritePlan

_RECORD = b"dispatchbook"  # the archive comment's first word when it holds a sync's record


class XlsxBook:
    """A workbook file on disk.

    ``backups`` previous versions are kept in ``.dispatchbook-backups/`` beside the book (0: none).
    With ``report_to``, the plan's sync-owned tabs are written into that other workbook instead
    (created if absent, same safety rules) and the staff book is never written: the plan's created
    tabs, appended rows and task colours are skipped, as they only make sense in the staff book.
    """

    _parsed: Workbook | None  # the package, parsed on demand (markers, error cells)
    written_tabs: list[str]  # after a write: the tabs it changed
    _merges: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]]

    def __init__(self, path: str | Path, backups: int = 3, report_to: str | Path | None = None) -> None:
        self.opened_as = Path(path)
        self.label = self.opened_as.name
        self.path = _target(self.opened_as, self.label)  # a symlinked book is read and written at its target
        self.backups = backups
        self.report_to = Path(report_to) if report_to is not None else None
        self._open()
        self._record: str | None = None  # kept with the next write (see keep_record)
        self._report: Snapshot | None = None
        if self.report_to is not None:
            if self.report_to.suffix.lower() != ".xlsx":
                raise DispatchError(self.report_to.name, "汇总表只能写入 .xlsx 文件", "请换一个以 .xlsx 结尾的文件名")
            if self.report_to.exists():
                self._report = load(self.report_to, self.report_to.name)

    def sheet_names(self) -> list[str]:
        self._reopen_if_written()
        return list(self._book.sheet_names)

    def read(self, names: Sequence[str]) -> dict[str, Grid]:
        self._reopen_if_written()
        grids = {}
        with ThreadPoolExecutor(1, thread_name_prefix="error-cells") as pool:  # while calamine parses (no GIL)
            errors = pool.map(self._errors, names)
            pool.map(self._ends, names)
            for name in names:
                with _damaged(self.label, name):
                    sheet = self._book.get_sheet_by_name(name)
                    self._merges[name] = sheet.merged_cell_ranges or []
                    grids[name] = _grid(sheet.to_python(skip_empty_area=False))
            for grid, found in zip(grids.values(), errors, strict=True):
                for (r, c), error in found.items():  # calamine reads #DIV/0! as empty
                    if r < len(grid) and c < len(grid[r]):
                        grid[r][c] = error
        return grids

    def merged_cells(self, name: str) -> list[tuple[int, int, int, int]]:
        """Merged blocks of a tab: (first row, first column, last row, last column), 0-based."""
        self._reopen_if_written()
        if name not in self._merges:
            self._merges[name] = self._book.get_sheet_by_name(name).merged_cell_ranges or []
        return [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in self._merges[name]]

    def owned_tabs(self) -> set[str]:
        """Tabs carrying the sync's marker (a hidden sheet-scoped name the sync writes on its tabs)."""
        workbook = self._workbook()
        return owned_tabs(workbook) if workbook else set()

    def fingerprints(self) -> dict[str, str]:
        """Tab name -> the fingerprint kept in its marker, for the sync's tabs unedited since it wrote them
        (the worksheet part still has the CRC-32 it was written with)."""
        workbook = self._workbook()
        if workbook is None or self.report_to is not None:  # the tabs are written to another book
            return {}
        parts = {tab.name: tab.part for tab in workbook.tabs}
        return {name: fingerprint for name, (fingerprint, crc) in stored_fingerprints(workbook).items()
                if parts.get(name) and workbook.pkg.source_crc(parts[name]) == crc}

    def kept_record(self) -> str | None:
        """The record the last write left in the archive comment (see :mod:`sync.rerun`), if no part of the
        file changed since: every part's name, CRC-32 and size still digest to what was written. None too
        when a write would be refused (the book open in Excel, read-only …): the sync then says so."""
        self._reopen_if_written()
        if not self.kind.writable or self.report_to is not None:
            return None
        if lock_files(self.path, self.opened_as) or read_only(self.path):
            return None
        word, _, rest = self._source.comment.partition(b" ")
        digest, _, record = rest.partition(b" ")
        if word != _RECORD or digest.decode("ascii", "replace") != self._source.digest():
            return None
        return record.decode("ascii", "replace")

    def keep_record(self, record: str) -> None:
        """Leave ``record`` (ASCII) in the archive comment of the next write of this book."""
        self._record = record

    def _workbook(self) -> Workbook | None:
        """The .xlsx package as parsed parts; None for a format read only through calamine (.xls …)."""
        self._reopen_if_written()
        if not self.kind.writable:
            return None
        if self._parsed is None:
            self._parsed = Workbook(Package(self._source))
        return self._parsed

    def _errors(self, name: str) -> dict[tuple[int, int], str]:
        """Cells holding an Excel error value (#DIV/0!, #N/A …) by (row, column)."""
        part = self._part(name)
        if part is None or not self._source.holds(part, ERROR_TYPE):
            return {}
        return error_cells(self._source.read(part))

    def _ends(self, name: str) -> None:
        """Find the tab's first and last bytes now, on the core calamine leaves idle: a write's check of a
        month sheet's colour rules reads only those (see :meth:`Package.ends`)."""
        if (part := self._part(name)) is not None:
            self._source.ends(part)

    def _part(self, name: str) -> str | None:
        """The worksheet part of tab ``name`` in an .xlsx package, if it has one."""
        workbook = self._workbook()
        if workbook is None:
            return None
        try:
            tab = workbook.tab(name)
        except ValueError:
            return None
        return tab.part if tab is not None and tab.part else None

    def changes(self, plan: WritePlan) -> list[str]:
        """The tabs :meth:`write` would change, from the very package it would write (nothing is written);
        a change outside any tab (workbook index, styles) is named 工作簿结构."""
        built = self._build(plan)
        return _changed_tabs(*built[2:]) if built is not None else []

    def _build(self, plan: WritePlan) -> tuple[Path, Snapshot | None, Package, PlanWriter] | None:
        """The package ``plan`` turns the target file into (None when the plan holds nothing)."""
        self._reopen_if_written()
        if self.report_to is not None:
            target, read = self.report_to, self._report
            plan = WritePlan(owned=plan.owned, palette=plan.palette)
        elif not self.kind.writable:
            raise BookError(self.label, f"{self.kind.this_is}，同步只能写入 .xlsx/.xlsm 文件，本次未写入",
                            save_as_fix(self.kind) + "；或加 --report-to 汇总.xlsx，把汇总表写到另一个工作簿")
        else:
            target, read = self.path, self._snapshot
        if not (plan.owned or plan.created or plan.appends or plan.colours or plan.cells):
            return None
        label = self._label(target)
        with _damaged(label):
            source = self._source if read is self._snapshot else \
                bounded_source(read.data if read else blank_workbook(), label)  # the book's was checked when read
            pkg = Package(source)
            writer = PlanWriter(pkg, label)
            colour_map = self.read([MAP_TAB])[MAP_TAB] if plan.colours and MAP_TAB in self.sheet_names() \
                and rules_elsewhere(writer.book, plan) else None
            writer.apply(plan, colour_map)
        return target, read, pkg, writer

    def _label(self, target: Path) -> str:
        return target.name if self.report_to is not None else self.label

    def write(self, plan: WritePlan) -> bool:
        """Apply ``plan``; nothing is written if it would not change any part of the file."""
        built = self._build(plan)
        if built is None:
            return False
        target, read, pkg, writer = built
        label, opened_as = self._label(target), None if self.report_to is not None else self.opened_as
        check(target, read, label, opened_as)
        if not pkg.changed():
            return False
        record = self._record if self.report_to is None else None
        comment = partial(_comment, record) if record else None
        replace(target, partial(pkg.write, comment=comment), read=read, backups=self.backups, label=label, opened_as=opened_as)
        self._record = None
        self.written_tabs = _changed_tabs(pkg, writer)
        if self.report_to is not None:
            self._report = load(target, target.name)
        else:
            self._written = True  # read again when next asked: a sync's write is its last step
        return True

    def _reopen_if_written(self) -> None:
        if self._written:
            self._open()

    def _open(self) -> None:
        """Read the whole file once: what we read, write from and fingerprint are the same bytes."""
        self._snapshot = load(self.path, self.label)
        self._written = False
        self.kind: FileKind = detect(self._snapshot.data, self.path.name)
        if self.kind is ENCRYPTED:
            raise BookError(self.label, "工作簿设有打开密码，无法读取", password_fix())
        if not self.kind.readable:
            raise BookError(self.label, f"{self.kind.this_is}，无法读取", save_as_fix(self.kind))
        self._parsed = None
        self._merges = {}
        if self.kind.writable:  # bounds checked before any parser inflates a part
            self._source = bounded_source(self._snapshot.data, self.label)
        try:
            self._book = CalamineWorkbook.from_filelike(io.BytesIO(self._snapshot.data))
        except PasswordError:  # e.g. an .xls saved with an open password (RC4); untested: no writer here
            raise BookError(self.label, "工作簿设有打开密码，无法读取", password_fix()) from None
        except Exception as exc:  # calamine raises its own error types for corrupt files
            if not self.kind.writable:
                raise BookError(self.label, f"{self.kind.this_is}，但无法读取（{said(exc, 200)}）",
                                save_as_fix(self.kind)) from None
            raise BookError(self.label, f"无法作为 Excel 工作簿打开（{said(exc, 200)}）",
                            "请确认它是 .xlsx/.xlsm 文件且未损坏") from None
        self.file_problems: list[Problem] = kind_problems(self.kind, self.label, self.path.name)


def _comment(record: str, digest: str) -> bytes:
    """The archive comment keeping ``record`` for the parts with ``digest``; none if a zip comment cannot hold it
    (the next sync then runs in full)."""
    comment = b" ".join((_RECORD, digest.encode(), record.encode("ascii")))
    return comment if len(comment) <= 0xFFFF else b""


def _changed_tabs(pkg: Package, writer: PlanWriter) -> list[str]:
    """The tabs whose parts differ from the file's; a change outside any tab (workbook index, styles) is
    named 工作簿结构."""
    by_part = {tab.part: tab.name for tab in writer.book.tabs if tab.part}
    return list(dict.fromkeys(by_part.get(part, "工作簿结构") for part in pkg.changed_parts()))


def _target(path: Path, label: str) -> Path:
    """The file a (possibly symlinked) book path names."""
    if not path.is_symlink():
        return path
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise BookError(label, "工作簿是一个指向不存在文件的链接（或链接成环）", f"请检查链接 {path} 指向的文件") from None


@contextmanager
def _damaged(label: str, tab: str = "") -> Iterator[None]:
    """A damaged part found while reading or editing the book becomes one line, not a traceback."""
    fix = "请用 Excel 或 WPS 打开后另存一份再同步"
    try:
        yield
    except DispatchError:
        raise
    except (zipfile.BadZipFile, zlib.error, etree.XMLSyntaxError, UnicodeDecodeError) as exc:
        raise BookError(label, f"文件已损坏（{said(exc, 200)}）", fix) from None
    except Exception as exc:
        if not type(exc).__module__.startswith("python_calamine"):  # calamine's own error types
            raise
        detail = "" if said(exc, 200) == tab else f"（{said(exc, 200)}）"
        raise BookError(f"{label} / {tab}" if tab else label, f"工作表已损坏，无法读取{detail}", fix) from None


def _grid(rows: Sequence[Sequence[object]]) -> Grid:
    """calamine returns '' for empty cells; the rest of the sync expects None."""
    return [[None if v == "" else v for v in row] for row in rows]  # type: ignore[misc]
