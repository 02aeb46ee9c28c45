"""Data problems found while reading a book: one per bad cell, with its address and the fix."""

from __future__ import annotations

from dataclasses import asdict, dataclass

SKIPPED = "该行本次未参与调度"
SKIPPED_MONTH_ROW = "该行本次未参与调度，仍保留在表中，同步不会再添加同编号的任务"


@dataclass(frozen=True)
class Problem:
    book: str
    tab: str
    cell: str  # e.g. "I17"; "" when the problem is about a whole tab
    kind: str  # machine-readable: bad_date, duplicate_id, unknown_unit …
    message: str  # what is wrong (Chinese)
    fix: str  # how to fix it (Chinese)
    value: str | None = None  # the cell as typed
    skipped: bool = False  # the row was left out of this dispatch
    handled: str = ""  # what this sync did with the value or row, e.g. 本次进度按空值处理

    @property
    def outcome(self) -> str:
        """What was done this run, as the 本次处理 column and the message tail say it."""
        return self.handled or (SKIPPED if self.skipped else "")

    @property
    def where(self) -> str:
        return f"{self.tab}!{self.cell}" if self.cell else self.tab

    def __str__(self) -> str:
        tail = f"；{self.outcome}" if self.outcome else ""
        return f"{self.book} › {self.where}: {self.message}。{self.fix}{tail}"

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "where": self.where, "outcome": self.outcome}
