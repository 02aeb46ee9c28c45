"""An independent re-computation of colours, kinds and scores, written from the README's rules section and
the values in ``rules/*.toml`` only: plain loops over typed rows, exact fractions, chinese-calendar
directly. It shares no code with ``sync`` (tests compare the two over random books)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import chinese_calendar

RULES = Path(__file__).resolve().parent.parent / "rules"
CLOSED_WORDS = ("已完成", "已闭合", "已销号", "完成", "办结")


def _toml(name: str) -> dict:
    return tomllib.loads((RULES / f"{name}.toml").read_text(encoding="utf-8"))


def _param(table: dict, name: str) -> float:
    spec = table["params"][name]
    return spec["value"] if isinstance(spec, dict) else spec


COLOURS, DISPATCH, ASSESSMENT = _toml("colours"), _toml("dispatch"), _toml("assessment")
WARN_DAYS = _param(COLOURS, "预警工作日")
LAG_POINTS = Fraction(str(_param(COLOURS, "滞后预警点数")))
POINTS = {k: _param(ASSESSMENT, k) for k in ("红色扣分", "橙色扣分", "未按时调度扣分", "按期闭合加分", "典型加分")}
STALE_DAYS = _param(ASSESSMENT, "未按时调度工作日")
BONUS_CAP = _param(ASSESSMENT, "加分上限")


def _words(kind: str, field: str) -> list[str]:
    entry = next(k for k in DISPATCH["kind"] if k["key"] == kind)
    return [w for c in entry.get("any", []) if c["field"] == field for w in c["values"]]


def workday(day: date) -> bool:
    return chinese_calendar.is_workday(day)


def workdays(after: date, through: date) -> int:
    """Working days d with after < d <= through."""
    return sum(workday(after + timedelta(days=i)) for i in range(1, (through - after).days + 1))


def month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def first_workday(year: int, month: int) -> date:
    day = date(year, month, 1)
    while not workday(day):
        day += timedelta(days=1)
    return day


@dataclass
class Row:
    """One month-sheet row as a person reads it (dates as dates, progress in points, status as typed)."""

    id: str
    unit: str
    level: str
    category: str
    source: str | None
    start: date | None
    deadline: date
    progress: Fraction | None
    status: str | None
    updated: date | None
    exemplar: bool


def as_read(row: Row, as_of: date) -> Row:
    """A 更新日期 after the as-of day is a typing mistake: reported, and read as empty."""
    return replace(row, updated=None) if row.updated is not None and row.updated > as_of else row


def colour(row: Row, as_of: date, month: tuple[int, int]) -> str:
    row = as_read(row, as_of)
    end = month_end(*month)
    judged = min(as_of, end)  # a past month is judged at the end of its last day
    clock = as_of if as_of <= end else end + timedelta(days=1)  # the morning after it
    if closed(row, judged):
        return "green"
    if clock > row.deadline:
        return "red"
    if workdays(clock, row.deadline) <= WARN_DAYS:
        return "orange"
    start = row.start or first_workday(*month)
    total = workdays(start - timedelta(days=1), row.deadline)
    elapsed = workdays(start - timedelta(days=1), clock - timedelta(days=1))
    expected = Fraction(100 * elapsed, total) if total else Fraction(100 if row.deadline < clock else 0)
    expected = min(max(expected, Fraction(0)), Fraction(100))
    if expected - (row.progress or 0) >= LAG_POINTS:
        return "orange"
    return "blue"


def closed(row: Row, judged: date) -> bool:
    """A closed status counts from its 更新日期: closed after the judgement day, it was open that day."""
    return row.status in CLOSED_WORDS and (row.updated is None or row.updated <= judged)


def kind(row: Row) -> str:
    if any(w in (row.source or "") for w in _words("key", "来源")) or row.category in _words("key", "类别"):
        return "key"
    if row.category in _words("advance", "类别"):
        return "advance"
    if row.category in _words("change", "类别"):  # no history: nothing "changed since the last sync"
        return "change"
    return "routine"


def scores(rows: list[Row], units: dict[str, str], as_of: date, month: tuple[int, int]) -> dict[str, tuple[float, int]]:
    """Unit -> (score, competition rank within its level) for the month's sheet."""
    judged = min(as_of, month_end(*month))
    minus = dict.fromkeys(units, 0.0)
    plus = dict.fromkeys(units, 0.0)
    first = date(*month, 1)
    for row in (as_read(r, as_of) for r in rows):
        c = colour(row, as_of, month)
        if c == "red" and row.deadline >= first:  # a miss judged in an earlier month is not deducted again
            minus[row.unit] += POINTS["红色扣分"]
        if c == "orange":
            minus[row.unit] += POINTS["橙色扣分"]
        is_closed = closed(row, judged)
        since = row.updated or row.start or first_workday(*month)
        if not is_closed and workdays(since, judged) > STALE_DAYS:
            minus[row.unit] += POINTS["未按时调度扣分"]
        if is_closed and row.updated is not None and first <= row.updated <= month_end(*month) \
                and row.updated <= row.deadline:
            plus[row.unit] += POINTS["按期闭合加分"]
        if row.exemplar:
            plus[row.unit] += POINTS["典型加分"]
    score = {u: max(100 + minus[u] + min(plus[u], BONUS_CAP), 0) for u in units}
    return {u: (score[u], 1 + sum(score[o] > score[u] for o in units if units[o] == units[u])) for u in units}
