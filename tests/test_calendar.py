"""Working days with statutory holidays and 调休 working weekends; 旬, weeks, quarters."""

from datetime import date

import pandas as pd

from sync.calendar import WorkCalendar, next_xun, quarter, week, xun, xun_name

CAL = WorkCalendar()


def test_national_day_holiday_and_swapped_working_saturday():
    assert not CAL.is_workday(date(2026, 10, 1))  # National Day
    assert not CAL.is_workday(date(2026, 10, 7))
    assert CAL.is_workday(date(2026, 10, 10))  # Saturday worked in exchange (调休)
    assert CAL.is_workday(date(2026, 9, 20))  # Sunday worked in exchange
    assert not CAL.is_workday(date(2026, 9, 26))  # Mid-Autumn


def test_count_is_after_exclusive_through_inclusive():
    assert CAL.count(date(2026, 9, 30), date(2026, 10, 10)) == 3  # Oct 8, 9, 10
    assert CAL.count(date(2026, 9, 29), date(2026, 10, 10)) == 4
    assert CAL.count(date(2026, 11, 18), date(2026, 11, 18)) == 0
    assert CAL.count(date(2026, 11, 20), date(2026, 11, 18)) == 0


def test_count_many_matches_count_and_keeps_missing_dates():
    after = pd.Series(pd.to_datetime(["2026-09-29", "2026-11-02", None]))
    through = pd.Series(pd.to_datetime(["2026-10-10", "2026-11-27", "2026-11-27"]))
    got = CAL.count_many(after, through)
    assert list(got[:2]) == [CAL.count(date(2026, 9, 29), date(2026, 10, 10)),
                             CAL.count(date(2026, 11, 2), date(2026, 11, 27))]
    assert pd.isna(got[2])


def test_extra_days_from_rules_and_uncovered_years():
    cal = WorkCalendar(holidays=[date(2026, 11, 20)], workdays=[date(2026, 11, 21)])
    assert not cal.is_workday(date(2026, 11, 20)) and cal.is_workday(date(2026, 11, 21))
    fresh = WorkCalendar()
    fresh.count(date(2026, 12, 30), date(2027, 1, 4))
    assert fresh.uncovered_years == {2027}


def test_first_and_last_working_day_of_month():
    assert CAL.first_workday(2026, 10) == date(2026, 10, 8)
    assert CAL.last_workday(2026, 5) == date(2026, 5, 29)


def test_xun_week_quarter():
    assert xun(date(2026, 11, 10)) == (date(2026, 11, 1), date(2026, 11, 10))
    assert xun(date(2026, 2, 25)) == (date(2026, 2, 21), date(2026, 2, 28))
    assert next_xun(date(2026, 11, 25)) == (date(2026, 12, 1), date(2026, 12, 10))
    assert xun_name(date(2026, 11, 18)) == "11月中旬"
    assert week(date(2026, 11, 22)) == (date(2026, 11, 16), date(2026, 11, 22))
    assert quarter(date(2026, 11, 18)) == (2026, 4)
