"""Google Sheets books: the same sync on a shared spreadsheet, sending only what changed.

``sheet_names()`` is one metadata GET (only the fields needed), ``read()`` one values batchGet
of the asked tabs plus the sync-owned ones (to tell what changed), and ``write()`` the changed
cells in atomic ``spreadsheets.batchUpdate`` bodies under 2 MB (usually one) — or no request at
all when the plan changes nothing; a book that would pass Google's 10M-cell limit is refused first. Values are read UNFORMATTED with SERIAL_NUMBER dates (the same whatever the
spreadsheet's locale) and written typed, never parsed. Requests go through the process-wide
quota limiter of the service account and are retried with bounded backoff.

Built on gspread's HTTP client and google-auth service-account credentials. ``transport`` (a
requests adapter) can be mounted for the Google API URLs; the tests and the offline demo use it
to reach the local stand-in in the repository's ``standin/`` (test infrastructure, not shipped).
"""

from __future__ import annotations

import functools
import logging
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import gspread
from google.auth.exceptions import RefreshError
from google.oauth2 import service_account
from gspread.exceptions import APIError
from gspread.http_client import ParamsType
from requests.adapters import BaseAdapter

from sync.backends import spreadsheet_id
from sync.backends.gsheets.plan import (
    METADATA_FIELDS,
    SheetState,
    TooManyCells,
    build_requests,
    parse_metadata,
    request_tabs,
)
from sync.backends.gsheets.quota import QuotaLimiter, RetryPolicy, limiter_for
from sync.backends.gsheets.split import batches
from sync.errors import DispatchError, RemoteError
from sync.quoting import sheet_ref
from sync.sheets import Grid, WritePlan

T = TypeVar("T")
log = logging.getLogger(__name__)

SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
GOOGLE_APIS = ("https://sheets.googleapis.com/", "https://www.googleapis.com/")
CREDENTIAL_VARIABLES = ("DISPATCHBOOK_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS")
CELL_LIMIT = 10_000_000  # Google's limit of cells per spreadsheet, across all its tabs
_SETUP = "见 docs/google-sheets.md"


def credentials_path(explicit: str | Path | None = None) -> Path:
    """The service-account key file: the argument, else $DISPATCHBOOK_CREDENTIALS, else
    $GOOGLE_APPLICATION_CREDENTIALS. Warns when others can read it."""
    chosen = explicit or next((os.environ[v] for v in CREDENTIAL_VARIABLES if os.environ.get(v)), None)
    if not chosen:
        raise DispatchError("Google 凭据", "未指定服务账号密钥文件",
                            f"请用 --credentials 指定，或设置环境变量 DISPATCHBOOK_CREDENTIALS（{_SETUP}）")
    path = Path(chosen).expanduser()
    if not path.is_file():
        raise DispatchError("Google 凭据", f"找不到服务账号密钥文件 {path.name}", f"请检查路径（{_SETUP}）")
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("服务账号密钥文件 %s 可被其他用户读取，请执行 chmod 600 %s", path.name, path.name)
    return path


