"""Shared fixtures: books written with openpyxl (a different writer from the calamine reader)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from sync.backends.memory import MemoryBook
from sync.example import EXAMPLE_AS_OF, build_example
from sync.rulebook import Rulebook, load_rules

ORG_HEADER = ["单位编码", "单位名称", "层级", "上级单位"]
ORG_ROWS = [
    ["JT", "集团党委", "集团党委", None],
    ["JC01", "一矿党委", "基层党委", "JT"],
    ["JC02", "二矿党委", "基层党委", "JT"],
    ["ZB0101", "一矿综采一队党支部", "党支部", "JC01"],
    ["ZB0102", "一矿掘进一队党支部", "党支部", "一矿党委"],
    ["ZB0201", "二矿机电队党支部", "党支部", "JC02"],
]
PLAN_HEADER = ["任务编号", "任务名称", "类别", "来源", "牵头部门", "责任单位", "计划月份", "目标", "考核标准", "导向"]
MONTH_HEADER = ["任务编号", "任务名称", "类别", "来源", "牵头部门", "责任单位", "责任人", "开始日期", "截止日期",
                "进度", "状态", "最新进展", "更新日期", "备注"]


def write_xlsx(path: Path, tabs: Mapping[str, Iterable[Iterable[object]]]) -> Path:
    """Write ``tabs`` (sheet name → rows) with openpyxl."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in tabs.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        for column in sheet.iter_cols():
            for cell in column:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
    book.save(path)
    return path


def minimal_tabs(month_rows: list[list[object]] | None = None, month: str = "月度任务 2026-11") -> dict[str, list]:
    """A small valid book: the org above, one plan task, and a month sheet with ``month_rows``."""
    return {
        "组织架构": [ORG_HEADER, *ORG_ROWS],
        "年度计划书": [PLAN_HEADER, ["JH-001", "主题党日", "规定动作", "上级部署", "组织部", "一矿党委", "11", "按月开展", "有记录", "目标导向"]],
        month: [MONTH_HEADER, *(month_rows or [])],
    }


@pytest.fixture(scope="session")
def rules() -> Rulebook:
    return load_rules()


@pytest.fixture(scope="session")
def example_sheets():  # type: ignore[no-untyped-def]
    return build_example(EXAMPLE_AS_OF)


@pytest.fixture
def example_memory(example_sheets) -> MemoryBook:  # type: ignore[no-untyped-def]
    return MemoryBook({s.name: s.rows for s in example_sheets}, label="example.xlsx")
