"""Google Sheets through gspread and google-auth: one batched read, one atomic write, within the quota."""

from sync.backends.gsheets.book import GSheetsBook

__all__ = ["GSheetsBook"]
