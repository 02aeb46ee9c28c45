"""表1 月度重点工作任务安排表: the month's task rows, drawn from the plan book, the departments'
submissions, open channel issues and (when the sheet is new) last month's open tasks.

The sync creates the month sheet at the month's first sync; afterwards it only appends tasks that
are new to the sheet. A task that was in the sheet before and is now missing was deleted by staff:
it is not put back (``dispatchbook history`` can print it for pasting back).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .book import Book
from .calendar import add_months, month_end
from .rulebook import Rulebook
from .schema import CHANNELS, MONTH, PLAN, STATUS_LABELS, SUBMISSIONS, fold
from .values import parse_progress, parse_status

CARRIED_NOTE = "上月结转"


@dataclass
class MonthRows:
    rows: pd.DataFrame  # MONTH column keys, unit as unit name; the rows to add
    carried: int  # how many of them are last month's open tasks
    deleted: list[str]  # IDs staff removed from the sheet since the last sync (not re-added)


def month_rows(book: Book, rules: Rulebook, year: int, month: int,
               previous_ids: frozenset[str] = frozenset()) -> MonthRows:
    """The rows the month sheet (year, month) should gain now.

    ``previous_ids`` are the task IDs the history ever saw in this sheet; empty without history.
    """
    cal = rules.calendar
    first, last = pd.Timestamp(cal.first_workday(year, month)), pd.Timestamp(cal.last_workday(year, month))
    existing = book.months.get((year, month))
    if existing is not None and not existing.readable:  # its header is broken: nothing to add or miss
        return MonthRows(_frame([]), 0, [])
    parts = [_from_plan(book, month, first, last), _from_submissions(book, year, month, first, last),
             _from_channels(book, rules, pd.Timestamp(month_end(year, month)))]
    carried = 0
    if existing is None and rules.carry_over:
        carry = _carried(book, year, month)
        carried = len(carry)
        parts.append(carry)
    rows = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) \
        else _frame([])
    rows = rows.drop_duplicates("id", keep="first")
    # An ID typed anywhere in the sheet is present, also on a row left out of this run for a bad cell.
    present = {fold(x) for x in (existing.typed_ids or existing.frame["id"])} if existing is not None else set()
    folded = rows["id"].map(fold)
    deleted = sorted(i for i in rows["id"][folded.isin({fold(x) for x in previous_ids})] if fold(i) not in present)
    keep = ~folded.isin(present) & ~rows["id"].isin(deleted)
    return MonthRows(rows[keep].reset_index(drop=True), carried if existing is None else 0, deleted)


def _frame(records: list[dict[str, object]]) -> pd.DataFrame:
    keys = [c.key for c in MONTH.columns]
    return pd.DataFrame.from_records(records, columns=keys)


def _task(**values: object) -> dict[str, object]:
    row: dict[str, object] = {c.key: None for c in MONTH.columns} | {"status": STATUS_LABELS["not_started"]}
    return row | values


def _per_unit(task_id: str, units: tuple[str, ...]) -> list[tuple[str, str]]:
    """(task id, unit code) for each unit a plan or submission row names: ``JH-1-ZB0101`` when several."""
    return [(task_id if len(units) == 1 else f"{task_id}-{code}", code) for code in units]


def _from_plan(book: Book, month: int, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
    records = []
    for r in book.tabs[PLAN.key].frame.itertuples(index=False):
        if month not in r.months:
            continue
        for task_id, code in _per_unit(r.id, r.unit):
            records.append(_task(id=task_id, name=r.name, category=r.category, source=r.source,
                                 lead_dept=r.lead_dept, unit=book.org.label(code), start=first, deadline=last))
    return _frame(records)


def _from_submissions(book: Book, year: int, month: int, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
    records = []
    for r in book.tabs[SUBMISSIONS.key].frame.itertuples(index=False):
        if r.month != (year, month):
            continue
        for task_id, code in _per_unit(r.id, r.unit):
            records.append(_task(id=task_id, name=r.name, category=r.category, source=r.source,
                                 lead_dept=r.dept, unit=book.org.label(code), owner=r.owner,
                                 start=r.start if pd.notna(r.start) else first,
                                 deadline=r.deadline if pd.notna(r.deadline) else last))
    return _frame(records)


def _from_channels(book: Book, rules: Rulebook, end: pd.Timestamp) -> pd.DataFrame:
    """Open channel issues raised by the month's end enter as tasks (key dispatch)."""
    records = []
    for r in book.tabs[CHANNELS.key].frame.itertuples(index=False):
        if r.status == "closed" or r.raised > end:
            continue
        records.append(_task(id=r.id, name=r.content, category=r.category or rules.channel_category,
                             source=r.channel, unit=book.org.label(r.unit), owner=r.owner, start=r.raised,
                             deadline=r.deadline, latest=r.latest,
                             status=STATUS_LABELS[r.status] if r.status else STATUS_LABELS["not_started"]))
    return _frame(records)


def _carried(book: Book, year: int, month: int) -> pd.DataFrame:
    """Last month's tasks that are still open, unchanged but for a note."""
    data = book.months.get(add_months(year, month, -1))
    if data is None:
        return _frame([])
    f = data.frame[data.frame["status"] != "closed"]
    records = []
    for r in f.itertuples(index=False):
        values = {c.key: getattr(r, c.key) for c in MONTH.columns}
        values.update(unit=book.org.label(r.unit), status=STATUS_LABELS.get(r.status or "", STATUS_LABELS["open"]),
                      note=CARRIED_NOTE if not r.note else f"{CARRIED_NOTE}；{r.note}")
        records.append(values)
    return _frame(records)


def as_month_tasks(rows: pd.DataFrame, book: Book) -> pd.DataFrame:
    """New rows shaped like a normalised month sheet frame (unit code, status key), for colouring."""
    f = rows.copy()
    f["unit"] = f["unit"].map(book.org.resolve)
    f["status"] = f["status"].map(lambda s: parse_status(s) if s else None)
    f["progress"] = f["progress"].map(lambda p: parse_progress(p) if p is not None else None).astype("float64")
    for col in ("start", "deadline", "updated"):
        f[col] = pd.to_datetime(f[col])
    f["exemplar"] = f["exemplar"].fillna(False).astype(bool)
    return f

