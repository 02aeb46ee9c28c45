"""When each 五个一 job is due for a book, and the as-of day a job runs with.

A job is due when its most recent scheduled time (``rules/jobs.toml`` on the working-day calendar, at
the job's ``at`` time) is later than the last successful run that covered it; so a job missed while
the machine was off runs at the next tick, once. Nothing from before the day the history first saw
the book is caught up. A caught-up job runs with the as-of day that reports the same period as its
scheduled run would have:

- daily: today (a missed dispatch is today's dispatch);
- weekly, xun, monthly, quarterly: the scheduled day itself, whose builders report the week, month or
  quarter before (and, for 旬自查, look ahead to the 旬 starting that day).

Jobs sharing an as-of day run in one sync; earlier days first, so the book ends with today's colours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from .calendar import WorkCalendar
from .jobdays import JOBS, is_due
from .rulebook import Job, Rulebook

LOOKBACK_DAYS = 400  # further back than any job's period


@dataclass(frozen=True)
class DueRun:
    as_of: date
    jobs: tuple[str, ...]


def last_occurrence(job: Job, now: datetime, calendar: WorkCalendar) -> datetime | None:
    """The job's most recent scheduled time at or before ``now`` (aware, in ``now``'s timezone)."""
    day = _latest_due_day(job, calendar, now.date())
    if day == now.date() and datetime.combine(day, job.at, now.tzinfo) > now:
        day = _latest_due_day(job, calendar, day - timedelta(days=1))
    return datetime.combine(day, job.at, now.tzinfo) if day else None


@lru_cache(maxsize=1024)
def _latest_due_day(job: Job, calendar: WorkCalendar, day: date) -> date | None:
    """The latest day on or before ``day`` on which ``job`` is due (cached: ticks ask every minute)."""
    return next((d for back in range(LOOKBACK_DAYS) if is_due(job, d := day - timedelta(days=back), calendar)),
                None)


def run_day(job: str, scheduled: date, today: date) -> date:
    """The as-of day a job scheduled on ``scheduled`` runs with when it runs ``today``."""
    return today if job == "daily" else scheduled


def due_runs(rules: Rulebook, now: datetime, done: Mapping[str, datetime], since: datetime) -> list[DueRun]:
    """The syncs a book needs now: every job whose latest scheduled time is after ``since`` and after
    the last run that covered it (``done``), grouped by as-of day, oldest first."""
    by_day: dict[date, list[str]] = {}
    for key in JOBS:
        at = last_occurrence(rules.jobs[key], now, rules.calendar)
        if at is None or at < since or (key in done and done[key] >= at):
            continue
        by_day.setdefault(run_day(key, at.date(), now.date()), []).append(key)
    return [DueRun(day, tuple(jobs)) for day, jobs in sorted(by_day.items())]
