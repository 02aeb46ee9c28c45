"""The workbook schema, as data: staff tabs, their columns, English aliases and value kinds.

Everything that knows a tab or header name reads it from here. Column keys (``id``, ``deadline``…)
are the names used in frames and rules; labels are what staff see in the workbook.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Kind = Literal["text", "date", "progress", "status", "level", "month", "months", "units", "flag", "day_type"]

LEVELS = ("集团党委", "基层党委", "党支部")
LEVEL_ALIASES = {
    "集团党委": ("集团党委", "group", "group committee", "集团"),
    "基层党委": ("基层党委", "grassroots", "grassroots committee", "基层"),
    "党支部": ("党支部", "branch", "支部"),
}

DISTINCT = frozenset({"id", "name"})  # task columns whose values seldom repeat (hashed without factorising)

# Status: canonical key -> label shown in the template dropdown, and the words staff type.
STATUS_LABELS = {"not_started": "未开始", "open": "进行中", "closed": "已完成"}
STATUS_SYNONYMS = {
    "closed": ("已完成", "已闭合", "已销号", "完成", "闭合", "销号", "已办结", "办结", "结束",
               "done", "closed", "complete", "completed", "finished"),
    "open": ("进行中", "推进中", "办理中", "在办", "正在推进", "正在办理", "已启动", "执行中",
             "open", "in progress", "ongoing", "doing", "started"),
    "not_started": ("未开始", "未启动", "待办", "待启动", "not started", "todo", "to do", "pending"),
}

# 节假日 tab: canonical day type -> label shown in the template dropdown, and the words staff type.
DAY_TYPE_LABELS = {"off": "放假", "work": "调休上班"}
DAY_TYPE_SYNONYMS = {
    "off": ("放假", "休息", "休假", "假日", "节假日", "法定节假日", "holiday", "off", "day off", "rest day"),
    "work": ("调休上班", "上班", "补班", "调休补班", "工作日", "workday", "working day", "work day", "work"),
}

CATEGORIES = ("焦点", "热点", "难点", "规定动作", "上级部署", "两学一做", "三基建设", "政治巡视",
              "行政重点工作", "重点工程", "组织建设", "宣传思想", "党风廉政", "群团工作", "常规工作")
ORIENTATIONS = ("目标导向", "问题导向", "典型导向")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = "text"
    required: bool = False  # every row must fill this cell
    aliases: tuple[str, ...] = ()
    optional: bool = False  # the column may be absent from the tab (its cells then read as empty)
    width: int = 12  # template column width (characters)


@dataclass(frozen=True)
class Tab:
    key: str
    name: str
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()
    required: bool = False  # the tab must exist in every book (else: read as empty)
    id_column: str | None = None  # key whose values must be unique
    description: str = ""
    pattern: re.Pattern[str] | None = field(default=None, compare=False)
    note: str = ""  # note rows (one per line) `init` writes above the header of the template tab

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def _c(key: str, label: str, kind: Kind = "text", *aliases: str, required: bool = False,
       optional: bool = False, width: int = 12) -> Column:
    return Column(key, label, kind, required, aliases, optional, width)


ID = _c("id", "任务编号", "text", "task id", "id", "编号", "task no", required=True, width=14)
NAME = _c("name", "任务名称", "text", "task", "task name", "name", "工作任务", "重点任务",
          required=True, width=36)
CATEGORY = _c("category", "类别", "text", "category", "类型", "type", "工作类别", required=True, width=12)
SOURCE = _c("source", "来源", "text", "source", "任务来源", width=14, optional=True)
LEAD = _c("lead_dept", "牵头部门", "text", "lead department", "lead dept", "lead", width=14, optional=True)
OWNER = _c("owner", "责任人", "text", "owner", "person in charge", "负责人", width=14, optional=True)
START = _c("start", "开始日期", "date", "start", "start date", "开始时间", width=12, optional=True)
DEADLINE = _c("deadline", "截止日期", "date", "deadline", "due", "due date", "截止时间", "完成时限",
              required=True, width=12)
TARGET = _c("target", "目标", "text", "target", "goal", "工作目标", width=28, optional=True)

ORG = Tab("org", "组织架构", (
    _c("code", "单位编码", "text", "unit code", "code", "编码", required=True, width=12),
    _c("name", "单位名称", "text", "unit name", "unit", "name", "名称", required=True, width=28),
    _c("level", "层级", "level", "level", "组织层级", required=True, width=10),
    _c("parent", "上级单位", "text", "parent", "parent unit", "上级", width=28, optional=True),
), aliases=("org", "organisation", "organization", "units"), id_column="code", required=True,
    description="units: one 集团党委, its 基层党委, their 党支部")

PLAN = Tab("plan", "年度计划书", (
    ID, NAME, CATEGORY, SOURCE, LEAD,
    _c("unit", "责任单位", "units", "responsible unit", "unit", "units", required=True, width=24),
    _c("months", "计划月份", "months", "planned months", "months", "month", "月份", required=True, width=12),
    TARGET,
    _c("standard", "考核标准", "text", "assessment standard", "standard", width=28, optional=True),
    _c("orientation", "导向", "text", "orientation", width=10, optional=True),
), aliases=("plan", "plan book", "annual plan", "计划书"), id_column="id", required=True,
    description="一书: the year's key tasks")

SUBMISSIONS = Tab("submissions", "月度上报", (
    _c("month", "上报月份", "month", "month", "月份", required=True, width=10),
    _c("dept", "上报部门", "text", "department", "dept", "部门", required=True, width=14),
    ID, NAME, CATEGORY, SOURCE,
    _c("unit", "责任单位", "units", "responsible unit", "unit", required=True, width=24),
    OWNER, START, DEADLINE, TARGET,
), aliases=("submissions", "monthly submissions"), id_column="id",
    description="departments' monthly key-task submissions")

MONTH = Tab("month", "月度任务", (
    ID, NAME, CATEGORY, SOURCE, LEAD,
    _c("unit", "责任单位", "text", "responsible unit", "unit", required=True, width=24),
    OWNER, START, DEADLINE,
    _c("progress", "进度", "progress", "progress", "完成进度", "进度%", width=8),
    _c("status", "状态", "status", "status", "完成状态", width=10),
    _c("latest", "最新进展", "text", "latest", "latest progress", "进展情况", width=36, optional=True),
    _c("updated", "更新日期", "date", "updated", "last updated", "update date", "更新时间", width=12),
    _c("note", "备注", "text", "note", "notes", "remark", "remarks", width=20, optional=True),
    _c("exemplar", "典型", "flag", "exemplar", "典型经验", optional=True, width=8),
), aliases=("tasks",), id_column="id",
    description="表1: one tab per month, named 月度任务 YYYY-MM",
    pattern=re.compile(r"^\s*(?:月度任务|tasks)\s*(\d{4})\s*[-_/.年]\s*(\d{1,2})\s*月?\s*$", re.I))

CHANNELS = Tab("channels", "渠道诉求", (
    _c("id", "诉求编号", "text", "issue id", "id", "编号", required=True, width=14),
    _c("channel", "渠道", "text", "channel", "来源渠道", required=True, width=14),
    _c("content", "诉求内容", "text", "issue", "content", "内容", required=True, width=36),
    _c("category", "诉求类别", "text", "issue category", "category", "类别", optional=True, width=10),
    _c("raised", "提出日期", "date", "raised", "raised on", "date raised", "受理日期", required=True, width=12),
    _c("unit", "责任单位", "text", "responsible unit", "unit", required=True, width=24),
    OWNER,
    _c("deadline", "办结时限", "date", "deadline", "due", "截止日期", required=True, width=12),
    _c("status", "状态", "status", "status", width=10),
    _c("latest", "办理情况", "text", "handling", "latest", "最新进展", width=30, optional=True),
), aliases=("channels", "channel issues"), id_column="id",
    description="issues from workers' channels (hotlines, 文明调度 …)",
    note="渠道诉求在本表销号：办结后把“状态”改为“已完成”并填写办理情况；月度任务表中的同一诉求随之闭合，"
         "两处不一致时“数据问题”表会提示。")

DUTY = Tab("duty", "值班表", (
    _c("date", "日期", "date", "date", "值班日期", required=True, width=12),
    _c("leader", "值班领导", "text", "leader", "duty leader", "值班人", required=True, width=20),
    _c("dept", "部门", "text", "department", "dept", "所在部门", width=16, optional=True),
    _c("phone", "联系电话", "text", "phone", "telephone", "电话", width=14, optional=True),
), aliases=("duty", "duty roster", "roster"), description="daily duty roster (每天调度值班)")

SETTINGS = Tab("settings", "规则设置", (
    _c("key", "规则", "text", "rule", "key", "参数", required=True, width=20),
    _c("value", "值", "text", "value", "取值", width=12),
    _c("note", "说明", "text", "note", "description", width=40, optional=True),
), aliases=("settings", "rule settings"), id_column="key",
    description="leaders' overrides of rule thresholds")

HOLIDAYS = Tab("holidays", "节假日", (
    _c("date", "日期", "date", "date", "day", "放假日期", required=True, width=14),
    _c("day_type", "类型", "day_type", "type", "day type", "kind", required=True, width=12),
    _c("note", "说明", "text", "note", "description", width=40, optional=True),
), aliases=("holidays", "holiday schedule", "节假日安排", "放假安排"), id_column="date",
    description="the State Council's holiday schedule as the office types it: 放假 days and 调休上班 days",
    note="说明：国务院办公厅每年公布节假日安排后，在下面逐日填写：\n"
         "放假的每一天（含周末）类型填“放假”，调休上班的周末类型填“调休上班”。\n"
         "这里的日期优先于内置日历；没有数据的年份按周一至周五计算工作日。")

STAFF_TABS: tuple[Tab, ...] = (ORG, PLAN, SUBMISSIONS, MONTH, CHANNELS, DUTY, SETTINGS, HOLIDAYS)


_DROP = re.compile(r"[\s*:]+")
_ASCII_DROP = str.maketrans("", "", " \t\r\n\v\f*:")


def fold(text: object) -> str:
    """Header/label folding: full-width → half-width, no spaces or required-marks, lower case."""
    s = str(text)
    if s.isascii():
        return s.lower().translate(_ASCII_DROP)
    return _DROP.sub("", unicodedata.normalize("NFKC", s).lower())


def fold_many(values: Sequence[object]) -> list[str]:
    """:func:`fold` of each value; ASCII text (the common case of task IDs) folded in one pass."""
    try:
        joined = "\x00".join(values)  # type: ignore[arg-type]
    except TypeError:  # not all text
        joined = ""
    if joined.isascii() and joined.count("\x00") == len(values) - 1 and len(values) > 1:
        return joined.lower().translate(_ASCII_DROP).split("\x00")
    return [fold(x) for x in values]


_BRACKETED = re.compile(r"[(\[【〔][^)\]】〕]*[)\]】〕]")
_MARKS = str.maketrans("", "", "★☆※")


def fold_header(text: object) -> str:
    """A header cell folded for matching: as :func:`fold`, without a bracketed unit or note
    (进度（%）, 截止日期（必填）), required marks (★, *) and line breaks."""
    folded = fold(str(text).translate(_MARKS))
    return _BRACKETED.sub("", folded) or folded


def month_tab_name(year: int, month: int) -> str:
    return f"{MONTH.name} {year:04d}-{month:02d}"


_TASK_WORDS = r"(?:月度重点工作任务安排表|月度重点工作任务|重点工作任务|月度任务表?|重点任务|工作任务|任务表|任务|tasks)"
_YEAR_MONTH = r"(?:(\d{4})\s*[-_/.年]\s*)?(\d{1,2})\s*月?份?"
_MONTH_NAMES = (  # 月度任务 2026-11 · 表1 2026-11 · 2026年11月任务 · 11月任务 · 2026-11 月度任务
    re.compile(rf"^\s*(?:表\s*[1一]\s*[-_·:：]?\s*)?{_TASK_WORDS}?\s*[-_·:：]?\s*{_YEAR_MONTH}\s*{_TASK_WORDS}?\s*$", re.I),
)


def parse_month_tab(name: str, near: date | None = None) -> tuple[int, int] | None:
    """(year, month) when ``name`` is a month task sheet: ``月度任务 2026-11`` and the names staff
    give it (``2026年11月任务``, ``表1 2026-11``, ``11月任务`` — a month without a year is the one
    nearest to ``near``). A bare ``2026-11`` needs a task word or 表1 to count."""
    text = unicodedata.normalize("NFKC", name).strip()
    m = _MONTH_NAMES[0].match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    if not re.search(_TASK_WORDS, text, re.I) and not re.match(r"\s*表\s*[1一]", text):
        return None
    month = int(m.group(2))
    if m.group(1):
        return int(m.group(1)), month
    if near is None or "月" not in text:
        return None
    years = (near.year - 1, near.year, near.year + 1)
    return min(((y, month) for y in years), key=lambda ym: abs((ym[0] - near.year) * 12 + ym[1] - near.month))


def match_tab(tab: Tab, sheet_names: list[str]) -> str | None:
    """The sheet that is ``tab`` (by its Chinese name or an English alias), if any."""
    wanted = {fold(tab.name), *(fold(a) for a in tab.aliases)}
    return next((s for s in sheet_names if fold(s) in wanted), None)


def header_words(column: Column) -> set[str]:
    return {fold_header(column.label), *(fold_header(a) for a in column.aliases)}
