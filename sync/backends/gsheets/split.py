"""Requests cut to size: a batchUpdate body stays under Google's recommended 2 MB payload.

Requests keep their order. A request of rows (``updateCells``, ``appendCells``) that does not fit is
cut into consecutive row slices, the first filling the body it starts in. Sizes are measured as the bytes gspread sends (requests'
``json.dumps`` with its default ASCII escaping), so the limit holds on the wire.
"""

from __future__ import annotations

import json
from typing import Any

MAX_BODY_BYTES = 1_900_000  # Google recommends at most 2 MB per request; it refuses more than 10 MiB
_ENVELOPE = len(json.dumps({"requests": []}))


def body_bytes(body: Any) -> int:
    """The size of a JSON body as gspread sends it."""
    return len(json.dumps(body).encode())


def batches(requests: list[dict[str, Any]], limit: int = MAX_BODY_BYTES) -> list[list[dict[str, Any]]]:
    """``requests`` in order, grouped into bodies of at most ``limit`` bytes each; a request of rows that
    does not fit the room left in a body fills it with its first rows and goes on in the next."""
    out: list[list[dict[str, Any]]] = [[]]
    room = limit - _ENVELOPE
    for request in requests:
        size = body_bytes(request) + 2  # with the ", " between list items
        kind, args = next(iter(request.items()))
        if size > room and kind in ("updateCells", "appendCells") and len(args["rows"]) > 1:
            rows: list[dict[str, Any]] = args["rows"]
            overhead = body_bytes({kind: {**args, "rows": []}}) + 2
            start = 0
            while start < len(rows):
                stop, used = start, overhead
                while stop < len(rows) and used + (n := body_bytes(rows[stop]) + 2) <= room:
                    used += n
                    stop += 1
                if stop == start and out[-1]:  # not even one row fits here: next body
                    out.append([])
                    room = limit - _ENVELOPE
                    continue
                stop = max(stop, start + 1)
                out[-1].append({kind: _slice(args, rows, start, stop)})
                room -= used
                start = stop
            continue
        if size > room and out[-1]:
            out.append([])
            room = limit - _ENVELOPE
        out[-1].append(request)
        room -= size
    return [body for body in out if body]


def _slice(args: dict[str, Any], rows: list[dict[str, Any]], start: int, stop: int) -> dict[str, Any]:
    """The arguments of a rows request for ``rows[start:stop]`` alone, its range or start moved to match."""
    piece = {**args, "rows": rows[start:stop]}
    if "range" in args:
        first = args["range"]["startRowIndex"]
        piece["range"] = {**args["range"], "startRowIndex": first + start, "endRowIndex": first + stop}
    elif "start" in args:
        piece["start"] = {**args["start"], "rowIndex": args["start"].get("rowIndex", 0) + start}
    return piece
