"""One sync of one book: read → normalise → apply rules → build reports → write back.

The engine holds the order of the steps and nothing else; each step lives in its own module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import pandas as pd

from .book import Book, read_book
from .dispatch import Context, classify
from .holidays import missing_years, with_holidays
from .jobdays import due_jobs, weekly_period
from .monthsheet import MonthRows, deleted_problems, in_sheet, month_rows, place_rows, task_colours
from .normalise import empty_tab
from .problems import Problem
from .reports.common import DispatchState
from .reports.registry import build_tabs
from .rulebook import Rulebook, load_rules
from .schema import CHANNELS, HOLIDAYS, MONTH, SETTINGS, month_tab_name
from .sheets import Backend, WritePlan


class Memory(Protocol):
    """What the sync remembers between runs (history.py implements it on SQLite)."""

    def previous(self, book: str, before: date) -> pd.DataFrame | None:
        """The last snapshot taken before ``before``: one row per task (tab, id, unit, deadline, colour …)."""

    def first_closed(self, book: str, month: tuple[int, int]) -> pd.Series:
        """Task id → the first day it was seen closed in the month's sheet (an id recurs every month)."""

    def sheet_ids(self, book: str, month: tuple[int, int]) -> frozenset[str]:
        """Every task id any snapshot saw in the month's sheet (one missing now was deleted by staff)."""

    def record(self, book: str, outcome: SyncOutcome) -> None:
        """Store this sync's snapshot, assessment lines and run record."""


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
    """One sync of the book open in ``backend`` as of ``as_of``: read it, dispatch, write the plan back
    (unless ``dry_run``) and let ``memory`` record the day. ``jobs`` default to those due that day."""
    rules = rules or load_rules()
    book = read_book(backend, as_of)
    outcome = plan_sync(book, as_of, jobs=jobs, rules=rules, memory=memory)
    if not dry_run:
        if backend.write(outcome.plan):
            outcome.written = outcome.plan.tab_names()
        if memory:
            memory.record(book.label, outcome)
    return outcome


def plan_sync(book: Book, as_of: date, *, rules: Rulebook, jobs: list[str] | None = None,
              memory: Memory | None = None) -> SyncOutcome:
    """Everything between reading and writing: new month rows, colours and kinds, the jobs' tabs, and
    the plan that writes them. ``book`` is not changed."""
    rules, setting_problems = rules.with_settings(book.tabs[SETTINGS.key], book.label)
    rules = with_holidays(rules, book.tabs[HOLIDAYS.key])
    ym = (as_of.year, as_of.month)
    previous = memory.previous(book.label, as_of) if memory else None
    month_name = book.months[ym].sheet if ym in book.months else month_tab_name(*ym)
    seen_ids = memory.sheet_ids(book.label, ym) if memory else frozenset()
    new = month_rows(book, rules, *ym, previous_ids=seen_ids)
    placed = place_rows(book, ym, month_name, new)

    channel_ids = frozenset(book.tabs[CHANNELS.key].frame["id"])
    months = {m: classify(data.frame, book.org, rules,
                          Context(as_of, m, channel_ids, memory.first_closed(book.label, m) if memory else None,
                                  in_sheet(previous, month_name) if m == ym else None))
              for m, data in placed.book.months.items()}
    problems = book.problems + setting_problems + deleted_problems(book.label, month_name, new, previous) \
        + missing_years(book.label, rules, book.tabs[HOLIDAYS.key])
    monday = weekly_period(rules, as_of)
    empty = classify(empty_tab(MONTH).frame, book.org, rules, Context(as_of, ym))
    state = DispatchState(as_of, placed.book, rules, months, problems, empty,
                          in_sheet(memory.previous(book.label, monday), month_name) if memory else None)
    chosen = jobs if jobs is not None else due_jobs(rules, as_of)
    plan = WritePlan(owned=build_tabs(chosen, state), created=placed.created, appends=placed.appends,
                     colours=[task_colours(placed.book.months[m], frame) for m, frame in months.items()],
                     palette=rules.palette)
    return SyncOutcome(as_of, chosen, state, plan, new, bool(placed.created))
