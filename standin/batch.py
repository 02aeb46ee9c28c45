"""``spreadsheets.batchUpdate``: the request kinds the stand-in implements, applied all-or-nothing.

A request kind the real API does not have is a 400 with the API's "Unknown name" body; a real
kind the stand-in does not implement is a 501 naming it, so a test never passes by accident.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cmp_to_key
from typing import Any

from . import cells as C
from .errors import ApiError, bad_request, unknown_field
from .fields import MaskError, Path, apply_mask, parse_mask
from .model import DEFAULT_COLUMNS, DEFAULT_ROWS, Sheet, Spreadsheet, insert_rows

Request = dict[str, Any]
Handler = Callable[[Spreadsheet, Request, str], dict[str, Any]]

# Request kinds of the real API (google.apps.sheets.v4.Request) that the stand-in leaves out.
_REAL_KINDS = frozenset("""updateNamedRange addNamedRange deleteNamedRange autoFill cutPaste updateBorders
addFilterView clearBasicFilter deleteDimension deleteFilterView duplicateFilterView duplicateSheet findReplace
insertRange moveDimension updateEmbeddedObjectPosition pasteData textToColumns updateFilterView deleteRange
appendDimension updateConditionalFormatRule setBasicFilter addProtectedRange updateProtectedRange
deleteProtectedRange autoResizeDimensions updateChartSpec updateBanding addBanding deleteBanding
deleteDeveloperMetadata randomizeRange addDimensionGroup deleteDimensionGroup updateDimensionGroup trimWhitespace
deleteDuplicates updateEmbeddedObjectBorder addSlicer updateSlicerSpec addDataSource updateDataSource
deleteDataSource refreshDataSource cancelDataSourceRefresh addTable updateTable deleteTable""".split())
_CELL_FIELDS = ("userEnteredValue", "userEnteredFormat", "note", "dataValidation", "textFormatRuns")
_VALUE_KINDS = ("stringValue", "numberValue", "boolValue", "formulaValue")


def apply(book: Spreadsheet, body: dict[str, Any]) -> list[dict[str, Any]]:
    """Apply every request to ``book`` in order and return the replies (the caller keeps atomicity)."""
    for key in body:
        if key not in ("requests", "includeSpreadsheetInResponse", "responseRanges", "responseIncludeGridData"):
            raise unknown_field(key)
    replies = []
    for i, request in enumerate(body.get("requests") or []):
        if len(request) != 1:
            names = list(request)
            raise bad_request(f"Invalid value at 'requests[{i}]' (oneof), oneof field 'kind' is already set. "
                              f"Cannot set '{names[-1]}'" if names else f"Invalid requests[{i}]: No request set.")
        kind, args = next(iter(request.items()))
        if kind not in HANDLERS:
            if kind in _REAL_KINDS:
                raise ApiError(501, f"The stand-in does not implement requests[{i}].{kind}.")
            raise unknown_field(kind, f"requests[{i}]")
        handler, allowed = HANDLERS[kind]
        for key in args:
            if key not in allowed:
                raise unknown_field(key, f"requests[{i}].{kind}")
        replies.append(handler(book, args, f"requests[{i}].{kind}"))
    return replies


def _mask(args: Request, where: str) -> list[Path]:
    if not args.get("fields"):
        raise bad_request(f"Invalid {where}: At least one field must be specified.")
    try:
        return parse_mask(args["fields"])
    except MaskError:
        raise bad_request(f"Invalid {where}: Invalid field mask: {args['fields']}") from None


def _sheet(book: Spreadsheet, sheet_id: Any, where: str) -> Sheet:
    sheet = book.sheet_by_id(int(sheet_id or 0))
    if sheet is None:
        raise bad_request(f"Invalid {where}: No grid with id: {sheet_id or 0}")
    return sheet


# ---- sheets and the spreadsheet ---------------------------------------------------------------

def _ordered_properties(props: dict[str, Any]) -> dict[str, Any]:
    order = ("sheetId", "title", "index", "sheetType", "gridProperties", "hidden", "tabColor", "tabColorStyle",
             "rightToLeft")
    return {k: props[k] for k in order if k in props} | {k: v for k, v in props.items() if k not in order}


def _check_title(book: Spreadsheet, title: str, where: str, own: Sheet | None = None) -> None:
    clash = book.sheet(title)
    if clash is not None and clash is not own and clash.title.lower() == title.lower():
        raise bad_request(f'Invalid {where}: A sheet with the name "{title}" already exists. '
                          "Please enter another name.")


def _check_grid(book: Spreadsheet, sheet: Sheet, where: str) -> None:
    grid = sheet.properties["gridProperties"]
    rows, cols = int(grid.get("rowCount", 0)), int(grid.get("columnCount", 0))
    if rows < 1 or cols < 1:
        raise bad_request(f"Invalid {where}: Grid must have at least one row and one column.")
    if int(grid.get("frozenRowCount", 0)) >= rows:
        raise bad_request(f"Invalid {where}: You can't freeze all visible rows on the sheet.")
    if int(grid.get("frozenColumnCount", 0)) >= cols:
        raise bad_request(f"Invalid {where}: You can't freeze all visible columns on the sheet.")
    for key in ("frozenRowCount", "frozenColumnCount"):
        if grid.get(key) == 0:
            del grid[key]
    if sheet.properties.get("hidden") is False:
        del sheet.properties["hidden"]
    if all(s.properties.get("hidden") for s in book.sheets):
        raise bad_request(f"Invalid {where}: You can't hide all the sheets in a document.")


def add_sheet(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    props = copy.deepcopy(args.get("properties", {}))
    taken = {s.sheet_id for s in book.sheets}
    if "sheetId" in props and int(props["sheetId"]) in taken:
        raise bad_request(f"Invalid {where}: Sheet with id {props['sheetId']} already exists.")
    props.setdefault("sheetId", book.new_id(taken))
    if "title" not in props:
        n = len(book.sheets) + 1
        while book.sheet(f"Sheet{n}"):
            n += 1
        props["title"] = f"Sheet{n}"
    _check_title(book, props["title"], where)
    props.setdefault("sheetType", "GRID")
    props["gridProperties"] = {"rowCount": DEFAULT_ROWS, "columnCount": DEFAULT_COLUMNS} | \
        props.get("gridProperties", {})
    index = min(int(props.get("index", len(book.sheets))), len(book.sheets))
    C.normalise_sheet_properties(props)
    sheet = Sheet(_ordered_properties(props))
    book.sheets.insert(index, sheet)
    book.reindex()
    sheet.properties = _ordered_properties(sheet.properties)
    _check_grid(book, sheet, where)
    return {"addSheet": {"properties": copy.deepcopy(sheet.properties)}}


def delete_sheet(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    sheet = _sheet(book, args.get("sheetId"), where)
    if len(book.sheets) == 1:
        raise bad_request(f"Invalid {where}: You can't remove all the sheets in a document.")
    book.sheets.remove(sheet)
    book.developer_metadata = [m for m in book.developer_metadata if m["location"].get("sheetId") != sheet.sheet_id]
    book.reindex()
    if all(s.properties.get("hidden") for s in book.sheets):
        raise bad_request(f"Invalid {where}: You can't remove all the visible sheets in a document.")
    return {}


def update_sheet_properties(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    given = args.get("properties", {})
    sheet = _sheet(book, given.get("sheetId"), where)
    props = copy.deepcopy(sheet.properties)
    apply_mask(props, given, _mask(args, where))
    props["sheetId"] = sheet.sheet_id
    if props.get("title") != sheet.title:
        _check_title(book, props.get("title", ""), where, own=sheet)
    C.normalise_sheet_properties(props)
    rows, cols = sheet.size
    sheet.properties = _ordered_properties(props)
    grid = sheet.properties.setdefault("gridProperties", {})
    grid.setdefault("rowCount", rows)
    grid.setdefault("columnCount", cols)
    sheet.resize(int(grid["rowCount"]), int(grid["columnCount"]))
    index = int(props.get("index", sheet.properties["index"]))
    book.sheets.remove(sheet)
    book.sheets.insert(min(index, len(book.sheets)), sheet)
    book.reindex()
    _check_grid(book, sheet, where)
    return {}


def update_spreadsheet_properties(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    apply_mask(book.properties, args.get("properties", {}), _mask(args, where))
    if not book.properties.get("title"):
        raise bad_request(f"Invalid {where}: The spreadsheet title cannot be empty.")
    return {}


# ---- cells ----------------------------------------------------------------------------------

def _cell_data(data: dict[str, Any], where: str) -> dict[str, Any]:
    """A CellData as stored: checked, formats normalised."""
    data = copy.deepcopy(data)
    for key in data:
        if key not in _CELL_FIELDS and key not in ("effectiveValue", "formattedValue", "effectiveFormat"):
            raise unknown_field(key, where)
    value = data.get("userEnteredValue")
    if value is not None:
        kinds = [k for k in value if k in _VALUE_KINDS]
        if len(kinds) != 1 or len(value) != 1:
            raise bad_request(f"Invalid {where}: exactly one of {', '.join(_VALUE_KINDS)} must be set.")
        if kinds == ["formulaValue"] and not str(value["formulaValue"]).startswith("="):
            raise bad_request(f"Invalid {where}: Formulas must begin with '='.")
    if "userEnteredFormat" in data:
        data["userEnteredFormat"] = C.normalise_format(data["userEnteredFormat"])
    return data


def _cell_paths(args: Request, where: str) -> list[Path]:
    paths = _mask(args, where)
    for path in paths:
        if path != ("*",) and path[0] not in _CELL_FIELDS:
            raise bad_request(f"Invalid {where}: Invalid field mask: {args['fields']}")
    if ("*",) in paths:
        return [(f,) for f in _CELL_FIELDS]
    twins = {"backgroundColor": "backgroundColorStyle", "foregroundColor": "foregroundColorStyle"}
    twins |= {v: k for k, v in twins.items()}
    # the API keeps a colour and its *Style twin in step, so a mask naming one updates both
    return paths + [p[:-1] + (twins[p[-1]],) for p in paths if p[-1] in twins]


def _put(sheet: Sheet, row: int, col: int, data: dict[str, Any], paths: list[Path]) -> None:
    cell = sheet.cells.get((row, col), {})
    apply_mask(cell, data, paths)
    if cell:
        sheet.cells[(row, col)] = cell
    else:
        sheet.cells.pop((row, col), None)


def _rows(args: Request, where: str) -> list[list[dict[str, Any]]]:
    return [[_cell_data(v, f"{where}.rows[{i}].values[{j}]") for j, v in enumerate(row.get("values", []))]
            for i, row in enumerate(args.get("rows", []))]


def update_cells(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    paths = _cell_paths(args, where)
    rows = _rows(args, where)
    width = max((len(r) for r in rows), default=0)
    if "range" in args:
        sheet, (r0, c0, r1, c1) = book.grid_range(where, args["range"])
        clear_rest = True
    elif "start" in args:
        start = args["start"]
        sheet = _sheet(book, start.get("sheetId"), where)
        r0, c0 = int(start.get("rowIndex", 0)), int(start.get("columnIndex", 0))
        r1, c1 = r0 + len(rows), c0 + width
        book.grid_range(where, {"sheetId": sheet.sheet_id, "startRowIndex": r0, "startColumnIndex": c0,
                                "endRowIndex": r1, "endColumnIndex": c1})
        clear_rest = False
    else:
        raise bad_request(f"Invalid {where}: Either start or range must be set.")
    if r0 + len(rows) > r1:
        raise bad_request(f"Invalid {where}: Attempting to write row: {r0 + len(rows) - 1}, "
                          f"beyond the last requested row of: {r1 - 1}")
    if c0 + width > c1:
        raise bad_request(f"Invalid {where}: Attempting to write column: {c0 + width - 1}, "
                          f"beyond the last requested column of: {c1 - 1}")
    for r in range(r0, r1):
        line = rows[r - r0] if r - r0 < len(rows) else []
        for c in range(c0, c1):
            if c - c0 < len(line) or clear_rest:
                _put(sheet, r, c, line[c - c0] if c - c0 < len(line) else {}, paths)
    return {}


def copy_paste(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    """PASTE_NORMAL: values, formats, notes and dropdowns of the source, read whole before any cell is
    written (so source and destination may overlap), repeated to fill a destination that is a multiple
    of it; an empty source cell clears its destination."""
    for key, value, done in (("pasteType", args.get("pasteType", "PASTE_NORMAL"), "PASTE_NORMAL"),
                             ("pasteOrientation", args.get("pasteOrientation", "NORMAL"), "NORMAL")):
        if value != done:
            raise ApiError(501, f"The stand-in does not implement {where} with {key} {value}.")
    source, (r0, c0, r1, c1) = book.grid_range(f"{where}.source", args.get("source", {}))
    target, (t0, u0, t1, u1) = book.grid_range(f"{where}.destination", args.get("destination", {}))
    height, width = r1 - r0, c1 - c0
    if height <= 0 or width <= 0:
        raise bad_request(f"Invalid {where}: the source range is empty.")
    clip = {(r - r0, c - c0): cell for r in range(r0, r1) for c in range(c0, c1)
            if (cell := source.cells.get((r, c)))}
    if any("formulaValue" in cell.get("userEnteredValue", {}) for cell in clip.values()):
        raise ApiError(501, f"The stand-in does not implement {where} of formulas (their references would move).")
    rows = max(1, (t1 - t0) // height) * height
    columns = max(1, (u1 - u0) // width) * width
    book.grid_range(f"{where}.destination", {"sheetId": target.sheet_id, "startRowIndex": t0,
                                              "endRowIndex": t0 + rows, "startColumnIndex": u0,
                                              "endColumnIndex": u0 + columns})
    for r in range(rows):
        for c in range(columns):
            cell = clip.get((r % height, c % width))
            if cell:
                target.cells[(t0 + r, u0 + c)] = copy.deepcopy(cell)
            else:
                target.cells.pop((t0 + r, u0 + c), None)
    return {}


def repeat_cell(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    paths = _cell_paths(args, where)
    sheet, (r0, c0, r1, c1) = book.grid_range(where, args.get("range", {}))
    data = _cell_data(args.get("cell", {}), f"{where}.cell")
    for r in range(r0, r1):
        for c in range(c0, c1):
            _put(sheet, r, c, data, paths)
    return {}


def append_cells(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    paths = _cell_paths(args, where)
    sheet = _sheet(book, args.get("sheetId"), where)
    rows = _rows(args, where)
    top = sheet.last_row_with_data() + 1
    height, width = sheet.size
    sheet.resize(max(height, top + len(rows)), max(width, max((len(r) for r in rows), default=0)))
    for i, line in enumerate(rows):
        for j, data in enumerate(line):
            _put(sheet, top + i, j, data, paths)
    return {}


def set_data_validation(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    sheet, (r0, c0, r1, c1) = book.grid_range(where, args.get("range", {}))
    rule = args.get("rule")
    if rule is not None and not rule.get("condition", {}).get("type"):
        raise bad_request(f"Invalid {where}: rule.condition.type is required.")
    for r in range(r0, r1):
        for c in range(c0, c1):
            _put(sheet, r, c, {"dataValidation": rule} if rule else {}, [("dataValidation",)])
    return {}


def _dimension(book: Spreadsheet, args: Request, where: str) -> tuple[Sheet, str, int, int]:
    span = args.get("range", {})
    sheet = _sheet(book, span.get("sheetId"), where)
    dimension = span.get("dimension")
    if dimension not in ("ROWS", "COLUMNS"):
        raise bad_request(f"Invalid {where}: range.dimension must be ROWS or COLUMNS.")
    limit = sheet.size[0 if dimension == "ROWS" else 1]
    start, end = int(span.get("startIndex", 0)), int(span.get("endIndex", limit))
    if not 0 <= start < end:
        raise bad_request(f"Invalid {where}: Invalid dimension range [{start}, {end}).")
    return sheet, dimension, start, end


def update_dimension_properties(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    sheet, dimension, start, end = _dimension(book, args, where)
    limit = sheet.size[0 if dimension == "ROWS" else 1]
    if end > limit:
        raise bad_request(f"Invalid {where}: Range exceeds grid limits. Max {dimension.lower()}: {limit}")
    paths = _mask(args, where)
    meta = sheet.rows_meta if dimension == "ROWS" else sheet.columns_meta
    for i in range(start, end):
        apply_mask(meta.setdefault(i, {}), args.get("properties", {}), paths)
    return {}


def insert_dimension(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    sheet, dimension, start, end = _dimension(book, args, where)
    if dimension != "ROWS":
        raise ApiError(501, f"The stand-in does not implement {where} on COLUMNS.")
    if start > sheet.size[0]:
        raise bad_request(f"Invalid {where}: Range exceeds grid limits.")
    insert_rows(sheet, start, end - start)
    return {}


def sort_range(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    sheet, (r0, c0, r1, c1) = book.grid_range(where, args.get("range", {}))
    specs = args.get("sortSpecs") or [{"dimensionIndex": c0}]

    def compare(a: int, b: int) -> int:
        for spec in specs:
            col = int(spec.get("dimensionIndex", 0))
            x, y = book.effective(sheet, a, col), book.effective(sheet, b, col)
            if x == y:
                continue
            if x is None or y is None:  # empty cells sort last either way
                return 1 if x is None else -1
            kx, ky = (isinstance(x, str), str(x).lower() if isinstance(x, str) else x), \
                (isinstance(y, str), str(y).lower() if isinstance(y, str) else y)
            order = -1 if kx < ky else 1
            return -order if spec.get("sortOrder") == "DESCENDING" else order
        return 0

    order = sorted(range(r0, r1), key=cmp_to_key(compare))
    moved = {(new, c): sheet.cells.get((old, c)) for new, old in zip(range(r0, r1), order, strict=True)
             for c in range(c0, c1)}
    for key, cell in moved.items():
        if cell:
            sheet.cells[key] = cell
        else:
            sheet.cells.pop(key, None)
    return {}


def merge_cells(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    sheet, (r0, c0, r1, c1) = book.grid_range(where, args.get("range", {}))
    if args.get("mergeType", "MERGE_ALL") != "MERGE_ALL":
        raise ApiError(501, f"The stand-in only implements {where} with MERGE_ALL.")
    sheet.merges.append({"sheetId": sheet.sheet_id, "startRowIndex": r0, "endRowIndex": r1,
                         "startColumnIndex": c0, "endColumnIndex": c1})
    return {}


def unmerge_cells(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    sheet, (r0, c0, r1, c1) = book.grid_range(where, args.get("range", {}))
    kept = []
    for m in sheet.merges:
        inside = r0 <= m["startRowIndex"] and m["endRowIndex"] <= r1 and \
            c0 <= m["startColumnIndex"] and m["endColumnIndex"] <= c1
        overlaps = m["startRowIndex"] < r1 and r0 < m["endRowIndex"] and \
            m["startColumnIndex"] < c1 and c0 < m["endColumnIndex"]
        if overlaps and not inside:
            raise bad_request(f"Invalid {where}: You must select all cells in a merged range to merge or "
                              "unmerge them.")
        if not inside:
            kept.append(m)
    sheet.merges = kept
    return {}


# ---- rules, charts, metadata ----------------------------------------------------------------

def add_conditional_format_rule(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    rule = copy.deepcopy(args.get("rule", {}))
    ranges = rule.get("ranges") or []
    if not ranges or ("booleanRule" in rule) == ("gradientRule" in rule):
        raise bad_request(f"Invalid {where}: A rule needs ranges and exactly one of booleanRule, gradientRule.")
    sheets = {book.grid_range(where, r)[0].sheet_id for r in ranges}
    if len(sheets) != 1:
        raise bad_request(f"Invalid {where}: All ranges of a rule must be on the same sheet.")
    condition = rule.get("booleanRule", {}).get("condition", {})
    if condition.get("type") == "CUSTOM_FORMULA":
        values = condition.get("values") or [{}]
        if len(values) != 1 or not str(values[0].get("userEnteredValue", "")).startswith("="):
            raise bad_request(f"Invalid {where}: CUSTOM_FORMULA needs one value that is a formula.")
    if "format" in rule.get("booleanRule", {}):
        rule["booleanRule"]["format"] = C.normalise_format(rule["booleanRule"]["format"])
    sheet = book.sheet_by_id(sheets.pop())
    assert sheet is not None
    index = int(args.get("index", 0))
    if not 0 <= index <= len(sheet.conditional_formats):
        raise bad_request(f"Invalid {where}: index {index} is out of range.")
    sheet.conditional_formats.insert(index, rule)
    return {}


def delete_conditional_format_rule(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    sheet = _sheet(book, args.get("sheetId"), where)
    index = int(args.get("index", 0))
    if not 0 <= index < len(sheet.conditional_formats):
        raise bad_request(f"Invalid {where}: No conditional format on sheet: {sheet.sheet_id} at index: {index}")
    return {"deleteConditionalFormatRule": {"rule": sheet.conditional_formats.pop(index)}}


def add_chart(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    chart = copy.deepcopy(args.get("chart", {}))
    anchor = chart.get("position", {}).get("overlayPosition", {}).get("anchorCell")
    if anchor is None:
        raise ApiError(501, f"The stand-in only implements {where} with an overlayPosition.")
    sheet = _sheet(book, anchor.get("sheetId"), where)
    taken = {c["chartId"] for s in book.sheets for c in s.charts}
    if "chartId" in chart and chart["chartId"] in taken:
        raise bad_request(f"Invalid {where}: An object with id {chart['chartId']} already exists.")
    chart.setdefault("chartId", book.new_id(taken))
    chart = {"chartId": chart["chartId"]} | {k: v for k, v in chart.items() if k != "chartId"}
    sheet.charts.append(chart)
    return {"addChart": {"chart": copy.deepcopy(chart)}}


def delete_embedded_object(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    object_id = args.get("objectId")
    for sheet in book.sheets:
        for chart in sheet.charts:
            if chart["chartId"] == object_id:
                sheet.charts.remove(chart)
                return {}
    raise bad_request(f"Invalid {where}: No object with id {object_id}")


def create_developer_metadata(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    meta = copy.deepcopy(args.get("developerMetadata", {}))
    location = meta.get("location", {})
    if "sheetId" in location:
        _sheet(book, location["sheetId"], where)
        meta["location"] = {"locationType": "SHEET", "sheetId": int(location["sheetId"])}
    elif location.get("spreadsheet"):
        meta["location"] = {"locationType": "SPREADSHEET", "spreadsheet": True}
    else:
        raise ApiError(501, f"The stand-in only implements {where} on a sheet or the spreadsheet.")
    if meta.get("visibility") not in ("DOCUMENT", "PROJECT") or not meta.get("metadataKey"):
        raise bad_request(f"Invalid {where}: metadataKey and visibility must be specified.")
    taken = {m["metadataId"] for m in book.developer_metadata}
    meta.setdefault("metadataId", book.new_id(taken))
    if meta["metadataId"] in taken:
        raise bad_request(f"Invalid {where}: Developer metadata with id {meta['metadataId']} already exists.")
    book.developer_metadata.append(meta)
    return {"createDeveloperMetadata": {"developerMetadata": copy.deepcopy(meta)}}


def update_developer_metadata(book: Spreadsheet, args: Request, where: str) -> dict[str, Any]:
    paths = _mask(args, where)
    matched = []
    for data_filter in args.get("dataFilters", []):
        lookup = data_filter.get("developerMetadataLookup")
        if lookup is None:
            raise ApiError(501, f"The stand-in only implements {where} with developerMetadataLookup filters.")
        place = lookup.get("metadataLocation", {})
        if set(place) - {"sheetId"}:
            raise ApiError(501, f"The stand-in only implements {where} with a metadataLocation by sheetId.")
        for meta in book.developer_metadata:
            if all(meta.get(k) == v for k, v in lookup.items() if k in ("metadataId", "metadataKey",
                                                                          "metadataValue", "visibility")) \
                    and ("sheetId" not in place or meta["location"].get("sheetId") == int(place["sheetId"])):
                apply_mask(meta, args.get("developerMetadata", {}), paths)
                matched.append(copy.deepcopy(meta))
    return {"updateDeveloperMetadata": {"developerMetadata": matched}}


HANDLERS: dict[str, tuple[Handler, tuple[str, ...]]] = {
    "addSheet": (add_sheet, ("properties",)),
    "deleteSheet": (delete_sheet, ("sheetId",)),
    "updateSheetProperties": (update_sheet_properties, ("properties", "fields")),
    "updateSpreadsheetProperties": (update_spreadsheet_properties, ("properties", "fields")),
    "updateCells": (update_cells, ("rows", "fields", "start", "range")),
    "repeatCell": (repeat_cell, ("range", "cell", "fields")),
    "copyPaste": (copy_paste, ("source", "destination", "pasteType", "pasteOrientation")),
    "appendCells": (append_cells, ("sheetId", "rows", "fields", "tableId")),
    "setDataValidation": (set_data_validation, ("range", "rule", "filteredRowsIncluded")),
    "updateDimensionProperties": (update_dimension_properties, ("range", "properties", "fields",
                                                                "dataSourceSheetRange")),
    "insertDimension": (insert_dimension, ("range", "inheritFromBefore")),
    "sortRange": (sort_range, ("range", "sortSpecs")),
    "mergeCells": (merge_cells, ("range", "mergeType")),
    "unmergeCells": (unmerge_cells, ("range",)),
    "addConditionalFormatRule": (add_conditional_format_rule, ("rule", "index")),
    "deleteConditionalFormatRule": (delete_conditional_format_rule, ("sheetId", "index")),
    "addChart": (add_chart, ("chart",)),
    "deleteEmbeddedObject": (delete_embedded_object, ("objectId",)),
    "createDeveloperMetadata": (create_developer_metadata, ("developerMetadata",)),
    "updateDeveloperMetadata": (update_developer_metadata, ("dataFilters", "developerMetadata", "fields")),
}
