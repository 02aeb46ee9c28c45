"""Sending composed messages once: each is claimed in the :class:`Outbox`, sent by its channel (long
robot texts in parts, under each robot's per-minute limit), retried with backoff a bounded number of
times when the failure is transient, and recorded as sent or failed. Errors never carry a secret."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from types import ModuleType

from . import dingtalk, feishu, mail, wecom
from .channel import SendError, post_json, split_text
from .compose import EMAIL, Message
from .outbox import Outbox
from .secrets import redact
from .settings import NotifySettings, RobotSettings

ROBOTS: dict[str, ModuleType] = {"wecom": wecom, "dingtalk": dingtalk, "feishu": feishu}
MAX_WAIT = 120.0  # the longest single pause between tries (a robot's rate-limit answer asks for 60 s)


@dataclass
class Report:
    sent: list[Message] = field(default_factory=list)
    skipped: list[Message] = field(default_factory=list)  # sent before, or being sent by another process
    failed: list[tuple[Message, str]] = field(default_factory=list)


class Deliverer:
    """Sends messages for one process; ``clock`` and ``sleep`` are injectable for tests."""

    def __init__(self, settings: NotifySettings, outbox: Outbox, *, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings, self.outbox, self.clock, self.sleep = settings, outbox, clock, sleep

    def deliver(self, book: str, day: date, messages: list[Message]) -> Report:
        report = Report()
        for message in messages:
            claim = self.outbox.claim(book, day, message)
            if claim is None:
                report.skipped.append(message)
                continue
            key, done = claim
            error = self._with_retries(message, key, done)
            self.outbox.finish(key, error)
            if error:
                report.failed.append((message, error))
            else:
                report.sent.append(message)
        return report

    def _with_retries(self, message: Message, key: str, done: int) -> str:
        """'' once sent; else the last error (after ``attempts`` tries, or at once when not transient). A
        retry of a robot message resumes after the parts that arrived."""
        parts_sent = [done]
        for attempt in range(self.settings.attempts):
            try:
                if message.channel == EMAIL:
                    assert self.settings.email is not None
                    mail.send(self.settings.email, message, self.settings.timeout_seconds)
                else:
                    self._robot(self.settings.robots[message.channel], message, key, parts_sent)
                return ""
            except SendError as error:
                text = redact(str(error), self.settings.secrets())
                if not error.transient or attempt + 1 == self.settings.attempts:
                    return f"{text}（已尝试 {attempt + 1} 次）"
                self.sleep(min(MAX_WAIT, max(error.wait, self.settings.backoff_seconds * 2 ** attempt)))
        return "未发送"

    def _robot(self, robot: RobotSettings, message: Message, key: str, parts_sent: list[int]) -> None:
        api = ROBOTS[robot.kind]
        text = f"{message.subject}\n{message.body}"
        if robot.keyword and robot.keyword not in text:
            text = f"【{robot.keyword}】{text}"
        margin = "（99/99）\n" + (f"【{robot.keyword}】" if robot.keyword else "") + "".join(f" @{m}" for m in message.mentions)
        parts = split_text(text, lambda t: api.fits(margin + t))
        for number in range(parts_sent[0], len(parts)):
            part = parts[number]
            if len(parts) > 1:
                keyword = f"【{robot.keyword}】" if robot.keyword and robot.keyword not in part else ""
                part = f"（{number + 1}/{len(parts)}）{keyword}\n{part}"
            self._wait_turn(robot)
            url, body = api.payload(robot, part, message.mentions, self.clock())
            api.check(post_json(url, body, self.settings.timeout_seconds))
            parts_sent[0] = number + 1
            self.outbox.progress(key, number + 1)

    def _wait_turn(self, robot: RobotSettings) -> None:
        """At most ``per_minute`` posts to one robot in any 60 seconds (and its platform's per-second limit),
        counting every process."""
        per_second = ROBOTS[robot.kind].PER_SECOND
        while (wait := self.outbox.take_turn(robot.name, self.clock(), robot.per_minute, per_second)) > 0:
            self.sleep(wait)
