"""表1 月度重点工作任务安排表: the month's task rows, drawn from the plan book, the departments'
submissions, open channel issues and (when the sheet is new) last month's open tasks.

Carry-over (rules/dispatch.toml [month_sheet]): a last-month task still open comes along with its
progress, owner and 最新进展, noted 上月结转. A plan task that continues (全年, 季度, 1-6月 …) stays one task:
its new month's row is last month's, with the later of the two deadlines. A recurring monthly activity
(计划月份 with a word of ``recurring_months``, e.g. 每月) gets a fresh instance; last month's unfinished
instance stays beside it as its own row, its ID suffixed with its month (``JH-1-ZB0101-2026-11``).

The sync creates the month sheet at the month's first sync; afterwards it only appends tasks that
are new to the sheet. A task that was in the sheet before and is now missing was deleted by staff:
it is not put back (``dispatchbook history`` can print it for pasting back).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from .backends.colourmap import MAP_TAB
from .book import Book
from .calendar import add_months, month_end
from .normalise import TabData
from .ownership import SUFFIX
from .problems import Problem
from .rulebook import Rulebook
from .schema import CHANNELS, MONTH, PLAN, STATUS_LABELS, SUBMISSIONS, fold, fold_many, parse_month_tab
from .sheets import RowAppend, SheetGrid, TaskColours
from .staffsheets import printable_month_sheet, staff_cell, staff_sheet
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
    plan = _from_plan(book, month, first, last)
    parts = [plan, _from_submissions(book, year, month, first, last),
             _from_channels(book, rules, pd.Timestamp(month_end(year, month)))]
    carried = 0
    if existing is None and rules.carry_over:
        continued, carry = _carried(book, rules, year, month, plan)
        carried = len(continued) + len(carry)
        mine = set(carry["id"].map(fold))  # a carried row keeps its progress over a fresh copy of its source
        parts = [_continue(plan, continued), *(p[~p["id"].map(fold).isin(mine)] for p in parts[1:]), carry]
    rows = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) \
        else _frame([])
    rows = rows.drop_duplicates("id", keep="first")
    # An ID typed anywhere in the sheet is present, also on a row left out of this run for a bad cell.
    present = set(fold_many(existing.typed_ids or existing.frame["id"].tolist())) if existing is not None else set()
    folded = rows["id"].map(fold)
    deleted = sorted(i for i in rows["id"][folded.isin(set(fold_many(list(previous_ids))))] if fold(i) not in present)
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


def _carried(book: Book, rules: Rulebook, year: int, month: int,
             plan: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Last month's open tasks: (those continuing as this month's plan rows, the rest as their own rows)."""
    before = add_months(year, month, -1)
    data = book.months.get(before)
    if data is None:
        return _frame([]), _frame([])
    fresh = _recurring_ids(book, rules, month)
    planned = set(plan["id"].map(fold))
    records: list[dict[str, object]] = []
    for r in data.frame[data.frame["status"] != "closed"].itertuples(index=False):
        values = {c.key: getattr(r, c.key) for c in MONTH.columns}
        values.update(unit=book.org.label(r.unit), status=STATUS_LABELS.get(r.status or "", STATUS_LABELS["open"]),
                      note=carried_note(r.note))
        if fold(r.id) in fresh:
            values["id"] = f"{r.id}-{before[0]}-{before[1]:02d}"
        records.append(values)
    rows = _frame(records)
    continuing = rows["id"].map(fold).isin(planned - fresh)
    return rows[continuing], rows[~continuing]


def carried_note(note: object) -> str:
    """备注 of a carried row: 上月结转, before staff's own note, never twice."""
    text = str(note) if note is not None and note == note else ""
    return text if text.startswith(CARRIED_NOTE) else f"{CARRIED_NOTE}；{text}" if text else CARRIED_NOTE


def _recurring_ids(book: Book, rules: Rulebook, month: int) -> set[str]:
    """Folded IDs of this month's plan rows that are a recurring monthly activity (fresh each month)."""
    words = [fold(w) for w in rules.recurring_months]
    ids: set[str] = set()
    for r in book.tabs[PLAN.key].frame.itertuples(index=False):
        if month in r.months and any(w in fold(getattr(r.months, "text", "")) for w in words):
            ids.update(fold(task_id) for task_id, _ in _per_unit(r.id, r.unit))
    return ids


