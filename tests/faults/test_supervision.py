"""The runner's supervision (backoff, what is retried and what ends it) and the readiness rule, without a database."""

from __future__ import annotations

import psycopg
import pytest
from eventsourcing.persistence import OperationalError
from structlog.testing import capture_logs

from projections.heartbeats import Beat, LagWatch, ReadinessLimits, not_ready_reasons
from wiring.supervision import Backoff, supervise

LIMITS = ReadinessLimits(max_heartbeat_age=30, max_lag=100, lag_grace_seconds=10)


def test_backoff_doubles_up_to_its_cap_with_jitter_below_each_ceiling() -> None:
    highest = Backoff(cap=1.0, first=0.1, draw=lambda low, high: high)
    assert [round(highest.next_delay(), 3) for _ in range(6)] == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    highest.reset()
    assert highest.next_delay() == 0.1
    jittered = Backoff(cap=8.0, first=1.0)
    delays = [jittered.next_delay() for _ in range(200)]
    assert all(0.5 <= delay <= 8.0 for delay in delays) and len(set(delays)) > 100


def test_a_lost_database_is_waited_out_and_the_work_started_again() -> None:
    calls: list[int] = []
    pauses: list[float] = []

    def work() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("terminating connection due to administrator command")
        if len(calls) == 2:
            raise psycopg.OperationalError("connection refused")

    with capture_logs() as logs:
        supervise(work, lambda: len(calls) >= 3, Backoff(cap=5.0, draw=lambda low, high: high), pauses.append, "test")
    assert len(calls) == 3 and pauses == [0.1, 0.2]
    assert [(entry["log_level"], entry["event"], entry["error"], entry["retry_in_seconds"]) for entry in logs] == [
        ("warning", "database unreachable; reconnecting", "OperationalError", 0.1),
        ("warning", "database unreachable; reconnecting", "OperationalError", 0.2)]


def test_a_programming_error_ends_the_work_at_once() -> None:
    calls: list[int] = []

    def work() -> None:
        calls.append(1)
        raise KeyError("a bug")

    with capture_logs() as logs, pytest.raises(KeyError):
        supervise(work, lambda: False, Backoff(cap=1.0), lambda seconds: None, "test")
    assert len(calls) == 1
    assert [(entry["log_level"], entry["event"]) for entry in logs] == [
        ("error", "stopped by an error that retrying cannot fix")]


def lags(lag: int) -> dict[str, dict[str, int]]:
    return {"views": {"position": 1000 - lag, "lag": lag}, "publisher": {"position": 0, "lag": 5000}}


def test_ready_with_a_fresh_heartbeat_and_a_small_lag_whatever_the_signing_lag() -> None:
    beats = {"views": Beat("views", 990, at=995.0)}
    assert not_ready_reasons(lags(10), beats, LIMITS, LagWatch(), now=1000.0) == []


def test_not_ready_without_a_heartbeat_or_with_a_stale_one() -> None:
    assert not_ready_reasons(lags(0), {}, LIMITS, LagWatch(), now=1000.0) == [
        "the projection runner has never recorded a heartbeat"]
    stale = {"views": Beat("views", 1000, at=900.0)}
    assert not_ready_reasons(lags(0), stale, LIMITS, LagWatch(), now=1000.0) == [
        "the projection runner's last heartbeat is 100 s old (more than 30 s)"]


def test_not_ready_only_when_the_lag_stays_above_the_bound_for_the_grace_period() -> None:
    watch = LagWatch()
    beat = {"views": Beat("views", 0, at=1000.0)}
    assert not_ready_reasons(lags(500), beat, LIMITS, watch, now=1000.0) == []  # a burst: not yet
    assert not_ready_reasons(lags(400), beat, LIMITS, watch, now=1009.0) == []
    assert not_ready_reasons(lags(300), beat, LIMITS, watch, now=1010.0) == [
        "the views are 300 events behind the log (more than 100) for 10 s"]
    assert not_ready_reasons(lags(50), beat, LIMITS, watch, now=1011.0) == []  # caught up: the clock starts over
    assert not_ready_reasons(lags(500), beat, LIMITS, watch, now=1015.0) == []
