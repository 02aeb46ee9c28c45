"""The whole dispatch of the example book: every tab present and consistent with the task colours."""

from datetime import date

import pandas as pd
import pytest

from sync.engine import run_sync
from sync.example import EXAMPLE_AS_OF
from sync.jobs import JOBS

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
    tasks = outcome.state.tasks
    org = outcome.state.org
    rows = block(tab(outcome, "调度看板"), "全部单位（逐级汇总：党支部 → 基层党委 → 集团党委）")
    header, body = rows[0], {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert header[3:7] == ["绿色已闭合", "红色考核", "橙色预警", "蓝色进行中"]
    counts = tasks.groupby(["unit", "colour"]).size()
    assert body["JT"]["合计"] == len(tasks)
    assert body["JT"]["红色考核"] == (tasks["colour"] == "red").sum()
    for committee in (c for c in org.codes if org.levels[c] == "基层党委"):
        members = [committee] + [c for c in org.codes if org.parents.get(c) == committee]
        expected = sum(counts.get((m, "orange"), 0) for m in members)
        assert body[committee]["橙色预警"] == expected
    assert tab(outcome, "调度看板").charts and tab(outcome, "调度看板").charts[0].title == "各基层党委任务四色分布"


def test_duty_line_names_todays_leader(outcome):
    board = tab(outcome, "调度看板")
    assert board.rows[2][0].startswith("今日值班（2026-11-18）：") and "值班表中未排班" not in board.rows[2][0]


def test_kind_lists_hold_only_their_kind(outcome):
    tasks = outcome.state.tasks.set_index("id")
    for name, kind in (("重点调度", "key"), ("超前调度", "advance"), ("变化调度", "change")):
        rows = tab(outcome, name).rows
        start = next(i for i, r in enumerate(rows) if r and r[0] == "任务编号") + 1
        ids = [r[0] for r in rows[start:] if r]
        assert ids and set(ids) == set(tasks.index[tasks["kind"] == kind])


def test_assessment_lines_add_up_to_the_scores(outcome, rules):
    a = outcome.state.assessment((2026, 11))
    points = a.lines["points"]
    minus = points.clip(upper=0).groupby(a.lines["unit"]).sum()
    plus = points.clip(lower=0).groupby(a.lines["unit"]).sum()
    scores = a.scores.set_index("unit")
    for unit in minus.index:
        capped = min(plus[unit], rules.params["加分上限"])
        assert scores.at[unit, "score"] == max(rules.base + minus[unit] + capped, rules.floor)
    rows = block(tab(outcome, "月考核"), "扣分与加分明细")
    assert len(rows) - 1 == len(a.lines)
    assert block(tab(outcome, "月考核"), "得分与排名")[0][-1] == "层级内排名"


def test_weekly_xun_monthly_quarterly_contents(outcome):
    tasks = outcome.state.tasks
    weekly = tab(outcome, "周报表")
    closed_this_week = tasks["closed"] & tasks["closed_on"].between(pd.Timestamp(2026, 11, 16), pd.Timestamp(2026, 11, 18))
    assert f"闭合 {int(closed_this_week.sum())} 项" in weekly.rows[2][0]
    xun = tab(outcome, "旬自查")
    assert xun.rows[2][0].startswith("11月中旬（11月11日—11月20日）自查：未闭合 ")
    monthly = tab(outcome, "月报表")
    assert monthly.rows[0][0] == "月报表 · 2026年11月（数据截至 2026-11-18）"  # mid-month: the month to date
    categories = block(monthly, "完成情况（按类别）")
    assert sum(r[1] for r in categories[1:]) == len(tasks)
    quarterly = tab(outcome, "季例会")
    overview = block(quarterly, "季度指标")
    assert overview[0] == ["指标", "10月", "11月", "12月", "趋势"]
    assert overview[1][1:3] == [len(outcome.state.months[(2026, 10)]), len(tasks)]


def test_monthly_job_on_its_day_reports_last_month(example_memory, rules):
    # Dec 1 2026 is the first working day of December: the monthly job assesses November.
    outcome = run_sync(example_memory, date(2026, 12, 1), rules=rules)
    assert outcome.jobs == ["daily", "xun", "monthly"]
    assert tab(outcome, "月考核").rows[0][0] == "月考核 · 2026年11月（数据截至 2026-12-01）"
    assert outcome.month_created  # December's sheet, with November's open tasks carried over
    assert outcome.month.carried == int((~outcome.state.months[(2026, 11)]["closed"]).sum())
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
    tasks = outcome.state.tasks
    closed = tasks["closed"] & tasks["closed_on"].between(pd.Timestamp(2026, 11, 16), pd.Timestamp(2026, 11, 22))
    assert tab(outcome, "周报表").rows[2][0].startswith(f"11月16日—11月22日：闭合 {int(closed.sum())} 项")
    due = ~tasks["closed"] & tasks["deadline"].between(pd.Timestamp(2026, 11, 21), pd.Timestamp(2026, 11, 30))
    assert tab(outcome, "旬自查").rows[2][0].endswith(f"11月下旬（11月21日—11月30日）到期 {int(due.sum())} 项")
