"""Raw grids → typed frames plus problems, one tab at a time.

The header row is found among the first rows (title rows and blank rows above it are skipped),
headers are matched by label or English alias after folding. Every bad cell becomes a
:class:`Problem` with its address; a row whose *required* cell is bad is left out, the rest go on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import zip_longest

import numpy as np
import pandas as pd

from . import values as v
from .a1 import cell_address
from .empty import is_empty
from .errors import DispatchError
from .problems import Problem
from .schema import Column, Kind, Tab, fold, header_words
from .sheets import Grid

HEADER_SCAN_ROWS = 20

_PARSERS: dict[Kind, Callable[[object, date], object]] = {  # text is read in _parse_column itself
    "date": v.parse_date,
    "progress": lambda x, _: v.parse_progress(x),
    "status": lambda x, _: v.parse_status(x),
    "level": lambda x, _: v.parse_level(x),
    "month": lambda x, _: v.parse_month(x),
    "months": lambda x, _: v.parse_months(x),
    "units": lambda x, _: v.parse_units(x),
    "flag": lambda x, _: v.parse_flag(x),
    "day_type": lambda x, _: v.parse_day_type(x),
}

FIXES: dict[Kind, str] = {
    "date": "请填写日期，如 2026-11-05、2026/11/5 或 2026年11月5日",
    "progress": "请填写 0–100 之间的进度，如 80 或 80%",
    "status": "请填写 未开始、进行中 或 已完成（也可写 已闭合、已销号、推进中 等）",
    "level": "请填写 集团党委、基层党委 或 党支部",
    "month": "请填写月份，如 2026-11",
    "months": "请填写计划月份，如 11、3,6,9、1-6月 或 全年",
    "flag": "典型任务请填“是”，否则留空",
    "day_type": "请填写 放假（休息的日子）或 调休上班（补班的周末）",
}


@dataclass
class TabData:
    """One staff tab after normalising."""

    tab: Tab
    sheet: str  # the sheet's name in the book
    frame: pd.DataFrame  # one column per schema key, plus `_row` (1-based sheet row)
    header_row: int  # 0-based
    columns: dict[str, int]  # schema key -> 0-based column in the sheet
    problems: list[Problem] = field(default_factory=list)

    def address(self, row: int, key: str) -> str:
        """'I17' for the 1-based sheet row and a column key."""
        return cell_address(row - 1, self.columns[key])


def empty_tab(tab: Tab, sheet: str = "") -> TabData:
    frame = pd.DataFrame({c.key: pd.Series(dtype=_dtype(c.kind)) for c in tab.columns})
    frame["_row"] = pd.Series(dtype="int64")
    return TabData(tab, sheet or tab.name, frame, 0, {})


def locate_header(grid: Grid, tab: Tab, book: str, sheet: str) -> tuple[int, dict[str, int]]:
    """The header row (0-based) and each column key's position; missing columns are an error."""
    words = {w: c.key for c in tab.columns for w in header_words(c)}
    best_row, best = 0, dict[str, int]()
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for c, cell in enumerate(row):
            key = words.get(fold(cell)) if cell is not None else None
            if key and key not in found:
                found[key] = c
        if len(found) > len(best):
            best_row, best = r, found
    missing = [c for c in tab.columns if not c.optional and c.key not in best]
    if missing:
        listed = "、".join(f"“{c.label}”（也可写作 {' / '.join(c.aliases)}）" for c in missing)
        raise DispatchError(f"{book} › {sheet}", f"找不到表头 {listed}",
                            "请在表头行加上这些列；表头上方的标题行和空行会被跳过")
    return best_row, best


