"""Google Sheets through gspread and google-auth: one batched read, then only the changed cells in bodies
under 2 MB, within the quota."""

from sync.backends.gsheets.book import GSheetsBook

__all__ = ["GSheetsBook"]
