"""Rules over 100,000 tasks: colours, kinds and the assessment, vectorised, against a row-by-row baseline.

Prints figures; not a test. Run: .venv/bin/python benchmarks/rules_100k.py
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.org_100k import org_rows, task_rows  # noqa: E402
from sync.assessment import assess  # noqa: E402
from sync.backends.memory import MemoryBook  # noqa: E402
from sync.book import read_book  # noqa: E402
from sync.dispatch import Context, classify  # noqa: E402
from sync.rulebook import load_rules  # noqa: E402

AS_OF = date(2026, 11, 18)
N = 100_000
SAMPLE = 500  # rows classified one at a time for the baseline


def main() -> None:
    rules = load_rules()
    plan = [["任务编号", "任务名称", "类别", "责任单位", "计划月份"], ["JH-1", "学习", "两学一做", "JT", "全年"]]
    book = read_book(MemoryBook({"组织架构": org_rows(), "年度计划书": plan, "月度任务 2026-11": task_rows(N, AS_OF)},
                                label="bench"), AS_OF)
    tasks = book.months[(2026, 11)].frame
    ctx = Context(AS_OF, (2026, 11))
    classify(tasks.head(100), book.org, rules, ctx)  # warm the calendar table

    start = time.perf_counter()
    classified = classify(tasks, book.org, rules, ctx)
    result = assess(classified, book.org, rules)
    vectorised = time.perf_counter() - start

    start = time.perf_counter()
    for i in range(SAMPLE):
        one = classify(tasks.iloc[i:i + 1], book.org, rules, ctx)
        assess(one, book.org, rules)
    per_row = (time.perf_counter() - start) / SAMPLE

    print(f"tasks: {len(tasks):,}  units: {len(book.org.codes)}  lines: {len(result.lines):,}")
    print(f"colours + kinds + assessment, vectorised: {vectorised:.3f} s for {len(tasks):,} tasks "
          f"(target < 1 s: {'met' if vectorised < 1 else 'NOT met'})")
    print(f"row-by-row baseline: {per_row * 1000:.2f} ms per task → {per_row * len(tasks):.0f} s for all "
          f"(measured on {SAMPLE} tasks)")
    print(f"speed-up: {per_row * len(tasks) / vectorised:,.0f}×")
    print("colours:", classified["colour"].value_counts().to_dict())


if __name__ == "__main__":
    main()
