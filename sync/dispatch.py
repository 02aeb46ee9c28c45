"""Kinds and colours for every task: derive the rule fields, then apply rules/dispatch.toml and colours.toml.

Everything here is vectorised over the whole task frame. A task frame is a month sheet's normalised
frame (see ``schema.MONTH``) with its unit resolved to a unit code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from .calendar import month_end
from .org import Org
from .rulebook import Rulebook
from .schema import STATUS_LABELS

LAG_DIGITS = 9  # the documented epsilon: expected progress and lag are compared at 1e-9 points


def judged_on(as_of: date, month: tuple[int, int]) -> date:
    """The day at whose end a month is judged, and the last day whose closures count: the as-of day
    while the month runs, else the month's last day."""
    return min(as_of, month_end(*month))


@dataclass(frozen=True)
class Context:
    """What a task's fields are evaluated against."""

    as_of: date  # the day the colours are for
    month: tuple[int, int]  # the month sheet's (year, month)
    channel_ids: frozenset[str] = frozenset()  # 诉求编号 from 渠道诉求
    closed_on: pd.Series | None = None  # task id -> first day seen closed (from history)
    previous: pd.DataFrame | None = None  # last snapshot before as_of: id, deadline, unit (from history)

    @property
    def judged_on(self) -> date:
        return judged_on(self.as_of, self.month)

    @property
    def clock(self) -> date:
        """The morning deadlines and expected progress are measured at: the as-of day, or for a past
        month the day after its last day (a month is judged at the end of its last day)."""
        end = month_end(*self.month)
        return self.as_of if self.as_of <= end else end + timedelta(days=1)


def derive(tasks: pd.DataFrame, org: Org, rules: Rulebook, ctx: Context) -> pd.DataFrame:
    """Add every rule field (closed, days_overdue, workdays_left, progress_lag …) to ``tasks``."""
    cal = rules.calendar
    judged, day = pd.Timestamp(ctx.judged_on), pd.Timestamp(ctx.clock)
    f = tasks.copy()
    n = len(f)
    first = pd.Timestamp(cal.first_workday(*ctx.month))
    month_start, month_stop = pd.Timestamp(date(*ctx.month, 1)), pd.Timestamp(month_end(*ctx.month))

    closed_on = f["updated"]
    if ctx.closed_on is not None and len(ctx.closed_on):
        seen = f["id"].map(ctx.closed_on)
        closed_on = pd.to_datetime(seen).fillna(closed_on) if seen.notna().any() else closed_on
    status = f["status"].where(f["status"].notna(),
                               np.where(f["progress"].fillna(0) > 0, "open", "not_started"))
    f["closed"] = ((status == "closed") & ~(closed_on > judged)).to_numpy(dtype=bool)
    f["closed_on"] = closed_on.where(f["closed"])
    f["status_label"] = status.map(STATUS_LABELS)
    f["unit_name"] = f["unit"].map(org.names)
    f["level"] = f["unit"].map(org.levels)

    f["days_overdue"] = (day - f["deadline"]).dt.days.astype("float64")
    # due before the sheet's month: its miss was judged in an earlier month's 月考核
    f["overdue_before"] = (~f["closed"] & (f["deadline"] < month_start)).to_numpy(dtype=bool)
    everyday = pd.Series(np.full(n, day.to_datetime64()), index=f.index)
    f["workdays_left"] = cal.count_many(everyday, f["deadline"])
    start = f["start"].fillna(first)
    before_start = start - timedelta(days=1)
    total = cal.count_many(before_start, f["deadline"])
    elapsed = cal.count_many(before_start, everyday - timedelta(days=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(total > 0, elapsed / total * 100, np.where(f["deadline"] < day, 100.0, 0.0))
    # Exact values up to LAG_DIGITS decimals, so float noise (30.01 typed as 0.3001) cannot cross a threshold
    expected = np.clip(expected, 0, 100)
    f["expected_progress"] = expected.round(LAG_DIGITS)
    f["progress_lag"] = (expected - f["progress"].fillna(0)).round(LAG_DIGITS)
    judged_days = pd.Series(np.full(n, judged.to_datetime64()), index=f.index)
    f["stale_workdays"] = cal.count_many(f["updated"].fillna(start), judged_days)

    f["from_channel"] = f["id"].isin(ctx.channel_ids).to_numpy(dtype=bool)
    f["changed"], f["change"] = _changes(f, ctx.previous, org)
    in_month = f["closed_on"].between(month_start, month_stop)
    f["closed_on_time"] = (f["closed"] & in_month & (f["closed_on"] <= f["deadline"])).to_numpy(dtype=bool)
    f["exemplar"] = f["exemplar"].fillna(False).astype(bool)
    return f


def _changes(f: pd.DataFrame, previous: pd.DataFrame | None, org: Org) -> tuple[np.ndarray, list[str]]:
    """Deadline or responsible unit differs from the previous snapshot (False without history), and
    what changed, e.g. ``截止日期 11-30→12-05；责任单位 一矿党委→二矿党委``."""
    if previous is None or previous.empty:
        return np.zeros(len(f), dtype=bool), [""] * len(f)
    prev = previous.drop_duplicates("id").set_index("id")
    old_deadline = pd.to_datetime(f["id"].map(prev["deadline"]))
    old_unit = f["id"].map(prev["unit"])
    known = f["id"].isin(prev.index)
    moved_deadline = known & old_deadline.notna() & (old_deadline != f["deadline"])
    moved_unit = known & old_unit.notna() & (old_unit != f["unit"])
    texts = [""] * len(f)
    for i in np.flatnonzero((moved_deadline | moved_unit).to_numpy()):  # only the few that changed
        parts = [f"截止日期 {_day(old_deadline.iat[i])}→{_day(f['deadline'].iat[i])}"] if moved_deadline.iat[i] else []
        if moved_unit.iat[i]:
            was, now = old_unit.iat[i], f["unit"].iat[i]
            parts.append(f"责任单位 {org.names.get(was, was)}→{org.names.get(now, now)}")
        texts[i] = "；".join(parts)
    return (moved_deadline | moved_unit).to_numpy(dtype=bool), texts


def _day(value: pd.Timestamp) -> str:
    return "（空）" if pd.isna(value) else f"{value:%m-%d}"


def classify(tasks: pd.DataFrame, org: Org, rules: Rulebook, ctx: Context) -> pd.DataFrame:
    """Derived fields plus ``kind``/``kind_label``, ``colour``/``colour_label`` and the colour's ``role``
    (closed, overdue, warning, in_progress: what reports and the assessment go by) for every task."""
    f = derive(tasks, org, rules, ctx)
    f["kind"] = rules.first_match(rules.kinds, f, rules.params)
    f["kind_label"] = f["kind"].map({r.key: r.label for r in rules.kinds})
    f["colour"] = rules.first_match(rules.colours, f, rules.params)
    f["colour_label"] = f["colour"].map({r.key: r.label for r in rules.colours})
    f["role"] = f["colour"].map(rules.roles)
    return f
