"""周报表 (周通报): the week containing the as-of date — closed this week, newly red, orange, per unit."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from ..backends.base import SheetGrid
from ..calendar import week
from .common import DispatchState, chains, hierarchy, indent, task_block
from .layout import Block, sheet

NAME = "周报表"


def newly_red(state: DispatchState) -> pd.Series:
    """Red now and not red before this week: from history when there is a snapshot from before the
    week, else tasks whose deadline passed during this week."""
    tasks = state.tasks
    monday, _ = week(state.as_of)
    red = tasks["colour"] == "red"
    if state.week_start is not None and not state.week_start.empty:
        before = tasks["id"].map(state.week_start.drop_duplicates("id").set_index("id")["colour"])
        return red & (before != "red")
    passed = tasks["deadline"].between(pd.Timestamp(monday - timedelta(days=1)), pd.Timestamp(state.as_of))
    return red & passed


def weekly(state: DispatchState) -> SheetGrid:
    tasks = state.tasks
    monday, sunday = week(state.as_of)
    closed = tasks["closed"] & tasks["closed_on"].between(pd.Timestamp(monday), pd.Timestamp(state.as_of)) \
        if len(tasks) else pd.Series(dtype=bool)
    new_red = newly_red(state) if len(tasks) else pd.Series(dtype=bool)
    orange = tasks["colour"] == "orange"
    flags = pd.DataFrame({"closed": closed, "new_red": new_red, "orange": orange,
                          "red": tasks["colour"] == "red", "all": True}, index=tasks.index).fillna(False)
    org = state.org
    per_unit = (flags.assign(unit=chains(tasks["unit"], org)).explode("unit")
                .groupby("unit")[list(flags.columns)].sum()) if len(tasks) else pd.DataFrame()
    rows = []
    for code, depth in hierarchy(org):
        if code in per_unit.index and per_unit.at[code, "all"]:
            c = per_unit.loc[code]
            rows.append([indent(org.label(code), depth), org.levels[code], int(c["closed"]), int(c["new_red"]),
                         int(c["orange"]), int(c["red"]), int(c["all"])])
    summary = (f"本周（{monday:%m月%d日}—{sunday:%m月%d日}）闭合 {int(closed.sum())} 项，新增红色 {int(new_red.sum())} 项，"
               f"橙色预警 {int(orange.sum())} 项")
    blocks = [
        Block("分单位情况（逐级汇总）", ["单位", "层级", "本周闭合", "新增红色", "橙色预警", "红色（累计）", "任务总数"], rows),
        task_block("本周闭合", tasks[closed], state.rules),
        task_block("本周新增红色（逾期，计入考核）", tasks[new_red], state.rules),
        task_block("橙色预警（临近截止或进度滞后）", tasks[orange], state.rules),
    ]
    return sheet(NAME, "周报表 · 周通报", state.as_of, blocks, [summary],
                 widths=[24, 36, 12, 14, 24, 14, 12, 8, 10, 12, 36])
