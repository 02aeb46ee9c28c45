"""Local .xlsx/.xlsm books: fast reading with python-calamine."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from python_calamine import CalamineWorkbook

from ..errors import DispatchError
from .base import Grid, WritePlan


class XlsxBook:
    """A workbook file on disk."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.label = self.path.name
        if not self.path.exists():
            raise DispatchError(self.label, "找不到工作簿文件", f"请检查路径 {self.path}")
        try:
            self._book = CalamineWorkbook.from_path(str(self.path))
        except Exception as exc:  # calamine raises its own error types for corrupt files
            raise DispatchError(self.label, f"无法作为 Excel 工作簿打开（{exc}）",
                                "请确认它是 .xlsx/.xlsm 文件且未损坏") from exc

    def sheet_names(self) -> list[str]:
        return list(self._book.sheet_names)

    def read(self, names: Sequence[str]) -> dict[str, Grid]:
        return {name: _grid(self._book.get_sheet_by_name(name).to_python(skip_empty_area=False))
                for name in names}

    def write(self, plan: WritePlan) -> None:
        raise NotImplementedError("the lossless writer lands with issue 4")


def _grid(rows: list[list[object]]) -> Grid:
    """calamine returns '' for empty cells; the rest of the sync expects None."""
    return [[None if v == "" else v for v in row] for row in rows]  # type: ignore[misc]

