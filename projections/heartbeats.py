"""The projection runner's heartbeat and what readiness makes of it.

A runner records a heartbeat (its view's position and the time) every few seconds, idle or not, in a table beside the
views. Readiness is judged from the heartbeat's age and the view's lag behind the log: a runner that died, hangs, or
cannot reach the database stops beating; one that is alive but falls far behind shows a lag that stays high.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from projections.schema import VIEW_NAME
from projections.store import LedgerViews

HEARTBEAT_TABLE = "ler_v_heartbeats"


@dataclass(frozen=True)
class Beat:
    name: str
    position: int
    at: float  # seconds since the epoch, on the runner's clock


@dataclass(frozen=True)
class ReadinessLimits:
    max_heartbeat_age: float
    max_lag: int
    lag_grace_seconds: float


class Heartbeats:
    """The heartbeat rows, one per runner name, in the views' database."""

    def __init__(self, views: LedgerViews):
        self.views = views
        self.table = views.sql("{published}").replace("ler_v_published", HEARTBEAT_TABLE)
        self.created = False

    def _create(self) -> None:
        if self.created:
            return
        with self.views.transaction(commit=True) as cursor:
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {self.table}"
                           " (name TEXT PRIMARY KEY, position BIGINT NOT NULL, beat_at DOUBLE PRECISION NOT NULL)")
        self.created = True

    def beat(self, position: int, name: str = VIEW_NAME, at: float | None = None) -> None:
        self._create()
        with self.views.transaction(commit=True) as cursor:
            self.views.run(cursor, f"INSERT INTO {self.table} (name, position, beat_at) VALUES (?, ?, ?)"
                                   " ON CONFLICT (name) DO UPDATE SET position = excluded.position,"
                                   " beat_at = excluded.beat_at", (name, position, time.time() if at is None else at))

    def read(self) -> dict[str, Beat]:
        self._create()
        with self.views.transaction(commit=False) as cursor:
            rows = self.views.all(cursor, f"SELECT name, position, beat_at FROM {self.table}")
        return {row["name"]: Beat(row["name"], int(row["position"]), float(row["beat_at"])) for row in rows}


@dataclass
class LagWatch:
    """Since when each view's lag has been above the bound (a burst of writes is not a reason to take traffic away)."""

    above_since: dict[str, float] = field(default_factory=dict)

    def seconds_above(self, name: str, lag: int, bound: int, now: float) -> float:
        if lag <= bound:
            self.above_since.pop(name, None)
            return 0.0
        return now - self.above_since.setdefault(name, now)


def not_ready_reasons(lags: dict[str, dict[str, int]], beats: dict[str, Beat], limits: ReadinessLimits,
                      watch: LagWatch, now: float) -> list[str]:
    """Why the ledger should not take traffic now (empty: ready). Only the views count: the signing step may lag,
    reads sign what it has not signed yet."""
    reasons = []
    beat = beats.get(VIEW_NAME)
    if beat is None:
        reasons.append("the projection runner has never recorded a heartbeat")
    elif now - beat.at > limits.max_heartbeat_age:
        reasons.append(f"the projection runner's last heartbeat is {now - beat.at:.0f} s old"
                       f" (more than {limits.max_heartbeat_age:g} s)")
    lag = lags.get(VIEW_NAME, {}).get("lag", 0)
    above = watch.seconds_above(VIEW_NAME, lag, limits.max_lag, now)
    if lag > limits.max_lag and above >= limits.lag_grace_seconds:
        reasons.append(f"the views are {lag} events behind the log (more than {limits.max_lag})"
                       f" for {above:.0f} s")
    return reasons
