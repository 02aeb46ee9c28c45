"""A local, faithful stand-in of the Google Sheets v4 API, for tests and the offline demo.

It is a real HTTP server (threaded, on 127.0.0.1 and an ephemeral port) that keeps spreadsheets in
memory and answers like the real API: the same JSON shapes and error bodies, ranges normalised
and trimmed the same way (``'Sheet 1'!A1:D2``, unbounded ranges clamped to the grid, trailing
empty cells and rows left out), colours quantised like Google stores them, batchUpdate applied
all-or-nothing. It is strict: a request kind or parameter the real API does not know is a 400
with the real "Unknown name" body; a real kind the stand-in does not implement is a 501 naming
it. It also serves the few Drive v3 calls that create, look up and delete a spreadsheet file,
and an OAuth token endpoint that verifies service-account JWT grants with the account's public
key, as Google does, and issues the bearer tokens the API then requires.

How clients reach it: a service-account key file whose ``token_uri`` is the stand-in's token
endpoint (:meth:`StandIn.new_service_account`), and a requests transport adapter
(:meth:`StandIn.adapter`) mounted on the client's session for ``https://sheets.googleapis.com/``
and ``https://www.googleapis.com/`` — so gspread and google-auth run unpatched.

For tests it counts requests by kind (:meth:`StandIn.counts`), can fail the Nth request of a kind
with 429/500/503 or hang it until the client times out (:meth:`StandIn.inject`), can enforce the
per-user quota (``quota_per_minute``), can refuse accounts a spreadsheet is not shared with
(:meth:`StandIn.share`), seeds spreadsheets from grids (:meth:`StandIn.seed`) and shows what a
cell's conditional formats make of it (:meth:`StandIn.fill_of`). :func:`running_standin` starts
one with a service-account key and yields a session that opens :class:`GSheetsBook` objects on it.

It agrees with real recorded traffic: ``python -m standin.replay [FOLDER]`` feeds recorded
vcrpy cassettes to it and reports "N/M interactions agree" (see :mod:`standin.replay`).
"""

from .server import Fault, Logged, StandIn
from .session import StandinSession, running_standin

__all__ = ["Fault", "Logged", "StandIn", "StandinSession", "running_standin"]
