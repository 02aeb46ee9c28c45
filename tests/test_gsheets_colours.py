"""Task colours follow the task ID (map tab + conditional-format rules), even when staff move rows mid-sync."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import gspread
import pytest
from google.oauth2 import service_account

from standin import StandinSession, running_standin
from standin.cells import quantise_colour
from sync.backends.colourmap import MAP_TAB
from sync.backends.gsheets.colours import rule_requests, rules
from sync.sheets import Colour, TaskColours, WritePlan

MONTH = "月度任务 2026-11"
PALETTE = {"red": Colour("red", "红色考核", "C00000", "FFFFFF"),
           "orange": Colour("orange", "橙色预警", "FFC000", "000000"),
           "blue": Colour("blue", "蓝色进行中", "5B9BD5", "FFFFFF"),
           "green": Colour("green", "绿色已闭合", "00B050", "FFFFFF")}
ROWS = [["2026年11月重点任务"], ["任务编号", "任务名称", "状态"], ["T1", "甲", "进行中"], ["T2", "乙", "已完成"],
        ["T3", "丙", "进行中"], ["T4", "丁", "未开始"]]
COLOURS = {"T1": "red", "T2": "green", "T3": "orange", "T4": "blue"}


@pytest.fixture
def standin() -> Iterator[StandinSession]:
    with running_standin() as session:
        yield session


def staff(session: StandinSession) -> gspread.http_client.HTTPClient:
    """Another client on the same spreadsheet: a member of staff editing while the sync runs."""
    creds = service_account.Credentials.from_service_account_file(
        str(session.credentials), scopes=["https://www.googleapis.com/auth/spreadsheets"])
    http = gspread.Client(creds).http_client
    for prefix in ("https://sheets.googleapis.com/", "https://www.googleapis.com/"):
        http.session.mount(prefix, session.api.adapter())
    return http


def plan(colours: dict[str, str] = COLOURS, palette: dict[str, Colour] = PALETTE) -> WritePlan:
    return WritePlan(colours=[TaskColours(MONTH, 1, 0, 2, colours)], palette=palette)


def shown(session: StandinSession, sid: str) -> dict[str, str | None]:
    """Task ID -> the fill its status cell shows."""
    rows = session.api.values(sid, MONTH)
    return {row[0]: session.api.fill_of(sid, MONTH, r, 2) for r, row in enumerate(rows) if row and row[0] in COLOURS}


def test_colours_show_on_each_tasks_status_cell(standin: StandinSession) -> None:
    sid = standin.seed({MONTH: ROWS})
    book = standin.book(sid)
    book.sheet_names()
    book.read([MONTH])
    book.write(plan())
    assert shown(standin, sid) == {t: PALETTE[c].fill for t, c in COLOURS.items()}
    assert standin.api.fill_of(sid, MONTH, 1, 2) is None  # the header keeps its own look
    assert standin.api.spreadsheet(sid).sheet(MAP_TAB).properties["hidden"] is True  # type: ignore[union-attr]


def test_colours_stay_with_their_task_when_staff_sort_and_insert_rows_during_the_sync(standin: StandinSession) -> None:
    sid = standin.seed({MONTH: ROWS})
    book = standin.book(sid)
    book.sheet_names()
    book.read([MONTH])  # the sync has read the rows in their old order...
    sheet_id = standin.api.spreadsheet(sid).sheet(MONTH).sheet_id  # type: ignore[union-attr]
    staff(standin).batch_update(sid, {"requests": [  # ...then staff sort by name and insert rows
        {"sortRange": {"range": {"sheetId": sheet_id, "startRowIndex": 2, "endRowIndex": 6},
                       "sortSpecs": [{"dimensionIndex": 1, "sortOrder": "ASCENDING"}]}},
        {"insertDimension": {"range": {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": 3, "endIndex": 4}}},
        {"insertDimension": {"range": {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": 0, "endIndex": 1}}},
    ]})
    book.write(plan())
    assert [r[0] for r in standin.api.values(sid, MONTH)[3:] if r] == ["T4", "T3", "T2", "T1"]
    assert shown(standin, sid) == {t: PALETTE[c].fill for t, c in COLOURS.items()}
    staff(standin).batch_update(sid, {"requests": [  # and after the sync, too
        {"insertDimension": {"range": {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": 1, "endIndex": 3}}}]})
    assert shown(standin, sid) == {t: PALETTE[c].fill for t, c in COLOURS.items()}


def test_rules_are_added_once_and_the_map_is_what_changes(standin: StandinSession) -> None:
    sid = standin.seed({MONTH: ROWS})
    for colours in (COLOURS, COLOURS | {"T1": "green"}):
        book = standin.book(sid)
        book.sheet_names()
        book.read([MONTH])
        book.write(plan(colours))
    sheet = standin.api.spreadsheet(sid).sheet(MONTH)
    assert sheet is not None and len(sheet.conditional_formats) == 4
    assert shown(standin, sid)["T1"] == PALETTE["green"].fill
    assert standin.api.values(sid, MAP_TAB)[1] == [f"{MONTH}|T1", "绿色已闭合"]


def test_a_new_palette_replaces_the_rules_and_keeps_staff_rules(standin: StandinSession) -> None:
    sid = standin.seed({MONTH: ROWS})
    sheet_id = standin.api.spreadsheet(sid).sheet(MONTH).sheet_id  # type: ignore[union-attr]
    staff(standin).batch_update(sid, {"requests": [{"addConditionalFormatRule": {"rule": {
        "ranges": [{"sheetId": sheet_id, "startColumnIndex": 1, "endColumnIndex": 2}],
        "booleanRule": {"condition": {"type": "TEXT_CONTAINS", "values": [{"userEnteredValue": "甲"}]},
                        "format": {"textFormat": {"bold": True}}}}}}]})
    repainted = PALETTE | {"red": Colour("red", "红色考核", "FF0000", "FFFFFF")}
    for palette in (PALETTE, repainted):
        book = standin.book(sid)
        book.sheet_names()
        book.read([MONTH])
        book.write(plan(palette=palette))
    formats = standin.api.spreadsheet(sid).sheet(MONTH).conditional_formats  # type: ignore[union-attr]
    assert len(formats) == 5 and formats[-1]["booleanRule"]["condition"]["type"] == "TEXT_CONTAINS"
    assert shown(standin, sid)["T1"] == "FF0000"


def test_the_map_keeps_other_tabs_and_drops_deleted_ones(standin: StandinSession) -> None:
    other = "月度任务 2026-10"
    sid = standin.seed({MONTH: ROWS, other: ROWS})
    book = standin.book(sid)
    book.sheet_names()
    book.read([MONTH, other])
    book.write(WritePlan(colours=[TaskColours(MONTH, 1, 0, 2, COLOURS), TaskColours(other, 1, 0, 2, {"T1": "green"})],
                         palette=PALETTE))
    book = standin.book(sid)
    book.sheet_names()
    book.read([MONTH])
    book.write(plan({"T1": "blue"}))
    assert standin.api.values(sid, MAP_TAB) == [
        ["键", "颜色"], [f"{other}|T1", "绿色已闭合"], [f"{MONTH}|T1", "蓝色进行中"]]
    assert standin.api.fill_of(sid, other, 2, 2) == PALETTE["green"].fill
    sheet = standin.api.spreadsheet(sid).sheet(other)
    assert sheet is not None
    staff(standin).batch_update(sid, {"requests": [{"addSheet": {"properties": {"title": "占位"}}}]})
    standin.api.spreadsheet(sid).sheets.remove(sheet)  # staff deleted the October sheet
    book = standin.book(sid)
    book.sheet_names()
    book.read([MONTH])
    book.write(plan({"T1": "blue", "T2": "red"}))
    assert [r[0] for r in standin.api.values(sid, MAP_TAB)[1:]] == [f"{MONTH}|T1", f"{MONTH}|T2"]


def test_the_rule_formula_follows_header_row_and_id_column() -> None:
    rule = rules(TaskColours("月度 \"A\"", 2, 3, 5, {}), WritePlan(palette={"red": PALETTE["red"]}), 7)[0]
    assert rule["ranges"] == [{"sheetId": 7, "startRowIndex": 3, "startColumnIndex": 5, "endColumnIndex": 6}]
    assert rule["booleanRule"]["condition"]["values"][0]["userEnteredValue"] == (
        '=IFERROR(INDEX(INDIRECT("\'调度颜色\'!B:B"),MATCH("月度 ""A""|"&'
        'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE($D4,"~","~~"),"*","~*"),"?","~?"),'
        'INDIRECT("\'调度颜色\'!A:A"),0))="红色考核",FALSE)')


def test_rules_as_sheets_reports_them_back_count_as_present() -> None:
    colours = TaskColours(MONTH, 1, 0, 2, {})
    wanted = rules(colours, plan(), 5)
    reported = copy.deepcopy(wanted)
    for rule in reported:
        condition = rule["booleanRule"]["condition"]["values"][0]
        condition["userEnteredValue"] = condition["userEnteredValue"].replace("IFERROR(", "iferror( ")
        fmt = rule["booleanRule"]["format"]
        fmt["backgroundColor"] = quantise_colour(fmt["backgroundColor"])
        rule["ranges"][0]["endRowIndex"] = 1000
    assert rule_requests(colours, plan(), 5, reported) == []
    assert len(rule_requests(colours, plan(), 5, reported[:3])) == 3 + 4  # one missing: all four are redone


def test_ids_with_wildcard_characters_keep_their_own_colour(standin: StandinSession) -> None:
    colours = {"AB": "green", "A*": "red", "A?": "orange", "A~B": "blue"}  # unescaped, each would match AB's entry
    rows = [["2026年11月重点任务"], ["任务编号", "任务名称", "状态"], *([task, "甲", "进行中"] for task in colours)]
    sid = standin.seed({MONTH: rows})
    book = standin.book(sid)
    book.sheet_names()
    book.read([MONTH])
    book.write(plan(colours))
    shows = {row[0]: standin.api.fill_of(sid, MONTH, r, 2)
             for r, row in enumerate(standin.api.values(sid, MONTH)) if row and row[0] in colours}
    assert shows == {t: PALETTE[c].fill for t, c in colours.items()}
