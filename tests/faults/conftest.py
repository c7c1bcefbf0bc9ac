"""A second PostgreSQL cluster of the tests' own, with the ledger's API server and projection runner as real processes
against it (see tests/faults/cluster.py). Without PostgreSQL's programs the tests skip with the reason printed;
under CI=true they fail instead."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import IN_CI
from tests.faults.cluster import Cluster, find_bin, free_port
from wiring.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "faults-admin-token-0123456789abcdef"
OPERATIONS = {  # quick enough for tests: beats twice a second, stale after 3 s, reconnects at least every second
    "LER_HEARTBEAT_SECONDS": "0.5", "LER_READY_MAX_HEARTBEAT_AGE": "3", "LER_RECONNECT_MAX_SECONDS": "1",
    "LER_READY_MAX_LAG": "50", "LER_READY_LAG_GRACE_SECONDS": "1", "LER_RETRY_AFTER_SECONDS": "1",
}


@dataclass
class Ledger:
    """The API server and the projection runner, each its own process, on the tests' cluster."""

    cluster: Cluster
    env: dict[str, str]
    base: str
    server: subprocess.Popen[bytes] | None = None
    runner: subprocess.Popen[bytes] | None = None
    logs: list[Path] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return load_settings(self.env)

    def _spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = self.cluster.root / f"{name}-{len(self.logs)}.log"
        self.logs.append(log)
        with log.open("wb") as out:
            return subprocess.Popen([sys.executable, *args], cwd=ROOT, env={**os.environ, **self.env},
                                    stdout=out, stderr=subprocess.STDOUT)

    def start_server(self) -> None:
        port = self.base.rsplit(":", 1)[1]
        self.server = self._spawn("server", "-m", "ops.cli", "serve", "--host", "127.0.0.1", "--port", port)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"the API server did not start: {self.logs[-1].read_text()[-2000:]}")

    def start_runner(self) -> subprocess.Popen[bytes]:
        self.runner = self._spawn("runner", "-m", "wiring.projection_runner", "run")
        return self.runner

    def stop(self, process: subprocess.Popen[bytes] | None) -> int | None:
        if process is None or process.poll() is not None:
            return None if process is None else process.returncode
        process.terminate()
        return process.wait(30)

    def client(self, timeout: float = 10.0) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=timeout)

    def log_text(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in self.logs)


def ledger_env(cluster: Cluster, database: str = "postgres") -> dict[str, str]:
    return {
        "DATABASE_URL": cluster.url.rsplit("/", 1)[0] + f"/{database}",
        "LER_DATA_DIR": str(cluster.root / f"ledger-{database}"),
        "LER_MASTER_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "LER_ADMIN_TOKEN": ADMIN_TOKEN, "LER_LOG_FORMAT": "json", **OPERATIONS,
    }


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    bin_dir = find_bin()
    if bin_dir is None:
        reason = "no PostgreSQL server programs (initdb, pg_ctl) installed: apt-get install postgresql"
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: fault tests must run, not skip)")
        pytest.skip(reason)
    made = Cluster(bin_dir)
    yield made
    made.destroy()


@pytest.fixture(scope="module")
def ledger(cluster: Cluster) -> Iterator[Ledger]:
    running = Ledger(cluster, ledger_env(cluster), f"http://127.0.0.1:{free_port()}")
    running.start_server()
    running.start_runner()
    yield running
    running.stop(running.runner)
    running.stop(running.server)


def bearer(token: str, key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


def achievement(name: str) -> dict[str, Any]:
    return {"achievement_type": "MicroCredential", "name": name, "description": "Assessed under faults.",
            "criteria": "Survive a database restart."}


@pytest.fixture(scope="module")
def provider_token(ledger: Ledger) -> str:
    with ledger.client() as client:
        answer = client.post("/v1/providers", headers=bearer(ADMIN_TOKEN, "faults-provider"), json={
            "name": "Fault Tolerance Polytechnic", "identifiers": [{"scheme": "test", "value": "faults"}]})
    assert answer.status_code == 201, answer.text
    token: str = answer.json()["token"]
    return token
