"""A WritePlan as one list of ``spreadsheets.batchUpdate`` requests, or none when nothing changed.

Every sync-owned tab carries developer metadata ``dispatchbook`` (see :mod:`.diff`). A tab whose
layout is unchanged is patched: only the cells that differ from what was read (values) or from the
marker (row styles) are sent. Otherwise it is rewritten whole. Staff tabs created by the plan are
added only when absent. The builder also counts the cells the spreadsheet holds afterwards.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sync.backends.colourmap import MAP_TAB, map_sheet, merged_map
from sync.backends.gsheets.cells import canonical, cell_data, colour
from sync.backends.gsheets.colours import rule_requests
from sync.backends.gsheets.diff import PENDING, Mark, Marked, Patch, changes, mark_of, parse_mark
from sync.sheets import CellWrite, Chart, Grid, RowAppend, SheetGrid, WritePlan

MARK_KEY = "dispatchbook"
CELL_FIELDS = "userEnteredValue,userEnteredFormat,dataValidation,note"
PATCH_FIELDS = "userEnteredValue,userEnteredFormat,note"  # a patched tab keeps its dropdowns (same layout)
VALUE_FIELDS = "userEnteredValue,note"  # cells whose style (with a date's number format) stayed
METADATA_FIELDS = ("sheets(properties(sheetId,title,index,hidden,gridProperties),conditionalFormats,"
                   "charts(chartId),merges,developerMetadata(metadataId,metadataKey,metadataValue))")
BRIDGE_ROWS = 30  # an empty row ("{}, ") costs 4 bytes, another updateCells about 150
REPEAT_ROWS = 4  # a repeatCell costs about as much as listing three or four cells again
STAFF_MIN_SIZE = (1000, 26)  # a new staff tab gets the room of a new Google sheet
_ROW_PX, _COLUMN_PX = 21, 100


@dataclass(frozen=True)
class SheetState:
    """What the metadata request told about one tab."""

    sheet_id: int
    title: str
    hidden: bool
    size: tuple[int, int]
    frozen: tuple[int, int]
    charts: tuple[int, ...]
    merges: tuple[tuple[int, int, int, int], ...]  # merged blocks: first row, first column, last row, last column
    rules: tuple[dict[str, Any], ...]
    mark: tuple[int, str] | None  # (metadataId, fingerprint) when the sync owns the tab


def parse_metadata(meta: dict[str, Any]) -> dict[str, SheetState]:
    """Tabs by title, in tab order."""
    states = {}
    for sheet in sorted(meta.get("sheets", []), key=lambda s: s["properties"].get("index", 0)):
        props, grid = sheet["properties"], sheet["properties"].get("gridProperties", {})
        mark = next(((m["metadataId"], m.get("metadataValue", "")) for m in sheet.get("developerMetadata", [])
                     if m.get("metadataKey") == MARK_KEY), None)
        states[props["title"]] = SheetState(
            int(props.get("sheetId", 0)), props["title"], bool(props.get("hidden", False)),
            (int(grid.get("rowCount", 0)), int(grid.get("columnCount", 0))),
            (int(grid.get("frozenRowCount", 0)), int(grid.get("frozenColumnCount", 0))),
            tuple(c["chartId"] for c in sheet.get("charts", [])), tuple(_merge(m) for m in sheet.get("merges", [])),
            tuple(sheet.get("conditionalFormats", [])), mark)
    return states


def _merge(grid_range: dict[str, int]) -> tuple[int, int, int, int]:
    """A GridRange (end indexes exclusive) as inclusive (first row, first column, last row, last column)."""
    return (grid_range.get("startRowIndex", 0), grid_range.get("startColumnIndex", 0),
            grid_range.get("endRowIndex", 1) - 1, grid_range.get("endColumnIndex", 1) - 1)


def extent(sheet: SheetGrid) -> tuple[int, int]:
    """Rows and columns the tab needs: its cells, styles, dropdowns, charts and frozen panes."""
    rows = [len(sheet.rows)] + [r + 1 for r, _ in sheet.styles] + [v.last_row + 1 for v in sheet.validations]
    cols = [max((len(r) for r in sheet.rows), default=0), len(sheet.column_widths)]
    cols += [c + 1 for _, c in sheet.styles] + [v.column + 1 for v in sheet.validations]
    for chart in sheet.charts:
        rows.append(chart.anchor[0] + chart.size[1])
        cols.append(chart.anchor[1] + chart.size[0])
    if sheet.freeze:
        rows.append(sheet.freeze[0] + 1)
        cols.append(sheet.freeze[1] + 1)
    return max(rows + [1]), max(cols + [1])


def _row_count(sheet_id: int, rows: int) -> dict[str, Any]:
    return {"updateSheetProperties": {"properties": {"sheetId": sheet_id, "gridProperties": {"rowCount": rows}},
                                      "fields": "gridProperties.rowCount"}}


def _grid_range(sheet_id: int, r0: int, r1: int, c0: int, c1: int) -> dict[str, int]:
    return {"sheetId": sheet_id, "startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0, "endColumnIndex": c1}


def _rows(sheet: SheetGrid, rows: range, columns: range, *, whole: bool = False,
          formats: bool = True) -> list[dict[str, Any]]:
    """RowData of a block of the tab; trailing empty cells left out unless ``whole`` (every cell listed,
    for a request that clears only the cells it lists); without ``formats`` (for :data:`VALUE_FIELDS`)."""
    out = []
    for r in rows:
        line = sheet.rows[r] if r < len(sheet.rows) else []
        cells = [cell_data(line[c] if c < len(line) else None, sheet.styles.get((r, c))) for c in columns]
        if not formats:
            cells = [_value_only(cell) for cell in cells]
        while cells and not cells[-1] and not whole:
            cells.pop()
        out.append({"values": cells} if cells else {})
    return out


def _value_only(cell: dict[str, Any]) -> dict[str, Any]:
    """A CellData without its format."""
    return {k: v for k, v in cell.items() if k != "userEnteredFormat"} if "userEnteredFormat" in cell else cell


def _patch_requests(sheet: SheetGrid, sheet_id: int, patches: list[Patch]) -> list[dict[str, Any]]:
    """One updateCells per run of patches with the same columns and kind less than :data:`BRIDGE_ROWS`
    apart; the rows between are sent empty (``{}``), which a request with a start leaves as they are.
    Every cell of a patch is listed (a start is shorter than a range). In a run of one column, at least
    :data:`REPEAT_ROWS` consecutive equal cells (tasks that turned the same colour) go in one repeatCell."""
    runs: dict[tuple[int, int, bool], list[list[Patch]]] = {}
    for p in sorted(patches, key=lambda p: p.first):
        same = runs.setdefault((p.start, p.stop, p.styled), [])
        if same and p.first - same[-1][-1].last - 1 <= BRIDGE_ROWS:
            same[-1].append(p)
        else:
            same.append([p])
    out = []
    for run in sorted((run for group in runs.values() for run in group), key=lambda run: run[0].first):
        first = run[0]
        fields = PATCH_FIELDS if first.styled else VALUE_FIELDS
        cells: dict[int, dict[str, Any]] = {}
        for p in run:
            span = range(p.first, p.last + 1)
            cells.update(zip(span, _rows(sheet, span, range(p.start, p.stop), whole=True, formats=p.styled), strict=True))
        if first.stop - first.start == 1:
            for r0, r1 in _equal_runs(cells):
                out.append({"repeatCell": {"range": _grid_range(sheet_id, r0, r1, first.start, first.stop),
                                           "cell": cells[r0]["values"][0], "fields": fields}})
                for r in range(r0, r1):
                    del cells[r]
        if cells:
            top = min(cells)
            rows = [cells.get(r, {}) for r in range(top, max(cells) + 1)]
            out.append({"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": top, "columnIndex": first.start},
                                        "rows": rows, "fields": fields}})
    return out


def _equal_runs(cells: dict[int, dict[str, Any]]) -> list[tuple[int, int]]:
    """The row ranges [r0, r1) of at least :data:`REPEAT_ROWS` consecutive rows with equal cells."""
    found, start = [], None
    rows = sorted(cells)
    for i, r in enumerate(rows):
        if start is None:
            start = r
        ends = i + 1 == len(rows) or rows[i + 1] != r + 1 or cells[rows[i + 1]] != cells[start]
        if ends:
            if r + 1 - start >= REPEAT_ROWS:
                found.append((start, r + 1))
            start = None
    return found


def _widths(sheet: SheetGrid, sheet_id: int) -> Iterable[dict[str, Any]]:
    """Column widths (characters, like Excel) in pixels, one request per run of equal widths."""
    start = 0
    for i in range(1, len(sheet.column_widths) + 1):
        if i == len(sheet.column_widths) or sheet.column_widths[i] != sheet.column_widths[start]:
            yield {"updateDimensionProperties": {
                "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": start, "endIndex": i},
                "properties": {"pixelSize": round(sheet.column_widths[start] * 7 + 5)}, "fields": "pixelSize"}}
            start = i


def _chart(chart: Chart, sheet: SheetGrid, sheet_id: int) -> dict[str, Any]:
    """A native bar/column chart; series names come from the header row above the data when it holds them."""
    first = chart.categories[0]
    named = first > 0 and all(s.values[0] == first and s.values[2] < len(sheet.rows[first - 1]) and
                              sheet.rows[first - 1][s.values[2]] == s.name for s in chart.series)
    top = first - 1 if named else first

    def source(r0: int, r1: int, col: int) -> dict[str, Any]:
        return {"sourceRange": {"sources": [_grid_range(sheet_id, r0, r1 + 1, col, col + 1)]}}

    widths = sheet.column_widths
    width = sum(round((widths[c] if c < len(widths) else 0) * 7 + 5) or _COLUMN_PX
                for c in range(chart.anchor[1], chart.anchor[1] + chart.size[0]))
    spec = {"title": chart.title, "basicChart": {
        "chartType": "BAR" if chart.kind == "bar" else "COLUMN", "legendPosition": "BOTTOM_LEGEND",
        "stackedType": "STACKED" if chart.stacked else "NOT_STACKED", "headerCount": 1 if named else 0,
        "domains": [{"domain": source(top, chart.categories[1], chart.categories[2])}],
        "series": [{"series": source(top, s.values[1], s.values[2]), "targetAxis":
                    "BOTTOM_AXIS" if chart.kind == "bar" else "LEFT_AXIS",
                    "colorStyle": {"rgbColor": colour(s.colour)}} for s in chart.series]}}
    position = {"overlayPosition": {"anchorCell": {"sheetId": sheet_id, "rowIndex": chart.anchor[0],
                                                   "columnIndex": chart.anchor[1]},
                                    "widthPixels": width, "heightPixels": chart.size[1] * _ROW_PX}}
    return {"addChart": {"chart": {"spec": spec, "position": position}}}


class _Builder:
    def __init__(self, states: dict[str, SheetState], values: dict[str, Grid]) -> None:
        self.states, self.values = states, values
        self.taken = {s.sheet_id for s in states.values()}
        self.created: dict[str, int] = {}
        self.marked: set[int] = set()  # new tabs given a marker in this write
        self.requests: list[dict[str, Any]] = []

    def sheet_id(self, title: str) -> int:
        if title in self.states:
            return self.states[title].sheet_id
        if title in self.created:
            return self.created[title]
        raise ValueError(f"the plan writes to tab {title!r}, which neither exists nor is created")

    def new_id(self, title: str) -> int:
        """A sheet ID derived from the title, so the same plan always makes the same requests."""
        candidate = zlib.crc32(title.encode()) & 0x7FFFFFFF or 1
        while candidate in self.taken:
            candidate = candidate % 0x7FFFFFFE + 1
        self.taken.add(candidate)
        self.created[title] = candidate
        return candidate

    def patchable(self, sheet: SheetGrid, size: tuple[int, int], old: Mark, new: Mark) -> bool:
        """Whether the tab can be patched in place: same layout, same width, styles known or unchanged."""
        state = self.states[sheet.name]
        return (old.layout == new.layout and state.hidden == sheet.hidden and state.size[1] == size[1]
                and state.frozen == (sheet.freeze or (0, 0)) and len(state.charts) == len(sheet.charts)
                and not state.merges and sheet.name in self.values
                and (old.rows is not None or old.styles == new.styles))

    def patch(self, sheet: SheetGrid, size: tuple[int, int], state: SheetState, old: Mark, new: Mark,
              marked: Marked) -> bool:
        """Move the rows that only moved, rewrite the cells that differ; the grid grows before and shrinks after.
        False (nothing done) when rows would move on a tab with dropdowns, which would move with them.

        When rows move or styles change, the marker is first set to one no later sync can patch from, so
        a write cut short between two bodies is followed by a full rewrite of the tab, not a wrong patch."""
        sid, width = state.sheet_id, size[1]
        found = changes(self.values[sheet.name], sheet, old.rows or marked.rows, marked, (state.size[0], size[0]), width)
        if found.moves and sheet.validations:
            return False
        remark = bool(found.moves) or state.mark is None or state.mark[1] != marked.text
        if remark:
            self.mark(sid, PENDING, state)
        if size[0] > state.size[0]:
            self.requests.append(_row_count(sid, size[0]))
        self.requests += [{"copyPaste": {"source": _grid_range(sid, m.source, m.source + m.count, 0, width),
                                         "destination": _grid_range(sid, m.target, m.target + m.count, 0, width)}}
                             for m in found.moves]  # pasteType PASTE_NORMAL (the default): values and formats
        self.requests += _patch_requests(sheet, sid, found.patches)
        if size[0] < state.size[0]:
            self.requests.append(_row_count(sid, size[0]))
        if old.widths != new.widths:
            self.requests += list(_widths(sheet, sid))
        if remark:
            self.mark(sid, marked.text, state)
        return True

    def write(self, sheet: SheetGrid, *, owned: bool, after: str | None = None) -> None:
        """Add or replace one tab (a sync-owned tab is patched when it can be); a new tab goes right after
        the tab ``after`` when it exists."""
        state = self.states.get(sheet.name)
        if not owned and state is not None:
            return
        size = grid_size(sheet, owned=owned)
        marked = mark_of(sheet, size[0]) if owned else None
        if marked is not None and state is not None and state.mark is not None:
            old, new = parse_mark(state.mark[1]), parse_mark(marked.text)
            if (old is not None and new is not None and self.patchable(sheet, size, old, new)
                    and self.patch(sheet, size, state, old, new, marked)):
                return
        grid = {"rowCount": size[0], "columnCount": size[1], "frozenRowCount": (sheet.freeze or (0, 0))[0],
                "frozenColumnCount": (sheet.freeze or (0, 0))[1]}
        if state is None:
            sid = self.new_id(sheet.name)
            place = {"index": list(self.states).index(after) + 1} if after in self.states else {}
            self.requests.append({"addSheet": {"properties": {
                "sheetId": sid, "title": sheet.name, "hidden": sheet.hidden, "gridProperties": grid, **place}}})
            if owned:  # the tab is the sync's from the start, even if the write stops before its cells
                self.mark(sid, PENDING, None)
        else:
            sid = state.sheet_id
            if owned and state.mark is not None:
                self.mark(sid, PENDING, state)  # until the tab is whole again (see patch)
            if state.merges:
                self.requests.append({"unmergeCells": {"range": {"sheetId": sid}}})
            self.requests += [{"deleteEmbeddedObject": {"objectId": c}} for c in state.charts]
            self.requests.append({"updateSheetProperties": {
                "properties": {"sheetId": sid, "hidden": sheet.hidden, "gridProperties": grid},
                "fields": "hidden,gridProperties(rowCount,columnCount,frozenRowCount,frozenColumnCount)"}})
        self.requests.append({"updateCells": {"range": _grid_range(sid, 0, size[0], 0, size[1]),
                                              "rows": _rows(sheet, range(size[0]), range(size[1])),
                                              "fields": CELL_FIELDS}})
        self.requests += [{"setDataValidation": {
            "range": _grid_range(sid, v.first_row, v.last_row + 1, v.column, v.column + 1),
            "rule": {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": x} for x in v.values]},
                     "strict": True, "showCustomUi": True}}} for v in sheet.validations]
        self.requests += list(_widths(sheet, sid))
        self.requests += [_chart(c, sheet, sid) for c in sheet.charts]
        if marked is not None:
            self.mark(sid, marked.text, state)

    def mark(self, sheet_id: int, mark: str, state: SheetState | None) -> None:
        """Set the tab's marker: update the one it has or was given earlier in this write, else create it."""
        if state is not None and state.mark is not None:
            lookup: dict[str, Any] = {"metadataId": state.mark[0]}
        elif sheet_id in self.marked:
            lookup = {"metadataKey": MARK_KEY, "metadataLocation": {"sheetId": sheet_id}}
        else:
            self.marked.add(sheet_id)
            self.requests.append({"createDeveloperMetadata": {"developerMetadata": {
                "metadataKey": MARK_KEY, "metadataValue": mark, "location": {"sheetId": sheet_id},
                "visibility": "DOCUMENT"}}})
            return
        self.requests.append({"updateDeveloperMetadata": {
            "dataFilters": [{"developerMetadataLookup": lookup}],
            "developerMetadata": {"metadataValue": mark}, "fields": "metadataValue"}})


