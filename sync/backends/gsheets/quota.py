"""Staying inside Google's quota: a shared per-account request limiter, and bounded retries.

Sheets allows 60 requests per minute per user. :class:`QuotaLimiter` keeps the times of the last
requests and makes a caller wait until fewer than ``per_minute`` fall in the past 60 seconds, so
no 60-second window ever holds more (a sliding-window log: exact, unlike a refilling bucket that
lets a full burst plus a minute's refill through). One limiter per service account is shared by
every book in the process. :class:`RetryPolicy` retries 429/5xx and timeouts with capped
exponential backoff and full jitter, then gives up with a :class:`RemoteError`.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import requests
from google.auth.exceptions import TransportError
from gspread.exceptions import APIError

from sync.errors import RemoteError

T = TypeVar("T")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
QUOTA_FIX = "未写入任何内容；请稍后重试。若经常出现，请减少同时同步的表格数（每个服务账号每分钟最多 60 次请求）"


class QuotaLimiter:
    """At most ``per_minute`` requests in any 60 seconds; thread-safe; clock and sleep injectable."""

    def __init__(self, per_minute: int = 60, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.per_minute = per_minute
        self._clock, self._sleep = clock, sleep
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Wait until one more request fits in the quota, then count it."""
        while True:
            with self._lock:
                now = self._clock()
                while self._sent and now - self._sent[0] >= 60:
                    self._sent.popleft()
                if len(self._sent) < self.per_minute:
                    self._sent.append(now)
                    return
                wait = 60 - (now - self._sent[0])
            self._sleep(wait)


_LIMITERS: dict[str, QuotaLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def limiter_for(account: str) -> QuotaLimiter:
    """The process-wide limiter of one service account (created on first use)."""
    with _LIMITERS_LOCK:
        return _LIMITERS.setdefault(account, QuotaLimiter())


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with full jitter: attempt n waits ``uniform(0, min(cap, base·2ⁿ))``."""

    attempts: int = 5
    base: float = 1.0
    cap: float = 32.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    rand: Callable[[], float] = field(default=random.random, compare=False)

    def run(self, call: Callable[[], T], *, where: str, resend_safe: bool = True) -> T:
        """``call()`` until it succeeds, retrying what is worth retrying; else a RemoteError.

        ``resend_safe=False`` (a write) is not repeated after a read timeout or a dropped
        connection, since the server may have applied it: the caller is told to run again.
        """
        for attempt in range(self.attempts):
            try:
                return call()
            except APIError as err:
                status = err.response.status_code
                if status not in RETRY_STATUSES:
                    raise
                reason = f"HTTP {status}"
            except (requests.ConnectTimeout, TransportError) as err:
                reason = type(err).__name__
            except (requests.Timeout, requests.ConnectionError) as err:
                if not resend_safe:
                    raise RemoteError(where, "写入请求超时或连接中断，无法确认是否已写入",
                                      "批量写入是原子的：表格要么已完整更新，要么未改动。请重新运行同步，"
                                      "它会补齐差异") from err
                reason = type(err).__name__
            if attempt + 1 < self.attempts:
                self.sleep(self.rand() * min(self.cap, self.base * 2 ** attempt))
        raise RemoteError(where, f"Google 表格接口连续 {self.attempts} 次失败（{reason}）", QUOTA_FIX)
