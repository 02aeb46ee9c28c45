"""The default colour and dispatch-kind rules, pinned at their boundaries."""

from datetime import date

import pandas as pd
import pytest

from sync.normalise import TabData
from sync.schema import SETTINGS
from tests.dispatch_helpers import run

ON_TRACK = {"start": date(2026, 9, 1), "progress": 95.0}


def colour(rules, as_of, **row):
    return run(rules, as_of, ON_TRACK | row).at["T1", "colour"]


@pytest.mark.parametrize("as_of, expected", [(date(2026, 9, 29), "blue"), (date(2026, 9, 30), "orange")])
def test_warning_counts_working_days_across_national_day_to_a_swapped_saturday(rules, as_of, expected):
    # deadline Sat Oct 10 is a working day (调休); Oct 1–7 are holidays.
    # From Sep 30: Oct 8, 9, 10 = 3 working days → orange; from Sep 29 also Sep 30 → 4 → blue.
    assert colour(rules, as_of, deadline=date(2026, 10, 10)) == expected


@pytest.mark.parametrize("as_of, expected", [(date(2026, 9, 24), "blue"), (date(2026, 9, 28), "orange")])
def test_warning_skips_mid_autumn_and_national_day(rules, as_of, expected):
    # deadline Thu Oct 8: from Sep 28 → Sep 29, 30, Oct 8 = 3; from Sep 24 → + Sep 28 (Sep 25–27 off) = 4.
    assert colour(rules, as_of, deadline=date(2026, 10, 8)) == expected


@pytest.mark.parametrize("progress, expected", [(21.0, "blue"), (20.0, "orange")])
def test_lag_19_vs_20_points(rules, progress, expected):
    # Nov 2 (Mon) – Nov 27 (Fri) = 20 working days; 8 have elapsed before Nov 12 → expected 40%.
    result = run(rules, date(2026, 11, 12), {"start": date(2026, 11, 2), "deadline": date(2026, 11, 27),
                                              "progress": progress})
    assert result.at["T1", "expected_progress"] == 40.0
    assert result.at["T1", "colour"] == expected


@pytest.mark.parametrize("deadline, expected", [(date(2026, 11, 18), "orange"), (date(2026, 11, 17), "red")])
def test_deadline_today_is_a_warning_yesterday_is_red(rules, deadline, expected):
    assert colour(rules, date(2026, 11, 18), deadline=deadline) == expected


def test_closed_is_green_even_when_late(rules):
    assert colour(rules, date(2026, 11, 18), deadline=date(2026, 11, 1), status="closed",
                  updated=date(2026, 11, 5)) == "green"


def test_not_started_task_with_no_progress_lags(rules):
    assert colour(rules, date(2026, 11, 18), start=date(2026, 11, 2), progress=None, status=None) == "orange"


def test_a_past_month_is_judged_at_its_month_end(rules):
    # closed on Nov 3, but the October sheet is judged as of Oct 31: still open then, and overdue.
    result = run(rules, date(2026, 11, 18), {"start": date(2026, 10, 8), "deadline": date(2026, 10, 30),
                                              "status": "closed", "updated": date(2026, 11, 3)}, month=(2026, 10))
    assert result.at["T1", "colour"] == "red"


def test_thresholds_from_the_books_rule_settings_tab(rules):
    settings = pd.DataFrame({"key": ["warn_workdays", "滞后预警点数", "无此参数"], "value": ["5", "不知道", "1"],
                             "note": [None] * 3, "_row": [2, 3, 4]})
    tuned, problems = rules.with_settings(TabData(SETTINGS, "规则设置", settings, 0, {"key": 0, "value": 1}),
                                          "book.xlsx")
    assert tuned.params["预警工作日"] == 5 and tuned.overrides == {"预警工作日": 5.0}
    assert [str(p) for p in problems] == [
        "book.xlsx › 规则设置!B3: 参数“滞后预警点数”的值“不知道”不是数字。请填写数字（是/否类参数填 是 或 否）",
        "book.xlsx › 规则设置!A4: 没有名为“无此参数”的规则参数。可设置的参数：预警工作日、滞后预警点数、清单保留闭合工作日、红色扣分、橙色扣分、"
        "未按时调度扣分、未按时调度工作日、按期闭合加分、典型加分、加分上限",
    ]
    # 5 working days before Fri Nov 27 is Fri Nov 20: orange with the override, blue by default.
    row = {"start": date(2026, 11, 2), "deadline": date(2026, 11, 27), "progress": 90.0}
    assert run(rules, date(2026, 11, 20), row).at["T1", "colour"] == "blue"
    assert run(tuned, date(2026, 11, 20), row).at["T1", "colour"] == "orange"


@pytest.mark.parametrize("row, kind", [
    ({"source": "董事长热线"}, "key"),
    ({"source": "矿区文明调度"}, "key"),
    ({"category": "难点"}, "key"),
    ({"category": "两学一做"}, "advance"),
    ({"category": "政治巡视"}, "advance"),
    ({"category": "重点工程"}, "change"),
    ({"category": "行政重点工作"}, "change"),
    ({"category": "组织建设"}, "routine"),
    ({"category": "规定动作", "source": "职工诉求"}, "key"),  # key outranks advance
    ({"category": "重点工程", "source": "总经理热线"}, "key"),
])
def test_dispatch_kinds_and_precedence(rules, row, kind):
    assert run(rules, date(2026, 11, 18), row).at["T1", "kind"] == kind


def test_channel_issues_are_key_dispatch(rules):
    result = run(rules, date(2026, 11, 18), {"id": "QD-001", "source": "某渠道"}, channel_ids=frozenset({"QD-001"}))
    assert result.at["QD-001", "kind"] == "key"


def test_change_kind_when_deadline_or_unit_moved_since_last_sync(rules):
    previous = pd.DataFrame({"tab": "月度任务 2026-11", "id": ["T1", "T2", "T3"], "unit": ["ZB0101", "ZB0102", "ZB0101"],
                             "deadline": pd.to_datetime(["2026-11-20", "2026-11-30", "2026-11-30"])})
    result = run(rules, date(2026, 11, 18), {}, {}, {}, {}, previous=previous)
    assert list(result["changed"]) == [True, True, False, False]  # T4 is new: no history to compare
    assert list(result["kind"]) == ["change", "change", "routine", "routine"]
