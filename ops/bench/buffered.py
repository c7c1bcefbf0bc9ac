"""The bulk data path of the data set (see ops/bench/README.md): commands run unchanged, but each writer's Ledger
keeps what it changes in memory and appends a learner's whole story in one save; and the capture of each save's new
domain events, which the append benchmark re-appends."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from application.handlers.base import Ports, Records
from application.ledger import Ledger
from domain.achievement import Achievement
from domain.employer import Employer
from domain.errors import NotFound
from domain.provider import Provider
from domain.status_list import StatusList
from wiring.services import StoredLedger


class SaveCapture:
    """Wraps ``ledger.save`` to keep each save's new domain events (before they are collected), up to ``limit``."""

    def __init__(self, ledger: Ledger, limit: int | None = None) -> None:
        self.saves: list[list[Any]] = []
        self.limit = limit
        self._lock = threading.Lock()
        self._ledger = ledger
        self._save = ledger.save
        ledger.save = self  # type: ignore[method-assign]

    def keep(self, events: list[Any]) -> None:
        if events and (self.limit is None or len(self.saves) < self.limit):
            with self._lock:
                self.saves.append(events)

    def __call__(self, *objs: Any, **kwargs: Any) -> Any:
        events = [e for obj in objs if obj is not None
                  for e in (obj.pending_events if isinstance(obj, Aggregate) else [obj])]
        recordings = self._save(*objs, **kwargs)
        self.keep(events)
        return recordings

    def close(self) -> None:
        self._ledger.save = self._save  # type: ignore[method-assign]


# Aggregates a bulk writer keeps in memory across learners: the catalogue (read only here) and its own providers'
# status lists (only this writer allocates from them).
_KEPT = (Provider, Achievement, Employer, StatusList)


class BufferedRecords(Records):
    """Records that see a bulk writer's aggregates in memory first."""

    def __init__(self, application: Application[UUID], ports: Ports, clock: Callable[[], datetime]) -> None:
        super().__init__(application, ports, clock)
        self.memory: dict[UUID, Aggregate] = {}

    def load(self, kind: type[Any], aggregate_id: UUID) -> Any:
        found = self.memory.get(aggregate_id)
        if found is None:
            found = super().load(kind, aggregate_id)
            self.memory[aggregate_id] = found
        elif not isinstance(found, kind):
            raise NotFound(f"no {kind.__name__.lower()} {aggregate_id}")
        return found

    def read(self, kind: type[Any], aggregate_id: UUID) -> Any:
        return self.load(kind, aggregate_id)

    def exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.memory or super().exists(aggregate_id)


class BufferedLedger(StoredLedger):
    """The Ledger for the bulk path: commands run unchanged, but their handlers read this writer's aggregates from
    memory first and ``_save`` keeps their new events until ``flush`` appends them with one ``Ledger.save`` call."""

    name = StoredLedger.name  # the same tables

    def __init__(self, like: Ledger, capture: SaveCapture | None = None) -> None:
        ports = like.records.ports
        super().__init__(dict(like.env), keys=ports.keys, vault=ports.vault, signer=ports.signer, clock=like.clock)
        self.records = self.buffered = BufferedRecords(self, ports, self.clock)
        self._pending: list[Any] = []
        self._capture = capture
        self.appended = 0

    def _save(self, aggregates: list[Aggregate], claim: Any) -> int:
        events = [event for aggregate in aggregates for event in aggregate.collect_events()]
        if claim is not None:
            events.append(claim)
        for aggregate in aggregates:
            self.buffered.memory[aggregate.id] = aggregate
        self._pending.extend(events)
        if self._capture is not None:
            self._capture.keep(events)
        return 0

    def flush(self) -> int:
        """Append the kept events with one ``Ledger.save`` (one transaction); forget all but catalogue aggregates."""
        count = len(self._pending)
        if self._pending:
            Application.save(self, *self._pending)
        self._pending = []
        self.buffered.memory = {k: v for k, v in self.buffered.memory.items() if isinstance(v, _KEPT)}
        self.appended += count
        return count
