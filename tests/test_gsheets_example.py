"""The example organisation synced on a Google spreadsheet (the stand-in) and on an .xlsx file: same result."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from standin import StandinSession, running_standin
from sync.backends.colourmap import MAP_TAB
from sync.backends.gsheets.cells import canonical_grid
from sync.backends.xlsx import XlsxBook
from sync.engine import SyncOutcome, run_sync
from sync.example import EXAMPLE_AS_OF, write_example
from sync.rulebook import load_rules


@dataclass
class Both:
    xlsx: Path
    xlsx_outcome: SyncOutcome
    sheets: StandinSession
    spreadsheet: str
    sheets_outcome: SyncOutcome


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Both]:
    path = tmp_path_factory.mktemp("example") / "example.xlsx"
    write_example(path)
    staff = XlsxBook(path)
    grids = staff.read(staff.sheet_names())
    rules = load_rules()
    with running_standin() as session:
        sid = session.seed(grids, title="示例党委")
        yield Both(path, run_sync(XlsxBook(path), EXAMPLE_AS_OF, rules=rules), session, sid,
                   run_sync(session.book(sid), EXAMPLE_AS_OF, rules=rules))


def test_the_sync_takes_three_requests(both: Both) -> None:
    assert both.sheets.api.counts(both.spreadsheet) == {
        "spreadsheets.get": 1, "values.batchGet": 1, "spreadsheets.batchUpdate": 1}


def test_every_written_tab_holds_the_same_values_on_both_backends(both: Both) -> None:
    assert both.xlsx_outcome.written == both.sheets_outcome.written
    names = [*both.xlsx_outcome.written, MAP_TAB]
    files = XlsxBook(both.xlsx).read(names)
    sheets = both.sheets.book(both.spreadsheet).read(names)
    for name in names:
        assert canonical_grid(sheets[name]) == canonical_grid(files[name]), name


def test_every_task_shows_its_colour(both: Both) -> None:
    plan = both.sheets_outcome.plan
    assert [c.colours for c in plan.colours] == [c.colours for c in both.xlsx_outcome.plan.colours]
    checked = 0
    for colours in plan.colours:
        rows = both.sheets.api.values(both.spreadsheet, colours.tab)
        for r, row in enumerate(rows[colours.header_row + 1:], start=colours.header_row + 1):
            task = row[colours.id_column] if len(row) > colours.id_column else None
            if task in colours.colours:
                fill = both.sheets.api.fill_of(both.spreadsheet, colours.tab, r, colours.status_column)
                assert fill == plan.palette[colours.colours[task]].fill, (colours.tab, task)
                checked += 1
    assert checked == sum(len(c.colours) for c in plan.colours) > 100


def test_syncing_again_writes_nothing(both: Both) -> None:
    again = run_sync(both.sheets.book(both.spreadsheet), EXAMPLE_AS_OF, rules=load_rules())
    assert again.plan.tab_names() == both.sheets_outcome.written  # the engine asked for the same tabs...
    assert again.written == []  # ...the backend found them all in place...
    assert both.sheets.api.counts(both.spreadsheet)["spreadsheets.batchUpdate"] == 1  # ...and sent nothing


def test_a_dry_run_after_the_sync_reports_no_change_on_either_backend(both: Both) -> None:
    rules = load_rules()
    for book in (XlsxBook(both.xlsx), both.sheets.book(both.spreadsheet)):
        outcome = run_sync(book, EXAMPLE_AS_OF, rules=rules, dry_run=True)
        assert (outcome.would_write, outcome.written) == ([], []), book.label
    fresh = both.xlsx.with_name("fresh.xlsx")
    write_example(fresh)
    assert sorted(run_sync(XlsxBook(fresh), EXAMPLE_AS_OF, rules=rules, dry_run=True).would_write) == \
        sorted([*both.xlsx_outcome.written, MAP_TAB, "工作簿结构"])