class TooManyCells(Exception):
    """The spreadsheet would hold more cells than ``limit`` after the write."""

    def __init__(self, cells: int, limit: int) -> None:
        super().__init__(f"{cells} cells > {limit}")
        self.cells, self.limit = cells, limit


def grid_size(sheet: SheetGrid, *, owned: bool) -> tuple[int, int]:
    """The grid a tab is written with: what it needs, and a new staff tab the room of a new Google sheet."""
    size = extent(sheet)
    return size if owned else (max(size[0], STAFF_MIN_SIZE[0]), max(size[1], STAFF_MIN_SIZE[1]))


def cells_after(tabs: list[tuple[SheetGrid, bool]], appends: list[RowAppend], states: dict[str, SheetState],
                values: dict[str, Grid]) -> int:
    """Cells of every grid once ``tabs`` (sheet, owned) are written and ``appends`` made; computed from the
    sizes alone, before any request is built."""
    sizes = {title: state.size for title, state in states.items()}
    for sheet, owned in tabs:
        if owned or sheet.name not in states:
            sizes[sheet.name] = grid_size(sheet, owned=owned)
    for append in appends:
        if append.rows and append.tab in sizes:  # appended rows grow the grid past its last used row
            rows, columns = sizes[append.tab]
            width = max(max(row, default=-1) for row in append.rows) + 1
            sizes[append.tab] = (max(rows, len(values.get(append.tab) or []) + len(append.rows)), max(columns, width))
    return sum(rows * columns for rows, columns in sizes.values())


