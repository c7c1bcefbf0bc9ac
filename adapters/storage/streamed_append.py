"""A batch's events sent to PostgreSQL while the batch is still being worked out (``LEDGER_BATCH_STREAM_SECONDS``).

A unit of work (a 1,000-item import) used to append all its events in one statement at the end: Python worked out
every item while the server idled, then Python waited while the server inserted. Here each chunk is sent as soon as
it is ready, in ONE explicit transaction, through libpq's pipeline mode (sent without waiting for its result, so no
thread and no lock of the interpreter to hand over): the first chunk begins the transaction and takes the insert
lock (as every append does, so notification ids still commit in order), the server inserts each chunk on its own
core while Python works out the next items, and ``finish`` sends the rest and the commit and waits once.

The append stays atomic: a conflict or any other failure rolls the whole transaction back. The lock is held from the
first chunk to the commit, so other writers wait for a streaming batch longer than for one statement: a stream open
longer than ``max_seconds`` gives up (rolls back, releasing the lock), and so does one whose chunk failed; its caller
then appends everything at the end, the usual way (with its retry on a broken connection and its conflict handling).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import psycopg
from eventsourcing.persistence import IntegrityError, PersistenceError, StoredEvent
from psycopg.rows import tuple_row

from adapters.storage.group_commit import UuidAsInt, event_columns, originator_number, rollback_quietly

if TYPE_CHECKING:
    from adapters.storage.postgres import AppendOnlyPostgresApplicationRecorder

BATCH_STREAM_SECONDS = "LEDGER_BATCH_STREAM_SECONDS"
DEFAULT_STREAM_SECONDS = 0.5
TROUBLE = (psycopg.Error, PersistenceError)


def stream_seconds_setting(text: str | None) -> float:
    """``LEDGER_BATCH_STREAM_SECONDS`` read: unset, the default; else 0 (off) or a number of seconds."""
    try:
        seconds = float(text) if text else DEFAULT_STREAM_SECONDS
    except ValueError:
        seconds = math.nan
    if not seconds >= 0 or math.isinf(seconds):
        raise ValueError(f"{BATCH_STREAM_SECONDS} must be 0 (off) or a number of seconds, got {text!r}")
    return seconds


class StreamedAppend:
    """One atomic append, sent chunk by chunk on one pooled connection (taken at the first chunk)."""

    def __init__(self, recorder: AppendOnlyPostgresApplicationRecorder, max_seconds: float) -> None:
        committer = recorder.group_committer
        assert committer is not None
        self._recorder, self._committer, self._max_seconds = recorder, committer, max_seconds
        self._held = contextlib.ExitStack()
        self._conn: psycopg.Connection[Any] | None = None
        self._pipeline: psycopg.Pipeline | None = None
        self._inserts: list[psycopg.Cursor[Any]] = []
        self._sent: list[StoredEvent] = []
        self._opened = 0.0

    def send(self, events: Sequence[StoredEvent]) -> bool:
        """Insert these events, not waiting for the server; False when the stream gave up (nothing of it will be
        appended): append everything at the end instead."""
        try:
            if self._conn is None:
                self._open()
            elif time.monotonic() - self._opened > self._max_seconds:
                self.abandon()
                return False
            self._insert(events)
        except TROUBLE:
            self.abandon()
            return False
        return True

    def finish(self, events: Sequence[StoredEvent]) -> list[int] | None:
        """Commit what was sent and these events: the notification ids of all, in order. None: nothing was appended
        (append the usual way). Raises ``IntegrityError`` on a conflict (nothing was appended)."""
        if self._conn is None or self._pipeline is None:
            return None
        try:
            if events:
                self._insert(events)
            self._conn.execute("COMMIT")
            self._pipeline.sync()
            ids = {(originator, version): notification for curs in self._inserts
                   for originator, version, notification in curs.fetchall()}
        except psycopg.errors.UniqueViolation as error:
            self.abandon()
            raise IntegrityError(str(error)) from error
        except TROUBLE:
            self.abandon()
            return None
        self._conn = None
        self._held.close()
        return [ids[originator_number(e.originator_id), e.originator_version] for e in self._sent]

    def abandon(self) -> None:
        """Roll back whatever was sent and give the connection back (the caller failed, or gave up streaming)."""
        if self._conn is None:
            return
        self._conn = None
        with contextlib.suppress(*TROUBLE):
            self._held.close()  # leaves pipeline mode, rolls back, gives the connection back

    def _open(self) -> None:
        self._opened = time.monotonic()
        conn = self._held.enter_context(self._recorder.datastore.get_connection())
        self._held.callback(rollback_quietly, conn)  # once out of pipeline mode; nothing to do after a commit
        self._conn = conn
        conn.execute(self._committer.begin_statement.on(conn))
        self._pipeline = self._held.enter_context(conn.pipeline())

    def _insert(self, events: Sequence[StoredEvent]) -> None:
        conn, committer = self._conn, self._committer
        assert conn is not None
        arrays = event_columns(events)
        if committer.refuse_gaps_statement is not None:
            conn.execute(committer.refuse_gaps_statement.on(conn), arrays[:2], prepare=True, binary=True)
        curs = conn.cursor(row_factory=tuple_row)
        curs.adapters.register_loader("uuid", UuidAsInt)
        curs.execute(committer.insert_statement.on(conn), arrays, prepare=True, binary=True)
        self._inserts.append(curs)
        self._sent.extend(events)
