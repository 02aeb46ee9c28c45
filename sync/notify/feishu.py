"""飞书 custom group robot: POST ``{"timestamp": …, "sign": …, "msg_type": "text", "content": {"text": …}}``
where ``timestamp`` is in seconds (within an hour of the server's clock) and ``sign`` is the Base64 of
HMAC-SHA256 keyed by ``timestamp + "\\n" + secret`` over an empty message (签名校验). A request body is
at most 20 KB; 100 requests a minute and 5 a second per robot. Codes: 19021 sign match fail or
timestamp not within one hour, 19024 Key Words Not Found, 11232 / 9499 / 99991400 / HTTP 429 rate limits."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from .channel import SendError
from .settings import RobotSettings

BODY_BYTES = 20 * 1024
PER_SECOND: int | None = 5  # 5 requests a second per robot
RATE_LIMITED = {9499, 11232, 99991400}
BAD_SIGN, NO_KEYWORD = 19021, 19024


def sign(secret: str, timestamp: int) -> str:
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def payload(robot: RobotSettings, text: str, mentions: tuple[str, ...], now: float) -> tuple[str, dict[str, object]]:
    body: dict[str, object] = {"msg_type": "text", "content": {"text": text}}
    if robot.secret:
        stamp = int(now)
        body = {"timestamp": str(stamp), "sign": sign(robot.secret.value, stamp), **body}
    return robot.webhook.value, body


def fits(text: str) -> bool:
    envelope = {"timestamp": "0000000000", "sign": "x" * 44, "msg_type": "text", "content": {"text": text}}
    return len(json.dumps(envelope, ensure_ascii=False).encode("utf-8")) <= BODY_BYTES


def check(answer: dict[str, object]) -> None:
    code = answer.get("code", answer.get("StatusCode"))
    if code == 0:
        return
    message = f"飞书答复 code {code}：{answer.get('msg', answer.get('StatusMessage', ''))}"
    if code in RATE_LIMITED:
        raise SendError(message + "（发送过于频繁）", transient=True, wait=60.0)
    if code == BAD_SIGN:
        raise SendError(message + "（签名不符或服务器时钟偏差超过 1 小时）", transient=False)
    if code == NO_KEYWORD:
        raise SendError(message + "（消息中缺少机器人设置的关键词：请在配置中写 keyword）", transient=False)
    raise SendError(message, transient=False)
