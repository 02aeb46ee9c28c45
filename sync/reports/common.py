"""What several reports share: the dispatch state they read, roll-up counts, unit order, task lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from ..assessment import Assessment, assess
from ..book import Book
from ..org import Org
from ..problems import Problem
from ..rulebook import Rulebook
from .layout import Block, frame_rows

SEVERITY = {"overdue": 0, "warning": 1, "in_progress": 2, "closed": 3}  # by colour role


@dataclass
class DispatchState:
    """Everything the reports read; built once per sync, no I/O."""

    as_of: date
    book: Book
    rules: Rulebook
    months: dict[tuple[int, int], pd.DataFrame]  # classified tasks of every month sheet
    problems: list[Problem]
    empty: pd.DataFrame  # a classified frame with no tasks: what a missing month sheet reads as
    week_start: pd.DataFrame | None = None  # snapshot before this week (history): id, colour
    report_month: tuple[int, int] | None = None  # sync --month: the month 月报表 and 月考核 reissue
    report_week: date | None = None  # sync --week: the Monday of the week 周报表 reissues
    _assessments: dict[tuple[int, int], Assessment] = field(default_factory=dict)

    @property
    def month(self) -> tuple[int, int]:
        return self.as_of.year, self.as_of.month

    @property
    def tasks(self) -> pd.DataFrame:
        """The as-of month's classified tasks (empty frame when that sheet does not exist)."""
        return self.months.get(self.month, self.empty)

    @property
    def org(self) -> Org:
        return self.book.org

    def assessment(self, month: tuple[int, int]) -> Assessment:
        if month not in self._assessments:
            self._assessments[month] = assess(self.months.get(month, self.empty), self.org, self.rules)
        return self._assessments[month]


def hierarchy(org: Org) -> list[tuple[str, int]]:
    """Units in reading order: the group, then each committee followed by its branches (code, depth)."""
    children: dict[str | None, list[str]] = {}
    for code in org.codes:
        children.setdefault(org.parents.get(code), []).append(code)
    ordered: list[tuple[str, int]] = []
    seen: set[str] = set()

    def walk(code: str, depth: int) -> None:
        seen.add(code)
        ordered.append((code, depth))
        for child in children.get(code, []):
            if child not in seen:
                walk(child, depth + 1)

    for root in children.get(None, []):
        walk(root, 0)
    return ordered


def rollup(tasks: pd.DataFrame, org: Org, by: str, keys: Sequence[object]) -> pd.DataFrame:
    """Count tasks per unit and value of ``by``; each task also counts for every ancestor of its unit.
    Counted per (unit, value) first, then each distinct unit's counts added to its chain's units."""
    at = {code: i for i, code in enumerate(org.codes)}
    totals = np.zeros((len(org.codes), len(keys)), dtype=np.int64)
    if not tasks.empty:
        unit_codes, units = pd.factorize(tasks["unit"])
        value_codes = pd.Index(keys).get_indexer(tasks[by])  # -1: not one of ``keys``
        counted = (unit_codes >= 0) & (value_codes >= 0)
        leaf = np.bincount(unit_codes[counted] * len(keys) + value_codes[counted],
                           minlength=len(units) * len(keys)).reshape(len(units), len(keys))
        for unit, counts in zip(units, leaf, strict=True):
            for code in org.chain(unit):
                if code in at:
                    totals[at[code]] += counts
    return pd.DataFrame(totals, index=pd.Index(org.codes, name="unit"), columns=keys)


def chains(units: pd.Series, org: Org) -> pd.Series:
    """Each unit's chain (itself and its ancestors), computed once per distinct unit."""
    return units.map({u: org.chain(u) for u in units.unique()})


def colour_counts(tasks: pd.DataFrame, rules: Rulebook, sep: str = "，") -> str:
    """'绿色已闭合 57，红色考核 8，…' in palette order."""
    return sep.join(f"{c.label} {int((tasks['colour'] == key).sum())}" for key, c in rules.palette.items())


def role_label(rules: Rulebook, role: str) -> str:
    """The label of the (first) colour playing ``role``, e.g. 红色考核 for overdue."""
    return next(r.label for r in rules.colours if r.role == role)


def indent(name: str, depth: int) -> str:
    return "　" * depth + name


def rate(closed: float, total: float) -> float | None:
    return round(closed / total, 4) if total else None


TASK_LIST = [("任务编号", "id"), ("任务名称", "name"), ("类别", "category"), ("来源", "source"),
             ("责任单位", "unit_name"), ("责任人", "owner"), ("截止日期", "deadline"), ("进度", "progress_fraction"),
             ("状态", "status_label"), ("颜色", "colour_label"), ("最新进展", "latest")]


def task_block(title: str | None, tasks: pd.DataFrame, rules: Rulebook,
               columns: Sequence[tuple[str, str]] = TASK_LIST, first_by: str | None = None) -> Block:
    """A task list: ``columns`` are (header, frame column) — ``progress_fraction`` shows progress as a
    percent, ``colour_label`` is filled in its colour. Sorted by ``first_by`` (if given), then most
    urgent first (red, orange, blue, green), then deadline."""
    palette = rules.palette
    f = tasks.assign(_sev=tasks["role"].map(SEVERITY).fillna(9),
                     progress_fraction=tasks["progress"].astype("float64") / 100)
    f = f.sort_values([*([first_by] if first_by else []), "_sev", "deadline", "id"], kind="stable")
    keys = [key for _, key in columns]
    fills = {}
    if "colour_label" in keys:
        colour_col = keys.index("colour_label")
        fills = {(i, colour_col): palette[c] for i, c in enumerate(f["colour"].tolist()) if c in palette}
    formats = {keys.index("progress_fraction"): "0%"} if "progress_fraction" in keys else {}
    return Block(title, [header for header, _ in columns], frame_rows(f, keys), formats=formats, fills=fills,
                 plain=True)
