"""The staff-sheet contract under everyday edits, one test per kind of edit, on books written by openpyxl."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import PatternFill

from standin import running_standin
from sync.backends.xlsx import XlsxBook
from sync.book import read_book
from sync.engine import run_sync
from sync.errors import DispatchError
from sync.example import EXAMPLE_AS_OF, build_example
from sync.history import History
from sync.newbook import write_new_book
from sync.schema import STATUS_SYNONYMS
from tests.conftest import ORG_HEADER, ORG_ROWS, minimal_tabs, write_xlsx
from tests.excel_helpers import xlsx_tabs
from tests.staff_helpers import cells, edit, row_of, sync_on
from tests.test_excel_remote import sync_remote

AS_OF = date(2026, 11, 18)
CHANNEL_HEADER = ["诉求编号", "渠道", "诉求内容", "诉求类别", "提出日期", "责任单位", "责任人", "办结时限", "状态", "办理情况"]


def task(task_id="T-1", unit="一矿综采一队党支部", deadline=date(2026, 11, 30), progress=50, status="进行中",
         name="任务", category="常规工作", updated=date(2026, 11, 17)):
    return [task_id, name, category, None, "组织部", unit, "书记", date(2026, 11, 2), deadline, progress, status,
            "推进中", updated, None]


def example(tmp_path: Path) -> Path:
    path = tmp_path / "示例.xlsx"
    write_new_book(path, build_example(EXAMPLE_AS_OF))
    return path


# 1. A row left out is still present ---------------------------------------------------------------

def test_a_plan_task_whose_row_is_left_out_is_not_appended_again(tmp_path, rules):
    tabs = minimal_tabs([task("JH-001", deadline="11月底", name="主题党日", category="规定动作", unit="一矿党委")])
    path = write_xlsx(tmp_path / "book.xlsx", tabs)
    outcome = run_sync(XlsxBook(path, backups=0), AS_OF, jobs=["daily"], rules=rules)
    assert outcome.plan.appends == []
    assert [r[0] for r in cells(path, "月度任务 2026-11")] == ["任务编号", "JH-001"]
    assert [str(p) for p in outcome.problems] == [
        "book.xlsx › 月度任务 2026-11!I2: 截止日期“11月底”无法识别为日期。请填写日期，如 2026-11-05、2026/11/5 或 "
        "2026年11月5日；该行本次未参与调度，仍保留在表中，同步不会再添加同编号的任务"]
    edit(path, lambda b: b["月度任务 2026-11"].cell(2, 9, date(2026, 11, 30)))  # staff fix the cell
    assert run_sync(XlsxBook(path, backups=0), AS_OF, jobs=["daily"], rules=rules).problems == []


def test_every_problem_of_a_left_out_row_shows_in_one_run(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", minimal_tabs([task(deadline="下周", unit="三矿党委", progress=130)]))
    book = read_book(XlsxBook(path), AS_OF)
    assert [(p.where, p.kind) for p in book.problems] == [
        ("月度任务 2026-11!I2", "bad_date"), ("月度任务 2026-11!J2", "bad_progress"),
        ("月度任务 2026-11!F2", "unknown_unit")]


def test_appending_into_preformatted_rows_keeps_their_formatting(tmp_path, rules):
    path = write_xlsx(tmp_path / "book.xlsx", minimal_tabs([task()]))
    fill = PatternFill("solid", fgColor="FFF2CC")

    def preformat(book: openpyxl.Workbook) -> None:
        sheet = book["月度任务 2026-11"]
        for r in range(3, 8):
            for c in range(1, 17):  # the table's 14 columns and two of the staff's own beside it
                sheet.cell(r, c).fill = fill
    edit(path, preformat)
    run_sync(XlsxBook(path, backups=0), AS_OF, jobs=["daily"], rules=rules)  # appends plan task JH-001 on row 3
    sheet = openpyxl.load_workbook(path)["月度任务 2026-11"]
    assert sheet.cell(3, 1).value == "JH-001"
    assert [sheet.cell(3, c).fill.fgColor.rgb for c in range(1, 17)] == ["00FFF2CC"] * 16
    assert sheet.cell(3, 9).number_format == "yyyy-mm-dd"


# 2. A renamed month tab is never rebuilt empty --------------------------------------------------------

@pytest.mark.parametrize("name", ["2026年11月任务", "11月任务", "表1 2026-11", "月度任务2026年11月"])
def test_a_month_sheet_under_a_name_staff_give_it_is_the_month_sheet(tmp_path, rules, name):
    path = write_xlsx(tmp_path / "book.xlsx", minimal_tabs([task()], month=name))
    outcome = run_sync(XlsxBook(path, backups=0), AS_OF, jobs=["daily"], rules=rules)
    assert outcome.plan.created == [] and [a.tab for a in outcome.plan.appends] == [name]
    assert "月度任务 2026-11" not in openpyxl.load_workbook(path).sheetnames


def test_a_month_sheet_renamed_beyond_recognition_stops_the_sync(tmp_path, rules):
    path = write_xlsx(tmp_path / "book.xlsx", minimal_tabs([task()]))
    history = History(tmp_path / "history.sqlite")
    sync_on(path, AS_OF, history, rules, jobs=["daily"])
    edit(path, lambda b: setattr(b["月度任务 2026-11"], "title", "十一月工作"))
    before = path.read_bytes()
    with pytest.raises(DispatchError) as err:
        sync_on(path, date(2026, 11, 19), history, rules, jobs=["daily"])
    assert err.value.exit_code == 2
    assert str(err.value) == (
        "book.xlsx: 找不到本月的任务表“月度任务 2026-11”，但同步记录显示本月已有任务表（可能被改名或删除）；"
        "为免新建一张空表、丢失已填写的进度，本次没有同步。看起来是它的工作表：“十一月工作”。"
        "请把它改回“月度任务 2026-11”，或改为“2026年11月任务”这类名称，然后重新同步；"
        "如确要重建本月任务表，请新建一张只有表头的“月度任务 2026-11”")
    assert path.read_bytes() == before
    # without the history, the colour map the sync wrote tells the same
    with pytest.raises(DispatchError):
        run_sync(XlsxBook(path, backups=0), date(2026, 11, 19), jobs=["daily"], rules=rules)


def test_a_new_month_sheet_goes_beside_the_other_month_sheets(tmp_path, rules):
    tabs = minimal_tabs([task(deadline=date(2026, 10, 30))], month="月度任务 2026-10")
    tabs["值班表"] = [["日期", "值班领导"], [date(2026, 11, 2), "组织部部长"]]
    path = write_xlsx(tmp_path / "book.xlsx", tabs)
    run_sync(XlsxBook(path, backups=0), date(2026, 10, 30), jobs=["daily"], rules=rules)

    def print_area(book: openpyxl.Workbook) -> None:  # a sheet-scoped name of the staff's, after the insertion point
        book["值班表"].print_area = "A1:B2"
    edit(path, print_area)
    run_sync(XlsxBook(path, backups=0), date(2026, 11, 2), jobs=["daily"], rules=rules)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:5] == ["组织架构", "年度计划书", "月度任务 2026-10", "月度任务 2026-11", "值班表"]
    assert book["值班表"].print_area == "'值班表'!$A$1:$B$2"  # still on its tab
    assert XlsxBook(path).owned_tabs() == {"调度看板", "重点调度", "超前调度", "变化调度", "数据问题", "调度颜色"}


# 3. A staff tab is never overwritten because of its name --------------------------------------------

OWN_REPORT = [["二〇二六年各单位周报表（办公室自制）"], ["单位", "本周完成"], ["一矿党委", 3]]


def test_a_staff_tab_with_a_sync_name_is_kept_and_the_sync_writes_beside_it(tmp_path, rules):
    tabs = minimal_tabs([task()]) | {"周报表": OWN_REPORT, "月报表": OWN_REPORT}
    path = write_xlsx(tmp_path / "book.xlsx", tabs)
    for day in (date(2026, 11, 16), date(2026, 11, 23)):  # two Mondays: the second sync finds its own tab
        outcome = run_sync(XlsxBook(path, backups=0), day, jobs=["daily", "weekly", "monthly"], rules=rules)
        assert trimmed(path, "周报表") == OWN_REPORT and trimmed(path, "月报表") == OWN_REPORT
        assert cells(path, "周报表（调度）")[0][0].startswith("周报表 · 周通报")
        assert [p.where for p in outcome.problems if p.kind == "tab_name_taken"] == ["周报表", "月报表"]
    problems = cells(path, "数据问题")
    assert ["周报表", "（整张表）", "工作簿中已有一张“周报表”表，不是同步生成的，同步不会改动它", None,
            "同步生成的周报表写在“周报表（调度）”表中；如果“周报表”其实可以由同步覆盖，请删除它或改名，下次同步会重新生成“周报表”",
            "该表未被改动"] in problems
    assert "周报表（调度2）" not in openpyxl.load_workbook(path).sheetnames


def test_a_book_synced_before_the_marker_is_recognised(tmp_path, rules):
    path = write_xlsx(tmp_path / "book.xlsx", minimal_tabs([task()]))
    run_sync(XlsxBook(path, backups=0), AS_OF, jobs=["daily", "weekly"], rules=rules)
    with zipfile.ZipFile(path) as z:  # what the previous version wrote: no marker names
        parts = {i: z.read(i) for i in z.namelist()}
    parts["xl/workbook.xml"] = re.sub(rb'<definedName name="_dispatchbook"[^>]*>[^<]*</definedName>', b"",
                                      parts["xl/workbook.xml"])
    with zipfile.ZipFile(path, "w") as z:
        for name, blob in parts.items():
            z.writestr(name, blob)
    assert XlsxBook(path).owned_tabs() == set()
    outcome = run_sync(XlsxBook(path, backups=0), date(2026, 11, 23), jobs=["daily", "weekly"], rules=rules)
    assert [p for p in outcome.problems if p.kind == "tab_name_taken"] == []
    assert cells(path, "周报表")[0][0].startswith("周报表 · 周通报 2026年11月16日")
    assert {"调度看板", "周报表", "数据问题"} <= XlsxBook(path).owned_tabs()  # marked from now on


def test_google_keeps_a_staff_tab_of_a_sync_name(rules):
    grids = {s.name: s.rows for s in build_example(EXAMPLE_AS_OF)} | {"周报表": OWN_REPORT}
    with running_standin() as session:
        sid = session.seed(grids, title="示例党委")
        outcome = run_sync(session.book(sid), EXAMPLE_AS_OF, jobs=["daily", "weekly"], rules=rules)
        assert session.api.counts(sid)["spreadsheets.batchUpdate"] == 1
        book = session.book(sid)
        read = book.read(["周报表", "周报表（调度）"])
        assert read["周报表"] == [[*r, *[None] * (2 - len(r))] for r in OWN_REPORT]
        assert str(read["周报表（调度）"][0][0]).startswith("周报表 · 周通报")
        assert "周报表（调度）" in book.owned_tabs() and "周报表" not in book.owned_tabs()
    assert [p.where for p in outcome.problems if p.kind == "tab_name_taken"] == ["周报表"]


# 4. Header variants and per-tab header failures (variants: test_reading.py) ------------------------

def test_a_broken_header_in_an_old_month_sheet_never_stops_todays_sync(tmp_path, rules):
    tabs = minimal_tabs([task()])
    tabs["月度任务 2026-10"] = [["编号", "事项", "完成时间"], ["T-0", "旧任务", date(2026, 10, 30)]]
    tabs["年度计划书"][0] = ["任务编号", "任务名称", "类别", "来源", "牵头部门", "负责单位", "计划月份"]
    path = write_xlsx(tmp_path / "book.xlsx", tabs)
    before = cells(path, "月度任务 2026-10")
    outcome = run_sync(XlsxBook(path, backups=0), AS_OF, jobs=["daily"], rules=rules)
    assert [(p.tab, p.kind, p.outcome) for p in outcome.problems] == [
        ("年度计划书", "missing_header", "本表本次未参与调度，其他表照常同步"),
        ("月度任务 2026-10", "missing_header", "本表本次未参与调度，其他表照常同步")]
    assert "F1“负责单位”是否应为“责任单位”" in outcome.problems[0].fix
    assert list(outcome.state.tasks["id"]) == ["T-1"]  # today's sheet still dispatched
    assert cells(path, "月度任务 2026-10") == before
    assert "调度看板" in openpyxl.load_workbook(path).sheetnames


def test_a_broken_header_on_this_months_sheet_leaves_it_alone(tmp_path, rules):
    path = write_xlsx(tmp_path / "book.xlsx", minimal_tabs([task()]))
    history = History(tmp_path / "history.sqlite")
    sync_on(path, date(2026, 11, 17), history, rules, jobs=["daily"])
    edit(path, lambda b: b["月度任务 2026-11"].cell(1, 9, "完成时间"))  # 截止日期 renamed
    before = cells(path, "月度任务 2026-11")
    outcome = sync_on(path, AS_OF, history, rules, jobs=["daily"])
    assert [(p.tab, p.kind) for p in outcome.problems] == [("月度任务 2026-11", "missing_header")]  # no "deleted"
    assert outcome.plan.appends == [] and outcome.plan.created == []
    assert cells(path, "月度任务 2026-11") == before


# 5. Merged cells --------------------------------------------------------------------------------------

def test_a_value_merged_over_rows_counts_for_each_row(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", minimal_tabs([task("T-1"), task("T-2", name=None, category=None),
                                                            task("T-3", name=None, category=None)]))

    def merge(book: openpyxl.Workbook) -> None:
        book["月度任务 2026-11"].merge_cells("B2:B4")
        book["月度任务 2026-11"].merge_cells("C2:C4")
    edit(path, merge)
    book = read_book(XlsxBook(path), AS_OF)
    assert book.problems == []
    assert list(book.months[(2026, 11)].frame["name"]) == ["任务"] * 3


def test_an_id_merged_over_rows_is_reported_with_its_block(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", minimal_tabs([task("T-1"), task(None)]))
    edit(path, lambda b: b["月度任务 2026-11"].merge_cells("A2:A3"))
    book = read_book(XlsxBook(path), AS_OF)
    assert [str(p) for p in book.problems] == [
        "book.xlsx › 月度任务 2026-11!A3: 任务编号位于合并单元格 A2:A3，几行共用一个编号。请取消合并，为每一行填写各自的编号；"
        "该行本次未参与调度，仍保留在表中，同步不会再添加同编号的任务"]


def test_desktop_excel_keeps_a_staff_tab_of_a_sync_name():
    tabs = xlsx_tabs(Path(__file__).resolve().parent.parent / "workbooks" / "example.xlsx") | {"周报表": OWN_REPORT}
    outcome, _, replay = sync_remote(tabs, jobs=("daily", "weekly"))
    assert [p.where for p in outcome.problems if p.kind == "tab_name_taken"] == ["周报表"]
    assert [[v for v in r if v is not None] for r in replay["周报表"].grid()] == OWN_REPORT
    assert str(replay["周报表（调度）"].grid()[0][0]).startswith("周报表 · 周通报")


# 6. One truth for channel issues -----------------------------------------------------------------------

def channel_book(tmp_path: Path, ledger_status: str, sheet_status: str) -> Path:
    tabs = minimal_tabs([task("QD-1", unit="二矿党委", status=sheet_status, deadline=date(2026, 11, 20))])
    tabs["渠道诉求"] = [CHANNEL_HEADER, ["QD-1", "董事长热线", "班车时间", "热点", date(2026, 11, 3), "二矿党委", "书记",
                                 date(2026, 11, 20), ledger_status, None]]
    return write_xlsx(tmp_path / "book.xlsx", tabs)


def test_a_channel_issue_closed_in_the_ledger_closes_its_task(tmp_path, rules):
    path = channel_book(tmp_path, "已办结", "进行中")
    outcome = run_sync(XlsxBook(path, backups=0), AS_OF, jobs=["daily"], rules=rules)
    assert dict(zip(outcome.state.tasks["id"], outcome.state.tasks["colour"], strict=True))["QD-1"] == "green"
    assert [str(p) for p in outcome.problems] == [
        "book.xlsx › 月度任务 2026-11!K2: 渠道诉求“QD-1”在“渠道诉求”表中已办结，本表仍未闭合。"
        "渠道诉求以“渠道诉求”表为准；请把本行状态改为“已完成”，使两处一致；本次按已办结处理"]
    assert cells(path, "月度任务 2026-11")[1][10] == "进行中"  # the staff cell is not rewritten


def test_a_channel_issue_closed_in_the_month_sheet_never_returns(tmp_path, rules):
    path = channel_book(tmp_path, "办理中", "已完成")
    outcome = run_sync(XlsxBook(path, backups=0), AS_OF, jobs=["daily"], rules=rules)
    assert [str(p) for p in outcome.problems] == [
        "book.xlsx › 渠道诉求!I2: 诉求“QD-1”在“月度任务 2026-11”中已标为已完成，本表仍未办结。"
        "渠道诉求在本表销号：请把状态改为“已完成”并填写办理情况；本次按已办结处理，不再作为新任务加入月度任务表"]
    run_sync(XlsxBook(path, backups=0), date(2026, 12, 1), jobs=["daily"], rules=rules)
    assert "QD-1" not in [r[0] for r in cells(path, "月度任务 2026-12")]


def test_the_ledger_says_where_staff_close_an_issue(tmp_path):
    assert cells(example(tmp_path), "渠道诉求")[0][0].startswith("渠道诉求在本表销号")


# 7. More checks ------------------------------------------------------------------------------------------

def test_progress_and_status_that_contradict_each_other(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", minimal_tabs([task("T-1", progress=100, status="进行中"),
                                                            task("T-2", progress="20%", status="已完成")]))
    assert [str(p) for p in read_book(XlsxBook(path), AS_OF).problems] == [
        "book.xlsx › 月度任务 2026-11!K2: 进度为 100%，状态却是“进行中”。如已办结请把状态改为“已完成”；否则请把进度改为实际完成的比例；"
        "本次按未闭合处理",
        "book.xlsx › 月度任务 2026-11!J3: 状态为已完成，进度却只有 20%。如已办结请把进度改为 100%；否则请把状态改为“进行中”；"
        "本次按已闭合处理"]


def test_excel_error_values_are_reported_never_silently_empty(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", minimal_tabs([task("T-1"), task("T-2")]))

    def errors(book: openpyxl.Workbook) -> None:
        sheet = book["月度任务 2026-11"]
        for ref, value in (("J2", "#DIV/0!"), ("B3", "#N/A")):
            sheet[ref].value, sheet[ref].data_type = value, "e"
    edit(path, errors)
    book = read_book(XlsxBook(path), AS_OF)
    assert [str(p) for p in book.problems] == [
        "book.xlsx › 月度任务 2026-11!J2: 进度“#DIV/0!”是 Excel 错误值，单元格的公式出错。请修正该单元格的公式，或直接填写内容；"
        "本次进度按空值处理",
        "book.xlsx › 月度任务 2026-11!B3: 任务名称“#N/A”是 Excel 错误值，单元格的公式出错。请修正该单元格的公式，或直接填写内容；"
        "该行本次未参与调度，仍保留在表中，同步不会再添加同编号的任务"]


def test_a_future_update_date_is_reported_and_ignored(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", minimal_tabs([task(updated=date(2026, 12, 17))]))
    book = read_book(XlsxBook(path), AS_OF)
    assert [str(p) for p in book.problems] == [
        "book.xlsx › 月度任务 2026-11!M2: 更新日期 2026-12-17 晚于今天（2026-11-18）。请填写实际更新进展的日期；本次更新日期按空值处理"]
    assert book.months[(2026, 11)].frame["updated"].isna().all()


def test_a_total_row_under_the_table_is_skipped_quietly(tmp_path):
    rows = [task("T-1"), task("T-2"), [None, "合计", None, None, None, None, None, None, None, 75, "2 项"],
            ["小计：", None, None, None, None, None, None, None, None, 50]]
    book = read_book(XlsxBook(write_xlsx(tmp_path / "book.xlsx", minimal_tabs(rows))), AS_OF)
    assert book.problems == []
    assert list(book.months[(2026, 11)].frame["id"]) == ["T-1", "T-2"]


def test_two_units_of_one_name_are_an_error_and_tasks_must_use_the_code(tmp_path):
    tabs = minimal_tabs([task("T-1", unit="机电队党支部"), task("T-2", unit="ZB0202")])
    tabs["组织架构"] = [ORG_HEADER, *ORG_ROWS, ["ZB0202", "机电队党支部", "党支部", "JC02"],
                    ["ZB0103", "机电队党支部", "党支部", "JC01"]]
    book = read_book(XlsxBook(write_xlsx(tmp_path / "book.xlsx", tabs)), AS_OF)
    assert [str(p) for p in book.problems] == [
        "book.xlsx › 组织架构!B9: 单位名称“机电队党支部”与第 8 行（ZB0202）重名。请给两个单位起不同的名称；"
        "在此之前，任务的责任单位请填写单位编码（ZB0202 或 ZB0103）",
        "book.xlsx › 月度任务 2026-11!F2: 责任单位“机电队党支部”在组织架构中有 2 个同名单位（ZB0202、ZB0103）。"
        "请改填单位编码（ZB0202、ZB0103 之一）；该行本次未参与调度，仍保留在表中，同步不会再添加同编号的任务"]
    assert list(book.months[(2026, 11)].frame["unit"]) == ["ZB0202"]


def test_a_unit_name_close_to_a_known_one_offers_it(tmp_path):
    tabs = minimal_tabs([task(unit="一矿综采一对党支部")])
    book = read_book(XlsxBook(write_xlsx(tmp_path / "book.xlsx", tabs)), AS_OF)
    assert [p.fix for p in book.problems] == ["最接近的是“一矿综采一队党支部”，请填写组织架构中的单位编码或单位名称"]


def test_the_readme_lists_every_status_word_the_reader_accepts():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    workbook = readme.split("## The workbook")[1].split("## Where the sync writes")[0]
    for words in STATUS_SYNONYMS.values():
        for word in words:
            assert f"`{word}`" in workbook, word


@pytest.mark.parametrize("word", ["已办结", "闭合", "办结", "已销号", "完成"])
def test_closed_words_are_read_as_closed(tmp_path, word):
    path = write_xlsx(tmp_path / "book.xlsx", minimal_tabs([task(progress=100, status=word)]))
    book = read_book(XlsxBook(path), AS_OF)
    assert list(book.months[(2026, 11)].frame["status"]) == ["closed"] and book.problems == []


# 8. Notices that last ---------------------------------------------------------------------------------

def test_the_problems_tab_says_what_was_done_with_each_value(tmp_path, rules):
    path = write_xlsx(tmp_path / "book.xlsx", minimal_tabs([task(progress=130), task("T-2", status="差不多")]))
    run_sync(XlsxBook(path, backups=0), AS_OF, jobs=["daily"], rules=rules)
    handled = {row[1]: row[5] for row in cells(path, "数据问题") if row[0] == "月度任务 2026-11"}
    assert handled == {"J2": "本次进度按空值处理", "K3": "本次状态按空值处理"}


def test_a_deleted_task_is_listed_for_the_rest_of_the_month(tmp_path, rules):
    path = write_xlsx(tmp_path / "book.xlsx", minimal_tabs([task()]))
    history = History(tmp_path / "history.sqlite")
    sync_on(path, date(2026, 11, 16), history, rules, jobs=["daily"])  # appends JH-001 from the plan
    edit(path, lambda b: b["月度任务 2026-11"].delete_rows(row_of(b["月度任务 2026-11"], "JH-001")))
    for day in (date(2026, 11, 17), date(2026, 11, 24), date(2026, 11, 30)):
        outcome = sync_on(path, day, history, rules, jobs=["daily"])
        assert [p.value for p in outcome.problems if p.kind == "deleted_task"] == ["JH-001"]
        assert "JH-001" not in [r[0] for r in cells(path, "月度任务 2026-11")]


def trimmed(path: Path, tab: str) -> list[list[object]]:
    return [[v for v in row if v is not None] for row in cells(path, tab)]


def test_google_merged_cells_count_for_each_row():
    tabs = minimal_tabs([task("T-1"), task("T-2", name=None), task("T-3", name=None)])
    with running_standin() as session:
        sid = session.seed(tabs, title="合并单元格")
        book = session.book(sid)
        sheet_id = next(s["properties"]["sheetId"] for s in book._http.fetch_sheet_metadata(sid)["sheets"]
                        if s["properties"]["title"] == "月度任务 2026-11")
        book._http.batch_update(sid, {"requests": [{"mergeCells": {"mergeType": "MERGE_ALL", "range": {
            "sheetId": sheet_id, "startRowIndex": 1, "endRowIndex": 4, "startColumnIndex": 1, "endColumnIndex": 2}}}]})
        read = read_book(session.book(sid), AS_OF)
    assert read.problems == []
    assert list(read.months[(2026, 11)].frame["name"]) == ["任务"] * 3


def test_google_puts_a_new_month_sheet_after_the_last_one(rules):
    tabs = minimal_tabs([task(deadline=date(2026, 10, 30))], month="月度任务 2026-10")
    tabs["值班表"] = [["日期", "值班领导"], [date(2026, 11, 2), "组织部部长"]]
    with running_standin() as session:
        sid = session.seed(tabs, title="新月份")
        run_sync(session.book(sid), date(2026, 11, 2), jobs=["daily"], rules=rules)
        names = session.book(sid).sheet_names()
    assert names[:5] == ["组织架构", "年度计划书", "月度任务 2026-10", "月度任务 2026-11", "值班表"]


def test_google_appends_into_preformatted_rows_keep_their_formatting(rules):
    with running_standin() as session:
        sid = session.seed(minimal_tabs([task()]), title="预设格式")
        book = session.book(sid)
        sheet_id = next(s["properties"]["sheetId"] for s in book._http.fetch_sheet_metadata(sid)["sheets"]
                        if s["properties"]["title"] == "月度任务 2026-11")
        yellow = {"red": 1, "green": 0.9490196, "blue": 0.8}  # FFF2CC, as the API stores it
        book._http.batch_update(sid, {"requests": [{"repeatCell": {
            "range": {"sheetId": sheet_id, "startRowIndex": 2, "endRowIndex": 7, "startColumnIndex": 0,
                      "endColumnIndex": 16},
            "cell": {"userEnteredFormat": {"backgroundColor": yellow}}, "fields": "userEnteredFormat"}}]})
        run_sync(session.book(sid), AS_OF, jobs=["daily"], rules=rules)
        sheet = session.api.spreadsheet(sid).sheet("月度任务 2026-11")
        assert session.api.values(sid, "月度任务 2026-11")[2][0] == "JH-001"
        row = [sheet.cells.get((2, c), {}).get("userEnteredFormat", {}) for c in range(16)]
    assert [f.get("backgroundColor") for f in row] == [yellow] * 16
    assert row[8]["numberFormat"]["pattern"] == "yyyy-mm-dd"
