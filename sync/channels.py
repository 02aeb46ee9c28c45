"""One truth for a channel issue (渠道诉求) that is also a task row in a month sheet.

Staff close a channel issue in the 渠道诉求 tab (its ledger: 状态 and 办理情况). A closure typed on
either side counts for both: the issue is read as closed in 渠道诉求 and in every month sheet, so it
is coloured green, is not carried into the next month and never comes back as a new task. A closure
in 渠道诉求 reaches the latest month sheet holding the issue (earlier months' sheets are history and
keep the state they had). Where the two sides disagree, 数据问题 names the cell to bring in line; the
sync itself never edits either cell.
"""

from __future__ import annotations

from .normalise import TabData
from .problems import Problem
from .schema import fold

CLOSED_HERE = "本次按已办结处理"


def reconcile(channels: TabData, months: list[TabData], book: str) -> list[Problem]:
    """Carry a closure across 渠道诉求 and the month sheets (``months`` oldest first); one problem
    per side left open."""
    if channels.frame.empty or not channels.readable:
        return []
    ledger = channels.frame
    issue_ids = set(ledger["id"].map(fold))
    closed_in_ledger = set(ledger["id"][ledger["status"] == "closed"].map(fold))
    closed_in_sheet: dict[str, str] = {}  # folded id -> the month sheet that closed it
    for data in months:
        if data.readable and not data.frame.empty:
            f = data.frame
            for task in f["id"][f["status"] == "closed"]:
                if fold(task) in issue_ids:
                    closed_in_sheet.setdefault(fold(task), data.sheet)
    latest: dict[str, str] = {}  # folded id -> the latest month sheet holding it (earlier ones are history)
    for data in months:
        if data.readable:
            latest.update((task, data.sheet) for task in data.frame["id"].map(fold) if task in issue_ids)
    problems: list[Problem] = []
    for data in months:
        if not data.readable or data.frame.empty:
            continue
        f = data.frame
        folded = f["id"].map(fold)
        current = folded.map(latest).eq(data.sheet)
        behind = folded.isin(closed_in_ledger) & (f["status"] != "closed") & current
        for task, row in zip(f["id"][behind], f["_row"][behind], strict=True):
            problems.append(Problem(book, data.sheet, data.address(row, "status"), "channel_closed_elsewhere",
                                    f"渠道诉求“{task}”在“{channels.sheet}”表中已办结，本表仍未闭合",
                                    f"渠道诉求以“{channels.sheet}”表为准；请把本行状态改为“已完成”，使两处一致",
                                    task, handled=CLOSED_HERE))
        data.frame = f.assign(status=f["status"].mask(behind, "closed"))
    open_rows = ~ledger["status"].eq("closed") & ledger["id"].map(fold).isin(set(closed_in_sheet))
    for task, row in zip(ledger["id"][open_rows], ledger["_row"][open_rows], strict=True):
        problems.append(Problem(book, channels.sheet, channels.address(row, "status"), "channel_open_in_ledger",
                                f"诉求“{task}”在“{closed_in_sheet[fold(task)]}”中已标为已完成，本表仍未办结",
                                "渠道诉求在本表销号：请把状态改为“已完成”并填写办理情况", task,
                                handled=f"{CLOSED_HERE}，不再作为新任务加入月度任务表"))
    channels.frame = ledger.assign(status=ledger["status"].mask(open_rows, "closed"))
    return problems


