"""``dispatchbook distribute``: write, or refresh, one book per unit of a level from the central book.

A refresh is the exchange without collecting: tasks new to a unit are added, central changes go
into cells the unit has not touched, the unit's board and 数据问题 are rebuilt, and nothing the unit
typed is overwritten (its edits wait in its book for the next collecting sync).
"""

from __future__ import annotations

from datetime import date

from ..rulebook import Rulebook
from ..sheets import Backend
from .collect import Exchanged, UnitsSetup, exchange


def distribute(central: Backend, setup: UnitsSetup, as_of: date, rules: Rulebook) -> Exchanged:
    return exchange(central, setup, as_of, rules, collect=False)
