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

``LEDGER_EARLY_UNLOCK`` (default off): the table lock is released before the commit's WAL flush when another
batch is in flight (alone, a second commit is only a cost). The batch is then a PL/pgSQL procedure: under the lock
it inserts and commits with ``synchronous_commit`` off for that transaction (its commit record is written, the lock
released, no flush waited for), then a second transaction that writes a WAL record of its own (a logical message)
commits synchronously: its flush covers the batch's commit, and flushes of batches in flight merge in the server's
own group flush. Both in the same CALL (one round trip); the save is acknowledged after both. Commit and visibility
order still follow the lock. But between the two commits other sessions can SEE the batch before it is durable, and
a crash then loses it: the aggregate cache drops what it followed when its store's connections broke (``outages``),
and every append (function or procedure) refuses, as a conflict, an event whose aggregate's previous version is
neither stored nor in the same save, so no command decided on a lost version is appended after it.

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
from uuid import UUID

import psycopg
from eventsourcing.persistence import IntegrityError, StoredEvent
from psycopg.abc import Buffer
from psycopg.adapt import Loader
from psycopg.pq import Format
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier, Literal

from adapters.storage.append_only import advisory_lock_key, identifier
from adapters.storage.binary_arrays import packed_columns
from adapters.storage.rendered import Rendered

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


def _ids_by_event(rows: list[Any]) -> dict[tuple[int, int], int]:
    return {(row["originator_id"].int, row["originator_version"]): row["notification_id"] for row in rows}


class UuidAsInt(Loader):
    """An appended row's originator id read as its 128-bit number, which matches it to its event: no UUID made per
    row (``UUID(bytes=...)`` in Python, as psycopg's loader does) and no row dict."""

    format = Format.BINARY

    def load(self, data: Buffer) -> int:
        return int.from_bytes(data)


def _event_ids(pending: _PendingSave, ids: dict[tuple[int, int], int]) -> list[int]:
    return [ids[originator_number(e.originator_id), e.originator_version] for e in pending.events]


def originator_number(originator_id: UUID | str) -> int:
    return originator_id.int if isinstance(originator_id, UUID) else UUID(originator_id).int


def event_columns(events: Sequence[StoredEvent]) -> tuple[Any, ...]:
    """The events as the four parallel arrays the insert statements unnest (packed: see binary_arrays.py)."""
    return packed_columns(
        [e.originator_id for e in events],
        [e.originator_version for e in events],
        [e.topic for e in events],
        [e.state for e in events],
    )


def _function_statement(function: Any, refuse_gaps: Any, id_type: Any, timeout: int, lock: Any, channel: Any,
                        table: Any) -> Any:
    return SQL(
        "CREATE OR REPLACE FUNCTION {function}(ids {id_type}[], versions bigint[], topics text[], states bytea[]) "
        "RETURNS TABLE (originator_id {id_type}, originator_version bigint, notification_id bigint) "
        "LANGUAGE plpgsql AS $BODY$ BEGIN "
        "PERFORM set_config('lock_timeout', '{timeout}s', true); "
        "{refuse_gaps}"
        "{lock}; "
        "NOTIFY {channel}; "
        "RETURN QUERY INSERT INTO {table} AS t (originator_id, originator_version, topic, state) "
        "SELECT * FROM unnest(ids, versions, topics, states) "
        "RETURNING t.originator_id, t.originator_version, t.notification_id; "
        "END; $BODY$"
    ).format(function=function, refuse_gaps=refuse_gaps, id_type=id_type, timeout=SQL(str(timeout)), lock=lock,
             channel=channel, table=table)


def _refuse_gaps_statement(function: Any, id_type: Any, table: Any) -> Any:
    """A function that refuses (as a uniqueness conflict) events whose aggregate's previous version is neither stored
    nor in the same arrays: a command decided on a version that a crash lost must not be appended after it. A scalar
    subquery per aggregate (one index probe): as NOT EXISTS the planner joins, and scanned the table every time."""
    return SQL(
        "CREATE OR REPLACE FUNCTION {function}(ids {id_type}[], versions bigint[]) RETURNS void "
        "LANGUAGE plpgsql AS $BODY$ BEGIN "
        "IF EXISTS (SELECT FROM (SELECT e.id, min(e.version) AS low, max(e.version) AS high, count(*) AS n "
        "FROM unnest(ids, versions) AS e(id, version) GROUP BY e.id) AS g "
        "WHERE g.high - g.low + 1 <> g.n OR (g.low > 1 AND (SELECT true FROM {table} AS t "
        "WHERE t.originator_id = g.id AND t.originator_version = g.low - 1 LIMIT 1) IS NULL)) THEN "
        "RAISE unique_violation USING MESSAGE = 'an event would follow a version that is not stored'; "
        "END IF; END; $BODY$"
    ).format(function=function, id_type=id_type, table=table)


