"""What ``dispatchbook history`` shows: a task's timeline, its last row to paste back, a unit's month
of scores and deduction lines, and the run records. Read-only queries over :class:`history.History`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import pandas as pd

from .config import book_key
from .errors import DispatchError
from .history import ROW_KEYS, SEEN, History, unstamp
from .schema import STATUS_LABELS, fold

TIMELINE_FIELDS = ["present", "colour", "progress", "status", "deadline", "unit_name", "kind"]
FIELD_NAMES = {"colour": "颜色", "progress": "进度", "status": "状态", "deadline": "截止日期", "unit_name": "责任单位",
               "kind": "调度类别"}


class HistoryError(DispatchError):
    """The history holds nothing for what was asked."""


@dataclass
class Labels:
    """How keys read: colour and kind keys → their labels (from the rules)."""

    colours: dict[str, str]
    kinds: dict[str, str]


def find_book(history: History, ref: str | None, task_id: str | None = None) -> tuple[str, str]:
    """(key, label) of the book ``ref`` names (label, path or spreadsheet); without ``ref``, the only
    book in the history, or the only one that has ``task_id``."""
    books = history.db.execute("SELECT key, label FROM books ORDER BY label").fetchall()
    if ref is not None:
        key = book_key(ref)
        found = [b for b in books if ref == b[1] or key == b[0]]
        if not found:
            raise HistoryError(ref, "历史记录中没有这个工作簿", _choices(books))
        return found[0]
    if task_id is not None:
        having = {k for (k,) in history.db.execute(f"SELECT DISTINCT b.key FROM tasks t {SEEN} WHERE t.id = ?",
                                                   (task_id,))}
        books = [b for b in books if b[0] in having] or books
    if len(books) != 1:
        raise HistoryError("--book", "请指明工作簿" if books else "历史记录为空",
                           _choices(books) if books else "先运行 dispatchbook run 或 dispatchbook sync --history")
    return books[0]


def _choices(books: list[tuple[str, str]]) -> str:
    return "可选：" + "、".join(label for _, label in books) if books else "历史记录中还没有任何工作簿"


def timeline(history: History, key: str, task_id: str, labels: Labels,
             month: tuple[int, int] | None = None) -> pd.DataFrame:
    """The days a task changed (colour, progress, status, deadline, unit or kind) in each month sheet it
    was in (or ``month``'s), newest sheet first: from its first snapshot there to the latest snapshot,
    with the day it went missing from the sheet. A plan task's id recurs in every month's sheet."""
    where = " AND t.year = ? AND t.month = ?" if month else ""
    rows = pd.read_sql_query(
        "SELECT n.day, s.tab, t.year, t.month, t.colour, t.progress, t.status, t.deadline, t.kind, c.row FROM tasks t "
        f"{SEEN} WHERE b.key = ? AND t.id = ?{where} ORDER BY t.year DESC, t.month DESC, n.day", history.db,
        params=(key, task_id, *(month or ())))
    if rows.empty:
        raise _not_found(history, key, task_id, month)
    rows["unit_name"] = rows.pop("row").map(lambda r: json.loads(r)[ROW_KEYS.index("unit")])
    rows["colour"] = rows["colour"].map(lambda c: labels.colours.get(c, c))
    rows["kind"] = rows["kind"].map(lambda k: labels.kinds.get(k, k))
    rows["status"] = rows["status"].map(lambda s: STATUS_LABELS.get(s, "") if isinstance(s, str) else "")
    rows["progress"] = rows["progress"].map(lambda p: "" if pd.isna(p) else f"{p:g}%")
    rows["present"] = True
    days = [d for (d,) in history.db.execute("SELECT day FROM snapshots WHERE book = ? ORDER BY day", (key,))]
    return pd.concat([_changes(sheet, days) for _, sheet in rows.groupby(["year", "month"], sort=False)],
                     ignore_index=True)


def _not_found(history: History, key: str, task_id: str, month: tuple[int, int] | None) -> HistoryError:
    """Why a task has no timeline: no snapshot at all (of that month), or an ID no snapshot holds."""
    where = " AND s.year = ? AND s.month = ?" if month else ""
    found = history.db.execute("SELECT COUNT(*) FROM snapshots n JOIN sheets s ON s.snapshot = n.id "
                               f"WHERE n.book = ?{where}", (key, *(month or ()))).fetchone()[0]
    if not found:
        period = f"{month[0]}年{month[1]}月" if month else ""
        return HistoryError(task_id, f"历史记录中还没有这个工作簿{period}的任务快照，无法查到任务“{task_id}”",
                            "快照只在按当天日期运行的同步（不带 --as-of 或 --as-of 为今天）中保存；"
                            "请先用 --history 同步一次，之后再查询")
    return HistoryError(task_id, "历史记录中没有这个任务", "请检查任务编号和月份，或用 --book 指明工作簿")


def _changes(sheet: pd.DataFrame, days: list[str]) -> pd.DataFrame:
    """One sheet's rows by day, missing days filled in, reduced to the days something changed."""
    since = [d for d in days if d >= sheet["day"].iloc[0]]
    full = sheet.drop(columns=["year", "month"]).set_index("day").reindex(since).reset_index()
    full["tab"] = sheet["tab"].iloc[-1]
    full["present"] = full["present"].notna()
    full = full.fillna("")
    before = full[TIMELINE_FIELDS].shift()
    changed = (full[TIMELINE_FIELDS] != before).any(axis=1)
    full["changes"] = [_describe(full.loc[i], before.loc[i], i == 0) for i in full.index]
    return full[changed | (full.index == full.index[-1])].drop(columns="present")


def _describe(now: pd.Series, then: pd.Series, first: bool) -> str:
    if first:
        return "首次记录"
    if not now["present"]:
        return "已从本表删除（如系误删，可用 --restore 取回）"
    if not then["present"]:
        return "重新出现在本表"
    parts = [f"{FIELD_NAMES[f]} {then[f] or '空'}→{now[f] or '空'}" for f in FIELD_NAMES if now[f] != then[f]]
    return "；".join(parts) or "至今无变化"


@dataclass
class Restore:
    label: str  # the book
    tab: str  # the month sheet the row was last seen in
    day: date  # the last snapshot that had it
    cells: list[str | None]  # in that sheet's column order

    def tsv(self) -> str:
        """One tab-separated row that pastes into Excel or Google Sheets as one row: a value a
        spreadsheet would take for a formula gets a leading ', and one with a line break, tab or
        quote is quoted (quotes doubled), so its line breaks survive the paste."""
        return "\t".join(paste_cell(c or "") for c in self.cells)


FORMULA_STARTS = ("=", "+", "-", "@")


def paste_cell(value: str) -> str:
    """``value`` as safe clipboard text for one spreadsheet cell."""
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    if any(c in value for c in '\t\n\r"'):
        value = '"' + value.replace('"', '""') + '"'
    return value


def restore(history: History, key: str, label: str, task_id: str,
            month: tuple[int, int] | None = None) -> Restore:
    """The task's last known row in ``month``'s sheet; by default in the newest sheet it is missing
    from now (the one staff deleted it from), else in the newest sheet it was in."""
    where = " AND t.year = ? AND t.month = ?" if month else ""
    rows = history.db.execute(
        f"SELECT n.day, s.tab, t.year, t.month, c.row, s.columns FROM tasks t {SEEN} "
        f"WHERE b.key = ? AND t.id = ?{where} ORDER BY t.year DESC, t.month DESC, n.day DESC",
        (key, task_id, *(month or ()))).fetchall()
    if not rows:
        said = f"在 {month[0]}-{month[1]:02d} 的记录" if month else ""
        raise HistoryError(task_id, f"历史记录中没有这个任务{said}", "请检查任务编号和月份，或用 --book 指明工作簿")
    latest = history.db.execute("SELECT MAX(day) FROM snapshots WHERE book = ?", (key,)).fetchone()[0]
    present = {(y, m) for day, _, y, m, *_ in rows if day == latest}
    day, tab, _, _, row, columns = next((r for r in rows if (r[2], r[3]) not in present), rows[0])
    values = dict(zip(ROW_KEYS, json.loads(row), strict=True))
    layout: dict[str, int] = json.loads(columns)
    cells: list[str | None] = [None] * (max(layout.values()) + 1)
    for column_key, position in layout.items():
        cells[position] = values.get(column_key)
    return Restore(label, tab, date.fromisoformat(day), cells)


@dataclass
class UnitMonth:
    unit: str
    unit_name: str
    level: str
    day: date  # the as-of day the lines are from
    scores: pd.DataFrame  # day, score, rank, deductions, bonuses: the days the score or rank changed
    lines: pd.DataFrame  # id, name, rule_label, points, facts as of ``day``


def unit_month(history: History, key: str, unit: str, month: tuple[int, int], upto: date | None = None) -> UnitMonth:
    """A unit's score for a month by as-of day (the latest run of each day), and its deduction and bonus
    lines as of ``upto`` (default: the latest run that assessed that month)."""
    period = f"{month[0]}-{month[1]:02d}"
    units = history.db.execute(
        "SELECT DISTINCT sc.unit, sc.unit_name, sc.level FROM scores sc JOIN runs r ON r.id = sc.run "
        "WHERE r.book = ? AND sc.year = ? AND sc.month = ?", (key, *month)).fetchall()
    match = [u for u in units if fold(unit) in (fold(u[0]), fold(u[1] or ""))]
    if not match:
        said = f"没有单位“{unit}”这个月的考核记录" if units else "这个月没有考核记录"
        raise HistoryError(period, said, "请填写单位编码或名称；考核记录从首次同步该月起保存")
    code, name, level = match[0]
    scores = pd.read_sql_query(
        "SELECT r.as_of AS day, r.id AS run, sc.score, sc.rank, sc.deductions, sc.bonuses FROM scores sc "
        "JOIN runs r ON r.id = sc.run WHERE r.book = ? AND sc.unit = ? AND sc.year = ? AND sc.month = ? "
        "AND r.as_of <= ? ORDER BY r.as_of, r.started, r.id", history.db,
        params=(key, code, *month, (upto or date.max).isoformat())).drop_duplicates("day", keep="last")
    if scores.empty:
        raise HistoryError(period, f"{upto} 及以前没有这个月的考核记录", "请换一个日期")
    lines = history.lines(int(scores["run"].iloc[-1]), *month)
    lines = lines[lines["unit"] == code].assign(facts=lines["facts"].fillna("")) \
        .sort_values(["points", "id"], kind="stable")[["id", "name", "rule_label", "points", "facts"]] \
        .reset_index(drop=True)
    moved = (scores[["score", "rank"]] != scores[["score", "rank"]].shift()).any(axis=1)
    moved.iloc[-1] = True
    shown = scores[moved].drop(columns="run").reset_index(drop=True)
    return UnitMonth(code, name or code, level or "", date.fromisoformat(scores["day"].iloc[-1]), shown, lines)


def runs(history: History, key: str, limit: int = 20) -> pd.DataFrame:
    """The latest run records: when, as of, jobs, what was written, how many problems, error."""
    frame = pd.read_sql_query(
        "SELECT started, as_of, ok, jobs, written, problems, error FROM runs WHERE book = ? "
        "ORDER BY started DESC, id DESC LIMIT ?", history.db, params=(key, limit))
    frame["started"] = frame["started"].map(unstamp)
    for column in ("jobs", "written"):
        frame[column] = frame[column].map(json.loads)
    frame["problems"] = frame["problems"].map(lambda p: len(json.loads(p)))
    frame["ok"] = frame["ok"].astype(bool)
    return frame
