"""The live-Excel backend through xlwings' real Book API, on the remote engine.

Each test opens a workbook payload (as the Office.js client sends it), runs the sync through
:class:`ExcelBook`, and replays the returned actions the way Excel applies them.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from xlwings.utils import col_name

from sync.backends.colourmap import MAP_TAB
from sync.backends.xlsx import XlsxBook
from sync.backends.xlwings import ExcelBook
from sync.engine import SyncOutcome, run_sync
from sync.example import EXAMPLE_AS_OF
from sync.jobdays import JOBS
from sync.reports.layout import NOTE_TEXT
from sync.sheets import Grid, TaskColours
from sync.values import text
from tests.excel_helpers import Replay, book_payload, open_remote, xlsx_tabs

EXAMPLE = Path(__file__).resolve().parent.parent / "workbooks" / "example.xlsx"
NOV = "月度任务 2026-11"


@pytest.fixture(scope="module")
def example_tabs() -> dict[str, Grid]:
    return xlsx_tabs(EXAMPLE)


def sync_remote(tabs: dict[str, Grid], as_of: date = EXAMPLE_AS_OF, jobs: tuple[str, ...] = ("daily",),
                **payload_options: Any) -> tuple[SyncOutcome, list[dict[str, Any]], Replay]:
    payload = book_payload(tabs, **payload_options)
    book = open_remote(payload)
    outcome = run_sync(ExcelBook(book), as_of, jobs=list(jobs))
    actions = book.json()["actions"]
    return outcome, actions, Replay(payload).apply(actions)


@pytest.fixture(scope="module")
def example_run(example_tabs: dict[str, Grid]) -> tuple[SyncOutcome, list[dict[str, Any]], Replay]:
    return sync_remote(example_tabs, jobs=JOBS)


def plain(grid: Grid) -> list[list[object]]:
    """Comparable cells: numbers as floats, midnight datetimes as dates, no trailing blanks."""
    def cell(v: object) -> object:
        if isinstance(v, bool) or v is None:
            return v
        if isinstance(v, int | float):
            return float(v)
        if isinstance(v, datetime) and v.time() == datetime.min.time():
            return v.date()
        return v
    rows = [[cell(v) for v in row] for row in grid]
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def shown_colours(replay: Replay, colours: list[TaskColours], palette: dict[str, Any]) -> dict[str, str]:
    """"tab|task id" -> colour label, read off the fills of the status cells in the replayed book."""
    by_fill = {c.fill: c for c in palette.values()}
    shown = {}
    for tc in colours:
        tab = replay[tc.tab]
        grid = tab.grid()
        for r in range(tc.header_row + 1, len(grid)):
            fill = tab.fmt("fill", r, tc.status_column)
            if fill is not None:
                colour = by_fill[fill]
                assert tab.fmt("font_colour", r, tc.status_column) == colour.font
                shown[f"{tc.tab}|{text(grid[r][tc.id_column])}"] = colour.label
    return shown


def test_read_gives_the_same_grids_as_the_file_reader(example_tabs: dict[str, Grid]) -> None:
    backend = ExcelBook(open_remote(book_payload(example_tabs)))
    assert backend.label == "党建调度.xlsm"
    names = backend.sheet_names()
    assert names == XlsxBook(EXAMPLE).sheet_names()
    live, file = backend.read(names), XlsxBook(EXAMPLE).read(names)
    for name in names:
        assert plain(live[name]) == plain(file[name]), name
    assert isinstance(live[NOV][1][7], datetime)  # dates come back as dates, as on desktop


def test_read_starts_at_a1_whatever_the_used_range() -> None:
    payload = book_payload({"表": [[None, None, None], [None, None, None], [None, None, "x", 2]]})
    payload["sheets"][0]["used_range_address"] = "C3:D3"
    grid = ExcelBook(open_remote(payload)).read(["表"])["表"]
    assert grid == [[None] * 4, [None] * 4, [None, None, "x", 2.0]]


def test_same_dispatch_as_the_xlsx_backend(tmp_path: Path, example_tabs: dict[str, Grid],
                                           example_run: tuple[SyncOutcome, list[dict[str, Any]], Replay]) -> None:
    outcome, _, replay = example_run
    copy = shutil.copyfile(EXAMPLE, tmp_path / "example.xlsx")
    file_outcome = run_sync(XlsxBook(copy), EXAMPLE_AS_OF, jobs=list(JOBS))
    written = {"written": [], "would_write": []}  # each backend names the tabs it changed in its own terms
    assert outcome.to_json() | written == file_outcome.to_json() | written
    assert outcome.written == file_outcome.written

    written = xlsx_tabs(copy)
    for sheet in outcome.plan.owned:
        assert plain(replay[sheet.name].grid()) == plain(written[sheet.name]), sheet.name
    for name, grid in example_tabs.items():  # staff tabs: not one value changed
        assert plain(replay[name].grid()) == plain(grid), name
    colour_map = {key: label for key, label in written[MAP_TAB][1:]}
    assert shown_colours(replay, outcome.plan.colours, outcome.plan.palette) == colour_map
    assert len(colour_map) == 434


def test_only_colours_touch_staff_tabs(example_run: tuple[SyncOutcome, list[dict[str, Any]], Replay],
                                       example_tabs: dict[str, Grid]) -> None:
    outcome, actions, replay = example_run
    staff = [replay.names().index(name) for name in example_tabs]
    touched = Counter(a["func"] for a in actions if a["sheet_position"] in staff and a["func"] != "activateSheet")
    assert set(touched) == {"setRangeColor", "setFontProperty"}
    months = [tc.tab for tc in outcome.plan.colours]
    for name in example_tabs:
        tab = replay[name]
        assert not tab.cleared
        assert set(tab.formats) <= ({"fill", "font_colour"} if name in months else set())
        for r, c in tab.formats.get("fill", {}):
            assert c == 10 and r > 0  # the 状态 column below the header, nothing else
    # Colour runs: one range per run of neighbouring rows, never more calls than tasks.
    assert touched["setRangeColor"] == touched["setFontProperty"] < 434


def test_owned_tabs_are_added_at_the_end_with_their_formats(
        example_run: tuple[SyncOutcome, list[dict[str, Any]], Replay], example_tabs: dict[str, Grid]) -> None:
    outcome, actions, replay = example_run
    assert replay.names() == [*example_tabs, *(s.name for s in outcome.plan.owned)]
    styled = 0
    for sheet in outcome.plan.owned:
        tab = replay[sheet.name]
        for (r, c), style in sheet.styles.items():
            styled += 1
            assert tab.fmt("fill", r, c) == style.fill
            assert tab.fmt("font_colour", r, c) == style.font_colour
            assert bool(tab.fmt("bold", r, c)) == style.bold
            assert bool(tab.fmt("wrap", r, c)) == style.wrap
            assert tab.fmt("size", r, c) == style.size
            if style.number_format:
                assert tab.fmt("number_format", r, c) == style.number_format
        fills = tab.formats.get("fill", {})
        assert all(sheet.styles.get(p) and sheet.styles[p].fill == f for p, f in fills.items())
        assert tab.widths == dict(enumerate(sheet.column_widths))
        assert sheet.freeze == (2, 0) and tab.frozen == "1:2"  # banner and note rows stay in view
    format_calls = sum(a["func"] in ("setRangeColor", "setFontProperty", "setNumberFormat", "setWrapText")
                       and a["sheet_position"] >= len(example_tabs) for a in actions)
    assert format_calls * 3 < styled  # ranges, not cells


def test_dates_get_date_formats_and_text_stays_text(example_tabs: dict[str, Grid]) -> None:
    tabs = {name: [list(row) for row in grid] for name, grid in example_tabs.items()}
    month = tabs[NOV]
    name, category = month[0].index("任务名称"), month[0].index("类别")
    row = next(r for r in month[1:] if r[category] == "热点")  # a key-dispatch task, listed in 重点调度
    row[name] = "=HYPERLINK(\"x\")职工反映"
    outcome, actions, replay = sync_remote(tabs)
    raw = [v for a in actions if a["func"] == "setValues" for row in a["values"] for v in row]
    assert "'=HYPERLINK(\"x\")职工反映" in raw
    assert not [v for v in raw if isinstance(v, str) and v.startswith("=")]
    key = replay["重点调度"]
    assert any(v == "=HYPERLINK(\"x\")职工反映" for v in key.values.values())
    for (r, c), v in key.values.items():
        if isinstance(v, date):
            assert key.fmt("number_format", r, c) == "yyyy-mm-dd"


def test_the_chart_is_drawn_over_its_block(example_run: tuple[SyncOutcome, list[dict[str, Any]], Replay]) -> None:
    outcome, _, replay = example_run
    board = next(s for s in outcome.plan.owned if s.charts)
    (chart,) = board.charts
    (drawn,) = replay[board.name].charts
    first, last, category = chart.categories
    left, right = chart.series[0].values[2], chart.series[-1].values[2]
    assert drawn[:3] == ["Chart", "ColumnStacked", board.name]
    # The series block starts on the header row, whose cells name the series.
    assert drawn[3] == f"${col_name(left + 1)}${first}:${col_name(right + 1)}${last + 1}"
    assert board.rows[first - 1][left:right + 1] == [s.name for s in chart.series]
    assert drawn[9] == f"${col_name(chart.anchor[1] + 1)}${chart.anchor[0] + 1}"
    letter = col_name(category + 1)
    assert drawn[-2:] == [("categories", board.name, f"${letter}${first + 1}:${letter}${last + 1}"),
                          ("title", chart.title)]


def test_calculates_last_and_returns_the_user_to_their_sheet(
        example_run: tuple[SyncOutcome, list[dict[str, Any]], Replay]) -> None:
    _, actions, replay = example_run
    funcs = [a["func"] for a in actions]
    assert funcs[0] == "setScreenUpdating" and actions[0]["args"] == [False]
    assert funcs[-3:] == ["activateSheet", "setScreenUpdating", "calculate"]
    assert actions[-2]["args"] == [True]
    assert replay.active == 0
    assert "sheetDelete" not in funcs


def test_existing_summary_tab_is_emptied_in_place(example_tabs: dict[str, Grid]) -> None:
    # an earlier sync's board: its banner and note rows mark it as the sync's own (no marker in live Excel)
    tabs = dict(example_tabs) | {"调度看板": [["调度看板（数据截至 2026-11-17）"], [NOTE_TEXT], ["旧行", 1]]}
    last = len(example_tabs)  # the old board is the last tab
    outcome, actions, replay = sync_remote(tabs, charts={"调度看板": 2}, active=last)
    board = replay.names().index("调度看板")
    assert board == last  # same place: formulas pointing at it keep working
    assert [a["args"] for a in actions if a["func"] == "addSheet"] == \
        [[last + 1 + i, s.name] for i, s in enumerate(outcome.plan.owned[1:])]
    mine = [a["func"] for a in actions if a["sheet_position"] == board]
    assert mine[:3] == ["sheetClear", "deleteChart", "deleteChart"]
    (chart,) = replay["调度看板"].charts
    assert chart[-1] == ("title", outcome.plan.owned[0].charts[0].title)
    assert plain(replay["调度看板"].grid()) == plain(outcome.plan.owned[0].rows)
    assert replay.active == last


def test_new_month_sheet_is_added_with_dropdowns_and_colours(example_tabs: dict[str, Grid]) -> None:
    outcome, actions, replay = sync_remote(example_tabs, as_of=date(2026, 12, 1))
    (created,) = outcome.plan.created
    assert created.name == "月度任务 2026-12" and outcome.month_created
    tab = replay[created.name]
    assert plain(tab.grid()) == plain(created.rows)
    assert [(v[0], v[1], v[2]) for v in tab.validations] == \
        [((v.first_row, v.column), (v.last_row, v.column), list(v.values)) for v in created.validations]
    assert created.freeze == (1, 0) and tab.frozen == "1:1"
    december = next(tc for tc in outcome.plan.colours if tc.tab == created.name)
    shown = shown_colours(replay, [december], outcome.plan.palette)
    assert len(shown) == len(december.colours) == len(created.rows) - 1
    labels = {k: c.label for k, c in outcome.plan.palette.items()}
    assert shown == {f"{created.name}|{task}": labels[key] for task, key in december.colours.items()}


def test_appended_tasks_go_below_the_last_filled_row(example_tabs: dict[str, Grid]) -> None:
    tabs = {name: [list(row) for row in grid] for name, grid in example_tabs.items()}
    submissions = tabs["月度上报"]
    new = list(submissions[-1])
    header = submissions[0]
    new[header.index("任务编号")] = "SB-202611-99"
    new[header.index("任务名称")] = "职工澡堂热水保障专项"
    new[header.index("上报月份")] = "2026-11"
    submissions.append(new)
    last = len(tabs[NOV])
    tabs[NOV] += [[None] * len(tabs[NOV][0])] * 3  # pre-formatted blank rows below the tasks
    outcome, actions, replay = sync_remote(tabs)
    (append,) = outcome.plan.appends
    assert append.tab == NOV and len(append.rows) >= 1
    (write,) = [a for a in actions if a["func"] == "setValues" and a["sheet_position"] == list(tabs).index(NOV)]
    assert write["start_row"] == last and write["start_column"] == 0
    grid = replay[NOV].grid()
    assert "职工澡堂热水保障专项" in [row[1] for row in grid[last:]]
    deadline = tabs[NOV][0].index("截止日期")
    assert replay[NOV].fmt("number_format", last, deadline) == "yyyy-mm-dd"
    task = text(grid[last][0])
    assert task in outcome.plan.colours[1].colours
    assert replay[NOV].fmt("fill", last, 10) is not None  # the new task is coloured too


def test_the_file_backends_colour_map_is_refreshed(example_tabs: dict[str, Grid]) -> None:
    stale = [["键", "颜色"], [f"{NOV}|JH-2026-001", "红色考核"], ["已删除的表|X", "红色考核"]]
    outcome, actions, replay = sync_remote(dict(example_tabs) | {MAP_TAB: stale})
    colour_map = replay[MAP_TAB]
    assert not colour_map.visible
    entries = {row[0]: row[1] for row in colour_map.grid()[1:]}
    assert entries == shown_colours(replay, outcome.plan.colours, outcome.plan.palette)
    assert replay.names().index(MAP_TAB) == len(example_tabs)  # replaced where it was
