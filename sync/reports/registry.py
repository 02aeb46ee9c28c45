"""Which sync-owned tabs each 五个一 job builds, in the order of the jobs."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..jobdays import JOBS, monthly_period, quarterly_period, weekly_period, xun_period
from ..rulebook import Rulebook
from ..sheets import SheetGrid
from .board import NAME as BOARD
from .board import board
from .common import DispatchState
from .lists import PROBLEMS_NAME, kind_lists, problems_tab
from .monthly import ASSESSMENT_NAME, REPORT_NAME, monthly_assessment, monthly_report
from .quarterly import NAME as QUARTERLY
from .quarterly import quarterly
from .weekly import NAME as WEEKLY
from .weekly import weekly
from .xun import NAME as XUN
from .xun import xun_check

BUILDERS: dict[str, Callable[[DispatchState], list[SheetGrid]]] = {
    "daily": lambda s: [board(s), *kind_lists(s), problems_tab(s)],
    "weekly": lambda s: [weekly(s, s.report_week or weekly_period(s.rules, s.as_of))],
    "xun": lambda s: [xun_check(s, xun_period(s.rules, s.as_of))],
    "monthly": lambda s: [monthly_report(s, s.report_month or monthly_period(s.rules, s.as_of)),
                          monthly_assessment(s, s.report_month or monthly_period(s.rules, s.as_of))],
    "quarterly": lambda s: [quarterly(s, *quarterly_period(s.rules, s.as_of))],
}


TAB_NAMES: dict[str, Callable[[Rulebook], list[str]]] = {  # what BUILDERS[job] returns, known before building
    "daily": lambda r: [BOARD, *(k.label for k in r.kinds if not k.default), PROBLEMS_NAME],
    "weekly": lambda r: [WEEKLY],
    "xun": lambda r: [XUN],
    "monthly": lambda r: [REPORT_NAME, ASSESSMENT_NAME],
    "quarterly": lambda r: [QUARTERLY],
}


def build_tabs(jobs: list[str], state: DispatchState, renames: Mapping[str, str] | None = None,
               fingerprint: Callable[[str, str], str] | None = None,
               stored: Mapping[str, str] | None = None) -> tuple[list[SheetGrid], list[str]]:
    """The jobs' tabs, named as ``renames`` says, and the names of the tabs not built.

    With ``fingerprint`` (job, tab name -> the fingerprint of its inputs), each tab carries its
    fingerprint, and a job none of whose tabs' fingerprint differs from the one ``stored`` with the tab
    in the book is not built: its tabs are left as they are."""
    renames = renames or {}
    built: list[SheetGrid] = []
    kept: list[str] = []
    for job in (j for j in JOBS if j in jobs):
        names = [renames.get(n, n) for n in TAB_NAMES[job](state.rules)]
        prints = {n: fingerprint(job, n) for n in names} if fingerprint else {}
        if prints and stored is not None and all(stored.get(n) == prints[n] for n in names):
            kept += names
            continue
        for tab in BUILDERS[job](state):
            tab.name = renames.get(tab.name, tab.name)
            tab.fingerprint = prints.get(tab.name)
            built.append(tab)
    return built, kept
