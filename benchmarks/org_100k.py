"""A large organisation for benchmarks: 1 group, 40 grassroots committees, 600 branches, 100,000 tasks."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sync.schema import CATEGORIES, STATUS_LABELS

SOURCES = ["集团党委", "上级部署", "董事长热线", "矿区文明调度", "职工诉求", "生产调度", "组织部"]


def org_rows() -> list[list[object]]:
    rows: list[list[object]] = [["单位编码", "单位名称", "层级", "上级单位"], ["JT", "集团党委", "集团党委", None]]
    for c in range(1, 41):
        rows.append([f"JC{c:02d}", f"第{c}基层党委", "基层党委", "JT"])
        for b in range(1, 16):
            rows.append([f"ZB{c:02d}{b:02d}", f"第{c}基层党委第{b}党支部", "党支部", f"JC{c:02d}"])
    return rows


def task_rows(n: int, as_of: date, seed: int = 7) -> list[list[object]]:
    """Month-sheet rows (header first) as staff would type them, with dates as dates."""
    rng = random.Random(seed)
    units = [f"ZB{c:02d}{b:02d}" for c in range(1, 41) for b in range(1, 16)] + [f"JC{c:02d}" for c in range(1, 41)]
    first = as_of.replace(day=1)
    header = ["任务编号", "任务名称", "类别", "来源", "牵头部门", "责任单位", "责任人", "开始日期", "截止日期", "进度", "状态",
              "最新进展", "更新日期", "备注"]
    rows: list[list[object]] = [header]
    for i in range(n):
        start = first + timedelta(days=rng.randint(0, 10))
        deadline = start + timedelta(days=rng.randint(3, 40))
        status = rng.choice([STATUS_LABELS["closed"], "进行中", "推进中", STATUS_LABELS["not_started"], "已销号"])
        progress = 100 if status in ("已完成", "已销号") else rng.randint(0, 95)
        updated = min(as_of, start + timedelta(days=rng.randint(0, 20)))
        rows.append([f"T{i:06d}", f"任务{i}", rng.choice(CATEGORIES), rng.choice(SOURCES), "组织部", rng.choice(units),
                     "支部书记", start, deadline, progress / 100, status, "推进中", updated, None])
    return rows
