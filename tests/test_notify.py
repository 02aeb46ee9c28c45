"""Reminders and bulletins: composed from the example book's 通讯录, sent once through a real local SMTP
server (aiosmtpd, STARTTLS + login) and local stand-ins of the WeCom, DingTalk and Feishu robot APIs."""

from __future__ import annotations

import email
import email.policy
import logging
import multiprocessing
import shutil
import socket
import ssl
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from sync.backends.xlsx import XlsxBook
from sync.cli import main
from sync.config import Config, book_key, load_config
from sync.engine import run_sync
from sync.errors import DispatchError
from sync.history import History
from sync.notify import mail
from sync.notify.channel import SendError
from sync.notify.compose import Message
from sync.notify.deliver import Deliverer
from sync.notify.outbox import Outbox
from sync.notify.secrets import Secret
from sync.notify.service import notify, scheduler_hook
from sync.notify.settings import EmailSettings, NotifySettings
from sync.notify.templates import load_templates
from sync.resources import example_workbook
from sync.scheduler import Scheduler
from tests.notify_servers import KEYWORD, SECRET, robot_api, self_signed
from tests.rhythm_helpers import Clock, at

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
        return AuthResult(success=ok, handled=False)

    port = _free_port()  # aiosmtpd's Controller cannot start on port 0
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


def _open(config_path: Path) -> tuple[Config, NotifySettings, History]:
    config = load_config(config_path)
    assert config.notify is not None
    return config, config.notify, History(config.history)


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
    digest = by_address["xuanchuan@example.org"].get_body().get_content()
    assert digest.startswith("宣传部部长同志：今天（2026-11-18）由您值班调度。\n一图四色：")
    weekly = by_address["leaders@example.org"]
    assert weekly["Subject"] == "【周通报】2026-11-16至2026-11-22 党建重点工作调度情况"
    (attachment,) = list(weekly.iter_attachments())
    assert attachment.get_filename() == "周通报-2026-11-16.docx"
    assert attachment.get_content() == b"PK docx bytes"
    assert api.received["dingtalk"] and all(KEYWORD in text for text in api.received["dingtalk"])
    assert any("【催办】一矿党委" in text and text.endswith(" @13800000001") for text in api.received["dingtalk"])
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
    config, settings, history = _open(Path(config_path))
    report = Deliverer(settings, Outbox(history)).deliver("book", AS_OF, messages)
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
    config, settings, history = _open(config_path)
    waits: list[float] = []
    deliverer = Deliverer(settings, Outbox(history), sleep=waits.append)
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
    config, settings, history = _open(config_path)
    deliverer = Deliverer(settings, Outbox(history), sleep=lambda s: None)
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
    config, settings, history = _open(config_path)
    body = "\n".join(f"· JH-2026-{i:03d} 第{i}项重点任务｜截止 2026-11-30｜红色考核｜已逾期 3 天" for i in range(200))
    deliverer = Deliverer(settings, Outbox(history), sleep=lambda s: None)
    messages = [Message("weekly", "g", name, name, "长消息", body) for name in ("企业微信调度群", "钉钉调度群")]
    api.fail = ["pass", "5xx"]  # the second part fails once: its retry does not repeat the first
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
    assert "试运行，不发送" in out and "→ 单位党委书记（一矿党委） · 邮件" in out and not inbox.mails
    assert "s3cret" not in out and "wecom-key" not in out
    assert main(["notify", str(book), "--as-of", "2026-11-18", "--jobs", "daily", "--config", str(config_path)]) == 0
    assert main(["history", "--sent", "--config", str(config_path)]) == 0
    listing = capsys.readouterr().out
    assert "已发送" in listing and "催办" in listing


def _deliver(config_path: Path, book: Path, jobs: list[str]):
    config, settings, history = _open(config_path)
    try:
        return notify(XlsxBook(book), _outcome(book, jobs), settings, book_key="book", history=history,
                      deliverer=Deliverer(settings, Outbox(history), sleep=lambda s: None))
    finally:
        history.close()


def test_run_sends_after_the_daily_job_once(world) -> None:
    tmp_path, book, config_path, inbox, api = world
    config, settings, history = _open(config_path)
    clock = Clock(at(11, 18, 7, 45))
    scheduler = Scheduler(config, history, now=clock, after_sync=scheduler_hook(settings, history, None))
    assert [r.status for r in scheduler.tick()] == ["ok"]
    mails = len(inbox.mails)
    assert mails and any(m["Subject"].startswith("【催办】") for m in inbox.mails)
    clock.advance(timedelta(hours=3))
    assert [r.status for r in scheduler.tick()] == ["idle"]
    assert main(["sync", str(book), "--as-of", "2026-11-18", "--jobs", "daily", "--config", str(config_path)]) == 0
    assert main(["notify", str(book), "--as-of", "2026-11-18", "--jobs", "daily", "--config", str(config_path)]) == 0
    assert len(inbox.mails) == mails  # a rerun the same day sends nothing again
    listing = Outbox(history).listing(book_key(str(book)))
    assert set(listing["state"]) == {"sent"} and len(listing) >= mails
    history.close()


