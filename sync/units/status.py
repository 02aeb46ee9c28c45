"""报送情况: the sync-owned tab of the collect mode — per unit, what its book said this week, and who to chase."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..problems import Problem
from ..reports.layout import Block, sheet
from ..sheets import SheetGrid
from .layout import CENTRAL_NOTE

NAME = "报送情况"
CHASE = "催报"


@dataclass
class UnitReport:
    code: str
    name: str
    level: str
    file: str
    outcome: str  # 已收集 / 已跳过：reason / 已分发
    tasks: int  # the unit's tasks this month
    last_change: date | None  # the last day a change was seen in its book
    updated_this_week: int  # tasks it updated since Monday


def monday(as_of: date) -> date:
    return as_of - timedelta(days=as_of.weekday())


def silent(reports: list[UnitReport], as_of: date) -> list[UnitReport]:
    """Units whose book showed no change since Monday (skipped books included): the ones to chase."""
    start = monday(as_of)
    return [r for r in reports if r.last_change is None or r.last_change < start]


def status_tab(reports: list[UnitReport], conflicts: list[dict[str, Any]], problems: list[Problem],
               as_of: date) -> SheetGrid:
    chase = {r.code for r in silent(reports, as_of)}
    rows = [[r.code, r.name, r.level, r.file, r.outcome, r.tasks, r.last_change, r.updated_this_week,
             CHASE if r.code in chase else ""] for r in reports]
    units = Block("各单位报送", ["单位编码", "单位名称", "层级", "单位工作簿", "本次收集", "本月任务数", "最近一次改动",
                             "本周更新任务数", "催报"], rows, formats={6: "yyyy-mm-dd"})
    names = "、".join(r.name for r in reports if r.code in chase)
    to_chase = Block(f"未报送单位（本周 {monday(as_of):%m-%d} 以来没有改动，{len(chase)} 个）",
                     ["单位编码", "单位名称", "层级", "单位工作簿", "本次收集"],
                     [[r.code, r.name, r.level, r.file, r.outcome] for r in reports if r.code in chase],
                     empty_text="（无，全部已报送）")
    clash = Block("冲突（同一单元格在中心表和单位工作簿中都被改动，已采用单位的值）",
                  ["单位", "任务编号", "列", "单位的值（已采用）", "中心表原值（已保存）"],
                  [[c["unit"], c["task"], c["column"], c["unit_value"], c["central"]] for c in conflicts])
    found = Block("单位工作簿的问题", ["单位工作簿", "工作表", "单元格", "问题", "原值", "修改方法", "本次处理"],
                  [[p.book, p.tab, p.cell or "（整个工作簿）", p.message, p.value, p.fix, p.outcome] for p in problems])
    notes = [f"共 {len(reports)} 个单位，{len(reports) - len(chase)} 个本周已报送"
             + (f"；请催报：{names}" if names else "") + "。",
             "“最近一次改动”是同步最近一次在该单位工作簿中看到新填写内容的日期。", CENTRAL_NOTE]
    return sheet(NAME, "报送情况", as_of, [units, to_chase, clash, found], notes)
