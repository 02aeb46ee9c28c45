"""When each job was last due, which as-of day a caught-up job runs with, and what is due now.

Expected values are read off the 2026 calendar by hand: 25 Sep Mid-Autumn; 1–7 Oct National Day;
20 Sep (Sunday) and 10 Oct (Saturday) are 调休 working days; 1 Nov is a Sunday.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from sync.config import adjust_rules
from sync.rhythm import DueRun, due_runs, last_occurrence, run_day
from sync.rulebook import Rulebook
from tests.rhythm_helpers import TZ, at


@pytest.mark.parametrize(("job", "now", "expected"), [
    ("daily", at(10, 8, 7), at(9, 30, 7, 30)),  # before today's time: the last working day before the holiday
    ("daily", at(10, 8, 7, 30), at(10, 8, 7, 30)),  # exactly on time
    ("daily", at(10, 11, 12), at(10, 10, 7, 30)),  # Sunday: the 调休 Saturday
    ("daily", at(9, 21, 6), at(9, 20, 7, 30)),  # Monday early: the 调休 Sunday
    ("weekly", at(10, 6, 12), at(9, 28, 8)),  # Monday 5 Oct is a holiday, moved to the 8th
    ("weekly", at(10, 8, 9), at(10, 8, 8)),
    ("weekly", at(10, 13, 9), at(10, 12, 8)),
    ("xun", at(10, 11, 12), at(10, 8, 8)),  # the 1st moved to the 8th; the 11th is a Sunday
    ("xun", at(10, 12, 8), at(10, 12, 8)),
    ("xun", at(9, 26, 12), at(9, 21, 8)),
    ("monthly", at(11, 1, 12), at(10, 8, 8, 30)),
    ("monthly", at(11, 2, 8, 30), at(11, 2, 8, 30)),
    ("quarterly", at(12, 31, 23, 59), at(10, 8, 9)),
    ("quarterly", at(10, 8, 8, 59), at(7, 1, 9)),
])
def test_last_occurrence(rules: Rulebook, job: str, now: datetime, expected: datetime) -> None:
    assert last_occurrence(rules.jobs[job], now, rules.calendar) == expected


def test_last_occurrence_follows_configured_times(rules: Rulebook) -> None:
    early = adjust_rules(rules, None, {"daily": time(6, 0)})
    assert last_occurrence(early.jobs["daily"], at(10, 9, 6, 30), early.calendar) == at(10, 9, 6)
    assert last_occurrence(rules.jobs["daily"], at(10, 9, 6, 30), rules.calendar) == at(10, 8, 7, 30)


@pytest.mark.parametrize(("job", "scheduled", "today", "expected"), [
    ("daily", date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 8)),  # a missed dispatch is today's
    ("weekly", date(2026, 10, 19), date(2026, 10, 22), date(2026, 10, 19)),  # still the week before the 19th
    ("weekly", date(2026, 9, 28), date(2026, 10, 6), date(2026, 9, 28)),
    ("xun", date(2026, 10, 21), date(2026, 10, 29), date(2026, 10, 21)),  # looks ahead from the 21st
    ("xun", date(2026, 10, 21), date(2026, 11, 1), date(2026, 10, 21)),
    ("monthly", date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 2)),  # must still report October
    ("quarterly", date(2026, 10, 8), date(2026, 10, 12), date(2026, 10, 8)),
    ("monthly", date(2026, 11, 2), date(2026, 11, 2), date(2026, 11, 2)),
])
def test_run_day(job: str, scheduled: date, today: date, expected: date) -> None:
    assert run_day(job, scheduled, today) == expected


def test_nothing_is_due_when_every_job_ran_after_its_time(rules: Rulebook) -> None:
    now = at(11, 3, 9, 15)
    done = dict.fromkeys(("daily", "weekly", "xun", "monthly", "quarterly"), at(11, 3, 9))
    assert due_runs(rules, now, done, at(9, 19)) == []


def test_missed_jobs_group_by_as_of_day_oldest_first(rules: Rulebook) -> None:
    done = dict.fromkeys(("daily", "weekly", "xun", "monthly", "quarterly"), at(10, 30, 8))
    assert due_runs(rules, at(11, 3, 9, 15), done, at(9, 19)) == [
        DueRun(date(2026, 11, 2), ("weekly", "xun", "monthly")), DueRun(date(2026, 11, 3), ("daily",))]


def test_nothing_before_the_first_day_is_caught_up(rules: Rulebook) -> None:
    """A book seen for the first time on 3 Nov: only today's occurrences count."""
    assert due_runs(rules, at(11, 3, 9, 15), {}, at(11, 3)) == [DueRun(date(2026, 11, 3), ("daily",))]
    assert due_runs(rules, at(11, 2, 9, 15), {}, at(11, 2)) == [
        DueRun(date(2026, 11, 2), ("daily", "weekly", "xun", "monthly"))]


def test_a_replay_of_a_past_day_does_not_count_for_today(rules: Rulebook) -> None:
    """History stores min(run time, end of its as-of day) as what a run covered."""
    replay = datetime.combine(date(2026, 10, 30), time.max, TZ)
    assert due_runs(rules, at(11, 3, 9, 15), {"daily": replay}, at(11, 3)) == [
        DueRun(date(2026, 11, 3), ("daily",))]
    assert due_runs(rules, at(11, 3, 9, 15), {"daily": at(11, 3, 7, 31)}, at(11, 3)) == []
