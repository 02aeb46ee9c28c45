"""What every channel shares: :class:`SendError` (transient ones are retried with backoff), splitting a
long text under a byte limit, and JSON over HTTP POST for the group robots."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable


class SendError(Exception):
    """A message did not go out. ``transient``: worth another try (server down, slow, 5xx, rate
    limited), after at least ``wait`` seconds; else retrying cannot help (bad signature, keyword)."""

    def __init__(self, text: str, *, transient: bool, wait: float = 0.0) -> None:
        super().__init__(text)
        self.transient, self.wait = transient, wait


def within(text: str, limit: int) -> bool:
    """Whether ``text`` takes at most ``limit`` bytes of UTF-8."""
    return len(text.encode("utf-8")) <= limit


def check_errcode(answer: dict[str, object], platform: str, rate_limited: int, notes: dict[int, str]) -> None:
    """Raise the :class:`SendError` an ``{"errcode": …, "errmsg": …}`` answer means (0: sent): the
    rate-limit code is transient (wait a minute); the others are not. ``notes`` explain known codes."""
    code = answer.get("errcode")
    if code == 0:
        return
    message = f"{platform}答复 errcode {code}：{answer.get('errmsg', '')}{notes.get(code, '') if isinstance(code, int) else ''}"
    if code == rate_limited:
        raise SendError(message, transient=True, wait=60.0)
    raise SendError(message, transient=False)


def split_text(text: str, fits: Callable[[str], bool]) -> list[str]:
    """``text`` in as few parts as ``fits`` allows, cut between lines (inside a line only when the
    line alone does not fit)."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        joined = f"{current}\n{line}" if current else line
        if fits(joined):
            current = joined
            continue
        if current:
            parts.append(current)
        current = ""
        while line and not fits(line):
            cut = len(line) - 1
            while cut > 1 and not fits(line[:cut]):
                cut = cut * 3 // 4
            parts.append(line[:cut])
            line = line[cut:]
        current = line
    if current or not parts:
        parts.append(current)
    return parts


def post_json(url: str, body: dict[str, object], timeout: float) -> dict[str, object]:
    """POST ``body`` as UTF-8 JSON; the answer's JSON. Errors never quote ``url`` (it holds the key)."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data, {"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured https URL
            raw = response.read()
    except urllib.error.HTTPError as error:
        transient = error.code >= 500 or error.code == 429
        raise SendError(f"服务器答复 HTTP {error.code}", transient=transient, wait=60.0 if error.code == 429 else 0.0) \
            from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        reason = getattr(error, "reason", error)
        what = "连接超时" if isinstance(reason, TimeoutError | socket.timeout) else "无法连接服务器"
        raise SendError(f"{what}（{type(reason).__name__}）", transient=True) from None
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SendError("服务器的答复不是 JSON", transient=True) from None
    if not isinstance(answer, dict):
        raise SendError("服务器的答复不是 JSON 对象", transient=True)
    return answer
