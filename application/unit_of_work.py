"""A batch of commands (an LMS or SIS import) appended in one go.

Each command still runs alone: it reads what it needs (seeing what earlier commands of the batch wrote), checks its
rules and either fails on its own or leaves its new events here. At the end every kept event, idempotency claims
included, is appended atomically in one transaction. If that append collides (another writer, or a retried batch
whose claims exist already) nothing of it is written and the caller runs the commands one by one instead, where each
collision is retried or replayed as usual."""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.cache import private_copy
from domain.values import Actor


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

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        found = self.aggregates.get(aggregate_id)
        return None if found is None else private_copy(found)

    def keep(self, aggregates: Iterable[Aggregate], after_saved: Callable[[], None] | None = None) -> int:
        """The new events of one command's aggregates; returns the command's number in the batch."""
        if after_saved is not None:
            self.callbacks.append(after_saved)
        for aggregate in aggregates:
            self.events.extend(aggregate.collect_events())
            self.aggregates[aggregate.id] = aggregate
        self.ends.append(len(self.events))
        return len(self.ends) - 1

    def appended(self, notification_ids: list[int], before: int) -> None:
        self.positions = [notification_ids[end - 1] if end else before for end in self.ends]

    def after_saved(self) -> None:
        for callback in self.callbacks:
            callback()
