"""The seam every backend implements: read raw grids, write one plan.

A backend is opened on one book, reads the tabs the sync asks for, and later writes a
:class:`WritePlan` — the sync-owned tabs (replaced whole), staff tabs created once (a new month
sheet), rows appended to a staff tab, and each task's colour. Only backends touch the outside world.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol

Cell = str | int | float | bool | date | datetime | None
"""A cell value. ``str`` is always written as text (never a formula); dates as real dates."""
Grid = list[list[Cell]]
"""Rows of cells; ``grid[0][0]`` is A1. Empty cells are ``None``."""
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PAGE_X_OF_Y = "第 &P 页 / 共 &N 页"  # printed footer field codes (Excel's &P page, &N pages)


def default_date_format(value: Cell) -> str | None:
    """The number format every backend gives a date (or datetime) that the plan leaves unformatted."""
    if isinstance(value, datetime):
        return DATETIME_FORMAT
    return DATE_FORMAT if isinstance(value, date) else None


@dataclass(frozen=True)
class CellStyle:
    fill: str | None = None  # "RRGGBB"
    font_colour: str | None = None  # "RRGGBB"
    bold: bool = False
    number_format: str | None = None  # Excel format code, e.g. "yyyy-mm-dd", "0.0%"
    wrap: bool = False
    size: float | None = None  # font size in points; None = the book's default
    align_right: bool = False  # e.g. the header of a column of numbers, so it stands over them


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[int, int, int]  # (first_row, last_row, column), 0-based, in the same sheet
    colour: str  # "RRGGBB"


@dataclass(frozen=True)
class Chart:
    """A native chart drawn from cells of the same sheet."""

    title: str
    categories: tuple[int, int, int]  # (first_row, last_row, column), 0-based
    series: tuple[Series, ...]
    anchor: tuple[int, int]  # top-left cell (row, column), 0-based
    size: tuple[int, int] = (16, 9)  # (columns, rows) spanned
    kind: Literal["bar", "column"] = "column"
    stacked: bool = True


@dataclass(frozen=True)
class ListValidation:
    """A dropdown: cells of ``column`` from ``first_row`` to ``last_row`` (0-based) take ``values``."""

    column: int
    first_row: int
    last_row: int
    values: tuple[str, ...]


@dataclass
class SheetGrid:
    """A whole tab to write: values, sparse styles, widths, frozen panes, charts, dropdowns."""

    name: str
    rows: Grid
    styles: dict[tuple[int, int], CellStyle] = field(default_factory=dict)
    column_widths: list[float] = field(default_factory=list)  # characters, by column
    freeze: tuple[int, int] | None = None  # (rows, columns) frozen at the top/left
    charts: list[Chart] = field(default_factory=list)
    validations: list[ListValidation] = field(default_factory=list)
    hidden: bool = False
    fit_width: bool = False  # print landscape, one page wide (where the backend has print settings)
    print_titles: tuple[int, int] | None = None  # (first, last) rows repeated at the top of printed pages
    footer: str | None = None  # printed footer text beside "page x / y" (e.g. the as-of date)
    autofilter: int | None = None  # 0-based header row of a filter over the used columns, down to the last row
    grouped: set[int] = field(default_factory=set)  # rows outlined and collapsed under the row above the run
    fingerprint: str | None = None  # of the inputs it was built from (see fingerprint.py); kept where the backend can


@dataclass(frozen=True)
class Colour:
    key: str  # "green" | "red" | "orange" | "blue"
    label: str  # e.g. 红色考核
    fill: str  # "RRGGBB"
    font: str  # "RRGGBB"


@dataclass
class TaskColours:
    """Show each task's colour on a staff tab; the colour belongs to the task ID, not the row."""

    tab: str
    header_row: int  # 0-based row of the header in that tab
    id_column: int  # 0-based column of 任务编号
    status_column: int  # 0-based column whose cell shows the colour (状态)
    colours: dict[str, str]  # task id -> colour key


@dataclass
class RowAppend:
    """Rows appended below the last used row of a staff tab (a month sheet's missing tasks)."""

    tab: str
    rows: list[dict[int, Cell]]  # 0-based column -> value
    styles: dict[int, CellStyle] = field(default_factory=dict)  # by column, e.g. date formats


@dataclass
class CellWrite:
    """Cells set in rows a staff tab already has: only the unit-book exchange (:mod:`sync.units`) makes
    these, for the columns its mode owns. Each cell keeps its own format; ``None`` empties it."""

    tab: str
    cells: dict[tuple[int, int], Cell]  # (0-based row, 0-based column) -> value
    styles: dict[int, CellStyle] = field(default_factory=dict)  # by column, e.g. date formats


@dataclass
class WritePlan:
    owned: list[SheetGrid] = field(default_factory=list)  # sync-owned: replaced whole or added
    created: list[SheetGrid] = field(default_factory=list)  # staff tabs added only if absent
    appends: list[RowAppend] = field(default_factory=list)
    colours: list[TaskColours] = field(default_factory=list)
    palette: dict[str, Colour] = field(default_factory=dict)
    beside: str | None = None  # a created staff tab goes right after this tab (the latest month sheet)
    cells: list[CellWrite] = field(default_factory=list)  # unit-book exchange only (see CellWrite)
    kept: list[str] = field(default_factory=list)  # sync-owned tabs not rebuilt: inputs unchanged, left as they are

    def tab_names(self) -> list[str]:
        """Every tab this plan writes to, in order."""
        names = [s.name for s in self.owned + self.created]
        names += [a.tab for a in self.appends] + [c.tab for c in self.colours] + [w.tab for w in self.cells]
        return list(dict.fromkeys(names))


class Backend(Protocol):
    """One open book: ``read`` the tabs a sync needs, then ``write`` one plan built from them.

    ``read`` comes before ``write``: a backend writes against the book as it read it. The file
    backend refuses to write over a file that changed since it was read, the Google backend compares
    the plan with the values it read, and the Excel backend finds each task's row by ID in the grid
    it read. A tab the plan appends to or colours and that was not read is read by ``write`` first.

    After a write that returned True, a backend may name the tabs it changed in ``written_tabs`` (the
    file and Google backends do; otherwise every tab of the plan counts as written).

    Two optional methods, used when a backend has them: ``owned_tabs() -> set[str]``, the tabs
    carrying the sync's marker (without it, the banner rows decide which tabs are the sync's), and
    ``merged_cells(name) -> list[(first row, first column, last row, last column)]``, 0-based and
    inclusive, asked after ``read`` (without it, a merged value counts for its first row only).
    """

    label: str  # how messages name the book, e.g. "example.xlsx" or "gsheet:1AbC…"

    def sheet_names(self) -> list[str]:
        """The book's tabs, in order."""
        ...

    def read(self, names: Sequence[str]) -> dict[str, Grid]:
        """Each named tab (names from :meth:`sheet_names`) as it is now: rows from A1, empty cells None."""
        ...

    def changes(self, plan: WritePlan) -> list[str]:
        """The tabs ``write(plan)`` would change, decided exactly as ``write`` decides it; writes nothing.
        ``read`` comes first (a dry run asks this instead of writing)."""
        ...

    def write(self, plan: WritePlan) -> bool:
        """Apply ``plan`` to the book, all of it or (on an error) as little as the backend can help.

        Returns True when anything in the book was written, False when nothing was: the plan was
        empty, or the book already held all of it (the file and Google backends then leave it
        untouched). The engine reports the plan's tabs as written only on True.
        """
        ...
