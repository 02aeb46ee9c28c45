"""月考核: every default line, totals, floor, ranks, 短板, roll-up option."""

from dataclasses import replace
from datetime import date

from sync.assessment import assess
from tests.dispatch_helpers import ORG, run

AS_OF = date(2026, 11, 18)


def lines_of(result):
    return [(r.unit, r.id, r.rule_label, r.points) for r in result.lines.itertuples(index=False)]


def test_each_rule_is_one_line_per_task(rules):
    tasks = run(rules, AS_OF,
                {"unit": "ZB0101", "deadline": date(2026, 11, 17), "updated": AS_OF},  # T1 red
                {"unit": "ZB0101", "deadline": date(2026, 11, 19), "updated": AS_OF, "progress": 90.0},  # T2 orange
                {"unit": "ZB0102", "updated": date(2026, 11, 10), "progress": 60.0},  # T3 stale: 6 working days
                {"unit": "ZB0102", "updated": date(2026, 11, 11), "progress": 60.0},  # T4 5 working days: not stale
                {"unit": "ZB0201", "status": "closed", "updated": date(2026, 11, 16), "deadline": date(2026, 11, 17)},
                {"unit": "ZB0201", "status": "closed", "updated": date(2026, 11, 18), "deadline": date(2026, 11, 17),
                 "exemplar": True},  # closed late: no on-time bonus, but exemplar
                ).reset_index()
    result = assess(tasks, ORG, rules)
    assert lines_of(result) == [
        ("ZB0101", "T1", "红色考核", -2.0),
        ("ZB0101", "T2", "橙色预警", -1.0),
        ("ZB0102", "T3", "未按时调度", -1.0),
        ("ZB0201", "T5", "按期闭合", 1.0),
        ("ZB0201", "T6", "典型", 2.0),
    ]
    scores = result.scores.set_index("unit")
    assert scores.loc["ZB0101", ["deductions", "bonuses", "score"]].tolist() == [-3.0, 0.0, 97.0]
    assert scores.loc["ZB0201", "score"] == 103.0
    assert scores.loc["JC01", "score"] == 100.0  # by default a unit answers for its own tasks
    assert scores.loc[["ZB0201", "ZB0102", "ZB0101"], "rank"].tolist() == [1, 2, 3]
    assert result.bottom[["level", "unit", "tied"]].values.tolist() == [  # no deduction, never a 短板
        ["党支部", "ZB0101", False], ["党支部", "ZB0102", False]]


def test_ties_share_a_rank_and_scores_stop_at_the_floor(rules):
    late = {"unit": "ZB0101", "deadline": date(2026, 11, 2), "updated": AS_OF}
    tasks = run(rules, AS_OF, *[late] * 60).reset_index()
    scores = assess(tasks, ORG, rules).scores.set_index("unit")
    assert scores.at["ZB0101", "deductions"] == -120.0
    assert scores.at["ZB0101", "score"] == 0.0
    assert scores.loc[["ZB0102", "ZB0201"], "rank"].tolist() == [1, 1]


def test_include_descendants_counts_branch_lines_for_their_committee_and_the_group(rules):
    tasks = run(rules, AS_OF, {"unit": "ZB0101", "deadline": date(2026, 11, 17), "updated": AS_OF}).reset_index()
    scores = assess(tasks, ORG, replace(rules, include_descendants=True)).scores.set_index("unit")["score"]
    assert (scores["ZB0101"], scores["JC01"], scores["JT"], scores["JC02"]) == (98.0, 98.0, 98.0, 100.0)


def test_no_tasks_everyone_keeps_the_base(rules):
    result = assess(run(rules, AS_OF).reset_index(), ORG, rules)
    assert result.lines.empty
    assert set(result.scores["score"]) == {100.0} and len(result.scores) == len(ORG.codes)
