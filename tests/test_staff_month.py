"""A month of ordinary staff work on a small book, one everyday action before each working day's sync.

The book is written and edited with openpyxl; every sync goes through the .xlsx backend with the
SQLite history. At the end: no duplicate IDs, no tab lost, every staff cell as staff left it, and the
scores equal what the assessment rules give by hand.
"""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest

from sync.history import History
from tests.conftest import ORG_HEADER, ORG_ROWS, PLAN_HEADER, write_xlsx
from tests.staff_helpers import cells, edit, header, row_of, sync_on

MONTH = "月度任务 2026-12"
RENAMED = "2026年12月任务"
CHANNEL_HEADER = ["诉求编号", "渠道", "诉求内容", "诉求类别", "提出日期", "责任单位", "责任人", "办结时限", "状态", "办理情况"]
STAFF_WEEKLY = [["一矿党委自己的周报表"], ["周次", "完成情况"], ["第49周", "按计划推进"]]


def workdays(cal) -> list[date]:  # type: ignore[no-untyped-def]
    return [date(2026, 12, d) for d in range(1, 32) if cal.is_workday(date(2026, 12, d))]


def set_cell(tab: str, task: str, label: str, value: object):  # type: ignore[no-untyped-def]
    def change(book: openpyxl.Workbook) -> None:
        sheet = book[tab]
        sheet.cell(row_of(sheet, task), header(sheet, label), value)
    return change


def actions(days: list[date]) -> dict[date, object]:
    """The staff action done on each working day before that day's sync (see the test's docstring)."""
    d = days

    def rename(book: openpyxl.Workbook) -> None:
        book[MONTH].title = RENAMED

    def own_weekly(book: openpyxl.Workbook) -> None:
        sheet = book.create_sheet("周报表")
        for values in STAFF_WEEKLY:
            sheet.append(values)

    def merge_category(book: openpyxl.Workbook) -> None:  # 类别 merged over the two JH-002 rows
        sheet = book[RENAMED]
        first = row_of(sheet, "JH-002-ZB0101")
        sheet.merge_cells(start_row=first, end_row=first + 1, start_column=3, end_column=3)

    def total_row(book: openpyxl.Workbook) -> None:
        sheet = book[RENAMED]
        sheet.append(["合计", None, None, None, None, None, None, None, None, None, "4 项"])

    def close_channel(book: openpyxl.Workbook) -> None:
        sheet = book["渠道诉求"]
        sheet.cell(row_of(sheet, "QD-001"), 9, "已办结")
        sheet.cell(row_of(sheet, "QD-001"), 10, "已回访")

    def exemplar(book: openpyxl.Workbook) -> None:
        sheet = book[RENAMED]
        r = row_of(sheet, "JH-001")
        for label, value in (("进度", 1), ("状态", "已完成"), ("更新日期", d[13]), ("典型", "是")):
            sheet.cell(r, header(sheet, label), value)

    def header_variant(book: openpyxl.Workbook) -> None:
        sheet = book[RENAMED]
        sheet.cell(1, header(sheet, "进度"), "进度（%）")

    def error_value(book: openpyxl.Workbook) -> None:
        cell = book[RENAMED].cell(row_of(book[RENAMED], "JH-001"), header(book[RENAMED], "进度"))
        cell.value, cell.data_type = "#DIV/0!", "e"

    def ledger_header(book: openpyxl.Workbook) -> None:
        book["渠道诉求"].cell(1, 9, "状态★")

    def new_plan_task(book: openpyxl.Workbook) -> None:
        book["年度计划书"].append(["JH-003", "冬季安全宣讲", "常规工作", None, "宣传部", "二矿党委", "12"])

    return {
        d[1]: set_cell(MONTH, "JH-001", "进度", 0.3),
        d[2]: set_cell(MONTH, "JH-002-ZB0101", "截止日期", "12月底"),  # unreadable: the row is left out
        d[3]: set_cell(MONTH, "JH-002-ZB0101", "截止日期", date(2026, 12, 31)),
        d[0]: own_weekly,  # before the first sync: the organisation's own 周报表
        d[4]: rename,
        d[5]: set_cell(RENAMED, "JH-002-ZB0201", "进度", 1),  # 100% while not closed: reported, read as open
        d[6]: merge_category,
        d[7]: close_channel,  # QD-001 is due that day: closed on time in 渠道诉求 only
        d[8]: total_row,
        d[9]: set_cell(RENAMED, "JH-002-ZB0201", "状态", "已完成了"),  # a typo: reported, status ignored
        d[10]: set_cell(RENAMED, "JH-002-ZB0201", "状态", "进行中"),
        d[11]: error_value,
        d[12]: set_cell(RENAMED, "JH-001", "进度", 0.8),
        d[13]: exemplar,
        d[14]: header_variant,
        d[15]: set_cell(RENAMED, "JH-002-ZB0201", "更新日期", date(2027, 1, 5)),  # in the future: ignored
        d[16]: new_plan_task,
        d[17]: set_cell(RENAMED, "JH-002-ZB0201", "进度", 0.5),
        d[18]: set_cell(RENAMED, "JH-002-ZB0101", "责任单位", "一矿综采一对党支部"),  # a typo: row left out
        d[19]: set_cell(RENAMED, "JH-002-ZB0101", "责任单位", "一矿综采一队党支部"),
        d[20]: set_cell(RENAMED, "JH-002-ZB0201", "更新日期", date(2026, 12, 29)),
        d[21]: set_cell(RENAMED, "JH-003", "备注", "与冬训合并开展"),
        d[22]: ledger_header,
    }


