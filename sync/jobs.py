"""The 五个一 jobs: when each is due (rules/jobs.toml) and which sync-owned tabs it builds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from .backends.base import SheetGrid
from .calendar import WorkCalendar, add_months, month_end, next_xun, quarter, week, xun
from .reports.board import board
from .reports.common import DispatchState
from .reports.lists import kind_lists, problems_tab
from .reports.monthly import monthly_assessment, monthly_report
from .reports.quarterly import quarterly
from .reports.weekly import weekly
from .reports.xun import xun_check
from .rulebook import JOB_KEYS, Job, Rulebook

JOBS = JOB_KEYS  # daily, weekly, xun, monthly, quarterly


def _effective(day: date, job: Job, cal: WorkCalendar) -> date:
    """A scheduled day, moved to the next working day when the job says so."""
    if job.shift_to_workday and not cal.is_workday(day):
        return cal.shift(day, 1)
    return day


def is_due(job: Job, day: date, cal: WorkCalendar) -> bool:
    kind, _, arg = job.when.partition(":")
    if kind == "workday":
        return cal.is_workday(day)
    if kind == "first_workday":
        return day == cal.first_workday(day.year, day.month)
    if kind == "quarter_first_workday":
        return day.month % 3 == 1 and day == cal.first_workday(day.year, day.month)
    if kind == "weekday":
        monday = week(day)[0]
        scheduled = [monday + timedelta(days=int(arg) - 1 + shift) for shift in (0, -7)]
    else:  # days:1,11,21 — this month's and, for shifts across the month end, last month's
        months = ((day.year, day.month), add_months(day.year, day.month, -1))
        scheduled = [date(y, m, int(n)) for y, m in months for n in arg.split(",") if int(n) <= month_end(y, m).day]
    return any(_effective(s, job, cal) == day for s in scheduled)


def due_jobs(rules: Rulebook, day: date) -> list[str]:
    return [key for key in JOBS if is_due(rules.jobs[key], day, rules.calendar)]


def weekly_period(rules: Rulebook, day: date) -> date:
    """The Monday of the week a weekly bulletin reports: last week on its scheduled day, else this week."""
    monday = week(day)[0]
    return monday - timedelta(days=7) if is_due(rules.jobs["weekly"], day, rules.calendar) else monday


def xun_period(rules: Rulebook, day: date) -> tuple[date, date]:
    """The 旬 whose deadlines a self-check looks ahead to: the one starting on its scheduled day, else the next."""
    return xun(day) if is_due(rules.jobs["xun"], day, rules.calendar) else next_xun(day)


def monthly_period(rules: Rulebook, day: date) -> tuple[int, int]:
    """The month a monthly job reports on: last month on its scheduled day, else the current month to date."""
    if is_due(rules.jobs["monthly"], day, rules.calendar):
        return add_months(day.year, day.month, -1)
    return day.year, day.month


def quarterly_period(rules: Rulebook, day: date) -> tuple[int, int]:
    """(year, quarter): the quarter just ended on the job's scheduled day, else the current quarter."""
    year, q = quarter(day)
    if is_due(rules.jobs["quarterly"], day, rules.calendar):
        return (year - 1, 4) if q == 1 else (year, q - 1)
    return year, q


BUILDERS: dict[str, Callable[[DispatchState], list[SheetGrid]]] = {
    "daily": lambda s: [board(s), *kind_lists(s), problems_tab(s)],
    "weekly": lambda s: [weekly(s, s.report_week or weekly_period(s.rules, s.as_of))],
    "xun": lambda s: [xun_check(s, xun_period(s.rules, s.as_of))],
    "monthly": lambda s: [monthly_report(s, s.report_month or monthly_period(s.rules, s.as_of)),
                          monthly_assessment(s, s.report_month or monthly_period(s.rules, s.as_of))],
    "quarterly": lambda s: [quarterly(s, *quarterly_period(s.rules, s.as_of))],
}


def build_tabs(jobs: list[str], state: DispatchState) -> list[SheetGrid]:
    return [tab for job in JOBS if job in jobs for tab in BUILDERS[job](state)]
