"""The library's stored-event objects made with less work each: a follow of the log reads every event the other
workers appended (2,000 per imported batch of 1,000 items), a projection runner all of them, and a batch encodes two
events per item."""

from typing import Any, TypeVar

from eventsourcing.persistence import Notification
from psycopg.abc import Buffer
from psycopg.adapt import Loader
from psycopg.pq import Format

from domain.ids import id_from_number


class UuidFromNumber(Loader):
    """A ``uuid`` read in binary, made from its 128-bit number as the ledger makes ids (``UUID(bytes=...)``, psycopg's
    loader, checks its arguments in Python on every row). The same value, equal and hashed the same."""

    format = Format.BINARY

    def load(self, data: Buffer) -> Any:
        return id_from_number(int.from_bytes(data))


T = TypeVar("T")


def frozen(kind: type[T], **fields: Any) -> T:
    """``kind(**fields)`` for one of the library's frozen dataclasses, its fields set in the order its ``__init__``
    sets them, without the call per field that a frozen ``__init__`` makes."""
    made = object.__new__(kind)
    made.__dict__.update(fields)
    return made


def notification(originator_id: Any, originator_version: int, topic: str, state: bytes, position: int) -> Notification:
    """``Notification(...)``: a stored event and its position in the log."""
    return frozen(Notification, originator_id=originator_id, originator_version=originator_version, topic=topic,
                  state=state, id=position)
