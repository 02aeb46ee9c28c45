"""Date serial numbers, as Excel (1900 date system) and Google Sheets store dates: days since 1899-12-30.

Excel counts a phantom 1900-02-29 (serial 60), so the two agree only from serial 61, 1900-03-01. No
date the sync handles comes earlier, and a smaller number is not read as a date.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

EPOCH = datetime(1899, 12, 30)
FIRST = 61  # 1900-03-01
LAST = 2_958_465  # 9999-12-31
_EPOCH_ORDINAL = EPOCH.toordinal()


def day_serial(day: date) -> int:
    """A date's serial (a datetime's time of day is not counted)."""
    return day.toordinal() - _EPOCH_ORDINAL


def to_serial(value: date | datetime) -> float:
    """A date's serial; a datetime keeps its time of day as the fraction (its time zone dropped)."""
    if not isinstance(value, datetime):
        return float(day_serial(value))
    return (value.replace(tzinfo=None) - EPOCH) / timedelta(days=1)


def from_serial(number: float) -> date | None:
    """The day a serial falls on (a fraction, the time of day, dropped); None outside 1900-03-01 … 9999-12-31."""
    if FIRST <= number < LAST + 1:
        return date.fromordinal(_EPOCH_ORDINAL + int(number))
    return None
