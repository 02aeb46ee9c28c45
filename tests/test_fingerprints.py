"""Nothing changed, nothing built: a summary tab whose inputs are unchanged is left as it is, and the
book then holds exactly what a full rebuild would write."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest

from sync.backends.xlsx import XlsxBook
from sync.engine import SyncOutcome, run_sync
from sync.jobdays import JOBS
from sync.reports.registry import BUILDERS, TAB_NAMES
from tests.test_xlsx_helpers import parts, sheet_parts

EXAMPLE = Path(__file__).resolve().parent.parent / "workbooks" / "example.xlsx"
DAY = date(2026, 11, 18)
DAILY = ["调度看板", "重点调度", "超前调度", "变化调度", "数据问题"]
ALL = [*DAILY, "周报表", "旬自查", "月报表", "月考核", "季例会"]


def sync(path: Path, day: date = DAY, jobs: list[str] | None = None, *, rebuild: bool = False,
         monkeypatch: pytest.MonkeyPatch | None = None) -> SyncOutcome:
    """One sync; ``rebuild``: as if the book kept no fingerprints (every tab built and written)."""
    if rebuild:
        assert monkeypatch is not None
        with monkeypatch.context() as m:
            m.setattr(XlsxBook, "fingerprints", lambda self: {})
            return run_sync(XlsxBook(path), day, jobs=jobs or ["daily"])
    return run_sync(XlsxBook(path), day, jobs=jobs or ["daily"])


def tabs(path: Path, names: list[str]) -> dict[str, bytes]:
    where, contents = sheet_parts(path), parts(path)
    return {name: contents[where[name]] for name in names}


@pytest.fixture
def synced(tmp_path: Path) -> Path:
    book = tmp_path / "台账.xlsx"
    shutil.copyfile(EXAMPLE, book)
    sync(book, jobs=list(JOBS))
    return book


def test_a_same_day_rerun_builds_nothing_and_the_book_equals_a_full_rebuild(
        synced: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = synced.read_bytes()
    again = sync(synced, jobs=list(JOBS))
    assert again.plan.kept == ALL and again.plan.owned == [] and again.written == []
    assert synced.read_bytes() == before
    full = tmp_path / "full" / "台账.xlsx"
    full.parent.mkdir()
    shutil.copyfile(synced, full)
    rebuilt = sync(full, jobs=list(JOBS), rebuild=True, monkeypatch=monkeypatch)
    assert [t.name for t in rebuilt.plan.owned] == ALL and rebuilt.plan.kept == []
    assert tabs(full, [*ALL, "调度颜色"]) == tabs(synced, [*ALL, "调度颜色"])


def test_a_new_day_rebuilds_every_tab(synced: Path) -> None:
    outcome = sync(synced, date(2026, 11, 19))
    assert outcome.plan.kept == [] and [t.name for t in outcome.plan.owned] == DAILY
    assert set(DAILY) <= set(outcome.written)


def edit(book: Path, tab: str, old: str, new: str) -> bytes:
    """Change text in a tab's part as another program would (a new CRC); returns the part as it was."""
    part = sheet_parts(book)[tab]
    contents = parts(book)
    written = contents[part]
    contents[part] = written.replace(old.encode(), new.encode(), 1)
    assert contents[part] != written
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    return written


def test_only_the_job_with_an_edited_tab_is_built(synced: Path) -> None:
    written = edit(synced, "周报表", "周报表", "改过的表")
    outcome = sync(synced, jobs=["daily", "weekly"])
    assert outcome.plan.kept == DAILY and [t.name for t in outcome.plan.owned] == ["周报表"]
    assert tabs(synced, ["周报表"])["周报表"] == written


def test_a_tab_edited_since_the_sync_wrote_it_is_rebuilt_as_a_full_rebuild_would(
        synced: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    written = edit(synced, "重点调度", "重点调度清单", "随手改过的标题")
    outcome = sync(synced)
    assert outcome.plan.kept == [] and [t.name for t in outcome.plan.owned] == DAILY  # a job's tabs go together
    assert tabs(synced, ["重点调度"])["重点调度"] == written
    full = tmp_path / "full" / "台账.xlsx"
    full.parent.mkdir()
    shutil.copyfile(synced, full)
    sync(full, rebuild=True, monkeypatch=monkeypatch)
    assert tabs(full, DAILY) == tabs(synced, DAILY)


def test_the_names_known_before_building_are_the_tabs_each_job_builds(synced: Path) -> None:
    state = sync(synced, date(2026, 11, 20), jobs=[]).state
    for job in JOBS:
        assert [t.name for t in BUILDERS[job](state)] == TAB_NAMES[job](state.rules)
