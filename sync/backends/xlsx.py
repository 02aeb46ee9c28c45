"""Local .xlsx/.xlsm books: fast reading with python-calamine, lossless part-level writing.

Writing copies every zip part the sync does not own byte for byte and adds or replaces only what
the plan needs (see :mod:`xlsx_apply`); the file is replaced atomically, never while it is open in
a client or after it changed on disk (see :mod:`xlsx_safety`).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from lxml import etree
from python_calamine import CalamineWorkbook

from ..errors import BookError, DispatchError
from .base import Grid, WritePlan
from .colourmap import MAP_TAB
from .xlsx_apply import PlanWriter
from .xlsx_blank import blank_workbook
from .xlsx_bounds import bounded_source
from .xlsx_package import Package
from .xlsx_safety import Snapshot, check, load, replace


class XlsxBook:
    """A workbook file on disk.

    ``backups`` previous versions are kept in ``.dispatchbook-backups/`` beside the book (0: none).
    With ``report_to``, the plan's sync-owned tabs are written into that other workbook instead
    (created if absent, same safety rules) and the staff book is never written: the plan's created
    tabs, appended rows and task colours are skipped, as they only make sense in the staff book.
    """

    def __init__(self, path: str | Path, backups: int = 3, report_to: str | Path | None = None) -> None:
        self.opened_as = Path(path)
        self.label = self.opened_as.name
        self.path = _target(self.opened_as, self.label)  # a symlinked book is read and written at its target
        self.backups = backups
        self.report_to = Path(report_to) if report_to is not None else None
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
        grids = {}
        for name in names:
            with _damaged(self.label, name):
                grids[name] = _grid(self._book.get_sheet_by_name(name).to_python(skip_empty_area=False))
        return grids

    def write(self, plan: WritePlan) -> bool:
        """Apply ``plan``; nothing is written if it would not change any part of the file."""
        if self.report_to is not None:
            target, read, opened_as = self.report_to, self._report, None
            plan = WritePlan(owned=plan.owned, palette=plan.palette)
        else:
            target, read, opened_as = self.path, self._snapshot, self.opened_as
        if not (plan.owned or plan.created or plan.appends or plan.colours):
            return False
        label = target.name if self.report_to is not None else self.label
        check(target, read, label, opened_as)
        with _damaged(label):
            if read is self._snapshot:  # checked when it was read
                source = self._source
            else:
                source = bounded_source(read.data if read else blank_workbook(), label)
            pkg = Package(source)
            colour_map = self.read([MAP_TAB])[MAP_TAB] if plan.colours and MAP_TAB in self.sheet_names() else None
            PlanWriter(pkg, label).apply(plan, colour_map)
            if not pkg.changed():
                return False
        replace(target, pkg.write, read=read, backups=self.backups, label=label, opened_as=opened_as)
        if self.report_to is not None:
            self._report = load(target, target.name)
        else:
            self._open()
        return True

    def _open(self) -> None:
        """Read the whole file once: what we read, write from and fingerprint are the same bytes."""
        self._snapshot = load(self.path, self.label)
        self._source = bounded_source(self._snapshot.data, self.label)  # before any parser inflates a part
        try:
            self._book = CalamineWorkbook.from_filelike(io.BytesIO(self._snapshot.data))
        except Exception as exc:  # calamine raises its own error types for corrupt files
            raise BookError(self.label, f"无法作为 Excel 工作簿打开（{_said(exc)}）",
                            "请确认它是 .xlsx/.xlsm 文件且未损坏") from None


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
        raise BookError(label, f"文件已损坏（{_said(exc)}）", fix) from None
    except Exception as exc:
        if not type(exc).__module__.startswith("python_calamine"):  # calamine's own error types
            raise
        detail = "" if _said(exc) == tab else f"（{_said(exc)}）"
        raise BookError(f"{label} / {tab}" if tab else label, f"工作表已损坏，无法读取{detail}", fix) from None


def _said(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _grid(rows: Sequence[Sequence[object]]) -> Grid:
    """calamine returns '' for empty cells; the rest of the sync expects None."""
    return [[None if v == "" else v for v in row] for row in rows]  # type: ignore[misc]
