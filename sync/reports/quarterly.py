"""季例会: the quarter's months side by side, trends, open problems and exemplars."""

from __future__ import annotations

import pandas as pd

from ..calendar import quarter_months
from ..schema import LEVELS
from ..sheets import SheetGrid
from .common import DispatchState, rate, role_label, rollup, task_block
from .layout import PERCENT, Block, frame_rows, sheet

NAME = "季例会"


def trend(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return "—"
    return "↑" if known[-1] > known[0] else "↓" if known[-1] < known[0] else "→"


def quarterly(state: DispatchState, year: int, q: int) -> SheetGrid:
    months = quarter_months(year, q)
    heads = [f"{m}月" for _, m in months]
    frames = {ym: state.months.get(ym) for ym in months}

    def metric(fn) -> list[float | None]:  # type: ignore[no-untyped-def]
        return [fn(f) if f is not None else None for f in frames.values()]

    count = metric(len)
    closed = metric(lambda f: int(f["closed"].sum()))
    rates = [rate(c, n) if c is not None and n else None for c, n in zip(closed, count, strict=True)]
    red = metric(lambda f: int((f["role"] == "overdue").sum()))
    orange = metric(lambda f: int((f["role"] == "warning").sum()))
    avg = {lvl: [round(float(s[s["level"] == lvl]["score"].mean()), 1) if f is not None else None
                 for f, s in ((frames[ym], state.assessment(ym).scores) for ym in months)] for lvl in LEVELS[1:]}
    indicators = [("任务数", count), ("已闭合", closed), ("闭合率", rates), (role_label(state.rules, "overdue"), red),
                  (role_label(state.rules, "warning"), orange),
                  *((f"{lvl}平均得分", v) for lvl, v in avg.items())]
    overview = Block("季度指标", ["指标", *heads, "趋势"],
                     [[name, *values, trend(values)] for name, values in indicators], row_formats={2: PERCENT})

    org = state.org
    committees = [c for c in org.codes if org.levels[c] == LEVELS[1]]
    per_month = {}
    for ym, f in frames.items():
        if f is not None:
            totals = rollup(f, org, "closed", [True, False])
            per_month[ym] = {c: rate(totals.at[c, True], totals.loc[c].sum()) for c in committees}
    committee_rows = []
    for c in committees:
        values = [per_month.get(ym, {}).get(c) for ym in months]
        committee_rows.append([org.label(c), *values, trend(values)])
    by_committee = Block("各基层党委闭合率（含下属党支部）", ["单位", *heads, "趋势"], committee_rows,
                         formats={1: PERCENT, 2: PERCENT, 3: PERCENT})

    latest = next((f for f in reversed(list(frames.values())) if f is not None), None)
    open_red = latest[latest["role"] == "overdue"] if latest is not None else state.empty
    exemplars = pd.concat([f[f["exemplar"].astype(bool)] for f in frames.values() if f is not None]) \
        if latest is not None else state.empty
    blocks = [overview, by_committee,
              task_block("问题：季度内仍未闭合的逾期任务", open_red, state.rules),
              Block("典型：本季度典型任务", ["任务编号", "任务名称", "责任单位", "类别", "最新进展"],
                    frame_rows(exemplars.drop_duplicates("id") if len(exemplars) else exemplars,
                               ["id", "name", "unit_name", "category", "latest"]))]
    note = f"{year}年第{q}季度党建调度例会材料：与生产调度例会合并召开时，一并通报生产经营目标任务完成情况。"
    return sheet(NAME, f"季例会 · {year}年第{q}季度", state.as_of, blocks, [note])
