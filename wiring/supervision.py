"""Keeps the projection runner and the signing step going through database restarts and outages of any length.

A transient store error (`adapters.storage.availability.STORE_UNAVAILABLE`) is logged and waited out with capped
exponential backoff and jitter, then the work starts again from the tracking position; any other error is a
programming error: it is logged and ends the run (`ler projections run` exits non-zero).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import structlog

from adapters.storage.availability import STORE_UNAVAILABLE

log = structlog.get_logger("projections")
FIRST_DELAY = 0.1


class Backoff:
    """Delays that double from `first` up to `cap`, each drawn between half and all of it (so that several runners
    and request threads do not reconnect in step)."""

    def __init__(self, cap: float, first: float = FIRST_DELAY, draw: Callable[[float, float], float] = random.uniform):
        self.cap = cap
        self.first = first
        self.draw = draw
        self.failures = 0

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.first * 2 ** min(self.failures, 30))
        self.failures += 1
        return self.draw(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.failures = 0


def supervise(work: Callable[[], None], stopped: Callable[[], bool], backoff: Backoff,
              pause: Callable[[float], Any], component: str) -> None:
    """Run `work` until `stopped()`: after a transient store error wait and run it again; let anything else out."""
    while not stopped():
        try:
            work()
        except STORE_UNAVAILABLE as error:
            if stopped():
                return
            delay = backoff.next_delay()
            log.warning("database unreachable; reconnecting", component=component, error=type(error).__name__,
                        reason=str(error)[:300], retry_in_seconds=round(delay, 2), failures=backoff.failures)
            pause(delay)
        except Exception:
            log.exception("stopped by an error that retrying cannot fix", component=component)
            raise


def pause_until(stopped: Callable[[], bool], slice_seconds: float = 0.1) -> Callable[[float], None]:
    """A sleep that ends early when `stopped()` (checked every `slice_seconds`)."""

    def pause(seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not stopped() and time.monotonic() < deadline:
            time.sleep(min(slice_seconds, max(0.0, deadline - time.monotonic())))

    return pause


class Ticker:
    """Calls `action` at most every `interval` seconds, from within a loop that calls `tick()` often."""

    def __init__(self, interval: float, action: Callable[[], None]):
        self.interval = interval
        self.action = action
        self.last = float("-inf")

    def tick(self) -> None:
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.action()
            self.last = now
