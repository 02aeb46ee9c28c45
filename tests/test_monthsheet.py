"""表1: the month sheet is created from the plan book, submissions, channels and last month's open
tasks at the month's first sync, then only appended to."""

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime

import pandas as pd

from sync.backends.memory import MemoryBook
from sync.engine import run_sync
from tests.conftest import MONTH_HEADER, ORG_HEADER, ORG_ROWS, PLAN_HEADER

SUB_HEADER = ["上报月份", "上报部门", "任务编号", "任务名称", "类别", "来源", "责任单位", "责任人", "开始日期", "截止日期", "目标"]
CH_HEADER = ["诉求编号", "渠道", "诉求内容", "诉求类别", "提出日期", "责任单位", "责任人", "办结时限", "状态", "办理情况"]


def book() -> MemoryBook:
    return MemoryBook({
        "组织架构": [ORG_HEADER, *ORG_ROWS],
        "年度计划书": [["2026年度计划书"], PLAN_HEADER,
                  ["JH-001", "主题党日", "规定动作", "上级部署", "组织部", "各党支部", "全年", None, None, None],
                  ["JH-002", "中心组学习", "规定动作", "上级部署", "党委工作部", "JT", "11,12", None, None, None],
                  ["JH-003", "七一表彰", "组织建设", None, None, "JT", "6", None, None, None]],
        "月度上报": [SUB_HEADER,
                 ["2026-11", "宣传部", "SB-1", "专题宣传", "宣传思想", "宣传部", "一矿党委、二矿党委", "联络员", None,
                  "2026-11-20", None],
                 ["2026-10", "宣传部", "SB-0", "国庆宣传", "宣传思想", "宣传部", "JC01", None, None, "2026-10-15", None]],
        "渠道诉求": [CH_HEADER,
                 ["QD-1", "董事长热线", "澡堂热水", None, "2026-10-28", "JC01", None, "2026-11-10", "办理中", "协调中"],
                 ["QD-2", "总经理热线", "路灯", "热点", "2026-10-20", "JC02", None, "2026-10-30", "已办结", "已修复"]],
        "月度任务 2026-10": [MONTH_HEADER,
                         ["JH-009", "调研", "常规工作", None, None, "JT", None, "2026-10-08", "2026-10-30", 60, "进行中",
                          "写报告", "2026-10-29", None],
                         ["JH-010", "培训", "三基建设", None, None, "JC02", None, "2026-10-08", "2026-10-30", 100,
                          "已完成", None, "2026-10-20", None]],
    }, label="book.xlsx")


def ids(grid):
    return [r[0] for r in grid[1:]]


def test_first_sync_of_the_month_creates_the_sheet(rules):
    memory = book()
    outcome = run_sync(memory, date(2026, 11, 3), jobs=[], rules=rules)
    assert outcome.month_created and outcome.month.carried == 1
    [created] = outcome.plan.created
    assert created.name == "月度任务 2026-11"
    assert created.rows[0] == MONTH_HEADER + ["典型"]
    assert ids(created.rows) == ["JH-001-ZB0101", "JH-001-ZB0102", "JH-001-ZB0201", "JH-002", "SB-1-JC01", "SB-1-JC02",
                                 "QD-1", "JH-009"]
    rows = {r[0]: dict(zip(created.rows[0], r, strict=True)) for r in created.rows[1:]}
    assert rows["JH-001-ZB0101"]["责任单位"] == "一矿综采一队党支部"
    assert (rows["JH-002"]["开始日期"], rows["JH-002"]["截止日期"]) == (date(2026, 11, 2), date(2026, 11, 30))
    assert rows["SB-1-JC01"]["截止日期"] == date(2026, 11, 20) and rows["SB-1-JC01"]["牵头部门"] == "宣传部"
    assert rows["QD-1"]["来源"] == "董事长热线" and rows["QD-1"]["类别"] == "热点" and rows["QD-1"]["状态"] == "进行中"
    assert rows["JH-009"]["备注"] == "上月结转" and rows["JH-009"]["进度"] == 0.6
    assert outcome.state.tasks.set_index("id").at["QD-1", "kind"] == "key"
    assert outcome.state.tasks.set_index("id").at["JH-009", "colour"] == "red"
    [colours] = [c for c in outcome.plan.colours if c.tab == "月度任务 2026-11"]
    assert (colours.header_row, colours.id_column, colours.status_column) == (0, 0, 10)
    assert set(colours.colours) == set(ids(created.rows))


def test_later_syncs_only_append_new_tasks_and_never_touch_existing_rows(rules):
    memory = book()
    run_sync(memory, date(2026, 11, 3), jobs=[], rules=rules)
    sheet = memory.tabs["月度任务 2026-11"]
    sheet[1][9], sheet[1][10] = 0.5, "推进中"  # staff work on a task
    sheet.insert(2, sheet.pop(5))  # … and sort rows
    sheet.append(["自加-1", "支部自定任务", "常规工作", None, None, "ZB0102", None, None, "2026-11-25", None, "未开始",
                  None, None, None])
    before = [list(r) for r in sheet]
    memory.tabs["渠道诉求"].append(["QD-3", "矿区文明调度", "道路积水", "难点", "2026-11-04", "JC02", None, "2026-11-20",
                                "办理中", None])
    memory.tabs["月度任务 2026-10"][1][10] = "已完成"  # carried task closed in last month's sheet: not re-carried
    outcome = run_sync(memory, date(2026, 11, 5), jobs=[], rules=rules)
    assert outcome.plan.created == []
    [append] = outcome.plan.appends
    assert append.tab == "月度任务 2026-11"
    assert [r[0] for r in append.rows] == ["QD-3"]
    assert memory.tabs["月度任务 2026-11"][:len(before)] == before
    assert ids(memory.tabs["月度任务 2026-11"])[-1] == "QD-3"
    # a third sync with nothing new appends nothing
    assert run_sync(memory, date(2026, 11, 6), jobs=[], rules=rules).plan.appends == []


