"""The front door: after a sync, compose what its jobs call for and deliver it (or only compose it,
for ``notify --dry-run``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..config import BookConfig
from ..engine import SyncOutcome
from ..history import History
from ..problems import Problem
from ..runlog import fields, log
from ..sheets import Backend
from .compose import Message, compose
from .contacts import read_contacts
from .deliver import Deliverer, Report
from .outbox import Outbox
from .settings import NotifySettings
from .templates import load_templates


@dataclass
class Notified:
    messages: list[Message]
    problems: list[Problem]  # 通讯录 problems and names that matched no one or several people
    report: Report | None  # None on a dry run


def notify(backend: Backend, outcome: SyncOutcome, settings: NotifySettings, *, book_key: str,
           history: History | None, rules_dir: Path | None = None, dry_run: bool = False,
           deliverer: Deliverer | None = None) -> Notified:
    """Compose the messages for ``outcome`` (contacts read from ``backend``'s 通讯录) and, unless
    ``dry_run``, deliver each once, recorded in ``history``."""
    directory = read_contacts(backend, outcome.state.org, outcome.as_of, set(settings.robots),
                               settings.email is not None)
    composed = compose(outcome, directory, settings, load_templates(settings.templates, rules_dir))
    if dry_run:
        return Notified(composed.messages, composed.problems, None)
    if deliverer is None:
        assert history is not None
        deliverer = Deliverer(settings, Outbox(history))
    return Notified(composed.messages, composed.problems,
                    deliverer.deliver(book_key, outcome.as_of, composed.messages))


def scheduler_hook(settings: NotifySettings, history: History, rules_dir: Path | None
                   ) -> Callable[[BookConfig, SyncOutcome, Backend], None]:
    """What ``dispatchbook run`` calls after each successful sync: notify, and log one line per book, one
    per 通讯录 problem and one per failed message (never a secret)."""
    deliverer = Deliverer(settings, Outbox(history))

    def after_sync(book: BookConfig, outcome: SyncOutcome, backend: Backend) -> None:
        done = notify(backend, outcome, settings, book_key=book.key, history=history,
                      rules_dir=book.rules or rules_dir, deliverer=deliverer)
        report = done.report
        assert report is not None
        log.info(fields(book=book.name, job="notify", as_of=outcome.as_of, result="failed" if report.failed else "ok",
                         sent=len(report.sent), skipped=len(report.skipped), failed=len(report.failed),
                         problems=len(done.problems)))
        for problem in done.problems:
            log.warning(fields(book=book.name, job="notify", result="problem", problem=str(problem)))
        for message, error in report.failed:
            log.error(fields(book=book.name, job="notify", recipient=message.recipient, channel=message.channel,
                             result="failed", error=error))

    return after_sync
