"""The stand-in's state: spreadsheets, their sheets and cells, as the Sheets API models them."""

from __future__ import annotations

import copy
import pickle
import random
from dataclasses import dataclass, field, replace
from typing import Any

from . import cells as C
from .a1 import Box, RangeError, format_range, parse_cells, split_title
from .errors import ApiError, unparsable_range
from .formula import CellError, FormulaError, evaluate, shift_rows

DEFAULT_ROWS, DEFAULT_COLUMNS = 1000, 26

_WHITE = {"red": 1, "green": 1, "blue": 1}
_THEME = [("TEXT", {}), ("BACKGROUND", _WHITE),
          ("ACCENT1", {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}),
          ("ACCENT2", {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}),
          ("ACCENT3", {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}),
          ("ACCENT4", {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}),
          ("ACCENT5", {"red": 1, "green": 0.42745098, "blue": 0.003921569}),
          ("ACCENT6", {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}),
          ("LINK", {"red": 0.06666667, "green": 0.33333334, "blue": 0.8})]
# What a new spreadsheet's properties hold besides its title (as the real API reports them).
DEFAULT_PROPERTIES: dict[str, Any] = {
    "locale": "en_US", "autoRecalc": "ON_CHANGE", "timeZone": "Etc/GMT",
    "defaultFormat": {
        "backgroundColor": _WHITE, "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
        "verticalAlignment": "BOTTOM", "wrapStrategy": "OVERFLOW_CELL",
        "textFormat": {"foregroundColor": {}, "fontFamily": "arial,sans,sans-serif", "fontSize": 10,
                       "bold": False, "italic": False, "strikethrough": False, "underline": False,
                       "foregroundColorStyle": {"rgbColor": {}}},
        "backgroundColorStyle": {"rgbColor": _WHITE}},
    "spreadsheetTheme": {"primaryFontFamily": "Arial",
                         "themeColors": [{"colorType": t, "color": {"rgbColor": c}} for t, c in _THEME]},
}


@dataclass
class Sheet:
    properties: dict[str, Any]
    cells: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)  # (row, col) -> CellData
    conditional_formats: list[dict[str, Any]] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)
    merges: list[dict[str, Any]] = field(default_factory=list)
    rows_meta: dict[int, dict[str, Any]] = field(default_factory=dict)
    columns_meta: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def sheet_id(self) -> int:
        return int(self.properties["sheetId"])

    @property
    def title(self) -> str:
        return str(self.properties["title"])

    @property
    def size(self) -> tuple[int, int]:
        grid = self.properties["gridProperties"]
        return int(grid["rowCount"]), int(grid["columnCount"])

    def resize(self, rows: int, cols: int) -> None:
        """Set the grid size; cells outside the new grid are gone."""
        self.properties["gridProperties"].update(rowCount=rows, columnCount=cols)
        self.cells = {(r, c): v for (r, c), v in self.cells.items() if r < rows and c < cols}

    def has_value(self, row: int, col: int) -> bool:
        return "userEnteredValue" in self.cells.get((row, col), {})

    def last_row_with_data(self) -> int:
        """0-based index of the last row holding a value, -1 when the sheet is empty."""
        return max((r for (r, c), cell in self.cells.items() if "userEnteredValue" in cell), default=-1)


