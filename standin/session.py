"""A running stand-in with a service account, ready to open books on: for tests and the offline demo."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sync.backends.gsheets import GSheetsBook

from .server import StandIn


@dataclass(frozen=True)
class StandinSession:
    """The stand-in, the key file of a service account it knows, and a factory of books on it."""

    api: StandIn
    credentials: Path

    def seed(self, grids: Mapping[str, Sequence[Sequence[Any]]], title: str = "dispatchbook") -> str:
        """A new spreadsheet holding ``grids`` (tab -> rows); returns its ID (no request is counted)."""
        return self.api.seed(grids, title)

    def book(self, spreadsheet: str, **options: Any) -> GSheetsBook:
        """A :class:`GSheetsBook` on a stand-in spreadsheet (``options`` go to GSheetsBook)."""
        options.setdefault("credentials", self.credentials)
        return GSheetsBook(spreadsheet, transport=self.api.adapter(), **options)


@contextmanager
def running_standin(folder: Path | None = None, **options: Any) -> Iterator[StandinSession]:
    """Start a stand-in (``options`` go to :class:`StandIn`), write a key file into ``folder``
    (a temporary one by default), yield the session, stop the stand-in afterwards."""
    with tempfile.TemporaryDirectory() as tmp, StandIn(**options) as api:
        key = api.new_service_account(Path(folder or tmp) / "standin-service-account.json")
        yield StandinSession(api, key)
