"""The connection pool the PostgreSQL datastore uses, built for faults: short waits, and a restart noticed once, without
a round trip per connection taken.

psycopg_pool can check a connection before handing it out (`check`): the usual check (`SELECT` nothing) is a round
trip each time, which doubled a command's round trips. The check here asks the connection's socket instead (a poll
with no wait): an idle connection whose server went away has its socket readable, because the server closed it or
said why before it did (a restart does both), while a live idle one has nothing to read. Only then is the connection
pinged, and at the first dead one the whole pool is checked and the dead ones replaced (`ConnectionPool.check`), so
the next try gets a live connection instead of trying them one by one with psycopg_pool's waits (1 s, 2 s, ...).
A connection that dies in use is the recorder's to retry (`adapters/storage/postgres.py`).
"""

from __future__ import annotations

import select
import weakref
from typing import Any

import eventsourcing.postgres as es_postgres
from psycopg_pool import ConnectionPool


def server_spoke(conn: Any) -> bool:
    """Whether the server closed this idle connection or sent it something unasked, by a poll of its socket (no wait,
    no round trip). A NOTICE or a changed parameter also counts: the ping that follows settles it."""
    if conn.closed:
        return True
    try:
        socket = conn.pgconn.socket
    except Exception:
        return True
    poller = select.poll()
    poller.register(socket, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


class PurgingCheck:
    """The pool's `check`: a connection the server spoke to is pinged; at the first dead one, every idle connection
    of the pool is checked (and the dead ones replaced)."""

    def __init__(self) -> None:
        self.pool: weakref.ref[ConnectionPool[Any]] | None = None  # weak: the pool keeps its check
        self.pings = 0  # for tests and benchmarks

    def __call__(self, conn: Any) -> None:
        if not server_spoke(conn):
            return
        self.pings += 1
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
