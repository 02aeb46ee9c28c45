"""The stand-in is strict and stateful like the real API: errors, atomic batches, ranges, faults, counts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account

from standin import StandinSession, running_standin
from standin.transport import GOOGLE_APIS

API = "https://sheets.googleapis.com/v4/spreadsheets"


@pytest.fixture(scope="module")
def standin() -> Iterator[StandinSession]:
    with running_standin() as session:
        yield session


@pytest.fixture(scope="module")
def http(standin: StandinSession) -> AuthorizedSession:
    creds = service_account.Credentials.from_service_account_file(
        str(standin.credentials), scopes=["https://www.googleapis.com/auth/spreadsheets"])
    session = AuthorizedSession(creds)
    for prefix in GOOGLE_APIS:
        session.mount(prefix, standin.api.adapter())
    return session


def batch(http: AuthorizedSession, sid: str, *requests: dict[str, Any]) -> Any:
    return http.post(f"{API}/{sid}:batchUpdate", json={"requests": list(requests)})


def test_an_unknown_request_kind_is_a_400_shaped_like_googles(standin: StandinSession, http: AuthorizedSession) -> None:
    sid = standin.seed({"a": [[1]]})
    answer = batch(http, sid, {"frobnicate": {}})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["message"] == ('Invalid JSON payload received. Unknown name "frobnicate" at \'requests[0]\': '
                                "Cannot find field.")
    assert error["details"][0]["@type"] == "type.googleapis.com/google.rpc.BadRequest"


def test_a_real_kind_the_stand_in_lacks_is_a_501_not_a_silent_pass(standin: StandinSession,
                                                                     http: AuthorizedSession) -> None:
    answer = batch(http, standin.seed({"a": [[1]]}), {"autoFill": {}})
    assert answer.status_code == 501 and "autoFill" in answer.json()["error"]["message"]


def test_unknown_fields_and_parameters_are_refused(standin: StandinSession, http: AuthorizedSession) -> None:
    sid = standin.seed({"a": [[1]]})
    assert batch(http, sid, {"addSheet": {"properties": {}, "colour": 1}}).status_code == 400
    answer = http.get(f"{API}/{sid}/values/a", params={"valueRenderOptions": "FORMULA"})
    assert answer.status_code == 400 and "Cannot bind query parameter" in answer.json()["error"]["message"]
    answer = http.get(f"{API}/{sid}/values/a", params={"valueRenderOption": "RAW"})
    assert answer.status_code == 400 and "value_render_option" in answer.json()["error"]["message"]


def test_a_batch_update_is_all_or_nothing(standin: StandinSession, http: AuthorizedSession) -> None:
    sid = standin.seed({"a": [["keep"]]})
    sheet_id = standin.api.spreadsheet(sid).sheets[0].sheet_id
    answer = batch(http, sid,
                   {"addSheet": {"properties": {"title": "新表"}}},
                   {"updateCells": {"range": {"sheetId": sheet_id}, "rows": [{"values": [{}]}],
                                    "fields": "userEnteredValue"}},
                   {"deleteSheet": {"sheetId": 12345}})
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "Invalid requests[2].deleteSheet: No grid with id: 12345"
    assert [s.title for s in standin.api.spreadsheet(sid).sheets] == ["a"]
    assert standin.api.values(sid, "a") == [["keep"]]


def test_duplicate_titles_and_grid_limits_are_refused(standin: StandinSession, http: AuthorizedSession) -> None:
    sid = standin.seed({"调度看板": [[1]]})
    answer = batch(http, sid, {"addSheet": {"properties": {"title": "调度看板"}}})
    assert 'A sheet with the name "调度看板" already exists' in answer.json()["error"]["message"]
    sheet_id = standin.api.spreadsheet(sid).sheets[0].sheet_id
    answer = batch(http, sid, {"repeatCell": {"range": {"sheetId": sheet_id, "endRowIndex": 5000},
                                              "cell": {}, "fields": "userEnteredFormat"}})
    assert answer.status_code == 400 and "exceeds grid limits. Max rows: 1000, max columns: 26" in answer.text


def test_ranges_are_normalised_and_values_trimmed(standin: StandinSession, http: AuthorizedSession) -> None:
    sid = standin.seed({"月度任务 2026-11": [["a", None, "c"], [None], [None, "b"]], "Plain_1": [["x"]]})
    got = http.get(f"{API}/{sid}/values:batchGet",
                   params={"ranges": ["月度任务 2026-11!A:D", "'Plain_1'!A1", "Plain_1!B2:C"]}).json()
    assert [v["range"] for v in got["valueRanges"]] == ["'月度任务 2026-11'!A1:D1000", "Plain_1!A1", "Plain_1!B2:C1000"]
    assert got["valueRanges"][0]["values"] == [["a", "", "c"], [], ["", "b"]]
    assert "values" not in got["valueRanges"][2]
    answer = http.get(f"{API}/{sid}/values/Nowhere!A1")
    assert answer.status_code == 400 and answer.json()["error"]["message"] == "Unable to parse range: Nowhere!A1"


def test_faults_hit_the_nth_request_of_a_kind_and_requests_are_counted(standin: StandinSession,
                                                                        http: AuthorizedSession) -> None:
    sid = standin.seed({"a": [[1]]})
    standin.api.inject(503, kind="spreadsheets.get", after=1)
    codes = [http.get(f"{API}/{sid}").status_code for _ in range(3)]
    assert codes == [200, 503, 200]
    http.get(f"{API}/{sid}/values/a")
    assert standin.api.counts(sid) == {"spreadsheets.get": 3, "values.get": 1}


def test_drive_creates_finds_and_deletes_spreadsheet_files(http: AuthorizedSession) -> None:
    made = http.post("https://www.googleapis.com/drive/v3/files",
                     json={"name": "新表", "mimeType": "application/vnd.google-apps.spreadsheet"}).json()
    found = http.get(f"https://www.googleapis.com/drive/v3/files/{made['id']}", params={"fields": "id,name"}).json()
    assert found == {"id": made["id"], "name": "新表"}
    assert http.get(f"{API}/{made['id']}").json()["sheets"][0]["properties"]["title"] == "Sheet1"
    assert http.delete(f"https://www.googleapis.com/drive/v3/files/{made['id']}").status_code == 204
    assert http.get(f"{API}/{made['id']}").status_code == 404


def test_metadata_fields_are_projected(standin: StandinSession, http: AuthorizedSession) -> None:
    sid = standin.seed({"a": [[1]], "b": [[2]]})
    got = http.get(f"{API}/{sid}", params={"fields": "sheets(properties(title,gridProperties/rowCount))"}).json()
    assert got == {"sheets": [{"properties": {"title": "a", "gridProperties": {"rowCount": 1000}}},
                              {"properties": {"title": "b", "gridProperties": {"rowCount": 1000}}}]}


def test_a_failed_batch_leaves_the_sheets_it_did_not_name_as_they_were(standin: StandinSession,
                                                                       http: AuthorizedSession) -> None:
    sid = standin.seed({"a": [["keep"]], "b": [["also"]]})
    first, second = (s.sheet_id for s in standin.api.spreadsheet(sid).sheets)
    answer = batch(http, sid,
                   {"addSheet": {"properties": {"title": "新表", "index": 0}}},  # renumbers every tab
                   {"updateCells": {"start": {"sheetId": second}, "rows": [{"values": [{}]}],
                                    "fields": "userEnteredValue"}},
                   {"deleteSheet": {"sheetId": 12345}})
    assert answer.status_code == 400
    book = standin.api.spreadsheet(sid)
    assert [(s.title, s.properties["index"], s.sheet_id) for s in book.sheets] == [("a", 0, first), ("b", 1, second)]
    assert standin.api.values(sid, "b") == [["also"]]


def test_copy_paste_reads_the_source_whole_so_it_may_overlap(standin: StandinSession,
                                                             http: AuthorizedSession) -> None:
    sid = standin.seed({"a": [["r0", 0], ["r1", 1], ["r2", 2], [None, 3], ["r4", 4]]})
    sheet = standin.api.spreadsheet(sid).sheets[0]
    sheet.cells[(1, 0)]["userEnteredFormat"] = {"backgroundColor": {"red": 1}}

    def rows(r0: int, r1: int) -> dict[str, int]:
        return {"sheetId": sheet.sheet_id, "startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": 0,
                "endColumnIndex": 2}

    assert batch(http, sid, {"copyPaste": {"source": rows(0, 3), "destination": rows(1, 4)}}).status_code == 200
    assert standin.api.values(sid, "a") == [["r0", 0], ["r0", 0], ["r1", 1], ["r2", 2], ["r4", 4]]
    assert standin.api.fill_of(sid, "a", 2, 0) == "FF0000"  # formats travel with the values
    assert batch(http, sid, {"copyPaste": {"source": rows(2, 5), "destination": rows(0, 3),
                                           "pasteType": "PASTE_NORMAL"}}).status_code == 200
    assert standin.api.values(sid, "a") == [["r1", 1], ["r2", 2], ["r4", 4], ["r2", 2], ["r4", 4]]
    assert standin.api.fill_of(sid, "a", 0, 0) == "FF0000" and standin.api.fill_of(sid, "a", 2, 0) is None
    for strange in ({"pasteType": "PASTE_VALUES"}, {"pasteOrientation": "TRANSPOSE"}):
        answer = batch(http, sid, {"copyPaste": {"source": rows(0, 1), "destination": rows(1, 2), **strange}})
        assert answer.status_code == 501
    assert batch(http, sid, {"copyPaste": {"source": rows(0, 1), "destination": rows(1000, 1001)}}).status_code == 400
