"""Helpers for the transparency log's integration tests: a told story, the tree caught up, an auditor over the
test client, and a superuser's tampering with the stored events (SQLite and PostgreSQL)."""

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

from ops.audit import AuditFailed, Fetch
from tests.api.conftest import ADMIN_TOKEN, Api
from wiring.settings import Settings
from wiring.transparency_log import TransparencyLog

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def tlog(api: Api) -> TransparencyLog:
    state = api.client.app.state  # type: ignore[attr-defined]
    if getattr(state, "tlog", None) is None:
        api.client.get("/v1/log/key")  # opens it
    log: TransparencyLog = state.tlog
    return log


def checkpointed(api: Api, timeout: float = 30.0) -> int:
    """Wait until the tree holds every event and a checkpoint covers it; its size."""
    tree = tlog(api).tree
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        latest = tree.checkpoint()
        if tree.position() >= api.position and latest is not None and latest.size == tree.size():
            return latest.size
        time.sleep(0.05)
    raise AssertionError(f"the tree did not catch up with position {api.position}")


def client_fetch(api: Api) -> Fetch:
    def fetch(path: str) -> bytes:
        answer = api.client.get(path, headers=ADMIN)
        if answer.status_code >= 400:
            raise AuditFailed(f"{path}: {answer.status_code} {answer.text}")
        return answer.content

    return fetch


@contextmanager
def superuser(settings: Settings, api: Api) -> Iterator[tuple[Any, str, str]]:
    """(connection, events table, id column) with the append-only triggers off, as a superuser would."""
    if settings.uses_postgres:
        env = settings.eventsourcing_env()
        table = sql.Identifier(env["POSTGRES_SCHEMA"], api.services.ledger.recorder.events_table_name).as_string()
        with psycopg.connect(settings.database_url.split("?")[0], autocommit=False) as conn:
            conn.execute("SET session_replication_role = replica")
            yield conn, table, "notification_id"
            conn.commit()
    else:
        conn = sqlite3.connect(settings.eventsourcing_env()["SQLITE_DBNAME"])
        try:
            yield conn, "stored_events", "rowid"
            conn.commit()
        finally:
            conn.close()


def tamper(settings: Settings, api: Api, kind: str, position: int, other: int = 0) -> None:
    with superuser(settings, api) as (conn, table, id_column):
        if kind == "change-a-byte":
            state = bytearray(conn.execute(f"SELECT state FROM {table} WHERE {id_column} = {position}").fetchone()[0])
            state[len(state) // 2] ^= 0x01
            conn.execute(f"UPDATE {table} SET state = {'%s' if settings.uses_postgres else '?'}"
                         f" WHERE {id_column} = {position}", (bytes(state),))
        elif kind == "delete":
            conn.execute(f"DELETE FROM {table} WHERE {id_column} = {position}")
        elif kind == "swap":
            for old, new in ((position, -1), (other, position), (-1, other)):
                conn.execute(f"UPDATE {table} SET {id_column} = {new} WHERE {id_column} = {old}")
        elif kind == "truncate-tail":
            conn.execute(f"DELETE FROM {table} WHERE {id_column} >= {position}")
        else:
            raise ValueError(kind)
