"""Whether a cell is empty: one meaning for every reader and writer."""

from __future__ import annotations


def is_empty(value: object) -> bool:
    """True for a cell that shows nothing: None, text that is empty or only whitespace, NaN, NaT and
    pandas' NA. Zero, False and every date are values."""
    if value is None:
        return True
    kind = type(value)
    if kind is str:
        return not value.strip()  # type: ignore[attr-defined]
    if kind is int or kind is bool:
        return False
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(value != value)  # noqa: PLR0124 - NaN and NaT equal nothing
    except TypeError:  # pandas.NA refuses to be a bool
        return True
