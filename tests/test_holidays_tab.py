"""The 节假日 tab: the office types the year's holiday schedule into the book, no code or TOML edited.

chinese-calendar has no data for 2027. The schedule below is HYPOTHETICAL — made up for these tests,
not the State Council's 2027 notice: 放假 2027-02-06 (Sat) … 2027-02-14 (Sun), 调休上班 Saturday
2027-02-20. Every count below is worked out by hand from a printed February 2027 (Feb 1 is a Monday).
"""

from __future__ import annotations

import json
from datetime import date

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from sync.backends.memory import MemoryBook
from sync.calendar import WorkCalendar
from sync.cli import main
from sync.engine import run_sync
from sync.holidays import with_holidays
from sync.normalise import normalise_tab
from sync.schema import HOLIDAYS
from tests.conftest import minimal_tabs, write_xlsx

HYPOTHETICAL_SPRING_FESTIVAL = [  # as an office would type it: a mix of real dates and text
    ["日期", "类型", "说明"],
    *[[date(2027, 2, d), "放假", "春节（假设的安排，仅供测试）"] for d in range(6, 13)],
    ["2027年2月13日", "放假", None],
    ["2027/2/14", "放假", None],
    [date(2027, 2, 20), "调休上班", "春节调休（假设）"],
]

TASKS = [  # started before the festival, 90% done: only the deadline can make them orange
    ["T1", "春节前走访慰问", "常规工作", "集团党委", None, "一矿党委", None, date(2027, 2, 1), date(2027, 2, 16),
     0.9, "进行中", None, date(2027, 2, 4), None],
    ["T2", "节后复工安全教育", "常规工作", "集团党委", None, "一矿党委", None, date(2027, 2, 1), date(2027, 2, 23),
     0.9, "进行中", None, date(2027, 2, 4), None],
]


def _book(path, *, holidays: list[list[object]] | None, tab: str = "节假日"):
    tabs = minimal_tabs(TASKS, month="月度任务 2027-02")
    if holidays is not None:
        tabs[tab] = holidays
    return write_xlsx(path, tabs)


