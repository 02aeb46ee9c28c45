"""Numbers a party secretary can defend: each case below is computed by hand in its comment."""

import shutil
from contextlib import nullcontext
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from sync.assessment import assess
from sync.backends.memory import MemoryBook
from sync.engine import run_sync
from sync.rulebook import DEFAULT_RULES_DIR, RuleError, load_rules
from sync.values import parse_progress
from tests.conftest import MONTH_HEADER, ORG_HEADER, ORG_ROWS, PLAN_HEADER
from tests.dispatch_helpers import ORG, run


def lines_of(result):
    return [(r.unit, r.id, r.rule, r.points) for r in result.lines.itertuples(index=False)]


@pytest.mark.parametrize(("typed", "colour", "lag"), [("30.01%", "blue", 19.99), ("30%", "orange", 20.0),
                                                      ("0.3001", "blue", 19.99), ("29.99", "orange", 20.01)])
def test_lag_boundary_is_exact(rules, typed, colour, lag):
    # Start Tue 1 Sep, deadline Mon 28 Sep 2026: 20 working days (Sun 20 Sep is a 调休 working day, Fri 25 Sep
    # 中秋 is off). Before the as-of day 15 Sep: 1–4, 7–11, 14 Sep = 10 days. Expected 10 / 20 = 50 %.
    # 9 working days remain, so only the lag (≥ 20 points) can make it orange.
    task = run(rules, date(2026, 9, 15), {"start": date(2026, 9, 1), "deadline": date(2026, 9, 28),
                                          "progress": parse_progress(typed), "updated": date(2026, 9, 15)})
    assert task.at["T1", "expected_progress"] == 50.0
    assert task.at["T1", "workdays_left"] == 9
    assert task.at["T1", "progress_lag"] == lag
    assert task.at["T1", "colour"] == colour


def test_ties_are_ranked_one_one_three(rules):
    as_of = date(2026, 11, 18)
    red = {"deadline": date(2026, 11, 17), "updated": as_of}  # one red task: 100 - 2 = 98
    result = assess(run(rules, as_of, red | {"unit": "ZB0101"}, red | {"unit": "ZB0102"},
                        red | {"unit": "ZB0201"}, red | {"unit": "ZB0201"}).reset_index(), ORG, rules)
    ranks = result.scores.set_index("unit").loc[["ZB0101", "ZB0102", "ZB0201"], ["score", "rank"]]
    assert ranks.values.tolist() == [[98.0, 1], [98.0, 1], [96.0, 3]]


def test_empty_update_date_counts_from_the_start(rules):
    # Start Mon 2 Nov, nothing in 更新日期; as of Mon 9 Nov: 3–6 and 9 Nov = 5 working days (not > 5, not stale);
    # as of Tue 10 Nov: 6 working days, stale (−1). Empty start too: counted from 2 Nov, the month's first working day.
    for start in (date(2026, 11, 2), None):
        on_9 = run(rules, date(2026, 11, 9), {"start": start, "updated": None, "progress": 30.0})
        on_10 = run(rules, date(2026, 11, 10), {"start": start, "updated": None, "progress": 30.0})
        assert (on_9.at["T1", "stale_workdays"], on_10.at["T1", "stale_workdays"]) == (5, 6)
        assert [line[2] for line in lines_of(assess(on_10.reset_index(), ORG, rules))] == ["stale"]


def test_closing_on_the_deadline_day_earns_the_bonus(rules):
    # Due Fri 20 Nov: closed that day (+1), closed on Mon 23 Nov (late, nothing), closed on the 23rd but
    # judged on the 20th (open that day: its closure is dated after the judgement day).
    on_time = {"deadline": date(2026, 11, 20), "status": "closed", "updated": date(2026, 11, 20)}
    late = {"deadline": date(2026, 11, 20), "status": "closed", "updated": date(2026, 11, 23), "unit": "ZB0102"}
    result = assess(run(rules, date(2026, 11, 24), on_time, late).reset_index(), ORG, rules)
    assert lines_of(result) == [("ZB0101", "T1", "on_time", 1.0)]
    on_20 = run(rules, date(2026, 11, 20), late)
    assert not on_20.at["T1", "closed"] and on_20.at["T1", "colour"] == "orange"


