"""PostgreSQL for tests (written to be hoisted to tests/conftest.py unchanged).

``postgres_env`` is a session fixture returning the eventsourcing settings for an
application on PostgreSQL, in a fresh schema that is dropped at the end of the session.
With ``CI=true`` an unreachable PostgreSQL is an error; otherwise the tests that use the
fixture are skipped, and the reason is printed in pytest's summary (``-ra``).
Connection defaults can be overridden with the same ``POSTGRES_*`` environment variables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql


def _postgres_settings() -> dict[str, str]:
    return {
        "POSTGRES_DBNAME": os.environ.get("POSTGRES_DBNAME", "test"),
        "POSTGRES_HOST": os.environ.get("POSTGRES_HOST", "127.0.0.1"),
        "POSTGRES_PORT": os.environ.get("POSTGRES_PORT", "5432"),
        "POSTGRES_USER": os.environ.get("POSTGRES_USER", "postgres"),
        "POSTGRES_PASSWORD": os.environ.get("POSTGRES_PASSWORD", ""),
    }


def postgres_connect(settings: dict[str, str]) -> psycopg.Connection:
    return psycopg.connect(
        dbname=settings["POSTGRES_DBNAME"],
        host=settings["POSTGRES_HOST"],
        port=settings["POSTGRES_PORT"],
        user=settings["POSTGRES_USER"],
        password=settings["POSTGRES_PASSWORD"] or None,
        connect_timeout=3,
        autocommit=True,
    )


@pytest.fixture(scope="session")
def postgres_env() -> Iterator[dict[str, str]]:
    settings = _postgres_settings()
    try:
        conn = postgres_connect(settings)
    except psycopg.OperationalError as e:
        where = f"{settings['POSTGRES_USER']}@{settings['POSTGRES_HOST']}:{settings['POSTGRES_PORT']}"
        reason = f"PostgreSQL not reachable at {where}/{settings['POSTGRES_DBNAME']}: {e}".strip()
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    schema = f"test_{uuid.uuid4().hex[:16]}"
    with conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield {
            "PERSISTENCE_MODULE": "adapters.storage.postgres",
            **settings,
            "POSTGRES_SCHEMA": schema,
        }
    finally:
        with postgres_connect(settings) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
