"""The engine against an independent re-computation (tests/reference_rules.py) over random books around
the 2026 holidays: every colour, kind and score must agree."""

from __future__ import annotations

import random
from datetime import date, timedelta
from fractions import Fraction

import pytest

from sync.backends.memory import MemoryBook
from sync.engine import run_sync
from tests import reference_rules as ref
from tests.conftest import MONTH_HEADER, ORG_HEADER, ORG_ROWS, PLAN_HEADER

LEVELS = {row[0]: row[2] for row in ORG_ROWS}
# as-of days around 元旦, 春节 (调休 Sat 14 Feb, Sat 28 Feb), 清明, 劳动节 (Sat 9 May), 端午, 中秋 + 国庆
# (Sun 20 Sep, Sat 10 Oct), and month ends judged the day after
AROUND = [date(2026, 1, 5), date(2026, 2, 13), date(2026, 2, 24), date(2026, 3, 2), date(2026, 4, 7),
          date(2026, 5, 6), date(2026, 5, 11), date(2026, 6, 22), date(2026, 7, 1), date(2026, 9, 21),
          date(2026, 9, 28), date(2026, 10, 8), date(2026, 10, 12), date(2026, 11, 2), date(2026, 12, 1)]
LAST_KNOWN = date(2026, 12, 31)  # the last day chinese-calendar has 2026's official schedule for
CATEGORIES = ["焦点", "热点", "难点", "规定动作", "两学一做", "三基建设", "行政重点工作", "重点工程", "常规工作", "宣传思想"]
SOURCES = ["董事长热线", "矿区文明调度", "职工诉求", "集团党委", "上级部署", None, "某渠道", "组织部"]
STATUSES = ["已完成", "已闭合", "办结", "进行中", "推进中", "未开始", None]


def typed_date(rnd: random.Random, day: date) -> object:
    return rnd.choice([day, f"{day:%Y-%m-%d}", f"{day.year}/{day.month}/{day.day}", f"{day.year}年{day.month}月{day.day}日"])


def typed_progress(rnd: random.Random, points: Fraction) -> tuple[object, Fraction]:
    """How staff type a progress, and the points it means."""
    way = rnd.randrange(3)
    if way == 0:
        return f"{float(points):g}%", points
    if way == 1 and points > 1:
        return float(points), points
    return float(points / 100), Fraction(str(float(points / 100))) * 100


def random_rows(rnd: random.Random, month: tuple[int, int], as_of: date, prefix: str) -> list[ref.Row]:
    first, end = date(*month, 1), ref.month_end(*month)
    rows = []
    for i in range(rnd.randint(15, 40)):
        deadline = min(first + timedelta(days=rnd.randrange((end - first).days + 1 + 10) - 5), LAST_KNOWN)
        start = None if rnd.random() < 0.25 else min(deadline, first + timedelta(days=rnd.randrange(20) - 5))
        progress = None if rnd.random() < 0.15 else Fraction(rnd.randrange(0, 10001), 100)
        if progress is not None and rnd.random() < 0.3:  # right at the 20-point lag boundary, or 0.01 either side
            clock = min(as_of, end + timedelta(days=1))
            base = start or ref.first_workday(*month)
            total = ref.workdays(base - timedelta(days=1), deadline)
            if total:
                expected = Fraction(100 * ref.workdays(base - timedelta(days=1), clock - timedelta(days=1)), total)
                progress = min(max(expected - 20 + Fraction(rnd.choice([-1, 0, 1]), 100), Fraction(0)), Fraction(100))
                progress = Fraction(round(progress * 100), 100)
        status = rnd.choice(STATUSES)
        updated = None if rnd.random() < 0.2 else first + timedelta(days=rnd.randrange((as_of - first).days + 3))
        unit = rnd.choice(list(LEVELS))
        rows.append(ref.Row(f"{prefix}-{i:03d}", unit, LEVELS[unit], rnd.choice(CATEGORIES), rnd.choice(SOURCES),
                            start, deadline, progress, status, updated, rnd.random() < 0.08))
    return rows


def sheet(rnd: random.Random, rows: list[ref.Row]) -> list[list[object]]:
    grid: list[list[object]] = [MONTH_HEADER + ["典型"]]
    for r in rows:
        shown, _ = typed_progress(rnd, r.progress) if r.progress is not None else (None, None)
        grid.append([r.id, "任务", r.category, r.source, None, r.unit, None,
                     typed_date(rnd, r.start) if r.start else None, typed_date(rnd, r.deadline), shown, r.status,
                     None, typed_date(rnd, r.updated) if r.updated else None, None, "是" if r.exemplar else None])
    return grid


@pytest.mark.parametrize("seed", range(30))
def test_engine_agrees_with_the_reference_on_every_colour_kind_and_score(rules, seed):
    rnd = random.Random(seed)
    as_of = rnd.choice(AROUND) + timedelta(days=rnd.randrange(-2, 3))
    this = (as_of.year, as_of.month)
    last = (as_of.year - 1, 12) if as_of.month == 1 else (as_of.year, as_of.month - 1)
    books = {m: random_rows(rnd, m, as_of, f"T{m[1]:02d}") for m in (last, this)}
    tabs = {"组织架构": [ORG_HEADER, *ORG_ROWS], "年度计划书": [PLAN_HEADER]}
    for (y, m), rows in books.items():
        tabs[f"月度任务 {y}-{m:02d}"] = sheet(random.Random(seed * 31 + m), rows)
    outcome = run_sync(MemoryBook(tabs, label="random.xlsx"), as_of, jobs=[], rules=rules)
    # Contradictions between progress and status change nothing the rules compute; a future 更新日期 is read
    # as empty, as the reference does too.
    assert [p for p in outcome.problems if p.kind not in {"done_but_open", "closed_low_progress", "future_update"}] == []
    compared = 0
    for month, rows in books.items():
        engine = outcome.state.months[month].set_index("id")
        for row in rows:
            got = engine.loc[row.id]
            assert (got["colour"], got["kind"]) == (ref.colour(row, as_of, month), ref.kind(row)), (row, as_of, month)
            compared += 1
        expected = ref.scores(rows, LEVELS, as_of, month)
        scores = outcome.state.assessment(month).scores.set_index("unit")
        assert {u: (float(s.score), int(s["rank"])) for u, s in scores.iterrows()} == expected, (as_of, month)
    assert compared >= 30
