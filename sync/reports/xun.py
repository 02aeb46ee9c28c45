"""旬自查: per unit, the open items and the items due in the coming 旬."""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..calendar import xun, xun_name
from ..sheets import SheetGrid
from .common import DispatchState, hierarchy, indent, task_block
from .layout import Block, sheet

NAME = "旬自查"


def xun_check(state: DispatchState, coming: tuple[date, date]) -> SheetGrid:
    """The self-check as of today, with the open items due in the ``coming`` 旬 (first day, last day)."""
    tasks = state.tasks
    org = state.org
    lo, hi = coming
    open_ = tasks[~tasks["closed"].astype(bool)] if len(tasks) else tasks
    due_next = open_["deadline"].between(pd.Timestamp(lo), pd.Timestamp(hi))
    flags = pd.DataFrame({"open": True, "red": open_["role"] == "overdue", "orange": open_["role"] == "warning",
                          "due": due_next}, index=open_.index)
    per_unit = flags.assign(unit=open_["unit"]).groupby("unit")[list(flags.columns)].sum()
    order = hierarchy(org)
    summary_rows = [[code, indent(org.label(code), depth), org.levels[code],
                     *(int(per_unit.at[code, k]) for k in ("open", "red", "orange", "due"))]
                    for code, depth in order if code in per_unit.index]
    rank = {code: i for i, (code, _) in enumerate(order)}
    detail = open_.assign(due_next=due_next.map({True: "是", False: ""}), _unit=open_["unit"].map(rank))
    columns = [("责任单位", "unit_name"), ("任务编号", "id"), ("任务名称", "name"), ("截止日期", "deadline"),
               ("进度", "progress_fraction"), ("状态", "status_label"), ("颜色", "colour_label"),
               (f"{xun_name(lo)}到期", "due_next"), ("最新进展", "latest")]
    blocks = [
        Block("分单位自查（本单位负责的任务）", ["单位编码", "单位", "层级", "未闭合", "其中红色", "其中橙色", f"{xun_name(lo)}到期"],
              summary_rows),
        task_block(f"未闭合事项明细（{xun_name(lo)}：{lo:%m月%d日}—{hi:%m月%d日}）", detail, state.rules, columns,
                   first_by="_unit"),
    ]
    start, end = xun(state.as_of)
    note = (f"{xun_name(state.as_of)}（{start:%m月%d日}—{end:%m月%d日}）自查：未闭合 {len(open_)} 项，"
            f"{xun_name(lo)}（{lo:%m月%d日}—{hi:%m月%d日}）到期 {int(due_next.sum())} 项")
    return sheet(NAME, f"旬自查 · {state.as_of.year}年{xun_name(state.as_of)}", state.as_of, blocks, [note])
