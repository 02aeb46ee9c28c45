"""调度看板 (一图四色): colour counts per unit, rolled up branch → committee → group, with a chart;
what turned red or orange since the last working day, the 短板, and on the first days of a month
last month's final result."""

from __future__ import annotations

import pandas as pd

from ..schema import DUTY, LEVELS
from ..sheets import Colour, SheetGrid
from .common import DispatchState, colour_counts, hierarchy, indent, rate, rollup, task_block
from .layout import PERCENT, Block, BlockChart, sheet
from .today import last_month, last_workday, newly_flagged

NAME = "调度看板"
NEW_COLUMNS = [("任务编号", "id"), ("任务名称", "name"), ("责任单位", "unit_name"), ("责任人", "owner"),
               ("截止日期", "deadline"), ("进度", "progress_fraction"), ("颜色", "colour_label")]


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


def headline(tasks: pd.DataFrame, state: DispatchState, label: str) -> str:
    """'2026年11月任务共 N 项：绿色已闭合 …；闭合率 x%' (the board's and the 通报's first figure)."""
    total = len(tasks)
    if not total:
        return f"{label}尚无任务"
    closed = int(tasks["closed"].sum())
    return f"{label}任务共 {total} 项：{colour_counts(tasks, state.rules)}；闭合率 {closed / total:.1%}"


def colour_table(state: DispatchState, tasks: pd.DataFrame, title: str, units: list[tuple[str, int]],
                 chart: BlockChart | None = None, group_branches: bool = False) -> Block:
    """Four-colour counts of ``units`` (code, depth), each count cell filled in its colour when not 0."""
    palette = state.rules.palette
    keys = list(palette)
    counts = rollup(tasks, state.org, "colour", keys)
    done = rollup(tasks, state.org, "closed", [True])[True]
    org = state.org
    rows: list[list[object]] = []
    fills: dict[tuple[int, int], Colour] = {}
    for i, (code, depth) in enumerate(units):
        total = int(counts.loc[code].sum())
        rows.append([code, indent(org.label(code), depth), org.levels[code],
                     *(int(counts.at[code, k]) for k in keys), total, rate(done[code], total)])
        fills |= {(i, 3 + j): palette[k] for j, k in enumerate(keys) if counts.at[code, k]}
    header = ["单位编码", "单位名称", "层级", *(palette[k].label for k in keys), "合计", "闭合率"]
    return Block(title, header, rows, formats={len(keys) + 4: PERCENT}, fills=fills,
                 header_fills={3 + i: palette[k] for i, k in enumerate(keys)},
                 bold_rows={i for i, (_, depth) in enumerate(units) if depth < 2} if group_branches else set(),
                 grouped={i for i, (_, depth) in enumerate(units) if depth >= 2} if group_branches else set(),
                 chart=chart)


def weakest_block(state: DispatchState) -> Block:
    """The month's 短板 so far: per level the lowest-scoring units among those with deductions."""
    bottom = state.assessment(state.month).bottom
    rows = [[r.level, r.unit_name, r.score, "并列" if r.tied else None] for r in bottom.itertuples(index=False)]
    return Block(f"短板（{state.as_of:%m月}至今，各层级有扣分的单位中得分最低的 {state.rules.bottom} 个）",
                 ["层级", "单位", "得分", "并列"], rows)


def board(state: DispatchState) -> SheetGrid:
    palette = state.rules.palette
    org = state.org
    committees = [(c, 0) for c in org.codes if org.levels[c] == LEVELS[1]]
    notes = [duty_line(state), headline(state.tasks, state, f"{state.as_of:%Y年%m月}"),
             "“全部单位”表中的党支部行已折叠在所属基层党委下，点左侧“+”展开"]
    chart = BlockChart("各基层党委任务四色分布", 1, [(3 + i, palette[k].fill) for i, k in enumerate(palette)])
    blocks = [colour_table(state, state.tasks, "各基层党委四色分布（含下属党支部）", committees, chart)]
    previous = last_month(state)
    if previous is not None:
        earlier = state.months[previous]
        label = f"{previous[0]}年{previous[1]}月"
        notes.append(f"上月最终结果：{headline(earlier, state, label)}")
        blocks.append(colour_table(state, earlier, f"上月（{label}）最终结果：各基层党委四色分布", committees))
    new = newly_flagged(state)
    blocks += [
        task_block(f"新增红色、橙色（{last_workday(state):%m月%d日}以来）", new, state.rules, NEW_COLUMNS),
        weakest_block(state),
        colour_table(state, state.tasks, "全部单位（逐级汇总：党支部 → 基层党委 → 集团党委）",
                     hierarchy(org), group_branches=True),
    ]
    return sheet(NAME, "调度看板 · 一图四色", state.as_of, blocks, notes)
