"""旬自查: per unit, the open items and the items due in the coming 旬."""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..backends.base import SheetGrid
from ..calendar import xun, xun_name
from .common import SEVERITY, DispatchState, hierarchy, indent
from .layout import Block, frame_rows, sheet

NAME = "旬自查"


def xun_check(state: DispatchState, coming: tuple[date, date]) -> SheetGrid:
    """The self-check as of today, with the open items due in the ``coming`` 旬 (first day, last day)."""
    tasks = state.tasks
    palette = state.rules.palette
    org = state.org
    lo, hi = coming
    open_ = tasks[~tasks["closed"].astype(bool)] if len(tasks) else tasks
    due_next = open_["deadline"].between(pd.Timestamp(lo), pd.Timestamp(hi))
    flags = pd.DataFrame({"open": True, "red": open_["colour"] == "red", "orange": open_["colour"] == "orange",
                          "due": due_next}, index=open_.index)
    per_unit = flags.assign(unit=open_["unit"]).groupby("unit")[list(flags.columns)].sum()
    order = hierarchy(org)
    summary_rows = [[code, indent(org.label(code), depth), org.levels[code],
                     *(int(per_unit.at[code, k]) for k in ("open", "red", "orange", "due"))]
                    for code, depth in order if code in per_unit.index]
    rank = {code: i for i, (code, _) in enumerate(order)}
    detail = open_.assign(due_next=due_next.map({True: "是", False: ""}),
                          progress_fraction=open_["progress"].astype("float64") / 100,
                          _unit=open_["unit"].map(rank), _sev=open_["colour"].map(SEVERITY))
    detail = detail.sort_values(["_unit", "_sev", "deadline", "id"], kind="stable")
    columns = ["unit_name", "id", "name", "deadline", "progress_fraction", "status_label", "colour_label", "due_next",
               "latest"]
    fills = {(i, 6): palette[c] for i, c in enumerate(detail["colour"]) if c in palette}
    blocks = [
        Block("分单位自查（本单位负责的任务）", ["单位编码", "单位", "层级", "未闭合", "其中红色", "其中橙色", f"{xun_name(lo)}到期"],
              summary_rows),
        Block(f"未闭合事项明细（{xun_name(lo)}：{lo:%m月%d日}—{hi:%m月%d日}）",
              ["责任单位", "任务编号", "任务名称", "截止日期", "进度", "状态", "颜色", f"{xun_name(lo)}到期", "最新进展"],
              frame_rows(detail, columns), formats={4: "0%"}, fills=fills),
    ]
    start, end = xun(state.as_of)
    note = (f"{xun_name(state.as_of)}（{start:%m月%d日}—{end:%m月%d日}）自查：未闭合 {len(open_)} 项，"
            f"{xun_name(lo)}（{lo:%m月%d日}—{hi:%m月%d日}）到期 {int(due_next.sum())} 项")
    return sheet(NAME, "旬自查", state.as_of, blocks, [note], widths=[24, 24, 36, 12, 8, 10, 12, 12, 36])
