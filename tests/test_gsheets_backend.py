"""GSheetsBook against the stand-in: requests per sync, no-op syncs, typed values, tab handling."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from standin import StandinSession, running_standin
from sync.backends.gsheets.plan import MARK_KEY, build_requests, parse_metadata
from sync.errors import DispatchError
from sync.sheets import (
    CellStyle,
    Chart,
    ListValidation,
    RowAppend,
    Series,
    SheetGrid,
    WritePlan,
)

MONTH = "月度任务 2026-11"
STAFF = {
    "组织架构": [["单位编码", "单位名称"], ["JT", "集团党委"], ["0042", "一矿党委"]],
    MONTH: [["任务编号", "任务名称", "截止日期", "状态"], ["T1", "学习", date(2026, 11, 20), "进行中"]],
}


@pytest.fixture(scope="module")
def standin() -> Iterator[StandinSession]:
    with running_standin() as session:
        yield session


def board(*lines: list[object], as_of: str = "2026-11-05") -> SheetGrid:
    return SheetGrid("调度看板", [[f"调度看板（截至 {as_of}）"], *lines], styles={(0, 0): CellStyle(bold=True)},
                     column_widths=[20, 12, 12], freeze=(1, 0))


def sync(session: StandinSession, sid: str, plan: WritePlan, names: list[str] | None = None) -> None:
    """What the engine does with a backend: names, one read, one write."""
    book = session.book(sid)
    book.sheet_names()
    book.read(names or list(STAFF))
    book.write(plan)


def test_a_sync_is_three_requests_and_a_repeat_writes_nothing(standin: StandinSession) -> None:
    sid = standin.seed(STAFF)
    plan = WritePlan(owned=[board(["任务", 3]), SheetGrid("周报表", [["周报"], ["x"]])])
    sync(standin, sid, plan)
    assert standin.api.counts(sid) == {"spreadsheets.get": 1, "values.batchGet": 1, "spreadsheets.batchUpdate": 1}
    sync(standin, sid, plan)
    assert standin.api.counts(sid)["spreadsheets.batchUpdate"] == 1  # the second sync wrote nothing
    assert len(standin.api.requests(spreadsheet=sid)) == 5


def test_the_request_count_does_not_grow_with_tabs(standin: StandinSession) -> None:
    many = {f"tab {i}": [["a", i]] for i in range(30)}
    sid = standin.seed(many)
    plan = WritePlan(owned=[SheetGrid(f"汇总 {i}", [[i, "x"]] * 50) for i in range(12)])
    sync(standin, sid, plan, names=list(many))
    assert sum(standin.api.counts(sid).values()) == 3


def test_values_are_typed_never_parsed(standin: StandinSession) -> None:
    sid = standin.seed(STAFF)
    texts = ["0042", "6.10", "=SUM(A1)", "+1", "-", "@x", "TRUE", "2026-11-05", "1,000"]
    plan = WritePlan(owned=[board(texts, [1, 2.5, True, date(2026, 11, 5), datetime(2026, 11, 5, 8, 30), None, ""])])
    sync(standin, sid, plan)
    got = standin.api.values(sid, "调度看板")
    assert got[1] == texts
    assert got[2] == [1, 2.5, True, 46331, 46331 + 8.5 / 24]
    shown = standin.api.values(sid, "调度看板", render="FORMATTED_VALUE")
    assert shown[2][3:5] == ["2026-11-05", "2026-11-05 08:30"]
    cell = standin.api.spreadsheet(sid).sheet("调度看板").cells[(1, 2)]  # type: ignore[union-attr]
    assert cell["userEnteredValue"] == {"stringValue": "=SUM(A1)"}


def test_pandas_and_numpy_values_are_written_as_plain_values(standin: StandinSession) -> None:
    sid = standin.seed(STAFF)
    sync(standin, sid, WritePlan(owned=[board([np.int64(7), np.bool_(True), pd.Timestamp("2026-11-05"), np.nan,
                                               pd.NaT, "end"])]))
    assert standin.api.values(sid, "调度看板")[1] == [7, True, 46331, "", "", "end"]
    sheet = standin.api.spreadsheet(sid).sheet("调度看板")
    assert sheet is not None and (1, 4) not in sheet.cells


def test_read_returns_serial_dates_and_rectangular_grids_whatever_the_format(standin: StandinSession) -> None:
    sid = standin.seed({"值班表": [["日期", "值班领导"], [date(2026, 11, 5), "甲"], [date(2026, 11, 6)]]})
    book = standin.api.spreadsheet(sid)
    sheet = book.sheet("值班表")
    assert sheet is not None
    sheet.cells[(1, 0)]["userEnteredFormat"]["numberFormat"] = {"type": "DATE", "pattern": "dd/mm/yyyy"}
    book.properties["locale"] = "fr_FR"
    grid = standin.book(sid).read(["值班表"])["值班表"]
    assert grid == [["日期", "值班领导"], [46331, "甲"], [46332, None]]


def test_reading_a_missing_tab_is_a_user_error(standin: StandinSession) -> None:
    sid = standin.seed(STAFF)
    with pytest.raises(DispatchError, match="找不到工作表「年度计划书」"):
        standin.book(sid).read(["年度计划书"])


def test_owned_tabs_are_replaced_whole_and_marked(standin: StandinSession) -> None:
    sid = standin.seed(STAFF)
    sync(standin, sid, WritePlan(owned=[board(*[["旧", i] for i in range(40)])]))
    sync(standin, sid, WritePlan(owned=[board(["新", 1])]))
    assert standin.api.values(sid, "调度看板") == [["调度看板（截至 2026-11-05）"], ["新", 1]]
    book = standin.api.spreadsheet(sid)
    sheet = book.sheet("调度看板")
    assert sheet is not None and sheet.size == (2, 3)
    assert sheet.properties["gridProperties"]["frozenRowCount"] == 1
    assert [m["metadataKey"] for m in book.metadata_on(sheet.sheet_id)] == [MARK_KEY]
    assert standin.api.values(sid, "组织架构") == [["单位编码", "单位名称"], ["JT", "集团党委"], ["0042", "一矿党委"]]


def test_staff_edits_to_an_owned_tab_are_overwritten_on_the_next_sync(standin: StandinSession) -> None:
    sid = standin.seed(STAFF)
    plan = WritePlan(owned=[board(["任务", 3])])
    sync(standin, sid, plan)
    sheet = standin.api.spreadsheet(sid).sheet("调度看板")
    assert sheet is not None
    sheet.cells[(1, 1)] = {"userEnteredValue": {"numberValue": 99}}
    sync(standin, sid, plan)
    assert standin.api.counts(sid)["spreadsheets.batchUpdate"] == 2
    assert standin.api.values(sid, "调度看板")[1] == ["任务", 3]


def test_a_style_only_change_is_written(standin: StandinSession) -> None:
    sid = standin.seed(STAFF)
    sync(standin, sid, WritePlan(owned=[board(["任务", 3])]))
    restyled = board(["任务", 3])
    restyled.styles[(1, 1)] = CellStyle(fill="FF0000")
    sync(standin, sid, WritePlan(owned=[restyled]))
    cell = standin.api.spreadsheet(sid).sheet("调度看板").cells[(1, 1)]  # type: ignore[union-attr]
    assert cell["userEnteredFormat"]["backgroundColor"] == {"red": 1}


def test_created_tabs_appear_once_and_then_belong_to_staff(standin: StandinSession) -> None:
    sid = standin.seed(STAFF)
    new_month = SheetGrid("月度任务 2026-12", [["任务编号", "任务名称"], ["T9", "新任务"]],
                          validations=[ListValidation(1, 1, 100, ("未开始", "进行中", "已完成"))])
    sync(standin, sid, WritePlan(created=[new_month]))
    sheet = standin.api.spreadsheet(sid).sheet("月度任务 2026-12")
    assert sheet is not None and sheet.size == (1000, 26)
    assert sheet.cells[(5, 1)]["dataValidation"]["condition"]["values"][1] == {"userEnteredValue": "进行中"}
    sheet.cells[(1, 1)] = {"userEnteredValue": {"stringValue": "员工改过"}}
    sync(standin, sid, WritePlan(created=[new_month]))
    assert standin.api.values(sid, "月度任务 2026-12")[1] == ["T9", "员工改过"]
    assert standin.api.counts(sid)["spreadsheets.batchUpdate"] == 1


def test_appends_go_below_the_last_row_with_their_formats(standin: StandinSession) -> None:
    sid = standin.seed(STAFF)
    append = RowAppend(MONTH, [{0: "T2", 1: "补录", 2: date(2026, 11, 30)}, {0: "T3", 3: "未开始"}],
                       styles={2: CellStyle(number_format="yyyy-mm-dd")})
    sync(standin, sid, WritePlan(appends=[append]))
    rows = standin.api.values(sid, MONTH, render="FORMATTED_VALUE")
    assert rows[2:] == [["T2", "补录", "2026-11-30"], ["T3", "", "", "未开始"]]


def test_widths_charts_and_hidden_tabs(standin: StandinSession) -> None:
    sid = standin.seed(STAFF)
    rows = [["单位", "完成", "预警"], ["一矿", 3, 1], ["二矿", 2, 2]]
    chart = Chart("完成情况", (1, 2, 0), (Series("完成", (1, 2, 1), "00B050"), Series("预警", (1, 2, 2), "FFC000")),
                  anchor=(0, 4))
    tab = SheetGrid("月报表", rows, column_widths=[16, 8, 8], charts=[chart])
    sync(standin, sid, WritePlan(owned=[tab, SheetGrid("内部", [["x"]], hidden=True)]))
    book = standin.api.spreadsheet(sid)
    sheet = book.sheet("月报表")
    assert sheet is not None and sheet.columns_meta[0] == {"pixelSize": 117}
    spec = sheet.charts[0]["spec"]["basicChart"]
    assert spec["headerCount"] == 1 and spec["series"][0]["series"]["sourceRange"]["sources"][0]["startRowIndex"] == 0
    assert book.sheet("内部").properties["hidden"] is True  # type: ignore[union-attr]
    sync(standin, sid, WritePlan(owned=[tab]))  # same chart again: replaced, not doubled
    assert len(standin.api.spreadsheet(sid).sheet("月报表").charts) == 1  # type: ignore[union-attr]


def test_identical_plans_make_identical_requests(standin: StandinSession) -> None:
    sid = standin.seed(STAFF)
    meta = standin.api.spreadsheet(sid).resource()
    plan = WritePlan(owned=[board(["任务", 3])], created=[SheetGrid("新表", [["a"]])])
    assert build_requests(plan, parse_metadata(meta), {}) == build_requests(plan, parse_metadata(meta), {})
