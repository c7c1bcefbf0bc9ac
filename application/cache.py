"""The aggregates commands read, kept current by following the event log instead of asking the store per aggregate.

Before each command the repository reads the log after the position it last followed (one query, usually a few
rows), applies each new event to the cached aggregate it belongs to and caches aggregates created meanwhile, so
every cached aggregate is current as of that position, across processes. A command then reads its aggregates from
memory: the common command makes one read, and its atomic append still refuses it if another writer got there
first (optimistic concurrency is per aggregate, unchanged).

The cached objects are never changed: events are applied to a copy that replaces the cached one, and a command gets
its own copy. A copy is cheap because an aggregate's state holds immutable values, in dicts, lists and sets at most
one level deep (the library's deep copy of a 1,000-event enrolment took 85 ms, and it raced the library's in-place
fast-forward: `dictionary changed size during iteration` with concurrent writers).

What a follow brings is kept as stored (``_Unfolded``) and decoded when a command next reads the aggregate: every
worker follows every other worker's appends and creations, and decoded them all, though it reads few of them."""

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProjectorFunction, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import ApplicationRecorder, EventStore, Mapper, Notification

from application.ports import CountsOutages, ReadsManyAggregates

A = TypeVar("A", bound=Aggregate)
FOLLOW_PAGE = 2000
"""More new events than this since the last command: the cache starts again empty instead of applying them."""
NOT_CACHED_TOPICS = ("domain.idempotency:",)
"""Aggregates whose creation event is not worth decoding ahead: read at most once, when a retry collides."""
UNFOLDED_MAX = 32
"""Events kept undecoded for one aggregate at most: then they are applied (the stored bytes held stay bounded)."""


CONTAINERS = (dict, list, set)
_ARRIVAL: ContextVar[tuple[object, int] | None] = ContextVar("ledger_arrival", default=None)
"""The repository a request arrived at and how many follows it had started then (see ``arrived``)."""


def _no_outages() -> int:
    return 0


def project_aggregate(aggregate: Any, domain_events: Iterable[Any]) -> Any:
    """The library's projector without its per-event `isinstance` against a runtime-checkable Protocol, which cost
    more than the event's own fold: a cold learner's events since its snapshot, and every event a follow applies."""
    for domain_event in domain_events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


def private_copy(aggregate: A) -> A:
    """A copy whose containers are its own: applying events to it leaves the original as it was."""
    clone = object.__new__(type(aggregate))
    clone.__dict__.update({
        name: value.copy() if type(value) in CONTAINERS else value for name, value in aggregate.__dict__.items()
    })
    return clone


class _Unfolded:
    """An aggregate as cached (or none: its creation) and the events a follow brought for it since, still stored."""

    __slots__ = ("base", "id", "notifications", "version")

    def __init__(self, aggregate_id: UUID, base: Aggregate | None, notifications: tuple[Notification, ...]) -> None:
        self.id = aggregate_id
        self.base = base
        self.notifications = notifications
        self.version = notifications[-1].originator_version


Kept = Aggregate | _Unfolded


