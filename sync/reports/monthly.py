"""表3 月报表 (completion, 问题/典型/目标导向) and 月考核 (scores, ranks, 短板, every scored line)."""

from __future__ import annotations

import pandas as pd

from ..assessment import BONUS_CAP
from ..dispatch import judged_on
from ..schema import PLAN
from ..sheets import SheetGrid
from .common import DispatchState, hierarchy, indent, rate, role_label, rollup, task_block
from .layout import PERCENT, Block, frame_rows, sheet

REPORT_NAME = "月报表"
ASSESSMENT_NAME = "月考核"


def _label(month: tuple[int, int]) -> str:
    return f"{month[0]}年{month[1]}月"


def monthly_report(state: DispatchState, month: tuple[int, int]) -> SheetGrid:
    tasks = state.months.get(month, state.empty)
    blocks = [_by_unit(tasks, state), _by_category(tasks), _problems(tasks, state),
              *_exemplars(tasks, state, month), _targets(tasks, state)]
    total, closed = len(tasks), int(tasks["closed"].sum()) if len(tasks) else 0
    note = (f"{_label(month)}任务 {total} 项，已闭合 {closed} 项，闭合率 {closed / total:.1%}；"
            f"{role_label(state.rules, 'overdue')} {int((tasks['role'] == 'overdue').sum())} 项"
            if total else f"{_label(month)}没有月度任务表")
    return sheet(REPORT_NAME, f"月报表 · {_label(month)}", state.as_of, blocks, [note])


def _by_unit(tasks: pd.DataFrame, state: DispatchState) -> Block:
    org = state.org
    colours = rollup(tasks, org, "role", ["overdue", "warning"])
    closed = rollup(tasks, org, "closed", [True, False])
    done = closed[True]
    rows = []
    for code, depth in hierarchy(org):
        total = int(closed.loc[code].sum())
        if total:
            rows.append([indent(org.label(code), depth), org.levels[code], total, int(done[code]),
                         rate(done[code], total), int(colours.at[code, "overdue"]),
                         int(colours.at[code, "warning"])])
    return Block("完成情况（按单位，逐级汇总）", ["单位", "层级", "任务数", "已闭合", "闭合率", "红色", "橙色"], rows,
                 formats={4: PERCENT})


def _by_category(tasks: pd.DataFrame) -> Block:
    if tasks.empty:
        return Block("完成情况（按类别）", ["类别", "任务数", "已闭合", "闭合率", "红色"], [])
    g = tasks.assign(red=tasks["role"] == "overdue").groupby("category", sort=True) \
        .agg(total=("id", "size"), closed=("closed", "sum"), red=("red", "sum"))
    rows = [[cat, int(r.total), int(r.closed), rate(r.closed, r.total), int(r.red)] for cat, r in g.iterrows()]
    return Block("完成情况（按类别）", ["类别", "任务数", "已闭合", "闭合率", "红色"], rows, formats={3: PERCENT})


def problem_texts(bad: pd.DataFrame) -> pd.Series:
    """What is wrong with each overdue or warned task: 逾期 N 天未闭合, or 进度滞后 N 个百分点，距截止 N 个工作日."""
    lag, left = bad["progress_lag"], bad["workdays_left"]
    lagging = ("进度滞后 " + lag.round(0).fillna(0).astype("int64").astype(str) + " 个百分点").where(lag >= 1)
    due = ("距截止 " + left.fillna(0).astype("int64").astype(str) + " 个工作日").where(left.notna())
    both = lagging.str.cat(due, sep="，", na_rep="").str.strip("，")
    overdue = "逾期 " + bad["days_overdue"].fillna(0).astype("int64").astype(str) + " 天未闭合"
    return overdue.where(bad["role"] == "overdue", both)


def _problems(tasks: pd.DataFrame, state: DispatchState) -> Block:
    bad = tasks[tasks["role"].isin(["overdue", "warning"])]
    bad = bad.assign(problem=problem_texts(bad) if len(bad) else pd.Series(dtype=object))
    columns = [("任务编号", "id"), ("任务名称", "name"), ("责任单位", "unit_name"), ("截止日期", "deadline"),
               ("进度", "progress_fraction"), ("颜色", "colour_label"), ("问题", "problem")]
    return task_block("问题导向：逾期与预警任务", bad, state.rules, columns)


