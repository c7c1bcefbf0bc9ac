"""PostgreSQL persistence module: append-only stored events, group commit, and connections that survive restarts.

Use it with ``PERSISTENCE_MODULE=adapters.storage.postgres`` (plus the library's usual
``POSTGRES_*`` settings). ``InfrastructureFactory.construct`` resolves a module topic by
scanning the module for exactly one concrete ``InfrastructureFactory`` subclass, so this
module must not bind any other factory class at module level (the library's
``PostgresFactory`` is only reached through the ``es_postgres`` module alias).
``adapters.storage.postgres:AppendOnlyPostgresFactory`` works too.

What it changes from ``eventsourcing.postgres``:

- Stored events tables refuse UPDATE, DELETE and TRUNCATE (``adapters.storage.append_only``).
- The transcoder defaults to :class:`adapters.storage.transcoding.OrjsonTranscoder` (same stored
  format as :class:`~adapters.storage.transcoding.LedgerJSONTranscoder`, measured faster);
  ``TRANSCODER_TOPIC`` still overrides it. Value object classes are registered by the
  application's ``register_transcodings()`` (see ``register_value_objects``).
- Group commit of concurrent appends, default on (``adapters.storage.group_commit``).
- A batch's events are streamed into its transaction while it is worked out (``adapters.storage.streamed_append``).
- Its reads run the library's statements, each rendered once (``adapters.storage.rendered``).
- Default off: ``LEDGER_EARLY_UNLOCK=1`` releases the insert lock before the WAL flush (see group_commit).
- Prototype, default off: ``LEDGER_INSERT_LOCK=advisory`` (see ``adapters.storage.group_commit``).
- Outages end quickly: a caller waits at most ``LEDGER_POOL_TIMEOUT`` seconds for a pooled connection and
  ``LEDGER_CONNECT_TIMEOUT`` for a new one. Reads and appends whose connection broke in use are tried once more (not
  ten times); when no connection could be had within the pool's timeout they are not tried again (the database is
  away, a second wait only doubles the caller's), so a request during an outage fails after one pool timeout (the
  API answers it 503) instead of hanging. With
  ``POSTGRES_PRE_PING`` (set by the ledger's settings) a pooled connection is checked before use, by a poll of its
  socket (no round trip) and a ping only when the server closed it or spoke, and the first dead one found purges the
  pool (``adapters.storage.pool``), so the first request after a restart gets a live one.
  An append retried after its connection broke cannot be recorded twice: a repeated (originator, version) is
  refused by the table's primary key.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable, Sequence
from typing import Any

import eventsourcing.postgres as es_postgres
from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent, Transcoder
from eventsourcing.utils import Environment, resolve_topic, strtobool
from psycopg.sql import SQL, Composed, Literal
from psycopg_pool import PoolTimeout

from adapters.storage.append_only import APPEND_ONLY_MESSAGE, advisory_lock_key, append_only_statements
from adapters.storage.group_commit import GROUP_COMMIT_MAX, GROUP_COMMIT_WRITERS, GroupCommitter
from adapters.storage.many_reads import ManyAggregatesReads
from adapters.storage.pool import fault_ready_pool
from adapters.storage.rendered import RenderedEventReads, RenderedNotificationReads
from adapters.storage.streamed_append import BATCH_STREAM_SECONDS, StreamedAppend, stream_seconds_setting
from adapters.storage.transcoding import OrjsonTranscoder
from projections.postgres_views import SerialisedCreateTable, ddl_lock

__all__ = [
    "APPEND_ONLY_MESSAGE",
    "AppendOnlyPostgresApplicationRecorder",
    "AppendOnlyPostgresFactory",
    "AppendOnlyPostgresProcessRecorder",
    "GroupCommitter",
    "append_only_statements",
]

INSERT_LOCK = "LEDGER_INSERT_LOCK"
GROUP_COMMIT = "LEDGER_GROUP_COMMIT"
GROUP_COMMIT_WAIT_MS = "LEDGER_GROUP_COMMIT_WAIT_MS"
EARLY_UNLOCK = "LEDGER_EARLY_UNLOCK"
POOL_TIMEOUT = "LEDGER_POOL_TIMEOUT"
CONNECT_TIMEOUT = "LEDGER_CONNECT_TIMEOUT"
DEFAULT_POOL_TIMEOUT = 2.0
DEFAULT_CONNECT_TIMEOUT = 2  # libpq's smallest
UNAVAILABLE = (InterfaceError, OperationalError)
RETRY_WAIT = 0.1


def _unretried(method: Callable[..., Any]) -> Callable[..., Any]:
    """The library's method without its own retry decorator (ten attempts)."""
    unwrapped: Callable[..., Any] = inspect.unwrap(method)
    return unwrapped


