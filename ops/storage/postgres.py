"""PostgreSQL persistence module whose stored events tables are append-only.

Use it with ``PERSISTENCE_MODULE=ops.storage.postgres`` (plus the library's usual
``POSTGRES_*`` settings). ``InfrastructureFactory.construct`` resolves a module topic by
scanning the module for exactly one concrete ``InfrastructureFactory`` subclass, so this
module must not bind any other factory class at module level (the library's
``PostgresFactory`` is only reached through the ``es_postgres`` module alias).
``ops.storage.postgres:AppendOnlyPostgresFactory`` works too.

What it changes from ``eventsourcing.postgres``:

- After creating a stored events table (application and process recorders), it installs
  a row trigger ``BEFORE UPDATE OR DELETE`` and a statement trigger ``BEFORE TRUNCATE``
  that raise ``stored events are append-only: <op> on <schema>.<table> is not allowed``.
  Installation is idempotent (``CREATE OR REPLACE FUNCTION``/``TRIGGER``, PostgreSQL 14+)
  and serialised across processes with a transaction-scoped advisory lock. The trigger
  guards against mistakes, not against a privileged attacker: a superuser or the table
  owner can disable triggers (``ALTER TABLE ... DISABLE TRIGGER``,
  ``session_replication_role = replica``) and ``DROP TABLE`` is not a trigger event. Run
  the application as a role with only INSERT and SELECT on the table for that.
- The transcoder defaults to :class:`ops.storage.transcoding.OrjsonTranscoder` (same stored
  format as :class:`~ops.storage.transcoding.LedgerJSONTranscoder`, measured faster);
  ``TRANSCODER_TOPIC`` still overrides it. Value object classes are registered by the
  application's ``register_transcodings()`` (see ``register_value_objects``).
- Prototype, default off: ``LEDGER_INSERT_LOCK=advisory`` makes the application recorder
  serialise inserting transactions with ``pg_advisory_xact_lock`` instead of
  ``LOCK TABLE ... IN EXCLUSIVE MODE``. Both are held until commit, so notification ids
  are still committed in order. Unlike the table lock, an advisory lock only orders
  writers that take it: an INSERT that bypasses the recorder is not blocked. Measured with
  4 writer threads (one event per transaction) it is no faster than the table lock
  (~0.8-1.0k vs ~1.0-1.1k tx/s; raw INSERTs ~3.8-5.0k): the cost is holding any lock from
  the insert through the commit's WAL flush, not the kind of lock. Leave it off.
"""

from __future__ import annotations

import hashlib
from typing import Any

import eventsourcing.postgres as es_postgres
from eventsourcing.persistence import Transcoder
from eventsourcing.utils import resolve_topic
from psycopg.sql import SQL, Composed, Identifier, Literal

from ops.storage.transcoding import OrjsonTranscoder

__all__ = [
    "APPEND_ONLY_MESSAGE",
    "AppendOnlyPostgresApplicationRecorder",
    "AppendOnlyPostgresFactory",
    "AppendOnlyPostgresProcessRecorder",
    "append_only_statements",
]

APPEND_ONLY_MESSAGE = "stored events are append-only"
GUARD_FUNCTION_NAME = "ler_stored_events_append_only"
INSERT_LOCK = "LEDGER_INSERT_LOCK"


def _identifier(name: str, suffix: str) -> str:
    """``name + suffix``, shortened with a hash if longer than PostgreSQL's 63 bytes."""
    full = name + suffix
    if len(full.encode()) <= es_postgres.PostgresRecorder.MAX_IDENTIFIER_LEN:
        return full
    digest = hashlib.sha1(full.encode()).hexdigest()[:10]
    return name.encode()[: 63 - len(suffix) - 11].decode(errors="ignore") + "_" + digest + suffix