def _exemplars(tasks: pd.DataFrame, state: DispatchState, month: tuple[int, int]) -> list[Block]:
    marked = tasks[tasks["exemplar"].astype(bool)] if len(tasks) else tasks
    top = state.assessment(month).scores
    top = top[top["rank"] == 1]
    return [
        Block("典型导向：典型任务", ["任务编号", "任务名称", "责任单位", "类别", "最新进展"],
              frame_rows(marked, ["id", "name", "unit_name", "category", "latest"])),
        Block("典型导向：各层级得分第一的单位", ["层级", "单位", "得分"],
              frame_rows(top, ["level", "unit_name", "score"])),
    ]


def _targets(tasks: pd.DataFrame, state: DispatchState) -> Block:
    """Each plan task's own tasks: the one with its ID, and those whose ID extends it (ID-unit, ID-unit-month)."""
    plan = state.book.tabs[PLAN.key].frame
    plan_ids = set(plan["id"])
    counts = pd.DataFrame({"total": [], "closed": []})
    if len(tasks) and plan_ids:
        plans = tasks["id"].map(lambda i: [p for p in _prefixes(i) if p in plan_ids])
        hits = pd.DataFrame({"plan": plans, "closed": tasks["closed"].astype(int)}).explode("plan").dropna()
        counts = hits.groupby("plan")["closed"].agg(total="size", closed="sum")
    rows = [[r.id, r.name, r.target, r.standard, int(counts.at[r.id, "total"]), int(counts.at[r.id, "closed"]),
             rate(counts.at[r.id, "closed"], counts.at[r.id, "total"])]
            for r in plan.itertuples(index=False) if r.id in counts.index]
    return Block("目标导向：计划书任务目标完成情况", ["计划编号", "任务名称", "目标", "考核标准", "分解任务数", "已闭合", "闭合率"],
                 rows, formats={6: PERCENT})


def _prefixes(task_id: str) -> list[str]:
    """The ID and each of its leading parts cut at a hyphen: A-B-C, A-B, A."""
    parts = task_id.split("-")
    return ["-".join(parts[:k]) for k in range(len(parts), 0, -1)]


def monthly_assessment(state: DispatchState, month: tuple[int, int]) -> SheetGrid:
    a = state.assessment(month)
    scores = frame_rows(a.scores, ["unit", "unit_name", "level", "parent_name", "base", "deductions", "bonuses",
                                   "score", "rank"])
    reasons = a.lines[a.lines["points"] < 0].groupby("unit")["rule_label"] \
        .agg(lambda s: "、".join(f"{k}×{v}" for k, v in s.value_counts().items()))
    bottom = [[r.level, r.unit_name, r.score, "并列" if r.tied else "", reasons.get(r.unit, "")]
              for r in a.bottom.itertuples(index=False)]
    facts = a.lines.assign(progress=a.lines["progress"] / 100, expected_progress=a.lines["expected_progress"] / 100,
                           days_overdue=a.lines["days_overdue"].where(a.lines["days_overdue"] > 0))
    lines = frame_rows(facts, ["unit", "unit_name", "id", "name", "rule_label", "points", "deadline", "progress",
                               "expected_progress", "updated", "days_overdue"])
    rules = state.rules
    cap = rules.params.get(BONUS_CAP)
    note = (f"{_label(month)}考核（按 {judged_on(state.as_of, month):%Y-%m-%d} 日终的任务状态）：每个单位基础分 "
            f"{rules.base:g} 分，最低 {rules.floor:g} 分" + (f"，每月加分最多 {cap:g} 分" if cap is not None else "")
            + "；同分同名次（1、1、3）；扣分和加分逐条列在下方明细中，附截止日期、进度、应有进度、最后更新和逾期天数，"
              "可逐项核对。")
    blocks = [
        Block("得分与排名", ["单位编码", "单位名称", "层级", "上级单位", "基础分", "扣分", "加分", "得分", "层级内排名"], scores),
        Block(f"短板：各层级有扣分的单位中得分最低的 {rules.bottom} 个（同分并列）",
              ["层级", "单位", "得分", "并列", "主要扣分原因"], bottom),
        Block("扣分与加分明细", ["单位编码", "单位名称", "任务编号", "任务名称", "规则", "分值", "截止日期", "进度",
                                "应有进度", "最后更新", "逾期天数"], lines,
              formats={7: PERCENT, 8: PERCENT}),
    ]
    return sheet(ASSESSMENT_NAME, f"月考核 · {_label(month)}", state.as_of, blocks, [note])