def retried_once(method: Callable[..., Any]) -> Callable[..., Any]:
    """A recorder's method, tried again once after a connection broke in use (a restart: the pool's other idle
    connections are checked first, as they are likely dead too); not after waiting for a connection in vain."""

    @functools.wraps(method)
    def attempt(recorder: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(recorder, *args, **kwargs)
        except UNAVAILABLE as error:
            if isinstance(error.__cause__, PoolTimeout):
                raise
        time.sleep(RETRY_WAIT)
        recorder.datastore.pool.check()
        return method(recorder, *args, **kwargs)

    return attempt


_LIBRARY_INSERT = _unretried(es_postgres.PostgresApplicationRecorder.insert_events)
_LIBRARY_SNAPSHOT_INSERT = _unretried(es_postgres.PostgresAggregateRecorder.insert_events)


class _AppendOnlyMixin:
    datastore: es_postgres.PostgresDatastore
    events_table_name: str
    sql_create_statements: list[Composed]

    def _install_append_only(self) -> None:
        # PostgresRecorder.create_table() runs them all in one transaction: the lock first, then the CREATE TABLE,
        # then the guards.
        self.sql_create_statements.insert(0, SQL(ddl_lock(self.datastore.schema)))  # type: ignore[arg-type]
        self.sql_create_statements.extend(
            append_only_statements(self.datastore.schema, self.events_table_name)
        )


class AppendOnlyPostgresApplicationRecorder(
    SerialisedCreateTable, es_postgres.PostgresApplicationRecorder, _AppendOnlyMixin, ManyAggregatesReads,
    RenderedNotificationReads,
):
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
        early_unlock: bool = False,
        stream_seconds: float = 0.0,
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.stream_seconds = stream_seconds
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
            GroupCommitter(self, group_commit_max, group_commit_wait, group_commit_writers, early_unlock)
            if group_commit else None
        )

    @retried_once
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        committer = self.group_committer
        extras = any(value is not None for value in kwargs.values())  # e.g. tracking: not ours to batch
        if committer is None or extras or self.datastore.enable_db_functions:
            inserted: Sequence[int] | None = _LIBRARY_INSERT(self, stored_events, **kwargs)
            return inserted
        if not stored_events:
            return []
        return committer.insert(stored_events)

    def open_stream(self) -> StreamedAppend | None:
        """An append sent in chunks as they are ready (None: append at once; see streamed_append)."""
        if self.group_committer is None or self.datastore.enable_db_functions or self.stream_seconds <= 0:
            return None
        return StreamedAppend(self, self.stream_seconds)

    @retried_once
    def select_events(self, *args: Any, **kwargs: Any) -> Any:
        return RenderedNotificationReads.select_events(self, *args, **kwargs)

    def outages(self) -> int:
        """Connections of its pool found broken so far, idle or in use (a server restart or a failover breaks them
        all): after one, events it showed before may be lost (visible before durable: an asynchronous commit)."""
        stats: dict[str, int] = self.datastore.pool.get_stats()
        return stats.get("connections_lost", 0) + stats.get("returns_bad", 0)

    select_latest = retried_once(ManyAggregatesReads.select_latest)

    @retried_once
    def select_notifications(self, *args: Any, **kwargs: Any) -> Any:
        return RenderedNotificationReads.select_notifications(self, *args, **kwargs)

    @retried_once
    def max_notification_id(self) -> int | None:
        return RenderedNotificationReads.max_notification_id(self)


class SerialisedPostgresAggregateRecorder(
    SerialisedCreateTable, es_postgres.PostgresAggregateRecorder, RenderedEventReads
):
    """The snapshots' recorder: its table made under the same lock as every other, retried like the events'."""

    @retried_once
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        inserted: Sequence[int] | None = _LIBRARY_SNAPSHOT_INSERT(self, stored_events, **kwargs)
        return inserted

    @retried_once
    def select_events(self, *args: Any, **kwargs: Any) -> Any:
        return RenderedEventReads.select_events(self, *args, **kwargs)


class AppendOnlyPostgresProcessRecorder(SerialisedCreateTable, es_postgres.PostgresProcessRecorder, _AppendOnlyMixin):
    def __init__(self, datastore: es_postgres.PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self._install_append_only()


class AppendOnlyPostgresFactory(es_postgres.PostgresFactory):
    aggregate_recorder_class = SerialisedPostgresAggregateRecorder
    application_recorder_class = AppendOnlyPostgresApplicationRecorder
    process_recorder_class = AppendOnlyPostgresProcessRecorder

    def __init__(self, env: Environment):
        super().__init__(env)
        self.datastore.pool = fault_ready_pool(
            self.datastore, float(self.env.get(POOL_TIMEOUT) or DEFAULT_POOL_TIMEOUT),
            int(self.env.get(CONNECT_TIMEOUT) or DEFAULT_CONNECT_TIMEOUT), self.datastore.pre_ping)

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
            kwargs["early_unlock"] = strtobool(self.env.get(EARLY_UNLOCK) or "no")
            kwargs["stream_seconds"] = stream_seconds_setting(self.env.get(BATCH_STREAM_SECONDS))
        recorder = recorder_class(datastore=self.datastore, **kwargs)
        if self.env_create_table():
            recorder.create_table()
        return recorder
