"""API fixtures: the app over a real ledger and read side (projections in-process), on SQLite and PostgreSQL."""

import gc
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import fastapi.routing
import psycopg
import pytest
import structlog
from fastapi.testclient import TestClient

from api.app import create_app
from projections.read_side import ReadSide
from tests.api.story import Story, tell
from wiring.read_side import open_read_side
from wiring.services import Services, build_services
from wiring.settings import Settings, load_settings

ADMIN_TOKEN = "test-admin-token-0123456789abcdef"


@pytest.fixture(autouse=True, scope="session")
def quiet_logs() -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


@dataclass
class Api:
    services: Services
    read_side: ReadSide
    client: TestClient

    @property
    def position(self) -> int:
        return self.services.ledger.position()

    def close(self) -> None:
        self.client.close()
        self.read_side.close()
        self.services.close()
        gc.collect()  # pools left open (the views') hold PostgreSQL connections until collected


def start(settings: Settings) -> Api:
    services = build_services(settings)
    read_side = open_read_side(services, run_projections=True)
    client = TestClient(create_app(services, read_side, ADMIN_TOKEN), raise_server_exceptions=False)
    return Api(services, read_side, client)


@pytest.fixture
def api(any_settings: Settings) -> Iterator[Api]:
    """A fresh, empty ledger behind the API, on SQLite and on PostgreSQL."""
    running = start(any_settings)
    yield running
    running.close()


@pytest.fixture
def sqlite_api(sqlite_settings: Settings) -> Iterator[Api]:
    running = start(sqlite_settings)
    yield running
    running.close()


@pytest.fixture(scope="module")
def told(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, Story]]:
    """The demo story told once through HTTP (SQLite), shared by a module's read-mostly tests."""
    running = start(load_settings({"LER_DATA_DIR": str(tmp_path_factory.mktemp("told") / "data")}))
    story = tell(running.client, ADMIN_TOKEN)
    assert running.read_side.wait_for(story.position, timeout=30)
    yield running, story
    running.close()


@pytest.fixture(scope="module")
def told_postgres(tmp_path_factory: pytest.TempPathFactory, postgres_url: str) -> Iterator[tuple[Api, Story]]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    running = start(load_settings({"LER_DATA_DIR": str(tmp_path_factory.mktemp("told_pg") / "data"),
                                   "DATABASE_URL": f"{postgres_url}?schema={schema}"}))
    try:
        story = tell(running.client, ADMIN_TOKEN)
        assert running.read_side.wait_for(story.position, timeout=30)
        yield running, story
    finally:
        running.close()
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def solved(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The paths FastAPI's dependency solver ran for."""
    paths: list[str] = []
    solve = fastapi.routing.solve_dependencies

    async def counted(**arguments: Any) -> Any:
        paths.append(arguments["request"].url.path)
        return await solve(**arguments)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counted)
    yield paths
