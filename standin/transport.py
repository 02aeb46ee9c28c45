"""A requests transport adapter that sends Google API calls to the local stand-in instead."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter

from sync.backends.gsheets.book import GOOGLE_APIS

__all__ = ["GOOGLE_APIS", "RedirectAdapter"]


class RedirectAdapter(HTTPAdapter):
    """Mounted on a session for the Google API prefixes: same path and query, local host."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        parts = urlsplit(request.url or "")
        request.url = self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().send(request, *args, **kwargs)
