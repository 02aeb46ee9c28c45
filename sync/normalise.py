"""Raw grids → typed frames plus problems, one tab at a time.

The header row is found among the first rows (title rows and blank rows above it are skipped),
headers are matched by label or English alias after folding. Every bad cell becomes a
:class:`Problem` with its address; a row whose *required* cell is bad is left out, the rest go on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from itertools import zip_longest

import numpy as np
import pandas as pd

from . import values as v
from .a1 import cell_address
from .empty import is_empty
from .problems import SKIPPED, SKIPPED_MONTH_ROW, Problem
from .schema import Column, Kind, Tab, fold, fold_header, fold_many, header_words
from .sheets import Cell, Grid

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


TOTAL_WORDS = frozenset(fold(w) for w in ("合计", "小计", "总计", "总数", "合计数", "total", "subtotal"))
EXCEL_ERRORS = frozenset(("#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!",
                          "#CALC!", "#GETTING_DATA", "#ERROR!"))
Merge = tuple[int, int, int, int]
"""A merged block: first row, first column, last row, last column (0-based, inclusive)."""


@dataclass
class TabData:
    """One staff tab after normalising."""

    tab: Tab
    sheet: str  # the sheet's name in the book
    frame: pd.DataFrame  # one column per schema key, plus `_row` (1-based sheet row)
    header_row: int  # 0-based
    columns: dict[str, int]  # schema key -> 0-based column in the sheet
    problems: list[Problem] = field(default_factory=list)
    typed_ids: list[str] = field(default_factory=list)  # the ID of every row as typed, rows left out included
    left_out: pd.DataFrame | None = None  # rows left out of this run (same columns as frame)
    readable: bool = True  # False when the header could not be matched: the tab is left alone

    def address(self, row: int, key: str) -> str:
        """'I17' for the 1-based sheet row and a column key."""
        return cell_address(row - 1, self.columns[key])


def empty_tab(tab: Tab, sheet: str = "") -> TabData:
    frame = pd.DataFrame({c.key: pd.Series(dtype=_dtype(c.kind)) for c in tab.columns})
    frame["_row"] = pd.Series(dtype="int64")
    return TabData(tab, sheet or tab.name, frame, 0, {})


def locate_header(grid: Grid, tab: Tab, book: str, sheet: str) -> tuple[int, dict[str, int], Problem | None]:
    """The header row (0-based), each column key's position, and a problem when a required
    column is missing (naming the header cells found and the nearest known header)."""
    words = {w: c.key for c in tab.columns for w in header_words(c)}
    best_row, best = 0, dict[str, int]()
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for c, cell in enumerate(row):
            key = words.get(fold_header(cell)) if cell is not None else None
            if key and key not in found:
                found[key] = c
        if len(found) > len(best):
            best_row, best = r, found
    missing = [c for c in tab.columns if not c.optional and c.key not in best]
    if not missing:
        return best_row, best, None
    return best_row, best, _header_problem(grid, best_row, best, missing, book, sheet)


def _header_problem(grid: Grid, row: int, found: dict[str, int], missing: list[Column], book: str,
                    sheet: str) -> Problem:
    cells = grid[row] if row < len(grid) else []
    used = set(found.values())
    others = {c: v.text(x) or "" for c, x in enumerate(cells) if c not in used and not is_empty(x)}
    listed = "、".join(f"“{c.label}”（也可写作 {' / '.join(c.aliases)}）" for c in missing)
    seen = "、".join(f"{cell_address(row, c)}“{v.text(x)}”" for c, x in enumerate(cells) if not is_empty(x))
    hints = []
    for col in missing:
        scored = [(max(SequenceMatcher(None, w, fold_header(t)).ratio() for w in header_words(col)), c)
                  for c, t in others.items()]
        score, c = max(scored, default=(0.0, -1))
        if score >= 0.4:
            hints.append(f"{cell_address(row, c)}“{others[c]}”是否应为“{col.label}”")
    where = f"第 {row + 1} 行的表头为：{seen}" if seen else "前 20 行里没有找到表头"
    fix = ("；".join(hints) + "。" if hints else "") + "请在表头行加上这些列（表头上方的标题行和空行会被跳过）"
    return Problem(book, sheet, "", "missing_header", f"找不到表头 {listed}；{where}", fix,
                   handled="本表本次未参与调度，其他表照常同步", skipped=True)


def normalise_tab(grid: Grid, tab: Tab, book: str, sheet: str, near: date,
                  merges: Sequence[Merge] = ()) -> TabData:
    """Parse every data row of ``grid`` as ``tab``; ``near`` dates partial dates such as 11月5日.

    Works column by column (each distinct value is parsed once), then drops fully empty rows,
    合计/小计 rows, and rows whose required cell is bad or empty. A value merged over several rows
    counts for each of them. A tab whose header cannot be matched is read as empty and not readable.
    """
    header_row, columns, header_problem = locate_header(grid, tab, book, sheet)
    if header_problem is not None:
        data = empty_tab(tab, sheet)
        data.problems, data.readable, data.header_row = [header_problem], False, header_row
        return data
    present = [c for c in tab.columns if c.key in columns]
    id_col = columns.get(tab.id_column) if tab.id_column else None
    body = grid[header_row + 1:]
    if merges:  # values merged down a block are copied into each row: work on a copy
        body = [list(r) for r in body]
    found: list[tuple[int, int, Problem]] = []
    merged_ids = _spread_merges(body, header_row, merges, id_col)
    transposed = list(zip_longest(*body))  # one tuple per sheet column, rows padded with None
    nothing = (None,) * len(body)
    ids = transposed[id_col] if id_col is not None and id_col < len(transposed) else nothing
    totals = {i for i, x in enumerate(ids) if _may_be_total(x) and _is_total(body[i])}
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
    for i in totals:
        used[i] = False
    keep = list(used)
    left_out = _left_out_outcome(tab)
    for i, (ref, j) in merged_ids.items():
        found.append((i, j, Problem(book, sheet, cell_address(header_row + 1 + i, j), "merged_id",
                                    f"{tab.column(tab.id_column or '').label}位于合并单元格 {ref}，几行共用一个编号",
                                    "请取消合并，为每一行填写各自的编号", None, True, left_out)))
        keep[i] = False
    for col in present:
        j = columns[col.key]
        for i, reason, value in bad[col.key]:
            if not used[i]:
                continue
            error = type(value) is str and value.strip() in EXCEL_ERRORS
            found.append((i, j, Problem(
                book, sheet, cell_address(header_row + 1 + i, j), "excel_error" if error else f"bad_{col.kind}",
                f"{col.label}“{v.text(value)}”{reason}", ERROR_FIX if error else FIXES[col.kind], v.text(value),
                col.required, left_out if col.required else f"本次{col.label}按空值处理")))
            keep[i] &= not col.required
        if col.required:
            reported = {i for i, _, _ in bad[col.key]} | set(merged_ids)
            for i, (result, row_used) in enumerate(zip(parsed[col.key], used, strict=True)):
                if row_used and result is None and i not in reported:
                    found.append((i, j, Problem(book, sheet, cell_address(header_row + 1 + i, j), "missing_value",
                                                f"{col.label}为空", f"请填写{col.label}", None, True, left_out)))
                    keep[i] = False
    mask = np.array(keep, dtype=bool)
    out = np.array(used, dtype=bool) & ~mask
    frame = _frame(tab, parsed, mask, header_row)
    problems = [p for _, _, p in sorted(found, key=lambda t: (t[0], t[1]))]
    typed: list[str] = []
    if tab.id_column and tab.id_column in parsed:
        typed = [x for x, u in zip(parsed[tab.id_column], used, strict=True) if u and x is not None]  # type: ignore[misc]
    result = TabData(tab, sheet, frame, header_row, columns, problems, typed, _frame(tab, parsed, out, header_row))
    if tab.id_column and tab.id_column in columns:
        _drop_duplicates(result, book)
    return result


ERROR_FIX = "请修正该单元格的公式，或直接填写内容"


def _left_out_outcome(tab: Tab) -> str:
    return SKIPPED_MONTH_ROW if tab.key == "month" else SKIPPED


def _frame(tab: Tab, parsed: dict[str, list[object]], mask: np.ndarray, header_row: int) -> pd.DataFrame:
    frame = pd.DataFrame({c.key: _column(parsed.get(c.key), mask, c.kind) for c in tab.columns})
    frame["_row"] = pd.Series(np.flatnonzero(mask) + header_row + 2, dtype="int64")
    return frame


def _spread_merges(body: list[list[Cell]], header_row: int, merges: Sequence[Merge],
                   id_col: int | None) -> dict[int, tuple[str, int]]:
    """Copy each value merged down a block of rows into every row of it (what staff see); an ID
    merged over rows is not copied: those rows are returned (body index -> (block, column))."""
    shared: dict[int, tuple[str, int]] = {}
    for r0, c0, r1, c1 in merges:
        first, last = r0 - header_row - 1, r1 - header_row - 1
        if last <= first or first < 0 or first >= len(body):
            continue
        ref = f"{cell_address(r0, c0)}:{cell_address(r1, c1)}"
        if id_col is not None and c0 <= id_col <= c1:
            for i in range(first + 1, min(last, len(body) - 1) + 1):
                shared[i] = (ref, id_col)
            continue
        top = body[first]
        value = top[c0] if c0 < len(top) else None
        for i in range(first + 1, min(last, len(body) - 1) + 1):
            row = body[i]
            if len(row) <= c0:
                row.extend([None] * (c0 + 1 - len(row)))
            if is_empty(row[c0]):
                row[c0] = value
    return shared


def _may_be_total(task_id: object) -> bool:
    """A row can be a 合计 row when its ID cell is empty or itself says 合计."""
    if type(task_id) is str:  # an ASCII ID (the common case) is a total row only if it says total
        # (folding keeps a final digit, so T000123 is never a total word)
        return not task_id.strip() or (len(task_id) <= 8 and (not task_id.isascii() or (
            task_id[:1].lower() in ("t", "s") and not task_id[-1].isdigit())) and fold(task_id) in TOTAL_WORDS)
    return is_empty(task_id)


def _is_total(row: Sequence[object]) -> bool:
    """A 合计/小计 row under the table: one of its first cells says 合计 (its ID cell is empty)."""
    return any(type(x) is str and len(x) <= 8 and fold(x) in TOTAL_WORDS for x in row[:8])


def _parse_column(col: Column, cells: Sequence[object],
                  near: date) -> tuple[list[object], list[tuple[int, str, object]]]:
    """One column's parsed values (None for every empty cell) and its bad cells."""
    if col.kind == "text":  # the common case: no parsing, failures only for Excel error values
        texts: list[object] = _texts(cells)
        if EXCEL_ERRORS.isdisjoint(texts):
            return texts, []
        errors: list[tuple[int, str, object]] = [(i, EXCEL_ERROR_REASON, x) for i, x in enumerate(texts)
                                                 if x in EXCEL_ERRORS]
        for i, _, _ in errors:
            texts[i] = None
        return texts, errors
    keys = list(zip(map(type, cells), cells, strict=True))  # 1 and 1.0 and True are distinct cells
    parsed: dict[tuple[type, object], object] = {}
    reasons: dict[tuple[type, object], str] = {}
    for key in dict.fromkeys(keys):  # each distinct value parsed once
        x = key[1]
        if is_empty(x):
            parsed[key] = None
            continue
        try:
            if col.kind == "units" and type(x) is str and x.strip() in EXCEL_ERRORS:
                raise v.BadValue(EXCEL_ERROR_REASON)  # any other kind refuses an error value by itself
            parsed[key] = _PARSERS[col.kind](x, near)
        except v.BadValue as reason:
            error = type(x) is str and x.strip() in EXCEL_ERRORS
            parsed[key], reasons[key] = None, EXCEL_ERROR_REASON if error else str(reason)
    out = [parsed[key] for key in keys]
    failures = [(i, reasons[key], key[1]) for i, key in enumerate(keys) if key in reasons] if reasons else []
    return out, failures


