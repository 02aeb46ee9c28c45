"""The whole dispatch of the example book: every tab present and consistent with the task colours.

Expected numbers are worked out by hand from workbooks/example.xlsx (as of Wed 18 Nov 2026) and the README's
rules, not taken from the engine. The facts they rest on, read off the example's 月度任务 2026-11 tab:
- 234 task rows; status 已完成 29, 已闭合 16, 已销号 12 (57 closed, 177 open).
- 8 open tasks past their deadline (red): JH-2026-021-JC01, JH-2026-036-JC04/-JC05/-JC10, JH-2026-051,
  SB-202610-01-JC08, SB-202610-04-JC06/-JC12.
- 12 closed tasks updated 16–18 Nov, none 19–22 Nov; 149 open tasks due 21–30 Nov. 月度任务 2026-10: 200 rows.
- November 2026 has no holidays: 2–30 Nov is 21 working days, 12 of them before the 18th, 8 after it.
"""

from contextlib import nullcontext
from datetime import date

import pandas as pd
import pytest

from sync.engine import run_sync
from sync.example import EXAMPLE_AS_OF
from sync.jobdays import JOBS

ALL_TABS = ["调度看板", "重点调度", "超前调度", "变化调度", "数据问题", "周报表", "旬自查", "月报表", "月考核", "季例会"]


@pytest.fixture
def outcome(example_memory, rules):
    return run_sync(example_memory, EXAMPLE_AS_OF, jobs=list(JOBS), rules=rules)


def tab(outcome, name):
    return next(s for s in outcome.plan.owned if s.name == name)


def block(sheet, title):
    """The rows of the block titled ``title`` (header first), up to the next blank row."""
    start = next(i for i, r in enumerate(sheet.rows) if r and r[0] == title) + 1
    rows = []
    for r in sheet.rows[start:]:
        if not r:
            break
        rows.append(r)
    return rows


def test_every_summary_tab_is_written_with_banner(outcome):
    assert [s.name for s in outcome.plan.owned] == ALL_TABS
    for sheet in outcome.plan.owned:
        assert sheet.rows[0][0].endswith("（数据截至 2026-11-18）")
        assert "自动生成" in sheet.rows[1][0]


def test_board_rolls_branches_up_to_committees_and_the_group(outcome):
    rows = block(tab(outcome, "调度看板"), "全部单位（逐级汇总：党支部 → 基层党委 → 集团党委）")
    header, body = rows[0], {r[0]: r[3:] for r in rows[1:]}
    assert header[3:] == ["绿色已闭合", "红色考核", "橙色预警", "蓝色进行中", "合计", "闭合率"]
    assert body["JT"][0:2] == [57, 8] and body["JT"][4] == 234
    # 洗选中心党委 and its 6 branches, 16 tasks by hand (expected progress 12/21 = 57% for 2–30 Nov tasks):
    # green JH-2026-057-JC05 (已完成); red JH-2026-036-JC05 (deadline 30 Oct); orange 011-JC05 (0%, lag 57),
    # 004-JC05 (35%, lag 22), SB-202611-12-JC05 (due 20 Nov: 2 working days left); the other 11 blue (progress
    # 45–65% on 2–30 Nov; QD-202610-009 80% against an expected 22/34 = 65%; JH-2026-002-ZB0501 is annual work
    # continuing its October row: started 8 Oct at 70%, expected 30/39 working days = 77%, lag 7).
    assert body["JC05"] == [1, 1, 3, 11, 16, pytest.approx(1 / 16)]
    assert body["ZB0501"] == [0, 0, 0, 1, 1, 0]
    assert tab(outcome, "调度看板").charts and tab(outcome, "调度看板").charts[0].title == "各基层党委任务四色分布"


def test_duty_line_names_todays_leader(outcome):
    board = tab(outcome, "调度看板")
    assert board.rows[2][0].startswith("今日值班（2026-11-18）：") and "值班表中未排班" not in board.rows[2][0]