def test_due_on_the_last_day_is_red_at_month_end(rules):
    # Due Mon 30 Nov 2026, 80 %, not closed. On the 30th it is still running: orange (0 working days left).
    # Judged for 月考核 (any later day), November ends at the end of the 30th: red, 1 day overdue, −2.
    task = {"start": date(2026, 11, 2), "deadline": date(2026, 11, 30), "progress": 80.0, "updated": date(2026, 11, 30)}
    assert run(rules, date(2026, 11, 30), task).at["T1", "colour"] == "orange"
    judged = run(rules, date(2026, 12, 1), task, month=(2026, 11))
    assert (judged.at["T1", "colour"], judged.at["T1", "days_overdue"]) == ("red", 1.0)
    assert judged.at["T1", "expected_progress"] == 100.0
    assert lines_of(assess(judged.reset_index(), ORG, rules)) == [("ZB0101", "T1", "red", -2.0)]
    # closed on 1 Dec: that closure is December's, November still saw it open
    late = run(rules, date(2026, 12, 3), task | {"status": "closed", "updated": date(2026, 12, 1)}, month=(2026, 11))
    assert late.at["T1", "colour"] == "red"
    # carried into December's sheet and still open: red on the board, but not deducted a second time
    carried = run(rules, date(2026, 12, 3), task | {"updated": date(2026, 12, 2)})
    assert (carried.at["T1", "colour"], carried.at["T1", "overdue_before"]) == ("red", True)
    assert lines_of(assess(carried.reset_index(), ORG, rules)) == []


def test_bonuses_are_capped_per_unit_and_month(rules):
    # Seven on-time closures and one exemplar: +7 +2 = +9 in lines, capped at 加分上限 5: score 105.
    closed = {"status": "closed", "updated": date(2026, 11, 10), "deadline": date(2026, 11, 20)}
    result = assess(run(rules, date(2026, 11, 18), *[closed] * 6, closed | {"exemplar": True}).reset_index(),
                    ORG, rules)
    assert sum(p for *_, p in lines_of(result)) == 9.0
    score = result.scores.set_index("unit").loc["ZB0101", ["bonuses", "score"]].tolist()
    assert score == [5.0, 105.0]
    uncapped = replace(rules, params={k: v for k, v in rules.params.items() if k != "加分上限"})
    assert assess(run(rules, date(2026, 11, 18), *[closed] * 7).reset_index(), ORG, uncapped) \
        .scores.set_index("unit").at["ZB0101", "score"] == 107.0


def test_tied_weakest_units_are_all_named_and_a_clean_unit_never_is(rules):
    # bottom = 1: the three branches all lose 2 points (98), tied at the cut: all three, marked 并列.
    # Committees have no deduction at all: none of them is a 短板.
    as_of = date(2026, 11, 18)
    red = {"deadline": date(2026, 11, 17), "updated": as_of}
    tasks = run(rules, as_of, red | {"unit": "ZB0101"}, red | {"unit": "ZB0102"}, red | {"unit": "ZB0201"})
    result = assess(tasks.reset_index(), ORG, replace(rules, bottom=1))
    assert result.bottom[["level", "unit", "score", "tied"]].values.tolist() == [
        ["党支部", "ZB0101", 98.0, True], ["党支部", "ZB0102", 98.0, True], ["党支部", "ZB0201", 98.0, True]]
    # ZB0201 gets a bonus on top: 98 + 1 = 99, the two others stay tied at 98 and are the 短板
    tasks = run(rules, as_of, red | {"unit": "ZB0101"}, red | {"unit": "ZB0102"}, red | {"unit": "ZB0201"},
                {"unit": "ZB0201", "status": "closed", "updated": as_of})
    result = assess(tasks.reset_index(), ORG, replace(rules, bottom=1))
    assert result.bottom[["unit", "tied"]].values.tolist() == [["ZB0101", True], ["ZB0102", True]]


@pytest.fixture
def rules_dir(tmp_path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, target)
    return target


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_renamed_colour_labels_and_keys_keep_counts_and_deductions(rules_dir):
    rewrite(rules_dir / "colours.toml", 'label = "红色考核"', 'label = "红色督办"')
    rewrite(rules_dir / "colours.toml", 'key = "orange"', 'key = "amber"')
    renamed = load_rules(rules_dir)
    as_of = date(2026, 11, 18)
    tasks = run(renamed, as_of, {"deadline": date(2026, 11, 17), "updated": as_of},
                {"deadline": date(2026, 11, 19), "updated": as_of, "progress": 90.0})
    assert tasks["colour_label"].tolist() == ["红色督办", "橙色预警"]
    assert tasks["role"].tolist() == ["overdue", "warning"]
    assert [(r, p) for _, _, r, p in lines_of(assess(tasks.reset_index(), ORG, renamed))] == \
        [("red", -2.0), ("orange", -1.0)]


