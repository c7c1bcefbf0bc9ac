"""The recorders' reads run the library's statements, rendered once per shape (adapters/storage/rendered.py)."""

from __future__ import annotations

import functools
import inspect
import itertools
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import eventsourcing.postgres as es_postgres
import psycopg
import pytest
from eventsourcing.application import Application

from adapters.storage.postgres import AppendOnlyPostgresApplicationRecorder
from tests.storage.test_postgres_append_only import Diary, Note, new_app

pytestmark = pytest.mark.postgres

LIBRARY_SELECT_EVENTS = inspect.unwrap(es_postgres.PostgresAggregateRecorder.select_events)
LIBRARY_SELECT_NOTIFICATIONS = inspect.unwrap(es_postgres.PostgresApplicationRecorder.select_notifications)
LIBRARY_MAX_NOTIFICATION_ID = inspect.unwrap(es_postgres.PostgresApplicationRecorder.max_notification_id)


@pytest.fixture
def app(postgres_env: dict[str, str]) -> Iterator[Application[UUID]]:
    application = new_app(postgres_env)
    for n in range(3):
        diary = Diary(f"owner {n}")
        for text in "abcd":
            diary.add(Note(text))
        application.save(diary)
    yield application
    application.close()


@pytest.fixture
def executed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, Any]]:
    """The text and parameters of every statement a cursor executes."""
    seen: list[tuple[bytes, Any]] = []
    execute = psycopg.Cursor.execute

    def spy(curs: psycopg.Cursor[Any], query: Any, params: Any = None, **kwargs: Any) -> Any:
        seen.append((query if isinstance(query, bytes) else query.as_bytes(curs), params))
        return execute(curs, query, params, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", spy)
    return seen


NOTIFICATION_COLUMNS = b"SELECT originator_id, originator_version, topic, state, notification_id FROM "
"""A follow reads its notifications in binary, as tuples: the library's statement, its columns named in that order."""


def same_as_library(executed: list[tuple[bytes, Any]], ours: Callable[..., Any], library: Callable[..., Any],
                    *args: Any, columns: bytes | None = None, **kwargs: Any) -> None:
    """The same rows, from the same statements (their ``SELECT *`` naming ``columns``) with the same parameters."""
    executed.clear()
    our_rows = ours(*args, **kwargs)
    ours_sent = list(executed)
    executed.clear()
    library_rows = library(*args, **kwargs)
    library_sent = [(text.replace(b"SELECT * FROM ", columns) if columns else text, params)
                    for text, params in executed]
    assert (our_rows, ours_sent) == (library_rows, library_sent)


def test_events_are_read_with_the_library_statement_of_each_shape(
        app: Application[UUID], executed: list[tuple[bytes, Any]]) -> None:
    recorder = app.recorder
    originator_id = recorder.select_notifications(None, 1)[0].originator_id
    for gt, lte, desc, limit in itertools.product((None, 1), (None, 4), (False, True), (None, 2)):
        kwargs: dict[str, Any] = {"gt": gt, "lte": lte, "desc": desc, "limit": limit}
        same_as_library(executed, recorder.select_events, functools.partial(LIBRARY_SELECT_EVENTS, recorder),
                        originator_id, **kwargs)


def test_notifications_are_read_with_the_library_statement_of_each_shape(
        app: Application[UUID], executed: list[tuple[bytes, Any]]) -> None:
    recorder = app.recorder
    topics = (recorder.select_notifications(None, 1)[0].topic,)
    for start, stop, chosen, inclusive in itertools.product((None, 0, 2), (None, 9), ((), topics), (True, False)):
        kwargs: dict[str, Any] = {"stop": stop, "topics": chosen, "inclusive_of_start": inclusive}
        same_as_library(executed, recorder.select_notifications,
                        functools.partial(LIBRARY_SELECT_NOTIFICATIONS, recorder), start, 5,
                        columns=NOTIFICATION_COLUMNS, **kwargs)
    same_as_library(executed, recorder.max_notification_id, functools.partial(LIBRARY_MAX_NOTIFICATION_ID, recorder))
    for read in recorder.select_notifications(None, 20):  # made from their numbers: UUIDs like any other
        same = UUID(str(read.originator_id))
        assert type(read.originator_id) is UUID and (read.originator_id, hash(read.originator_id)) == (same, hash(same))
        assert type(read.state) is bytes and type(read.id) is int


def test_each_statement_is_rendered_once(app: Application[UUID], monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = app.recorder
    assert isinstance(recorder, AppendOnlyPostgresApplicationRecorder)
    diary = Diary("renders")
    reads: list[Callable[[], Any]] = [
        lambda: recorder.select_events(diary.id, gt=0, desc=True, limit=1),
        lambda: recorder.select_notifications(1, 10, stop=20, topics=["a"]),
        recorder.max_notification_id,
        lambda: recorder.select_latest([diary.id], app.snapshots and app.snapshots.recorder),
        lambda: app.save(Diary("another")),
    ]
    for read in reads:
        read()
    renders: list[object] = []
    as_bytes = psycopg.sql.Composed.as_bytes

    def counted(statement: psycopg.sql.Composed, context: Any = None) -> bytes:
        renders.append(statement)
        return as_bytes(statement, context)

    monkeypatch.setattr(psycopg.sql.Composed, "as_bytes", counted)
    for read in reads:
        read()
    assert renders == []
