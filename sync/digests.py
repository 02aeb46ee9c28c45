"""Digests of what every sync's output depends on besides the book: the sync's own code and the rules."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from .rulebook import Rulebook

_PACKAGE = Path(__file__).resolve().parent


def rules_text(rules: Rulebook) -> str:
    """Everything a rulebook decides, as text (equal text: equal rules)."""
    cal = rules.calendar
    return repr((rules.colours, rules.kinds, rules.lines, sorted(rules.params.items()), rules.base, rules.floor,
                 rules.include_descendants, rules.bottom, rules.carry_over, rules.recurring_months,
                 rules.channel_category, sorted(rules.jobs.items()), sorted(rules.overrides.items()),
                 sorted(cal.extra_holidays), sorted(cal.extra_workdays), cal.timezone.key))


@cache
def code_digest() -> bytes:
    """The sync's own source: a new version of the code rebuilds every tab."""
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(_PACKAGE.rglob("*.py")):
        h.update(path.relative_to(_PACKAGE).as_posix().encode())
        h.update(path.read_bytes())
    return h.digest()
