"""What the exchange remembers between syncs, in one JSON file in the unit books' folder.

Per unit and task, the unit-owned values both sides last agreed on (the base of the three-way
merge); per unit, the last day a change was seen in its book and the day each task was last
updated; every conflict, with the central value the unit's value replaced (nothing typed is lost).
Written by temporary file + fsync + rename, so it is the old file or the new one.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import DispatchError
from ..sheets import Cell

LEDGER = ".dispatchbook-units.json"


def _encode(value: Cell) -> Any:
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def _decode(value: Any) -> Cell:
    if isinstance(value, dict):
        if "datetime" in value:
            return datetime.fromisoformat(value["datetime"])
        return date.fromisoformat(value["date"])
    return value  # type: ignore[no-any-return]


@dataclass
class Ledger:
    path: Path
    base: dict[str, dict[str, dict[str, Cell]]] = field(default_factory=dict)  # unit -> task -> column -> value
    last_change: dict[str, str] = field(default_factory=dict)  # unit -> ISO day a change was last seen
    updated: dict[str, dict[str, str]] = field(default_factory=dict)  # unit -> task -> ISO day last updated
    conflicts: list[dict[str, Any]] = field(default_factory=list)  # every conflict ever resolved
    level: str | None = None  # the level distributed to (a collecting sync finds it here)
    new_tasks: bool = True  # whether units may add tasks

    @classmethod
    def load(cls, folder: Path) -> Ledger:
        path = folder / LEDGER
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text("utf-8"))
            base = {u: {t: {c: _decode(v) for c, v in cols.items()} for t, cols in tasks.items()}
                    for u, tasks in data["base"].items()}
            return cls(path, base, data["last_change"], data["updated"], data["conflicts"], data.get("level"),
                       bool(data.get("new_tasks", True)))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise DispatchError(str(path.name), f"收集记录文件已损坏（{exc}）",
                                "请从备份恢复该文件；删除它会让下次收集把单位工作簿的值全部视为新填写") from None

    def save(self) -> None:
        data = {"base": {u: {t: {c: _encode(v) for c, v in cols.items()} for t, cols in tasks.items()}
                         for u, tasks in self.base.items()},
                "last_change": self.last_change, "updated": self.updated,
                "conflicts": [{k: _encode(v) for k, v in c.items()} for c in self.conflicts],
                "level": self.level, "new_tasks": self.new_tasks}
        fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".units-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=1)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
