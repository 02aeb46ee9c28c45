"""Unit books on Google Sheets, through gspread and google-auth against the stand-in: one spreadsheet
per unit, at most 3 requests per spreadsheet and sync."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import gspread
import pytest
from google.oauth2 import service_account

from standin import StandinSession, running_standin
from sync.backends.xlsx import XlsxBook
from sync.example import EXAMPLE_AS_OF, write_example
from sync.rulebook import Rulebook
from sync.units.collect import UnitsSetup, exchange
from sync.units.distribute import distribute
from sync.units.gsheets import SheetsPlace
from sync.units.status import NAME as STATUS

MONTH = "月度任务 2026-11"
UNITS = ("JC01", "JC02", "JC03")


@pytest.fixture(scope="module")
def standin() -> Iterator[StandinSession]:
    with running_standin() as session:
        yield session


def staff(session: StandinSession) -> gspread.Client:
    """Another client: a unit's staff typing into their spreadsheet."""
    creds = service_account.Credentials.from_service_account_file(
        str(session.credentials), scopes=["https://www.googleapis.com/auth/spreadsheets"])
    client = gspread.Client(creds)
    for prefix in ("https://sheets.googleapis.com/", "https://www.googleapis.com/"):
        client.http_client.session.mount(prefix, session.api.adapter())
    return client


def test_distribute_and_collect_on_google_sheets(standin: StandinSession, tmp_path: Path, rules: Rulebook) -> None:
    path = tmp_path / "example.xlsx"
    write_example(path)
    book = XlsxBook(path)
    central = standin.seed(book.read(book.sheet_names()), title="集团党委")
    sheets = {code: standin.seed({}, title=code) for code in UNITS}
    setup = UnitsSetup(tmp_path / "ledger", "基层党委",
                       place=SheetsPlace({c: f"gsheet:{i}" for c, i in sheets.items()}, standin.book))
    done = distribute(standin.book(central), setup, EXAMPLE_AS_OF, rules)
    assert sorted(done.created) == sorted(f"gsheet:{i}" for i in sheets.values())
    assert sum(r.outcome.startswith("已跳过：未配置表格") for r in done.reports) == 9
    for sid in sheets.values():
        assert sum(standin.api.counts(sid).values()) <= 3
        assert MONTH in [w.title for w in staff(standin).open_by_key(sid).worksheets()]
    assert sum(standin.api.counts(central).values()) == 2  # distribute does not write the central book

    unit = staff(standin).open_by_key(sheets["JC02"]).worksheet(MONTH)
    rows = unit.get_all_values()
    header = rows.index(next(r for r in rows if r and r[0] == "任务编号"))
    task = rows[header + 1][0]
    unit.update_cell(header + 2, 12, "二矿：已完成现场检查")  # 最新进展
    standin.api.log.clear()  # count the collecting sync's requests alone
    collected = exchange(standin.book(central), setup, EXAMPLE_AS_OF, rules, collect=True)
    assert not collected.conflicts
    for sid in (central, *sheets.values()):
        assert sum(standin.api.counts(sid).values()) <= 3, sid
    values = standin.api.values(central, MONTH)
    assert next(r for r in values if r and r[0] == task)[11] == "二矿：已完成现场检查"
    status = standin.api.values(central, STATUS)
    chased = [r[0] for r in status if r and r[-1] == "催报" and r[0] != "单位编码"]
    assert "JC02" not in chased and {"JC01", "JC03"} <= set(chased)
    assert next(r for r in standin.api.values(sheets["JC02"], MONTH) if r and r[0] == task)[11] == "二矿：已完成现场检查"
