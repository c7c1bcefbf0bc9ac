"""On the embedded default (SQLite, runner in the API's process): readiness follows the in-process runner, and an
event it cannot decode stops it (a programming error) and makes the ledger not ready, instead of failing silently."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.faults.conftest import ADMIN_TOKEN
from wiring.read_side import open_read_side
from wiring.services import build_services
from wiring.settings import load_settings


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[TestClient]:
    settings = load_settings({"LER_DATA_DIR": str(tmp_path / "data"), "LER_HEARTBEAT_SECONDS": "0.2"})
    services = build_services(settings)
    read_side = open_read_side(services, run_projections=True)
    client = TestClient(create_app(services, read_side, ADMIN_TOKEN), raise_server_exceptions=False)
    yield client
    client.close()
    read_side.close()
    services.close()


def poll_readyz(client: TestClient, until: int, timeout: float = 15.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        answer = client.get("/readyz")
        if answer.status_code == until or time.monotonic() > deadline:
            return answer
        time.sleep(0.1)


def test_an_undecodable_event_stops_the_in_process_runner_and_readiness_says_so(
        embedded: TestClient, tmp_path: Path) -> None:
    ready = poll_readyz(embedded, 200)
    assert ready.status_code == 200 and "views" in ready.json()["heartbeat_age_seconds"], ready.text
    with sqlite3.connect(tmp_path / "data" / "ledger.sqlite3") as db:
        db.execute("INSERT INTO stored_events (originator_id, originator_version, topic, state) VALUES (?, 1, ?, ?)",
                   (uuid.uuid4().hex, "domain.nowhere:Gone.Happened", b"{}"))
    answer = poll_readyz(embedded, 503)
    assert answer.status_code == 503 and answer.json()["code"] == "not-ready", answer.text
    assert "the in-process projection runner stopped" in answer.json()["detail"]
    assert answer.headers["retry-after"] == "2"
