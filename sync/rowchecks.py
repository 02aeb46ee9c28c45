"""Checks across the cells of one month-sheet row: progress against status, 更新日期 in the future.

The values were each readable on their own; these problems say which one this run believes.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from .normalise import TabData
from .problems import Problem

LOW_PROGRESS = 50  # a closed task whose typed progress is below this (in %) is reported


def check_month_rows(data: TabData, book: str, as_of: date) -> list[Problem]:
    """Problems for contradicting progress and status, and future 更新日期 (then read as empty)."""
    if not data.readable or data.frame.empty:
        return []
    f = data.frame
    problems: list[Problem] = []
    if "status" in data.columns:
        done_open = (f["progress"] >= 100) & (f["status"] != "closed")
        closed_low = (f["status"] == "closed") & (f["progress"] < LOW_PROGRESS)
        for row, status in zip(f["_row"][done_open], f["status"][done_open], strict=True):
            problems.append(Problem(
                book, data.sheet, data.address(row, "status"), "done_but_open",
                f"进度为 100%，状态却是“{_status_word(status)}”",
                "如已办结请把状态改为“已完成”；否则请把进度改为实际完成的比例", None, False,
                "本次按未闭合处理"))
        for row, progress in zip(f["_row"][closed_low], f["progress"][closed_low], strict=True):
            problems.append(Problem(
                book, data.sheet, data.address(row, "progress"), "closed_low_progress",
                f"状态为已完成，进度却只有 {progress:g}%", "如已办结请把进度改为 100%；否则请把状态改为“进行中”",
                f"{progress:g}", False, "本次按已闭合处理"))
        problems.sort(key=lambda p: int(p.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")))
    if "updated" in data.columns:
        future = f["updated"].notna() & (f["updated"] > pd.Timestamp(as_of))
        for row, day in zip(f["_row"][future], f["updated"][future], strict=True):
            problems.append(Problem(
                book, data.sheet, data.address(row, "updated"), "future_update",
                f"更新日期 {day:%Y-%m-%d} 晚于今天（{as_of:%Y-%m-%d}）", "请填写实际更新进展的日期",
                f"{day:%Y-%m-%d}", False, "本次更新日期按空值处理"))
        data.frame = f.assign(updated=f["updated"].mask(future))
    return problems


def _status_word(status: object) -> str:
    return {"open": "进行中", "not_started": "未开始"}.get(str(status), "未填写") if status else "未填写"
