"""Many aggregates read in one statement: each one's latest snapshot (if any) and its events after it.

A batch import touches hundreds of aggregates the process has not cached (cold learners, enrolments written by an
earlier batch); reading each one is two round trips (snapshot, then events). This reads them all at once."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import eventsourcing.postgres as es_postgres
from eventsourcing.persistence import StoredEvent
from psycopg.sql import SQL, Composed, Identifier

from adapters.storage.binary_arrays import UuidArray, packed_uuids
from adapters.storage.rendered import RenderedShapes


def _table(datastore: es_postgres.PostgresDatastore, name: str) -> Composed:
    return SQL("{0}.{1}").format(Identifier(datastore.schema), Identifier(name))


class ManyAggregatesReads(RenderedShapes):
    """Mixed into the PostgreSQL application recorder (see ``application.ports.ReadsManyAggregates``)."""

    datastore: es_postgres.PostgresDatastore
    events_table_name: str

    def select_latest(
        self, originator_ids: Sequence[UUID], snapshots: object | None,
    ) -> tuple[list[StoredEvent], list[StoredEvent]]:
        """The latest snapshot of each of ``originator_ids`` kept by the ``snapshots`` recorder (if any), and their
        events after it, in version order: one round trip."""
        if not originator_ids:
            return [], []
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            snapshot_table = getattr(snapshots, "events_table_name", None)
            statement = self._render(("latest", snapshot_table), conn, lambda: self._latest_statement(snapshot_table))
            curs.execute(statement, {"ids": self._ids_parameter(originator_ids)}, prepare=True, binary=True)
            rows = curs.fetchall()
        found: tuple[list[StoredEvent], list[StoredEvent]] = ([], [])
        for row in rows:
            found[0 if row["snapshot"] else 1].append(StoredEvent(
                originator_id=row["originator_id"], originator_version=row["originator_version"], topic=row["topic"],
                state=row["state"]))
        return found

    def _ids_parameter(self, originator_ids: Sequence[UUID]) -> UuidArray | list[UUID]:
        """Packed when ids are stored as uuid; the rows come back in binary (a state's bytes as they are)."""
        if self.datastore.originator_id_type == "uuid" and all(type(each) is UUID for each in originator_ids):
            return packed_uuids(originator_ids)
        return list(originator_ids)

    def _latest_statement(self, snapshot_table: object) -> Composed:
        id_type = SQL(self.datastore.originator_id_type)
        events = _table(self.datastore, self.events_table_name)
        if not isinstance(snapshot_table, str):
            return SQL(
                "SELECT false AS snapshot, originator_id, originator_version, topic, state FROM {events} "
                "WHERE originator_id = ANY(%(ids)s::{id_type}[]) ORDER BY originator_id, originator_version"
            ).format(events=events, id_type=id_type)
        return SQL(
            "WITH latest AS (SELECT DISTINCT ON (originator_id) originator_id, originator_version, topic, state "
            "FROM {snapshots} WHERE originator_id = ANY(%(ids)s::{id_type}[]) "
            "ORDER BY originator_id, originator_version DESC) "
            "SELECT true AS snapshot, * FROM latest UNION ALL "
            "SELECT false, e.originator_id, e.originator_version, e.topic, e.state FROM {events} e "
            "LEFT JOIN latest s ON s.originator_id = e.originator_id "
            "WHERE e.originator_id = ANY(%(ids)s::{id_type}[]) "
            "AND e.originator_version > COALESCE(s.originator_version, 0) "
            "ORDER BY 2, 1 DESC, 3"
        ).format(snapshots=_table(self.datastore, snapshot_table), events=events, id_type=id_type)
