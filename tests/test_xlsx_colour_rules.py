"""The task colours in a written .xlsx, checked without LibreOffice: read the conditional-format rules,
the workbook names and the hidden 调度颜色 map back with openpyxl, evaluate each rule's lookup as Excel
does (TRIM, SUBSTITUTE, MATCH with its match type, INDEX, a case-insensitive "="), and compare every task's fill
with its colour's fill in rules/colours.toml. A swapped fill, a wrong range or an approximate MATCH fails."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string, range_boundaries
from openpyxl.workbook import Workbook

from sync.backends.xlsx import XlsxBook
from sync.engine import SyncOutcome, run_sync
from sync.example import EXAMPLE_AS_OF
from sync.jobdays import JOBS

REPO = Path(__file__).resolve().parent.parent
PALETTE = {c["key"]: c for c in tomllib.loads((REPO / "rules" / "colours.toml").read_text("utf-8"))["colour"]}
LOOKUP = re.compile(r'INDEX\((?P<values>\w+),MATCH\("(?P<prefix>(?:[^"]|"")*)"&(?:SUBSTITUTE\()*'
                    r'TRIM\(\$(?P<column>[A-Z]+)(?P<row>\d+)\)(?P<substitutes>(?:,"[^"]*","[^"]*"\))*),'
                    r'(?P<keys>\w+)(?:,(?P<match_type>-?\d+))?\)\)="(?P<label>(?:[^"]|"")*)"')
SUBSTITUTE = re.compile(r',"([^"]*)","([^"]*)"\)')


def substitute(text: str, replacements: str) -> str:
    """Excel's nested SUBSTITUTE(…, old, new) calls, innermost first, as the formula lists them."""
    for old, new in SUBSTITUTE.findall(replacements):
        text = text.replace(old, new)
    return text


def trim(value: object) -> str:
    """Excel's TRIM: no leading or trailing spaces, inner runs of spaces made one."""
    return re.sub(" +", " ", "" if value is None else str(value)).strip(" ")


def match(lookup: str, keys: list[object], match_type: int) -> int | None:
    """Excel's MATCH over text: 0 is the first case-insensitive equal (with * ? ~ wildcards); 1 and -1 are
    Excel's binary search for the last key <= lookup (ascending) or >= lookup (descending)."""
    folded = [k.casefold() if isinstance(k, str) else None for k in keys]
    if match_type == 0:
        pattern = re.compile("".join(".*" if t == "*" else "." if t == "?" else re.escape(t[-1])
                                     for t in re.findall(r"~.|\*|\?|[^~*?]", lookup.casefold())), re.S)
        return next((i for i, k in enumerate(folded) if k is not None and pattern.fullmatch(k)), None)
    low, high, found = 0, len(folded) - 1, None
    while low <= high:
        middle = (low + high) // 2
        key = folded[middle] or ""
        if (key <= lookup.casefold()) if match_type > 0 else (key >= lookup.casefold()):
            found, low = middle, middle + 1
        else:
            high = middle - 1
    return found


def name_values(book: Workbook, name: str) -> list[object]:
    """The cell values a workbook name refers to (one column)."""
    ((sheet, cells),) = book.defined_names[name].destinations
    return [row[0].value for row in book[sheet][cells.replace("$", "")]]


def shown_fills(book: Workbook, tab: str) -> dict[int, str | None]:
    """Row number -> the fill Excel would show on that row's coloured cell (None: no rule holds)."""
    sheet = book[tab]
    shown: dict[int, str | None] = {}
    (formatting,) = [cf for cf in sheet.conditional_formatting
                     if any("_调度颜色键" in f for r in cf.rules for f in r.formula)]
    (area,) = formatting.sqref.ranges
    column, first, _, last = range_boundaries(area.coord)
    for row in range(first, min(last, sheet.max_row) + 1):
        holding = []
        for rule in sorted(formatting.rules, key=lambda r: r.priority):
            (formula,) = rule.formula
            parts = LOOKUP.fullmatch(formula)
            assert parts, f"the evaluator does not know this rule: {formula}"
            task = sheet.cell(row + int(parts["row"]) - first, column_index_from_string(parts["column"])).value
            keys, values = name_values(book, parts["keys"]), name_values(book, parts["values"])
            typed = substitute(trim(task), parts["substitutes"])
            at = match(parts["prefix"].replace('""', '"') + typed, keys, int(parts["match_type"] or 1))
            if at is not None and str(values[at]).casefold() == parts["label"].replace('""', '"').casefold():
                holding.append(rule.dxf.fill.bgColor.rgb[-6:] if rule.dxf.fill.bgColor.rgb else None)
        assert len(holding) <= 1, f"{tab}!{column}{row}: several colour rules hold"
        shown[row] = holding[0] if holding else None
    assert column == 11  # 状态 is column K of the month sheet
    return shown


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workbook, SyncOutcome]:
    path = tmp_path_factory.mktemp("colours") / "example.xlsx"
    shutil.copyfile(REPO / "workbooks" / "example.xlsx", path)
    outcome = run_sync(XlsxBook(path), EXAMPLE_AS_OF, jobs=list(JOBS))
    return openpyxl.load_workbook(path), outcome


def test_every_task_shows_its_colours_fill(synced: tuple[Workbook, SyncOutcome]) -> None:
    book, outcome = synced
    assert [tc.tab for tc in outcome.plan.colours] == ["月度任务 2026-10", "月度任务 2026-11"]
    for coloured in outcome.plan.colours:
        sheet = book[coloured.tab]
        ids = {row: trim(sheet.cell(row, 1).value) for row in range(2, sheet.max_row + 1)}
        expected = {row: PALETTE[coloured.colours[task]]["fill"] if task in coloured.colours else None
                    for row, task in ids.items()}
        assert shown_fills(book, coloured.tab) == expected
    month = outcome.plan.colours[-1].colours.values()
    assert set(month) == {"green", "red", "orange", "blue"}


def test_a_lookup_finds_ids_typed_with_stray_spaces_and_other_case(synced: tuple[Workbook, SyncOutcome]) -> None:
    book, outcome = synced
    tab = "月度任务 2026-11"
    sheet = book[tab]
    task = sheet.cell(2, 1).value
    fill = PALETTE[outcome.plan.colours[-1].colours[task]]["fill"]
    sheet.cell(2, 1).value = f"  {task.lower()} "
    assert shown_fills(book, tab)[2] == fill
    sheet.cell(2, 1).value = f"{task}X"  # an ID the map does not know: no colour
    assert shown_fills(book, tab)[2] is None
    sheet.cell(2, 1).value = task


def test_the_evaluator_follows_excels_match() -> None:
    keys: list[object] = ["t|C", "t|A", "t|B"]
    assert match("T|a", keys, 0) == 1
    assert match("t|*", keys, 0) == 0
    assert match("t|C", keys, 0) == 0
    assert match("t|C", keys, 1) == 2  # approximate MATCH on an unsorted map finds the wrong row
    assert match("t|D", keys, 0) is None
