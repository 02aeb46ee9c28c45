"""Which sync-owned tabs each 五个一 job builds, in the order of the jobs."""

from __future__ import annotations

from collections.abc import Callable

from ..jobdays import JOBS, monthly_period, quarterly_period, weekly_period, xun_period
from ..sheets import SheetGrid
from .board import board
from .common import DispatchState
from .lists import kind_lists, problems_tab
from .monthly import monthly_assessment, monthly_report
from .quarterly import quarterly
from .weekly import weekly
from .xun import xun_check

BUILDERS: dict[str, Callable[[DispatchState], list[SheetGrid]]] = {
    "daily": lambda s: [board(s), *kind_lists(s), problems_tab(s)],
    "weekly": lambda s: [weekly(s, s.report_week or weekly_period(s.rules, s.as_of))],
    "xun": lambda s: [xun_check(s, xun_period(s.rules, s.as_of))],
    "monthly": lambda s: [monthly_report(s, s.report_month or monthly_period(s.rules, s.as_of)),
                          monthly_assessment(s, s.report_month or monthly_period(s.rules, s.as_of))],
    "quarterly": lambda s: [quarterly(s, *quarterly_period(s.rules, s.as_of))],
}


def build_tabs(jobs: list[str], state: DispatchState) -> list[SheetGrid]:
    return [tab for job in JOBS if job in jobs for tab in BUILDERS[job](state)]
