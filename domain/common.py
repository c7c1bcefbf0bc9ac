"""What every aggregate of the ledger shares: events carry who acted and the business date they take effect."""

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Self
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import InvalidValue, RuleBroken
from domain.values import Actor, Sealer

__all__ = ["LedgerAggregate", "ProfileSealer", "Sealer", "require_text", "unique"]


ProfileSealer = Callable[[Mapping[str, str]], str]


class LedgerAggregate(Aggregate):
    """Base of the ledger's aggregates. Each event's `actor` says who, `effective` the business date;
    the library's `timestamp` is when it was recorded."""

    class Event(Aggregate.Event):
        actor: Actor
        effective: date

    @classmethod
    def create_with_id(cls, event_name: str, aggregate_id: UUID, **kwargs: Any) -> Self:
        """Create with an id chosen by the caller (derived from a natural key, or allocated before signing)."""
        return cls._create(getattr(cls, event_name), id=aggregate_id, **kwargs)

    def check_not_before(self, effective: date, earliest: date, what: str) -> None:
        if effective < earliest:
            raise RuleBroken(f"{what} ({effective}) cannot precede {earliest}", code="date-out-of-order")


def require_text(value: str, what: str, max_length: int = 10_000) -> str:
    text = value.strip()
    if not text:
        raise InvalidValue(f"{what} is required")
    if len(text) > max_length:
        raise InvalidValue(f"{what} is longer than {max_length} characters")
    return text


def unique(items: tuple[Any, ...], key: Any, what: str) -> None:
    seen = [key(item) for item in items]
    if len(seen) != len(set(seen)):
        raise InvalidValue(f"{what} must not repeat")
