"""The stand-in HTTP server: routes Sheets v4 and Drive v3 calls to the model, counts them, injects faults."""

from __future__ import annotations

import copy
import json
import re
import secrets
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa

from . import batch, values
from . import cells as C
from .auth import TokenIssuer
from .errors import ApiError, bad_request, not_found, unknown_parameter
from .fields import MaskError, parse_mask, project
from .formula import evaluate
from .model import (
    DEFAULT_COLUMNS,
    DEFAULT_PROPERTIES,
    DEFAULT_ROWS,
    Sheet,
    SheetContext,
    Spreadsheet,
)
from .transport import RedirectAdapter

_SYSTEM = {"fields", "prettyPrint", "alt", "key", "quotaUser", "$.xgafv", "access_token", "callback",
           "upload_protocol", "uploadType"}
_READ_OPTIONS = {"valueRenderOption", "dateTimeRenderOption", "majorDimension"}
_WRITE_OPTIONS = {"valueInputOption", "includeValuesInResponse", "responseValueRenderOption",
                  "responseDateTimeRenderOption"}
_ROUTES: list[tuple[str, str, re.Pattern[str], set[str]]] = [
    ("GET", "spreadsheets.get", re.compile(r"^/v4/spreadsheets/([^/:]+)$"),
     {"includeGridData", "ranges", "excludeTablesInBandedRanges"}),
    ("POST", "spreadsheets.batchUpdate", re.compile(r"^/v4/spreadsheets/([^/:]+):batchUpdate$"), set()),
    ("GET", "values.batchGet", re.compile(r"^/v4/spreadsheets/([^/:]+)/values:batchGet$"),
     {"ranges"} | _READ_OPTIONS),
    ("POST", "values.batchUpdate", re.compile(r"^/v4/spreadsheets/([^/:]+)/values:batchUpdate$"), set()),
    ("POST", "values.batchClear", re.compile(r"^/v4/spreadsheets/([^/:]+)/values:batchClear$"), set()),
    ("POST", "values.append", re.compile(r"^/v4/spreadsheets/([^/:]+)/values/(.+):append$"),
     _WRITE_OPTIONS | {"insertDataOption"}),
    ("POST", "values.clear", re.compile(r"^/v4/spreadsheets/([^/:]+)/values/(.+):clear$"), set()),
    ("GET", "values.get", re.compile(r"^/v4/spreadsheets/([^/:]+)/values/(.+)$"), _READ_OPTIONS),
    ("PUT", "values.update", re.compile(r"^/v4/spreadsheets/([^/:]+)/values/(.+)$"), _WRITE_OPTIONS),
    ("POST", "drive.files.create", re.compile(r"^/drive/v3/files$"), set()),
    ("GET", "drive.files.get", re.compile(r"^/drive/v3/files/([^/]+)$"), set()),
    ("DELETE", "drive.files.delete", re.compile(r"^/drive/v3/files/([^/]+)$"), set()),
]
_MUTATING = {"spreadsheets.batchUpdate", "values.batchUpdate", "values.batchClear", "values.append",
             "values.clear", "values.update"}
_SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
MAX_PAYLOAD = 10_485_760  # the service refuses a larger request body
MAX_CELLS = 10_000_000  # cells per spreadsheet, across its tabs
_FAULT_MESSAGES = {429: "Quota exceeded.", 500: "Internal error encountered.",
                   503: "The service is currently unavailable."}


@dataclass
class Fault:
    """Answer matching requests with ``status`` (or hang ``delay`` seconds and drop the connection)."""

    kind: str | None  # a request kind such as "spreadsheets.batchUpdate"; None = any API request
    status: int | None  # None = hang, then close without an answer (a timeout for the client)
    after: int = 0  # let this many matching requests through first
    times: int = 1  # then fail this many
    delay: float = 0.0


