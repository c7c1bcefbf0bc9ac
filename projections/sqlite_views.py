"""The views in the event store's SQLite file (the embedded default)."""

import contextlib
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteTrackingRecorder

from projections.schema import ALL_TABLES, APPLICATION_NAME, SCHEMA, TABLE_PREFIX
from projections.store import LedgerViews

SQLITE_TRACKING_TABLE = TABLE_PREFIX + "tracking"


def use_own_tracking_table(recorder: SQLiteTrackingRecorder, table: str) -> None:
    """Points the library's tracking statements at `table`: in SQLite its `tracking` table is shared by all."""
    for old, new in (("EXISTS tracking (", f"EXISTS {table} ("), ("INTO tracking ", f"INTO {table} "),
                     ("WHERE tracking.", f"WHERE {table}."), ("FROM tracking ", f"FROM {table} ")):
        recorder.insert_tracking_statement = recorder.insert_tracking_statement.replace(old, new)
        recorder.select_max_tracking_id_statement = recorder.select_max_tracking_id_statement.replace(old, new)
        recorder.create_table_statements = [s.replace(old, new) for s in recorder.create_table_statements]


class SQLiteLedgerViews(SQLiteTrackingRecorder, LedgerViews):
    """The views in the event store's SQLite file, with their own tracking table (the library's is shared)."""

    def __init__(self, datastore: Any, **kwargs: Any):
        super().__init__(datastore, **kwargs)
        self.tables = {name: TABLE_PREFIX + name for name in ALL_TABLES}
        use_own_tracking_table(self, SQLITE_TRACKING_TABLE)
        self.create_table_statements += [self.sql(s).replace("BIGINT", "INTEGER") for s in SCHEMA]

    def transaction(self, *, commit: bool) -> contextlib.AbstractContextManager[Any]:
        return self.datastore.transaction(commit=commit)

    def insert_tracking_in(self, cursor: Any, tracking: Tracking) -> None:
        self._insert_tracking(cursor, tracking)

    def delete_tracking_in(self, cursor: Any) -> None:
        cursor.execute(f"DELETE FROM {SQLITE_TRACKING_TABLE} WHERE application_name = ?", (APPLICATION_NAME,))
