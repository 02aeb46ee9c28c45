"""The ``spreadsheets.values`` endpoints: get, batchGet, update, append, clear, batchClear, batchUpdate."""

from __future__ import annotations

import re
from typing import Any

from . import cells as C
from .a1 import Box, format_range, split_title
from .errors import bad_request, unknown_field
from .model import Sheet, Spreadsheet, exceeds, insert_rows

Bounds = tuple[int, int, int, int]
_ENUMS = {
    "valueRenderOption": ("ValueRenderOption", ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")),
    "responseValueRenderOption": ("ValueRenderOption", ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")),
    "dateTimeRenderOption": ("DateTimeRenderOption", ("SERIAL_NUMBER", "FORMATTED_STRING")),
    "responseDateTimeRenderOption": ("DateTimeRenderOption", ("SERIAL_NUMBER", "FORMATTED_STRING")),
    "valueInputOption": ("ValueInputOption", ("RAW", "USER_ENTERED")),
    "majorDimension": ("Dimension", ("ROWS", "COLUMNS")),
    "insertDataOption": ("InsertDataOption", ("OVERWRITE", "INSERT_ROWS")),
}
_DEFAULTS = {"valueRenderOption": "FORMATTED_VALUE", "responseValueRenderOption": "FORMATTED_VALUE",
             "dateTimeRenderOption": "SERIAL_NUMBER", "responseDateTimeRenderOption": "SERIAL_NUMBER",
             "majorDimension": "ROWS", "insertDataOption": "OVERWRITE"}


def option(source: dict[str, Any], name: str) -> str:
    """An enum query parameter or body field, checked like the API checks it."""
    value = source.get(name)
    if value is None:
        if name == "valueInputOption":
            raise bad_request("'valueInputOption' is required but not specified")
        return _DEFAULTS[name]
    kind, allowed = _ENUMS[name]
    if value not in allowed:
        snake = re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()
        raise bad_request(f"Invalid value at '{snake}' (type.googleapis.com/google.apps.sheets.v4.{kind}), "
                          f'"{value}"')
    return str(value)


def flag(source: dict[str, Any], name: str) -> bool:
    return str(source.get(name, "false")).lower() == "true"


def _value_range(book: Spreadsheet, sheet: Sheet, bounds: Bounds, source: dict[str, Any],
                 prefix: str = "") -> dict[str, Any]:
    major = option(source, "majorDimension")
    render = option(source, f"{prefix}valueRenderOption" if not prefix else "responseValueRenderOption")
    dates = option(source, "dateTimeRenderOption" if not prefix else "responseDateTimeRenderOption")
    out: dict[str, Any] = {"range": format_range(sheet.title, *bounds), "majorDimension": major}
    values = book.values(sheet, bounds, render, dates, major)
    if values:
        out["values"] = values
    return out


def get(book: Spreadsheet, text: str, params: dict[str, Any]) -> dict[str, Any]:
    sheet, box = book.resolve(text)
    return _value_range(book, sheet, book.clamp(sheet, box, text), params)


def batch_get(book: Spreadsheet, ranges: list[str], params: dict[str, Any]) -> dict[str, Any]:
    return {"spreadsheetId": book.spreadsheet_id, "valueRanges": [get(book, r, params) for r in ranges]}


def _check_body(body: dict[str, Any], allowed: tuple[str, ...], where: str = "") -> None:
    for key in body:
        if key not in allowed:
            raise unknown_field(key, where)


def _rows(body: dict[str, Any]) -> list[list[Any]]:
    values = body.get("values") or []
    if option(body, "majorDimension") == "COLUMNS":
        width = max((len(col) for col in values), default=0)
        values = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
    return values


def _write(sheet: Sheet, top: int, left: int, rows: list[list[Any]], input_option: str) -> dict[str, int]:
    """Write ``rows`` from (top, left); None leaves a cell as it is. Returns the update counts."""
    touched: set[tuple[int, int]] = set()
    for i, line in enumerate(rows):
        for j, value in enumerate(line):
            if value is None:
                continue
            entered, number_format = (C.user_entered if input_option == "USER_ENTERED" else C.typed_value)(value)
            cell = sheet.cells.setdefault((top + i, left + j), {})
            if entered is None:
                cell.pop("userEnteredValue", None)
            else:
                cell["userEnteredValue"] = entered
            if number_format:
                cell.setdefault("userEnteredFormat", {})["numberFormat"] = number_format
            if not cell:
                del sheet.cells[(top + i, left + j)]
            touched.add((top + i, left + j))
    return {"updatedRows": len({r for r, _ in touched}), "updatedColumns": len({c for _, c in touched}),
            "updatedCells": len(touched)}


def _extent(rows: list[list[Any]]) -> tuple[int, int]:
    return len(rows), max((len(line) for line in rows), default=0)


def update(book: Spreadsheet, text: str, params: dict[str, Any], body: dict[str, Any],
           input_option: str | None = None) -> dict[str, Any]:
    _check_body(body, ("range", "majorDimension", "values"))
    input_option = input_option or option(params, "valueInputOption")
    sheet, box = book.resolve(text)
    rows = _rows(body)
    height, width = _extent(rows)
    rows_total, cols_total = sheet.size
    top, left, _, _ = box.bound(rows_total, cols_total)
    if ":" not in (split_title(text)[1] or ":"):  # a single cell is where the data starts
        box = Box(top, left)
    if box.row1 is not None and top + height > box.row1:
        raise bad_request(f"Requested writing within range [{text}], but tried writing to row [{top + height}]")
    if box.col1 is not None and left + width > box.col1:
        raise bad_request(f"Requested writing within range [{text}], but tried writing to column "
                          f"[{format_range(sheet.title, 0, left + width - 1, 1, left + width).split('!')[1][:-1]}]")
    if top + max(height, 1) > rows_total or left + max(width, 1) > cols_total:
        raise exceeds(format_range(sheet.title, top, left, top + max(height, 1), left + max(width, 1)),
                      rows_total, cols_total)
    return _written(book, sheet, top, left, rows, input_option, params)


def _written(book: Spreadsheet, sheet: Sheet, top: int, left: int, rows: list[list[Any]], input_option: str,
             params: dict[str, Any]) -> dict[str, Any]:
    """Write ``rows`` at (top, left); the reply the API gives for that write (range, counts, data)."""
    height, width = _extent(rows)
    counts = _write(sheet, top, left, rows, input_option)
    bounds = (top, left, top + max(height, 1), left + max(width, 1))
    out: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id,
                           "updatedRange": format_range(sheet.title, *bounds), **counts}
    if flag(params, "includeValuesInResponse"):
        out["updatedData"] = _value_range(book, sheet, bounds, params, prefix="response")
    return out


def _table(sheet: Sheet, bounds: Bounds) -> Bounds | None:
    """The 'table' values.append appends to: the block of filled cells around the last filled one."""
    r0, c0, r1, c1 = bounds
    filled = sorted((r, c) for (r, c), cell in sheet.cells.items()
                    if "userEnteredValue" in cell and r0 <= r < r1 and c0 <= c < c1)
    if not filled:
        return None
    seen, todo = {filled[-1]}, [filled[-1]]
    while todo:
        r, c = todo.pop()
        for nb in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
            if nb not in seen and r0 <= nb[0] < r1 and c0 <= nb[1] < c1 and sheet.has_value(*nb):
                seen.add(nb)
                todo.append(nb)
    return (min(r for r, _ in seen), min(c for _, c in seen),
            max(r for r, _ in seen) + 1, max(c for _, c in seen) + 1)


def append(book: Spreadsheet, text: str, params: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    _check_body(body, ("range", "majorDimension", "values"))
    input_option = option(params, "valueInputOption")
    sheet, box = book.resolve(text)
    bounds = book.clamp(sheet, box, text)
    rows = _rows(body)
    height, width = _extent(rows)
    table = _table(sheet, bounds)
    top, left = (table[2], table[1]) if table else (bounds[0], bounds[1])
    rows_total, cols_total = sheet.size
    if option(params, "insertDataOption") == "INSERT_ROWS":
        insert_rows(sheet, top, height)
        rows_total += height
    sheet.resize(max(rows_total, top + height), max(cols_total, left + width))
    updates = _written(book, sheet, top, left, rows, input_option, params)
    out: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id}
    if table:
        out["tableRange"] = format_range(sheet.title, *table)
    out["updates"] = updates
    return out


def clear(book: Spreadsheet, text: str) -> str:
    """Clear the values (not the formats) of a range; returns the cleared range."""
    sheet, box = book.resolve(text)
    r0, c0, r1, c1 = book.clamp(sheet, box, text)
    for (r, c) in [k for k in sheet.cells if r0 <= k[0] < r1 and c0 <= k[1] < c1]:
        sheet.cells[(r, c)].pop("userEnteredValue", None)
        if not sheet.cells[(r, c)]:
            del sheet.cells[(r, c)]
    return format_range(sheet.title, r0, c0, r1, c1)


def batch_clear(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    _check_body(body, ("ranges",))
    return {"spreadsheetId": book.spreadsheet_id, "clearedRanges": [clear(book, r) for r in body.get("ranges", [])]}


def batch_update(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    _check_body(body, ("valueInputOption", "data", "includeValuesInResponse", "responseValueRenderOption",
                       "responseDateTimeRenderOption"))
    input_option = option(body, "valueInputOption")
    responses, rows, cols = [], set(), set()
    for i, item in enumerate(body.get("data", [])):
        _check_body(item, ("range", "majorDimension", "values"), f"data[{i}]")
        responses.append(update(book, item["range"], body, item, input_option))
        sheet, box = book.resolve(responses[-1]["updatedRange"])
        top, left, _, _ = box.bound(*sheet.size)
        for r, line in enumerate(_rows(item)):
            for c, value in enumerate(line):
                if value is not None:
                    rows.add((sheet.sheet_id, top + r))
                    cols.add((sheet.sheet_id, left + c))
    return {"spreadsheetId": book.spreadsheet_id, "totalUpdatedRows": len(rows), "totalUpdatedColumns": len(cols),
            "totalUpdatedCells": sum(r["updatedCells"] for r in responses),
            "totalUpdatedSheets": len({sid for sid, _ in rows}), "responses": responses}
