"""Fingerprints of what the summary tabs are built from: nothing changed, nothing built.

A tab's fingerprint digests everything its builder can read — the as-of day and chosen period, the
rules (with the book's settings and holidays), the organisation, every staff tab as normalised and
every month's classified tasks (which carry what the history adds), the data problems, the names the
tabs are written under — plus the sync's own code, the job and the tab's name. A backend that can keep
it beside the tab (the .xlsx marker) hands it back on the next sync; an equal fingerprint on a tab
nobody edited since means a rebuild would write the very same tab, so it is not built.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import pandas as pd

from .digests import code_digest, rules_text
from .reports.common import DispatchState
from .schema import DISTINCT


def inputs_digest(state: DispatchState, renames: Mapping[str, str]) -> str:
    """One digest of everything the report builders read from ``state``."""
    h = hashlib.blake2b(digest_size=16)
    h.update(code_digest())
    h.update(repr((state.as_of, state.report_month, state.report_week, sorted(renames.items()))).encode())
    h.update(rules_text(state.rules).encode())
    org = state.org
    h.update(repr((org.codes, sorted(org.names.items()), sorted(org.levels.items()),
                   sorted((k, v or "") for k, v in org.parents.items()))).encode())
    h.update(repr((state.book.label, [repr(p) for p in state.problems])).encode())
    for key, data in sorted(state.book.tabs.items()):
        h.update(repr((key, data.sheet, data.readable)).encode())
        _frame(h, data.frame)
    for ym, data in sorted(state.book.months.items()):
        h.update(repr((ym, data.sheet, data.readable)).encode())
    for ym, frame in sorted(state.months.items()):
        h.update(repr(ym).encode())
        _frame(h, frame)
    _frame(h, state.empty)
    if state.week_start is not None:
        _frame(h, state.week_start)
    return h.hexdigest()


def tab_fingerprint(inputs: str, job: str, tab: str) -> str:
    """The fingerprint of one tab of one job, built from inputs with digest ``inputs``."""
    return hashlib.blake2b(f"{inputs}\x00{job}\x00{tab}".encode(), digest_size=16).hexdigest()


def _frame(h: hashlib.blake2b, frame: pd.DataFrame) -> None:
    h.update(repr((list(frame.columns), [str(t) for t in frame.dtypes], len(frame))).encode())
    for column in frame.columns:
        values = frame[column]
        try:
            hashed = pd.util.hash_pandas_object(values, index=False, categorize=column not in DISTINCT)
        except TypeError:  # e.g. tuples of unit codes: hashed through their text
            hashed = pd.util.hash_pandas_object(values.map(repr), index=False)
        h.update(hashed.to_numpy().tobytes())