def build_requests(plan: WritePlan, states: dict[str, SheetState], values: dict[str, Grid],
                   cell_limit: int | None = None) -> list[dict[str, Any]]:
    """The batchUpdate requests that carry out ``plan`` on a spreadsheet in state (``states``, ``values``);
    :class:`TooManyCells`, before any request is built, when the result would pass ``cell_limit``."""
    tabs = [(sheet, True) for sheet in plan.owned] + [(sheet, False) for sheet in plan.created]
    if plan.colours:
        new_tabs = {sheet.name for sheet, _ in tabs}
        tabs.append((map_sheet(merged_map(values.get(MAP_TAB), plan.colours, plan.palette, set(states) | new_tabs)),
                     True))
    if cell_limit is not None and (cells := cells_after(tabs, plan.appends, states, values)) > cell_limit:
        raise TooManyCells(cells, cell_limit)
    builder = _Builder(states, values)
    for sheet, owned in tabs:
        builder.write(sheet, owned=owned, after=None if owned else plan.beside)
    for append in plan.appends:
        if not append.rows:
            continue
        width = max(max(row, default=-1) for row in append.rows) + 1
        rows = [{"values": [cell_data(row.get(c), append.styles.get(c)) for c in range(width)]}
                for row in append.rows]
        # only the number format: rows staff pre-formatted keep their fill, borders and font
        builder.requests.append({"appendCells": {"sheetId": builder.sheet_id(append.tab), "rows": rows,
                                                 "fields": "userEnteredValue,userEnteredFormat.numberFormat"}})
    for edit in plan.cells:
        builder.requests += _cell_requests(edit, builder.sheet_id(edit.tab), values.get(edit.tab, []))
    for colours in plan.colours:
        sid = builder.sheet_id(colours.tab)
        existing = list(states[colours.tab].rules) if colours.tab in states else []
        builder.requests += rule_requests(colours, plan, sid, existing)
    return builder.requests


