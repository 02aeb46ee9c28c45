"""The three dispatch lists (重点调度 / 超前调度 / 变化调度) and the 数据问题 tab."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..sheets import SheetGrid
from .common import TASK_LIST, DispatchState, colour_counts, task_block
from .layout import Block, sheet

PROBLEMS_NAME = "数据问题"
RECENT_PARAM = "清单保留闭合工作日"  # rules/dispatch.toml [params]


def kind_lists(state: DispatchState) -> list[SheetGrid]:
    """One tab per dispatch kind except the default (常规), each task that needs action with owner, deadline,
    colour and what changed since the previous sync (变化: deadline or responsible unit, from the history).

    Listed: open tasks and tasks closed within 清单保留闭合工作日 working days; the rest are counted in
    a note (the month sheet keeps them all). The first note's colour counts cover every task of the kind."""
    tasks = state.tasks
    listed = needs_action(tasks, state)
    workdays = int(state.rules.params[RECENT_PARAM])
    tabs = []
    for kind in state.rules.kinds:
        if kind.default:
            continue
        of_kind = (tasks["kind"] == kind.key).to_numpy(dtype=bool)
        mine = tasks[of_kind]
        shown = tasks[of_kind & listed]
        notes = [f"{state.as_of:%Y年%m月}{kind.label}任务 {len(mine)} 项：{colour_counts(mine, state.rules)}" if len(mine)
                 else f"{state.as_of:%Y年%m月}暂无{kind.label}任务"]
        if rest := len(mine) - len(shown):
            notes.append(f"本清单列出未闭合及近 {workdays} 个工作日内闭合的任务 {len(shown)} 项；"
                         f"另有 {rest} 项闭合较早，未列出（完整记录见月度任务表）")
        tabs.append(sheet(kind.label, f"{kind.label}清单 · {state.as_of:%Y年%m月}", state.as_of,
                          [task_block(None, shown, state.rules, [*TASK_LIST, ("变化", "change")])], notes))
    return tabs


def needs_action(tasks: pd.DataFrame, state: DispatchState) -> np.ndarray:
    """Which tasks the dispatch lists carry: open ones, and closed ones whose closing day is at most
    清单保留闭合工作日 working days before the as-of day (a closed task with no known closing day is not)."""
    closed = tasks["closed"].to_numpy(dtype=bool)
    if not closed.any():
        return ~closed
    today = pd.Series(np.full(len(tasks), pd.Timestamp(state.as_of).to_datetime64()), index=tasks.index)
    since = state.rules.calendar.count_many(pd.to_datetime(tasks["closed_on"]), today)
    with np.errstate(invalid="ignore"):
        recent = since <= state.rules.params[RECENT_PARAM]  # NaN (no closing day) compares False
    return ~closed | recent


def problems_tab(state: DispatchState) -> SheetGrid:
    rows = [[p.tab, p.cell or "（整张表）", p.message, p.value, p.fix, p.outcome or "仅提示，数据照常调度"]
            for p in state.problems]
    note = f"共 {len(rows)} 个数据问题；请按“修改方法”更正，下次同步自动复核。" if rows else "没有发现数据问题。"
    block = Block(None, ["工作表", "单元格", "问题", "原值", "修改方法", "本次处理"], rows,
                  empty_text="（无）")
    return sheet(PROBLEMS_NAME, "数据问题", state.as_of, [block], [note])
