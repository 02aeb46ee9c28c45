"""Quoting inside formulas and A1 references, the same way for every backend."""

from __future__ import annotations


def sheet_ref(name: str) -> str:
    """A tab name as it stands before ``!`` in a formula or an A1 range: ``'月度任务 2026-11'``.

    Always quoted, with ``'`` doubled; a quoted name that needs no quotes is valid in Excel and Google
    Sheets alike."""
    return "'" + name.replace("'", "''") + "'"


def formula_string(text: str) -> str:
    """Text as a string literal in a formula: in double quotes, with ``"`` doubled."""
    return '"' + text.replace('"', '""') + '"'
