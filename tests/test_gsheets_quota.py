"""Quota and failures: a shared limiter keeps 40 spreadsheets under 60 requests/min; bounded retries; no half writes."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest

from standin import StandinSession, running_standin
from sync.backends.gsheets.quota import QuotaLimiter, RetryPolicy
from sync.errors import EXIT_REMOTE, RemoteError
from sync.sheets import SheetGrid, WritePlan

STAFF = {"组织架构": [["单位编码", "单位名称"], ["JT", "集团党委"]]}
PLAN = WritePlan(owned=[SheetGrid("调度看板", [["调度看板（截至 2026-11-05）"], ["任务", 3]])])


class FakeClock:
    """Time that passes only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def standin(clock: FakeClock) -> Iterator[StandinSession]:
    with running_standin(clock=clock, quota_per_minute=60) as session:
        yield session


def sync(session: StandinSession, sid: str, **options: object) -> None:
    book = session.book(sid, **options)
    book.sheet_names()
    book.read(list(STAFF))
    book.write(PLAN)


def busiest_minute(times: list[float]) -> int:
    return max(sum(1 for t in times if start <= t < start + 60) for start in times)


def test_the_limiter_never_lets_more_than_the_quota_into_any_minute(clock: FakeClock) -> None:
    limiter = QuotaLimiter(60, clock=clock, sleep=clock.sleep)
    sent = []
    for _ in range(150):
        limiter.acquire()
        sent.append(clock.now)
    assert busiest_minute(sent) == 60
    assert sent[59] == 0 and sent[60] == 60 and sent[-1] == 120


def test_forty_spreadsheets_sync_within_quota_with_the_shared_limiter(standin: StandinSession,
                                                                       clock: FakeClock) -> None:
    ids = [standin.seed(STAFF, title=f"单位 {i}") for i in range(40)]
    limiter = QuotaLimiter(60, clock=clock, sleep=clock.sleep)
    for sid in ids:
        sync(standin, sid, limiter=limiter, retry=RetryPolicy(sleep=clock.sleep))
    log = standin.api.requests()
    assert len(log) == 120 and all(r.status == 200 for r in log)  # 3 requests each, not one 429
    assert busiest_minute([r.at for r in log]) == 60
    assert all(sum(standin.api.counts(sid).values()) == 3 for sid in ids)


def test_without_the_limiter_the_same_run_hits_the_quota(standin: StandinSession, clock: FakeClock) -> None:
    ids = [standin.seed(STAFF) for _ in range(40)]
    unlimited = QuotaLimiter(10**6, clock=clock, sleep=clock.sleep)
    with pytest.raises(RemoteError):
        for sid in ids:
            sync(standin, sid, limiter=unlimited, retry=RetryPolicy(attempts=1, sleep=clock.sleep))
    assert any(r.status == 429 for r in standin.api.requests())


def test_429_and_5xx_are_retried_with_jittered_backoff(standin: StandinSession, clock: FakeClock) -> None:
    sid = standin.seed(STAFF)
    standin.api.inject(429, kind="values.batchGet", times=2)
    standin.api.inject(503, kind="spreadsheets.batchUpdate")
    sync(standin, sid, retry=RetryPolicy(sleep=clock.sleep, rand=lambda: 0.5))
    assert clock.sleeps == [0.5, 1.0, 0.5]  # half of 1 s, 2 s (reads), then 1 s (the write)
    assert standin.api.counts(sid) == {"spreadsheets.get": 1, "values.batchGet": 3, "spreadsheets.batchUpdate": 2}
    assert standin.api.values(sid, "调度看板")[1] == ["任务", 3]


def test_backoff_doubles_up_to_the_cap() -> None:
    waits: list[float] = []
    policy = RetryPolicy(attempts=8, base=1.0, cap=32.0, sleep=waits.append, rand=lambda: 1.0)
    with pytest.raises(RemoteError):
        policy.run(lambda: (_ for _ in ()).throw(__import__("requests").ConnectTimeout()), where="x")
    assert waits == [1, 2, 4, 8, 16, 32, 32]


def test_after_the_last_retry_a_clear_error_and_nothing_written(standin: StandinSession, clock: FakeClock) -> None:
    sid = standin.seed(STAFF)
    before = copy.deepcopy(standin.api.spreadsheet(sid).resource())
    standin.api.inject(500, kind="spreadsheets.batchUpdate", times=5)
    with pytest.raises(RemoteError) as caught:
        sync(standin, sid, retry=RetryPolicy(sleep=clock.sleep))
    assert caught.value.exit_code == EXIT_REMOTE
    assert "连续 5 次失败" in str(caught.value) and sid in str(caught.value) and "未写入" in str(caught.value)
    assert standin.api.counts(sid)["spreadsheets.batchUpdate"] == 5 and len(clock.sleeps) == 4
    assert standin.api.spreadsheet(sid).resource() == before


def test_a_read_that_times_out_is_retried(standin: StandinSession, clock: FakeClock) -> None:
    sid = standin.seed(STAFF)
    standin.api.inject(None, kind="values.batchGet", delay=0.6)
    sync(standin, sid, timeout=0.2, retry=RetryPolicy(sleep=clock.sleep))
    assert standin.api.counts(sid)["values.batchGet"] == 2
    assert standin.api.values(sid, "调度看板")[1] == ["任务", 3]


def test_a_write_that_times_out_is_not_sent_twice(standin: StandinSession, clock: FakeClock) -> None:
    sid = standin.seed(STAFF)
    standin.api.inject(None, kind="spreadsheets.batchUpdate", delay=0.6)
    with pytest.raises(RemoteError, match="无法确认是否已写入"):
        sync(standin, sid, timeout=0.2, retry=RetryPolicy(sleep=clock.sleep))
    assert standin.api.counts(sid)["spreadsheets.batchUpdate"] == 1
    assert standin.api.spreadsheet(sid).sheet("调度看板") is None