def test_a_robot_gets_at_most_its_per_minute_limit(world) -> None:
    tmp_path, book, config_path, inbox, api = world
    config, settings, history = _open(config_path)
    now = [1_000.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    deliverer = Deliverer(settings, Outbox(history), clock=lambda: now[0], sleep=sleep)
    messages = [Message("weekly", "g", "企业微信调度群", "企业微信调度群", f"第 {i} 条", "正文") for i in range(45)]
    started = now[0]
    assert len(deliverer.deliver("book", AS_OF, messages).sent) == 45
    assert now[0] - started >= 120  # 45 posts at 20 a minute: two full waits
    history.close()


@pytest.mark.parametrize(("table", "error"), [
    ('[notify.email]\nhost = "h"\nsender = "a@b.cn"\nuser = "u"\npassword = "plain-text"\n',
     "notify.email.password: 密钥、密码和 webhook 地址不能直接写在配置文件中"),
    ('[[notify.robots]]\nname = "群"\nkind = "wechat"\nwebhook = "env:X"\n', "notify.robots[1].kind: 不认识的群机器人“wechat”"),
    ('[[notify.robots]]\nname = "群"\nkind = "wecom"\nwebhook = "env:DISPATCHBOOK_UNSET_VAR"\n',
     "notify.robots[1].webhook: 环境变量 DISPATCHBOOK_UNSET_VAR 没有设置"),
    ('[notify.groups]\nweekly = ["没有这个群"]\n', "notify.groups.weekly: “没有这个群”既不是配置的群机器人，也不是邮箱地址"),
])
def test_config_mistakes_name_the_key(tmp_path: Path, table: str, error: str) -> None:
    path = tmp_path / "dispatchbook.toml"
    path.write_text(f'[[books]]\nname = "台账"\npath = "a.xlsx"\n[notify]\n{table}', encoding="utf-8")
    with pytest.raises(DispatchError) as raised:
        load_config(path)
    assert str(raised.value).startswith(f"dispatchbook.toml › {error}")
    assert "plain-text" not in str(raised.value)


def test_a_secret_from_the_key_file_is_never_shown(tmp_path: Path) -> None:
    (tmp_path / "keys.toml").write_text('wecom = "http://127.0.0.1:1/cgi-bin/webhook/send?key=k-999"\n', encoding="utf-8")
    path = tmp_path / "dispatchbook.toml"
    path.write_text('[[books]]\nname = "台账"\npath = "a.xlsx"\n[notify]\nsecrets = "keys.toml"\n'
                    '[[notify.robots]]\nname = "群"\nkind = "wecom"\nwebhook = "key:wecom"\n', encoding="utf-8")
    notify_settings = load_config(path).notify
    assert notify_settings is not None
    robot = notify_settings.robots["群"]
    assert robot.webhook.value.endswith("k-999")
    assert "k-999" not in repr(notify_settings) and "k-999" not in str(robot.webhook)


def test_templates_are_data_and_a_wrong_field_names_the_key(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    assert main(["init-rules", str(rules)]) == 0
    text = (rules / "notify.toml").read_text(encoding="utf-8")
    (rules / "notify.toml").write_text(text.replace("【催办】{unit}", "【督办】{单位}"), encoding="utf-8")
    with pytest.raises(DispatchError) as raised:
        load_templates(None, rules)
    assert str(raised.value).startswith("notify.toml › reminder.subject: 模板中的 {单位} 不能用")
    (rules / "notify.toml").write_text(text.replace("【催办】{unit}", "【督办】{unit}"), encoding="utf-8")
    assert load_templates(None, rules).fill("reminder.subject", date="d", name="n", unit="一矿党委", count=2) \
        == "【督办】一矿党委 2 项任务需要处理（d）"


def test_the_readme_configuration_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Reminders and bulletins")[1].split("```toml\n")[1].split("```")[0]
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "notify-keys.toml").write_text(
        'wecom_jituan = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"\n'
        'dingtalk_yikuang = "https://oapi.dingtalk.com/robot/send?access_token=t"\n'
        'dingtalk_yikuang_secret = "SECx"\n', encoding="utf-8")
    for name in ("DISPATCHBOOK_SMTP_PASSWORD", "FEISHU_WEBHOOK", "FEISHU_SECRET"):
        monkeypatch.setenv(name, "x")
    path = tmp_path / "dispatchbook.toml"
    path.write_text('[[books]]\nname = "台账"\npath = "a.xlsx"\n' + block, encoding="utf-8")
    settings = load_config(path).notify
    assert settings is not None and set(settings.robots) == {"集团党委调度群", "一矿调度群", "机关党委飞书群"}
    assert settings.groups["weekly"] == ("集团党委调度群", "leaders@example.com")


def test_run_logs_what_could_not_be_sent_without_the_secret(world, monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    tmp_path, book, config_path, inbox, api = world
    monkeypatch.setenv("TEST_WECOM", "http://127.0.0.1:9/cgi-bin/webhook/send?key=wecom-key-123")
    config, settings, history = _open(config_path)
    scheduler = Scheduler(config, history, now=Clock(at(11, 18, 7, 45)),
                          after_sync=scheduler_hook(settings, history, None))
    with caplog.at_level(logging.INFO, logger="dispatchbook"):
        assert [r.status for r in scheduler.tick()] == ["ok"]  # the sync stands; the failed message is reported
    text = caplog.text
    assert "job=notify" in text and "result=failed" in text and "recipient=党委工作部联络员（集团党委）" in text
    assert "wecom-key-123" not in text and "s3cret-pw" not in text and SECRET not in text
    assert "result=problem" in text and "contact_missing" not in text and "不在通讯录中" in text
    assert inbox.mails  # the e-mails went out all the same
    listing = Outbox(history).listing(book_key(str(book)))
    assert "failed" in set(listing["state"])
    history.close()


def test_two_senders_share_a_robots_per_minute_limit(world) -> None:
    tmp_path, book, config_path, inbox, api = world
    config, settings, history = _open(config_path)
    other = History(config.history)  # a second connection, as a second process has
    now = [1_000.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    first = Deliverer(settings, Outbox(history), clock=lambda: now[0], sleep=sleep)
    second = Deliverer(settings, Outbox(other), clock=lambda: now[0], sleep=sleep)
    batch = [Message("weekly", "g", "企业微信调度群", "企业微信调度群", f"第 {i} 条", "正文") for i in range(30)]
    assert len(first.deliver("book", AS_OF, batch[:15]).sent) == 15 and now[0] == 1_000.0
    assert len(second.deliver("book", AS_OF, batch[15:]).sent) == 15
    assert now[0] >= 1_060.0  # the 21st post waited for the first post's minute to pass
    other.close()
    history.close()


def test_a_feishu_robot_gets_at_most_five_posts_a_second(world) -> None:
    tmp_path, book, config_path, inbox, api = world
    config, settings, history = _open(config_path)
    start = time.time()  # the signature's timestamp must be near the real time
    now = [start]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    deliverer = Deliverer(settings, Outbox(history), clock=lambda: now[0], sleep=sleep)
    batch = [Message("weekly", "g", "飞书调度群", "飞书调度群", f"第 {i} 条", "调度正文") for i in range(11)]
    assert len(deliverer.deliver("book", AS_OF, batch).sent) == 11
    assert 2.0 <= now[0] - start < 3.0  # 11 posts at 5 a second: two waits of about a second
    history.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_mail_over_implicit_tls_and_a_refused_login(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()

    def authenticate(server: object, session: object, envelope: object, mechanism: str, data: object) -> AuthResult:
        return AuthResult(success=isinstance(data, LoginPassword) and data.password == b"right", handled=False)

    port = _free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=context, authenticator=authenticate,
                      auth_require_tls=False)
    smtp.start()
    try:
        message = Message("monthly", "leaders", "email", "leaders@example.org", "【月考核】2026年10月 党建重点工作考核结果",
                          "得分前三：\n· 基层党委 第 1 名 二矿党委 105 分", tmp_path / "月考核-2026-10.docx")
        message.attachment.write_bytes(b"docx")  # type: ignore[union-attr]
        settings = EmailSettings("127.0.0.1", port, "ssl", "党建调度 <dispatch@example.org>", "dispatch",
                                 Secret("env:X", "right"), cert)
        mail.send(settings, message, 5)
        (received,) = inbox.mails
        assert received["Subject"] == message.subject and received["From"] == "党建调度 <dispatch@example.org>"
        assert received.get_body().get_content().replace("\r\n", "\n") == message.body + "\n"
        (attached,) = received.iter_attachments()
        assert attached.get_filename() == "月考核-2026-10.docx" and attached.get_content() == b"docx"
        with pytest.raises(SendError) as refused:
            mail.send(replace(settings, password=Secret("env:X", "wrong")), message, 5)
        assert not refused.value.transient and "拒绝登录" in str(refused.value) and "wrong" not in str(refused.value)
    finally:
        smtp.stop()
    with pytest.raises(SendError) as down:
        mail.send(settings, message, 1)
    assert down.value.transient and "无法连接邮件服务器" in str(down.value)


def test_without_a_mail_server_only_robots_are_used(world) -> None:
    tmp_path, book, config_path, inbox, api = world
    config, settings, history = _open(config_path)
    history.close()
    robots_only = replace(settings, email=None, groups={})
    done = notify(XlsxBook(book), _outcome(book, ["daily"]), robots_only, book_key="book", history=None, dry_run=True)
    assert done.messages and all(m.channel != "email" for m in done.messages)
    assert any(p.kind == "contact_unreachable" and "未配置邮件服务器" in p.message for p in done.problems)
