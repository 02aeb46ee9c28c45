"""Task colours that follow the task ID: a hidden map tab and conditional-format rules reading it.

The sync writes ``tab|task id -> colour label`` into the hidden tab 调度颜色 and gives each coloured
staff tab, once, one rule per colour on its 状态 column. A rule's formula looks the row's task ID
up in the map (through INDIRECT: Sheets rules cannot name other sheets directly), so the colour
stays with its task when staff sort or insert rows, even while a sync is running.
"""

from __future__ import annotations

import re
from typing import Any

from sync.a1 import column_letter
from sync.backends.colourmap import MAP_TAB
from sync.backends.gsheets.cells import colour, hex_of
from sync.quoting import formula_string, sheet_ref
from sync.sheets import TaskColours, WritePlan

_MAP_REF = sheet_ref(MAP_TAB)
_MAP_MARK = f"{_MAP_REF}!"


def rules(colours: TaskColours, plan: WritePlan, sheet_id: int) -> list[dict[str, Any]]:
    """One conditional-format rule per palette colour on the tab's status column, below its header."""
    first = colours.header_row + 1
    task = f"${column_letter(colours.id_column)}{first + 1}"
    for wildcard in ("~", "*", "?"):  # MATCH(…, 0) reads these as wildcards: escaped, an ID matches only itself
        task = f'SUBSTITUTE({task},"{wildcard}","~{wildcard}")'
    out = []
    for entry in plan.palette.values():
        formula = (f'=IFERROR(INDEX(INDIRECT({formula_string(_MAP_REF + "!B:B")}),'
                   f'MATCH({formula_string(colours.tab.replace("~", "~~") + "|")}'
                   f'&{task},INDIRECT({formula_string(_MAP_REF + "!A:A")}),0))={formula_string(entry.label)},FALSE)')
        out.append({
            "ranges": [{"sheetId": sheet_id, "startRowIndex": first, "startColumnIndex": colours.status_column,
                        "endColumnIndex": colours.status_column + 1}],
            "booleanRule": {
                "condition": {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": formula}]},
                "format": {"backgroundColor": colour(entry.fill),
                           "textFormat": {"foregroundColor": colour(entry.font)}},
            },
        })
    return out


def _normal_formula(formula: str) -> str:
    """A formula without the spacing and letter case Sheets may change outside string literals."""
    parts = re.split(r'("(?:[^"]|"")*")', formula)
    return "".join(p if p.startswith('"') else re.sub(r"\s+", "", p).upper() for p in parts)


def _signature(rule: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two rules the same, from a rule we built or one the API returned."""
    grid = (rule.get("ranges") or [{}])[0]
    boolean = rule.get("booleanRule", {})
    values = boolean.get("condition", {}).get("values") or [{}]
    fmt = boolean.get("format", {})
    return (_normal_formula(str(values[0].get("userEnteredValue", ""))), grid.get("startRowIndex", 0),
            grid.get("startColumnIndex", 0), grid.get("endColumnIndex"), hex_of(fmt.get("backgroundColor")),
            hex_of(fmt.get("textFormat", {}).get("foregroundColor")))


def is_ours(rule: dict[str, Any]) -> bool:
    values = rule.get("booleanRule", {}).get("condition", {}).get("values") or [{}]
    return _MAP_MARK in str(values[0].get("userEnteredValue", ""))


def rule_requests(colours: TaskColours, plan: WritePlan, sheet_id: int,
                  existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Requests that make the tab's colour rules the expected ones; none when they already are."""
    wanted = rules(colours, plan, sheet_id)
    ours = [i for i, rule in enumerate(existing) if is_ours(rule)]
    if [_signature(existing[i]) for i in ours] == [_signature(r) for r in wanted]:
        return []
    requests: list[dict[str, Any]] = [{"deleteConditionalFormatRule": {"sheetId": sheet_id, "index": i}}
                                      for i in reversed(ours)]
    return requests + [{"addConditionalFormatRule": {"rule": rule, "index": i}} for i, rule in enumerate(wanted)]