def test_kind_lists_hold_their_open_and_recently_closed_tasks_and_count_the_rest(outcome, rules):
    tasks = outcome.state.tasks.set_index("id")
    cal, as_of = rules.calendar, outcome.as_of
    recent = {i for i, t in tasks.iterrows() if t["closed"] and pd.notna(t["closed_on"])
              and cal.count(t["closed_on"].date(), as_of) <= 5}
    hidden_total = 0
    for name, kind in (("重点调度", "key"), ("超前调度", "advance"), ("变化调度", "change")):
        rows = tab(outcome, name).rows
        start = next(i for i, r in enumerate(rows) if r and r[0] == "任务编号") + 1
        ids = [r[0] for r in rows[start:] if r]
        mine = set(tasks.index[tasks["kind"] == kind])
        expected = {i for i in mine if not tasks.at[i, "closed"] or i in recent}
        assert ids and len(ids) == len(set(ids)) and set(ids) == expected
        hidden = len(mine) - len(expected)
        hidden_total += hidden
        notes = [r[0] for r in rows[2:start] if r and isinstance(r[0], str)]
        assert notes[0].startswith(f"2026年11月{name}任务 {len(mine)} 项：")
        count_line = f"本清单列出未闭合及近 5 个工作日内闭合的任务 {len(expected)} 项；另有 {hidden} 项闭合较早"
        assert any(n.startswith(count_line) for n in notes) == bool(hidden)
    assert hidden_total and recent  # the example has both kinds of closed task


def test_assessment_lines_add_up_to_the_scores(outcome, rules):
    a = outcome.state.assessment((2026, 11))
    points = a.lines["points"]
    minus = points.clip(upper=0).groupby(a.lines["unit"]).sum()
    plus = points.clip(lower=0).groupby(a.lines["unit"]).sum()
    scores = a.scores.set_index("unit")
    for unit in minus.index:
        capped = min(plus[unit], rules.params["加分上限"])
        assert scores.at[unit, "score"] == max(rules.base + minus[unit] + capped, rules.floor)
    # 洗选中心党委's own 10 tasks by hand: red 036 is due 30 Oct, a miss October's 月考核 judged (往月逾期: no
    # second deduction); orange 004, 011, SB-12 (−1 each); 更新日期 more than 5 working days old: 004 (6 Nov),
    # 056 (2 Nov), 011 (never updated: counted from its 开始日期 2 Nov) (−1 each); 057 closed on 7 Nov before its
    # deadline (+1, under the cap of 5). 100 − 3 − 3 + 1 = 95.
    lines = a.lines[a.lines["unit"] == "JC05"]
    assert sorted(zip(lines["id"], lines["rule"], lines["points"], strict=True)) == [
        ("JH-2026-004-JC05", "orange", -1), ("JH-2026-004-JC05", "stale", -1),
        ("JH-2026-011-JC05", "orange", -1), ("JH-2026-011-JC05", "stale", -1),
        ("JH-2026-056-JC05", "stale", -1),
        ("JH-2026-057-JC05", "on_time", 1), ("SB-202611-12-JC05", "orange", -1)]
    assert scores.at["JC05", "score"] == 95
    rows = block(tab(outcome, "月考核"), "扣分与加分明细")
    assert len(rows) - 1 == len(a.lines)
    assert block(tab(outcome, "月考核"), "得分与排名")[0][-1] == "层级内排名"


def test_weekly_xun_monthly_quarterly_contents(outcome):
    weekly = tab(outcome, "周报表")
    assert "闭合 12 项" in weekly.rows[2][0]
    xun = tab(outcome, "旬自查")
    assert xun.rows[2][0] == "11月中旬（11月11日—11月20日）自查：未闭合 177 项，11月下旬（11月21日—11月30日）到期 149 项"
    monthly = tab(outcome, "月报表")
    assert monthly.rows[0][0] == "月报表 · 2026年11月（数据截至 2026-11-18）"  # mid-month: the month to date
    categories = block(monthly, "完成情况（按类别）")
    assert sum(r[1] for r in categories[1:]) == 234
    quarterly = tab(outcome, "季例会")
    overview = block(quarterly, "季度指标")
    assert overview[0] == ["指标", "10月", "11月", "12月", "趋势"]
    assert overview[1][1:3] == [200, 234]


