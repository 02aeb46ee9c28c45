"""One sync of one book: read → normalise → apply rules → build reports → write back.

The engine holds the order of the steps and nothing else; each step lives in its own module.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import pandas as pd

from .backends.base import Backend, RowAppend, SheetGrid, TaskColours, WritePlan
from .book import Book, read_book
from .dispatch import Context, classify
from .jobs import build_tabs, due_jobs, weekly_period
from .monthsheet import MonthRows, as_month_tasks, month_rows
from .normalise import TabData, empty_tab
from .problems import Problem
from .reports.common import DispatchState
from .rulebook import Rulebook, load_rules
from .schema import CHANNELS, MONTH, SETTINGS, month_tab_name
from .staffsheets import staff_cell, staff_sheet


class Memory(Protocol):
    """What the sync remembers between runs (history.py implements it on SQLite)."""

    def previous(self, book: str, before: date) -> pd.DataFrame | None:
        """The last snapshot taken before ``before``: one row per task (tab, id, unit, deadline, colour …)."""

    def first_closed(self, book: str, month: tuple[int, int]) -> pd.Series:
        """Task id → the first day it was seen closed in the month's sheet (an id recurs every month)."""

    def sheet_ids(self, book: str, month: tuple[int, int]) -> frozenset[str]:
        """Every task id any snapshot saw in the month's sheet (one missing now was deleted by staff)."""

    def recording(self, book: str, outcome: SyncOutcome) -> AbstractContextManager[None]:
        """Store this sync's snapshot, assessment lines and run record around its write (the ``with``
        body): all of it, with the write, or none of it and no write."""


@dataclass
class SyncOutcome:
    as_of: date
    jobs: list[str]
    state: DispatchState
    plan: WritePlan
    month: MonthRows
    month_created: bool
    written: list[str] = field(default_factory=list)  # empty when the book already held everything

    @property
    def problems(self) -> list[Problem]:
        return self.state.problems

    def to_json(self) -> dict[str, object]:
        tasks = self.state.tasks
        scores = self.state.assessment(self.state.month).scores
        return {
            "as_of": self.as_of.isoformat(),
            "jobs": self.jobs,
            "tasks": [{"id": i, "unit": u, "kind": k, "colour": c} for i, u, k, c in
                      zip(tasks["id"], tasks["unit"], tasks["kind"], tasks["colour"], strict=True)],
            "assessment": [{"unit": u, "level": lvl, "score": float(s), "rank": int(r)} for u, lvl, s, r in
                           zip(scores["unit"], scores["level"], scores["score"], scores["rank"], strict=True)],
            "problems": [p.to_dict() for p in self.problems],
            "written": self.written,
        }


def run_sync(backend: Backend, as_of: date, *, jobs: list[str] | None = None, rules: Rulebook | None = None,
             memory: Memory | None = None, dry_run: bool = False) -> SyncOutcome:
    rules = rules or load_rules()
    book = read_book(backend, as_of)
    rules, setting_problems = rules.with_settings(book.tabs[SETTINGS.key], book.label)
    ym = (as_of.year, as_of.month)
    previous = memory.previous(book.label, as_of) if memory else None
    month_name = book.months[ym].sheet if ym in book.months else month_tab_name(*ym)
    seen_ids = memory.sheet_ids(book.label, ym) if memory else frozenset()
    new = month_rows(book, rules, *ym, previous_ids=seen_ids)
    created, appends = _place_new_rows(book, ym, month_name, new)

    channel_ids = frozenset(book.tabs[CHANNELS.key].frame["id"])
    months = {m: classify(data.frame, book.org, rules,
                          Context(as_of, m, channel_ids, memory.first_closed(book.label, m) if memory else None,
                                  _in_sheet(previous, month_name) if m == ym else None))
              for m, data in book.months.items()}
    problems = book.problems + setting_problems + _deleted_problems(book.label, month_name, new, previous) \
        + _calendar_problems(book.label, rules)
    monday = weekly_period(rules, as_of)
    empty = classify(empty_tab(MONTH).frame, book.org, rules, Context(as_of, ym))
    state = DispatchState(as_of, book, rules, months, problems, empty,
                          _in_sheet(memory.previous(book.label, monday), month_name) if memory else None)
    chosen = jobs if jobs is not None else due_jobs(rules, as_of)
    plan = WritePlan(owned=build_tabs(chosen, state), created=created, appends=appends,
                     colours=[_colours(book.months[m], frame) for m, frame in months.items()],
                     palette=rules.palette)
    outcome = SyncOutcome(as_of, chosen, state, plan, new, bool(created))
    if not dry_run:
        with memory.recording(book.label, outcome) if memory else nullcontext():
            if backend.write(plan):
                outcome.written = plan.tab_names()
    return outcome


def _place_new_rows(book: Book, ym: tuple[int, int], name: str,
                    new: MonthRows) -> tuple[list[SheetGrid], list[RowAppend]]:
    """Create the month sheet with its rows, or append the new rows below the existing ones; either
    way the book's month frame then includes them, as if staff had typed them."""
    existing = book.months.get(ym)
    added = as_month_tasks(new.rows, book)
    if existing is None:
        grid = staff_sheet(MONTH, name, new.rows.to_dict("records"))
        columns = {c.key: j for j, c in enumerate(MONTH.columns)}
        added["_row"] = range(2, len(added) + 2)
        book.months[ym] = TabData(MONTH, name, added, 0, columns)
        return [grid], []
    if added.empty:
        return [], []
    last_row = int(existing.frame["_row"].max()) if len(existing.frame) else existing.header_row + 1
    added["_row"] = range(last_row + 1, last_row + 1 + len(added))
    existing.frame = pd.concat([existing.frame, added], ignore_index=True)
    rows, styles = [], {}
    for record in new.rows.to_dict("records"):
        row = {}
        for key, j in existing.columns.items():
            row[j], style = staff_cell(MONTH.column(key), record.get(key))
            if style:
                styles[j] = style
        rows.append(row)
    return [], [RowAppend(existing.sheet, rows, styles)]


def _colours(data: TabData, frame: pd.DataFrame) -> TaskColours:
    return TaskColours(data.sheet, data.header_row, data.columns["id"], data.columns["status"],
                       dict(zip(frame["id"], frame["colour"], strict=True)))


def _in_sheet(snapshot: pd.DataFrame | None, tab: str) -> pd.DataFrame | None:
    """One month sheet's rows of a snapshot: a plan task's id recurs in every month's sheet."""
    return snapshot[snapshot["tab"] == tab] if snapshot is not None else None


def _deleted_problems(book: str, tab: str, new: MonthRows, previous: pd.DataFrame | None) -> list[Problem]:
    """Tasks staff deleted since the last snapshot (the day before): reported that day, never re-added."""
    sheet = _in_sheet(previous, tab)
    last = set(sheet["id"]) if sheet is not None else set()
    return [Problem(book, tab, "", "deleted_task", f"任务“{task}”已从本表删除，同步不会再自动加回",
                    f"如系误删，运行 dispatchbook history {task} --restore 取回该行后粘贴回来", task)
            for task in new.deleted if task in last]


def _calendar_problems(book: str, rules: Rulebook) -> list[Problem]:
    years = sorted(rules.calendar.uncovered_years)
    if not years:
        return []
    listed = "、".join(str(y) for y in years)
    return [Problem(book, "rules/calendar.toml", "", "calendar_missing",
                    f"{listed} 年的法定节假日和调休数据缺失，已按周一至周五计算工作日",
                    "请在 rules/calendar.toml 中补充节假日和调休上班日，或升级 chinese-calendar")]