class LogFollowingRepository(Repository[UUID]):
    def __init__(
        self, event_store: EventStore[UUID], snapshot_store: EventStore[UUID] | None, recorder: ApplicationRecorder,
        mapper: Mapper[UUID], maxsize: int,
    ) -> None:
        super().__init__(event_store=event_store, snapshot_store=snapshot_store, cache_maxsize=None,
                         fastforward=False, deepcopy_from_cache=False)
        self.recorder = recorder
        self.mapper = mapper
        self.maxsize = maxsize
        self._aggregates: OrderedDict[UUID, Kept] = OrderedDict()
        self._lock = threading.Lock()
        self._following = threading.Lock()
        self._outages_now = recorder.outages if isinstance(recorder, CountsOutages) else _no_outages
        self._reads_many = recorder if isinstance(recorder, ReadsManyAggregates) else None
        self._outages = self._outages_now()
        self.followed = recorder.max_notification_id() or 0
        self._follows_started = 0
        self._follows_done = 0
        self.reads = 0  # store reads of aggregates not in the cache, for tests and benchmarks
        self.collisions = 0
        self.prefetches = 0  # reads of many at once

    def get(
        self, aggregate_id: UUID, *, version: int | None = None,
        projector_func: ProjectorFunction[Any, Any] = project_aggregate, fastforward_skipping: bool = False,
        deepcopy_from_cache: bool = True,
    ) -> Any:
        if version is not None:
            return self._reconstruct_aggregate(aggregate_id, version, projector_func)
        with self._lock:
            cached = self._aggregates.get(aggregate_id)
            if cached is not None:
                self._aggregates.move_to_end(aggregate_id)
        if isinstance(cached, _Unfolded):
            cached = self._fold(cached)
        if cached is None:
            # Not while the log is followed: an event that follow skipped (not cached yet) must be in this read.
            with self._following:
                self.reads += 1
                cached = self._read(aggregate_id, projector_func)
                self.remember(cached)
        return private_copy(cached) if deepcopy_from_cache else cached

    def _read(self, aggregate_id: UUID, projector_func: ProjectorFunction[Any, Any]) -> Any:
        """One round trip where the store can (its latest snapshot and the events after it), not two."""
        recorder = self._reads_many
        if recorder is None:
            return self._reconstruct_aggregate(aggregate_id, None, projector_func)
        snapshot_store = self.snapshot_store
        snapshots, events = recorder.select_latest(
            [aggregate_id], snapshot_store.recorder if snapshot_store is not None else None)
        aggregate = projector_func(None, [self.mapper.to_domain_event(stored) for stored in [*snapshots, *events]])
        if aggregate is None:
            raise AggregateNotFoundError(f"Aggregate {aggregate_id!r} not found.")
        return aggregate

    def prefetch(self, aggregate_ids: Iterable[UUID]) -> list[Aggregate]:
        """Reads those of ``aggregate_ids`` not cached in one query, if the store can (a batch touches many), and
        caches them; returns those read. Not while the log is followed, as in ``get``."""
        recorder = self.recorder
        if not isinstance(recorder, ReadsManyAggregates):
            return []
        with self._following:
            wanted = [aggregate_id for aggregate_id in dict.fromkeys(aggregate_ids) if not self.cached(aggregate_id)]
            if not wanted:
                return []
            self.prefetches += 1
            snapshot_store = self.snapshot_store
            snapshots, events = recorder.select_latest(
                wanted, snapshot_store.recorder if snapshot_store is not None else None)
            by_id: dict[UUID | str, list[Any]] = {}  # grouped by the id as stored
            for stored in [*snapshots, *events]:  # each aggregate's snapshot first, then its events in order
                by_id.setdefault(stored.originator_id, []).append(self.mapper.to_domain_event(stored))
            read: list[Aggregate] = []
            for domain_events in by_id.values():
                aggregate = project_aggregate(None, domain_events)
                if isinstance(aggregate, Aggregate):
                    self.remember(aggregate)
                    read.append(aggregate)
        return read

    def appended(self, first: int, last: int) -> None:
        """This process appended notifications ``first`` to ``last`` and keeps what they changed (``remember_saved``):
        when they are the next in the log, the next follow starts after them instead of reading them back."""
        with self._following:
            if self.followed == first - 1:
                self.followed = last

    def cached(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self._aggregates

    def forget(self, aggregate_ids: Iterable[UUID]) -> None:
        """The next read of these is from the store."""
        with self._lock:
            for aggregate_id in aggregate_ids:
                self._aggregates.pop(aggregate_id, None)

    def after_collision(self, read_at: Mapping[UUID, int]) -> None:
        """Another writer got to some of the aggregates a command read (id: the version it read) first: follow the log
        to that writer's events, and forget an aggregate the follow did not bring past the version read (the next
        attempt reads it from the store). A long aggregate is not read again on every collision."""
        self.collisions += 1
        self._follow_after(self._follows_started)
        with self._lock:
            for aggregate_id, version in read_at.items():
                kept = self._aggregates.get(aggregate_id)
                if kept is not None and kept.version <= version:
                    del self._aggregates[aggregate_id]

    def _fold(self, unfolded: _Unfolded) -> Aggregate | None:
        """The aggregate with the events a follow kept for it applied, cached unless a follow kept more meanwhile;
        None (read it from the store) for a creation that does not decode, as such a one was never cached."""
        base = private_copy(unfolded.base) if unfolded.base is not None else None
        try:
            folded = project_aggregate(base, [self.mapper.to_domain_event(each) for each in unfolded.notifications])
        except (AggregateNotFoundError, TypeError, ValueError):
            if base is not None:
                raise
            folded = None
        with self._lock:
            if self._aggregates.get(unfolded.id) is unfolded:
                if isinstance(folded, Aggregate):
                    self._aggregates[unfolded.id] = folded
                else:
                    del self._aggregates[unfolded.id]
        return folded if isinstance(folded, Aggregate) else None

    def remember(self, aggregate: Kept) -> None:
        """Keep ``aggregate`` (a copy no command holds) unless a newer version is kept already."""
        with self._lock:
            kept = self._aggregates.get(aggregate.id)
            if kept is None or kept.version < aggregate.version:
                self._aggregates[aggregate.id] = aggregate
                self._aggregates.move_to_end(aggregate.id)
            while len(self._aggregates) > self.maxsize:
                self._aggregates.popitem(last=False)

    def remember_saved(self, aggregates: Iterable[object], copy: bool = True) -> None:
        """Keep these, as saved: copies, or themselves when no one holds them any more to change them."""
        for aggregate in aggregates:
            if isinstance(aggregate, Aggregate):
                self.remember(private_copy(aggregate) if copy else aggregate)

    def arrived(self) -> None:
        """A request arrived (in this context): from now on its follows need only be newer than its arrival, so its
        token check and its command share one. What another process wrote before the request arrived is seen."""
        _ARRIVAL.set((self, self._follows_started))

    def follow(self) -> None:
        """Bring every cached aggregate up to the end of the log (one query). Threads that arrive while a follow is
        under way share the next one: a follow that started after a thread (or its request) arrived is as good as
        its own."""
        arrival = _ARRIVAL.get()
        self._follow_after(arrival[1] if arrival is not None and arrival[0] is self else self._follows_started)

    def _follow_after(self, started_before: int) -> None:
        needed = started_before + 1
        with self._following:
            if self._follows_done >= needed:
                return
            self._follows_started += 1
            started = self._follows_started
            self._follow_once()
            self._follows_done = started

    def _follow_once(self) -> None:
        notifications = self.recorder.select_notifications(
            start=self.followed, limit=FOLLOW_PAGE, inclusive_of_start=False)
        outages = self._outages_now()
        if len(notifications) == FOLLOW_PAGE or outages != self._outages:
            # Too far behind, or a connection broke since the last follow: what was followed before it may be lost
            # (the store may show events before they are durable), so start again from what the store holds now.
            end = self.recorder.max_notification_id() or 0
            with self._lock:
                self._aggregates.clear()
            self.followed, self._outages = end, outages
            return
        for notification in notifications:
            self._apply(notification)
        if notifications:
            self.followed = notifications[-1].id

    def _apply(self, notification: Notification) -> None:
        found = notification.originator_id
        aggregate_id = found if type(found) is UUID else UUID(str(found))
        kept = self._aggregates.get(aggregate_id)
        version = notification.originator_version
        if kept is None:
            if version == 1 and not notification.topic.startswith(NOT_CACHED_TOPICS):
                self.remember(_Unfolded(aggregate_id, None, (notification,)))
            return
        if version <= kept.version:
            return  # this process's own write, or read from the store after it
        if version > kept.version + 1:  # a gap: read it again when needed
            with self._lock:
                self._aggregates.pop(aggregate_id, None)
            return
        if not isinstance(kept, _Unfolded):
            self.remember(_Unfolded(aggregate_id, kept, (notification,)))
            return
        unfolded = _Unfolded(aggregate_id, kept.base, (*kept.notifications, notification))
        self.remember(unfolded)
        if len(unfolded.notifications) >= UNFOLDED_MAX:
            self._fold(unfolded)
