"""Reminders and bulletins: composed from the example book's 通讯录, sent once through a real local SMTP
server (aiosmtpd, STARTTLS + login) and local stand-ins of the WeCom, DingTalk and Feishu robot APIs."""

from __future__ import annotations

import email
import email.policy
import multiprocessing
import shutil
import socket
import ssl
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from sync.backends.xlsx import XlsxBook
from sync.cli import main
from sync.config import load_config
from sync.engine import run_sync
from sync.history import History
from sync.notify.compose import Message
from sync.notify.deliver import Deliverer
from sync.notify.outbox import Outbox
from sync.notify.service import notify
from sync.resources import example_workbook
from tests.notify_servers import KEYWORD, SECRET, robot_api, self_signed

AS_OF = date(2026, 11, 18)
CONTACTS = [("单位", "姓名", "职务", "手机", "邮箱", "群机器人"),
            ("一矿党委", "单位党委书记", "书记", "13800000001", "yikuang@example.org", "钉钉调度群"),
            ("二矿党委", "单位党委书记", "书记", "13800000002", "erkuang@example.org", "飞书调度群"),
            ("集团党委", "党委工作部联络员", "联络员", "", "lianluo@example.org", "企业微信调度群"),
            ("一矿党委", "组织部联络员", "联络员", "", "zuzhi1@example.org", ""),
            ("二矿党委", "组织部联络员", "联络员", "", "zuzhi2@example.org", ""),
            ("集团党委", "宣传部部长", "部长", "", "xuanchuan@example.org", "")]


def _book(tmp_path: Path) -> Path:
    path = tmp_path / "党建调度.xlsx"
    shutil.copyfile(example_workbook(), path)
    wb = openpyxl.load_workbook(path)
    sheet = wb.create_sheet("通讯录")
    for row in CONTACTS:
        sheet.append(row)
    wb.save(path)
    return path


def _config(tmp_path: Path, book: Path, smtp_port: int, ca: Path, extra: str = "") -> Path:
    path = tmp_path / "dispatchbook.toml"
    path.write_text(f'''history = "history.sqlite"
[[books]]
name = "集团台账"
path = "{book.name}"

[notify]
attempts = 3
backoff_seconds = 0.01
timeout_seconds = 1
{extra}
[notify.email]
host = "127.0.0.1"
port = {smtp_port}
security = "starttls"
user = "dispatch"
password = "env:TEST_SMTP_PASSWORD"
sender = "党建调度 <dispatch@example.org>"
ca_file = "{ca}"

[[notify.robots]]
name = "企业微信调度群"
kind = "wecom"
webhook = "env:TEST_WECOM"

[[notify.robots]]
name = "钉钉调度群"
kind = "dingtalk"
webhook = "env:TEST_DINGTALK"
secret = "env:TEST_ROBOT_SECRET"
keyword = "{KEYWORD}"

[[notify.robots]]
name = "飞书调度群"
kind = "feishu"
webhook = "env:TEST_FEISHU"
secret = "env:TEST_ROBOT_SECRET"
keyword = "{KEYWORD}"

[notify.groups]
weekly = ["企业微信调度群", "leaders@example.org"]
monthly = ["飞书调度群", "leaders@example.org"]

[notify.bulletin]
weekly = "通报/周通报-{{week}}.docx"
''', encoding="utf-8")
    return path


class Inbox:
    def __init__(self) -> None:
        self.mails: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.mails.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[attr-defined]
        return "250 OK"


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()

    def authenticate(server: object, session: object, envelope: object, mechanism: str, data: object) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login == b"dispatch" and data.password == b"s3cret-pw"
        return AuthResult(success=ok)

    with socket.socket() as probe:  # a free port (aiosmtpd's Controller cannot start on port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                      authenticator=authenticate, auth_require_tls=True)
    smtp.start()
    with robot_api() as api:
        for name, kind in (("TEST_WECOM", "wecom"), ("TEST_DINGTALK", "dingtalk"), ("TEST_FEISHU", "feishu")):
            monkeypatch.setenv(name, api.url(kind))
        monkeypatch.setenv("TEST_ROBOT_SECRET", SECRET)
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret-pw")
        book = _book(tmp_path)
        config = _config(tmp_path, book, port, cert)
        yield tmp_path, book, config, inbox, api
    smtp.stop()


def _outcome(book: Path, jobs: list[str]):
    return run_sync(XlsxBook(book), AS_OF, jobs=jobs, dry_run=True)