@pytest.fixture(scope="module")
def month(tmp_path_factory, rules):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("staff-month")
    path = write_xlsx(folder / "党建调度.xlsx", {
        "组织架构": [ORG_HEADER, *ORG_ROWS],
        "年度计划书": [PLAN_HEADER, ["JH-001", "主题党日", "规定动作", "上级部署", "组织部", "一矿党委", "12"],
                  ["JH-002", "安全宣讲进班组", "常规工作", None, "宣传部", "一矿综采一队党支部、二矿机电队党支部", "12"]],
        "渠道诉求": [CHANNEL_HEADER, ["QD-001", "董事长热线", "井口通勤车发车时间不衔接", "热点", date(2026, 12, 1),
                                  "二矿党委", "书记", date(2026, 12, 10), "办理中", None]],
    })
    history = History(folder / "history.sqlite")
    days = workdays(rules.calendar)
    todo = actions(days)
    outcomes = {}
    changed: list[tuple[date, str, int]] = []  # (day, tab, row) of any staff row the sync altered
    for day in days:
        if day in todo:
            edit(path, todo[day])
        before = staff_tabs(path)
        outcomes[day] = sync_on(path, day, history, rules)
        after = staff_tabs(path)
        for tab, rows in before.items():
            changed += [(day, tab, i + 1) for i, row in enumerate(rows) if after[tab][i:i + 1] != [row]]
    return path, days, outcomes, changed


def staff_tabs(path) -> dict[str, list[list[object]]]:  # type: ignore[no-untyped-def]
    """Every tab staff own, as openpyxl reads it (trailing empty cells dropped)."""
    book = openpyxl.load_workbook(path)
    ours = {"调度看板", "重点调度", "超前调度", "变化调度", "数据问题", "周报表（调度）", "旬自查", "月报表", "月考核",
            "季例会", "调度颜色"}
    return {s.title: [trim(list(r)) for r in s.iter_rows(values_only=True)]
            for s in book.worksheets if s.title not in ours}


def trim(row: list[object]) -> list[object]:
    while row and row[-1] is None:
        row.pop()
    return row


def test_no_duplicate_ids_and_the_renamed_sheet_is_the_month_sheet(month) -> None:  # type: ignore[no-untyped-def]
    path, days, outcomes, _ = month
    book = openpyxl.load_workbook(path)
    assert MONTH not in book.sheetnames  # never rebuilt empty after the rename
    ids = [r[0] for r in cells(path, RENAMED)[1:] if r[0] not in (None, "合计")]
    assert sorted(ids) == ["JH-001", "JH-002-ZB0101", "JH-002-ZB0201", "JH-003", "QD-001"]
    left_out_day = outcomes[days[2]]
    assert left_out_day.plan.appends == []  # the left-out row's task was not appended again
    assert "JH-002-ZB0101" not in set(left_out_day.state.tasks["id"])
    assert [str(p) for p in left_out_day.problems if p.kind == "bad_date"] == [
        "党建调度.xlsx › 月度任务 2026-12!I3: 截止日期“12月底”无法识别为日期。请填写日期，如 2026-11-05、2026/11/5 或 "
        "2026年11月5日；该行本次未参与调度，仍保留在表中，同步不会再添加同编号的任务"]


