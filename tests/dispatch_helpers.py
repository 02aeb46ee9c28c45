"""Build normalised task frames and a small organisation directly, for rule tests."""

from __future__ import annotations

from datetime import date

import pandas as pd

from sync.dispatch import Context, classify
from sync.org import Org
from sync.rulebook import Rulebook
from sync.schema import MONTH

ORG = Org(["JT", "JC01", "JC02", "ZB0101", "ZB0102", "ZB0201"],
          {"JT": "集团党委", "JC01": "一矿党委", "JC02": "二矿党委", "ZB0101": "综采一队党支部",
           "ZB0102": "掘进一队党支部", "ZB0201": "机电队党支部"},
          {"JT": "集团党委", "JC01": "基层党委", "JC02": "基层党委", "ZB0101": "党支部", "ZB0102": "党支部",
           "ZB0201": "党支部"},
          {"JT": None, "JC01": "JT", "JC02": "JT", "ZB0101": "JC01", "ZB0102": "JC01", "ZB0201": "JC02"})

DEFAULTS = {"name": "任务", "category": "常规工作", "source": "集团党委", "unit": "ZB0101", "progress": 50.0,
            "status": "open", "start": date(2026, 11, 2), "deadline": date(2026, 11, 30), "exemplar": False}


def tasks(*rows: dict) -> pd.DataFrame:
    """A month-sheet frame; each row overrides DEFAULTS (dates as date objects, status as a key)."""
    records = []
    for i, row in enumerate(rows, start=1):
        record = {c.key: None for c in MONTH.columns} | DEFAULTS | {"id": f"T{i}", "updated": None} | row
        records.append(record)
    f = pd.DataFrame.from_records(records, columns=[c.key for c in MONTH.columns])
    for col in ("start", "deadline", "updated"):
        f[col] = pd.to_datetime(f[col])
    f["progress"] = f["progress"].astype("float64")
    f["exemplar"] = f["exemplar"].astype(bool)
    f["_row"] = range(2, len(f) + 2)
    return f


def run(rules: Rulebook, as_of: date, *rows: dict, month: tuple[int, int] | None = None, **ctx: object) -> pd.DataFrame:
    """Classify ``rows`` as of ``as_of`` (the month sheet's month defaults to the as-of month)."""
    context = Context(as_of, month or (as_of.year, as_of.month), **ctx)  # type: ignore[arg-type]
    return classify(tasks(*rows), ORG, rules, context).set_index("id")
