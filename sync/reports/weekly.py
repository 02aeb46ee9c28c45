"""周报表 (周通报): one Monday–Sunday week — closed in the week, newly red, orange, per unit."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from ..sheets import SheetGrid
from .common import DispatchState, chains, hierarchy, indent, task_block
from .layout import Block, sheet

NAME = "周报表"


def week_tasks(state: DispatchState, monday: date, end: date) -> pd.DataFrame:
    """The tasks of every month sheet the week touches; a carried-over task counts once (its latest)."""
    months = sorted({(monday.year, monday.month), (end.year, end.month)})
    frames = [state.months[m] for m in months if m in state.months]
    if not frames:
        return state.empty
    return pd.concat(frames, ignore_index=True).drop_duplicates("id", keep="last").reset_index(drop=True)


def newly_red(state: DispatchState, tasks: pd.DataFrame, monday: date, end: date) -> pd.Series:
    """Red now and not red before the week: from history when there is a snapshot from before the
    week, else tasks whose deadline passed during the week."""
    red = tasks["role"] == "overdue"
    if state.week_start is not None and not state.week_start.empty:
        before = tasks["id"].map(state.week_start.drop_duplicates("id").set_index("id")["colour"])
        return red & (before.map(state.rules.roles) != "overdue")
    passed = tasks["deadline"].between(pd.Timestamp(monday - timedelta(days=1)), pd.Timestamp(end - timedelta(days=1)))
    return red & passed


def weekly(state: DispatchState, monday: date) -> SheetGrid:
    """The report of the week starting ``monday`` (up to the as-of date when that week is current)."""
    sunday = monday + timedelta(days=6)
    end = min(sunday, state.as_of)
    tasks = week_tasks(state, monday, end)
    closed = tasks["closed"].astype(bool) & tasks["closed_on"].between(pd.Timestamp(monday), pd.Timestamp(end))
    new_red = newly_red(state, tasks, monday, end)
    orange = tasks["role"] == "warning"
    flags = pd.DataFrame({"closed": closed, "new_red": new_red, "orange": orange,
                          "red": tasks["role"] == "overdue", "all": True}, index=tasks.index)
    org = state.org
    per_unit = flags.assign(unit=chains(tasks["unit"], org)).explode("unit").groupby("unit")[list(flags.columns)].sum()
    rows = []
    for code, depth in hierarchy(org):
        if code in per_unit.index and per_unit.at[code, "all"]:
            c = per_unit.loc[code]
            rows.append([indent(org.label(code), depth), org.levels[code], int(c["closed"]), int(c["new_red"]),
                         int(c["orange"]), int(c["red"]), int(c["all"])])
    summary = (f"{monday:%m月%d日}—{sunday:%m月%d日}：闭合 {int(closed.sum())} 项，新增红色 {int(new_red.sum())} 项；"
               f"目前橙色预警 {int(orange.sum())} 项")
    blocks = [
        Block("分单位情况（逐级汇总）", ["单位", "层级", "周内闭合", "周内新增红色", "橙色预警", "红色（累计）", "任务总数"],
              rows),
        task_block("周内闭合", tasks[closed], state.rules),
        task_block("周内新增红色（逾期，计入考核）", tasks[new_red], state.rules),
        task_block("橙色预警（临近截止或进度滞后）", tasks[orange], state.rules),
    ]
    return sheet(NAME, f"周报表 · 周通报 {monday:%Y年%m月%d日}—{sunday:%m月%d日}", state.as_of, blocks, [summary])
