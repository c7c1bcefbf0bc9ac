"""The pool's check of a connection before use (adapters/storage/pool.py): no round trip for a live connection, and
connections the server closed (a restart, or a terminated backend) are replaced before anyone uses them."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from adapters.storage.pool import PurgingCheck
from tests.storage.conftest import postgres_connect

pytestmark = pytest.mark.postgres
CONNECTIONS = 4


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text


@pytest.fixture
def app(postgres_env: dict[str, str]) -> Iterator[Application[UUID]]:
    cls = type(f"Pool{uuid.uuid4().hex[:8]}", (Application,), {})
    application = cls(env={**postgres_env, "POSTGRES_PRE_PING": "y", "POSTGRES_POOL_SIZE": str(CONNECTIONS)})
    yield application
    application.close()


def _pool(app: Application[UUID]) -> Any:
    return app.recorder.datastore.pool  # type: ignore[attr-defined]


def _check(app: Application[UUID]) -> PurgingCheck:
    check = _pool(app)._check
    assert isinstance(check, PurgingCheck)
    return check


def _backends_in_use(app: Application[UUID]) -> set[int]:
    """Take every pooled connection at once, return their server process ids."""
    size = _pool(app).get_stats()["pool_size"]
    barrier = threading.Barrier(size)
    pids: set[int] = set()

    def take() -> None:
        with _pool(app).connection() as conn:
            conn.execute("SELECT 1")
            pids.add(conn.info.backend_pid)
            barrier.wait(10)

    threads = [threading.Thread(target=take) for _ in range(size)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return pids


def test_a_live_pooled_connection_is_handed_out_without_a_ping(app: Application[UUID]) -> None:
    note = Note("first")
    app.save(note)
    pings = _check(app).pings
    for _ in range(20):
        assert app.repository.get(note.id).text == "first"
    assert _check(app).pings == pings


def test_connections_the_server_closed_are_replaced_before_use(postgres_env: dict[str, str],
                                                               app: Application[UUID]) -> None:
    note = Note("kept")
    app.save(note)
    pids = _backends_in_use(app)
    assert len(pids) >= CONNECTIONS
    with postgres_connect(postgres_env) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", (list(pids),))
        admin.execute("SELECT pg_sleep(0.1)")

    with _pool(app).connection() as conn:  # not through the recorder's retry: the pool alone hands out a live one
        assert conn.execute("SELECT 1 AS one").fetchone() == {"one": 1}
        assert conn.info.backend_pid not in pids
    assert _check(app).pings >= 1
    assert app.repository.get(note.id).text == "kept"
