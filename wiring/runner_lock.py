"""One projection runner at a time per schema: a PostgreSQL session advisory lock held while a runner (or a rebuild)
works. A runner that loses its session (a database restart) loses the lock with it, and takes it again when it
reconnects."""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import psycopg

from wiring.settings import Settings

LOCK_KEY = 0x4C45525F5649  # "LER_VI": the runner's advisory lock
LOCK_POLL_SECONDS = 1.0  # a runner waiting for another's lock looks again this often (and checks for a stop)


class RunnerBusy(RuntimeError):
    pass


@contextmanager
def runner_lock(settings: Settings, wait: bool,
                stopped: Callable[[], bool] = lambda: False) -> Iterator[psycopg.Connection[Any] | None]:
    """PostgreSQL: a session advisory lock held while a runner (or a rebuild) works, on the connection yielded.
    SQLite: nothing (in-process). Waiting for another runner's lock ends early (yielding None) when `stopped()`."""
    if not settings.uses_postgres:
        yield None
        return
    # One lock per schema: views in other schemas of the database have runners of their own.
    schema = settings.eventsourcing_env().get("POSTGRES_SCHEMA", "public")
    key = LOCK_KEY ^ zlib.crc32(schema.encode())
    with psycopg.connect(settings.database_url.split("?")[0], autocommit=True,
                         connect_timeout=settings.operations.db_connect_timeout) as conn:
        while not _try_lock(conn, key):
            if not wait:
                raise RunnerBusy("a projection runner is working on these views: stop it first")
            if stopped():
                yield None
                return
            time.sleep(LOCK_POLL_SECONDS)
        try:
            yield conn
        finally:
            with suppress(psycopg.Error):  # a lost session has no lock left to release
                conn.execute("SELECT pg_advisory_unlock(%s)", (key,))


def _try_lock(conn: psycopg.Connection[Any], key: int) -> bool:
    row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
    return bool(row and row[0])
