"""Open workbooks on xlwings' remote engine and replay the actions it returns, as Excel would apply them.

The remote engine (``xw.Book(json=...)``, from xlwings PRO) exposes the same Book/Sheet/Range API as
desktop Excel and turns every write into an action. It is licensed for noncommercial use with the
key ``noncommercial``, which is set here, for the tests only.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import xlwings as xw

from sync.sheets import Cell, Grid

Pos = tuple[int, int]


def remote_engine() -> None:
    """Register the remote engine (xlwings only loads it when a licence key is set at import)."""
    if "remote" in [e.name for e in xw.engines]:
        return
    previous = os.environ.get("XLWINGS_LICENSE_KEY")
    os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
    try:
        from xlwings.pro import _xlremote  # noqa: PLC0415 - licence-gated import
    finally:
        if previous is None:
            del os.environ["XLWINGS_LICENSE_KEY"]
        else:
            os.environ["XLWINGS_LICENSE_KEY"] = previous
    xw.engines.add(xw.Engine(impl=_xlremote.engine))


def client_value(value: object) -> object:
    """A cell as an xlwings client sends it: dates as ISO strings, empty as "", numbers as floats."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # Excel keeps every number as a double
    return value


def sheet_payload(name: str, grid: Grid, charts: int = 0) -> dict[str, Any]:
    width = max((len(r) for r in grid), default=0)
    values = [[client_value(v) for v in r] + [""] * (width - len(r)) for r in grid] or [[""]]
    # Like Excel's, the used range may end in blank (e.g. pre-formatted) rows.
    used = f"A1:{xw.utils.col_name(width)}{len(grid)}" if grid and width else None
    return {"name": name, "values": values, "used_range_address": used, "visibility": "Visible",
            "pictures": [], "shapes": [], "notes": [], "tables": [], "print_area": None,
            "show_gridlines": True, "pivot_tables": [],
            "charts": [{"name": f"Chart {i + 1}", "chart_type": "ColumnStacked"} for i in range(charts)]}


def book_payload(tabs: dict[str, Grid], name: str = "党建调度.xlsm", charts: dict[str, int] | None = None,
                 active: int = 0) -> dict[str, Any]:
    """What the Office.js client sends for a workbook with these tabs."""
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": name, "active_sheet_index": active, "selection": "A1"}, "names": [],
            "sheets": [sheet_payload(n, g, (charts or {}).get(n, 0)) for n, g in tabs.items()]}


def xlsx_tabs(path: Path) -> dict[str, Grid]:
    """Every tab's values, read with openpyxl (not the reader the sync uses)."""
    book = openpyxl.load_workbook(path, data_only=True)
    return {s.title: [list(r) for r in s.iter_rows(values_only=True)] for s in book.worksheets}


def open_remote(payload: dict[str, Any]) -> xw.Book:
    """The book on the remote engine; ``payload`` stays as sent (the engine edits its own copy)."""
    remote_engine()
    return xw.Book(json=copy.deepcopy(payload))


@dataclass
class Tab:
    name: str
    values: dict[Pos, Cell] = field(default_factory=dict)
    formats: dict[str, dict[Pos, object]] = field(default_factory=dict)  # attribute -> cell -> value
    visible: bool = True
    charts: list[list[object]] = field(default_factory=list)  # the addChart arguments
    validations: list[tuple[Pos, Pos, list[str]]] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    frozen: str | None = None
    cleared: bool = False

    def grid(self) -> Grid:
        if not self.values:
            return []
        rows = 1 + max(r for r, _ in self.values)
        cols = 1 + max(c for _, c in self.values)
        return [[self.values.get((r, c)) for c in range(cols)] for r in range(rows)]

    def fmt(self, attribute: str, row: int, column: int) -> object:
        return self.formats.get(attribute, {}).get((row, column))


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_CLIENT_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def stored(value: object) -> Cell:
    """What Excel stores when given ``value`` by setValues. Text must carry the apostrophe that
    keeps Excel from parsing it; bare ISO dates are the engine's own encoding of date values."""
    if value in ("", None):
        return None
    if isinstance(value, str):
        if value.startswith("'"):
            return value[1:]
        if _DATE.fullmatch(value):
            return date.fromisoformat(value)
        if _DATETIME.fullmatch(value):
            return datetime.fromisoformat(value)
        raise AssertionError(f"text handed to Excel without an apostrophe: {value!r}")
    return value  # type: ignore[return-value]


def _from_client(value: object) -> Cell:
    if value == "":
        return None
    if isinstance(value, str) and _CLIENT_DATE.fullmatch(value):
        return datetime.fromisoformat(value[:-1])
    return value  # type: ignore[return-value]


