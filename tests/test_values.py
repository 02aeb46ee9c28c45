"""Every normalisation of what staff type."""

from datetime import date, datetime

import pytest

from sync import values as v

NEAR = date(2026, 11, 15)


@pytest.mark.parametrize("raw, expected", [
    (datetime(2026, 11, 5, 9, 30), date(2026, 11, 5)),
    (date(2026, 11, 5), date(2026, 11, 5)),
    (46331, date(2026, 11, 5)),  # Excel serial
    (46331.0, date(2026, 11, 5)),
    ("46331", date(2026, 11, 5)),
    ("2026-11-05", date(2026, 11, 5)),
    ("2026/11/5", date(2026, 11, 5)),
    ("2026.11.5", date(2026, 11, 5)),
    ("2026年11月5日", date(2026, 11, 5)),
    ("２０２６年１１月５日", date(2026, 11, 5)),  # full-width digits
    (" 2026-11-05 10:30 ", date(2026, 11, 5)),
    ("20261105", date(2026, 11, 5)),
    (20261105, date(2026, 11, 5)),
    ("11月5日", date(2026, 11, 5)),  # year from context
    ("11/5", date(2026, 11, 5)),
    ("1月5日", date(2027, 1, 5)),  # nearest to mid-November is next January
    ("12月28日", date(2026, 12, 28)),
    (None, None),
    ("  ", None),
])
def test_dates(raw, expected):
    assert v.parse_date(raw, NEAR) == expected


def test_partial_date_in_january_sheet_means_last_december():
    assert v.parse_date("12月30日", date(2027, 1, 15)) == date(2026, 12, 30)


@pytest.mark.parametrize("raw", ["2026-13-05", "2026-02-30", "下周三", "2月30日", True, 0, -3])
def test_bad_dates(raw):
    with pytest.raises(v.BadValue, match=r"^无法识别为日期$|^不是日期$"):
        v.parse_date(raw, NEAR)


@pytest.mark.parametrize("raw, expected", [
    (80, 80.0), ("80", 80.0), ("80%", 80.0), ("８０％", 80.0), (0.8, 80.0), ("0.8", 80.0), (1, 100.0),
    ("100%", 100.0), (0, 0.0), ("0.5%", 0.5), (None, None), ("", None), (45.5, 45.5),
])
def test_progress(raw, expected):
    assert v.parse_progress(raw) == expected


@pytest.mark.parametrize("raw, reason", [(120, "进度超出 0–100%"), ("101%", "进度超出 0–100%"), (-5, "进度超出 0–100%"),
                                         ("过半", "不是进度数值"), (True, "不是进度数值")])
def test_bad_progress(raw, reason):
    with pytest.raises(v.BadValue, match=f"^{reason}$"):
        v.parse_progress(raw)


@pytest.mark.parametrize("raw, expected", [
    ("已完成", "closed"), ("已闭合", "closed"), ("已销号", "closed"), ("完成", "closed"), (" 已办结 ", "closed"),
    ("Done", "closed"), ("进行中", "open"), ("推进中", "open"), ("in progress", "open"),
    ("未开始", "not_started"), ("not started", "not_started"), (None, None),
])
def test_status(raw, expected):
    assert v.parse_status(raw) == expected


def test_unknown_status():
    with pytest.raises(v.BadValue, match=r"^不是可识别的状态$"):
        v.parse_status("差不多了")


@pytest.mark.parametrize("raw, expected", [("集团党委", "集团党委"), ("grassroots", "基层党委"), ("Branch", "党支部"),
                                           ("支部", "党支部")])
def test_level(raw, expected):
    assert v.parse_level(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("11", {11}), (11, {11}), ("11月", {11}), ("3,6,9", {3, 6, 9}), ("3、6、9月", {3, 6, 9}), ("1-6月", set(range(1, 7))),
    ("4～6", {4, 5, 6}), ("全年", set(range(1, 13))), ("每月", set(range(1, 13))), ("一季度", {1, 2, 3}),
    ("Q4", {10, 11, 12}), ("第二季度", {4, 5, 6}),
])
def test_planned_months(raw, expected):
    assert v.parse_months(raw) == expected


@pytest.mark.parametrize("raw", ["13", "6-3", "下半年"])
def test_bad_planned_months(raw):
    with pytest.raises(v.BadValue):
        v.parse_months(raw)


@pytest.mark.parametrize("raw, expected", [("2026-11", (2026, 11)), ("2026年11月", (2026, 11)), ("2026/11", (2026, 11)),
                                           (date(2026, 11, 3), (2026, 11)), (46331, (2026, 11))])
def test_month(raw, expected):
    assert v.parse_month(raw) == expected


@pytest.mark.parametrize("raw, expected", [("是", True), ("√", True), ("典型", True), (None, False), ("否", False),
                                           (True, True)])
def test_flag(raw, expected):
    assert v.parse_flag(raw) is expected


def test_units_split_on_chinese_and_latin_separators():
    assert v.parse_units("一支部、二支部，三支部;四支部") == ("一支部", "二支部", "三支部", "四支部")


def test_text_keeps_ids_typed_as_numbers_whole():
    assert v.text(1024.0) == "1024"
    assert v.text(" JH-001 ") == "JH-001"
