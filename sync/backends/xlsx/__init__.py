"""Local .xlsx/.xlsm files, edited in place: only the parts the sync owns change, every other part keeps its bytes.

The OOXML layer that knows nothing of spreadsheets (the zip container, the package of parts and
relationships, byte-minimal XML edits) lives in :mod:`sync.backends.xlsx.ooxml`; the modules here add
what is particular to a workbook (its tabs, cells, styles, charts, colour rules and safe file writes).
"""

from sync.backends.xlsx.book import XlsxBook

__all__ = ["XlsxBook"]