class Remembers:
    """A Memory holding one earlier snapshot."""

    def __init__(self, snapshot: pd.DataFrame) -> None:
        self.snapshot = snapshot

    def previous(self, book: str, before: date, fields: Sequence[str]) -> pd.DataFrame:
        return self.snapshot

    def first_closed(self, book: str, month: tuple[int, int]) -> pd.Series:
        return pd.Series(dtype="datetime64[ns]")

    def sheet_ids(self, book: str, month: tuple[int, int]) -> frozenset[str]:
        return frozenset(self.snapshot["id"])

    def recording(self, book: str, outcome: object) -> AbstractContextManager[None]:
        return nullcontext()


def test_a_task_staff_deleted_is_not_put_back(rules):
    memory = book()
    run_sync(memory, date(2026, 11, 3), jobs=[], rules=rules)
    sheet = memory.tabs["月度任务 2026-11"]
    snapshot = pd.DataFrame({"tab": "月度任务 2026-11", "id": ids(sheet), "unit": None,
                             "deadline": datetime(2026, 11, 30), "colour": "blue"})
    del sheet[4]  # staff delete JH-002
    outcome = run_sync(memory, date(2026, 11, 4), jobs=["daily"], rules=rules, memory=Remembers(snapshot))
    assert outcome.plan.appends == []
    [problem] = [p for p in outcome.problems if p.kind == "deleted_task"]
    assert str(problem) == ("book.xlsx › 月度任务 2026-11: 任务“JH-002”已从本表删除，同步不会再自动加回。"
                            "如系误删，运行 dispatchbook history JH-002 --restore 取回该行后粘贴回来；本次未加回该任务")
    problems_tab = next(s for s in outcome.plan.owned if s.name == "数据问题")
    assert any(row and row[0] == "月度任务 2026-11" and "JH-002" in row[2] and row[5] == "本次未加回该任务"
               for row in problems_tab.rows)
    later = run_sync(memory, date(2026, 11, 20), jobs=["daily"], rules=rules, memory=Remembers(snapshot))
    assert [p.value for p in later.problems if p.kind == "deleted_task"] == ["JH-002"]  # listed all month


def test_carry_over_keeps_continuing_work_and_last_months_recurring_instance(rules):
    memory = book()
    plan = memory.tabs["年度计划书"]
    plan[3][6] = "每月"  # JH-002 中心组学习: a recurring monthly activity; JH-001 (全年) continues
    memory.tabs["月度任务 2026-10"] += [
        ["JH-001-ZB0101", "主题党日", "规定动作", "上级部署", "组织部", "ZB0101", "张三", "2026-10-09", "2026-10-30", 70,
         "进行中", "已完成方案", "2026-10-28", None],
        ["JH-002", "中心组学习", "规定动作", "上级部署", "党委工作部", "JT", "李四", "2026-10-09", "2026-10-30", 40,
         "进行中", "第二次学习待定", "2026-10-27", "已催办"],
        ["JH-011", "宣讲", "宣传思想", None, None, "JC01", None, "2026-09-01", "2026-10-30", 20, "进行中", None,
         "2026-10-27", "上月结转；已延期"],
    ]
    outcome = run_sync(memory, date(2026, 11, 3), jobs=[], rules=rules)
    [created] = outcome.plan.created
    rows = {r[0]: dict(zip(created.rows[0], r, strict=True)) for r in created.rows[1:]}
    # continuing: one task, November's deadline, October's progress, owner, 最新进展 and start
    kept = rows["JH-001-ZB0101"]
    assert (kept["进度"], kept["责任人"], kept["最新进展"], kept["开始日期"], kept["截止日期"], kept["备注"]) == \
        (0.7, "张三", "已完成方案", date(2026, 10, 9), date(2026, 11, 30), "上月结转")
    assert rows["JH-001-ZB0102"]["进度"] is None  # no October row: a fresh instance
    # recurring: a fresh November instance, and October's unfinished one as its own row
    assert (rows["JH-002"]["进度"], rows["JH-002"]["截止日期"]) == (None, date(2026, 11, 30))
    old = rows["JH-002-2026-10"]
    assert (old["进度"], old["截止日期"], old["最新进展"], old["备注"]) == (0.4, date(2026, 10, 30), "第二次学习待定",
                                                                 "上月结转；已催办")
    assert rows["JH-011"]["备注"] == "上月结转；已延期"  # never 上月结转；上月结转
    assert outcome.month.carried == 4  # JH-009, JH-001-ZB0101, JH-002 (as JH-002-2026-10), JH-011
    tasks = outcome.state.tasks.set_index("id")
    assert tasks.at["JH-002-2026-10", "colour"] == "red" and tasks.at["JH-001-ZB0101", "colour"] != "red"
