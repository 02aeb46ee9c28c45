"""The defaults that ship with dispatchbook: the rule files and the example workbook.

The repository keeps one editable source of each, ``rules/*.toml`` and ``workbooks/example.xlsx``.
A wheel carries byte-for-byte copies of them as package data in ``sync/defaults/`` (``setup.py``
puts them there at build time; nothing is committed twice). A checkout or editable install has no
such copies and uses the repository's files directly, so an edit to ``rules/`` counts at once.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
SHIPPED = "defaults"  # the package-data folder inside ``sync`` that a built wheel holds


def _shipped(*parts: str) -> Path | None:
    resource = files("sync").joinpath(SHIPPED, *parts)
    return Path(str(resource)) if resource.is_file() or resource.is_dir() else None


def default_rules_dir() -> Path:
    """The folder of the default rule files: the wheel's copy, else the repository's ``rules/``."""
    return _shipped("rules") or REPOSITORY / "rules"


def example_workbook() -> Path:
    """The bundled example workbook: the wheel's copy, else the repository's ``workbooks/example.xlsx``."""
    return _shipped("example.xlsx") or REPOSITORY / "workbooks" / "example.xlsx"


def rule_files() -> list[Path]:
    """The default rule files, sorted by name."""
    return sorted(default_rules_dir().glob("*.toml"))
