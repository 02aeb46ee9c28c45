"""One unit's book against the central month sheet, cell by cell (a three-way merge).

For a unit-owned cell: ``base`` is the value both sides last agreed on, ``unit`` and ``central`` what
each holds now. The unit's value wins when the unit changed it; else the central value stands (and
goes down into the unit book). Both changed to different values is a conflict: the unit's value
wins and the central one is kept in the ledger and reported. A definition cell the unit changed is
put back to the central value and reported with what the unit typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..a1 import cell_address
from ..problems import Problem
from ..schema import MONTH
from ..sheets import Cell
from .layout import DEFINITION_COLUMNS, UNIT_COLUMNS, Rows, same


@dataclass
class Merged:
    """What one unit's exchange writes on each side, and what it found."""

    central_cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    central_new: list[dict[str, Cell]] = field(default_factory=list)  # the unit's new tasks, by column key
    unit_cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    unit_new: list[dict[str, Cell]] = field(default_factory=list)  # central tasks the unit book lacks
    base: dict[str, dict[str, Cell]] = field(default_factory=dict)  # task -> column -> agreed value
    pending: dict[str, dict[str, Cell]] = field(default_factory=dict)  # agreed only once the unit book is written
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    updated: set[str] = field(default_factory=set)  # tasks the unit changed since the last sync


def _label(key: str) -> str:
    return MONTH.column(key).label


def merge_unit(label: str, sheet: str, central: Rows, mine: set[str], unit: Rows | None,
               base: dict[str, dict[str, Cell]], bad: set[str], all_central: set[str],
               unit_checked: dict[str, str], allow_new: bool) -> Merged:
    """Merge one unit book (``unit``; None for a new book) with the central rows of the tasks ``mine``.

    ``bad`` are the addresses of the unit book's cells its checks reported (not carried this run),
    ``unit_checked`` the unit's task ids that passed its checks -> their unit code, or "" when the
    code is outside the unit's scope."""
    out = Merged()
    unit_rows = unit.rows if unit else {}
    for task in sorted(mine, key=lambda t: central.rows[t][0]):
        c_row, c_values = central.rows[task]
        if task not in unit_rows:
            if unit is not None and task in base:
                out.problems.append(Problem(label, sheet, "", "unit_row_deleted",
                                            f"任务“{task}”已从单位工作簿中删除",
                                            "任务以调度中心为准，如需取消请联系调度中心；本次已把该行按中心表的值加回",
                                            task, handled="已加回单位工作簿"))
            out.unit_new.append(dict(c_values))
            out.pending[task] = {k: c_values[k] for k in UNIT_COLUMNS}
            continue
        assert unit is not None
        u_row, u_values = unit_rows[task]
        agreed = base.get(task, {})
        for key in UNIT_COLUMNS:
            _merge_cell(out, label, sheet, task, key, (c_row, central.columns[key]), c_values[key],
                        (u_row, unit.columns[key]), u_values[key], agreed, bad)
        for key in DEFINITION_COLUMNS:
            if key in unit.columns and key in central.columns and not same(u_values[key], c_values[key]):
                out.unit_cells[(u_row, unit.columns[key])] = c_values[key]
                out.problems.append(Problem(label, sheet, cell_address(u_row, unit.columns[key]), "unit_definition_edit",
                                            f"{_label(key)}由调度中心维护，单位工作簿中的改动未被采用",
                                            "如需调整请联系调度中心在中心表修改", _text(u_values[key]),
                                            handled="已恢复为中心表的值"))
    for task, (u_row, u_values) in unit_rows.items():
        if task in mine or task in base:
            continue
        where = cell_address(u_row, unit.columns["id"]) if unit else ""
        if task in all_central:
            out.problems.append(Problem(label, sheet, where, "unit_row_foreign", f"任务“{task}”不属于本单位",
                                        "请删除这一行；任务的责任单位以调度中心为准", task, handled="本次未收集该行"))
        elif not allow_new:
            out.problems.append(Problem(label, sheet, where, "unit_new_task_refused", f"新增任务“{task}”未被收集",
                                        "规则不允许单位自行新增任务；请报调度中心在中心表添加", task,
                                        handled="本次未收集该行"))
        elif unit_checked.get(task):
            out.central_new.append(dict(u_values))
            out.base[task] = {k: u_values[k] for k in UNIT_COLUMNS}
            out.updated.add(task)
        elif task in unit_checked:
            out.problems.append(Problem(label, sheet, where, "unit_new_task_scope", f"新增任务“{task}”的责任单位不是本单位",
                                        "责任单位请填写本单位或下属单位", task, handled="本次未收集该行"))
    return out


def _merge_cell(out: Merged, label: str, sheet: str, task: str, key: str, c_at: tuple[int, int], central: Cell,
                u_at: tuple[int, int], unit: Cell, agreed: dict[str, Cell], bad: set[str]) -> None:
    if cell_address(*u_at) in bad:  # reported by the unit book's checks: both sides stay as they are
        if key in agreed:
            out.base.setdefault(task, {})[key] = agreed[key]
        return
    base = agreed.get(key, central) if agreed else central
    unit_changed, central_changed = not same(unit, base), not same(central, base)
    if unit_changed:
        out.updated.add(task)
        if central_changed and not same(unit, central):
            out.conflicts.append({"task": task, "column": _label(key), "central": central, "unit": unit,
                                  "base": base})
            out.problems.append(Problem(label, sheet, cell_address(*u_at), "unit_conflict",
                                        f"任务“{task}”的{_label(key)}在中心表和单位工作簿中都被改动"
                                        f"（中心表：{_text(central)}）",
                                        "已采用单位的值，中心表原值保存在收集记录中；如中心表的值才对，请通知该单位修改",
                                        _text(unit), handled="采用单位的值"))
        if not same(unit, central):
            out.central_cells[c_at] = unit
        out.base.setdefault(task, {})[key] = unit
    elif central_changed:
        out.unit_cells[u_at] = central
        out.pending.setdefault(task, {})[key] = central
        out.base.setdefault(task, {})[key] = base
    else:
        out.base.setdefault(task, {})[key] = base


def _text(value: Cell) -> str:
    return "（空）" if value is None or value == "" else str(value)
