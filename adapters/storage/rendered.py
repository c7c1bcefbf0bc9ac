"""Statements rendered to bytes once and reused: psycopg renders a ``Composed`` again on every execute.

The library's recorder composes its reads on every call (``select_events``, ``select_notifications``); the
overrides here build the same statement once per shape and run the same query with the same parameters, so the
rows, the locks and the errors are the library's. A statement is rendered with the first connection that runs it
(every connection of a pool has the same encoding)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Sequence
from typing import Any
from uuid import UUID

import eventsourcing.postgres as es_postgres
from eventsourcing.persistence import Notification, StoredEvent
from psycopg.abc import AdaptContext
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composable, Composed, Identifier

from adapters.storage.rows import UuidFromNumber, notification


class Rendered:
    """One statement, rendered on its first use."""

    __slots__ = ("_bytes", "statement")

    def __init__(self, statement: Composable) -> None:
        self.statement = statement
        self._bytes: bytes | None = None

    def on(self, conn: AdaptContext) -> bytes:
        rendered = self._bytes
        if rendered is None:
            rendered = self._bytes = self.statement.as_bytes(conn)
        return rendered


class RenderedShapes:
    """Statements a recorder builds from its arguments, rendered once per shape of them."""

    @functools.cached_property
    def _rendered(self) -> dict[Hashable, bytes]:
        return {}

    def _render(self, shape: Hashable, conn: AdaptContext, build: Callable[[], Composable]) -> bytes:
        rendered = self._rendered.get(shape)
        if rendered is None:
            rendered = self._rendered[shape] = build().as_bytes(conn)
        return rendered


def _events_statement(base: Composed, gt: bool, lte: bool, desc: bool, limit: bool) -> Composed:
    statement = base
    if gt:
        statement += SQL(" AND originator_version > %s")
    if lte:
        statement += SQL(" AND originator_version <= %s")
    statement += SQL(" ORDER BY originator_version")
    statement += SQL(" DESC") if desc else SQL(" ASC")
    if limit:
        statement += SQL(" LIMIT %s")
    return statement


def _notifications_statement(base: Composed, start: bool, inclusive: bool, stop: bool, topics: bool) -> Composed:
    statement = base
    conditions = []
    if start:
        conditions.append(SQL(" notification_id>=%s") if inclusive else SQL(" notification_id>%s"))
    if stop:
        conditions.append(SQL(" notification_id <= %s"))
    if topics:
        conditions.append(SQL(" topic = ANY(%s)"))
    for n, condition in enumerate(conditions):
        statement += (SQL(" WHERE") if n == 0 else SQL(" AND")) + condition
    return statement + SQL(" ORDER BY notification_id LIMIT %s")


class RenderedEventReads(RenderedShapes):
    """``select_events`` of the library's PostgreSQL recorders, its statement rendered once per shape."""

    datastore: es_postgres.PostgresDatastore
    select_events_statement: Composed

    def select_events(
        self, originator_id: UUID | str, *, gt: int | None = None, lte: int | None = None, desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        params: list[Any] = [originator_id, *(value for value in (gt, lte, limit) if value is not None)]
        shape = ("events", gt is not None, lte is not None, desc, limit is not None)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            statement = self._render(shape, conn, lambda: _events_statement(self.select_events_statement, *shape[1:]))
            curs.execute(statement, params, prepare=True)
            return [
                StoredEvent(originator_id=row["originator_id"], originator_version=row["originator_version"],
                            topic=row["topic"], state=bytes(row["state"]))
                for row in curs.fetchall()
            ]


class RenderedNotificationReads(RenderedEventReads):
    """``select_notifications`` and ``max_notification_id`` of the library's application recorder, likewise; the
    notifications' columns named (the library selects ``*``) and read in binary as tuples (``rows.notification``)."""

    events_table_name: str
    max_notification_id_statement: Composed

    def select_notifications(
        self, start: int | None, limit: int, stop: int | None = None, topics: Sequence[str] = (), *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        if topics:  # as the library: a sequence of strings, sent as a list
            assert isinstance(topics, (tuple, list)), topics
            topics = list(topics) if isinstance(topics, tuple) else topics
            assert all(isinstance(t, str) for t in topics), topics
        params = [value for value in (start, stop, topics or None) if value is not None]
        params.append(limit)
        shape = ("notifications", start is not None, inclusive_of_start, stop is not None, bool(topics))
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            statement = self._render(shape, conn, lambda: _notifications_statement(self._table_rows(), *shape[1:]))
            curs.adapters.register_loader("uuid", UuidFromNumber)
            curs.execute(statement, params, prepare=True, binary=True)
            return [notification(*row) for row in curs.fetchall()]

    def _table_rows(self) -> Composed:
        """The columns in the order of ``rows.notification``'s arguments (in binary: a state as bytes)."""
        return SQL("SELECT originator_id, originator_version, topic, state, notification_id FROM {schema}.{table}"
                   ).format(schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))

    def max_notification_id(self) -> int | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._render("max", conn, lambda: self.max_notification_id_statement))
            fetchone = curs.fetchone()
            assert fetchone is not None
            found: int | None = fetchone["max"]
            return found
