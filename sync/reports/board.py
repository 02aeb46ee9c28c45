"""调度看板 (一图四色): colour counts per unit, rolled up branch → committee → group, with a chart."""

from __future__ import annotations

import pandas as pd

from ..schema import DUTY, LEVELS
from ..sheets import SheetGrid
from .common import DispatchState, colour_counts, hierarchy, indent, rate, rollup
from .layout import PERCENT, Block, BlockChart, sheet

NAME = "调度看板"


def duty_line(state: DispatchState) -> str:
    """今日值班 from 值班表."""
    duty = state.book.tabs[DUTY.key].frame
    today = duty[duty["date"] == pd.Timestamp(state.as_of)]
    if today.empty:
        return f"今日值班（{state.as_of:%Y-%m-%d}）：值班表中未排班"
    people = "；".join(
        "".join([r.leader, f"（{r.dept}）" if r.dept else "", f" {r.phone}" if r.phone else ""])
        for r in today.itertuples(index=False))
    return f"今日值班（{state.as_of:%Y-%m-%d}）：{people}"


def board(state: DispatchState) -> SheetGrid:
    palette = state.rules.palette
    keys = list(palette)
    tasks = state.tasks
    counts = rollup(tasks, state.org, "colour", keys)
    done = rollup(tasks, state.org, "closed", [True])[True]
    org = state.org
    total = len(tasks)
    closed = int(tasks["closed"].sum()) if total else 0
    summary = colour_counts(tasks, state.rules)
    notes = [duty_line(state),
             f"{state.as_of:%Y年%m月}任务共 {total} 项：{summary}；闭合率 {closed / total:.1%}" if total
             else f"{state.as_of:%Y年%m月}尚无任务"]

    header = ["单位编码", "单位名称", "层级", *(palette[k].label for k in keys), "合计", "闭合率"]
    header_fills = {3 + i: palette[k] for i, k in enumerate(keys)}
    percent = {len(keys) + 4: PERCENT}

    def unit_row(code: str, depth: int = 0) -> list[object]:
        total = int(counts.loc[code].sum())
        return [code, indent(org.label(code), depth), org.levels[code], *(int(counts.at[code, k]) for k in keys),
                total, rate(done[code], total)]

    committees = [c for c in org.codes if org.levels[c] == LEVELS[1]]
    chart = BlockChart("各基层党委任务四色分布", 1, [(3 + i, palette[k].fill) for i, k in enumerate(keys)])
    by_committee = Block("各基层党委四色分布（含下属党支部）", header, [unit_row(c) for c in committees],
                         formats=percent, header_fills=header_fills, chart=chart)
    ordered = hierarchy(org)
    detail = Block("全部单位（逐级汇总：党支部 → 基层党委 → 集团党委）", header,
                   [unit_row(code, depth) for code, depth in ordered], formats=percent, header_fills=header_fills,
                   bold_rows={i for i, (_, depth) in enumerate(ordered) if depth < 2})
    return sheet(NAME, "调度看板 · 一图四色", state.as_of, [by_committee, detail], notes,
                 widths=[12, 30, 10, 12, 12, 12, 12, 8, 9])