EXCEL_ERROR_REASON = "是 Excel 错误值，单元格的公式出错"


def _texts(cells: Sequence[object]) -> list[object]:
    """A text column's cells stripped, None for an empty one (a column of filled text cells at C speed)."""
    if set(map(type, cells)) == {str}:
        stripped: list[object] = list(map(str.strip, cells))  # type: ignore[arg-type]
        if "" not in stripped:
            return stripped
    return [(x.strip() or None) if type(x) is str else None if x is None else v.text(x) for x in cells]


def _column(values: list[object] | None, mask: np.ndarray, kind: Kind) -> pd.Series:
    """The kept rows of one parsed column (an absent column reads as empty)."""
    if values is None:
        kept: list[object] = [None] * int(mask.sum())
    else:
        kept = values if mask.all() else pd.Series(values, dtype=object)[mask].tolist()
    return pd.Series(kept, dtype=_dtype(kind))


def _dtype(kind: Kind) -> str:
    return {"date": "datetime64[ns]", "progress": "float64", "flag": "bool"}.get(kind, "object")


def _drop_duplicates(data: TabData, book: str) -> None:
    """Keep the first row of each ID; every later one is a problem and is left out."""
    key = data.tab.id_column
    assert key is not None
    folded = pd.Series(fold_many(data.frame[key].tolist()), index=data.frame.index)
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
            str(value), True, _left_out_outcome(data.tab)))
    earlier = data.left_out if data.left_out is not None and len(data.left_out) else None
    data.left_out = pd.concat([earlier, data.frame[dup]], ignore_index=True) if earlier is not None \
        else data.frame[dup].reset_index(drop=True)
    data.frame = data.frame[~dup].reset_index(drop=True)
