"""PostgreSQL persistence module whose stored events tables are append-only.

Use it with ``PERSISTENCE_MODULE=adapters.storage.postgres`` (plus the library's usual
``POSTGRES_*`` settings). ``InfrastructureFactory.construct`` resolves a module topic by
scanning the module for exactly one concrete ``InfrastructureFactory`` subclass, so this
module must not bind any other factory class at module level (the library's
``PostgresFactory`` is only reached through the ``es_postgres`` module alias).
``adapters.storage.postgres:AppendOnlyPostgresFactory`` works too.

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
- The transcoder defaults to :class:`adapters.storage.transcoding.OrjsonTranscoder` (same stored
  format as :class:`~adapters.storage.transcoding.LedgerJSONTranscoder`, measured faster);
  ``TRANSCODER_TOPIC`` still overrides it. Value object classes are registered by the
  application's ``register_transcodings()`` (see ``register_value_objects``).
- Group commit, default on (``LEDGER_GROUP_COMMIT=0`` turns it off): the application
  recorder has at most ``LEDGER_GROUP_COMMIT_WRITERS`` (default 2) batches in flight per process.
  A save that arrives while they are being written waits; when a batch commits, the first
  waiting save's thread becomes a writer and takes every save pending by then (up to
  ``LEDGER_GROUP_COMMIT_MAX``, default 64) into ONE statement in autocommit mode (one round
  trip): a PL/pgSQL function that takes ``LOCK TABLE ... IN EXCLUSIVE MODE``, NOTIFYs once and
  INSERTs all their events from four arrays sent in binary; one commit (one WAL flush). With
  two in flight, the second batch waits on the lock inside the server while the first is
  flushed, so the server never waits for Python in between. The table lock stays, so
  notification ids are still committed in order across processes. If that INSERT violates
  uniqueness (an optimistic concurrency conflict), the transaction is rolled back and the
  batch is written again with a SAVEPOINT per save: a conflicting save is rolled back alone
  and its caller (only) gets ``IntegrityError``; the others commit. Each save is all-or-nothing and each caller gets the
  notification ids of its own events. Why: the library's recorder holds the table lock from
  the INSERT through the commit's WAL flush, so concurrent saves serialise and their flushes
  cannot be combined; batching amortises the lock, the NOTIFY and the flush over many saves
  (measured in ops/bench, see ops/bench/README.md). Saves with tracking (process recorders)
  and ``POSTGRES_ENABLE_DB_FUNCTIONS`` use the library's path unchanged.
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

import contextlib
import hashlib
import threading
from collections.abc import Sequence
from typing import Any

import eventsourcing.postgres as es_postgres
import psycopg
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, StoredEvent, Transcoder
from eventsourcing.utils import resolve_topic, retry, strtobool
from psycopg.sql import SQL, Composed, Identifier, Literal

from adapters.storage.transcoding import OrjsonTranscoder

__all__ = [
    "APPEND_ONLY_MESSAGE",
    "AppendOnlyPostgresApplicationRecorder",
    "AppendOnlyPostgresFactory",
    "AppendOnlyPostgresProcessRecorder",
    "GroupCommitter",
    "append_only_statements",
]

APPEND_ONLY_MESSAGE = "stored events are append-only"
GUARD_FUNCTION_NAME = "ler_stored_events_append_only"
INSERT_LOCK = "LEDGER_INSERT_LOCK"
GROUP_COMMIT = "LEDGER_GROUP_COMMIT"
GROUP_COMMIT_MAX = "LEDGER_GROUP_COMMIT_MAX"
GROUP_COMMIT_WAIT_MS = "LEDGER_GROUP_COMMIT_WAIT_MS"
GROUP_COMMIT_WRITERS = "LEDGER_GROUP_COMMIT_WRITERS"


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


class _PendingSave:
    """One caller's save, waiting in the group committer's queue."""

    __slots__ = ("done", "error", "events", "ids", "promoted", "wake")

    def __init__(self, events: Sequence[StoredEvent]) -> None:
        self.events = events
        self.ids: list[int] = []
        self.error: BaseException | None = None
        self.done = False  # written, or failed
        self.promoted = False  # handed a writer's role while queued
        self.wake = threading.Semaphore(0)  # released when done and when promoted


def _copy_error(error: BaseException) -> BaseException:
    """A fresh exception per caller (one object raised in several threads would share a traceback)."""
    try:
        copy = type(error)(*error.args)
    except Exception:  # an exception class with an unusual constructor
        return error
    copy.__cause__ = error.__cause__ or error
    return copy


def _ids_by_event(rows: list[Any]) -> dict[tuple[Any, int], int]:
    return {(row["originator_id"], row["originator_version"]): row["notification_id"] for row in rows}


def _columns(events: Sequence[StoredEvent]) -> tuple[list[Any], list[int], list[str], list[bytes]]:
    """The events as the four parallel arrays the insert statements unnest."""
    return (
        [e.originator_id for e in events],
        [e.originator_version for e in events],
        [e.topic for e in events],
        [e.state for e in events],
    )


def _rollback_quietly(conn: psycopg.Connection[Any]) -> None:
    """Roll back after a failure; a broken connection raises here, and the pool discards it anyway."""
    with contextlib.suppress(psycopg.Error):
        conn.rollback()


class GroupCommitter:
    """Writes concurrently pending saves of one process in one transaction (see the module docstring).

    No thread of its own: a thread whose save finds fewer than ``max_writers`` batches in flight becomes a writer;
    when its batch is written it hands the role to the first save still waiting (not yet handed one), so a writer
    never works for long on others' behalf.
    """

    def __init__(
        self, recorder: AppendOnlyPostgresApplicationRecorder, max_batch: int = 64, max_wait: float = 0.0,
        max_writers: int = 2,
    ) -> None:
        if max_batch < 1 or max_writers < 1:
            raise ValueError(f"{GROUP_COMMIT_MAX} and {GROUP_COMMIT_WRITERS} must be at least 1")
        self.recorder = recorder
        self.max_batch = max_batch
        # Two batches in flight (the default) keep the server busy: while one holds the table lock through its
        # commit's flush, the next is already sent and waits on the lock in the server, and the callers of the
        # first are back in Python. Optionally a new writer waits (at most max_wait seconds) for as many saves as
        # the last batch had (fuller batches, but the wait is idle time: measured slower, so off by default).
        self.max_wait = max_wait
        self.max_writers = max_writers
        self._mutex = threading.Lock()
        self._arrived = threading.Condition(self._mutex)
        self._queue: list[_PendingSave] = []
        self._writers = 0  # batches being written now, at most max_writers
        self._last_batch = 1
        datastore = recorder.datastore
        schema, table_name = datastore.schema, recorder.events_table_name
        table = SQL("{0}.{1}").format(Identifier(schema), Identifier(table_name))
        function = SQL("{0}.{1}").format(Identifier(schema), Identifier(_identifier(table_name, "_ler_append")))
        if recorder.insert_lock == "advisory":
            lock = SQL("PERFORM pg_advisory_xact_lock({0})").format(Literal(advisory_lock_key(schema, table_name)))
        else:
            lock = SQL("LOCK TABLE {0} IN EXCLUSIVE MODE").format(table)
        # The fast path is ONE statement in autocommit mode (its own implicit transaction, one round trip): the
        # function takes the insert lock, notifies, inserts; the lock is held until that transaction commits.
        recorder.sql_create_statements.append(SQL(
            "CREATE OR REPLACE FUNCTION {function}(ids {id_type}[], versions bigint[], topics text[], states bytea[]) "
            "RETURNS TABLE (originator_id {id_type}, originator_version bigint, notification_id bigint) "
            "LANGUAGE plpgsql AS $BODY$ BEGIN "
            "PERFORM set_config('lock_timeout', '{timeout}s', true); "
            "{lock}; "
            "NOTIFY {channel}; "
            "RETURN QUERY INSERT INTO {table} AS t (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(ids, versions, topics, states) "
            "RETURNING t.originator_id, t.originator_version, t.notification_id; "
            "END; $BODY$"
        ).format(
            function=function, id_type=SQL(datastore.originator_id_type),
            timeout=SQL(str(int(datastore.lock_timeout))), lock=lock, channel=Identifier(recorder.channel_name),
            table=table,
        ))
        # Four arrays in binary: no composite text escaping (done in Python by psycopg; bytea doubles in hex).
        arrays = SQL("%b::{0}[], %b::bigint[], %b::text[], %b::bytea[]").format(SQL(datastore.originator_id_type))
        self.append_statement = SQL("SELECT * FROM {0}({1})").format(function, arrays)
        # The fallback after a conflict: an explicit transaction with a savepoint per save.
        self.begin_statement = SQL("BEGIN; SET LOCAL lock_timeout = '{0}s'; {1}; NOTIFY {2}").format(
            SQL(str(int(datastore.lock_timeout))),
            SQL("; ").join(recorder.lock_table_statements[1:]),
            Identifier(recorder.channel_name),
        )
        self.insert_statement = SQL(
            "INSERT INTO {table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest({arrays}) RETURNING originator_id, originator_version, notification_id"
        ).format(table=table, arrays=arrays)
        # Counters for benchmarks and tests: batches written, saves written, batches that fell back to savepoints.
        self.batches = 0
        self.saves = 0
        self.fallbacks = 0

    def insert(self, events: Sequence[StoredEvent]) -> list[int]:
        pending = _PendingSave(events)
        with self._mutex:
            self._queue.append(pending)
            lead = self._writers < self.max_writers
            if lead:
                self._writers += 1
            if len(self._queue) >= self._last_batch:
                self._arrived.notify()
        while True:
            if lead:
                self._lead()
            if pending.done:
                break
            pending.wake.acquire()
            with self._mutex:
                lead, pending.promoted = pending.promoted, False
        if pending.error is not None:
            raise _copy_error(pending.error)
        return pending.ids

    def _lead(self) -> None:
        with self._mutex:
            want = min(self._last_batch, self.max_batch)
            if len(self._queue) < want and self.max_wait > 0:
                self._arrived.wait_for(lambda: len(self._queue) >= want, timeout=self.max_wait)
            batch = self._queue[: self.max_batch]
            del self._queue[: self.max_batch]
            if batch:
                self._last_batch = len(batch)
        try:
            if batch:
                self._write(batch)
        except BaseException as error:  # every save in the batch failed with it (nothing was committed)
            for pending in batch:
                if pending.error is None:
                    pending.error = error
        finally:
            with self._mutex:
                successor = next((p for p in self._queue if not p.promoted), None)
                if successor is None:
                    self._writers -= 1
                else:
                    successor.promoted = True
                for pending in batch:
                    pending.done = True
            if successor is not None:
                successor.wake.release()
            for pending in batch:
                pending.wake.release()

    def _write(self, batch: list[_PendingSave]) -> None:
        recorder = self.recorder
        columns = _columns([e for pending in batch for e in pending.events])
        with recorder.datastore.get_connection() as conn:
            try:
                with conn.cursor() as curs:
                    curs.execute(self.append_statement, columns, prepare=True, binary=True)
                    returned = curs.fetchall()
            except psycopg.errors.UniqueViolation as error:  # the implicit transaction was rolled back
                if len(batch) == 1:
                    raise IntegrityError(str(error)) from error
                self._write_one_by_one(conn, batch)
                return
            except BaseException:
                _rollback_quietly(conn)
                raise
        self.batches += 1
        self.saves += len(batch)
        ids = _ids_by_event(returned)
        for pending in batch:
            pending.ids = [ids[e.originator_id, e.originator_version] for e in pending.events]

    def _write_one_by_one(self, conn: psycopg.Connection[Any], batch: list[_PendingSave]) -> None:
        """The fallback after a conflict: one transaction, a savepoint per save, so a conflicting save fails alone."""
        try:
            with conn.cursor() as curs:
                curs.execute(self.begin_statement)
                for pending in batch:
                    curs.execute("SAVEPOINT ler_save")
                    try:
                        curs.execute(self.insert_statement, _columns(pending.events), prepare=True, binary=True)
                    except psycopg.errors.UniqueViolation as error:
                        curs.execute("ROLLBACK TO SAVEPOINT ler_save; RELEASE SAVEPOINT ler_save")
                        pending.error = IntegrityError(str(error))
                        pending.error.__cause__ = error
                        continue
                    returned = curs.fetchall()
                    curs.execute("RELEASE SAVEPOINT ler_save")
                    ids = _ids_by_event(returned)
                    pending.ids = [ids[e.originator_id, e.originator_version] for e in pending.events]
                conn.execute("COMMIT")
        except BaseException:
            _rollback_quietly(conn)
            for pending in batch:  # nothing was committed: no save may keep ids
                pending.ids = []
            raise
        self.batches += 1
        self.fallbacks += 1
        self.saves += sum(1 for pending in batch if pending.error is None)


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
        group_commit: bool = False,
        group_commit_max: int = 64,
        group_commit_wait: float = 0.0,
        group_commit_writers: int = 2,
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self._install_append_only()
        self.insert_lock = insert_lock
        if insert_lock == "advisory":
            self.lock_table_statements = [
                SQL("SET LOCAL lock_timeout = '{0}s'").format(self.datastore.lock_timeout),
                SQL("SELECT pg_advisory_xact_lock({0})").format(
                    Literal(advisory_lock_key(self.datastore.schema, self.events_table_name))
                ),
            ]
        elif insert_lock != "table":
            raise ValueError(f"{INSERT_LOCK} must be 'table' or 'advisory', not {insert_lock!r}")
        self.group_committer = (
            GroupCommitter(self, group_commit_max, group_commit_wait, group_commit_writers) if group_commit else None
        )

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        committer = self.group_committer
        extras = any(value is not None for value in kwargs.values())  # e.g. tracking: not ours to batch
        if committer is None or extras or self.datastore.enable_db_functions:
            inserted: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return inserted
        if not stored_events:
            return []
        return committer.insert(stored_events)


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
            kwargs["group_commit"] = strtobool(self.env.get(GROUP_COMMIT) or "yes")
            kwargs["group_commit_max"] = int(self.env.get(GROUP_COMMIT_MAX) or "64")
            kwargs["group_commit_wait"] = float(self.env.get(GROUP_COMMIT_WAIT_MS) or "0") / 1000
            kwargs["group_commit_writers"] = int(self.env.get(GROUP_COMMIT_WRITERS) or "2")
        recorder = recorder_class(datastore=self.datastore, **kwargs)
        if self.env_create_table():
            recorder.create_table()
        return recorder
