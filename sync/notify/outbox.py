"""Sent messages in the history database (table ``sent_messages``, created on open, also in older
databases): a message is claimed in a transaction before it is sent, so a rerun, a catch-up or a second
process never sends it again. A claim whose sender died mid-send stays ``sending`` and is listed (it may
or may not have arrived) rather than sent a second time. ``robot_posts`` counts each robot's posts of
the last minute, for every process that shares the database."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, date, datetime

import pandas as pd

from ..history import History
from .compose import Message

SCHEMA = """CREATE TABLE IF NOT EXISTS sent_messages (key TEXT PRIMARY KEY, book TEXT NOT NULL, day TEXT NOT NULL,
    kind TEXT NOT NULL, recipient TEXT NOT NULL, channel TEXT NOT NULL, address TEXT NOT NULL,
    subject TEXT NOT NULL, body TEXT NOT NULL, attachment TEXT, state TEXT NOT NULL,
    parts_sent INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, claimed TEXT, sent TEXT,
    error TEXT NOT NULL DEFAULT '', owner TEXT)"""
INDEX = "CREATE INDEX IF NOT EXISTS sent_messages_day ON sent_messages(book, day)"
POSTS = "CREATE TABLE IF NOT EXISTS robot_posts (robot TEXT NOT NULL, at REAL NOT NULL)"  # the last minute's posts
STATES = {"sending": "发送中/状态不明", "sent": "已发送", "failed": "发送失败"}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Outbox:
    """The sent-message store on a :class:`History`'s connection."""

    def __init__(self, history: History, max_rounds: int = 3) -> None:
        self.history, self.max_rounds = history, max_rounds  # runs that may try a failed message
        self.owner = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        with history.transaction() as db:
            db.execute(SCHEMA)
            db.execute(INDEX)
            db.execute(POSTS)

    def claim(self, book: str, day: date, message: Message) -> tuple[str, int] | None:
        """(key, parts already sent) when this process may send ``message`` now; None when it was sent,
        is being sent, or failed in ``max_rounds`` runs already."""
        key = message.key(book, day)
        with self.history.transaction() as db:
            row = db.execute("SELECT state, parts_sent, attempts FROM sent_messages WHERE key = ?", (key,)).fetchone()
            if row is None:
                db.execute("INSERT INTO sent_messages (key, book, day, kind, recipient, channel, address, subject, "
                           "body, attachment, state, claimed, owner) VALUES (?,?,?,?,?,?,?,?,?,?,'sending',?,?)",
                           (key, book, day.isoformat(), message.kind, message.recipient, message.channel,
                            message.address, message.subject, message.body,
                            str(message.attachment) if message.attachment else None, _now(), self.owner))
                return key, 0
            state, parts, rounds = row
            if state != "failed" or rounds >= self.max_rounds:
                return None
            db.execute("UPDATE sent_messages SET state = 'sending', claimed = ?, owner = ? WHERE key = ?",
                       (_now(), self.owner, key))
            return key, int(parts)

    def progress(self, key: str, parts_sent: int) -> None:
        """Remember that the first ``parts_sent`` parts arrived (a retry resumes after them)."""
        with self.history.transaction() as db:
            db.execute("UPDATE sent_messages SET parts_sent = ? WHERE key = ?", (parts_sent, key))

    def finish(self, key: str, error: str = "") -> None:
        """The message was sent (no ``error``), or this run gave up on it with ``error``."""
        with self.history.transaction() as db:
            db.execute("UPDATE sent_messages SET state = ?, sent = ?, error = ?, attempts = attempts + 1 "
                       "WHERE key = ?", ("failed" if error else "sent", None if error else _now(), error, key))

    def take_turn(self, robot: str, now: float, per_minute: int, per_second: int | None = None) -> float:
        """0 when a post to ``robot`` may go now (and is counted); else the seconds to wait. Counted
        across every process that shares the database."""
        with self.history.transaction() as db:
            db.execute("DELETE FROM robot_posts WHERE robot = ? AND at <= ?", (robot, now - 60))
            waits = []
            for span, limit in ((60.0, per_minute), (1.0, per_second)):
                if limit is not None:
                    times = [at for (at,) in db.execute("SELECT at FROM robot_posts WHERE robot = ? AND at > ? "
                                                        "ORDER BY at DESC LIMIT ?", (robot, now - span, limit))]
                    if len(times) >= limit:
                        waits.append(times[-1] + span - now)
            if not waits:
                db.execute("INSERT INTO robot_posts VALUES (?, ?)", (robot, now))
                return 0.0
            return max(0.01, *waits)

    def listing(self, book: str, limit: int = 200) -> pd.DataFrame:
        """The latest messages of ``book``, newest day first."""
        return pd.read_sql_query(
            "SELECT day, kind, recipient, channel, subject, attachment, state, attempts, sent, error "
            "FROM sent_messages WHERE book = ? ORDER BY day DESC, rowid DESC LIMIT ?",
            self.history.db, params=(book, limit))