def _procedure_statement(procedure: Any, refuse_gaps: Any, id_type: Any, timeout: int, lock: Any, channel: Any,
                         table: Any) -> Any:
    """The append with the lock released before the flush: inserted and committed asynchronously under the lock (its
    commit record is written, not flushed), then a second transaction with WAL of its own commits synchronously: its
    flush covers the first's commit, and flushes of concurrent batches merge. The CALL returns after both."""
    return SQL(
        "CREATE OR REPLACE PROCEDURE {procedure}(ids {id_type}[], versions bigint[], topics text[], states bytea[], "
        "INOUT out_ids {id_type}[] DEFAULT NULL, INOUT out_versions bigint[] DEFAULT NULL, "
        "INOUT out_notification_ids bigint[] DEFAULT NULL) "
        "LANGUAGE plpgsql AS $BODY$ BEGIN "
        "PERFORM set_config('lock_timeout', '{timeout}s', true); "
        "PERFORM set_config('synchronous_commit', 'off', true); "
        "{refuse_gaps}"
        "{lock}; "
        "NOTIFY {channel}; "
        "WITH inserted AS (INSERT INTO {table} AS t (originator_id, originator_version, topic, state) "
        "SELECT * FROM unnest(ids, versions, topics, states) "
        "RETURNING t.originator_id, t.originator_version, t.notification_id) "
        "SELECT array_agg(i.originator_id), array_agg(i.originator_version), array_agg(i.notification_id) "
        "INTO out_ids, out_versions, out_notification_ids FROM inserted AS i; "
        "COMMIT; "
        "PERFORM pg_logical_emit_message(true, 'ler_flush', ''); "
        "END; $BODY$"
    ).format(procedure=procedure, refuse_gaps=refuse_gaps, id_type=id_type, timeout=SQL(str(timeout)), lock=lock,
             channel=channel, table=table)


def _procedure_rows(returned: list[Any]) -> list[Any]:
    """The procedure's three arrays as the rows the function returns."""
    out = returned[0]
    return [
        {"originator_id": i, "originator_version": v, "notification_id": n}
        for i, v, n in zip(out["out_ids"], out["out_versions"], out["out_notification_ids"], strict=True)
    ]


