"""A book's 节假日 tab: the holiday schedule typed by the office, laid over the working-day calendar.

The tab's rows were already parsed and checked by :mod:`normalise` (a bad date or type, an empty cell,
a date typed twice: each is a data problem and that row is left out). Its days override the
``chinese-calendar`` package and add to ``rules/calendar.toml``.
"""

from __future__ import annotations

from dataclasses import replace

from .normalise import TabData
from .problems import Problem
from .rulebook import Rulebook
from .schema import DAY_TYPE_LABELS, HOLIDAYS


def with_holidays(rules: Rulebook, data: TabData) -> Rulebook:
    """``rules`` with the tab's 放假 and 调休上班 days laid over its calendar (unchanged when the tab is empty)."""
    f = data.frame
    if f.empty:
        return rules
    days = f["date"].dt.date
    off = days[f["day_type"] == "off"]
    on = days[f["day_type"] == "work"]
    return replace(rules, calendar=rules.calendar.overlaid(off, on))


def missing_years(book: str, rules: Rulebook, data: TabData) -> list[Problem]:
    """One problem naming the years the sync counted Monday–Friday, and how to fill them in the tab."""
    years = sorted(rules.calendar.uncovered_years)
    if not years:
        return []
    listed = "、".join(str(y) for y in years)
    off, work = DAY_TYPE_LABELS["off"], DAY_TYPE_LABELS["work"]
    where = "" if data.columns else "（没有这张表时请新建，表头为 日期、类型、说明）"
    return [Problem(book, data.sheet, "", "calendar_missing",
                    f"{listed} 年的法定节假日和调休数据缺失，已按周一至周五计算工作日",
                    f"国务院办公厅公布该年节假日安排后，请在“{HOLIDAYS.name}”表{where}中逐日填写："
                    f"放假的日期类型填“{off}”，调休上班的周末类型填“{work}”；"
                    "也可写入 rules/calendar.toml，或升级 chinese-calendar", listed)]
