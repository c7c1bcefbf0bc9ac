"""Shared fixtures: the ledger on the embedded default (SQLite) and on a real PostgreSQL (a fresh schema per test).

Under CI=true an unreachable PostgreSQL fails the PostgreSQL tests; elsewhere they skip with the reason printed."""

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from wiring.services import Services, build_services
from wiring.settings import Settings, load_settings

POSTGRES_URL = os.environ.get("LER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def postgres_reachable() -> str:
    """Empty when reachable, otherwise why not."""
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        return f"PostgreSQL at {POSTGRES_URL} is unreachable: {error}"
    return ""


@pytest.fixture(scope="session")
def postgres_url() -> str:
    problem = postgres_reachable()
    if problem and IN_CI:
        pytest.fail(f"{problem} (CI=true: PostgreSQL tests must run, not skip)")
    if problem:
        start = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
        pytest.skip(f"{problem}; start it with: {start}")
    return POSTGRES_URL


@pytest.fixture
def postgres_schema(postgres_url: str) -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield schema
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def sqlite_settings(tmp_path) -> Settings:
    return load_settings({"LER_DATA_DIR": str(tmp_path / "data")})


@pytest.fixture
def postgres_settings(tmp_path, postgres_url: str, postgres_schema: str) -> Settings:
    return load_settings({
        "LER_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": f"{postgres_url}?schema={postgres_schema}",
    })


@pytest.fixture(params=["sqlite", "postgres"])
def any_settings(request) -> Settings:
    """The same test on the embedded default and on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_settings")


@pytest.fixture
def services(sqlite_settings: Settings) -> Iterator[Services]:
    built = build_services(sqlite_settings)
    yield built
    built.close()


@pytest.fixture
def postgres_services(postgres_settings: Settings) -> Iterator[Services]:
    built = build_services(postgres_settings)
    yield built
    built.close()
