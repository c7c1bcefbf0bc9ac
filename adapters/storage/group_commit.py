"""Group commit of concurrent appends in one process (the application recorder of ``adapters.storage.postgres``).

Default on (``LEDGER_GROUP_COMMIT=0`` turns it off): the application
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

Prototype, default off: ``LEDGER_INSERT_LOCK=advisory`` makes the application recorder
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
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import psycopg
from eventsourcing.persistence import IntegrityError, StoredEvent
from psycopg.sql import SQL, Identifier, Literal

from adapters.storage.append_only import advisory_lock_key, identifier

if TYPE_CHECKING:
    from adapters.storage.postgres import AppendOnlyPostgresApplicationRecorder

GROUP_COMMIT_MAX = "LEDGER_GROUP_COMMIT_MAX"
GROUP_COMMIT_WRITERS = "LEDGER_GROUP_COMMIT_WRITERS"


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
        function = SQL("{0}.{1}").format(Identifier(schema), Identifier(identifier(table_name, "_ler_append")))
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