def test_monthly_job_on_its_day_reports_last_month(example_memory, rules):
    # Dec 1 2026 is the first working day of December: the monthly job assesses November.
    outcome = run_sync(example_memory, date(2026, 12, 1), rules=rules)
    assert outcome.jobs == ["daily", "xun", "monthly"]
    assert tab(outcome, "月考核").rows[0][0] == "月考核 · 2026年11月（数据截至 2026-12-01）"
    assert outcome.month_created  # December's sheet, with November's open tasks carried over
    assert outcome.month.carried == 177  # November's open tasks
    assessment = outcome.to_json()["assessment"]  # the JSON is the 月考核 tab of the same run
    assert (assessment["month"], assessment["judged_at"]) == ("2026-11", "2026-11-30")
    scores = block(tab(outcome, "月考核"), "得分与排名")[1:]
    assert [[u["unit"], u["score"], u["rank"]] for u in assessment["units"]] == [[r[0], r[7], r[8]] for r in scores]


def test_json_result_shape(outcome):
    result = outcome.to_json()
    assert set(result) == {"as_of", "jobs", "tasks", "assessment", "problems", "written", "would_write", "snapshot"}
    assert result["tasks"][0].keys() == {"id", "unit", "kind", "colour"}
    assessment = result["assessment"]
    assert (assessment["month"], assessment["judged_at"]) == ("2026-11", "2026-11-18")
    assert {u["level"] for u in assessment["units"]} == {"集团党委", "基层党委", "党支部"}
    assert assessment["units"][0].keys() == {"unit", "name", "level", "base", "deductions", "bonuses", "score",
                                             "rank", "weakest", "tied", "lines"}
    assert result["written"] == ALL_TABS + ["月度任务 2026-10", "月度任务 2026-11"]


def test_monday_bulletin_reports_the_week_before_and_the_self_check_looks_at_the_new_xun(example_memory, rules):
    # Mon 23 Nov 2026: the weekly job's day, and the 21st (a Saturday) moved to the next working day.
    outcome = run_sync(example_memory, date(2026, 11, 23), rules=rules)
    assert outcome.jobs == ["daily", "weekly", "xun"]
    assert tab(outcome, "周报表").rows[0][0] == "周报表 · 周通报 2026年11月16日—11月22日（数据截至 2026-11-23）"
    assert tab(outcome, "周报表").rows[2][0].startswith("11月16日—11月22日：闭合 12 项，新增红色 ")
    assert tab(outcome, "旬自查").rows[2][0].endswith("11月下旬（11月21日—11月30日）到期 149 项")


class SnapshotsRead:
    """A Memory whose every snapshot holds the given tasks, all red; it notes what each read asked for."""

    def __init__(self, ids: list[str]) -> None:
        self.ids, self.asked = ids, []

    def previous(self, book, before, fields):
        self.asked.append((before, list(fields)))
        frame = pd.DataFrame({"tab": "月度任务 2026-11", "year": 2026, "month": 11, "id": self.ids, "unit": None,
                              "deadline": pd.NaT, "colour": "red"})
        return frame[["tab", "year", "month", *fields]]

    def first_closed(self, book, month):
        return pd.Series(dtype="datetime64[ns]")

    def sheet_ids(self, book, month):
        return frozenset(self.ids)

    def recording(self, book, outcome):
        return nullcontext()


def test_the_week_start_snapshot_is_read_for_the_weekly_report_only(example_memory, rules):
    ids = [str(row[0]) for row in example_memory.tabs["月度任务 2026-11"][1:] if row and row[0]]
    memory = SnapshotsRead(ids)
    outcome = run_sync(example_memory, date(2026, 11, 23), rules=rules, memory=memory)
    # every task was red before the week, so none turned red during it
    assert tab(outcome, "周报表").rows[2][0].startswith("11月16日—11月22日：闭合 12 项，新增红色 0 项")
    assert memory.asked == [(date(2026, 11, 23), ["id", "unit", "deadline"]), (date(2026, 11, 16), ["id", "colour"])]
    memory.asked.clear()
    run_sync(example_memory, date(2026, 11, 24), jobs=["daily"], rules=rules, memory=memory)
    assert memory.asked == [(date(2026, 11, 24), ["id", "unit", "deadline"])]
