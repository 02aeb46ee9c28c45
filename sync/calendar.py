"""Working days in mainland China (statutory holidays and 调休 working weekends), 旬, weeks, quarters.

Holidays come from the ``chinese-calendar`` package; ``rules/calendar.toml`` may add holidays and
working days (e.g. for a year the package does not cover yet, or a company's own rest days), and a
book's 节假日 tab overrides both (see :meth:`WorkCalendar.overlaid`).
Counting is vectorised: a cumulative table of working days answers any number of ranges at once.
"""

from __future__ import annotations

import calendar as std_calendar
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import numpy as np
import pandas as pd


class WorkCalendar:
    def __init__(self, holidays: Iterable[date] = (), workdays: Iterable[date] = (),
                 timezone: str = "Asia/Shanghai") -> None:
        self.extra_holidays = frozenset(holidays)
        self.extra_workdays = frozenset(workdays)
        self.timezone = ZoneInfo(timezone)
        self.uncovered_years: set[int] = set()  # queried years with no holiday data (weekends only)
        self._checked: set[int] = set()
        self._base = date.max
        self._cum = np.zeros(0, dtype=np.int64)

    def overlaid(self, holidays: Iterable[date], workdays: Iterable[date]) -> WorkCalendar:
        """A new calendar in which these days (a book's 节假日 tab) override this one's extra days."""
        off, on = frozenset(holidays), frozenset(workdays)
        return WorkCalendar((self.extra_holidays - on) | off, (self.extra_workdays - off) | on, self.timezone.key)

    def today(self) -> date:
        return datetime.now(self.timezone).date()

    def is_workday(self, day: date) -> bool:
        self._note(day, day)
        return self._is_workday(day)

    def _is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def _note(self, first: date, last: date) -> None:
        """Remember queried years that the package has no holiday data for."""
        for year in range(first.year, last.year + 1):
            if year not in self._checked:
                self._checked.add(year)
                try:
                    chinese_calendar.is_workday(date(year, 6, 1))
                except NotImplementedError:
                    if not any(d.year == year for d in self.extra_holidays | self.extra_workdays):
                        self.uncovered_years.add(year)

    def _table(self, first: date, last: date) -> None:
        """Make sure the cumulative table spans [first - 1 day, last]."""
        if self._cum.size and self._base <= first - timedelta(days=1) \
                and last <= self._base + timedelta(days=int(self._cum.size) - 1):
            return
        lo = min(first, self._base) if self._cum.size else first
        hi = max(last, self._base + timedelta(days=int(self._cum.size) - 1)) if self._cum.size else last
        lo -= timedelta(days=400)
        hi += timedelta(days=400)
        days = (hi - lo).days + 1
        flags = np.fromiter((self._is_workday(lo + timedelta(days=i)) for i in range(days)), np.int64, days)
        self._base, self._cum = lo, np.cumsum(flags)

    def count(self, after: date, through: date) -> int:
        """Working days d with after < d <= through (0 when through <= after)."""
        if through <= after:
            return 0
        self._note(after, through)
        self._table(after, through)
        return int(self._cum[(through - self._base).days] - self._cum[(after - self._base).days])

    def count_many(self, after: pd.Series, through: pd.Series) -> np.ndarray:
        """``count`` for two aligned datetime Series; NaN where either date is missing."""
        ok = after.notna() & through.notna()
        result = np.full(len(after), np.nan)
        if not ok.any():
            return result
        a = after[ok].to_numpy(dtype="datetime64[D]")
        b = through[ok].to_numpy(dtype="datetime64[D]")
        first = min(a.min(), b.min()).astype(date)
        last = max(a.max(), b.max()).astype(date)
        self._note(first, last)
        self._table(first, last)
        base = np.datetime64(self._base, "D")
        ia = (a - base).astype(np.int64)
        ib = (b - base).astype(np.int64)
        result[ok.to_numpy()] = np.where(ib > ia, self._cum[ib] - self._cum[ia], 0)
        return result

    def shift(self, day: date, workdays: int) -> date:
        """The ``workdays``-th working day after ``day`` (before it when negative)."""
        step = 1 if workdays >= 0 else -1
        remaining = abs(workdays)
        while remaining:
            day += timedelta(days=step)
            remaining -= self.is_workday(day)
        return day

    def first_workday(self, year: int, month: int) -> date:
        day = date(year, month, 1)
        return day if self.is_workday(day) else self.shift(day, 1)

    def last_workday(self, year: int, month: int) -> date:
        day = month_end(year, month)
        return day if self.is_workday(day) else self.shift(day, -1)


def add_months(year: int, month: int, offset: int) -> tuple[int, int]:
    """(year, month) ``offset`` months later (earlier when negative)."""
    y, m = divmod(year * 12 + month - 1 + offset, 12)
    return y, m + 1


def month_end(year: int, month: int) -> date:
    return date(year, month, std_calendar.monthrange(year, month)[1])


def xun(day: date) -> tuple[date, date]:
    """The 旬 containing ``day``: days 1–10, 11–20 or 21–month end."""
    if day.day <= 10:
        return day.replace(day=1), day.replace(day=10)
    if day.day <= 20:
        return day.replace(day=11), day.replace(day=20)
    return day.replace(day=21), month_end(day.year, day.month)


def next_xun(day: date) -> tuple[date, date]:
    return xun(xun(day)[1] + timedelta(days=1))


def xun_name(day: date) -> str:
    return f"{day.month}月{('上', '中', '下')[min((day.day - 1) // 10, 2)]}旬"


def week(day: date) -> tuple[date, date]:
    """Monday–Sunday week containing ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def quarter(day: date) -> tuple[int, int]:
    """(year, quarter 1–4)."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_months(year: int, q: int) -> list[tuple[int, int]]:
    return [(year, m) for m in range(3 * q - 2, 3 * q + 1)]

