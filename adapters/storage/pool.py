"""The connection pool the PostgreSQL datastore uses, built for faults: short waits, and a restart noticed once.

psycopg_pool checks a connection before handing it out (`check`), discards it when the check fails and, before trying
the next one, waits (1 s, then 2 s, ...): after a database restart every idle connection in the pool is dead, so the
first request would try them one by one and run out of time. The check here purges the whole pool at the first dead
connection (`ConnectionPool.check`, which also replaces the dead ones), so the next try gets a live connection.
"""

from __future__ import annotations

import weakref
from typing import Any

import eventsourcing.postgres as es_postgres
from psycopg_pool import ConnectionPool


class PurgingCheck:
    """The pool's `check`: at the first dead connection, check (and replace) every idle one of the pool."""

    def __init__(self) -> None:
        self.pool: weakref.ref[ConnectionPool[Any]] | None = None  # weak: the pool keeps its check

    def __call__(self, conn: Any) -> None:
        try:
            ConnectionPool.check_connection(conn)
        except Exception:
            pool = self.pool() if self.pool is not None else None
            if pool is not None:
                pool.check()
            raise


def fault_ready_pool(datastore: es_postgres.PostgresDatastore, pool_timeout: float, connect_timeout: int,
                     check: bool) -> es_postgres.ConnectionPool[Any]:
    """A pool like the datastore's own (not yet opened), with a caller's wait of `pool_timeout` seconds, libpq's
    `connect_timeout`, and (with `check`) each connection checked before use."""
    library = datastore.pool
    purging = PurgingCheck()
    kwargs = dict(library.kwargs) if isinstance(library.kwargs, dict) else {}
    pool: es_postgres.ConnectionPool[Any] = es_postgres.ConnectionPool(
        get_password_func=library.get_password_func, connection_class=library.connection_class,
        kwargs={**kwargs, "connect_timeout": connect_timeout}, min_size=library.min_size, max_size=library.max_size,
        open=False, configure=datastore.after_connect_func(), timeout=pool_timeout,
        max_waiting=library.max_waiting, max_lifetime=library.max_lifetime, check=purging if check else None,
    )
    purging.pool = weakref.ref(pool)
    return pool