@dataclass
class Spreadsheet:
    spreadsheet_id: str
    properties: dict[str, Any]
    sheets: list[Sheet]
    created: str
    modified: str
    developer_metadata: list[dict[str, Any]] = field(default_factory=list)
    shared_with: set[str] | None = None  # accounts allowed in; None = every account
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    _evaluating: set[tuple[int, int, int]] = field(default_factory=set, repr=False)

    def fork(self, sheet_ids: set[int] | None = None) -> Spreadsheet:
        """A copy to apply a write to, keeping this one as it was: sheets in ``sheet_ids`` (every sheet
        when None) are copied whole; the others share their cells, which such a write does not touch."""
        def sheet_copy(sheet: Sheet) -> Sheet:
            if sheet_ids is None or sheet.sheet_id in sheet_ids:
                copied: Sheet = pickle.loads(pickle.dumps(sheet, pickle.HIGHEST_PROTOCOL))  # deepcopy, faster
                return copied
            return replace(sheet, properties=copy.deepcopy(sheet.properties))
        return replace(self, properties=copy.deepcopy(self.properties), sheets=[sheet_copy(s) for s in self.sheets],
                       developer_metadata=copy.deepcopy(self.developer_metadata), rng=copy.deepcopy(self.rng),
                       shared_with=copy.copy(self.shared_with), _evaluating=set())

    # ---- sheets --------------------------------------------------------------------------

    def sheet(self, title: str) -> Sheet | None:
        return next((s for s in self.sheets if s.title == title), None) or \
            next((s for s in self.sheets if s.title.lower() == title.lower()), None)

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def new_id(self, taken: set[int]) -> int:
        while True:
            candidate = self.rng.randrange(1, 2**31 - 1)
            if candidate not in taken:
                return candidate

    def reindex(self) -> None:
        for i, sheet in enumerate(self.sheets):
            sheet.properties["index"] = i

    # ---- ranges --------------------------------------------------------------------------

    def resolve(self, text: str) -> tuple[Sheet, Box]:
        """An A1 range (``'Sheet 1'!A1:B2``, ``Sheet1``, ``A1:B2`` on the first sheet) -> (sheet, box)."""
        try:
            title, cells = split_title(text)
        except RangeError:
            raise unparsable_range(text) from None
        if title is None:
            sheet = self.sheet(text)
            if sheet is not None:
                return sheet, Box()
            title = self.sheets[0].title
        sheet = self.sheet(title)
        if sheet is None:
            raise unparsable_range(text)
        if cells is None:
            return sheet, Box()
        try:
            return sheet, parse_cells(cells)
        except RangeError:
            raise unparsable_range(text) from None

    def clamp(self, sheet: Sheet, box: Box, text: str) -> tuple[int, int, int, int]:
        """Concrete bounds of ``box`` on the grid; a start outside the grid is an error."""
        rows, cols = sheet.size
        r0, c0, r1, c1 = box.bound(rows, cols)
        if r0 >= rows or c0 >= cols:
            raise exceeds(text, rows, cols)
        return r0, c0, min(r1, rows), min(c1, cols)

    def grid_range(self, where: str, grid_range: dict[str, Any]) -> tuple[Sheet, tuple[int, int, int, int]]:
        """A GridRange object -> (sheet, bounds), checked against the grid like the API does."""
        sheet = self.sheet_by_id(int(grid_range.get("sheetId", 0)))
        if sheet is None:
            raise ApiError(400, f"Invalid {where}: No grid with id: {grid_range.get('sheetId', 0)}")
        rows, cols = sheet.size
        r0, c0 = int(grid_range.get("startRowIndex", 0)), int(grid_range.get("startColumnIndex", 0))
        r1, c1 = int(grid_range.get("endRowIndex", rows)), int(grid_range.get("endColumnIndex", cols))
        if r1 > rows or c1 > cols or r0 < 0 or c0 < 0:
            text = format_range(sheet.title, r0, c0, max(r1, r0 + 1), max(c1, c0 + 1))
            raise ApiError(400, f"Invalid {where}: Range ({text}) exceeds grid limits. "
                                f"Max rows: {rows}, max columns: {cols}")
        return sheet, (r0, c0, r1, c1)

    # ---- values --------------------------------------------------------------------------

    def effective(self, sheet: Sheet, row: int, col: int) -> Any:
        """The value a cell shows before formatting: its number/string/bool or its formula's result."""
        entered = sheet.cells.get((row, col), {}).get("userEnteredValue")
        if not entered:
            return None
        if "formulaValue" in entered:
            key = (sheet.sheet_id, row, col)
            if key in self._evaluating:
                return CellError("#REF!")
            self._evaluating.add(key)
            try:
                return evaluate(entered["formulaValue"], SheetContext(self, sheet))
            finally:
                self._evaluating.discard(key)
        return next(iter(entered.values()))

    def render(self, sheet: Sheet, row: int, col: int, value_option: str, date_option: str) -> Any:
        """A cell as values.get returns it for the given render options; None when empty."""
        cell = sheet.cells.get((row, col), {})
        entered = cell.get("userEnteredValue")
        if not entered:
            return None
        if value_option == "FORMULA" and "formulaValue" in entered:
            return entered["formulaValue"]
        value = self.effective(sheet, row, col)
        number_format = cell.get("userEnteredFormat", {}).get("numberFormat")
        if isinstance(value, CellError):
            return value.code
        if isinstance(value, bool):
            return value if value_option != "FORMATTED_VALUE" else ("TRUE" if value else "FALSE")
        if isinstance(value, int | float):
            if value_option == "FORMATTED_VALUE" or \
                    (C.is_date_format(number_format) and date_option == "FORMATTED_STRING"):
                return C.format_number(value, number_format)
            return C.json_number(value)
        return value

    def values(self, sheet: Sheet, bounds: tuple[int, int, int, int], value_option: str,
               date_option: str, major: str = "ROWS") -> list[list[Any]]:
        """Rendered values of a rectangle, trimmed like the API (no trailing empty cells or rows)."""
        r0, c0, r1, c1 = bounds
        grid = [[self.render(sheet, r, c, value_option, date_option) for c in range(c0, c1)]
                for r in range(r0, r1)]
        if major == "COLUMNS":
            grid = [list(col) for col in zip(*grid, strict=True)] if grid else []
        out = []
        for line in grid:
            while line and line[-1] is None:
                line.pop()
            out.append(["" if v is None else v for v in line])
        while out and not out[-1]:
            out.pop()
        return out

    # ---- resources -----------------------------------------------------------------------

    def resource(self, *, grid_ranges: list[tuple[Sheet, tuple[int, int, int, int]]] | None = None,
                 include_grid: bool = False) -> dict[str, Any]:
        """The Spreadsheet resource spreadsheets.get answers (grid data when asked for)."""
        sheets = []
        wanted = [s for s, _ in grid_ranges] if grid_ranges else self.sheets
        for sheet in [s for i, s in enumerate(wanted) if all(s is not t for t in wanted[:i])]:
            item: dict[str, Any] = {"properties": copy.deepcopy(sheet.properties)}
            if grid_ranges or include_grid:
                boxes = [b for s, b in grid_ranges if s is sheet] if grid_ranges else \
                    [(0, 0, *sheet.size)]
                item["data"] = [self.grid_data(sheet, b) for b in boxes]
            for key, value in (("merges", sheet.merges), ("conditionalFormats", sheet.conditional_formats),
                               ("charts", sheet.charts),
                               ("developerMetadata", self.metadata_on(sheet.sheet_id))):
                if value:
                    item[key] = copy.deepcopy(value)
            sheets.append(item)
        out: dict[str, Any] = {"spreadsheetId": self.spreadsheet_id,
                               "properties": copy.deepcopy(self.properties), "sheets": sheets}
        spreadsheet_level = self.metadata_on(None)
        if spreadsheet_level:
            out["developerMetadata"] = copy.deepcopy(spreadsheet_level)
        out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit"
        return out

    def grid_data(self, sheet: Sheet, bounds: tuple[int, int, int, int]) -> dict[str, Any]:
        r0, c0, r1, c1 = bounds
        rows = []
        for r in range(r0, r1):
            line = []
            for c in range(c0, c1):
                cell = copy.deepcopy(sheet.cells.get((r, c), {}))
                if "userEnteredValue" in cell:
                    value = self.effective(sheet, r, c)
                    cell["effectiveValue"] = {"errorValue": {"type": "ERROR", "message": value.code}} \
                        if isinstance(value, CellError) else (C.typed_value(value)[0] or {"stringValue": ""})
                    cell["formattedValue"] = str(self.render(sheet, r, c, "FORMATTED_VALUE", "FORMATTED_STRING"))
                line.append(cell)
            while line and not line[-1]:
                line.pop()
            rows.append({"values": line} if line else {})
        data: dict[str, Any] = {"rowData": rows}
        if r0:
            data["startRow"] = r0
        if c0:
            data["startColumn"] = c0
        return data

    def metadata_on(self, sheet_id: int | None) -> list[dict[str, Any]]:
        return [m for m in self.developer_metadata if m["location"].get("sheetId") == sheet_id]