def load_credentials(path: Path) -> service_account.Credentials:
    """The key file's credentials, shared by every book opened with it (one key parse, one token)."""
    return _credentials(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _credentials(path: str, _mtime_ns: int) -> service_account.Credentials:
    try:
        credentials: service_account.Credentials = service_account.Credentials.from_service_account_file(
            path, scopes=list(SCOPES))
        return credentials
    except (ValueError, KeyError) as err:  # google-auth's words for a malformed key file
        raise DispatchError("Google 凭据", f"密钥文件 {Path(path).name} 不是有效的服务账号 JSON",
                            f"请在 Google Cloud 控制台重新下载服务账号密钥（{_SETUP}）") from err


class GSheetsBook:
    """One Google spreadsheet, opened with a service account."""

    def __init__(self, spreadsheet: str, credentials: str | Path | None = None, *,
                 limiter: QuotaLimiter | None = None, retry: RetryPolicy | None = None,
                 transport: BaseAdapter | None = None, timeout: float = 60.0) -> None:
        self.id = spreadsheet_id(spreadsheet)
        self.label = f"gsheet:{self.id}"
        creds = load_credentials(credentials_path(credentials))
        self.account = creds.service_account_email
        self._http = gspread.Client(creds).http_client
        self._http.set_timeout(timeout)
        if transport is not None:
            for prefix in GOOGLE_APIS:
                self._http.session.mount(prefix, transport)
        self._limiter = limiter or limiter_for(self.account)
        self._retry = retry or RetryPolicy()
        self._states: dict[str, SheetState] | None = None
        self._values: dict[str, Grid] = {}

    # ---- Backend --------------------------------------------------------------------------

    def sheet_names(self) -> list[str]:
        return list(self._metadata())

    def merged_cells(self, name: str) -> list[tuple[int, int, int, int]]:
        """Merged blocks of a tab (from the metadata request: no extra request)."""
        state = self._metadata().get(name)
        return list(state.merges) if state else []

    def owned_tabs(self) -> set[str]:
        """Tabs carrying the sync's developer metadata (written on every tab the sync owns)."""
        return {title for title, state in self._metadata().items() if state.mark is not None}

    def read(self, names: Sequence[str]) -> dict[str, Grid]:
        """The asked tabs in one request; the sync-owned tabs come along for :meth:`write`."""
        states = self._metadata()
        missing = [n for n in names if n not in states]
        if missing:
            raise DispatchError(self.label, f"找不到工作表「{missing[0]}」", "请检查工作表名称")
        titles = list(dict.fromkeys([*names, *(t for t, s in states.items() if s.mark is not None)]))
        if not titles:
            return {}
        params: ParamsType = {"valueRenderOption": "UNFORMATTED_VALUE",
                                  "dateTimeRenderOption": "SERIAL_NUMBER", "majorDimension": "ROWS"}
        answer = self._call("读取", lambda: self._http.values_batch_get(self.id, [sheet_ref(t) for t in titles], params))
        for title, value_range in zip(titles, answer.get("valueRanges", []), strict=True):
            self._values[title] = _grid(value_range.get("values", []))
        return {n: self._values[n] for n in names}

    def changes(self, plan: WritePlan) -> list[str]:
        """The tabs :meth:`write` would touch: the same requests, built and not sent."""
        return request_tabs(self._requests(plan), self._metadata())

    def write(self, plan: WritePlan) -> bool:
        """Only what changed, in bodies under 2 MB; nothing at all when the plan changes nothing.

        Each body is one atomic batchUpdate. A daily sync usually fits one; when it needs more, every
        tab's marker follows its cells, so a write cut short is completed by the next sync."""
        requests = self._requests(plan)
        if not requests:
            log.info("%s: 内容无变化，未写入", self.label)
            return False
        touched = request_tabs(requests, self._metadata())
        bodies = batches(requests)
        for done, body in enumerate(bodies):
            try:
                self._call("写入" if len(bodies) == 1 else f"写入第 {done + 1}/{len(bodies)} 批",
                           functools.partial(self._http.batch_update, self.id, {"requests": body}),
                           resend_safe=False)
            except DispatchError as err:
                if done:
                    err.fix = (f"已写入前 {done} 批（每批是原子的，工作表不会出现半行）；"
                               "请重新运行同步，它会补齐其余差异")
                raise
        self._states = None
        self._values.clear()
        self.written_tabs = touched
        return True

    def _requests(self, plan: WritePlan) -> list[dict[str, Any]]:
        """The requests for ``plan``; refused before any is built when the book would pass Google's cell limit."""
        try:
            return build_requests(plan, self._metadata(), self._values, CELL_LIMIT)
        except TooManyCells as too_many:
            raise DispatchError(self.label, f"同步后表格将有 {too_many.cells:,} 个单元格，超过 Google 表格每个文件 "
                                            f"{too_many.limit:,} 个单元格的上限",
                                "本次未写入任何内容。请把往月的月度任务表归档到另一个表格（或删除其空行空列），"
                                "或改为按单位分册（每个基层党委一个表格）后再同步") from too_many

    # ---- requests -------------------------------------------------------------------------

    def _metadata(self) -> dict[str, SheetState]:
        if self._states is None:
            params: ParamsType = {"fields": METADATA_FIELDS, "includeGridData": "false"}
            self._states = parse_metadata(dict(self._call(
                "读取表格结构", lambda: self._http.fetch_sheet_metadata(self.id, params))))
        return self._states

    def _call(self, what: str, request: Callable[[], T], *, resend_safe: bool = True) -> T:
        def attempt() -> T:
            self._limiter.acquire()
            return request()
        try:
            return self._retry.run(attempt, where=f"{self.label}（{what}）", resend_safe=resend_safe)
        except RefreshError as err:
            raise DispatchError("Google 凭据", "服务账号认证失败",
                                f"请确认密钥文件有效、服务账号未被停用（{_SETUP}）") from err
        except APIError as err:
            raise self._explain(err) from err

    def _explain(self, err: APIError) -> DispatchError:
        status = err.response.status_code
        if status == 403:
            return DispatchError(self.label, "服务账号无权访问该表格",
                                 f"请在表格的「共享」中把 {self.account} 添加为编辑者（{_SETUP}）")
        if status == 404:
            return DispatchError(self.label, "找不到该 Google 表格", "请检查表格 ID 或链接，并确认表格已共享给服务账号")
        return RemoteError(self.label, f"Google 表格接口拒绝了请求（HTTP {status}：{err.error.get('message', '')}）",
                           "未写入任何内容")


def _grid(rows: list[list[Any]]) -> Grid:
    """API rows (trimmed, ragged, '' for empty) -> a rectangular grid with None for empty cells."""
    width = max((len(r) for r in rows), default=0)
    return [[None if v == "" else v for v in row] + [None] * (width - len(row)) for row in rows]
