"""企业微信 group robot: POST ``{"msgtype": "text", "text": {"content": …}}`` to the webhook (its
``key`` is the secret; there is no signing). Text is at most 2048 bytes of UTF-8; each robot may send
20 messages a minute (errcode 45009 when exceeded); 93000 is an invalid webhook."""

from __future__ import annotations

from .channel import check_errcode, within
from .settings import RobotSettings

TEXT_BYTES = 2048
PER_SECOND: int | None = None
RATE_LIMITED = 45009


def payload(robot: RobotSettings, text: str, mentions: tuple[str, ...], now: float) -> tuple[str, dict[str, object]]:
    content: dict[str, object] = {"content": text}
    if mentions:
        content["mentioned_mobile_list"] = list(mentions)
    return robot.webhook.value, {"msgtype": "text", "text": content}


def fits(text: str) -> bool:
    return within(text, TEXT_BYTES)


def check(answer: dict[str, object]) -> None:
    check_errcode(answer, "企业微信", RATE_LIMITED, {RATE_LIMITED: "（超过每分钟 20 条）"})