class SheetContext:
    """How formulas of one sheet see cells (their own sheet when a reference names none)."""

    def __init__(self, book: Spreadsheet, sheet: Sheet) -> None:
        self.book, self.sheet = book, sheet

    def cells(self, title: str | None, box: Box) -> list[list[Any]]:
        sheet = self.sheet if title is None else self.book.sheet(title)
        if sheet is None:
            raise FormulaError("#REF!")
        rows, cols = sheet.size
        r0, c0, r1, c1 = box.bound(rows, cols)
        r1 = min(r1, rows)
        c1 = min(c1, cols)
        last = min(r1, sheet.last_row_with_data() + 1) if box.row1 is None else r1
        grid = [[self.book.effective(sheet, r, c) for c in range(c0, c1)] for r in range(r0, last)]
        return grid + [[None] * (c1 - c0) for _ in range(last, r1)] if box.row1 is not None else grid


def insert_rows(sheet: Sheet, at: int, count: int) -> None:
    """Insert ``count`` empty rows before row ``at``: cells, rules, merges and formulas move down."""
    if count <= 0:
        return
    sheet.cells = {(r + count if r >= at else r, c): v for (r, c), v in sheet.cells.items()}
    sheet.rows_meta = {(r + count if r >= at else r): v for r, v in sheet.rows_meta.items()}
    sheet.properties["gridProperties"]["rowCount"] = sheet.size[0] + count
    for cell in sheet.cells.values():
        entered = cell.get("userEnteredValue", {})
        if "formulaValue" in entered:
            entered["formulaValue"] = shift_rows(entered["formulaValue"], sheet.title, at, count)
    for rule in sheet.conditional_formats:
        for grid_range in rule.get("ranges", []):
            _shift_range(grid_range, at, count)
        for value in rule.get("booleanRule", {}).get("condition", {}).get("values", []):
            if str(value.get("userEnteredValue", "")).startswith("="):
                value["userEnteredValue"] = shift_rows(value["userEnteredValue"], sheet.title, at, count)
    for merge in sheet.merges:
        _shift_range(merge, at, count)


def _shift_range(grid_range: dict[str, Any], at: int, count: int) -> None:
    start = grid_range.get("startRowIndex", 0)
    if start >= at and "startRowIndex" in grid_range:
        grid_range["startRowIndex"] = start + count
    if "endRowIndex" in grid_range and grid_range["endRowIndex"] > at:
        grid_range["endRowIndex"] += count


def exceeds(text: str, rows: int, cols: int) -> ApiError:
    return ApiError(400, f"Range ({text}) exceeds grid limits. Max rows: {rows}, max columns: {cols}")
