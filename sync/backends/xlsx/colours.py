"""Task colours that follow the task ID: a hidden map tab plus conditional formats on each 状态 column.

The sync-owned, hidden tab ``调度颜色`` lists ``tab|task id`` -> colour label. Each coloured staff tab
gets, once, four expression rules on its status column that look the row's task ID up in that map
through two workbook names, so staff may sort, filter and insert rows and the colour stays with the
task. Later syncs only rewrite the map tab and the names; the staff tab's part stays byte-identical.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import unescape

from sync.a1 import column_letter
from sync.backends.colourmap import MAP_TAB
from sync.backends.xlsx.append import worksheet_prefix
from sync.backends.xlsx.ooxml.xmledit import Tag, element_end, prefixed, tags, text
from sync.backends.xlsx.workbook import Workbook
from sync.quoting import formula_string, sheet_ref
from sync.sheets import TaskColours, WritePlan

KEY_NAME = "_调度颜色键"
VALUE_NAME = "_调度颜色值"
_LAST_ROW = 1_048_576
# CT_Worksheet children after <conditionalFormatting>, in schema order.
_AFTER_RULES = ("dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup",
                "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches",
                "ignoredErrors", "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "picture",
                "oleObjects", "controls", "webPublishItems", "tableParts", "extLst")
_FORMULA = re.compile(r"<(?:[\w.-]+:)?formula>(.*?)</(?:[\w.-]+:)?formula>", re.S)
_PRIORITY = re.compile(r'\spriority="(\d+)"')


def map_names(count: int) -> dict[str, str]:
    """The two workbook names over the map's key and colour columns."""
    last = max(count, 1) + 1
    return {KEY_NAME: f"{sheet_ref(MAP_TAB)}!$A$2:$A${last}", VALUE_NAME: f"{sheet_ref(MAP_TAB)}!$B$2:$B${last}"}


def rules_elsewhere(book: Workbook, plan: WritePlan) -> bool:
    """Whether a tab the plan neither colours nor rewrites carries colour rules (e.g. a month sheet that
    could not be read this time): only then do the map's current entries matter, as entries of every
    coloured tab are replaced and no other tab looks the map up. Saves re-reading a 100k-row map."""
    skip = {tc.tab.casefold() for tc in plan.colours} | {s.name.casefold() for s in plan.owned} | {MAP_TAB.casefold()}
    key = KEY_NAME.encode()
    return any(tab.part and tab.name.casefold() not in skip and key in book.pkg.blob(tab.part) for tab in book.tabs)


def has_rules(head: bytes, tail: bytes, tc: TaskColours, rules: list[tuple[str, int]]) -> bool:
    """Whether a staff worksheet already carries exactly these colour rules, judged from its first and
    last bytes (:meth:`Package.ends`: a 100k-row sheet need not be inflated whole to know). False also
    when its end does not reach back to its cells (the whole part then decides)."""
    at = tail.rfind(b"sheetData")
    if at < 0:
        return False
    cut = tail.find(b">", at) + 1
    return cut > 0 and _rules_tail(worksheet_prefix(head).decode(), tail[cut:].decode("utf-8"), tc, rules) is None


def with_rules(xml: bytes, tc: TaskColours, rules: list[tuple[str, int]]) -> bytes:
    """The staff worksheet with the colour rules on its status column, unchanged if already there.

    ``rules`` are (colour label, dxf index) pairs. Rules from an earlier sync that no longer match
    (the status or ID column moved, the palette changed) are replaced; every other byte stays.
    """
    cut = xml.index(b">", xml.rindex(b"sheetData")) + 1
    tail = _rules_tail(worksheet_prefix(xml).decode(), xml[cut:].decode("utf-8"), tc, rules)
    return xml if tail is None else b"".join([memoryview(xml)[:cut], tail.encode("utf-8")])


def _rules_tail(p: str, tail: str, tc: TaskColours, rules: list[tuple[str, int]]) -> str | None:
    """What follows the cells of a worksheet (elements prefixed ``p``) with the colour rules in place of
    any earlier ones; None when ``tail`` holds exactly these rules already."""
    status, first = column_letter(tc.status_column), tc.header_row + 2
    sqref = f"{status}{first}:{status}{_LAST_ROW}"
    task = f"TRIM(${column_letter(tc.id_column)}{first})"  # IDs typed with stray spaces still match
    for wildcard in ("~", "*", "?"):  # MATCH(…, 0) reads these as wildcards: escaped, an ID matches only itself
        task = f'SUBSTITUTE({task},"{wildcard}","~{wildcard}")'
    key = formula_string(tc.tab.replace("~", "~~") + "|")  # a tab name may hold ~ (never * or ?)
    lookup = f'INDEX({VALUE_NAME},MATCH({key}&{task},{KEY_NAME},0))'
    wanted = {(str(dxf), f'{lookup}={formula_string(label)}') for label, dxf in rules}
    ours = [(tag, element_end(tail, tag)) for tag in tags(tail, "conditionalFormatting", prefix=p)
            if KEY_NAME in tail[tag.start:element_end(tail, tag)]]
    if len(ours) == 1 and _meaning(tail, *ours[0]) == (sqref, wanted):
        return None
    for tag, end in reversed(ours):
        tail = tail[:tag.start] + tail[end:]
    priority = max((int(n) for n in _PRIORITY.findall(tail)), default=0) + 1
    block = "".join(f'<cfRule type="expression" dxfId="{dxf}" priority="{priority + i}">'
                    f"<formula>{text(formula)}</formula></cfRule>"
                    for i, (dxf, formula) in enumerate(sorted(wanted)))
    block = prefixed(f'<conditionalFormatting sqref="{sqref}">{block}</conditionalFormatting>', p)
    found = [t.start for name in _AFTER_RULES if (t := next(tags(tail, name, prefix=p), None))]
    at = min(found) if found else tail.rindex("</")
    return tail[:at] + block + tail[at:]


def _meaning(tail: str, tag: Tag, end: int) -> tuple[str, set[tuple[str, str]]]:
    """(sqref, {(dxfId, formula)}) of one conditionalFormatting element."""
    block = tail[tag.start:end]
    rules = set()
    for rule in tags(block, "cfRule"):
        formula = _FORMULA.search(block, rule.end)
        text_ = unescape(formula[1], {"&quot;": '"', "&apos;": "'"}) if formula else ""
        rules.add((rule.attrs.get("dxfId", ""), text_))
    return tag.attrs.get("sqref", ""), rules

