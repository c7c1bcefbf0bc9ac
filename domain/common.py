"""What every aggregate of the ledger shares: events carry who acted and the business date they take effect."""

import dataclasses
import inspect
from collections.abc import Callable, Mapping
from datetime import date, datetime
from types import MethodType
from typing import Any, Self
from uuid import UUID

import eventsourcing.domain as library
from eventsourcing.domain import Aggregate, CanCreateTimestamp, CommandMethodDecorator, decorated_func_callers
from eventsourcing.utils import get_topic

from domain.errors import InvalidValue, RuleBroken
from domain.values import Actor, Sealer

__all__ = ["LedgerAggregate", "ProfileSealer", "Sealer", "require_text", "unique"]

_HEAD = ("originator_id", "originator_version", "timestamp")
_FIELDS: dict[type[Any], tuple[str, ...]] = {}
_LIBRARY_TIMESTAMP = CanCreateTimestamp.create_timestamp


ProfileSealer = Callable[[Mapping[str, str]], str]


class LedgerAggregate(Aggregate):
    """Base of the ledger's aggregates. Each event's `actor` says who, `effective` the business date;
    the library's `timestamp` is when it was recorded."""

    class Event(Aggregate.Event):
        actor: Actor
        effective: date

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)  # the library defines the event classes of the @event methods here
        for name, found in tuple(vars(cls).items()):
            if isinstance(found, CommandMethodDecorator) and found.decorated_func.__name__ != "__init__":
                setattr(cls, name, _Triggering(found, decorated_func_callers[found]))

    @classmethod
    def create_with_id(cls, event_name: str, aggregate_id: UUID, **kwargs: Any) -> Self:
        """Create with an id chosen by the caller (derived from a natural key, or allocated before signing): the
        created event and the aggregate the library's ``_create`` makes, without its per-call signature work."""
        event_class = getattr(cls, event_name)
        if not isinstance(aggregate_id, UUID):
            return cls._create(event_class, id=aggregate_id, **kwargs)
        head = {"originator_id": aggregate_id, "originator_version": cls.INITIAL_VERSION,
                "timestamp": timestamp(event_class), "originator_topic": get_topic(cls)}
        names = event_fields(event_class)
        if len(head) + len(kwargs) == len(names) and kwargs.keys() | head.keys() == set(names):
            created = made_event(event_class, names, {**head, **kwargs})
        else:
            try:
                created = event_class(**head, **kwargs)
            except TypeError:
                return cls._create(event_class, id=aggregate_id, **kwargs)  # raises the library's error
        aggregate = cls.__new__(cls)
        aggregate.__base_init__(aggregate_id, cls.INITIAL_VERSION, created.timestamp)
        aggregate.__init__(**kwargs)  # type: ignore[misc]
        created.apply(aggregate)
        aggregate.pending_events.append(created)
        return aggregate

    def check_not_before(self, effective: date, earliest: date, what: str) -> None:
        if effective < earliest:
            raise RuleBroken(f"{what} ({effective}) cannot precede {earliest}", code="date-out-of-order")


class _Triggering:
    """An @event method, called as the library calls it (the same event, applied by the method, then appended),
    without working out its signature again on each call (most of a call's cost; once per batch item)."""

    def __init__(self, decorator: CommandMethodDecorator, event_class: type[Any]):
        self.decorator = decorator
        self.event_class = event_class
        self.apply = decorator.decorated_func
        params = list(inspect.signature(self.apply).parameters.values())[1:]
        self.names = tuple(param.name for param in params)
        self.required = frozenset(self.names)
        self.defaults = tuple((p.name, p.default) for p in params if p.default is not inspect.Parameter.empty)
        fields = event_fields(event_class)
        self.fields = fields if sorted(fields) == sorted((*_HEAD, *self.names)) else None

    def __get__(self, aggregate: Any, owner: type[Any]) -> Any:
        if aggregate is None:
            return self.decorator.__get__(None, owner)
        return MethodType(self.trigger, aggregate)

    def trigger(self, aggregate: Aggregate, *args: Any, **kwargs: Any) -> None:
        values = self._values(args, kwargs)
        if values is None:  # a call its signature does not fit: the library's path raises its TypeError
            self.decorator.__get__(aggregate, type(aggregate))(*args, **kwargs)
            return
        event_class = self.event_class
        # The library's attributes behind its properties (``id``, ``version``, ...): a call each spared per event.
        head = {"originator_id": aggregate._id, "originator_version": aggregate._version + 1,
                "timestamp": timestamp(event_class)}
        new_event = (made_event(event_class, self.fields, {**head, **values}) if self.fields is not None
                     else event_class(**head, **values))
        self.apply(aggregate, **values)
        aggregate._version = new_event.originator_version
        aggregate._modified_on = new_event.timestamp
        aggregate._pending_events.append(new_event)

    def _values(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any] | None:
        if not kwargs and len(args) == len(self.names):  # every argument by position: nothing more to check
            return dict(zip(self.names, args, strict=True))
        values = dict(zip(self.names, args, strict=False))
        if len(args) > len(self.names) or not kwargs.keys().isdisjoint(values):
            return None
        values.update(kwargs)
        for name, default in self.defaults:
            values.setdefault(name, default)
        return values if values.keys() == self.required else None


def event_fields(event_class: type[Any]) -> tuple[str, ...]:
    found = _FIELDS.get(event_class)
    if found is None:
        found = _FIELDS[event_class] = tuple(field.name for field in dataclasses.fields(event_class))
    return found


def made_event(event_class: type[Any], names: tuple[str, ...], values: Mapping[str, Any]) -> Any:
    """``event_class(**values)`` for values of exactly its fields ``names``, without its frozen ``__init__``'s call
    per field: set in the order of its fields, as that ``__init__`` sets them (the stored bytes follow that order).
    The originator id is a UUID, as its ``__post_init__`` checks."""
    made = object.__new__(event_class)
    state = made.__dict__
    if tuple(values) == names:  # the values come in that order already: set at once
        state.update(values)
        return made
    for name in names:
        state[name] = values[name]
    return made


def timestamp(event_class: type[Any]) -> datetime:
    """``event_class.create_timestamp()``, the library's without its two calls in Python."""
    make = event_class.create_timestamp
    return datetime.now(library.TZINFO) if make is _LIBRARY_TIMESTAMP else make()


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
