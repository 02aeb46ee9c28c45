"""A1 notation shared by messages, writers and the Sheets stand-in: column letters and cell addresses."""

from __future__ import annotations


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """A → 0, Z → 25, AA → 26."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def cell_address(row: int, column: int) -> str:
    """0-based (row, column) → 'I17'."""
    return f"{column_letter(column)}{row + 1}"
