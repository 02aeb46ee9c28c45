"""`dispatchbook history`: a task's timeline, its row to paste back, a unit's month, the run records."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from sync import cli
from sync.backends.memory import MemoryBook
from sync.cli import main
from sync.engine import SyncOutcome, run_sync
from sync.errors import EXIT_USER_ERROR
from sync.history import History
from sync.history_views import (
    HistoryError,
    Labels,
    find_book,
    restore,
    runs,
    timeline,
    unit_month,
)
from sync.rulebook import Rulebook
from sync.schema import MONTH, month_tab_name
from tests.rhythm_helpers import Clock, at, example_book, set_cell

KEY, LABEL = "file:/books/台账.xlsx", "集团台账"
OCT, SEP = month_tab_name(2026, 10), month_tab_name(2026, 9)
TASK = "JH-2026-028-JC01"  # 新闻宣传报道 · 一矿党委


def _edit(book: MemoryBook, day: int) -> None:
    """What staff did before the sync of ``day`` October."""
    sheet = book.tabs[OCT]
    edits = {8: {"进度": 0.2, "状态": "进行中", "更新日期": date(2026, 10, 7), "截止日期": date(2026, 10, 30)},
             9: {"进度": 0.6, "更新日期": date(2026, 10, 9)},
             12: {"进度": 1.0, "状态": "已完成", "更新日期": date(2026, 10, 12), "最新进展": "已完成\n并销号"}}
    for label, value in edits.get(day, {}).items():
        set_cell(sheet, TASK, label, value)
    if day == 13:
        book.tabs[OCT] = [row for row in sheet if not row or row[0] != TASK]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("history") / "history.sqlite"
    history = History(path)
    book = example_book(date(2026, 10, 7))
    outcomes: dict[int, SyncOutcome] = {}
    for day in (8, 9, 12, 13):
        _edit(book, day)
        moment = at(10, day, 7, 30)
        memory = history.for_book(KEY, LABEL, moment, Clock(moment))
        outcomes[day] = run_sync(book, moment.date(), jobs=["daily"], memory=memory)
    yield path, history, outcomes
    history.close()


@pytest.fixture
def labels(rules: Rulebook) -> Labels:
    return Labels({k: c.label for k, c in rules.palette.items()}, {r.key: r.label for r in rules.kinds})


def test_a_timeline_lists_the_days_a_task_changed_and_when_it_went(recorded, labels) -> None:  # type: ignore[no-untyped-def]
    _, history, _ = recorded
    frame = timeline(history, KEY, TASK, labels, (2026, 10))
    assert list(frame["day"]) == ["2026-10-08", "2026-10-09", "2026-10-12", "2026-10-13"]
    first, progressed, closed, gone = (frame.iloc[i] for i in range(4))
    assert (first["changes"], first["progress"], first["status"], first["deadline"], first["unit_name"]) == \
        ("首次记录", "20%", "进行中", "2026-10-30", "一矿党委")
    assert "进度 20%→60%" in progressed["changes"]
    assert (closed["colour"], closed["status"]) == ("绿色已闭合", "已完成")
    assert "状态 进行中→已完成" in closed["changes"] and "进度 60%→100%" in closed["changes"]
    # By hand: on 9 Oct the task (8–30 Oct) was 60% done with 16 working days left (10 Oct is a 调休 working
    # Saturday) and an expected progress of 1/18 working days = 6%: not red, not orange, so 蓝色进行中.
    assert "颜色 蓝色进行中→绿色已闭合" in closed["changes"], closed["changes"]
    assert gone["changes"] == "已从本表删除（如系误删，可用 --restore 取回）"
    assert set(frame["tab"]) == {OCT}


def test_a_timeline_covers_every_sheet_the_id_is_in_newest_first(recorded, labels) -> None:  # type: ignore[no-untyped-def]
    _, history, _ = recorded
    frame = timeline(history, KEY, TASK, labels)
    assert list(dict.fromkeys(frame["tab"])) == [OCT, SEP]
    september = frame[frame["tab"] == SEP]
    assert list(zip(september["day"], september["changes"], strict=True)) == [
        ("2026-10-08", "首次记录"), ("2026-10-13", "至今无变化")]
    with pytest.raises(HistoryError, match="没有这个任务"):
        timeline(history, KEY, "JH-0000", labels)


def test_the_restored_row_is_the_last_one_seen_in_the_sheet_it_left(recorded) -> None:  # type: ignore[no-untyped-def]
    _, history, _ = recorded
    row = restore(history, KEY, LABEL, TASK)
    assert (row.tab, row.day) == (OCT, date(2026, 10, 12))
    cells = dict(zip([c.key for c in MONTH.columns], row.cells, strict=True))
    assert (cells["id"], cells["unit"], cells["progress"], cells["status"], cells["updated"], cells["deadline"]) == \
        (TASK, "一矿党委", "100%", "已完成", "2026-10-12", "2026-10-30")
    line = row.tsv()
    assert next(csv.reader(io.StringIO(line), delimiter="\t")) == [c or "" for c in row.cells]  # how a paste splits it
    assert '"已完成\n并销号"' in line  # the line break is kept, inside one quoted cell
    september = restore(history, KEY, LABEL, TASK, (2026, 9))
    assert september.tab == SEP and september.cells[0] == TASK
    with pytest.raises(HistoryError):
        restore(history, KEY, LABEL, TASK, (2026, 12))


def test_a_units_month_shows_its_scores_by_day_and_its_lines(recorded) -> None:  # type: ignore[no-untyped-def]
    _, history, outcomes = recorded

    def lines_of(outcome: SyncOutcome) -> set[tuple[str, str, float]]:
        lines = outcome.state.assessment((2026, 10)).lines
        mine = lines[lines["unit"] == "JC01"]
        return set(zip(mine["id"], mine["rule_label"], mine["points"], strict=True))

    def score_of(outcome: SyncOutcome) -> float:
        scores = outcome.state.assessment((2026, 10)).scores
        return float(scores.loc[scores["unit"] == "JC01", "score"].iloc[0])

    result = unit_month(history, KEY, "一矿党委", (2026, 10))
    assert (result.unit, result.level, result.day) == ("JC01", "基层党委", date(2026, 10, 13))
    assert set(zip(result.lines["id"], result.lines["rule_label"], result.lines["points"], strict=True)) == \
        lines_of(outcomes[13])
    assert float(result.scores["score"].iloc[-1]) == score_of(outcomes[13])
    judged = outcomes[13].state.assessment((2026, 10)).lines.set_index(["unit", "id", "rule"]).sort_index()
    for line in result.lines.itertuples(index=False):  # every line carries what it was judged on
        fact = judged.loc[("JC01", line.id)].iloc[0]
        assert line.facts.startswith(f"截止 {fact['deadline']:%m-%d}")
        assert (f"逾期 {fact['days_overdue']:g} 天" in line.facts) == (fact["days_overdue"] > 0)
    assert result.scores["day"].iloc[0] == "2026-10-08"
    assert float(result.scores["score"].iloc[0]) == score_of(outcomes[8])
    earlier = unit_month(history, KEY, "jc01", (2026, 10), upto=date(2026, 10, 10))
    assert earlier.day == date(2026, 10, 9)
    assert set(zip(earlier.lines["id"], earlier.lines["rule_label"], earlier.lines["points"], strict=True)) == \
        lines_of(outcomes[9])
    with pytest.raises(HistoryError, match="没有单位"):
        unit_month(history, KEY, "九矿党委", (2026, 10))
    with pytest.raises(HistoryError, match="没有考核记录"):
        unit_month(history, KEY, "一矿党委", (2026, 12))


def test_runs_are_listed_newest_first(recorded) -> None:  # type: ignore[no-untyped-def]
    _, history, outcomes = recorded
    frame = runs(history, KEY)
    assert list(frame["as_of"]) == ["2026-10-13", "2026-10-12", "2026-10-09", "2026-10-08"]
    assert list(frame["problems"]) == [len(outcomes[d].problems) for d in (13, 12, 9, 8)]
    assert frame["jobs"].iloc[0] == ["daily"] and frame["ok"].all()
    assert frame["started"].iloc[0] == at(10, 13, 7, 30)


def test_find_book(tmp_path: Path) -> None:
    history = History(tmp_path / "history.sqlite")
    with pytest.raises(HistoryError, match="历史记录为空"):
        find_book(history, None)
    history.see("file:/a.xlsx", "一矿台账", at(10, 8))
    assert find_book(history, None) == ("file:/a.xlsx", "一矿台账")
    history.see("gsheet:1AbC", "二矿共享表", at(10, 8))
    with pytest.raises(HistoryError, match="请指明工作簿"):
        find_book(history, None)
    assert find_book(history, "二矿共享表") == ("gsheet:1AbC", "二矿共享表")
    assert find_book(history, "https://docs.google.com/spreadsheets/d/1AbC/edit#gid=0")[0] == "gsheet:1AbC"
    with pytest.raises(HistoryError, match="没有这个工作簿"):
        find_book(history, "三矿台账")


def test_the_history_command(recorded, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path, history, _ = recorded
    monkeypatch.setattr(cli.console, "width", 200)  # table cells on one line each
    assert main(["history", TASK, "--history", str(path)]) == 0
    out = capsys.readouterr().out
    assert "首次记录" in out and "已从本表删除" in out and OCT in out and SEP in out
    assert main(["history", TASK, "--restore", "--history", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == restore(history, KEY, LABEL, TASK).tsv() + "\n"
    assert "2026-10-12" in captured.err and "粘贴" in captured.err
    assert main(["history", "--unit", "一矿党委", "--month", "2026-10", "--history", str(path)]) == 0
    assert "得分变化" in capsys.readouterr().out
    assert main(["history", "--runs", "--history", str(path)]) == 0
    assert "成功" in capsys.readouterr().out
    assert main(["history", "--unit", "一矿党委", "--history", str(path)]) == EXIT_USER_ERROR
    assert main(["history", TASK, "--history", str(path.with_name("none.sqlite"))]) == EXIT_USER_ERROR
    assert "历史数据库不存在" in capsys.readouterr().err
