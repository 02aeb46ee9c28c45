"""Requests cut to size: a batchUpdate body stays under Google's recommended 2 MB payload.

Requests keep their order. A request too large alone (an ``updateCells`` or ``appendCells`` of a big
tab) is cut into consecutive row slices. Sizes are measured as the bytes gspread sends (requests'
``json.dumps`` with its default ASCII escaping), so the limit holds on the wire.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

MAX_BODY_BYTES = 1_900_000  # Google recommends at most 2 MB per request; it refuses more than 10 MiB
_ENVELOPE = len(json.dumps({"requests": []}))


def body_bytes(body: Any) -> int:
    """The size of a JSON body as gspread sends it."""
    return len(json.dumps(body).encode())


def batches(requests: list[dict[str, Any]], limit: int = MAX_BODY_BYTES) -> list[list[dict[str, Any]]]:
    """``requests`` in order, grouped into bodies of at most ``limit`` bytes each."""
    out: list[list[dict[str, Any]]] = []
    size = limit
    for request in requests:
        for piece in _pieces(request, limit - _ENVELOPE):
            n = body_bytes(piece) + 2  # the ", " between list items
            if size + n > limit:
                out.append([])
                size = _ENVELOPE
            out[-1].append(piece)
            size += n
    return out


def _pieces(request: dict[str, Any], limit: int) -> Iterator[dict[str, Any]]:
    """The request itself when it fits, else its row slices (each still a valid request)."""
    if body_bytes(request) <= limit or not ({"updateCells", "appendCells"} & set(request)):
        yield request
        return
    kind, args = next(iter(request.items()))
    rows: list[dict[str, Any]] = args["rows"]
    overhead = body_bytes({kind: {**args, "rows": []}})
    start = 0
    while start < len(rows):
        size, stop = overhead, start
        while stop < len(rows):
            n = body_bytes(rows[stop]) + 2
            if stop > start and size + n > limit:
                break
            size += n
            stop += 1
        piece = {**args, "rows": rows[start:stop]}
        if "range" in args:
            first = args["range"]["startRowIndex"]
            piece["range"] = {**args["range"], "startRowIndex": first + start, "endRowIndex": first + stop}
        elif "start" in args:
            piece["start"] = {**args["start"], "rowIndex": args["start"].get("rowIndex", 0) + start}
        yield {kind: piece}
        start = stop