def normalise_tab(grid: Grid, tab: Tab, book: str, sheet: str, near: date) -> TabData:
    """Parse every data row of ``grid`` as ``tab``; ``near`` dates partial dates such as 11月5日.

    Works column by column (each distinct value is parsed once), then drops fully empty rows and
    rows whose required cell is bad or empty.
    """
    header_row, columns = locate_header(grid, tab, book, sheet)
    present = [c for c in tab.columns if c.key in columns]
    body = grid[header_row + 1:]
    transposed = list(zip_longest(*body))  # one tuple per sheet column, rows padded with None
    nothing = (None,) * len(body)
    parsed: dict[str, list[object]] = {}
    bad: dict[str, list[tuple[int, str, object]]] = {}
    for col in present:
        j = columns[col.key]
        parsed[col.key], bad[col.key] = _parse_column(col, transposed[j] if j < len(transposed) else nothing, near)
    width = len(parsed)
    used = [row.count(None) < width for row in zip(*parsed.values(), strict=True)] if parsed else []  # not blank
    for failures in bad.values():
        for i, _, _ in failures:
            used[i] = True
    keep = list(used)
    found: list[tuple[int, int, Problem]] = []
    for col in present:
        j = columns[col.key]
        for i, reason, value in bad[col.key]:
            found.append((i, j, Problem(book, sheet, cell_address(header_row + 1 + i, j), f"bad_{col.kind}",
                                        f"{col.label}“{v.text(value)}”{reason}", FIXES[col.kind],
                                        v.text(value), col.required)))
            keep[i] &= not col.required
        if col.required:
            reported = {i for i, _, _ in bad[col.key]}
            for i, (result, row_used) in enumerate(zip(parsed[col.key], used, strict=True)):
                if row_used and result is None and i not in reported:
                    found.append((i, j, Problem(book, sheet, cell_address(header_row + 1 + i, j), "missing_value",
                                                f"{col.label}为空", f"请填写{col.label}", None, True)))
                    keep[i] = False
    mask = np.array(keep, dtype=bool)
    frame = pd.DataFrame({c.key: _column(parsed.get(c.key), mask, c.kind) for c in tab.columns})
    frame["_row"] = pd.Series(np.flatnonzero(mask) + header_row + 2, dtype="int64")
    problems = [p for _, _, p in sorted(found, key=lambda t: (t[0], t[1]))]
    result = TabData(tab, sheet, frame, header_row, columns, problems)
    if tab.id_column and tab.id_column in columns:
        _drop_duplicates(result, book)
    return result


def _parse_column(col: Column, cells: Sequence[object],
                  near: date) -> tuple[list[object], list[tuple[int, str, object]]]:
    """One column's parsed values (None for every empty cell) and its bad cells."""
    if col.kind == "text":  # the common case: no parsing, no failures
        return [(x.strip() or None) if type(x) is str else None if x is None else v.text(x) for x in cells], []
    out: list[object] = []
    failures: list[tuple[int, str, object]] = []
    cache: dict[tuple[type, object], object] = {}
    for i, x in enumerate(cells):
        if is_empty(x):
            out.append(None)
            continue
        try:
            out.append(_parse(col, x, near, cache))
        except v.BadValue as reason:
            failures.append((i, str(reason), x))
            out.append(None)
    return out, failures


def _column(values: list[object] | None, mask: np.ndarray, kind: Kind) -> pd.Series:
    """The kept rows of one parsed column (an absent column reads as empty)."""
    kept = pd.Series(values, dtype=object)[mask].tolist() if values is not None else [None] * int(mask.sum())
    return pd.Series(kept, dtype=_dtype(kind))


def _parse(col: Column, value: object, near: date, cache: dict[tuple[type, object], object]) -> object:
    key = (type(value), value)
    if key not in cache:
        cache[key] = _PARSERS[col.kind](value, near)
    return cache[key]


def _dtype(kind: Kind) -> str:
    return {"date": "datetime64[ns]", "progress": "float64", "flag": "bool"}.get(kind, "object")


def _drop_duplicates(data: TabData, book: str) -> None:
    """Keep the first row of each ID; every later one is a problem and is left out."""
    key = data.tab.id_column
    assert key is not None
    folded = data.frame[key].map(fold)
    dup = folded.duplicated(keep="first")
    if not dup.any():
        return
    first_row = dict(zip(folded[~dup], data.frame["_row"][~dup], strict=True))
    label = data.tab.column(key).label
    for idx in data.frame.index[dup]:
        value, row = data.frame.at[idx, key], int(data.frame.at[idx, "_row"])
        data.problems.append(Problem(
            book, data.sheet, data.address(row, key), "duplicate_id",
            f"{label}“{value}”与第 {first_row[folded[idx]]} 行重复", f"每个{label}只能出现一次，请改为唯一编号",
            str(value), True))
    data.frame = data.frame[~dup].reset_index(drop=True)