@pytest.mark.parametrize(("old", "new", "message"), [
    ('value = "overdue"', 'value = "红色考核X"',
     "rules/assessment.toml › line[1].all[1].value: 没有名为“红色考核X”的颜色。"),
    ('value = "warning"', 'value = "橙色"', "rules/assessment.toml › line[2].all[1].value: 没有名为“橙色”的颜色。"),
])
def test_an_unknown_colour_fails_at_load_with_its_path(rules_dir, old, new, message):
    rewrite(rules_dir / "assessment.toml", old, new)
    with pytest.raises(RuleError) as err:
        load_rules(rules_dir)
    assert str(err.value).startswith(message)


def test_an_unknown_kind_and_a_missing_role_fail_at_load(rules_dir):
    path = rules_dir / "assessment.toml"
    path.write_text(path.read_text(encoding="utf-8") + '[[line.all]]\nfield = "调度类型"\nop = "=="\nvalue = "紧急调度"\n',
                    encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_rules(rules_dir)
    assert str(err.value) == ("rules/assessment.toml › line[5].all[2].value: 没有名为“紧急调度”的调度类型。"
                              "可用：advance、change、key、routine、变化调度、常规、超前调度、重点调度")
    shutil.copy(DEFAULT_RULES_DIR / "assessment.toml", rules_dir / "assessment.toml")
    rewrite(rules_dir / "colours.toml", 'role = "warning"', 'role = "in_progress"')
    with pytest.raises(RuleError) as err:
        load_rules(rules_dir)
    assert str(err.value) == ("rules/colours.toml › colour: 缺少颜色角色 warning（预警）。"
                              "汇总表和考核按角色认颜色：请给每种角色至少一个颜色设 role")


def test_change_lists_say_what_changed_even_on_a_key_task(rules):
    previous = pd.DataFrame({"tab": "月度任务 2026-11", "id": ["T1", "T2"], "unit": ["ZB0101", "ZB0101"],
                             "deadline": pd.to_datetime(["2026-11-30", "2026-11-30"])})
    # T1: a 焦点 (key) task whose deadline moved 11-30 → 12-05 stays key, and says so; T2 changed hands
    tasks = run(rules, date(2026, 11, 18), {"category": "焦点", "deadline": date(2026, 12, 5)},
                {"unit": "ZB0201"}, previous=previous)
    assert tasks[["kind", "change"]].values.tolist() == [
        ["key", "截止日期 11-30→12-05"], ["change", "责任单位 综采一队党支部→机电队党支部"]]

    class Remembers:  # the last sync saw T1 due 11-30
        def previous(self, book, before, fields):
            return previous.assign(tab="月度任务 2026-11", id=["QD-1", "X"])

        def first_closed(self, book, month):
            return pd.Series(dtype=object)

        def sheet_ids(self, book, month):
            return frozenset({"QD-1", "X"})

        def recording(self, book, outcome):
            return nullcontext()

    memory = MemoryBook({"组织架构": [ORG_HEADER, *ORG_ROWS], "年度计划书": [PLAN_HEADER],
                         "月度任务 2026-11": [MONTH_HEADER, ["QD-1", "澡堂热水", "焦点", "董事长热线", None, "ZB0101", None,
                                                        "2026-11-02", "2026-12-05", 50, "进行中", None, "2026-11-17",
                                                        None]]}, label="book.xlsx")
    outcome = run_sync(memory, date(2026, 11, 18), jobs=["daily"], rules=rules, memory=Remembers())
    key_list = next(t for t in outcome.plan.owned if t.name == "重点调度").rows
    header = next(i for i, r in enumerate(key_list) if r and r[0] == "任务编号")
    assert key_list[header][-1] == "变化"
    assert (key_list[header + 1][0], key_list[header + 1][-1]) == ("QD-1", "截止日期 11-30→12-05")