def test_reminders_digest_and_bulletins_reach_mail_and_robots(world) -> None:
    tmp_path, book, config_path, inbox, api = world
    (tmp_path / "通报").mkdir()
    (tmp_path / "通报" / "周通报-2026-11-16.docx").write_bytes(b"PK docx bytes")
    done = _deliver(config_path, book, ["daily", "weekly"])
    assert done.report is not None and not done.report.failed, done.report.failed
    assert len(done.report.sent) == len(done.messages) > 3
    by_address = {m["To"]: m for m in inbox.mails}
    first = by_address["yikuang@example.org"]
    assert first["Subject"].startswith("【催办】一矿党委 ")  # decoded from RFC 2047
    assert "=?utf-8?" in first.as_string().split("\n\n")[0]  # the header itself is encoded
    body = first.get_body().get_content()
    assert body.startswith("单位党委书记同志：\n截至 2026-11-18") and "请在“月度任务 2026-11”中更新进度" in body
    weekly = by_address["leaders@example.org"]
    assert weekly["Subject"] == "【周通报】2026-11-16至2026-11-22 党建重点工作调度情况"
    (attachment,) = list(weekly.iter_attachments())
    assert attachment.get_filename() == "周通报-2026-11-16.docx"
    assert attachment.get_content() == b"PK docx bytes"
    assert api.received["dingtalk"] and all(KEYWORD in text for text in api.received["dingtalk"])
    assert api.received["feishu"] and api.received["wecom"]
    assert any(text.startswith("【周通报】") for text in api.received["wecom"])
    problems = {p.kind for p in done.problems}
    assert "contact_missing" in problems  # owners such as 宣传部联络员 are in no row of 通讯录


def test_a_rerun_and_a_second_process_send_nothing_again(world) -> None:
    tmp_path, book, config_path, inbox, api = world
    first = _deliver(config_path, book, ["daily"])
    assert first.report is not None and first.report.sent
    mails, posts = len(inbox.mails), sum(map(len, api.received.values()))
    again = _deliver(config_path, book, ["daily"])
    assert again.report is not None and not again.report.sent
    assert len(again.report.skipped) == len(first.report.sent)
    assert (len(inbox.mails), sum(map(len, api.received.values()))) == (mails, posts)


def _send_in_process(config_path: str, messages: list[Message], env: dict[str, str]) -> int:
    import os  # noqa: PLC0415

    os.environ.update(env)
    config = load_config(Path(config_path))
    assert config.notify is not None
    history = History(config.history)
    report = Deliverer(config.notify, Outbox(history)).deliver("book", AS_OF, messages)
    history.close()
    return len(report.sent)


def test_two_processes_at_once_send_each_message_once(world) -> None:
    import os  # noqa: PLC0415

    tmp_path, book, config_path, inbox, api = world
    messages = [Message("weekly", "企业微信调度群", "企业微信调度群", "企业微信调度群", f"第 {i} 条", "调度正文")
                for i in range(6)] + [Message("weekly", "x", "email", "leaders@example.org", "同时发送", "正文")]
    env = {k: v for k, v in os.environ.items() if k.startswith("TEST_")}
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        sent = pool.starmap(_send_in_process, [(str(config_path), messages, env)] * 2)
    assert sum(sent) == len(messages)
    assert len(api.received["wecom"]) == 6 and len(inbox.mails) == 1


def test_faults_down_slow_5xx_and_rate_limits_are_retried_then_reported(world) -> None:
    tmp_path, book, config_path, inbox, api = world
    config = load_config(config_path)
    assert config.notify is not None
    history = History(config.history)
    waits: list[float] = []
    deliverer = Deliverer(config.notify, Outbox(history), sleep=waits.append)
    api.fail = ["5xx", "rate"]
    robot = Message("weekly", "g", "飞书调度群", "飞书调度群", "周通报", "调度正文")
    report = deliverer.deliver("book", AS_OF, [robot])
    assert report.sent == [robot] and len(api.received["feishu"]) == 1 and waits[1] >= 60
    slow = Message("weekly", "g", "飞书调度群", "飞书调度群", "慢", "调度正文")
    api.fail = ["slow", "slow", "slow"]
    report = deliverer.deliver("book", AS_OF, [slow])  # three timeouts (1 s) in a row: reported, not dropped
    assert report.failed and "连接超时" in report.failed[0][1] and "已尝试 3 次" in report.failed[0][1]
    api.fail = []
    again = deliverer.deliver("book", AS_OF, [slow])  # a later run tries a failed message again
    assert again.sent == [slow]
    assert Outbox(history).listing("book")["state"].tolist().count("sent") == 2
    history.close()


