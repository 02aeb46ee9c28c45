"""The scheduler's log: one ``key=value`` line per job per book, to a file or to stderr."""

from __future__ import annotations

import json
import logging
import sys
from datetime import date, datetime, tzinfo
from pathlib import Path

log = logging.getLogger("dispatchbook")


def fields(**values: object) -> str:
    """One structured log line: key=value pairs, values with spaces or quotes JSON-quoted."""
    parts = []
    for key, value in values.items():
        text = value.isoformat() if isinstance(value, date) else str(value)
        if not text or any(c in text for c in ' "=\n'):
            text = json.dumps(text, ensure_ascii=False)
        parts.append(f"{key}={text}")
    return " ".join(parts)


class _Stderr:
    """Whatever ``sys.stderr`` is at the time of writing (a progress bar may be redirecting it)."""

    def write(self, text: str) -> None:
        sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


class _Formatter(logging.Formatter):
    """Times in the rhythm's timezone, with their offset."""

    def __init__(self, zone: tzinfo) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return datetime.fromtimestamp(record.created, self.zone).isoformat(timespec="seconds")


def log_to(path: Path | None, zone: tzinfo) -> None:
    """Send the scheduler's log lines to ``path`` (appending) or, without one, to stderr."""
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8") if path else logging.StreamHandler(_Stderr())
    handler.setFormatter(_Formatter(zone))
    log.handlers = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False
