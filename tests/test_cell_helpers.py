"""The shared cell helpers every backend and the reader use: date serials, A1 columns, quoting, emptiness.

Expected values are worked out by hand (serials: days since 1899-12-30, the epoch Excel from 1900-03-01
and Google Sheets share)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from sync.a1 import column_index, column_letter
from sync.empty import is_empty
from sync.quoting import formula_string, sheet_ref
from sync.serials import day_serial, from_serial, to_serial


@pytest.mark.parametrize(("day", "number"), [
    (date(1900, 3, 1), 61), (date(1970, 1, 1), 25569), (date(2026, 1, 1), 46023), (date(2026, 11, 5), 46331),
    (date(9999, 12, 31), 2958465),
])
def test_day_serials_both_ways(day: date, number: int) -> None:
    assert day_serial(day) == number and to_serial(day) == number
    assert from_serial(number) == day and from_serial(number + 0.75) == day


def test_a_datetime_keeps_its_time_of_day_correctly_rounded() -> None:
    assert to_serial(datetime(2026, 1, 1, 12)) == 46023.5
    assert to_serial(datetime(2026, 11, 5, 6, tzinfo=UTC)) == 46331.25
    # 8:30 and two microseconds: the double nearest to 46331 + 30600.000002 / 86400 (summing days, seconds
    # and microseconds as separate floats, as the .xlsx writer once did, lands one step below it)
    assert to_serial(datetime(2026, 11, 5, 8, 30, 0, 2)) == 46331.35416666669
    assert float(Fraction(46331 * 86_400_000_000 + 30_600_000_002, 86_400_000_000)) == 46331.35416666669


@pytest.mark.parametrize("number", [-1, 0, 1, 59, 60, 60.99, 2958466])
def test_numbers_where_excel_and_sheets_disagree_or_beyond_9999_are_no_date(number: float) -> None:
    assert from_serial(number) is None


@pytest.mark.parametrize(("letters", "index"), [("A", 0), ("Z", 25), ("AA", 26), ("AZ", 51), ("BA", 52),
                                                 ("XFD", 16383)])
def test_column_letters_both_ways(letters: str, index: int) -> None:
    assert column_letter(index) == letters and column_index(letters) == index


def test_sheet_names_are_always_quoted_with_quotes_doubled() -> None:
    assert sheet_ref("调度颜色") == "'调度颜色'"
    assert sheet_ref("Sheet1") == "'Sheet1'"
    assert sheet_ref("O'Brien's 表") == "'O''Brien''s 表'"


def test_formula_strings_double_their_quotes() -> None:
    assert formula_string("红色考核") == '"红色考核"'
    assert formula_string('say "hi"|') == '"say ""hi""|"'
    assert formula_string("") == '""'


@pytest.mark.parametrize("value", [None, "", "   ", "\t\n", float("nan"), np.float64("nan"), pd.NaT, pd.NA,
                                   np.str_(" ")])
def test_empty_cells(value: object) -> None:
    assert is_empty(value)


@pytest.mark.parametrize("value", [0, 0.0, False, "0", " x ", "-", date(2026, 11, 5), datetime(2026, 11, 5),
                                   pd.Timestamp("2026-11-05"), np.int64(0), np.str_("a")])
def test_cells_with_a_value(value: object) -> None:
    assert not is_empty(value)
