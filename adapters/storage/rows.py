"""Rows of the events table made into the library's objects with less work per row: a follow of the log reads every
event the other workers appended (2,000 per imported batch of 1,000 items), a projection runner all of them."""

from typing import Any

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


def notification(originator_id: Any, originator_version: int, topic: str, state: bytes, position: int) -> Notification:
    """``Notification(...)`` (a stored event and its position in the log), its fields set in the order its frozen
    ``__init__`` sets them, without a call per field."""
    made = object.__new__(Notification)
    made.__dict__.update(originator_id=originator_id, originator_version=originator_version, topic=topic, state=state,
                         id=position)
    return made
