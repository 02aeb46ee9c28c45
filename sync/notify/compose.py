"""What each person and group gets after a sync, as :class:`Message` values (no I/O).

After the daily job: one 催办 per person (the task's 责任人, else the contacts of its 责任单位) listing
their orange, red and stale tasks; the day's duty leader gets the digest. After the weekly job the
周通报, after the monthly job the 月考核 summary go to the configured groups, with the bulletin document
attached to e-mails when it exists.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from ..engine import SyncOutcome
from ..jobdays import weekly_period
from ..problems import Problem
from ..schema import LEVELS, month_tab_name
from .contacts import Contact, Directory
from .settings import NotifySettings
from .templates import Templates

TOP_LINES = 5  # at most this many units per level in the 月考核 summary's 得分前三 (ties can be many)
STALE_PARAM = "未按时调度工作日"  # rules/assessment.toml: working days without an update before a task is stale
EMAIL = "email"


@dataclass(frozen=True)
class Message:
    kind: str  # reminder · digest · weekly · monthly
    recipient: str  # who, as people read it: 张三（一矿党委） or a group's name
    channel: str  # "email" or a configured robot's name
    address: str  # the e-mail address, or the robot's name
    subject: str
    body: str
    attachment: Path | None = None
    mentions: tuple[str, ...] = ()  # mobiles to @ in a robot message

    def key(self, book: str, day: date) -> str:
        """The message's identity in the history: book, day, recipient and content."""
        parts = [book, day.isoformat(), self.channel, self.address, self.subject, self.body,
                 self.attachment.name if self.attachment else ""]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass
class Composed:
    messages: list[Message]
    problems: list[Problem]


def compose(outcome: SyncOutcome, directory: Directory, settings: NotifySettings, templates: Templates) -> Composed:
    """Every message the jobs that ran in ``outcome`` call for."""
    messages: list[Message] = []
    if "daily" in outcome.jobs:
        messages += _reminders(outcome, directory, templates, settings.email is not None)
        messages += _digest(outcome, directory, settings, templates)
    if "weekly" in outcome.jobs and settings.groups.get("weekly"):
        messages += _weekly(outcome, settings, templates)
    if "monthly" in outcome.jobs and settings.groups.get("monthly"):
        messages += _monthly(outcome, settings, templates)
    return Composed(messages, directory.problems)


def _to_person(contact: Contact, unit: str, kind: str, subject: str, body: str, mail: bool) -> list[Message]:
    """The person's messages: by e-mail (when ``mail``: a mail server is configured) and to their robots."""
    who = f"{contact.name}（{unit or '单位不明'}）"
    out = [Message(kind, who, EMAIL, contact.email, subject, body)] if contact.email and mail else []
    return out + [Message(kind, who, robot, robot, subject, body, mentions=(contact.mobile,) if contact.mobile else ())
                  for robot in contact.robots]


def _to_groups(targets: tuple[str, ...], kind: str, subject: str, body: str, attachment: Path | None) -> list[Message]:
    return [Message(kind, target, EMAIL, target, subject, body, attachment) if "@" in target
            else Message(kind, target, target, target, subject, body) for target in targets]


def _day(value: object) -> str:
    return "" if pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"  # type: ignore[arg-type]


def _reminders(outcome: SyncOutcome, directory: Directory, templates: Templates, mail: bool) -> list[Message]:
    state = outcome.state
    tasks, rules = state.tasks, state.rules
    roles = rules.roles
    stale_after = float(rules.params.get(STALE_PARAM, 5))
    role = tasks["colour"].map(roles)
    stale = tasks["stale_workdays"] > stale_after
    due = tasks[~tasks["closed"] & (role.isin(["overdue", "warning"]) | stale)]
    sheet_data = state.book.months.get(state.month)
    sheet = sheet_data.sheet if sheet_data else month_tab_name(*state.month)
    by_person: dict[Contact, list[str]] = {}
    silent_units: set[str] = set()
    for task in due.to_dict("records"):
        reason = roles.get(str(task["colour"]))
        reason = reason if reason in ("overdue", "warning") else "stale"
        days = int(task["days_overdue"] if reason == "overdue" else
                   task["stale_workdays"] if reason == "stale" else task["workdays_left"])
        when = templates.fill("reminder.overdue", days=int(task["days_overdue"])) if reason == "overdue" \
            else templates.fill("reminder.left", days=int(task["workdays_left"]))
        line = templates.fill("reminder.item", id=task["id"], task=task["name"], deadline=_day(task["deadline"]),
                              colour=rules.palette[str(task["colour"])].label, when=when,
                              todo=templates.fill(f"reminder.todo.{reason}", days=days))
        owner = task.get("owner")
        person = None
        if isinstance(owner, str) and owner.strip() and sheet_data is not None:
            cell = sheet_data.address(int(task["_row"]), "owner") if "owner" in sheet_data.columns else ""
            person = directory.person(owner.strip(), task["unit"], (sheet, cell))
        people = [person] if person else directory.of_unit(str(task["unit"]))
        if not people:
            silent_units.add(str(task["unit"]))
        for contact in people:
            by_person.setdefault(contact, []).append(line)
    for unit in sorted(silent_units):
        directory.problems.append(Problem(directory.book, directory.data.sheet or "通讯录", "", "contact_unit_missing",
                                          f"单位“{directory.org.label(unit)}”在通讯录中没有联系人，它的任务无人接收催办",
                                          "请在通讯录中为这个单位添加至少一名联系人", unit))
    messages = []
    day = f"{outcome.as_of:%Y-%m-%d}"
    for contact, lines in by_person.items():
        unit = directory.org.label(contact.unit) if contact.unit else ""
        values = {"date": day, "name": contact.name, "unit": unit, "count": len(lines)}
        messages += _to_person(contact, unit, "reminder", templates.fill("reminder.subject", **values),
                               templates.fill("reminder.body", **values, items="\n".join(lines), sheet=sheet), mail)
    return messages


