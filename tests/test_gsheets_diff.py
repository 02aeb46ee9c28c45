"""The Google backend sends only what changed, in bodies that fit, and refuses a book past the cell limit."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

import sync.backends.gsheets.book as book_module
from standin import StandinSession, running_standin
from standin.model import Sheet
from sync.backends.gsheets.cells import cell_data
from sync.backends.gsheets.quota import QuotaLimiter, RetryPolicy
from sync.backends.gsheets.split import MAX_BODY_BYTES, batches, body_bytes
from sync.errors import DispatchError, RemoteError
from sync.sheets import CellStyle, ListValidation, SheetGrid, WritePlan

STAFF = {"组织架构": [["单位编码", "单位名称"], ["JT", "集团党委"]]}
COLOURS = {"红": CellStyle(fill="FF0000"), "黄": CellStyle(fill="FFC000"), "绿": CellStyle(fill="00B050")}
PERCENT = CellStyle(number_format="0%")


@pytest.fixture(scope="module")
def standin() -> Iterator[StandinSession]:
    with running_standin() as session:
        yield session


def task_list(tasks: list[tuple[str, str, float, str]], name: str = "重点调度") -> SheetGrid:
    """A list like the dispatch lists: banner, header, one row per task sorted by colour, its colour cell
    filled (so a task whose colour changes moves, and every row between shifts)."""
    rows: list[list[Any]] = [["重点调度清单（数据截至 2026-11-05）"], ["任务编号", "任务名称", "进度", "颜色"]]
    styles = {(0, 0): CellStyle(bold=True, size=14), **{(1, c): CellStyle(bold=True) for c in range(4)}}
    ordered = sorted(tasks, key=lambda t: (list(COLOURS).index(t[3]), t[0]))
    for i, (task, title, progress, colour) in enumerate(ordered, start=2):
        rows.append([task, title, progress, colour])
        styles[(i, 2)] = PERCENT
        styles[(i, 3)] = COLOURS[colour]
    return SheetGrid(name, rows, styles, [12, 30, 8, 8], freeze=(2, 0))


def tasks(n: int) -> list[tuple[str, str, float, str]]:
    return [(f"T{i:05d}", f"任务{i}", (i % 10) / 10, "红黄绿"[i % 3]) for i in range(n)]


def sync(session: StandinSession, sid: str, plan: WritePlan) -> None:
    book = session.book(sid)
    book.sheet_names()
    book.read(list(STAFF))
    book.write(plan)


def state(sheet: Sheet) -> tuple[Any, ...]:
    """Everything a sync-owned tab shows: grid, cells with their values and formats, widths."""
    return sheet.size, sheet.properties["gridProperties"], sheet.properties.get("hidden"), sheet.cells, \
        sheet.columns_meta, sheet.merges, len(sheet.charts)


def write_bytes(session: StandinSession, sid: str) -> list[int]:
    return [r.bytes for r in session.api.requests("spreadsheets.batchUpdate", sid)]


@pytest.mark.parametrize("rows", [0, -7, 5])  # same length, shorter, longer
def test_a_patched_tab_equals_a_full_rewrite(standin: StandinSession, rows: int) -> None:
    before = tasks(300)
    after = [(t, name if i % 37 else name + "（改）", progress, colour if i % 53 else "绿")
             for i, (t, name, progress, colour) in enumerate(before)]
    after = after[:len(after) + rows] if rows < 0 else after + tasks(300 + rows)[300:]
    patched = standin.seed(STAFF)
    sync(standin, patched, WritePlan(owned=[task_list(before)]))
    hand = standin.api.spreadsheet(patched).sheet("重点调度")
    assert hand is not None
    hand.cells[(40, 1)] = {"userEnteredValue": {"stringValue": "手改"}}  # overwritten like any difference
    book = standin.book(patched)
    book.sheet_names()
    book.read(list(STAFF))
    kinds = {next(iter(request)) for request in book._requests(WritePlan(owned=[task_list(after)]))}
    book.write(WritePlan(owned=[task_list(after)]))

    fresh = standin.seed(STAFF)
    sync(standin, fresh, WritePlan(owned=[task_list(after)]))
    got, want = standin.api.spreadsheet(patched).sheet("重点调度"), standin.api.spreadsheet(fresh).sheet("重点调度")
    assert got is not None and want is not None
    assert state(got) == state(want)
    first, patch = write_bytes(standin, patched)
    assert patch < first / 8  # 3 % of the rows changed, 2 % of them changed colour and moved
    assert "copyPaste" in kinds  # the rows between a moved task's old and new place were moved, not resent
    marks = [standin.api.spreadsheet(s).metadata_on(t.sheet_id)[0]["metadataValue"]
             for s, t in ((patched, got), (fresh, want))]
    assert marks[0] == marks[1]


def test_a_repeat_after_a_patch_writes_nothing(standin: StandinSession) -> None:
    sid = standin.seed(STAFF)
    sync(standin, sid, WritePlan(owned=[task_list(tasks(50))]))
    changed = tasks(50)
    changed[3] = ("T00003", "任务3", 1.0, "绿")
    sync(standin, sid, WritePlan(owned=[task_list(changed)]))
    sync(standin, sid, WritePlan(owned=[task_list(changed)]))
    assert standin.api.counts(sid)["spreadsheets.batchUpdate"] == 2


def test_a_changed_layout_rewrites_the_tab(standin: StandinSession) -> None:
    sid = standin.seed(STAFF)
    sync(standin, sid, WritePlan(owned=[task_list(tasks(50))]))
    frozen = task_list(tasks(50))
    frozen.freeze = (1, 0)
    sync(standin, sid, WritePlan(owned=[frozen]))
    sheet = standin.api.spreadsheet(sid).sheet("重点调度")
    assert sheet is not None and sheet.properties["gridProperties"]["frozenRowCount"] == 1
    assert write_bytes(standin, sid)[1] > write_bytes(standin, sid)[0] / 2  # the whole tab again


def test_changed_widths_are_set_without_a_rewrite(standin: StandinSession) -> None:
    sid, fresh = standin.seed(STAFF), standin.seed(STAFF)
    sync(standin, sid, WritePlan(owned=[task_list(tasks(50))]))
    wider = task_list(tasks(50))
    wider.column_widths = [20, 30, 8, 8]
    sync(standin, sid, WritePlan(owned=[wider]))
    sync(standin, fresh, WritePlan(owned=[wider]))
    got, want = standin.api.spreadsheet(sid).sheet("重点调度"), standin.api.spreadsheet(fresh).sheet("重点调度")
    assert got is not None and want is not None and got.columns_meta[0] == {"pixelSize": 145}
    assert state(got) == state(want)
    assert write_bytes(standin, sid)[1] < write_bytes(standin, sid)[0] / 10  # the widths and the marker


def test_a_large_write_goes_in_bodies_under_2_mb_and_lands_whole(standin: StandinSession) -> None:
    sid = standin.seed(STAFF)
    big = tasks(30_000)
    sync(standin, sid, WritePlan(owned=[task_list(big), task_list(big[:5], "超前调度")]))
    sizes = write_bytes(standin, sid)
    assert len(sizes) > 1 and max(sizes) <= MAX_BODY_BYTES < 2_000_000
    got = standin.api.values(sid, "重点调度")
    assert len(got) == 30_002 and got[-1] == ["T29999", "任务29999", 0.9, "绿"]
    sync(standin, sid, WritePlan(owned=[task_list(big), task_list(big[:5], "超前调度")]))
    assert len(write_bytes(standin, sid)) == len(sizes)  # nothing changed: nothing sent


def test_a_book_past_the_cell_limit_is_refused_before_anything_is_written(standin: StandinSession) -> None:
    sid = standin.seed(STAFF)
    huge = SheetGrid("重点调度", [["任务编号"]], validations=[ListValidation(25, 1, 399_999, ("是", "否"))])
    book = standin.book(sid)
    book.sheet_names()
    book.read(list(STAFF))
    with pytest.raises(DispatchError) as refused:
        book.changes(WritePlan(owned=[huge]))  # a dry run says so too
    with pytest.raises(DispatchError):
        book.write(WritePlan(owned=[huge]))
    text = str(refused.value)
    assert f"gsheet:{sid}" in text and "10,426,000" in text and "10,000,000" in text
    assert "归档" in text and "按单位分册" in text and "未写入" in text
    assert standin.api.counts(sid)["spreadsheets.batchUpdate"] == 0


def test_the_stand_in_refuses_a_body_over_10_mib(standin: StandinSession) -> None:
    sid = standin.seed(STAFF)
    book = standin.book(sid)
    rows = [{"values": [{"userEnteredValue": {"stringValue": "x" * 1000}}]}] * 11_000
    body = {"requests": [{"updateCells": {"start": {"sheetId": 0}, "rows": rows, "fields": "userEnteredValue"}}]}
    assert len(json.dumps(body)) > 10_485_760
    with pytest.raises(DispatchError, match="Request payload size exceeds the limit: 10485760 bytes"):
        book._call("写入", lambda: book._http.batch_update(sid, body))
    assert standin.api.requests("spreadsheets.batchUpdate", sid)[-1].status == 400
    assert standin.api.values(sid, "组织架构")[0] == ["单位编码", "单位名称"]


def test_the_stand_in_refuses_to_pass_10_million_cells(standin: StandinSession) -> None:
    sid = standin.seed(STAFF)
    book = standin.book(sid)
    grow = {"requests": [{"addSheet": {"properties": {"title": "大表", "gridProperties": {
        "rowCount": 400_000, "columnCount": 25}}}}]}
    with pytest.raises(DispatchError, match="above the limit of 10000000 cells"):
        book._call("写入", lambda: book._http.batch_update(sid, grow))
    assert [s.title for s in standin.api.spreadsheet(sid).sheets] == ["组织架构"]
    grow["requests"][0]["addSheet"]["properties"]["gridProperties"]["rowCount"] = 300_000  # type: ignore[index]
    book._call("写入", lambda: book._http.batch_update(sid, grow))  # 7.5M cells: allowed


def test_bodies_are_filled_in_order_and_slices_keep_their_rows_place() -> None:
    def row(i: int) -> dict[str, Any]:
        return {"values": [{"userEnteredValue": {"stringValue": f"第{i}行" * (i % 7 + 1)}}]}

    requests = [{"updateCells": {"range": {"sheetId": 1, "startRowIndex": 10, "endRowIndex": 410},
                                 "rows": [row(i) for i in range(400)], "fields": "userEnteredValue"}},
                {"addSheet": {"properties": {"title": "x"}}},
                {"updateCells": {"start": {"sheetId": 2, "rowIndex": 5}, "rows": [row(i) for i in range(300)],
                                 "fields": "userEnteredValue"}},
                {"appendCells": {"sheetId": 3, "rows": [row(i) for i in range(200)], "fields": "userEnteredValue"}}]
    bodies = batches(requests, limit=5_000)
    assert all(body_bytes({"requests": body}) <= 5_000 for body in bodies)
    assert all(body_bytes({"requests": body}) > 5_000 - 400 for body in bodies[:-1])  # each body filled
    flat = [r for body in bodies for r in body]
    assert [next(iter(r)) for r in flat if "addSheet" in r] == ["addSheet"]
    for index, kind, first in ((0, "updateCells", 10), (2, "updateCells", 5), (3, "appendCells", 0)):
        original = requests[index][kind]
        pieces = [r[kind] for r in flat if kind in r and _sheet_of(r[kind]) == _sheet_of(original)]
        assert [x for p in pieces for x in p["rows"]] == original["rows"]
        at = first
        for piece in pieces:
            if "range" in piece:
                assert (piece["range"]["startRowIndex"], piece["range"]["endRowIndex"]) == (at, at + len(piece["rows"]))
            if "start" in piece:
                assert piece["start"]["rowIndex"] == at
            at += len(piece["rows"])


def _sheet_of(args: dict[str, Any]) -> int:
    return int(args.get("sheetId", args.get("range", args.get("start", {})).get("sheetId", -1)))


def test_rows_of_a_tab_with_dropdowns_are_not_moved_the_tab_is_rewritten(standin: StandinSession) -> None:
    def listed(rows: list[tuple[str, str, float, str]]) -> SheetGrid:
        tab = task_list(rows)
        tab.validations = [ListValidation(3, 2, 40, tuple(COLOURS))]
        return tab

    before = tasks(60)
    after = [(t, n, p, "绿" if i == 3 else c) for i, (t, n, p, c) in enumerate(before)]  # one task moves
    patched, fresh = standin.seed(STAFF), standin.seed(STAFF)
    sync(standin, patched, WritePlan(owned=[listed(before)]))
    sync(standin, patched, WritePlan(owned=[listed(after)]))
    sync(standin, fresh, WritePlan(owned=[listed(after)]))
    got, want = standin.api.spreadsheet(patched).sheet("重点调度"), standin.api.spreadsheet(fresh).sheet("重点调度")
    assert got is not None and want is not None and state(got) == state(want)


def test_a_write_cut_between_bodies_is_completed_by_the_next_sync(standin: StandinSession) -> None:
    big = tasks(20_000)
    plan = WritePlan(owned=[task_list(big), task_list(big[:5], "超前调度")])
    cut = standin.seed(STAFF)
    standin.api.inject(500, kind="spreadsheets.batchUpdate", after=1, times=5)
    book = standin.book(cut, retry=RetryPolicy(sleep=lambda _: None))
    book.sheet_names()
    book.read(list(STAFF))
    with pytest.raises(RemoteError) as stopped:
        book.write(plan)
    assert "已写入前 1 批" in str(stopped.value) and "重新运行同步" in str(stopped.value)
    assert standin.book(cut).owned_tabs() == {"重点调度"}  # already the sync's, marked pending
    sync(standin, cut, plan)
    fresh = standin.seed(STAFF)
    sync(standin, fresh, plan)
    for name in ("重点调度", "超前调度"):
        got, want = standin.api.spreadsheet(cut).sheet(name), standin.api.spreadsheet(fresh).sheet(name)
        assert got is not None and want is not None and state(got) == state(want)
    assert [s.title for s in standin.api.spreadsheet(cut).sheets] == [s.title for s in
                                                                     standin.api.spreadsheet(fresh).sheets]


def test_every_body_waits_for_the_quota(standin: StandinSession, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(book_module, "batches", functools.partial(batches, limit=40_000))
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = QuotaLimiter(per_minute=3, clock=lambda: now[0], sleep=sleep)
    sid = standin.seed(STAFF)
    book = standin.book(sid, limiter=limiter)
    book.sheet_names()
    book.read(list(STAFF))
    book.write(WritePlan(owned=[task_list(tasks(1_000))]))
    bodies = len(standin.api.requests("spreadsheets.batchUpdate", sid))
    assert bodies > 3 and len(waits) == (2 + bodies - 1) // 3  # 2 reads + the bodies, 3 a minute
    assert len(standin.api.values(sid, "重点调度")) == 1_002


def test_a_value_patch_sets_or_clears_a_dates_format(standin: StandinSession) -> None:
    """A cell turning into a date or out of one is sent with its (number) format, alone."""
    def tab(value: Any) -> SheetGrid:
        return SheetGrid("重点调度", [["编号", "日期"], ["T1", value], ["T2", date(2026, 11, 5)]],
                         {(0, 0): CellStyle(bold=True)}, [10, 10])

    for before, after in ((date(2026, 11, 5), 3.0), (3.0, date(2026, 11, 6))):
        sid, fresh = standin.seed(STAFF), standin.seed(STAFF)
        sync(standin, sid, WritePlan(owned=[tab(before)]))
        book = standin.book(sid)
        book.sheet_names()
        book.read(list(STAFF))
        cells = [request["updateCells"]["rows"] for request in book._requests(WritePlan(owned=[tab(after)]))
                 if "updateCells" in request]
        assert cells == [[{"values": [cell_data(after, None)]}]]  # the one cell, with its format
        book.write(WritePlan(owned=[tab(after)]))
        sync(standin, fresh, WritePlan(owned=[tab(after)]))
        got, want = standin.api.spreadsheet(sid).sheet("重点调度"), standin.api.spreadsheet(fresh).sheet("重点调度")
        assert got is not None and want is not None
        assert state(got) == state(want)


def test_a_column_of_equal_changes_goes_in_one_repeat_cell_and_equals_a_full_rewrite(
        standin: StandinSession) -> None:
    """Tasks next to each other that turn the same colour (or reach the same progress) are sent as one
    repeatCell per block; the tab then equals a full rewrite."""
    before = task_list(tasks(120))
    rows, styles = [list(line) for line in before.rows], dict(before.styles)
    for r in range(10, 40):  # one colour for a block of rows: a value and a style change
        rows[r][3] = "绿"
        styles[(r, 3)] = COLOURS["绿"]
    for r in range(60, 90):  # one progress for another block, and one row in it that differs
        rows[r][2] = 0.5 if r == 75 else 1.0
    after = dataclasses.replace(before, rows=rows, styles=styles)

    sid, fresh = standin.seed(STAFF), standin.seed(STAFF)
    sync(standin, sid, WritePlan(owned=[before]))
    book = standin.book(sid)
    book.sheet_names()
    book.read(list(STAFF))
    repeats = [request["repeatCell"]["range"] for request in book._requests(WritePlan(owned=[after]))
               if "repeatCell" in request]
    assert [(r["startRowIndex"], r["endRowIndex"], r["startColumnIndex"]) for r in repeats] \
        == [(10, 40, 3), (60, 75, 2), (76, 90, 2)]
    book.write(WritePlan(owned=[after]))
    sync(standin, fresh, WritePlan(owned=[after]))
    got, want = standin.api.spreadsheet(sid).sheet("重点调度"), standin.api.spreadsheet(fresh).sheet("重点调度")
    assert got is not None and want is not None
    assert state(got) == state(want)
