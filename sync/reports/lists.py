"""The three dispatch lists (重点调度 / 超前调度 / 变化调度) and the 数据问题 tab."""

from __future__ import annotations

from ..sheets import SheetGrid
from .common import TASK_LIST, DispatchState, colour_counts, task_block
from .layout import Block, sheet

PROBLEMS_NAME = "数据问题"


def kind_lists(state: DispatchState) -> list[SheetGrid]:
    """One tab per dispatch kind except the default (常规), each task with owner, deadline, colour and what
    changed since the previous sync (变化: deadline or responsible unit, from the history)."""
    tasks = state.tasks
    tabs = []
    for kind in state.rules.kinds:
        if kind.default:
            continue
        mine = tasks[tasks["kind"] == kind.key]
        note = f"{state.as_of:%Y年%m月}{kind.label}任务 {len(mine)} 项：{colour_counts(mine, state.rules)}" if len(mine) \
            else f"{state.as_of:%Y年%m月}暂无{kind.label}任务"
        tabs.append(sheet(kind.label, f"{kind.label}清单 · {state.as_of:%Y年%m月}", state.as_of,
                          [task_block(None, mine, state.rules, [*TASK_LIST, ("变化", "change")])], [note]))
    return tabs


def problems_tab(state: DispatchState) -> SheetGrid:
    rows = [[p.tab, p.cell or "（整张表）", p.message, p.value, p.fix, p.outcome or "仅提示，数据照常调度"]
            for p in state.problems]
    note = f"共 {len(rows)} 个数据问题；请按“修改方法”更正，下次同步自动复核。" if rows else "没有发现数据问题。"
    block = Block(None, ["工作表", "单元格", "问题", "原值", "修改方法", "本次处理"], rows,
                  empty_text="（无）")
    return sheet(PROBLEMS_NAME, "数据问题", state.as_of, [block], [note])
