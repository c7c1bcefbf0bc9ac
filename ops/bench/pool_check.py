"""What checking each pooled connection before use costs (`LER_DB_CHECK_CONNECTIONS`, adapters/storage/pool.py): a
poll of the connection's socket, and a ping only when the server closed it or spoke (it was one round trip per
connection taken until the poll). Measured on keyed reads of an aggregate's events (what a command's idempotency and
existence checks do), one thread, check on against check off in alternated pairs; the figure is the median of the
pairs' ratios, with their spread."""

from __future__ import annotations

import base64
import secrets
import statistics
import tempfile
import time
from typing import Any
from uuid import UUID, uuid4

from ops.bench.common import Figure, fresh_schema
from wiring.services import StoredLedger, build_services, store_env
from wiring.settings import Settings, load_settings


def _reads_per_second(settings: Settings, aggregate_id: UUID, seconds: float) -> float:
    ledger = StoredLedger(store_env(settings))
    try:
        ledger.recorder.select_events(aggregate_id, limit=1)  # the pool is open and warm
        reads = 0
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            ledger.recorder.select_events(aggregate_id, limit=1)
            reads += 1
        return reads / (time.perf_counter() - started)
    finally:
        ledger.close()


def measure(url: str, rounds: int = 6, seconds: float = 1.0) -> list[Figure]:
    with fresh_schema(url, "poolcheck") as schema, tempfile.TemporaryDirectory() as data:
        env = {"LER_DATA_DIR": data, "DATABASE_URL": f"{url}?schema={schema}",
               "LER_MASTER_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}
        checked, unchecked = (load_settings({**env, "LER_DB_CHECK_CONNECTIONS": flag}) for flag in ("1", "0"))
        build_services(checked).close()  # the tables
        aggregate_id = uuid4()  # a fresh idempotency key's record is looked up like this: by key, not found
        on: list[float] = []
        off: list[float] = []
        for round_number in range(rounds):
            pair = [(checked, on), (unchecked, off)]
            for settings, rates in pair if round_number % 2 == 0 else reversed(pair):
                rates.append(_reads_per_second(settings, aggregate_id, seconds))
    ratios = [a / b for a, b in zip(on, off, strict=True)]
    details: dict[str, Any] = {"on": [round(r) for r in on], "off": [round(r) for r in off],
                               "ratios": [round(r, 3) for r in ratios],
                               "spread": round(max(ratios) - min(ratios), 3)}
    return [Figure("pool.check", "keyed event reads, pooled connection checked before use (1 thread)", "reads/s",
                   statistics.median(on), statistics.median(off), "same, unchecked (LER_DB_CHECK_CONNECTIONS=0)",
                   statistics.median(ratios), details=details)]
