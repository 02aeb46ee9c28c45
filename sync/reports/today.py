"""What turned red or orange since the last working day, and last month's final result (for the
first days of a new month): the figures the board and the 通报 show beside today's counts."""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..calendar import add_months
from ..dispatch import Context, classify
from .common import DispatchState

NEW_ROLES = ("overdue", "warning")
LAST_MONTH_DAYS = 10  # within the first 旬 the board also shows last month's final result


def last_workday(state: DispatchState) -> date:
    """The working day before the as-of date."""
    return state.rules.calendar.shift(state.as_of, -1)


def newly_flagged(state: DispatchState) -> pd.DataFrame:
    """Tasks red or orange today that were not of that colour on the last working day. The tasks'
    figures as they stand today are judged at that day (the same rules, the earlier date), so a task
    counts as new when its deadline or the expected progress caught up with it since then."""
    tasks = state.tasks
    flagged = tasks[tasks["role"].isin(NEW_ROLES)]
    if flagged.empty:
        return flagged
    before = classify(flagged.drop(columns=["kind", "kind_label", "colour", "colour_label", "role"]),
                      state.org, state.rules, Context(last_workday(state), state.month))
    return flagged[before["role"].to_numpy() != flagged["role"].to_numpy()]


def last_month(state: DispatchState) -> tuple[int, int] | None:
    """Last month, while the as-of date is in the first days of a month and that month's sheet exists."""
    if state.as_of.day > LAST_MONTH_DAYS:
        return None
    month = add_months(*state.month, -1)
    return month if month in state.months else None