def _continue(plan: pd.DataFrame, continued: pd.DataFrame) -> pd.DataFrame:
    """Plan rows whose task continues from last month: last month's row, until the later deadline."""
    if continued.empty:
        return plan
    carried = continued.assign(_key=continued["id"].map(fold)).set_index("_key")
    rows = []
    for record in plan.to_dict("records"):
        key = fold(record["id"])
        if key in carried.index:
            previous = carried.loc[key].to_dict()
            deadlines = [d for d in (previous["deadline"], record["deadline"]) if pd.notna(d)]
            record = previous | {"id": record["id"], "deadline": max(deadlines, key=pd.Timestamp) if deadlines else None}
        rows.append(record)
    return _frame(rows)


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



@dataclass
class Placed:
    """New month rows placed in the book: the sheet to create or the rows to append, and the book as
    it will read once they are written (a new :class:`Book`; the one read is left as it was)."""

    book: Book
    created: list[SheetGrid]
    appends: list[RowAppend]


def place_rows(book: Book, ym: tuple[int, int], name: str, new: MonthRows) -> Placed:
    """Create the month sheet ``name`` with the new rows, or append them below the existing ones;
    either way the returned book's month frame includes them, as if staff had typed them."""
    existing = book.months.get(ym)
    if existing is not None and not existing.readable:  # its header is broken: the sheet is left alone
        return Placed(book, [], [])
    added = as_month_tasks(new.rows, book)
    if existing is None:
        grid = printable_month_sheet(staff_sheet(MONTH, name, new.rows.to_dict("records")))
        columns = {c.key: j for j, c in enumerate(MONTH.columns)}
        added["_row"] = range(2, len(added) + 2)
        return Placed(_with_month(book, ym, TabData(MONTH, name, added, 0, columns)), [grid], [])
    if added.empty:
        return Placed(book, [], [])
    last_row = int(existing.frame["_row"].max()) if len(existing.frame) else existing.header_row + 1
    added["_row"] = range(last_row + 1, last_row + 1 + len(added))
    grown = replace(existing, frame=pd.concat([existing.frame, added], ignore_index=True))
    rows, styles = [], {}
    for record in new.rows.to_dict("records"):
        row = {}
        for key, j in existing.columns.items():
            row[j], style = staff_cell(MONTH.column(key), record.get(key))
            if style:
                styles[j] = style
        rows.append(row)
    return Placed(_with_month(book, ym, grown), [], [RowAppend(existing.sheet, rows, styles)])


def _with_month(book: Book, ym: tuple[int, int], data: TabData) -> Book:
    return replace(book, months={**book.months, ym: data})


def task_colours(data: TabData, frame: pd.DataFrame) -> TaskColours:
    """Each task's colour, shown on the month sheet's 状态 cell and found by 任务编号."""
    return TaskColours(data.sheet, data.header_row, data.columns["id"], data.columns["status"],
                       dict(zip(frame["id"], frame["colour"], strict=True)))


def in_month(snapshot: pd.DataFrame | None, ym: tuple[int, int], as_of: date) -> pd.DataFrame | None:
    """One month sheet's rows of a snapshot, whatever the sheet was called then: a plan task's id
    recurs in every month's sheet."""
    if snapshot is None:
        return None
    if "year" in snapshot and "month" in snapshot:
        return snapshot[(snapshot["year"] == ym[0]) & (snapshot["month"] == ym[1])]
    return snapshot[snapshot["tab"].map(lambda tab: parse_month_tab(tab, as_of) == ym)]


def deleted_problems(book: str, tab: str, new: MonthRows) -> list[Problem]:
    """Tasks staff deleted from this month's sheet: listed on every sync of the month, never re-added."""
    return [Problem(book, tab, "", "deleted_task", f"任务“{task}”已从本表删除，同步不会再自动加回",
                    f"如系误删，运行 dispatchbook history {task} --restore 取回该行后粘贴回来", task,
                    handled="本次未加回该任务")
            for task in new.deleted]


def beside_tab(book: Book, ym: tuple[int, int], owned: tuple[str, ...]) -> str | None:
    """The tab a new month sheet goes after: the latest earlier month sheet, else the last month
    sheet, else the last staff tab (so it never lands after the summary or hidden tabs)."""
    earlier = [m for m in book.months if m < ym]
    months = earlier or list(book.months)
    if months:
        return book.months[max(months)].sheet
    summary = {n.casefold() for n in (*owned, MAP_TAB)}
    staff = [s for s in book.sheet_names if s.casefold() not in summary and not s.endswith(SUFFIX)]
    return staff[-1] if staff else None
