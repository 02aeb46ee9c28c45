"""The read step: one backend → a checked, normalised :class:`Book`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from .channels import reconcile
from .errors import DispatchError
from .normalise import TabData, empty_tab, normalise_tab
from .org import Org, build_org
from .problems import SKIPPED_MONTH_ROW, Problem
from .rowchecks import check_month_rows
from .schema import (
    CHANNELS,
    MONTH,
    ORG,
    PLAN,
    STAFF_TABS,
    SUBMISSIONS,
    Tab,
    match_tab,
    parse_month_tab,
)
from .sheets import Backend, Grid

FIXED_TABS: tuple[Tab, ...] = tuple(t for t in STAFF_TABS if t is not MONTH)


@dataclass
class Book:
    label: str
    org: Org
    tabs: dict[str, TabData]  # by Tab.key: org, plan, submissions, channels, duty, settings
    months: dict[tuple[int, int], TabData]  # month task sheets by (year, month)
    problems: list[Problem] = field(default_factory=list)
    sheet_names: list[str] = field(default_factory=list)  # every tab, in the book's order
    others: dict[str, Grid] = field(default_factory=dict)  # other tabs read along (name clashes)


def read_book(backend: Backend, as_of: date, also: Sequence[str] = ()) -> Book:
    """Read every staff tab once, normalise it and check it against the organisation; the tabs
    ``also`` names that exist are read in the same request, as they are (``Book.others``)."""
    names = backend.sheet_names()
    found: dict[str, str] = {}
    for tab in FIXED_TABS:
        sheet = match_tab(tab, names)
        if sheet:
            found[tab.key] = sheet
        elif tab.required:
            aliases = " / ".join(tab.aliases)
            raise DispatchError(backend.label, f"找不到工作表“{tab.name}”（也可命名为 {aliases}）",
                                "请添加这个工作表，或用 dispatchbook init 生成模板后把数据复制进去")
    month_sheets: dict[tuple[int, int], str] = {}
    twins: list[Problem] = []
    for name in names:
        if (ym := parse_month_tab(name, as_of)) is None:
            continue
        if ym in month_sheets:
            twins.append(Problem(backend.label, name, "", "duplicate_month_sheet",
                                 f"与“{month_sheets[ym]}”是同一个月的任务表，本次只读取前者",
                                 "请把两张表的任务合并到一张表里，删除或改名另一张"))
        else:
            month_sheets[ym] = name
    others = [n for n in dict.fromkeys(also) if n in names]
    grids = backend.read(list(dict.fromkeys([*found.values(), *month_sheets.values(), *others])))
    merged = getattr(backend, "merged_cells", None)  # backends that can tell merged blocks

    def normalise(tab: Tab, name: str, near: date) -> TabData:
        return normalise_tab(grids[name], tab, backend.label, name, near, merged(name) if merged else ())

    tabs = {t.key: normalise(t, found[t.key], as_of) if t.key in found else empty_tab(t) for t in FIXED_TABS}
    months = {ym: normalise(MONTH, name, date(ym[0], ym[1], 15)) for ym, name in sorted(month_sheets.items())}
    if not tabs[ORG.key].readable:
        header = tabs[ORG.key].problems[0]
        raise DispatchError(f"{backend.label} › {header.tab}", header.message,
                            f"{header.fix}；组织架构是所有表的基础，修正后才能调度")
    org, problems = build_org(tabs[ORG.key], backend.label)
    for tab in (PLAN, SUBMISSIONS):
        problems += _resolve_units(tabs[tab.key], org, backend.label, many=True)
    for data in (tabs[CHANNELS.key], *months.values()):
        problems += _resolve_units(data, org, backend.label, many=False)
    for data in (*months.values(), tabs[SUBMISSIONS.key]):
        problems += _check_dates(data, backend.label)
    for data in months.values():
        problems += check_month_rows(data, backend.label, as_of)
    problems += reconcile(tabs[CHANNELS.key], list(months.values()), backend.label)
    about_file: list[Problem] = getattr(backend, "file_problems", [])  # e.g. a read-only .xls (backends/xlsx)
    every = about_file + twins + [p for d in (*tabs.values(), *months.values()) for p in d.problems] + problems
    return Book(backend.label, org, tabs, months, every, names, {n: grids[n] for n in others})


def _resolve_units(data: TabData, org: Org, book: str, *, many: bool) -> list[Problem]:
    """Replace 责任单位 as typed by unit codes (a tuple of codes where a cell may name several).

    Rows already left out are checked too (every problem of a row shows in one run)."""
    problems = _unit_problems(data, data.left_out, org, book, many) if data.left_out is not None else []
    return problems + _unit_problems(data, data.frame, org, book, many, resolve=True)


def _unit_problems(data: TabData, f: pd.DataFrame, org: Org, book: str, many: bool,
                   resolve: bool = False) -> list[Problem]:
    problems: list[Problem] = []
    keep: list[bool] = []
    resolved: list[object] = []
    known: dict[object, tuple[object, list[str]]] = {}  # cell as typed -> (codes, refs not found)
    for refs, row in zip(f["unit"], f["_row"], strict=True):
        if refs is None:  # an empty 责任单位 was reported while normalising
            keep.append(False)
            resolved.append(None)
            continue
        if refs not in known:
            codes: list[str] = []
            bad = [r for r in (refs if many else (refs,)) if not _extend(codes, org, r, many)]
            known[refs] = (tuple(dict.fromkeys(codes)) if many else (codes[0] if codes else None)), bad
        value, bad = known[refs]
        for ref in bad:
            message, fix = org.unknown(ref)
            problems.append(Problem(book, data.sheet, data.address(row, "unit"), "unknown_unit", message,
                                    fix + ("，多个单位用顿号分隔" if many else ""), ref, True,
                                    SKIPPED_MONTH_ROW if data.tab is MONTH else ""))
        keep.append(not bad)
        resolved.append(value)
    if not resolve:
        return problems
    f = f.assign(unit=pd.Series(resolved, index=f.index, dtype=object))
    kept = pd.Series(keep, index=f.index, dtype=bool)
    data.left_out = pd.concat([x for x in (data.left_out, f[~kept]) if x is not None], ignore_index=True)
    data.frame = f[kept].reset_index(drop=True)
    return problems


def _extend(codes: list[str], org: Org, ref: str, many: bool) -> bool:
    found = org.expand(ref) if many else ([c] if (c := org.resolve(ref)) else None)
    if found:
        codes.extend(found)
    return bool(found)


def _check_dates(data: TabData, book: str) -> list[Problem]:
    """A deadline before the start: the start is ignored (expected progress needs both)."""
    f = data.frame
    if "start" not in data.columns:
        return []
    bad = f["start"].notna() & f["deadline"].notna() & (f["deadline"] < f["start"])
    problems = [Problem(book, data.sheet, data.address(row, "deadline"), "deadline_before_start",
                        f"截止日期 {dl:%Y-%m-%d} 早于开始日期 {st:%Y-%m-%d}", "请核对开始日期和截止日期",
                        f"{dl:%Y-%m-%d}")
                for row, st, dl in zip(f["_row"][bad], f["start"][bad], f["deadline"][bad], strict=True)]
    data.frame = f.assign(start=f["start"].mask(bad))
    return problems

