"""`ler serve` on PostgreSQL: several worker processes, and three servers started at the same moment on a fresh schema
(each creates the tables: none may die on the race)."""

import base64
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).parents[2]
ADMIN_TOKEN = "serve-test-admin-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _start(url: str, port: int, data: Path, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "LER_DATA_DIR": str(data), "LER_ADMIN_TOKEN": ADMIN_TOKEN,
           "LER_MASTER_KEY": base64.urlsafe_b64encode(b"k" * 32).decode(), "LER_LOG_FORMAT": "json"}
    return subprocess.Popen(
        [sys.executable, "-m", "ops.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _wait_healthy(process: subprocess.Popen[bytes], port: int, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"the server exited with {process.returncode}:\n{output[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    pytest.fail(f"no answer on port {port} within {timeout} s")


def _stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
        pytest.fail("the server did not stop on SIGTERM")


@pytest.mark.postgres
def test_three_servers_started_together_on_a_fresh_schema_all_serve(postgres_url: str, postgres_schema: str,
                                                                     tmp_path: Path) -> None:
    url = f"{postgres_url}?schema={postgres_schema}"
    # Three servers of two workers each: two servers alone lost the race about one start in ten.
    ports = [_free_port() for _ in range(3)]
    servers = [_start(url, port, tmp_path / f"data{n}", workers=2) for n, port in enumerate(ports)]
    try:
        for server, port in zip(servers, ports, strict=True):
            _wait_healthy(server, port)
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{ports[0]}", headers=admin) as client:
            answers = [client.post("/v1/providers", headers={"Idempotency-Key": f"p-{n}"}, json={
                "name": f"Provider {n}", "identifiers": [{"scheme": "NZQA provider", "value": str(n)}]})
                for n in range(6)]
        assert [a.status_code for a in answers] == [201] * 6, answers[-1].text
        children = Path(f"/proc/{servers[0].pid}/task/{servers[0].pid}/children").read_text().split()
        assert len(children) == 2, "the server runs two worker processes"
    finally:
        codes = [_stop(server) for server in servers]
    assert codes == [0, 0, 0]
