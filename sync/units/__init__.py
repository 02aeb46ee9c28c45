"""Unit books (分发与收集): each 基层党委 or 党支部 fills in its own rows in its own workbook.

``distribute`` writes or refreshes one book per unit; ``collect`` reads them all on each sync and
carries the unit-owned columns into the central month sheet (the one mode in which the sync writes
staff columns of the central book). ``ledger`` remembers what both sides last agreed on, ``merge``
decides cell by cell, ``overlay`` hands the merged book to the ordinary sync, ``status`` builds 报送情况.
"""
