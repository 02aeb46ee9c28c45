"""One sync of one book: read → normalise → apply rules → build reports → write back.

The engine holds the order of the steps and nothing else; each step lives in its own module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

import pandas as pd

from . import progress
from .book import Book, read_book
from .collector import collection_paused
from .dispatch import Context, classify, judged_on
from .fingerprint import inputs_digest, tab_fingerprint
from .holidays import missing_years, with_holidays
from .jobdays import due_jobs, monthly_period, weekly_period
from .monthguard import refuse_rebuild
from .monthsheet import MonthRows, beside_tab, deleted_problems, in_month, month_rows, place_rows, task_colours
from .normalise import empty_tab
from .ownership import claim, colliding, owned_names
from .problems import Problem
from .recall import COMPARED, recalling
from .reports.common import DispatchState
from .reports.registry import build_tabs
from .rerun import Findings, keep, run_key
from .rulebook import Rulebook, load_rules
from .schema import CHANNELS, HOLIDAYS, MONTH, SETTINGS, month_tab_name
from .sheets import Backend, WritePlan


class Memory(Protocol):
    """What the sync remembers between runs (history.py implements it on SQLite)."""

    def previous(self, book: str, before: date, fields: Sequence[str]) -> pd.DataFrame | None:
        """The last snapshot taken before ``before``: one row per task and month sheet (tab, year, month
        and ``fields`` of history.TASK_FIELDS: id, unit, deadline, colour …)."""

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
    would_write: list[str] = field(default_factory=list)  # dry run: the tabs a real sync would change
    snapshot: bool | None = None  # with a history: whether the day's snapshot was stored (only on that day)
    collected: Any = None  # collect mode: the unit-book exchange around this sync (sync.units.collect.Exchanged)

    @property
    def assessed_month(self) -> tuple[int, int]:
        """The month 月考核 shows: the one asked for (--month), else last month on the monthly job's day,
        else this month to date."""
        return self.state.report_month or monthly_period(self.state.rules, self.as_of)

    @property
    def problems(self) -> list[Problem]:
        return self.state.problems

    def findings(self) -> Findings:
        """What the summary shows of this sync (and a same-day re-run shows again, see :mod:`sync.rerun`)."""
        state = self.state
        tasks = state.tasks
        bottom = state.assessment(self.assessed_month).bottom
        return Findings(
            self.jobs, [(c.label, c.fill, int((tasks["colour"] == k).sum())) for k, c in state.rules.palette.items()],
            self.assessed_month,
            [(str(level), [(str(n), float(s)) for n, s in zip(group["unit_name"], group["score"], strict=True)])
             for level, group in bottom.groupby("level", sort=False)],
            [(p.tab, p.fix) for p in state.problems if p.kind == "tab_name_taken"], len(state.problems))

    def to_json(self) -> dict[str, object]:
        tasks = self.state.tasks
        month = self.assessed_month
        return {
            "as_of": self.as_of.isoformat(),
            "jobs": self.jobs,
            "tasks": [{"id": i, "unit": u, "kind": k, "colour": c} for i, u, k, c in
                      zip(tasks["id"], tasks["unit"], tasks["kind"], tasks["colour"], strict=True)],
            "assessment": self.state.assessment(month).to_json(month, judged_on(self.as_of, month)),
            "problems": [p.to_dict() for p in self.problems],
            "written": self.written,
            "would_write": self.would_write,
            "snapshot": self.snapshot,
        }


def run_sync(backend: Backend, as_of: date, *, jobs: list[str] | None = None, rules: Rulebook | None = None,
             memory: Memory | None = None, dry_run: bool = False, month: tuple[int, int] | None = None,
             week: date | None = None, record: bool = False) -> SyncOutcome:
    """One sync of the book open in ``backend`` as of ``as_of``: read it, dispatch, write the plan back
    (unless ``dry_run``: then ask the backend what the write would change) and let ``memory`` record the
    day. ``jobs`` default to those due that day; ``month`` and ``week`` (a Monday) choose the period
    月报表/月考核 and 周报表 report on instead of the due one. With ``record`` (and no ``memory``), the write
    leaves the record a same-day re-run uses to find that nothing can change (see :mod:`sync.rerun`)."""
    with collection_paused(), recalling(memory, backend.label, as_of) as recalled:
        return _run_sync(backend, as_of, jobs=jobs, rules=rules, memory=recalled, dry_run=dry_run, month=month,
                         week=week, record=record)


def _run_sync(backend: Backend, as_of: date, *, jobs: list[str] | None, rules: Rulebook | None,
              memory: Memory | None, dry_run: bool, month: tuple[int, int] | None,
              week: date | None, record: bool) -> SyncOutcome:
    rules = rules or load_rules()
    key = run_key(backend.label, as_of, rules=rules, jobs=jobs, month=month, week=week) \
        if record and memory is None and not dry_run else None
    owned = owned_names(k.label for k in rules.kinds if not k.default)
    progress.step("读取工作簿")
    marked = backend.owned_tabs() if hasattr(backend, "owned_tabs") else None
    stored = backend.fingerprints() if hasattr(backend, "fingerprints") else None
    # only a tab with a sync-owned name but no marker is read: its banner rows decide (ownership.claim)
    unmarked = [n for n in colliding(backend.sheet_names(), owned) if marked is None or n not in marked]
    book = read_book(backend, as_of, also=unmarked)
    progress.tasks(sum(len(data.frame) for data in book.months.values()))
    ym = (as_of.year, as_of.month)
    if ym not in book.months:
        refuse_rebuild(backend, book, ym, memory.sheet_ids(book.label, ym) if memory else frozenset(), owned)
    outcome = plan_sync(book, as_of, jobs=jobs, rules=rules, memory=memory, month=month, week=week,
                        owned=owned, marked=marked, stored=stored)
    progress.step("写回工作簿")
    if dry_run:
        outcome.would_write = backend.changes(outcome.plan)
    else:
        if key is not None and not (outcome.plan.created or outcome.plan.appends):  # see sync.rerun
            keep(backend, key, as_of, outcome.findings())
        with memory.recording(book.label, outcome) if memory else nullcontext():
            if backend.write(outcome.plan):
                outcome.written = outcome.would_write = _written(outcome.plan, backend)
    return outcome


def plan_sync(book: Book, as_of: date, *, rules: Rulebook, jobs: list[str] | None = None,
              memory: Memory | None = None, month: tuple[int, int] | None = None,
              week: date | None = None, owned: tuple[str, ...] = (),
              marked: set[str] | None = None, stored: Mapping[str, str] | None = None) -> SyncOutcome:
    """Everything between reading and writing: new month rows, colours and kinds, the jobs' tabs, and
    the plan that writes them. ``book`` is not changed. ``owned`` are the tab names the sync writes and
    ``marked`` the tabs the backend found its marker on (None: it cannot tell; see :mod:`ownership`).
    ``stored`` are the fingerprints the backend keeps with unedited tabs (None: it keeps none): a tab
    whose inputs have that fingerprint again is not rebuilt (see :mod:`fingerprint`)."""
    rules, setting_problems = rules.with_settings(book.tabs[SETTINGS.key], book.label)
    rules = with_holidays(rules, book.tabs[HOLIDAYS.key])
    ym = (as_of.year, as_of.month)
    previous = memory.previous(book.label, as_of, COMPARED) if memory else None
    month_name = book.months[ym].sheet if ym in book.months else month_tab_name(*ym)
    seen_ids = memory.sheet_ids(book.label, ym) if memory else frozenset()
    renames, owner_problems = claim(book.label, book.sheet_names, owned, marked, book.others)
    new = month_rows(book, rules, *ym, previous_ids=seen_ids)
    placed = place_rows(book, ym, month_name, new)

    channel_ids = frozenset(book.tabs[CHANNELS.key].frame["id"])
    progress.step("判定颜色和调度类别")
    months = {m: classify(data.frame, book.org, rules,
                          Context(as_of, m, channel_ids, memory.first_closed(book.label, m) if memory else None,
                                  in_month(previous, ym, as_of) if m == ym else None))
              for m, data in placed.book.months.items()}
    problems = book.problems + setting_problems + deleted_problems(book.label, month_name, new) \
        + missing_years(book.label, rules, book.tabs[HOLIDAYS.key]) + owner_problems
    monday = week or weekly_period(rules, as_of)
    sunday = monday + timedelta(days=6)
    week_month = (sunday.year, sunday.month) if week else ym
    empty = classify(empty_tab(MONTH).frame, book.org, rules, Context(as_of, ym))
    chosen = jobs if jobs is not None else due_jobs(rules, as_of)
    week_start = memory.previous(book.label, monday, ["id", "colour"]) if memory and "weekly" in chosen else None
    state = DispatchState(as_of, placed.book, rules, months, problems, empty,
                          in_month(week_start, week_month, as_of), month, week)
    progress.step("生成汇总表")
    inputs = inputs_digest(state, renames) if stored is not None else None
    tabs, kept = build_tabs(chosen, state, renames,
                            (lambda job, tab: tab_fingerprint(inputs, job, tab)) if inputs else None, stored)
    plan = WritePlan(owned=tabs, kept=kept, created=placed.created,
                     appends=placed.appends,
                     colours=[task_colours(placed.book.months[m], frame) for m, frame in months.items()
                              if placed.book.months[m].readable],
                     palette=rules.palette, beside=beside_tab(book, ym, owned))
    return SyncOutcome(as_of, chosen, state, plan, new, bool(placed.created))


def _written(plan: WritePlan, backend: Backend) -> list[str]:
    """The plan's tabs the write changed, where the backend can tell (else all of them)."""
    changed = getattr(backend, "written_tabs", None)
    tabs = plan.tab_names()
    return [t for t in tabs if t in changed] or tabs if changed is not None else tabs
