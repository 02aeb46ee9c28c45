"""Live desktop Excel through the xlwings library (the 「立即调度」 button).

This subpackage shares its name with the library it adapts: every import here is absolute, so
``import xlwings`` / ``from xlwings import Book`` always reach the library, never this package.
"""

from sync.backends.xlwings.book import ExcelBook

__all__ = ["ExcelBook"]
