"""Backends: one small interface (base.Backend), one implementation per kind of book."""

from __future__ import annotations

from pathlib import Path

from .base import Backend

GSHEET_PREFIXES = ("gsheet:", "https://docs.google.com/spreadsheets/")


def is_gsheet(spec: str) -> bool:
    return spec.startswith(GSHEET_PREFIXES)


def open_book(spec: str, credentials: str | None = None, *, report_to: Path | None = None) -> Backend:
    """A book by name: a local .xlsx/.xlsm path, or ``gsheet:ID`` / a Google Sheets URL."""
    if is_gsheet(spec):
        from .gsheets import GSheetsBook  # noqa: PLC0415 - Google libraries load only when needed

        return GSheetsBook(spec, credentials)
    from .xlsx import XlsxBook  # noqa: PLC0415

    return XlsxBook(spec, report_to=report_to) if report_to else XlsxBook(spec)
