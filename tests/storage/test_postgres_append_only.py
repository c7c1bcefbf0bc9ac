"""The stored events table refuses UPDATE, DELETE and TRUNCATE (adapters/storage/postgres.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import InfrastructureFactory, JSONTranscoder
from psycopg import sql

from adapters.storage import postgres as ledger_postgres
from adapters.storage.transcoding import OrjsonTranscoder, register_value_objects
from tests.storage.conftest import postgres_connect

pytestmark = pytest.mark.postgres


@dataclass(frozen=True)
class Note:
    text: str
    tags: tuple[str, ...] = ()


class Diary(Aggregate):
    @event("Started")
    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.notes: tuple[Note, ...] = ()

    @event("NoteAdded")
    def add(self, note: Note) -> None:
        self.notes = (*self.notes, note)


class DiaryApp(Application[UUID]):
    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_value_objects(transcoder, [Note])


def new_app(env: dict[str, str]) -> DiaryApp:
    """An app named uniquely, so it has a stored events table of its own (``<name>_events``)."""
    cls = type(f"Diary{uuid.uuid4().hex[:8]}", (DiaryApp,), {})
    return cls(env=env)


@pytest.fixture
def app(postgres_env: dict[str, str]) -> Iterator[DiaryApp]:
    # A table of its own per test (events cannot be deleted between tests).
    application = new_app(postgres_env)
    yield application
    application.close()


def stored_rows(env: dict[str, str], table: str) -> list[tuple[Any, ...]]:
    with postgres_connect(env) as conn:
        return conn.execute(
            sql.SQL("SELECT originator_id, originator_version, topic, state, notification_id FROM {}.{} "
                    "ORDER BY notification_id").format(
                sql.Identifier(env["POSTGRES_SCHEMA"]), sql.Identifier(table)
            )
        ).fetchall()


def events_table(app: Application[UUID]) -> str:
    recorder = app.recorder
    assert isinstance(recorder, ledger_postgres.AppendOnlyPostgresApplicationRecorder)
    return recorder.events_table_name


def test_module_topic_resolves_to_the_append_only_factory(postgres_env: dict[str, str]) -> None:
    factory = InfrastructureFactory.construct(postgres_env)
    try:
        assert type(factory) is ledger_postgres.AppendOnlyPostgresFactory
    finally:
        factory.close()


def test_app_uses_append_only_recorder_and_orjson(app: DiaryApp) -> None:
    assert isinstance(app.recorder, ledger_postgres.AppendOnlyPostgresApplicationRecorder)
    assert type(app.mapper.transcoder) is OrjsonTranscoder
    diary = Diary("ada")
    diary.add(Note("first", ("a", "b")))
    app.save(diary)
    assert app.repository.get(diary.id) == diary


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET state = 'x'::bytea",
        "UPDATE {table} SET topic = topic WHERE originator_version = 1",
        "DELETE FROM {table}",
        "DELETE FROM {table} WHERE originator_version = 2",
        "TRUNCATE {table}",
    ],
)
def test_raw_update_delete_truncate_fail(app: DiaryApp, postgres_env: dict[str, str], statement: str) -> None:
    diary = Diary("ada")
    diary.add(Note("first"))
    diary.add(Note("second", ("x",)))
    app.save(diary)
    table = events_table(app)
    before = stored_rows(postgres_env, table)
    assert len(before) == 3

    qualified = sql.SQL("{}.{}").format(sql.Identifier(postgres_env["POSTGRES_SCHEMA"]), sql.Identifier(table))
    with postgres_connect(postgres_env) as conn, pytest.raises(psycopg.errors.RaiseException) as raised:
        conn.execute(sql.SQL(statement).format(table=qualified))
    assert "stored events are append-only" in str(raised.value)
    assert table in str(raised.value)

    assert stored_rows(postgres_env, table) == before
    assert app.repository.get(diary.id) == diary


def test_installation_is_idempotent_and_inserts_still_work(app: DiaryApp, postgres_env: dict[str, str]) -> None:
    recorder = app.recorder
    assert isinstance(recorder, ledger_postgres.AppendOnlyPostgresApplicationRecorder)
    recorder.create_table()  # again: CREATE OR REPLACE
    diary = Diary("bob")
    app.save(diary)
    diary.add(Note("later"))
    app.save(diary)
    assert app.repository.get(diary.id).version == 2
    with postgres_connect(postgres_env) as conn:
        triggers = conn.execute(
            "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s "
            "AND NOT tgisinternal ORDER BY tgname",
            (postgres_env["POSTGRES_SCHEMA"], events_table(app)),
        ).fetchall()
    assert [t[0] for t in triggers] == [
        f"{events_table(app)}_append_only_rows",
        f"{events_table(app)}_append_only_truncate",
    ]


def test_advisory_insert_lock_prototype(postgres_env: dict[str, str]) -> None:
    app = new_app({**postgres_env, "LEDGER_INSERT_LOCK": "advisory"})
    try:
        recorder = app.recorder
        assert isinstance(recorder, ledger_postgres.AppendOnlyPostgresApplicationRecorder)
        assert "pg_advisory_xact_lock" in str(recorder.lock_table_statements[-1])
        diary = Diary("cy")
        diary.add(Note("n"))
        app.save(diary)
        assert app.repository.get(diary.id) == diary
        assert [n.id for n in app.recorder.select_notifications(start=1, limit=10)] == [1, 2]
    finally:
        app.close()
