"""What a 周通报 or 月通报 says, computed from the same dispatch state and the same functions as the tabs
(周报表, 月报表, 调度看板), so its figures equal theirs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import pandas as pd

from ..calendar import next_xun
from ..jobdays import monthly_period, weekly_period
from ..reports.board import headline
from ..reports.common import DispatchState, rollup
from ..reports.weekly import newly_red, week_tasks
from ..schema import LEVELS

Period = Literal["week", "month"]
LIST_LIMIT = 12  # rows per list: the document stays at one or two pages
DUE_DAYS = 7  # the weekly bulletin's look-ahead


@dataclass
class ChartData:
    """Four-colour counts per committee: the board's first table."""

    units: list[str]
    colours: list[tuple[str, str]]  # (label, fill RRGGBB) in palette order
    counts: list[list[int]]  # per unit, per colour


@dataclass
class Bulletin:
    kind: Period
    title: str
    period: str
    as_of: date
    summary: str  # the headline sentence
    figures: dict[str, int | float]  # 任务总数, 已闭合 / 周内闭合, 红色, 橙色 …
    chart: ChartData
    new_red: pd.DataFrame  # id, name, unit_name, owner, deadline, progress
    weakest: pd.DataFrame  # level, unit_name, score, tied
    exemplars: pd.DataFrame  # id, name, unit_name, latest
    top_units: pd.DataFrame  # level, unit_name, score
    due_next: pd.DataFrame  # id, name, unit_name, owner, deadline, progress
    due_label: str


def chart_data(state: DispatchState, tasks: pd.DataFrame) -> ChartData:
    palette = state.rules.palette
    counts = rollup(tasks, state.org, "colour", list(palette))
    committees = [c for c in state.org.codes if state.org.levels[c] == LEVELS[1]]
    return ChartData([state.org.label(c) for c in committees], [(c.label, c.fill) for c in palette.values()],
                     [[int(v) for v in counts.loc[c]] for c in committees])


def build_bulletin(state: DispatchState, kind: Period) -> Bulletin:
    """The week's bulletin (the week 周报表 reports) or the month's (the month 月报表 reports)."""
    return _week(state) if kind == "week" else _month(state)


def _week(state: DispatchState) -> Bulletin:
    monday = state.report_week or weekly_period(state.rules, state.as_of)
    sunday = monday + timedelta(days=6)
    end = min(sunday, state.as_of)
    tasks = week_tasks(state, monday, end)
    closed = tasks["closed"].astype(bool) & tasks["closed_on"].between(pd.Timestamp(monday), pd.Timestamp(end))
    red = newly_red(state, tasks, monday, end)
    figures: dict[str, int | float] = {
        "任务总数": len(tasks), "周内闭合": int(closed.sum()), "周内新增红色": int(red.sum()),
        "橙色预警": int((tasks["role"] == "warning").sum()), "红色（累计）": int((tasks["role"] == "overdue").sum())}
    due = _open_due(state.tasks, end + timedelta(days=1), end + timedelta(days=DUE_DAYS))
    return Bulletin("week", "党建调度周通报", f"{monday:%Y年%m月%d日}—{sunday:%m月%d日}", state.as_of,
                    headline(state.tasks, state, f"{state.as_of:%Y年%m月}"), figures,
                    chart_data(state, state.tasks), tasks[red], *_weakest_and_best(state, state.month, tasks),
                    due, f"{end + timedelta(days=1):%m月%d日}—{end + timedelta(days=DUE_DAYS):%m月%d日}")


def _month(state: DispatchState) -> Bulletin:
    month = state.report_month or monthly_period(state.rules, state.as_of)
    tasks = state.months.get(month, state.empty)
    total = len(tasks)
    closed = int(tasks["closed"].sum()) if total else 0
    figures: dict[str, int | float] = {
        "任务总数": total, "已闭合": closed, "闭合率": round(closed / total, 4) if total else 0.0,
        "红色": int((tasks["role"] == "overdue").sum()), "橙色": int((tasks["role"] == "warning").sum())}
    first, last = next_xun(min(state.as_of, _month_end(month)))
    due = _open_due(state.tasks if month == state.month else pd.concat([tasks, state.tasks]), first, last)
    label = f"{month[0]}年{month[1]}月"
    return Bulletin("month", "党建调度月通报", label, state.as_of, headline(tasks, state, label), figures,
                    chart_data(state, tasks), tasks[tasks["role"] == "overdue"],
                    *_weakest_and_best(state, month, tasks), due, f"{first:%m月%d日}—{last:%m月%d日}")


def _month_end(month: tuple[int, int]) -> date:
    following = date(month[0] + month[1] // 12, month[1] % 12 + 1, 1)
    return following - timedelta(days=1)


def _weakest_and_best(state: DispatchState, month: tuple[int, int],
                      tasks: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """短板 and 典型导向 (marked exemplar tasks, the top unit of each level) of ``month``."""
    assessment = state.assessment(month)
    marked = tasks[tasks["exemplar"].astype(bool)] if len(tasks) else tasks
    return assessment.bottom, marked, assessment.scores[assessment.scores["rank"] == 1]


def _open_due(tasks: pd.DataFrame, first: date, last: date) -> pd.DataFrame:
    """Open tasks whose deadline falls from ``first`` to ``last``, earliest first; a task counts once."""
    due = tasks[~tasks["closed"].astype(bool) & tasks["deadline"].between(pd.Timestamp(first), pd.Timestamp(last))]
    return due.drop_duplicates("id", keep="last").sort_values(["deadline", "id"], kind="stable")