def advisory_lock_key(schema: str, table: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_xact_lock`` from the qualified table name."""
    digest = hashlib.blake2b(f"ler:insert:{schema}.{table}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def append_only_statements(schema: str, table: str) -> list[Composed]:
    """SQL that makes ``schema.table`` reject UPDATE, DELETE and TRUNCATE (idempotent)."""
    schema_id, table_id = Identifier(schema), Identifier(table)
    function = SQL("{0}.{1}").format(schema_id, Identifier(GUARD_FUNCTION_NAME))
    return [
        SQL("SELECT pg_advisory_xact_lock({0})").format(Literal(advisory_lock_key(schema, "ddl"))),
        SQL(
            "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $BODY$ "
            "BEGIN "
            "RAISE EXCEPTION '{message}: % on %.% is not allowed', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME "
            "USING HINT = 'Record a new event that corrects or supersedes the old one.'; "
            "END; $BODY$"
        ).format(function=function, message=SQL(APPEND_ONLY_MESSAGE)),
        SQL(
            "CREATE OR REPLACE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {schema}.{table} "
            "FOR EACH ROW EXECUTE FUNCTION {function}()"
        ).format(
            trigger=Identifier(_identifier(table, "_append_only_rows")),
            schema=schema_id,
            table=table_id,
            function=function,
        ),
        SQL(
            "CREATE OR REPLACE TRIGGER {trigger} BEFORE TRUNCATE ON {schema}.{table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        ).format(
            trigger=Identifier(_identifier(table, "_append_only_truncate")),
            schema=schema_id,
            table=table_id,
            function=function,
        ),
    ]


class _AppendOnlyMixin:
    datastore: es_postgres.PostgresDatastore
    events_table_name: str
    sql_create_statements: list[Composed]

    def _install_append_only(self) -> None:
        # Appended after the CREATE TABLE statement; PostgresRecorder.create_table()
        # runs them all in one transaction.
        self.sql_create_statements.extend(
            append_only_statements(self.datastore.schema, self.events_table_name)
        )


class AppendOnlyPostgresApplicationRecorder(es_postgres.PostgresApplicationRecorder, _AppendOnlyMixin):
    def __init__(
        self,
        datastore: es_postgres.PostgresDatastore,
        *,
        events_table_name: str = "stored_events",
        insert_lock: str = "table",
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self._install_append_only()
        if insert_lock == "advisory":
            self.lock_table_statements = [
                SQL("SET LOCAL lock_timeout = '{0}s'").format(self.datastore.lock_timeout),
                SQL("SELECT pg_advisory_xact_lock({0})").format(
                    Literal(advisory_lock_key(self.datastore.schema, self.events_table_name))
                ),
            ]
        elif insert_lock != "table":
            raise ValueError(f"{INSERT_LOCK} must be 'table' or 'advisory', not {insert_lock!r}")


class AppendOnlyPostgresProcessRecorder(es_postgres.PostgresProcessRecorder, _AppendOnlyMixin):
    def __init__(self, datastore: es_postgres.PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self._install_append_only()


class AppendOnlyPostgresFactory(es_postgres.PostgresFactory):
    application_recorder_class = AppendOnlyPostgresApplicationRecorder
    process_recorder_class = AppendOnlyPostgresProcessRecorder

    def transcoder(self) -> Transcoder:
        topic = self.env.get(self.TRANSCODER_TOPIC)
        transcoder_class: type[Transcoder] = resolve_topic(topic) if topic else OrjsonTranscoder
        return transcoder_class()

    def application_recorder(self) -> es_postgres.PostgresApplicationRecorder:
        topic = self.env.get(self.APPLICATION_RECORDER_TOPIC)
        recorder_class: type[es_postgres.PostgresApplicationRecorder] = (
            resolve_topic(topic) if topic else self.application_recorder_class
        )
        prefix = self.env.name.lower() or "stored"
        kwargs: dict[str, Any] = {"events_table_name": prefix + "_events"}
        if issubclass(recorder_class, AppendOnlyPostgresApplicationRecorder):
            kwargs["insert_lock"] = (self.env.get(INSERT_LOCK) or "table").strip().lower()
        recorder = recorder_class(datastore=self.datastore, **kwargs)
        if self.env_create_table():
            recorder.create_table()
        return recorder
