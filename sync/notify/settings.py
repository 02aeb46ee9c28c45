"""The ``[notify]`` table of dispatchbook.toml: the mail server, the group robots, who gets the 周通报 and
月考核 summaries, where bulletin documents are, and the templates. Every mistake names its key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DispatchError
from .secrets import Secret, Secrets

ROBOT_KINDS = {"wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书"}
SECURITY = ("ssl", "starttls", "none")
GROUP_JOBS = {"weekly": "周通报", "monthly": "月考核", "digest": "值班日报"}
NOTIFY_KEYS = frozenset({"secrets", "templates", "attempts", "backoff_seconds", "timeout_seconds", "email",
                         "robots", "groups", "bulletin"})
EMAIL_KEYS = frozenset({"host", "port", "security", "user", "password", "sender", "ca_file"})
ROBOT_KEYS = frozenset({"name", "kind", "webhook", "secret", "keyword", "per_minute"})


@dataclass(frozen=True)
class EmailSettings:
    host: str
    port: int
    security: str  # ssl (implicit TLS, usually 465) · starttls (usually 587) · none (a local relay)
    sender: str
    user: str | None = None
    password: Secret | None = None
    ca_file: Path | None = None  # a private CA that signed the server's certificate


@dataclass(frozen=True)
class RobotSettings:
    name: str  # how the config, the 通讯录 and the history name the group
    kind: str  # wecom · dingtalk · feishu
    webhook: Secret  # the full webhook URL (its key or access_token is the secret)
    secret: Secret | None = None  # the signing secret (DingTalk 加签, Feishu 签名校验)
    keyword: str | None = None  # the robot's 自定义关键词: every message must contain it
    per_minute: int = 20


@dataclass(frozen=True)
class NotifySettings:
    email: EmailSettings | None = None
    robots: dict[str, RobotSettings] = field(default_factory=dict)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # job -> robot names / e-mail addresses
    bulletin: dict[str, str] = field(default_factory=dict)  # job -> path pattern with {date} {month} {week}
    templates: Path | None = None  # None: the rules folder's notify.toml
    attempts: int = 3  # tries per message and run, with backoff between them
    backoff_seconds: float = 2.0
    timeout_seconds: float = 20.0

    def secrets(self) -> list[Secret]:
        found = [s for r in self.robots.values() for s in (r.webhook, r.secret) if s]
        return found + ([self.email.password] if self.email and self.email.password else [])


def parse_notify(table: object, fail: Callable[[str, str, str], DispatchError],
                 only: Callable[[dict[str, Any], frozenset[str], str], None],
                 local: Callable[[str], Path], environ: dict[str, str] | None = None) -> NotifySettings:
    """The settings from the ``[notify]`` table; ``local`` makes a path relative to the config file."""
    if not isinstance(table, dict):
        raise fail("notify", "应为一张表", "写作 [notify]")
    only(table, NOTIFY_KEYS, "notify")
    key_file = table.get("secrets")
    secrets = Secrets(local(key_file) if isinstance(key_file, str) else None, fail, environ)
    robots: dict[str, RobotSettings] = {}
    for i, entry in enumerate(_list(table.get("robots", []), "notify.robots", fail), start=1):
        robot = _robot(entry, f"notify.robots[{i}]", secrets, fail, only)
        if robot.name in robots:
            raise fail(f"notify.robots[{i}].name", f"名称“{robot.name}”重复", "每个群机器人的名称必须不同")
        robots[robot.name] = robot
    email = _email(table["email"], secrets, fail, only, local) if "email" in table else None
    groups = {}
    for job, targets in _table(table.get("groups", {}), "notify.groups", fail).items():
        if job not in GROUP_JOBS:
            raise fail(f"notify.groups.{job}", "不认识的通知", "可用：" + "、".join(GROUP_JOBS))
        names = tuple(_list(targets, f"notify.groups.{job}", fail))
        for name in names:
            if not isinstance(name, str) or (name not in robots and "@" not in name):
                raise fail(f"notify.groups.{job}", f"“{name}”既不是配置的群机器人，也不是邮箱地址",
                           "请写 [[notify.robots]] 中的 name，或邮箱地址")
            if "@" in name and email is None:
                raise fail(f"notify.groups.{job}", f"要发邮件给 {name}，但没有配置邮件服务器", "请添加 [notify.email]")
        groups[job] = names
    bulletin = {}
    for job, pattern in _table(table.get("bulletin", {}), "notify.bulletin", fail).items():
        if job not in ("weekly", "monthly") or not isinstance(pattern, str):
            raise fail(f"notify.bulletin.{job}", "应为 weekly 或 monthly 的文件路径",
                       'weekly = "通报/周通报-{week}.docx"，monthly = "通报/月考核-{month}.docx"')
        bulletin[job] = str(local(pattern))
    numbers = {k: table.get(k, d) for k, d in (("attempts", 3), ("backoff_seconds", 2.0), ("timeout_seconds", 20.0))}
    for key, value in numbers.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise fail(f"notify.{key}", f"值“{value}”应为正数", f"例如 {key} = 3")
    templates = table.get("templates")
    return NotifySettings(email, robots, groups, bulletin, local(templates) if isinstance(templates, str) else None,
                          int(numbers["attempts"]), float(numbers["backoff_seconds"]),
                          float(numbers["timeout_seconds"]))


def _robot(entry: object, where: str, secrets: Secrets, fail: Callable[[str, str, str], DispatchError],
           only: Callable[[dict[str, Any], frozenset[str], str], None]) -> RobotSettings:
    table = _table(entry, where, fail)
    only(table, ROBOT_KEYS, where)
    name, kind = table.get("name"), table.get("kind")
    if not isinstance(name, str) or not name.strip():
        raise fail(f"{where}.name", "缺少群机器人名称", 'name = "集团党委调度群"')
    if kind not in ROBOT_KINDS:
        raise fail(f"{where}.kind", f"不认识的群机器人“{kind}”", "可用：wecom（企业微信）、dingtalk（钉钉）、feishu（飞书）")
    if "webhook" not in table:
        raise fail(f"{where}.webhook", "缺少 webhook 地址", 'webhook = "env:环境变量名"')
    if kind == "wecom" and "secret" in table:
        raise fail(f"{where}.secret", "企业微信群机器人没有签名密钥", "删去这一项（webhook 地址中的 key 就是密钥）")
    keyword, per_minute = table.get("keyword"), table.get("per_minute", 100 if kind == "feishu" else 20)
    if keyword is not None and (not isinstance(keyword, str) or not keyword.strip()):
        raise fail(f"{where}.keyword", "关键词应为非空文字", 'keyword = "调度"')
    if isinstance(per_minute, bool) or not isinstance(per_minute, int) or per_minute <= 0:
        raise fail(f"{where}.per_minute", f"值“{per_minute}”应为正整数", "per_minute = 20")
    return RobotSettings(name.strip(), kind, secrets.resolve(table["webhook"], f"{where}.webhook"),
                         secrets.resolve(table["secret"], f"{where}.secret") if "secret" in table else None,
                         keyword.strip() if keyword else None, per_minute)


def _email(entry: object, secrets: Secrets, fail: Callable[[str, str, str], DispatchError],
           only: Callable[[dict[str, Any], frozenset[str], str], None], local: Callable[[str], Path]) -> EmailSettings:
    table = _table(entry, "notify.email", fail)
    only(table, EMAIL_KEYS, "notify.email")
    host, sender = table.get("host"), table.get("sender")
    if not isinstance(host, str) or not host.strip():
        raise fail("notify.email.host", "缺少邮件服务器地址", 'host = "smtp.example.com"')
    if not isinstance(sender, str) or "@" not in sender:
        raise fail("notify.email.sender", "缺少发件人邮箱", 'sender = "党建调度 <dispatch@example.com>"')
    security = table.get("security", "ssl")
    if security not in SECURITY:
        raise fail("notify.email.security", f"不认识的加密方式“{security}”", "可用：ssl、starttls、none")
    port = table.get("port", {"ssl": 465, "starttls": 587, "none": 25}[security])
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise fail("notify.email.port", f"端口“{port}”不对", "例如 port = 465")
    user = table.get("user")
    if user is not None and not isinstance(user, str):
        raise fail("notify.email.user", "应为文字", 'user = "dispatch@example.com"')
    if (user is None) != ("password" not in table):
        raise fail("notify.email", "user 和 password 须同时写或同时不写", '例如 user = "…" 和 password = "env:SMTP_PASSWORD"')
    password = secrets.resolve(table["password"], "notify.email.password") if "password" in table else None
    ca_file = table.get("ca_file")
    return EmailSettings(host.strip(), port, security, sender, user, password,
                         local(ca_file) if isinstance(ca_file, str) else None)


def _table(value: object, where: str, fail: Callable[[str, str, str], DispatchError]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail(where, "应为一张表", f"写作 [{where}]")
    return value


def _list(value: object, where: str, fail: Callable[[str, str, str], DispatchError]) -> list[Any]:
    if not isinstance(value, list):
        raise fail(where, "应为列表", f'写作 {where.rsplit(".", 1)[-1]} = ["…"]')
    return value