class Replay:
    """A model of the workbook: the payload's tabs, then the actions applied in order."""

    FONT = {"color": "font_colour", "bold": "bold", "size": "size"}

    def __init__(self, payload: dict[str, Any]) -> None:
        self.tabs: list[Tab] = []
        for sheet in payload["sheets"]:
            tab = Tab(sheet["name"], charts=[["existing"]] * len(sheet.get("charts", [])))
            tab.values = {(r, c): _from_client(v) for r, row in enumerate(sheet["values"])
                          for c, v in enumerate(row) if v != ""}
            self.tabs.append(tab)
        self.active = payload["book"]["active_sheet_index"]
        self.calls: list[str] = []
        self.alerts: list[list[object]] = []

    def __getitem__(self, name: str) -> Tab:
        return next(t for t in self.tabs if t.name == name)

    def names(self) -> list[str]:
        return [t.name for t in self.tabs]

    def apply(self, actions: list[dict[str, Any]]) -> Replay:
        for action in actions:
            self.calls.append(action["func"])
            getattr(self, f"_{action['func']}")(action, *action["args"])
        return self

    def _cells(self, a: dict[str, Any]) -> list[Pos]:
        return [(a["start_row"] + r, a["start_column"] + c)
                for r in range(a["row_count"]) for c in range(a["column_count"])]

    def _tab(self, a: dict[str, Any]) -> Tab:
        return self.tabs[a["sheet_position"]]

    def _set(self, a: dict[str, Any], attribute: str, value: object) -> None:
        cells = self._tab(a).formats.setdefault(attribute, {})
        cells.update(dict.fromkeys(self._cells(a), value))

    def _addSheet(self, a: dict[str, Any], position: int, name: str) -> None:  # noqa: N802 - action names
        self.tabs.insert(position, Tab(name))
        self.active = position

    def _sheetClear(self, a: dict[str, Any], _: None = None) -> None:  # noqa: N802
        tab = self._tab(a)
        tab.values, tab.formats, tab.validations, tab.cleared = {}, {}, [], True

    def _deleteChart(self, a: dict[str, Any], index: int) -> None:  # noqa: N802
        del self._tab(a).charts[index]

    def _setSheetVisibility(self, a: dict[str, Any], visibility: str) -> None:  # noqa: N802
        self._tab(a).visible = visibility == "Visible"

    def _setValues(self, a: dict[str, Any], _: None = None) -> None:  # noqa: N802
        tab = self._tab(a)
        for r, row in enumerate(a["values"]):
            for c, value in enumerate(row):
                pos = (a["start_row"] + r, a["start_column"] + c)
                cell = stored(value)
                if cell is None:
                    tab.values.pop(pos, None)
                else:
                    tab.values[pos] = cell

    def _setRangeColor(self, a: dict[str, Any], colour: str) -> None:  # noqa: N802
        self._set(a, "fill", colour.lstrip("#").upper())

    def _setFontProperty(self, a: dict[str, Any], prop: str, value: object) -> None:  # noqa: N802
        self._set(a, self.FONT[prop], value.lstrip("#").upper() if prop == "color" else value)  # type: ignore[union-attr]

    def _setNumberFormat(self, a: dict[str, Any], fmt: str) -> None:  # noqa: N802
        self._set(a, "number_format", fmt)

    def _setWrapText(self, a: dict[str, Any], wrap: bool) -> None:  # noqa: N802
        self._set(a, "wrap", wrap)

    def _setColumnWidth(self, a: dict[str, Any], width: float) -> None:  # noqa: N802
        for c in range(a["start_column"], a["start_column"] + a["column_count"]):
            self._tab(a).widths[c] = width

    def _freezePaneAtRange(self, a: dict[str, Any], address: str) -> None:  # noqa: N802
        self._tab(a).frozen = address

    def _setDataValidationList(self, a: dict[str, Any], source: dict[str, Any], dropdown: bool) -> None:  # noqa: N802
        cells = self._cells(a)
        self._tab(a).validations.append((cells[0], cells[-1], source["values"]))

    def _addChart(self, a: dict[str, Any], *args: object) -> None:  # noqa: N802
        self._tab(a).charts.append(list(args))

    def _setChartXAxisValues(self, a: dict[str, Any], index: int, sheet: str, address: str) -> None:  # noqa: N802
        self._tab(a).charts[index].append(("categories", sheet, address))

    def _setChartTitle(self, a: dict[str, Any], index: int, title: str) -> None:  # noqa: N802
        self._tab(a).charts[index].append(("title", title))

    def _activateSheet(self, a: dict[str, Any], position: int) -> None:  # noqa: N802
        self.active = position

    def _setScreenUpdating(self, a: dict[str, Any], on: bool) -> None:  # noqa: N802
        pass

    def _calculate(self, a: dict[str, Any]) -> None:
        pass

    def _alert(self, a: dict[str, Any], *args: object) -> None:
        self.alerts.append(list(args))