def _sync(book, as_of: str, capsys) -> dict:
    assert main(["sync", str(book), "--as-of", as_of, "--jobs", "daily", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _colours(result: dict) -> dict[str, str]:
    return {t["id"]: t["colour"] for t in result["tasks"]}


def test_a_2027_deadline_counts_across_the_typed_spring_festival(tmp_path, capsys):
    # As of Thu 2027-02-04, T1 is due Tue 02-16. Working days after the 4th up to the 16th:
    # typed schedule → Fri 5, Mon 15, Tue 16 = 3 → within 预警工作日 (3): orange.
    # Monday–Friday only → 5, 8–12, 15, 16 = 8 → blue.
    typed = _sync(_book(tmp_path / "typed.xlsx", holidays=HYPOTHETICAL_SPRING_FESTIVAL), "2027-02-04", capsys)
    bare = _sync(_book(tmp_path / "bare.xlsx", holidays=None), "2027-02-04", capsys)
    assert _colours(typed)["T1"] == "orange"
    assert _colours(bare)["T1"] == "blue"
    assert [p["kind"] for p in typed["problems"]] == []
    [missing] = [p for p in bare["problems"] if p["kind"] == "calendar_missing"]
    assert missing["message"] == "2027 年的法定节假日和调休数据缺失，已按周一至周五计算工作日"
    assert missing["tab"] == "节假日" and "请在“节假日”表（没有这张表时请新建，表头为 日期、类型、说明）中逐日填写" in missing["fix"]


def test_the_typed_swapped_saturday_is_a_working_day(tmp_path, capsys):
    # As of Thu 2027-02-18, T2 is due Tue 02-23: typed → Fri 19, Sat 20 (调休上班), Mon 22, Tue 23 = 4: blue;
    # without the Saturday it would be 3: orange.
    typed = _sync(_book(tmp_path / "typed.xlsx", holidays=HYPOTHETICAL_SPRING_FESTIVAL), "2027-02-18", capsys)
    without_saturday = _sync(_book(tmp_path / "no-sat.xlsx", holidays=HYPOTHETICAL_SPRING_FESTIVAL[:-1]),
                             "2027-02-18", capsys)
    assert _colours(typed)["T2"] == "blue"
    assert _colours(without_saturday)["T2"] == "orange"


def test_english_tab_headers_and_type_words(rules):
    grid = [["date", "type", "note"], ["2027-02-06", "holiday", ""], ["2027-02-20", "workday", "swap"]]
    data = normalise_tab(grid, HOLIDAYS, "book", "holidays", date(2027, 1, 1))
    cal = with_holidays(rules, data).calendar
    assert not cal.is_workday(date(2027, 2, 6)) and cal.is_workday(date(2027, 2, 20))
    assert cal.count(date(2027, 2, 5), date(2027, 2, 22)) == 12  # Feb 8–12, 15–19, 20 (swap), 22: 5 + 5 + 1 + 1
    book = MemoryBook({**minimal_tabs(month="月度任务 2027-02"), "Holidays": grid})
    outcome = run_sync(book, date(2027, 2, 22), jobs=["daily"], rules=rules, dry_run=True)
    assert "calendar_missing" not in {p.kind for p in outcome.problems}


def test_bad_rows_are_data_problems_and_the_good_rows_still_count(tmp_path, capsys):
    rows = [
        ["日期", "类型", "说明"],
        ["2027-02-08", "放假", None],
        ["2027-02-30", "放假", "no such day"],
        ["2027-02-09", "半天", None],
        ["2027-02-10", None, None],
        ["2027-02-08", "调休上班", "typed twice"],
        ["2027-02-11", "放假", None],
    ]
    book = _book(tmp_path / "bad.xlsx", holidays=rows)
    assert main(["check", str(book), "--as-of", "2027-02-04", "--json"]) == 1
    problems = [(p["where"], p["kind"], p["skipped"]) for p in json.loads(capsys.readouterr().out)]
    assert problems == [("节假日!A3", "bad_date", True), ("节假日!B4", "bad_day_type", True),
                        ("节假日!B5", "missing_value", True), ("节假日!A6", "duplicate_id", True)]
    result = _sync(book, "2027-02-04", capsys)
    # T1 (due 02-16) with 8th and 11th off: 5, 9, 10, 12, 15, 16 = 6 working days → blue, and 2027 is covered
    assert _colours(result)["T1"] == "blue"
    assert "calendar_missing" not in {p["kind"] for p in result["problems"]}
    assert {p["where"] for p in result["problems"]} == {"节假日!A3", "节假日!B4", "节假日!B5", "节假日!A6"}


def test_the_tab_overrides_the_package_and_adds_to_calendar_toml():
    toml = WorkCalendar(holidays=[date(2027, 1, 4)], workdays=[date(2026, 10, 11)])
    book = toml.overlaid(holidays=[date(2026, 10, 10), date(2026, 10, 11)], workdays=[date(2026, 10, 5)])
    assert not book.is_workday(date(2026, 10, 10))  # the package's 调休 Saturday, declared off in the tab
    assert not book.is_workday(date(2026, 10, 11))  # the tab wins over calendar.toml
    assert book.is_workday(date(2026, 10, 5))  # a package holiday, declared worked in the tab
    assert not book.is_workday(date(2027, 1, 4))  # calendar.toml's own day is kept
    assert toml.is_workday(date(2026, 10, 11))  # the rule files' calendar is not changed


def test_init_writes_the_tab_with_its_header_under_a_note_row(tmp_path):
    path = tmp_path / "模板.xlsx"
    assert main(["init", str(path)]) == 0
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("节假日").to_python()
    assert [row[0] for row in grid[:3]] == HOLIDAYS.note.split("\n") and grid[3] == ["日期", "类型", "说明"]
    assert grid[0][0].startswith("说明：国务院办公厅每年公布节假日安排后")
    staff = openpyxl.load_workbook(path)  # staff type below the header
    staff["节假日"].append([date(2027, 2, 20), "调休上班", None])
    staff.save(path)
    data = normalise_tab(CalamineWorkbook.from_path(str(path)).get_sheet_by_name("节假日").to_python(),
                         HOLIDAYS, "模板.xlsx", "节假日", date(2027, 1, 1))
    assert data.problems == [] and list(data.frame["day_type"]) == ["work"] and data.header_row == 3


@pytest.mark.parametrize("typed", ["放假", "休息", "Holiday", "day off"])
def test_words_for_a_day_off(typed, rules):
    data = normalise_tab([["日期", "类型"], ["2027-03-01", typed]], HOLIDAYS, "b", "节假日", date(2027, 1, 1))
    assert not with_holidays(rules, data).calendar.is_workday(date(2027, 3, 1))
