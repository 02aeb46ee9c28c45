"""The naive way to write a plan back, for benchmarks' baselines: openpyxl load, modify, save."""

from __future__ import annotations

from pathlib import Path

from sync.sheets import WritePlan


def write_with_openpyxl(path: Path, plan: WritePlan) -> None:
    """Load the whole book, replace the summary tabs, append rows, fill each task's 状态 cell, save."""
    import openpyxl  # noqa: PLC0415 - only the baselines need it
    from openpyxl.styles import Font, PatternFill  # noqa: PLC0415

    book = openpyxl.load_workbook(path)
    for grid in plan.owned:
        if grid.name in book.sheetnames:
            del book[grid.name]
        target = book.create_sheet(grid.name)
        for values in grid.rows:
            target.append(values)
    for append in plan.appends:
        sheet = book[append.tab]
        width = max((c + 1 for row in append.rows for c in row), default=0)
        for row in append.rows:
            sheet.append([row.get(c) for c in range(width)])
    looks = {k: (PatternFill("solid", fgColor=c.fill), Font(color=c.font)) for k, c in plan.palette.items()}
    for colours in plan.colours:
        sheet = book[colours.tab]
        for row in sheet.iter_rows(min_row=colours.header_row + 2):
            colour = colours.colours.get(row[colours.id_column].value)
            if colour:
                row[colours.status_column].fill, row[colours.status_column].font = looks[colour]
    book.save(path)
