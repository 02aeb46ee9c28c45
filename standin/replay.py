"""Replay recorded Google API traffic against the stand-in and report where it answers differently.

Each cassette (vcrpy JSON: ``{"interactions": [{"request", "response"}]}``) is fed, request by
request and in order, to a fresh stand-in through the real google-auth session. IDs the real API
made up for what a request created (a new file's ID, the IDs in batchUpdate replies: new sheet,
chart, metadata IDs) are learnt from its answers and mapped to the
stand-in's, so later requests that use them reach the same objects. Status codes and bodies are
compared after leaving out server clock fields (``createdTime``, ``modifiedTime``) and etags.

    python -m standin.replay [RECORDINGS_DIR]

The folder defaults to ``$SHEETS_RECORDINGS_DIR``, else ``../shared/gsheets-recordings`` beside the
repository, else the copy in ``tests/data/gsheets-recordings``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account

from .auth import SHEETS_SCOPE, new_key
from .server import StandIn
from .transport import GOOGLE_APIS

IGNORED = frozenset({"createdTime", "modifiedTime", "etag"})
ID_KEYS = frozenset({"id", "spreadsheetId", "sheetId", "chartId", "metadataId", "objectId"})
DRIVE_SCOPE = "https://www.googleapis.com/auth/drive"


@dataclass(frozen=True)
class Outcome:
    cassette: str
    index: int
    request: str  # "GET https://…"
    agree: bool
    reason: str = ""


@dataclass
class IdMap:
    """Recorded IDs -> the stand-in's."""

    strings: dict[str, str] = field(default_factory=dict)
    numbers: dict[int, int] = field(default_factory=dict)

    def learn(self, recorded: Any, actual: Any, key: str = "") -> None:
        if isinstance(recorded, dict) and isinstance(actual, dict):
            for k in recorded.keys() & actual.keys():
                self.learn(recorded[k], actual[k], k)
        elif isinstance(recorded, list) and isinstance(actual, list):
            for r, a in zip(recorded, actual, strict=False):
                self.learn(r, a, key)
        elif key in ID_KEYS and recorded != actual and type(recorded) is type(actual):
            if isinstance(recorded, str) and len(recorded) > 8:
                self.strings.setdefault(recorded, actual)
            elif isinstance(recorded, int):
                self.numbers.setdefault(recorded, actual)

    def text(self, text: str) -> str:
        for recorded in sorted(self.strings, key=len, reverse=True):
            text = text.replace(recorded, self.strings[recorded])
        return text

    def json(self, value: Any, key: str = "") -> Any:
        """``value`` with recorded IDs replaced (and ignored fields dropped)."""
        if isinstance(value, dict):
            return {k: self.json(v, k) for k, v in value.items() if k not in IGNORED}
        if isinstance(value, list):
            return [self.json(v, key) for v in value]
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, int) and not isinstance(value, bool) and key in ID_KEYS:
            return self.numbers.get(value, value)
        return value


def default_dir() -> Path:
    if os.environ.get("SHEETS_RECORDINGS_DIR"):
        return Path(os.environ["SHEETS_RECORDINGS_DIR"])
    repo = Path(__file__).resolve().parents[1]
    shared = repo.parent / "shared" / "gsheets-recordings"
    return shared if shared.is_dir() else repo / "tests" / "data" / "gsheets-recordings"


def cassettes(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.json") if p.is_file())


def _first_difference(recorded: Any, actual: Any, path: str = "$") -> str:
    if isinstance(recorded, dict) and isinstance(actual, dict):
        for k in sorted(recorded.keys() | actual.keys()):
            if k not in actual or k not in recorded:
                return f"{path}.{k}: {'missing' if k not in actual else 'unexpected'}"
            if recorded[k] != actual[k]:
                return _first_difference(recorded[k], actual[k], f"{path}.{k}")
    if isinstance(recorded, list) and isinstance(actual, list) and len(recorded) == len(actual):
        for i, (r, a) in enumerate(zip(recorded, actual, strict=True)):
            if r != a:
                return _first_difference(r, a, f"{path}[{i}]")
    return f"{path}: recorded {json.dumps(recorded, ensure_ascii=False)[:200]}, " \
           f"stand-in {json.dumps(actual, ensure_ascii=False)[:200]}"


def _mapped_body(body: str, ids: IdMap) -> bytes:
    """A recorded request body with recorded IDs replaced by the stand-in's."""
    try:
        return json.dumps(ids.json(json.loads(body))).encode()
    except ValueError:
        return ids.text(body).encode()


@functools.cache
def _key() -> rsa.RSAPrivateKey:
    """One RSA key for every replayed cassette (making one takes a while)."""
    return new_key()


def replay_cassette(path: Path) -> Iterator[Outcome]:
    """Feed every recorded request of one cassette to a fresh stand-in, in order."""
    interactions = json.loads(path.read_text(encoding="utf-8"))["interactions"]
    with StandIn() as api, tempfile.TemporaryDirectory() as tmp:
        key = api.new_service_account(Path(tmp) / "service-account.json", key=_key())
        credentials = service_account.Credentials.from_service_account_file(
            str(key), scopes=[SHEETS_SCOPE, DRIVE_SCOPE])
        session = AuthorizedSession(credentials)
        for prefix in GOOGLE_APIS:
            session.mount(prefix, api.adapter())
        ids = IdMap()
        for index, interaction in enumerate(interactions):
            request, response = interaction["request"], interaction["response"]
            body = request.get("body")
            if isinstance(body, dict):
                body = body.get("string")
            data = _mapped_body(body, ids) if body else None
            answer = session.request(request["method"], ids.text(request["uri"]), data=data,
                                     headers={"Content-Type": "application/json"} if data else None)
            label = f"{request['method']} {request['uri']}"
            recorded_text = response["body"]["string"]
            status = response["status"]["code"]
            if answer.status_code != status:
                yield Outcome(path.name, index, label, False, f"status {answer.status_code}, recorded {status}")
                continue
            if not recorded_text.strip() or not answer.content.strip():
                agree = not recorded_text.strip() and not answer.content.strip()
                yield Outcome(path.name, index, label, agree, "" if agree else "one body is empty")
                continue
            recorded, actual = json.loads(recorded_text), answer.json()
            # learn only IDs the server made up for something just created (never mask a wrong ID)
            if request["method"] == "POST" and urlsplit(request["uri"]).path == "/drive/v3/files":
                ids.learn(recorded, actual)
            elif isinstance(recorded, dict) and "replies" in recorded:
                ids.learn(recorded["replies"], actual.get("replies"))
            expected, got = ids.json(recorded), ids.json(actual)
            yield Outcome(path.name, index, label, expected == got,
                          "" if expected == got else _first_difference(expected, got))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Replay recorded Google Sheets traffic against the stand-in.")
    parser.add_argument("folder", nargs="?", type=Path, default=None, help="folder of vcrpy JSON cassettes")
    folder = parser.parse_args(argv).folder or default_dir()
    agree = total = 0
    for path in cassettes(folder):
        outcomes = list(replay_cassette(path))
        good = sum(o.agree for o in outcomes)
        agree, total = agree + good, total + len(outcomes)
        print(f"{path.name}: {good}/{len(outcomes)}")
        for o in outcomes:
            if not o.agree:
                print(f"  [{o.index}] {o.request}\n      {o.reason}")
    print(f"{agree}/{total} interactions agree")
    return 0 if agree == total else 1


if __name__ == "__main__":
    sys.exit(main())
