"""Naming a spreadsheet, finding the service-account key, and the errors a user can fix."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from standin import StandinSession, running_standin
from sync.backends import spreadsheet_id
from sync.backends.gsheets.book import credentials_path
from sync.errors import EXIT_USER_ERROR, DispatchError

SID = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd"


@pytest.fixture(scope="module")
def standin() -> Iterator[StandinSession]:
    with running_standin() as session:
        yield session


@pytest.mark.parametrize("name", [f"gsheet:{SID}", SID, f"https://docs.google.com/spreadsheets/d/{SID}/edit#gid=0",
                                  f"gsheet:https://docs.google.com/spreadsheets/d/{SID}"])
def test_a_spreadsheet_is_named_by_id_or_url(name: str) -> None:
    assert spreadsheet_id(name) == SID


@pytest.mark.parametrize("name", ["gsheet:", "example.xlsx", "gsheet:abc"])
def test_a_bad_name_is_a_user_error(name: str) -> None:
    with pytest.raises(DispatchError, match="不是有效的 Google 表格地址"):
        spreadsheet_id(name)


def key_file(folder: Path, name: str, mode: int = 0o600) -> Path:
    path = folder / name
    path.write_text("{}")
    path.chmod(mode)
    return path


def test_credentials_come_from_the_argument_then_the_environment(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    ours, google, explicit = (key_file(tmp_path, n) for n in ("ours.json", "google.json", "explicit.json"))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(google))
    assert credentials_path() == google
    monkeypatch.setenv("DISPATCHBOOK_CREDENTIALS", str(ours))
    assert credentials_path() == ours
    assert credentials_path(explicit) == explicit


def test_missing_credentials_say_how_to_give_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DISPATCHBOOK_CREDENTIALS", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    with pytest.raises(DispatchError, match="--credentials") as caught:
        credentials_path()
    assert caught.value.exit_code == EXIT_USER_ERROR
    with pytest.raises(DispatchError, match="找不到服务账号密钥文件"):
        credentials_path(tmp_path / "absent.json")


def test_a_key_readable_by_others_is_warned_about_without_its_content(standin: StandinSession, tmp_path: Path,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    leaky = tmp_path / "leaky.json"
    leaky.write_text(standin.credentials.read_text())
    leaky.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        credentials_path(leaky)
    assert "chmod 600" in caplog.text and "PRIVATE KEY" not in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        credentials_path(standin.credentials)
    assert caplog.text == ""


def test_a_malformed_key_file_is_a_user_error(standin: StandinSession, tmp_path: Path) -> None:
    bad = key_file(tmp_path, "bad.json")
    with pytest.raises(DispatchError, match="不是有效的服务账号 JSON"):
        standin.book(standin.seed({"a": [[1]]}), credentials=bad)


def test_a_spreadsheet_not_shared_with_the_account_says_whom_to_share_with(standin: StandinSession) -> None:
    sid = standin.seed({"a": [[1]]})
    standin.api.share(sid, "someone-else@example.iam.gserviceaccount.com")
    book = standin.book(sid)
    with pytest.raises(DispatchError, match="无权访问") as caught:
        book.sheet_names()
    assert book.account in str(caught.value)
    assert standin.api.counts(sid) == {"spreadsheets.get": 1}  # a 403 is not retried


def test_an_unknown_spreadsheet_is_a_user_error(standin: StandinSession) -> None:
    with pytest.raises(DispatchError, match="找不到该 Google 表格"):
        standin.book("1" + "x" * 43).sheet_names()


def test_a_key_the_token_endpoint_cannot_verify_is_refused(standin: StandinSession, tmp_path: Path) -> None:
    info = json.loads(standin.credentials.read_text())
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    info["private_key"] = other.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()).decode()
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(info))
    os.chmod(forged, 0o600)
    with pytest.raises(DispatchError, match="服务账号认证失败"):
        standin.book(standin.seed({"a": [[1]]}), credentials=forged).sheet_names()
    assert standin.api.log[-1].kind == "token" and standin.api.log[-1].status == 400


def test_the_api_requires_a_token_it_issued(standin: StandinSession) -> None:
    sid = standin.seed({"a": [[1]]})
    for headers in ({}, {"Authorization": "Bearer made-up"}):
        answer = requests.get(f"{standin.api.url}/v4/spreadsheets/{sid}", headers=headers, timeout=5)
        assert answer.status_code == 401 and answer.json()["error"]["status"] == "UNAUTHENTICATED"
