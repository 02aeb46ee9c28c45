"""Structured rule conditions (field, operator, value) evaluated over a whole task frame at once.

No ``eval``: each operator is a vectorised pandas/numpy expression. Fields are the names staff see
(Chinese, with English aliases) mapped to frame columns of a known type.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from .schema import fold

FieldType = Literal["text", "number", "date", "bool"]


@dataclass(frozen=True)
class Field:
    name: str  # what rule files use (Chinese)
    alias: str  # English alias, also accepted
    column: str  # the task frame's column
    type: FieldType
    stage: Literal["task", "assessment"] = "task"  # assessment fields exist only after colouring


FIELDS: tuple[Field, ...] = (
    Field("任务编号", "id", "id", "text"),
    Field("任务名称", "name", "name", "text"),
    Field("类别", "category", "category", "text"),
    Field("来源", "source", "source", "text"),
    Field("牵头部门", "lead_dept", "lead_dept", "text"),
    Field("责任单位", "unit", "unit_name", "text"),
    Field("层级", "level", "level", "text"),
    Field("责任人", "owner", "owner", "text"),
    Field("状态", "status", "status_label", "text"),
    Field("开始日期", "start", "start", "date"),
    Field("截止日期", "deadline", "deadline", "date"),
    Field("更新日期", "updated", "updated", "date"),
    Field("进度", "progress", "progress", "number"),
    Field("应有进度", "expected_progress", "expected_progress", "number"),
    Field("进度滞后", "progress_lag", "progress_lag", "number"),
    Field("逾期天数", "days_overdue", "days_overdue", "number"),
    Field("往月逾期", "overdue_before", "overdue_before", "bool"),
    Field("剩余工作日", "workdays_left", "workdays_left", "number"),
    Field("未更新工作日", "stale_workdays", "stale_workdays", "number"),
    Field("已闭合", "closed", "closed", "bool"),
    Field("本月按期闭合", "closed_on_time", "closed_on_time", "bool"),
    Field("渠道诉求", "from_channel", "from_channel", "bool"),
    Field("有变化", "changed", "changed", "bool"),
    Field("典型", "exemplar", "exemplar", "bool"),
    Field("颜色", "colour", "colour", "text", "assessment"),  # by role, key or label; compared by key
    Field("调度类型", "kind", "kind", "text", "assessment"),  # by key or label; compared by key
)
FIELD_BY_NAME = {fold(n): f for f in FIELDS for n in (f.name, f.alias)}

OPS_BY_TYPE: dict[FieldType, tuple[str, ...]] = {
    "text": ("==", "!=", "in", "not in", "contains", "empty", "not empty"),
    "number": ("==", "!=", "<", "<=", ">", ">=", "empty", "not empty"),
    "date": ("==", "!=", "<", "<=", ">", ">=", "empty", "not empty"),
    "bool": ("==", "!="),
}
COMPARE: dict[str, Callable[[Any, Any], Any]] = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
           ">=": operator.ge}
LIST_OPS = ("in", "not in", "contains")
NO_VALUE_OPS = ("empty", "not empty")


@dataclass(frozen=True)
class Condition:
    field: Field
    op: str
    value: object = None  # scalar for comparisons, tuple of str for list ops
    param: str | None = None  # a named threshold, looked up at evaluation time

    def mask(self, frame: pd.DataFrame, params: Mapping[str, object]) -> np.ndarray:
        col = frame[self.field.column]
        value = params[self.param] if self.param else self.value
        if self.op in NO_VALUE_OPS:
            empty = col.isna().to_numpy()
            return empty if self.op == "empty" else ~empty
        if self.field.type == "text":
            return self._text_mask(col, value)
        if self.field.type == "date":
            value = pd.Timestamp(value)  # type: ignore[arg-type]
        known = col.notna().to_numpy()
        arr = col.to_numpy()
        with np.errstate(invalid="ignore"):
            result = COMPARE[self.op](arr, value)
        return np.asarray(result, dtype=bool) & known

    def _text_mask(self, col: pd.Series, value: object) -> np.ndarray:
        """Text operators on folded text; each distinct value is folded and tested once."""
        codes, uniques = pd.factorize(col)
        folded = [fold(u) for u in uniques]
        if self.op in ("==", "!="):
            hit_unique = np.array([f == fold(value) for f in folded], dtype=bool)
        elif self.op == "contains":
            words = [fold(w) for w in cast(tuple[str, ...], value)]
            hit_unique = np.array([any(w in f for w in words) for f in folded], dtype=bool)
        else:
            listed = {fold(w) for w in cast(tuple[str, ...], value)}
            hit_unique = np.array([f in listed for f in folded], dtype=bool)
        hit = np.where(codes >= 0, hit_unique[np.maximum(codes, 0)] if folded else False, False)
        return ~hit if self.op in ("!=", "not in") else hit


def parse_value(field: Field, raw: object) -> object:
    """A condition's literal checked against the field type; raises ValueError with the reason."""
    if field.type == "bool":
        if not isinstance(raw, bool):
            raise ValueError("应为 true 或 false")
        return raw
    if field.type == "number":
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ValueError("应为数字")
        return float(raw)
    if field.type == "date":
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw))
        except ValueError:
            raise ValueError("应为日期，如 2026-11-05") from None
    if not isinstance(raw, str):
        raise ValueError("应为文字")
    return raw


def all_any(all_: list[Condition], any_: list[Condition], frame: pd.DataFrame,
            params: Mapping[str, object]) -> np.ndarray:
    """True where every `all` condition and at least one `any` condition (if there are any) hold."""
    result = np.ones(len(frame), dtype=bool)
    for c in all_:
        result &= c.mask(frame, params)
    if any_:
        hit = np.zeros(len(frame), dtype=bool)
        for c in any_:
            hit |= c.mask(frame, params)
        result &= hit
    return result
