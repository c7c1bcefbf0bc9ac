"""A batch of commands (an LMS or SIS import) appended in one go.

Each command still runs alone: it reads what it needs (seeing what earlier commands of the batch wrote), checks its
rules and either fails on its own or leaves its new events here. At the end every kept event, idempotency claims
included, is appended atomically in one transaction. If that append collides (another writer, or a retried batch
whose claims exist already) nothing of it is written and the caller runs the commands one by one instead, where each
collision is retried or replayed as usual. Where the store streams appends, the events kept so far go to it in chunks
while later commands run (the same one transaction, committed at the end)."""

import gc
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

from application.ports import AppendStream
from domain.provider import Provider
from domain.values import Actor


class _CollectorPause:
    """The cyclic garbage collector off while any batch runs. A batch makes ~100,000 objects that refcounting frees
    (few cycles) and its allocations would set off full collections of the whole heap.

    When the last batch ends, what is alive then (mostly the aggregates it cached) is frozen before the collector is
    on again: otherwise the next collections scan all of it, once per generation, though it holds no garbage. A cycle
    that became garbage during the batch is frozen with it; every ``SWEEP_EVERY`` batches the frozen objects are
    collected once (a full collection), and frozen again, so such cycles do not pile up."""

    SWEEP_EVERY = 64

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._batches = 0
        self._paused = False
        self._ended = 0

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            self._batches += 1
            if self._batches == 1 and gc.isenabled():
                gc.disable()
                self._paused = True
        try:
            yield
        finally:
            with self._lock:
                self._batches -= 1
                if self._batches == 0 and self._paused:
                    self._paused = False
                    self._freeze_survivors()
                    gc.enable()

    def _freeze_survivors(self) -> None:
        self._ended += 1
        if self._ended % self.SWEEP_EVERY == 0:
            gc.unfreeze()
            gc.collect()
        gc.freeze()


collector_paused = _CollectorPause()
STREAM_CHUNK = 250
"""Events per chunk streamed: the server inserts one while the next is worked out; the last waits alone."""


def referenced_ids(aggregates: Iterable[Aggregate]) -> list[UUID]:
    """The ids these aggregates refer to (``learner_id``, ``achievement_id``, ...): what commands on them read next."""
    return [value for aggregate in aggregates for name, value in vars(aggregate).items()
            if name.endswith("_id") and not name.startswith("_") and isinstance(value, UUID)]


class BatchCollided(Exception):
    """The batch's append met a concurrent write or an existing idempotency key: nothing of it was written."""


@dataclass(frozen=True)
class BatchHandled:
    """What a unit of work appended, for one log line instead of one per command: who, how many of each command,
    how many events, the position reached, how long. A refused command still has its own line."""

    actor: Actor | None
    commands: dict[str, int]
    events: int
    position: int
    seconds: float


@dataclass
class UnitOfWork:
    aggregates: dict[UUID, Aggregate] = field(default_factory=dict)
    events: list[Any] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)  # per kept command: how many events the batch held after it
    positions: list[int] = field(default_factory=list)  # per kept command, once appended: its last event's position
    callbacks: list[Callable[[], None]] = field(default_factory=list)  # each kept command's after_saved
    handled: Counter[str] = field(default_factory=Counter)  # kept commands by name
    actor: Actor | None = None
    in_standing: set[str] = field(default_factory=set)  # ids of providers found registered, while the batch keeps none
    stream: AppendStream | None = None
    to_stored: Callable[[Any], StoredEvent] | None = None
    stored: list[StoredEvent] = field(default_factory=list)  # the first events, as stored (the ones streamed)

    def keep(self, aggregates: Iterable[Aggregate], claim: Any = None,
             after_saved: Callable[[], None] | None = None) -> int:
        """The new events of one command's aggregates, then its idempotency claim (an event, if any); returns the
        command's number in the batch."""
        if after_saved is not None:
            self.callbacks.append(after_saved)
        for aggregate in aggregates:
            pending = aggregate._pending_events  # collected as ``collect_events`` does, without a list per command
            self.events.extend(pending)
            pending.clear()
            self.aggregates[aggregate.id] = aggregate
            if type(aggregate) is Provider:  # its standing may have changed: read it again
                self.in_standing.clear()
        if claim is not None:
            self.events.append(claim)
        self.ends.append(len(self.events))
        if self.stream is not None and len(self.events) - len(self.stored) >= STREAM_CHUNK:
            self._stream()
        return len(self.ends) - 1

    def _stream(self) -> None:
        chunk = self._stored_since(len(self.stored))
        self.stored.extend(chunk)
        if self.stream is not None and not self.stream.send(chunk):
            self.stream = None  # it gave up: all is appended at the end

    def _stored_since(self, start: int) -> list[StoredEvent]:
        assert self.to_stored is not None
        return list(map(self.to_stored, self.events[start:]))

    def stored_events(self) -> tuple[list[StoredEvent], list[StoredEvent]]:
        """Every kept event as stored: those streamed so far, and the rest."""
        return self.stored, self._stored_since(len(self.stored))

    def appended(self, notification_ids: list[int], before: int) -> None:
        self.positions = [notification_ids[end - 1] if end else before for end in self.ends]

    def after_saved(self) -> None:
        for callback in self.callbacks:
            callback()
