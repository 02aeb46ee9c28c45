"""Who is who: the book's optional staff tab ``通讯录`` (English ``contacts``), one row per person:
单位★、姓名★、职务◇、手机◇、邮箱◇、群机器人◇ (the names of configured group robots, separated by 、 or ,).

A task's 责任人 resolves to the one person of that name (narrowed to the task's unit and its parents
when the name is shared); a task without a resolvable 责任人 goes to every person listed for its
责任单位. A name that matches no one, or several people, is a data problem naming the cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..normalise import TabData, empty_tab, normalise_tab
from ..org import Org
from ..problems import Problem
from ..schema import Column, Tab, fold, match_tab
from ..sheets import Backend

CONTACTS = Tab("contacts", "通讯录", (
    Column("unit", "单位", "text", True, ("unit", "责任单位", "单位名称", "所在单位")),
    Column("name", "姓名", "text", True, ("name", "人员", "联系人")),
    Column("title", "职务", "text", False, ("title", "position", "职位"), optional=True),
    Column("mobile", "手机", "text", False, ("mobile", "phone", "手机号", "联系电话", "电话"), optional=True),
    Column("email", "邮箱", "text", False, ("email", "e-mail", "mail", "电子邮箱", "邮件"), optional=True),
    Column("robots", "群机器人", "text", False, ("robot", "robots", "群", "工作群"), optional=True),
), aliases=("contacts", "directory", "联系人"), description="who gets reminders: one row per person")
_SPLIT = re.compile(r"[、,，;；\s]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Contact:
    name: str
    unit: str | None  # unit code, None when 单位 does not resolve
    title: str
    mobile: str
    email: str
    robots: tuple[str, ...]
    row: int


@dataclass
class Directory:
    """The 通讯录 of one book, resolved against its organisation."""

    people: list[Contact]
    data: TabData
    org: Org
    book: str
    problems: list[Problem]

    def person(self, name: str, unit: str | None, where: tuple[str, str], role: str = "责任人") -> Contact | None:
        """The one contact called ``name``; a name several people share counts only for the one nearest
        to ``unit`` (the unit itself, else its parents). None, and a problem at ``where`` (sheet, cell),
        when no one or several people match."""
        found = [c for c in self.people if fold(c.name) == fold(name)]
        if len(found) > 1 and unit is not None:
            chain = self.org.chain(unit)
            nearest = min((chain.index(c.unit) for c in found if c.unit in chain), default=None)
            found = [c for c in found if c.unit in chain and chain.index(c.unit) == nearest]
            if not found:
                self._missing(where, name, role, f"在通讯录中没有“{self.org.label(unit)}”或其上级单位的人")
                return None
        if len(found) == 1:
            return found[0]
        if found:
            rows = "、".join(str(c.row) for c in found)
            self.problems.append(Problem(self.book, where[0], where[1], "contact_ambiguous",
                                         f"{role}“{name}”在通讯录中有 {len(found)} 人（第 {rows} 行）{_fallback(role)}",
                                         "请在通讯录中写明同名人员各自的单位，或在表中写全名", name))
        else:
            self._missing(where, name, role, "不在通讯录中")
        return None

    def _missing(self, where: tuple[str, str], name: str, role: str, what: str) -> None:
        self.problems.append(Problem(self.book, where[0], where[1], "contact_missing",
                                     f"{role}“{name}”{what}{_fallback(role)}",
                                     f"请在“{CONTACTS.name}”表中添加此人（单位、姓名、邮箱或群机器人）", name))

    def of_unit(self, unit: str) -> list[Contact]:
        return [c for c in self.people if c.unit == unit]


def _fallback(role: str) -> str:
    """What happens instead when a 责任人 or a 值班领导 cannot be resolved."""
    return "，催办改发给责任单位的联系人" if role == "责任人" else "，收不到通知"


def read_contacts(backend: Backend, org: Org, as_of: date, robots: set[str], mail: bool) -> Directory:
    """The book's 通讯录 (an empty directory when the book has none); ``robots`` are the configured robot
    names a row may name, ``mail`` whether e-mail can be sent at all."""
    sheet = match_tab(CONTACTS, backend.sheet_names())
    data = normalise_tab(backend.read([sheet])[sheet], CONTACTS, backend.label, sheet, as_of) if sheet \
        else empty_tab(CONTACTS)
    directory = Directory([], data, org, backend.label, list(data.problems))
    for row in data.frame.to_dict("records"):
        directory.people.append(_contact(row, data, org, robots, mail, directory.problems, backend.label))
    return directory


def _contact(row: dict[str, object], data: TabData, org: Org, robots: set[str], mail: bool,
             problems: list[Problem], book: str) -> Contact:
    def text(key: str) -> str:
        value = row.get(key)
        return "" if value is None or value != value else str(value).strip()  # NaN != NaN

    line = int(str(row["_row"]))
    unit = org.resolve(text("unit"))
    if unit is None:
        message, fix = org.unknown(text("unit"))
        problems.append(Problem(book, data.sheet, data.address(line, "unit"), "contact_unit",
                                message.replace("责任单位", "单位"), fix, text("unit")))
    named = tuple(r for r in _SPLIT.split(text("robots")) if r)
    for robot in named:
        if robot not in robots:
            problems.append(Problem(book, data.sheet, data.address(line, "robots"), "contact_robot",
                                    f"群机器人“{robot}”没有在 dispatchbook.toml 中配置",
                                    "请填写 [[notify.robots]] 中的 name" + (f"（可选：{'、'.join(sorted(robots))}）"
                                                                        if robots else ""), robot))
    email = text("email")
    if email and not _EMAIL.match(email):
        problems.append(Problem(book, data.sheet, data.address(line, "email"), "contact_email",
                                f"“{email}”不是邮箱地址", "请填写形如 name@example.com 的邮箱", email))
        email = ""
    known = tuple(r for r in named if r in robots)
    if not (email and mail) and not known:
        problems.append(Problem(book, data.sheet, data.address(line, "name"), "contact_unreachable",
                                f"“{text('name')}”没有" + ("邮箱" if mail else "群机器人（未配置邮件服务器，邮箱不能用）")
                                + ("，也没有群机器人" if mail else "") + "，收不到催办",
                                "请填写邮箱，或填写所在工作群的群机器人名称" if mail
                                else "请填写所在工作群的群机器人名称，或请管理员配置 [notify.email]"))
    return Contact(text("name"), unit, text("title"), text("mobile"), email, known, line)