def rollback_quietly(conn: psycopg.Connection[Any]) -> None:
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
        max_writers: int = 2, early_unlock: bool = False,
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
        id_type = SQL(datastore.originator_id_type)
        timeout, channel = int(datastore.lock_timeout), Identifier(recorder.channel_name)
        self.early_unlock = early_unlock
        self.refuse_gaps_statement: Rendered | None = None
        refuse_gaps: SQL | Composed = SQL("")
        if early_unlock:
            gaps_function = SQL("{0}.{1}").format(Identifier(schema), Identifier(identifier(table_name, "_ler_gaps")))
            recorder.sql_create_statements.append(_refuse_gaps_statement(gaps_function, id_type, table))
            refuse_gaps = SQL("PERFORM {0}(ids, versions); ").format(gaps_function)
            self.refuse_gaps_statement = Rendered(
                SQL("SELECT {0}(%b::{1}[], %b::bigint[])").format(gaps_function, id_type))
        recorder.sql_create_statements.append(_function_statement(
            function, refuse_gaps, id_type, timeout, lock, channel, table))
        # Four arrays in binary: no composite text escaping (done in Python by psycopg; bytea doubles in hex).
        arrays = SQL("%b::{0}[], %b::bigint[], %b::text[], %b::bytea[]").format(id_type)
        self.append_statement = Rendered(SQL("SELECT * FROM {0}({1})").format(function, arrays))
        self.unlock_early_statement = self.append_statement
        if early_unlock:
            procedure = SQL("{0}.{1}").format(Identifier(schema), Identifier(identifier(table_name, "_ler_append_p")))
            recorder.sql_create_statements.append(_procedure_statement(
                procedure, refuse_gaps, id_type, timeout, lock, channel, table))
            self.unlock_early_statement = Rendered(SQL("CALL {0}({1}, NULL, NULL, NULL)").format(procedure, arrays))
        # The fallback after a conflict: an explicit transaction with a savepoint per save.
        self.begin_statement = Rendered(SQL("BEGIN; SET LOCAL lock_timeout = '{0}s'; {1}; NOTIFY {2}").format(
            SQL(str(int(datastore.lock_timeout))),
            SQL("; ").join(recorder.lock_table_statements[1:]),
            Identifier(recorder.channel_name),
        ))
        self.insert_statement = Rendered(SQL(
            "INSERT INTO {table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest({arrays}) RETURNING originator_id, originator_version, notification_id"
        ).format(table=table, arrays=arrays))
        # Counters for benchmarks and tests: batches written, saves written, batches that fell back to savepoints.
        self.batches = 0
        self.saves = 0
        self.fallbacks = 0
        self.unlocked_early = 0

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
        columns = event_columns([e for pending in batch for e in pending.events])
        # Released before the flush only when another batch is in flight (waiting for the lock): alone, a second
        # commit per batch is only a cost.
        early = self.early_unlock and self._writers > 1
        with recorder.datastore.get_connection() as conn:
            try:
                ids = self._appended(conn, columns, early)
            except psycopg.errors.UniqueViolation as error:  # the implicit transaction was rolled back
                if len(batch) == 1:
                    raise IntegrityError(str(error)) from error
                self._write_one_by_one(conn, batch)
                return
            except BaseException:
                rollback_quietly(conn)
                raise
        self.batches += 1
        self.unlocked_early += early
        self.saves += len(batch)
        for pending in batch:
            pending.ids = _event_ids(pending, ids)

    def _appended(self, conn: psycopg.Connection[Any], columns: tuple[Any, ...], early: bool
                  ) -> dict[tuple[int, int], int]:
        """The appended events' notification ids by (originator id as a number, version)."""
        if early:
            with conn.cursor() as curs:
                curs.execute(self.unlock_early_statement.on(conn), columns, prepare=True, binary=True)
                return _ids_by_event(_procedure_rows(curs.fetchall()))
        with conn.cursor(row_factory=tuple_row) as curs:
            curs.adapters.register_loader("uuid", UuidAsInt)
            curs.execute(self.append_statement.on(conn), columns, prepare=True, binary=True)
            return {(originator, version): notification for originator, version, notification in curs.fetchall()}

    def _write_one_by_one(self, conn: psycopg.Connection[Any], batch: list[_PendingSave]) -> None:
        """The fallback after a conflict: one transaction, a savepoint per save, so a conflicting save fails alone."""
        try:
            with conn.cursor() as curs:
                curs.execute(self.begin_statement.on(conn))
                for pending in batch:
                    curs.execute("SAVEPOINT ler_save")
                    try:
                        if self.refuse_gaps_statement is not None:
                            columns = event_columns(pending.events)
                            curs.execute(self.refuse_gaps_statement.on(conn), columns[:2], prepare=True, binary=True)
                        curs.execute(self.insert_statement.on(conn), event_columns(pending.events), prepare=True,
                                     binary=True)
                    except psycopg.errors.UniqueViolation as error:
                        curs.execute("ROLLBACK TO SAVEPOINT ler_save; RELEASE SAVEPOINT ler_save")
                        pending.error = IntegrityError(str(error))
                        pending.error.__cause__ = error
                        continue
                    returned = curs.fetchall()
                    curs.execute("RELEASE SAVEPOINT ler_save")
                    pending.ids = _event_ids(pending, _ids_by_event(returned))
                conn.execute("COMMIT")
        except BaseException:
            rollback_quietly(conn)
            for pending in batch:  # nothing was committed: no save may keep ids
                pending.ids = []
            raise
        self.batches += 1
        self.fallbacks += 1
        self.saves += sum(1 for pending in batch if pending.error is None)
