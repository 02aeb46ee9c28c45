"""The stand-in's building blocks: A1 notation, user-entered parsing, number formats, formulas."""

from __future__ import annotations

from typing import Any

import pytest

from standin.a1 import (
    Box,
    RangeError,
    format_range,
    parse_cells,
    quote_title,
    split_title,
)
from standin.cells import format_number, quantise_colour, user_entered
from standin.formula import CellError, evaluate, shift_rows


@pytest.mark.parametrize(("text", "box"), [
    ("A1", Box(0, 0, 1, 1)), ("B2:D4", Box(1, 1, 4, 4)), ("D4:B2", Box(1, 1, 4, 4)),
    ("A:C", Box(None, 0, None, 3)), ("2:3", Box(1, None, 3, None)), ("A2:C", Box(1, 0, None, 3)),
    ("A1:1", Box(0, 0, 1, None)), ("$A$1", Box(0, 0, 1, 1)),
])
def test_a1_ranges_parse(text: str, box: Box) -> None:
    assert parse_cells(text) == box


@pytest.mark.parametrize("text", ["", "A0", "1A", "A1:B2:C3", "!"])
def test_bad_ranges_are_refused(text: str) -> None:
    with pytest.raises(RangeError):
        parse_cells(text)


def test_titles_are_quoted_when_they_need_it() -> None:
    assert [quote_title(t) for t in ("Sheet1", "D3", "调度看板", "it's", "a b")] == \
        ["Sheet1", "'D3'", "'调度看板'", "'it''s'", "'a b'"]
    assert split_title("'it''s'!A1") == ("it's", "A1")
    assert format_range("Sheet1", 0, 0, 1, 1) == "Sheet1!A1"


@pytest.mark.parametrize(("typed", "value", "fmt"), [
    ("0042", {"numberValue": 42.0}, None),
    ("2,000,000.01", {"numberValue": 2000000.01}, {"type": "NUMBER", "pattern": "#,##0.00"}),
    ("15%", {"numberValue": 0.15}, {"type": "PERCENT", "pattern": "0%"}),
    ("2020-01-01", {"numberValue": 43831.0}, {"type": "DATE", "pattern": "yyyy-mm-dd"}),
    ("true", {"boolValue": True}, None),
    ("'0042", {"stringValue": "0042"}, None),
    ("=1+1", {"formulaValue": "=1+1"}, None),
    ("6.10.2", {"stringValue": "6.10.2"}, None),
])
def test_user_entered_text_is_parsed_like_the_sheets_ui(typed: str, value: dict[str, Any], fmt: Any) -> None:
    assert user_entered(typed) == (value, fmt)


def test_numbers_show_through_their_formats() -> None:
    assert format_number(0.0009765625, None) == "0.0009765625"
    assert format_number(1234.5, {"type": "NUMBER", "pattern": "#,##0.00"}) == "1,234.50"
    assert format_number(0.256, {"type": "PERCENT", "pattern": "0.0%"}) == "25.6%"
    assert format_number(46331.5, {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"}) == "2026-11-05 12:00"
    assert format_number(46331, {"type": "DATE", "pattern": "M/d/yyyy"}) == "11/5/2026"


def test_colours_are_stored_like_google_stores_them() -> None:
    assert quantise_colour({"red": 1, "green": 0, "blue": 0.5}) == {"red": 1, "blue": 0.49803922}


class Grid:
    def __init__(self, sheets: dict[str | None, list[list[Any]]]) -> None:
        self.sheets = sheets

    def cells(self, title: str | None, box: Box) -> list[list[Any]]:
        rows = self.sheets[title]
        r0, c0, r1, c1 = box.bound(len(rows), max(len(r) for r in rows))
        return [[rows[r][c] if c < len(rows[r]) else None for c in range(c0, c1)]
                for r in range(r0, min(r1, len(rows)))]


def test_formulas_evaluate_with_lookups_and_errors() -> None:
    grid = Grid({None: [["T1"], ["T2"]], "map": [["k", "v"], ["s|T1", "red"]]})
    look = '=IFERROR(INDEX(INDIRECT("map!B:B"),MATCH("s|"&$A1,INDIRECT("map!A:A"),0))="red",FALSE)'
    assert evaluate(look, grid) is True
    assert evaluate(look, grid, (1, 0)) is False
    assert evaluate("=2^3-4/2&\"x\"", grid) == "6x"
    assert evaluate("=1/0", grid) == CellError("#DIV/0!")
    assert evaluate("=NOPE(1)", grid) == CellError("#NAME?")
    assert evaluate('=IF(A1="t1",1,2)', grid) == 1


def test_references_move_down_when_rows_are_inserted_above_them() -> None:
    assert shift_rows('=$A3&"A1"&map!A3&B2', "s", 2, 3) == '=$A6&"A1"&map!A3&B2'
