"""The views in the configured PostgreSQL schema: COPY for inserts, lz4 for the large documents."""

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from psycopg.pq import TransactionStatus
from psycopg.sql import SQL

from projections.schema import ALL_TABLES, APPLICATION_NAME, LARGE_COLUMNS, SCHEMA, TABLE_PREFIX
from projections.store import LedgerViews

PIPELINED_EVENTS = 16  # a batch this small is written in one pipeline (a write right after a read waits on it)


def ddl_lock(schema: str, scope: str = "xact") -> str:
    """Serialises schema changes in ``schema`` across processes until the transaction ends: two processes starting
    at once would otherwise race on ``CREATE TABLE IF NOT EXISTS`` (a duplicate key in ``pg_type``). The session
    scope (another key) is for work that spans several transactions."""
    function, name = ("pg_advisory_xact_lock", "ler-ddl") if scope == "xact" else ("pg_advisory_lock", "ler-ddl-s")
    literal = "'" + schema.replace("'", "''") + ":" + name + "'"
    return f"SELECT {function}(hashtextextended({literal}, 0))"


class SerialisedCreateTable:
    """``create_table`` under a session lock held across all its transactions: the library creates its composite
    types in transactions of their own and reads a tracking table's migration state outside any, so a lock inside
    the DDL transaction alone leaves two processes starting at once to collide on ``pg_type`` or a relation."""

    datastore: Any

    def create_table(self) -> None:
        unlock = ddl_lock(self.datastore.schema, "session").replace("pg_advisory_lock", "pg_advisory_unlock")
        with self.datastore.get_connection() as conn:
            conn.execute(ddl_lock(self.datastore.schema, "session"))
            try:
                super().create_table()  # type: ignore[misc]
            finally:
                conn.execute(unlock)


class OwnPostgresTracking(SerialisedCreateTable, PostgresTrackingRecorder):
    """What the views and the log tree share in PostgreSQL: qualified table names, transactions on the datastore, and
    tracking written in the transactions of their own rows."""

    tables: dict[str, str]

    def sql(self, text: str) -> str:
        return text.format(**self.tables).replace("?", "%s")

    @contextlib.contextmanager
    def transaction(self, *, commit: bool) -> Iterator[Any]:
        """A read (commit=False) runs its statements in autocommit, without BEGIN and ROLLBACK: at READ COMMITTED
        each statement sees its own snapshot either way, and a read of one statement is one round trip, not three."""
        if not commit:
            with self.datastore.get_connection() as conn:
                yield conn.cursor()
            return
        with self.datastore.transaction(commit=commit) as cursor:
            yield cursor

    def insert_tracking_in(self, cursor: Any, tracking: Tracking) -> None:
        self._insert_tracking(cursor, tracking)

    def delete_tracking_in(self, cursor: Any) -> None:
        cursor.execute(f'DELETE FROM "{self.datastore.schema}"."{self.tracking_table_name}"'
                       " WHERE application_name = %s", (APPLICATION_NAME,))


class PostgresLedgerViews(OwnPostgresTracking, LedgerViews):
    def __init__(self, datastore: Any, **kwargs: Any):
        super().__init__(datastore, **kwargs)
        schema = self.datastore.schema
        self.sql_create_statements.insert(0, SQL(ddl_lock(schema)))  # type: ignore[arg-type]
        self.tables = {name: f'"{schema}".{TABLE_PREFIX}{name}' for name in ALL_TABLES}
        for statement in SCHEMA:
            # Index names are unqualified in PostgreSQL: strip the schema for them.
            text = self.sql(statement)
            if statement.startswith("CREATE") and "INDEX" in statement:
                index_name = statement.split("EXISTS ")[1].split(" ON ")[0].format(
                    **{name: TABLE_PREFIX + name for name in ALL_TABLES})
                text = text.split("EXISTS ")[0] + f"EXISTS {index_name} ON " + text.split(" ON ", 1)[1]
            self.sql_create_statements.append(SQL(text))  # type: ignore[arg-type]
        # The large documents: lz4 compresses them several times faster than the default (pglz), to the same size.
        compress = "; ".join(f"ALTER TABLE {self.tables[table]} ALTER COLUMN {column} SET COMPRESSION lz4"
                             for table, column in LARGE_COLUMNS)
        self.sql_create_statements.append(SQL(  # type: ignore[arg-type]
            f"DO $$ BEGIN {compress}; EXCEPTION WHEN OTHERS THEN NULL; END $$"))

    def derived_rows_only(self, cursor: Any) -> None:
        cursor.execute("SET LOCAL synchronous_commit = off")

    @contextlib.contextmanager
    def derived_rows_transaction(self) -> Iterator[Any]:
        with self._pipelined() as cursor:
            self.derived_rows_only(cursor)
            yield cursor

    def batch_transaction(self, events: int) -> contextlib.AbstractContextManager[Any]:
        return self.transaction(commit=True) if events > PIPELINED_EVENTS else self._pipelined()

    def all_together(self, cursor: Any, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Any]]:
        connection = cursor.connection
        with connection.pipeline():
            cursors = [connection.cursor() for _ in statements]
            for each, (text, params) in zip(cursors, statements, strict=True):
                self.run(each, text, params)
            return [list(each.fetchall()) for each in cursors]

    @contextlib.contextmanager
    def _pipelined(self) -> Iterator[Any]:
        """A transaction whose statements are sent without waiting for each one's result: a round trip per result it
        reads and one for the commit, instead of one or more per statement. Its inserts are INSERTs (COPY cannot run
        in a pipeline); BEGIN and COMMIT are statements of the pipeline (psycopg's transaction block syncs on each)."""
        with self.datastore.get_connection() as conn:
            try:
                with conn.pipeline():
                    cursor = conn.cursor()
                    cursor.execute("BEGIN")
                    yield cursor
                    cursor.execute("COMMIT")
            except BaseException:
                if conn.info.transaction_status != TransactionStatus.IDLE and not conn.closed:
                    conn.execute("ROLLBACK")
                raise

    def many(self, cursor: Any, text: str, rows: Sequence[Sequence[Any]]) -> None:
        if not cursor.connection.pgconn.pipeline_status:
            super().many(cursor, text, rows)
            return
        statement = self.sql(text)  # executemany would sync the pipeline it is in: one execute per row does not
        for row in rows:
            cursor.execute(statement, tuple(row))

    def insert_rows(self, cursor: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """COPY: one statement for all the rows, and about half the server's time of a multi-row INSERT."""
        if not rows:
            return
        if cursor.connection.pgconn.pipeline_status:
            super().insert_rows(cursor, table, columns, rows)
            return
        with cursor.copy(f"COPY {self.tables[table]} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