def _summary(outcome: SyncOutcome) -> str:
    tasks, palette = outcome.state.tasks, outcome.state.rules.palette
    return "、".join(f"{c.label} {int((tasks['colour'] == key).sum())} 项" for key, c in palette.items())


def _digest(outcome: SyncOutcome, directory: Directory, settings: NotifySettings, templates: Templates) -> list[Message]:
    state = outcome.state
    duty = state.book.tabs["duty"]
    tasks = state.tasks
    red = tasks[~tasks["closed"] & tasks["colour"].isin(state.rules.role_keys("overdue"))]
    items = [templates.fill("digest.item", unit=t["unit_name"] or t["unit"], id=t["id"], task=t["name"],
                            deadline=_day(t["deadline"]),
                            when=templates.fill("reminder.overdue", days=int(t["days_overdue"])))
             for t in red.to_dict("records")]
    day = pd.Timestamp(outcome.as_of)
    leaders = duty.frame[duty.frame["date"] == day] if not duty.frame.empty else duty.frame
    messages = []
    names = [(str(r["leader"]).strip(), duty.address(int(r["_row"]), "leader")) for r in leaders.to_dict("records")]
    for name, cell in names:
        values = {"date": f"{outcome.as_of:%Y-%m-%d}", "leader": name}
        subject = templates.fill("digest.subject", **values)
        body = templates.fill("digest.body", **values, summary=_summary(outcome), count=len(items),
                              items="\n".join(items) or templates.fill("digest.none"))
        contact = directory.person(name, None, (duty.sheet, cell), "值班领导")
        if contact:
            unit = directory.org.label(contact.unit) if contact.unit else ""
            messages += _to_person(contact, unit, "digest", subject, body, settings.email is not None)
        messages += _to_groups(settings.groups.get("digest", ()), "digest", subject, body, None)
    return messages


def _bulletin(settings: NotifySettings, job: str, values: dict[str, str]) -> Path | None:
    pattern = settings.bulletin.get(job)
    path = Path(pattern.format(**values)) if pattern else None
    return path if path is not None and path.is_file() else None


def _weekly(outcome: SyncOutcome, settings: NotifySettings, templates: Templates) -> list[Message]:
    state = outcome.state
    monday = weekly_period(state.rules, outcome.as_of)
    week = f"{monday:%Y-%m-%d}至{monday + timedelta(days=6):%Y-%m-%d}"
    tasks = state.tasks[~state.tasks["closed"]]
    red = tasks["colour"].isin(state.rules.role_keys("overdue"))
    orange = tasks["colour"].isin(state.rules.role_keys("warning"))
    counts = pd.DataFrame({"unit": tasks["unit_name"].fillna(tasks["unit"]), "red": red, "orange": orange}) \
        .groupby("unit", sort=False)[["red", "orange"]].sum()
    counts = counts[(counts["red"] + counts["orange"]) > 0].sort_values(["red", "orange"], ascending=False).head(10)
    units = [templates.fill("weekly.unit", unit=u, red=int(r.red), orange=int(r.orange)) for u, r in counts.iterrows()]
    values = {"date": f"{outcome.as_of:%Y-%m-%d}", "month": f"{outcome.as_of:%Y-%m}", "week": f"{monday:%Y-%m-%d}"}
    attachment = _bulletin(settings, "weekly", values)
    body = templates.fill("weekly.body", date=values["date"], week=week, summary=_summary(outcome),
                          units="\n".join(units) or templates.fill("weekly.none"),
                          attachment=templates.fill("weekly.attachment", file=attachment.name) if attachment else "")
    subject = templates.fill("weekly.subject", date=values["date"], week=week)
    return _to_groups(settings.groups["weekly"], "weekly", subject, body.rstrip(), attachment)


def _monthly(outcome: SyncOutcome, settings: NotifySettings, templates: Templates) -> list[Message]:
    year, month = outcome.assessed_month
    result = outcome.state.assessment((year, month))
    label = f"{year}年{month}月"

    def lines(frame: pd.DataFrame) -> list[str]:
        return [templates.fill("monthly.unit", level=r["level"], rank=int(r["rank"]), unit=r["unit_name"],
                               score=f"{r['score']:g}") for r in frame.to_dict("records")]

    podium = result.scores[result.scores["rank"] <= 3]
    top = [line for level in LEVELS for line in lines(podium[podium["level"] == level].sort_values("rank", kind="stable")
                                                      .head(TOP_LINES))]
    weakest = lines(result.bottom)
    values = {"date": f"{outcome.as_of:%Y-%m-%d}", "month": f"{year:04d}-{month:02d}",
              "week": f"{weekly_period(outcome.state.rules, outcome.as_of):%Y-%m-%d}"}
    attachment = _bulletin(settings, "monthly", values)
    body = templates.fill("monthly.body", month=label, top="\n".join(top) or templates.fill("monthly.none"),
                          weakest="\n".join(weakest) or templates.fill("monthly.none"),
                          attachment=templates.fill("monthly.attachment", file=attachment.name) if attachment else "")
    return _to_groups(settings.groups["monthly"], "monthly", templates.fill("monthly.subject", month=label),
                      body.rstrip(), attachment)
