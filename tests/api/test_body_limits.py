"""Request bodies are bounded: 413 over the route's limit (declared or counted), 408 when a body stalls; a real
server refuses eight anonymous 50 MB bodies at once without growing."""

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.body_guard import BodyGuard, BodyLimits
from tests.api.conftest import ADMIN_TOKEN, Api
from tests.api.story import Story, bearer

PROBLEM_JSON = "application/problem+json"
MB = 1 << 20


def padded(size: int) -> bytes:
    head = b'{"type": ["VerifiableCredential"], "padding": "'
    return head + b"x" * (size - len(head) - 2) + b'"}'


def test_a_body_over_the_limit_is_refused_from_its_content_length(told: tuple[Api, Story]) -> None:
    api, _ = told
    answer = api.client.post("/v1/verify", content=padded(MB + 1), headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith(PROBLEM_JSON)
    assert answer.json()["code"] == "request-too-large"


def test_a_chunked_body_is_counted_and_cut_off(told: tuple[Api, Story]) -> None:
    api, _ = told
    sent = []

    def chunks() -> Iterator[bytes]:
        for _ in range(64):
            sent.append(1)
            yield b"x" * (64 * 1024)

    answer = api.client.post("/v1/verify", content=chunks(), headers={"Content-Type": "application/json"})
    assert answer.status_code == 413


def test_a_body_within_the_limit_passes(told: tuple[Api, Story]) -> None:
    api, _ = told
    answer = api.client.post("/v1/verify", content=padded(MB - 10), headers={"Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text


def test_the_event_import_takes_larger_bodies_and_refuses_nothing_half(told: tuple[Api, Story]) -> None:
    api, _ = told
    before = api.position
    body = b'{"items": [], "padding": "' + b"x" * (2 * MB) + b'"}'
    answer = api.client.post("/v1/events", content=body, headers={**bearer(ADMIN_TOKEN),
                                                                  "Content-Type": "application/json"})
    assert answer.status_code != 413, answer.text
    too_big = api.client.post("/v1/events", content=b"x" * (32 * MB + 1), headers=bearer(ADMIN_TOKEN))
    assert too_big.status_code == 413
    assert api.position == before


def test_limits_choose_the_larger_one_for_the_import_only() -> None:
    limits = BodyLimits(default_bytes=10, import_bytes=100)
    assert limits.for_request("POST", "/v1/events") == 100
    assert limits.for_request("GET", "/v1/events") == 10
    assert limits.for_request("POST", "/v1/verify") == 10


def test_a_bad_content_length_answers_400(told: tuple[Api, Story]) -> None:
    api, _ = told
    answer = api.client.post("/v1/verify", content=b"{}", headers={"Content-Length": "abc",
                                                                  "Content-Type": "application/json"})
    assert 400 <= answer.status_code < 500


def test_a_stalled_body_is_cut_off_with_408() -> None:
    reached: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append("app")

    async def stalls() -> dict[str, Any]:
        if not reached.count("first"):
            reached.append("first")
            return {"type": "http.request", "body": b"{", "more_body": True}
        await asyncio.sleep(60)
        raise AssertionError("not cut off")

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/verify", "headers": [(b"content-length", b"100")]}
    started = time.monotonic()
    asyncio.run(BodyGuard(app, BodyLimits(timeout_seconds=0.2))(scope, stalls, send))
    assert time.monotonic() - started < 5
    assert sent[0]["status"] == 408 and "app" not in reached
    assert (b"connection", b"close") in sent[0]["headers"]


# ---- a real server ----------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {**os.environ, "LER_DATA_DIR": str(tmp_path_factory.mktemp("limits") / "data"), "LER_LOG_FORMAT": "json",
           "LER_ADMIN_TOKEN": ADMIN_TOKEN, "LER_BODY_TIMEOUT_SECONDS": "1"}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen([str(Path(sys.executable).parent / "ler"), "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("the server did not start within 60 s")
    yield base, process.pid
    process.terminate()
    process.wait(timeout=10)


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def post_50_mb(base: str, chunked: bool) -> int:
    piece = b"x" * MB

    def stream() -> Iterator[bytes]:
        yield b'{"padding": "'
        for _ in range(50):
            yield piece

    headers = {"Content-Type": "application/json"}
    try:
        if chunked:
            return httpx.post(base + "/v1/verify", content=stream(), headers=headers, timeout=30).status_code
        headers["Content-Length"] = str(50 * MB)
        return httpx.post(base + "/v1/verify", content=stream(), headers=headers, timeout=30).status_code
    except httpx.HTTPError:
        return -1  # the server closed the connection while the client was still sending: also a refusal


def test_eight_anonymous_50_mb_verifications_are_refused_without_memory_growth(server: tuple[str, int]) -> None:
    base, pid = server
    httpx.post(base + "/v1/verify", json={"type": ["VerifiableCredential"]}, timeout=10)
    before = resident_kib(pid)
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda n=n: statuses.append(post_50_mb(base, chunked=n % 2 == 0)))
               for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    grown_mib = (resident_kib(pid) - before) / 1024
    print(f"eight 50 MB bodies: statuses {sorted(statuses)}, server grew {grown_mib:.1f} MiB")
    assert all(status in (413, -1) for status in statuses), statuses
    assert statuses.count(413) >= 4, statuses
    assert grown_mib < 40, f"the server grew by {grown_mib:.0f} MiB"


def test_a_client_sending_less_than_its_content_length_is_cut_off(server: tuple[str, int]) -> None:
    base, _ = server
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000\r\n\r\n{\"type\": ")
        started = time.monotonic()
        answer = conn.recv(65536)
        waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert waited < 8


def test_a_browser_posting_too_much_to_a_page_gets_a_page_in_words(told: tuple[Api, Story]) -> None:
    api, _ = told
    answer = api.client.post("/sign-in", content=b"email=" + b"x" * (2 * MB),
                             headers={"Accept": "text/html", "Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "Request too large" in answer.text and "exceeds" in answer.text
