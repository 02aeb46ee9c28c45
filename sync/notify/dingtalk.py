"""钉钉 custom group robot: POST ``{"msgtype": "text", "text": {"content": …}, "at": …}`` to the webhook
with ``timestamp`` (milliseconds) and ``sign`` = URL-encoded Base64 of HMAC-SHA256 over
``timestamp + "\\n" + secret`` keyed by the secret (加签). 20 messages a minute per robot (errcode 130101,
then throttled for 10 minutes); a mobile in ``at.atMobiles`` is
@-mentioned only when ``@mobile`` is also in the text; errcode 310000 is a security check that failed (sign not match,
keywords not in content, ip not in whitelist). Parts are kept to 4096 bytes (a conservative bound)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse

from .channel import check_errcode, within
from .settings import RobotSettings

TEXT_BYTES = 4096
PER_SECOND: int | None = None
RATE_LIMITED = 130101
SECURITY = 310000


def sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def payload(robot: RobotSettings, text: str, mentions: tuple[str, ...], now: float) -> tuple[str, dict[str, object]]:
    url = robot.webhook.value
    if robot.secret:
        stamp = int(now * 1000)
        query = urllib.parse.urlencode({"timestamp": stamp, "sign": sign(robot.secret.value, stamp)})
        url += ("&" if "?" in url else "?") + query
    text += "".join(f" @{mobile}" for mobile in mentions if f"@{mobile}" not in text)  # DingTalk @s those in the text
    return url, {"msgtype": "text", "text": {"content": text},
                 "at": {"atMobiles": list(mentions), "isAtAll": False}}


def fits(text: str) -> bool:
    return within(text, TEXT_BYTES)


def check(answer: dict[str, object]) -> None:
    check_errcode(answer, "钉钉", RATE_LIMITED, {RATE_LIMITED: "（超过每分钟 20 条，钉钉将限流 10 分钟）",
                                               SECURITY: "（安全设置未通过：检查加签密钥、关键词 keyword 或 IP 白名单）"})