def test_no_tab_lost_and_the_staff_weekly_report_is_left_alone(month) -> None:  # type: ignore[no-untyped-def]
    path, days, outcomes, _ = month
    names = openpyxl.load_workbook(path).sheetnames
    assert names[:4] == ["组织架构", "年度计划书", "渠道诉求", RENAMED]
    assert {"周报表", "周报表（调度）", "调度看板", "数据问题", "旬自查"} <= set(names)
    assert [[v for v in r if v is not None] for r in cells(path, "周报表")] == STAFF_WEEKLY
    assert cells(path, "周报表（调度）")[0][0].startswith("周报表 · 周通报")
    [notice] = [p for p in outcomes[days[-1]].problems if p.kind == "tab_name_taken"]
    assert str(notice) == ("党建调度.xlsx › 周报表: 工作簿中已有一张“周报表”表，不是同步生成的，同步不会改动它。"
                           "同步生成的周报表写在“周报表（调度）”表中；如果“周报表”其实可以由同步覆盖，请删除它或改名，"
                           "下次同步会重新生成“周报表”；该表未被改动")


def test_every_staff_cell_stays_as_staff_left_it(month) -> None:  # type: ignore[no-untyped-def]
    path, days, _, changed = month
    assert changed == []  # each sync left every existing staff row as it was; it only appended rows
    assert cells(path, "渠道诉求")[1][8] == "已办结"  # the ledger cell staff typed, never rewritten
    sheet = cells(path, RENAMED)
    by_id = {r[0]: r for r in sheet[1:]}
    assert by_id["JH-001"][9] == 1 and by_id["JH-001"][10] == "已完成" and by_id["JH-001"][14] == "是"
    assert by_id["QD-001"][10] == "进行中"  # the month-sheet cell is not rewritten: 数据问题 asks staff to align it
    assert by_id["JH-002-ZB0101"][8] == datetime(2026, 12, 31)
    assert by_id["合计"][10] == "4 项"
    assert sheet[0][9] == "进度（%）"


def test_scores_equal_the_rules_by_hand(month) -> None:  # type: ignore[no-untyped-def]
    _, days, outcomes, _ = month
    final = outcomes[days[-1]]
    scores = {a["unit"]: a["score"] for a in final.to_json()["assessment"]["units"]}
    # 12-31, deadlines of the plan tasks are 12-31 (0 working days left: orange, −1 each while open).
    # 一矿党委: JH-001 closed 12-18 before its deadline (+1) and marked 典型 (+2).
    # 二矿党委: QD-001 closed in 渠道诉求 on its deadline 12-10 (+1); JH-003 open, orange (−1), never updated
    #          since its start 12-01 (−1).
    # ZB0101: JH-002-ZB0101 orange (−1), never updated (−1). ZB0201: orange (−1), updated 12-29 (2 working days).
    assert scores == {"JT": 100.0, "JC01": 103.0, "JC02": 99.0, "ZB0101": 98.0, "ZB0102": 100.0, "ZB0201": 99.0}
    colours = dict(zip(final.state.tasks["id"], final.state.tasks["colour"], strict=True))
    assert colours == {"JH-001": "green", "JH-002-ZB0101": "orange", "JH-002-ZB0201": "orange",
                       "QD-001": "green", "JH-003": "orange"}


def test_the_days_problems_say_what_was_done(month) -> None:  # type: ignore[no-untyped-def]
    _, days, outcomes, _ = month
    def outcome_of(day: date, kind: str) -> list[tuple[str, str]]:
        return [(p.where, p.outcome) for p in outcomes[day].problems if p.kind == kind]
    assert outcome_of(days[5], "done_but_open") == [(f"{RENAMED}!K4", "本次按未闭合处理")]
    assert outcome_of(days[9], "bad_status") == [(f"{RENAMED}!K4", "本次状态按空值处理")]
    assert outcome_of(days[11], "excel_error") == [(f"{RENAMED}!J2", "本次进度按空值处理")]
    assert outcome_of(days[15], "future_update") == [(f"{RENAMED}!M4", "本次更新日期按空值处理")]
    assert outcome_of(days[7], "channel_closed_elsewhere") == [(f"{RENAMED}!K5", "本次按已办结处理")]
    assert outcome_of(days[18], "unknown_unit") == [
        (f"{RENAMED}!F3", "该行本次未参与调度，仍保留在表中，同步不会再添加同编号的任务")]
    assert [p.fix for p in outcomes[days[18]].problems if p.kind == "unknown_unit"] == [
        "最接近的是“一矿综采一队党支部”，请填写组织架构中的单位编码或单位名称"]
    assert outcomes[days[18]].plan.appends == []
    assert all(not outcome_of(day, "missing_value") and not outcome_of(day, "missing_header") for day in days)  # merged 类别 and the 合计 row: no problems