def test_server_down_bad_signature_and_keyword_missing(world, monkeypatch: pytest.MonkeyPatch) -> None:
    tmp_path, book, config_path, inbox, api = world
    monkeypatch.setenv("TEST_WECOM", "http://127.0.0.1:9/cgi-bin/webhook/send?key=wecom-key-123")
    monkeypatch.setenv("TEST_ROBOT_SECRET", "SEC-wrong")
    config = load_config(config_path)
    assert config.notify is not None
    history = History(config.history)
    deliverer = Deliverer(config.notify, Outbox(history), sleep=lambda s: None)
    report = deliverer.deliver("book", AS_OF, [
        Message("weekly", "g", "企业微信调度群", "企业微信调度群", "周通报", "正文"),
        Message("weekly", "g", "钉钉调度群", "钉钉调度群", "周通报", "正文"),
        Message("weekly", "g", "飞书调度群", "飞书调度群", "周通报", "正文")])
    errors = [e for _, e in report.failed]
    assert "无法连接服务器" in errors[0] and "已尝试 3 次" in errors[0]
    assert "310000" in errors[1] and "已尝试 1 次" in errors[1]  # a bad signature is not retried
    assert "19021" in errors[2]
    assert not any("wecom-key-123" in e or "SEC-wrong" in e for e in errors)
    monkeypatch.setenv("TEST_ROBOT_SECRET", SECRET)
    good = load_config(config_path).notify
    assert good is not None
    unsigned = Deliverer(good, Outbox(history), sleep=lambda s: None)
    object.__setattr__(good.robots["飞书调度群"], "keyword", None)
    report = unsigned.deliver("book", AS_OF, [Message("weekly", "g", "飞书调度群", "飞书调度群", "无关键词", "正文")])
    assert "19024" in report.failed[0][1]
    history.close()


def test_a_long_message_is_split_under_each_limit_in_order(world) -> None:
    tmp_path, book, config_path, inbox, api = world
    config = load_config(config_path)
    assert config.notify is not None
    history = History(config.history)
    body = "\n".join(f"· JH-2026-{i:03d} 第{i}项重点任务｜截止 2026-11-30｜红色考核｜已逾期 3 天" for i in range(200))
    deliverer = Deliverer(config.notify, Outbox(history), sleep=lambda s: None)
    messages = [Message("weekly", "g", name, name, "长消息", body) for name in ("企业微信调度群", "钉钉调度群")]
    assert not deliverer.deliver("book", AS_OF, messages).failed
    for kind, limit in (("wecom", 2048), ("dingtalk", 4096)):
        parts = api.received[kind]
        assert len(parts) > 1 and all(len(p.encode()) <= limit for p in parts)
        assert parts[0].startswith(f"（1/{len(parts)}）")
        lines = [line for p in parts for line in p.split("\n") if line.startswith("·")]
        assert lines == body.split("\n")
    history.close()


def test_notify_dry_run_and_history_sent(world, capsys: pytest.CaptureFixture[str]) -> None:
    tmp_path, book, config_path, inbox, api = world
    assert main(["notify", str(book), "--as-of", "2026-11-18", "--jobs", "daily", "--dry-run",
                 "--config", str(config_path)]) == 0
    out = capsys.readouterr().out
    assert "试运行，不发送" in out and "→ 单位党委书记（JC01） · 邮件" in out and not inbox.mails
    assert "s3cret" not in out and "wecom-key" not in out
    assert main(["notify", str(book), "--as-of", "2026-11-18", "--jobs", "daily", "--config", str(config_path)]) == 0
    assert main(["history", "--sent", "--config", str(config_path)]) == 0
    listing = capsys.readouterr().out
    assert "已发送" in listing and "催办" in listing


def _deliver(config_path: Path, book: Path, jobs: list[str]):
    config = load_config(config_path)
    assert config.notify is not None
    history = History(config.history)
    try:
        return notify(XlsxBook(book), _outcome(book, jobs), config.notify, book_key="book", history=history,
                      deliverer=Deliverer(config.notify, Outbox(history), sleep=lambda s: None))
    finally:
        history.close()
