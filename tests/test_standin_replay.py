"""The stand-in agrees with the real API: every recorded request, replayed in order, gets the recorded answer.

The recordings come from ``$SHEETS_RECORDINGS_DIR`` (default: ../shared/gsheets-recordings beside the
repository, else tests/data/gsheets-recordings), so any other set of recordings can be replayed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from standin.replay import Outcome, cassettes, default_dir, replay_cassette

FOLDER = default_dir()
CASSETTES = cassettes(FOLDER)
_RESULTS: dict[str, list[Outcome]] = {}


def results(path: Path) -> list[Outcome]:
    if path.name not in _RESULTS:
        _RESULTS[path.name] = list(replay_cassette(path))
    return _RESULTS[path.name]


def test_there_are_recordings_to_replay() -> None:
    assert CASSETTES, f"no *.json cassettes in {FOLDER} (set SHEETS_RECORDINGS_DIR)"


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.stem)
def test_every_recorded_interaction_agrees(path: Path) -> None:
    outcomes = results(path)
    assert outcomes, f"{path.name} holds no interactions"
    wrong = [f"[{o.index}] {o.request}: {o.reason}" for o in outcomes if not o.agree]
    assert not wrong, "\n".join(wrong)


def test_summary(capsys: pytest.CaptureFixture[str]) -> None:
    every = [o for path in CASSETTES for o in results(path)]
    agree = sum(o.agree for o in every)
    with capsys.disabled():
        print(f"\nstand-in replay of {FOLDER.name}: {agree}/{len(every)} interactions agree")
    assert agree == len(every)
