"""The views in the event store's SQLite file (the embedded default)."""

import contextlib
from collections.abc import Iterator
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteCursor, SQLiteTrackingRecorder, SQLiteTransaction

from projections.schema import ALL_TABLES, APPLICATION_NAME, SCHEMA, TABLE_PREFIX
from projections.store import LedgerViews

SQLITE_TRACKING_TABLE = TABLE_PREFIX + "tracking"


class ImmediateTransaction(SQLiteTransaction):
    """A write that takes the file's write lock when it begins. A deferred one that read first cannot take it
    once another connection has committed since its read (SQLite answers "database is locked" at once, without
    waiting out the busy timeout); an immediate one waits for the lock instead."""

    def __enter__(self) -> SQLiteCursor:
        cursor = self.connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        return cursor


class OwnSQLiteTracking(SQLiteTrackingRecorder):
    """What the views and the log tree share in the event store's SQLite file: a tracking table of their own (the
    library's `tracking` is shared by all), written in the transactions of their own rows."""

    own_tracking_table: str

    def use_own_tracking_table(self, table: str) -> None:
        self.own_tracking_table = table
        for old, new in (("EXISTS tracking (", f"EXISTS {table} ("), ("INTO tracking ", f"INTO {table} "),
                         ("WHERE tracking.", f"WHERE {table}."), ("FROM tracking ", f"FROM {table} ")):
            self.insert_tracking_statement = self.insert_tracking_statement.replace(old, new)
            self.select_max_tracking_id_statement = self.select_max_tracking_id_statement.replace(old, new)
            self.create_table_statements = [s.replace(old, new) for s in self.create_table_statements]

    def transaction(self, *, commit: bool) -> contextlib.AbstractContextManager[Any]:
        return self._writing() if commit else self.datastore.transaction(commit=False)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[SQLiteCursor]:
        with (self.datastore.get_connection(commit=True) as connection,
              ImmediateTransaction(connection, commit=True) as cursor, cursor):
            yield cursor

    def insert_tracking_in(self, cursor: Any, tracking: Tracking) -> None:
        self._insert_tracking(cursor, tracking)

    def delete_tracking_in(self, cursor: Any) -> None:
        cursor.execute(f"DELETE FROM {self.own_tracking_table} WHERE application_name = ?", (APPLICATION_NAME,))


class SQLiteLedgerViews(OwnSQLiteTracking, LedgerViews):
    """The views in the event store's SQLite file."""

    def __init__(self, datastore: Any, **kwargs: Any):
        super().__init__(datastore, **kwargs)
        self.tables = {name: TABLE_PREFIX + name for name in ALL_TABLES}
        self.use_own_tracking_table(SQLITE_TRACKING_TABLE)
        self.create_table_statements += [self.sql(s).replace("BIGINT", "INTEGER") for s in SCHEMA]