@dataclass(frozen=True)
class Logged:
    """One request the stand-in received."""

    at: float
    method: str
    kind: str
    spreadsheet: str | None
    status: int
    identity: str | None
    bytes: int = 0  # the request body's size


class StandIn:
    """A strict, stateful local stand-in of the Google Sheets v4 API (and a few Drive v3 calls).

    Start it (``with StandIn() as api:``), make a service-account key with
    :meth:`new_service_account`, mount :meth:`adapter` on a requests session (gspread's), and the
    real client code talks to it. ``quota_per_minute`` makes it answer 429 like Google when one
    account sends more requests in any 60 s than allowed; ``clock`` is what it measures time with.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic,
                 quota_per_minute: int | None = None) -> None:
        self.clock = clock
        self.quota_per_minute = quota_per_minute
        self.tokens = TokenIssuer()
        self.books: dict[str, Spreadsheet] = {}
        self.log: list[Logged] = []
        self.faults: list[Fault] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> StandIn:
        handler = type("Handler", (_Handler,), {"standin": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="sheets-standin",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start the stand-in first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def token_uri(self) -> str:
        return f"{self.url}/token"

    def adapter(self) -> RedirectAdapter:
        """A transport adapter to mount on a session for the Google API URL prefixes."""
        return RedirectAdapter(self.url)

    def new_service_account(self, path: Path, email: str | None = None,
                            key: rsa.RSAPrivateKey | None = None) -> Path:
        """Write a service-account key file whose ``token_uri`` is this stand-in's token endpoint
        (a new RSA key unless ``key`` is given)."""
        email = email or f"sync-{secrets.token_hex(3)}@standin-project.iam.gserviceaccount.com"
        return self.tokens.new_service_account(path, self.token_uri, email, key)

    # ---- test controls ---------------------------------------------------------------------

    def inject(self, status: int | None = 429, *, kind: str | None = None, after: int = 0, times: int = 1,
               delay: float = 0.0) -> None:
        """Fail the next matching request(s): ``status`` 429/500/503…, or None to hang ``delay`` s."""
        with self._lock:
            self.faults.append(Fault(kind, status, after, times, delay))

    def requests(self, kind: str | None = None, spreadsheet: str | None = None) -> list[Logged]:
        """API requests received (not token exchanges), optionally of one kind or spreadsheet."""
        with self._lock:
            return [r for r in self.log if r.kind != "token" and (kind is None or r.kind == kind)
                    and (spreadsheet is None or r.spreadsheet == spreadsheet)]

    def counts(self, spreadsheet: str | None = None) -> Counter[str]:
        return Counter(r.kind for r in self.requests(spreadsheet=spreadsheet))

    def seed(self, grids: Mapping[str, Sequence[Sequence[Any]]], title: str = "dispatchbook") -> str:
        """Create a spreadsheet holding ``grids`` (tab name -> rows) without any request; returns its ID."""
        with self._lock:
            book = self._new_book(title, with_default_sheet=not grids)
            for index, (name, rows) in enumerate(grids.items()):
                width = max((len(r) for r in rows), default=0)
                sheet = Sheet({"sheetId": 0 if index == 0 else book.new_id({s.sheet_id for s in book.sheets}),
                               "title": name, "index": index, "sheetType": "GRID",
                               "gridProperties": {"rowCount": max(DEFAULT_ROWS, len(rows)),
                                                  "columnCount": max(DEFAULT_COLUMNS, width)}})
                for r, line in enumerate(rows):
                    for c, value in enumerate(line):
                        cell = _seed_cell(value)
                        if cell:
                            sheet.cells[(r, c)] = cell
                book.sheets.append(sheet)
            return book.spreadsheet_id

    def share(self, spreadsheet_id: str, *accounts: str) -> None:
        """Let only ``accounts`` in (others get 403, like a spreadsheet not shared with them)."""
        with self._lock:
            self.books[spreadsheet_id].shared_with = set(accounts)

    def spreadsheet(self, spreadsheet_id: str) -> Spreadsheet:
        return self.books[spreadsheet_id]

    def values(self, spreadsheet_id: str, title: str, render: str = "UNFORMATTED_VALUE") -> list[list[Any]]:
        """A tab's values as values.get would return them (SERIAL_NUMBER dates)."""
        with self._lock:
            book = self.books[spreadsheet_id]
            sheet = book.sheet(title)
            assert sheet is not None, title
            return book.values(sheet, (0, 0, *sheet.size), render, "SERIAL_NUMBER")

    def fill_of(self, spreadsheet_id: str, title: str, row: int, col: int) -> str | None:
        """The background a cell shows: the first matching conditional-format rule's, else its own."""
        with self._lock:
            book = self.books[spreadsheet_id]
            sheet = book.sheet(title)
            assert sheet is not None, title
            for rule in sheet.conditional_formats:
                condition = rule.get("booleanRule", {}).get("condition", {})
                for grid_range in rule.get("ranges", []):
                    r0, c0 = grid_range.get("startRowIndex", 0), grid_range.get("startColumnIndex", 0)
                    r1 = grid_range.get("endRowIndex", sheet.size[0])
                    c1 = grid_range.get("endColumnIndex", sheet.size[1])
                    if not (r0 <= row < r1 and c0 <= col < c1) or condition.get("type") != "CUSTOM_FORMULA":
                        continue
                    result = evaluate(condition["values"][0]["userEnteredValue"], SheetContext(book, sheet),
                                      (row - r0, col - c0))
                    if result is True:
                        return _hex(rule["booleanRule"]["format"].get("backgroundColor"))
            return _hex(sheet.cells.get((row, col), {}).get("userEnteredFormat", {}).get("backgroundColor"))

    # ---- serving ---------------------------------------------------------------------------

    def _new_book(self, title: str, with_default_sheet: bool = True) -> Spreadsheet:
        spreadsheet_id = "1" + secrets.token_urlsafe(32)[:43]
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        book = Spreadsheet(spreadsheet_id, {"title": title, **copy.deepcopy(DEFAULT_PROPERTIES)}, [], now, now)
        if with_default_sheet:
            book.sheets.append(Sheet({"sheetId": 0, "title": "Sheet1", "index": 0, "sheetType": "GRID",
                                      "gridProperties": {"rowCount": DEFAULT_ROWS, "columnCount": DEFAULT_COLUMNS}}))
        self.books[spreadsheet_id] = book
        return book

    def handle(self, method: str, raw_path: str, headers: Mapping[str, str], body: bytes) -> tuple[int, Any]:
        """One HTTP request (header names in lower case) -> (status, JSON body or None).

        Raises ConnectionAbortedError to hang up without an answer."""
        parts = urlsplit(raw_path)
        params = parse_qs(parts.query, keep_blank_values=True)
        if parts.path == "/token" and method == "POST":
            form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
            status, answer = self.tokens.exchange(form, self.token_uri)
            self._record(method, "token", None, status, None, len(body))
            return status, answer
        kind, match, allowed = self._route(method, parts.path)
        spreadsheet = unquote(match.group(1)) if match and match.groups() else None
        try:
            if match is None:
                raise ApiError(404, f"Method not found: {method} {parts.path}")
            if len(body) > MAX_PAYLOAD:
                raise bad_request(f"Request payload size exceeds the limit: {MAX_PAYLOAD} bytes.")
            identity = self.tokens.identity(headers.get("authorization"))
            if identity is None:
                raise ApiError(401, "Request had invalid authentication credentials. Expected OAuth 2 access "
                                    "token, login cookie or other valid authentication credential. See "
                                    "https://developers.google.com/identity/sign-in/web/devconsole-project.")
            self._check_quota(identity)
            fault = self._take_fault(kind)
            if fault is not None and fault.status is None:
                self._record(method, kind, spreadsheet, 0, headers.get("authorization"), len(body))
                time.sleep(fault.delay)
                raise ConnectionAbortedError(kind)
            if fault is not None:
                raise ApiError(fault.status or 500, _FAULT_MESSAGES.get(fault.status or 500, "Error"))
            if not kind.startswith("drive."):
                for name in params:
                    if name not in allowed and name not in _SYSTEM:
                        raise unknown_parameter(name)
            answer = self._dispatch(kind, match, params, body, identity)
            mask = params.get("fields", [None])[-1]
            if mask and answer is not None:
                try:
                    answer = project(answer, parse_mask(mask))
                except MaskError:
                    raise bad_request(f"Invalid field selection {mask}") from None
            status = 204 if answer is None else 200
        except ApiError as err:
            status, answer = err.code, err.body()
        self._record(method, kind, spreadsheet, status, headers.get("authorization"), len(body))
        return status, answer

    def _route(self, method: str, path: str) -> tuple[str, re.Match[str] | None, set[str]]:
        for verb, kind, pattern, allowed in _ROUTES:
            m = pattern.match(path)
            if m and verb == method:
                return kind, m, allowed
        return "unknown", None, set()

    def _record(self, method: str, kind: str, spreadsheet: str | None, status: int, auth: str | None,
                size: int) -> None:
        with self._lock:
            self.log.append(Logged(self.clock(), method, kind, spreadsheet, status,
                                   self.tokens.identity(auth) if auth else None, size))

    def _check_quota(self, identity: str) -> None:
        if self.quota_per_minute is None:
            return
        with self._lock:
            now = self.clock()
            recent = sum(1 for r in self.log if r.identity == identity and r.kind != "token"
                         and now - r.at < 60)
        if recent >= self.quota_per_minute:
            raise ApiError(429, "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute "
                                "per user' of service 'sheets.googleapis.com'.")

    def _take_fault(self, kind: str) -> Fault | None:
        """The injected fault this request meets, if any (counting it down)."""
        with self._lock:
            fault = next((f for f in self.faults if f.kind in (None, kind)), None)
            if fault is None:
                return None
            if fault.after:
                fault.after -= 1
                return None
            fault.times -= 1
            if fault.times <= 0:
                self.faults.remove(fault)
            return fault

    def _dispatch(self, kind: str, match: re.Match[str], params: dict[str, list[str]], body: bytes,
                  identity: str) -> Any:
        try:
            payload = json.loads(body) if body.strip() else {}
        except ValueError:
            raise bad_request("Invalid JSON payload received. Unexpected token.") from None
        one = {k: v[-1] for k, v in params.items()}
        with self._lock:
            if kind == "drive.files.create":
                return self._drive_create(payload)
            book = self.books.get(unquote(match.group(1)))
            if book is None:
                if kind.startswith("drive."):
                    raise ApiError(404, f"File not found: {unquote(match.group(1))}.")
                raise not_found()
            if book.shared_with is not None and identity not in book.shared_with:
                raise ApiError(403, "The caller does not have permission")
            if kind == "drive.files.get":
                return self._drive_file(book)
            if kind == "drive.files.delete":
                del self.books[book.spreadsheet_id]
                return None
            if kind == "spreadsheets.get":
                ranges = [(book.resolve(r), r) for r in params.get("ranges", [])]
                return book.resource(grid_ranges=[(s, book.clamp(s, b, r)) for (s, b), r in ranges] or None,
                                     include_grid=values.flag(one, "includeGridData"))
            if kind == "values.get":
                return values.get(book, unquote(match.group(2)), one)
            if kind == "values.batchGet":
                return values.batch_get(book, params.get("ranges", []), one)
            work = book.fork(_named_sheets(payload) if kind == "spreadsheets.batchUpdate" else None)  # all or nothing
            answer = self._mutate(kind, work, match, one, payload)
            if _cells(work) > max(MAX_CELLS, _cells(book)):
                raise bad_request(f"This action would increase the number of cells in the workbook above the "
                                  f"limit of {MAX_CELLS} cells.")
            work.modified = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            self.books[book.spreadsheet_id] = work
            return answer

    def _mutate(self, kind: str, book: Spreadsheet, match: re.Match[str], params: dict[str, str],
                payload: dict[str, Any]) -> Any:
        if kind == "spreadsheets.batchUpdate":
            replies = batch.apply(book, payload)
            answer: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id, "replies": replies}
            if payload.get("includeSpreadsheetInResponse"):
                answer["updatedSpreadsheet"] = book.resource()
            return answer
        if kind == "values.update":
            return values.update(book, unquote(match.group(2)), params, payload)
        if kind == "values.append":
            return values.append(book, unquote(match.group(2)), params, payload)
        if kind == "values.clear":
            return {"spreadsheetId": book.spreadsheet_id, "clearedRange": values.clear(book, unquote(match.group(2)))}
        if kind == "values.batchClear":
            return values.batch_clear(book, payload)
        return values.batch_update(book, payload)

    def _drive_create(self, payload: dict[str, Any]) -> dict[str, Any]:
        if payload.get("mimeType") != _SPREADSHEET_MIME:
            raise ApiError(501, "The stand-in only creates Google Sheets files.")
        book = self._new_book(str(payload.get("name") or "Untitled spreadsheet"))
        return {"kind": "drive#file", "id": book.spreadsheet_id, "name": book.properties["title"],
                "mimeType": _SPREADSHEET_MIME}

    @staticmethod
    def _drive_file(book: Spreadsheet) -> dict[str, Any]:
        return {"kind": "drive#file", "id": book.spreadsheet_id, "name": book.properties["title"],
                "mimeType": _SPREADSHEET_MIME, "createdTime": book.created, "modifiedTime": book.modified}