def _cell_requests(edit: CellWrite, sheet_id: int, read: Grid) -> list[dict[str, Any]]:
    """One updateCells per cell that differs from what was read; only the value and (for dates and
    the plan's formats) the number format are set, so staff's fill, borders and font stay."""
    requests = []
    for (r, c), value in sorted(edit.cells.items()):
        before = read[r][c] if r < len(read) and c < len(read[r]) else None
        if canonical(before) == canonical(value):
            continue
        data = cell_data(value, edit.styles.get(c))
        fmt = data.get("userEnteredFormat", {}).get("numberFormat")
        data = {"userEnteredValue": data["userEnteredValue"]} if "userEnteredValue" in data else {}
        fields = "userEnteredValue"
        if fmt and data:
            data["userEnteredFormat"] = {"numberFormat": fmt}
            fields += ",userEnteredFormat.numberFormat"
        requests.append({"updateCells": {"range": _grid_range(sheet_id, r, r + 1, c, c + 1),
                                         "rows": [{"values": [data]}], "fields": fields}})
    return requests


def request_tabs(requests: list[dict[str, Any]], states: dict[str, SheetState]) -> list[str]:
    """The tabs a batch of requests touches, in order (what a dry run reports as changing)."""
    titles = {s.sheet_id: s.title for s in states.values()}
    for request in requests:
        if props := request.get("addSheet", {}).get("properties"):
            titles[props["sheetId"]] = props["title"]
    touched: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "sheetId" and value in titles:
                    touched.append(titles[value])
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(requests)
    return list(dict.fromkeys(touched))
