"""A re-run that can change nothing is not run: the record a sync leaves for the next one.

A plain sync (no history, not a dry run, no unit books) that writes an .xlsx book leaves a record in
it: a digest of everything the sync's output depends on besides the book (the sync's code, the rules,
the book's name, the as-of day, the jobs and periods asked for) and what its summary showed. The
backend keeps it with a digest of every part of the file as written (see
:meth:`sync.backends.xlsx.XlsxBook.kept_record`). When the next sync asks for the same run and no
part of the book changed since, the sync would read the very book it wrote and write nothing: it is
not run, and the record tells what the last one found. Any edit saved by Excel or WPS rewrites the
parts (and drops the record), so the next sync runs in full.

A sync that made or grew a month sheet leaves no record: the sync after it still rewrites the summary
tabs once (it reads the new rows back from the sheet), so only that one's record would hold.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Protocol, runtime_checkable

from .digests import code_digest, rules_text
from .rulebook import Rulebook

_VERSION = 1


@runtime_checkable
class Recording(Protocol):
    """A backend that keeps a record with what it writes (the .xlsx backend)."""

    label: str

    def kept_record(self) -> str | None:
        """The record the last write left, if nothing in the book changed since."""

    def keep_record(self, record: str) -> None:
        """Leave ``record`` with the next write."""


@dataclass(frozen=True)
class Findings:
    """What a sync's summary shows of what it found."""

    jobs: list[str]
    colours: list[tuple[str, str, int]]  # (label, fill, tasks) in palette order
    month: tuple[int, int]  # the assessed month
    bottom: list[tuple[str, list[tuple[str, float]]]]  # level -> its weakest units (name, score)
    taken: list[tuple[str, str]]  # (tab, fix): staff tabs with a name the sync writes, left alone
    problems: int  # data problems


@dataclass(frozen=True)
class Unchanged:
    """What the last sync of the same run found; the book has not changed since it wrote it."""

    as_of: date
    synced_at: datetime  # aware (UTC)
    findings: Findings


def run_key(label: str, as_of: date, *, rules: Rulebook, jobs: list[str] | None,
            month: tuple[int, int] | None, week: date | None) -> str:
    """A digest of everything a sync's output depends on besides the book's contents."""
    h = hashlib.blake2b(digest_size=16)
    h.update(code_digest())
    h.update(rules_text(rules).encode())
    h.update(repr((_VERSION, label, as_of, jobs, month, week)).encode())
    return h.hexdigest()


def unchanged_since(backend: object, key: str) -> Unchanged | None:
    """The last sync's findings if it ran as ``key`` and nothing in the book changed since it wrote."""
    text = backend.kept_record() if isinstance(backend, Recording) else None
    if text is None:
        return None
    try:
        record = json.loads(text)
        if record["key"] != key:
            return None
        found = Findings(list(record["jobs"]), [(str(label), str(fill), int(n)) for label, fill, n in record["colours"]],
                         (int(record["month"][0]), int(record["month"][1])),
                         [(str(level), [(str(name), float(score)) for name, score in units])
                          for level, units in record["bottom"]],
                         [(str(tab), str(fix)) for tab, fix in record["taken"]], int(record["problems"]))
        return Unchanged(date.fromisoformat(record["as_of"]), datetime.fromisoformat(record["at"]), found)
    except (ValueError, KeyError, TypeError, IndexError):  # not a record this version wrote
        return None


def keep(backend: object, key: str, as_of: date, findings: Findings) -> None:
    """Have ``backend`` keep the record of this sync with its write (if it can)."""
    if isinstance(backend, Recording):
        backend.keep_record(json.dumps({"key": key, "as_of": as_of.isoformat(),
                                        "at": datetime.now(UTC).isoformat(timespec="seconds"),
                                        **asdict(findings)}, sort_keys=True))