def _named_sheets(payload: Any) -> set[int] | None:
    """The sheet IDs a batchUpdate names (and 0, which a range without one means), or None when one of its
    requests reaches a sheet another way (an embedded object's ID)."""
    named: set[int] = {0}
    stack = [payload]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "objectId" in node:
                return None
            if str(node.get("sheetId", "")).isdigit():
                named.add(int(node["sheetId"]))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return named


def _cells(book: Spreadsheet) -> int:
    """Cells of every tab's grid, as counted against the per-spreadsheet limit."""
    return sum(rows * columns for rows, columns in (sheet.size for sheet in book.sheets))


def _seed_cell(value: Any) -> dict[str, Any]:
    if isinstance(value, datetime):
        return {"userEnteredValue": {"numberValue": C.to_serial(value)},
                "userEnteredFormat": {"numberFormat": {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm:ss"}}}
    if isinstance(value, date):
        return {"userEnteredValue": {"numberValue": C.to_serial(value)},
                "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}}}
    entered, _ = C.typed_value(value)
    return {"userEnteredValue": entered} if entered else {}


def _hex(colour: dict[str, Any] | None) -> str | None:
    if colour is None:
        return None
    return "".join(f"{round(float(colour.get(ch, 0)) * 255):02X}" for ch in ("red", "green", "blue"))


def _tidy(value: Any) -> Any:
    """Integral floats as JSON integers, like the API prints them."""
    if isinstance(value, float):
        return C.json_number(value)
    if isinstance(value, dict):
        return {k: _tidy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    return value


class _Handler(BaseHTTPRequestHandler):
    standin: StandIn
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: don't wait for ACKs

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, answer = self.standin.handle(self.command, self.path, headers, body)
        except ConnectionAbortedError:
            self.close_connection = True
            return
        except Exception as exc:  # a stand-in bug: answer 500 with the trace so the test shows it
            status = 500
            answer = ApiError(500, f"stand-in error: {traceback.format_exc()}").body()
            del exc
        data = b"" if answer is None else json.dumps(_tidy(answer), ensure_ascii=False, indent=2).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8" if answer is not None else "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Quiet: the stand-in keeps its own request log."""
