"""Google Sheets request sizes: a daily sync through real gspread against the stand-in, at 10k and 100k tasks.

For each size: the first sync of a fresh spreadsheet; a same-day re-run (nothing changed); a same-day
sync after staff changed 1 % of the tasks (progress, status and latest news on the month sheet); and the
next day's sync after staff changed another 1 % (the date also moves colours: deadlines come closer).
Prints every request the syncs send (kind, bytes) and the totals; the targets are next-day bytes < 5 % of
the first sync's, and no request over 2 MB. Prints figures; not a test.
Run: .venv/bin/python benchmarks/gsheets_requests.py [10000 100000]
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.org_100k import org_rows, task_rows  # noqa: E402
from standin import StandinSession, running_standin  # noqa: E402
from sync.backends.gsheets.quota import QuotaLimiter  # noqa: E402
from sync.engine import run_sync  # noqa: E402
from sync.serials import to_serial  # noqa: E402

AS_OF = date(2026, 11, 18)
NEXT_DAY = date(2026, 11, 19)
MONTH = "月度任务 2026-11"
MB = 1_000_000


def change_tasks(session: StandinSession, sid: str, share: float, seed: int) -> int:
    """Staff edit ``share`` of the task rows: progress, status, latest news and update date."""
    sheet = session.api.spreadsheet(sid).sheet(MONTH)
    assert sheet is not None
    rows = sheet.last_row_with_data()
    rng = random.Random(seed)
    picked = rng.sample(range(1, rows + 1), max(1, round(rows * share)))
    for r in picked:
        progress = rng.choice([0.3, 0.6, 1.0])
        sheet.cells[(r, 9)] = {"userEnteredValue": {"numberValue": progress}}
        sheet.cells[(r, 10)] = {"userEnteredValue": {"stringValue": "已完成" if progress == 1.0 else "推进中"}}
        sheet.cells[(r, 11)] = {"userEnteredValue": {"stringValue": f"第{r}行今日更新"}}
        sheet.cells[(r, 12)] = {"userEnteredValue": {"numberValue": to_serial(NEXT_DAY)},
                                "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}}}
    return len(picked)


def one_sync(session: StandinSession, sid: str, day: date, label: str) -> dict[str, float]:
    """Sync once; print and return the requests it sent."""
    seen = len(session.api.requests(spreadsheet=sid))
    start = time.perf_counter()
    run_sync(session.book(sid, limiter=QuotaLimiter()), day, jobs=["daily"])
    seconds = time.perf_counter() - start
    sent = session.api.requests(spreadsheet=sid)[seen:]
    writes = [r.bytes for r in sent if r.kind == "spreadsheets.batchUpdate"]
    print(f"  {label}: {len(sent)} requests in {seconds:.1f} s; {len(writes)} batchUpdate, "
          f"{sum(writes) / MB:.3f} MB written, largest {max(writes, default=0) / MB:.3f} MB")
    print("    " + ", ".join(f"{r.kind} {r.bytes / MB:.3f} MB" if r.bytes else r.kind for r in sent))
    return {"requests": len(sent), "bytes": sum(writes), "largest": max(writes, default=0), "seconds": seconds}


def run(n: int) -> None:
    print(f"{n:,} tasks (641 units), daily jobs:")
    with running_standin() as session:
        plan = [["任务编号", "任务名称", "类别", "责任单位", "计划月份"], ["JH-1", "主题党日", "规定动作", "JT", "全年"]]
        sid = session.seed({"组织架构": org_rows(), "年度计划书": plan, MONTH: task_rows(n, AS_OF)})
        first = one_sync(session, sid, AS_OF, "first sync")
        again = one_sync(session, sid, AS_OF, "same-day re-run")
        print(f"  staff changed {change_tasks(session, sid, 0.01, seed=11):,} tasks (1 %)")
        edits = one_sync(session, sid, AS_OF, "same-day sync")
        print(f"  staff changed {change_tasks(session, sid, 0.01, seed=12):,} more tasks (1 %)")
        nxt = one_sync(session, sid, NEXT_DAY, "next-day sync")
        cells = sum(r * c for r, c in (s.size for s in session.api.spreadsheet(sid).sheets))
    largest = max(first["largest"], again["largest"], edits["largest"], nxt["largest"])
    print(f"  => next day sends {nxt['bytes'] / first['bytes']:.2%} of the first sync's bytes (target < 5 %), "
          f"the same day after 1 % edits {edits['bytes'] / first['bytes']:.2%}; largest request "
          f"{largest / MB:.3f} MB (target <= 2 MB); same-day re-run wrote {again['bytes']} bytes; "
          f"spreadsheet holds {cells:,} cells")


if __name__ == "__main__":
    for size in [int(a) for a in sys.argv[1:]] or [10_000, 100_000]:
        run(size)
