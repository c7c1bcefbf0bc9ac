"""Database restarts and outages under load, against a PostgreSQL cluster the tests own and real API server and
runner processes: acknowledged writes are in the log exactly once, the runner lives on and its views equal a rebuild,
requests during an outage answer 503 + Retry-After quickly, and everything recovers by itself."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from typing import Any

import httpx
import psycopg
import pytest

from tests.faults.cluster import Cluster
from tests.faults.conftest import ADMIN_TOKEN, Ledger, achievement, bearer, ledger_env
from wiring.projection_runner import close_views, open_views, rebuild
from wiring.services import build_services

pytestmark = pytest.mark.postgres
DEFINED = "domain.achievement:Achievement.Defined"
QUICK = 3.5  # seconds: the pool's timeout (LER_DB_POOL_TIMEOUT, 2 s), with room for a loaded machine


class Writers:
    """Threads that each define achievements one after another, retrying a write with the same Idempotency-Key until
    it is acknowledged; every answer is kept."""

    def __init__(self, ledger: Ledger, token: str, count: int = 4):
        self.ledger = ledger
        self.token = token
        self.stop = threading.Event()
        self.acknowledged: dict[str, str] = {}
        self.answers: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._write, args=(f"w{n}",)) for n in range(count)]

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(60)

    def _write(self, name: str) -> None:
        with self.ledger.client() as client:
            n = 0
            while not self.stop.is_set():
                key = f"{name}-{n}"
                self.acknowledged[key] = self._until_acknowledged(client, key)
                n += 1

    def _until_acknowledged(self, client: httpx.Client, key: str) -> str:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                answer = client.post("/v1/achievements", json=achievement(f"Fault {key}"),
                                     headers=bearer(self.token, key))
                outcome = str(answer.status_code)
            except httpx.TransportError as error:
                outcome = type(error).__name__
            with self.lock:
                self.answers[outcome] += 1
            if outcome in ("200", "201"):
                identifier: str = answer.json()["id"]
                return identifier
            time.sleep(0.05)
        raise AssertionError(f"{key} was never acknowledged")


def defined_names(url: str) -> Counter[str]:
    """How many times each `Fault <key>` achievement was defined, read from the stored events themselves."""
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT state FROM storedledger_events WHERE topic = %s", (DEFINED,)).fetchall()
    found: Counter[str] = Counter()
    for (state,) in rows:
        found.update(re.findall(r'"Fault (w\d+-\d+)"', bytes(state).decode()))
    return found


def server_started_at(url: str) -> Any:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT pg_postmaster_start_time()").fetchone()[0]  # type: ignore[index]


def wait_ready(ledger: Ledger, timeout: float = 30.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    with ledger.client() as client:
        while True:
            answer = client.get("/readyz")
            if answer.status_code == 200 or time.monotonic() > deadline:
                return answer
            time.sleep(0.2)


def wait_signed(ledger: Ledger, timeout: float = 60.0) -> int:
    """The signing step's lag behind the views, once it reaches 0 or the time is up."""
    deadline = time.monotonic() + timeout
    with ledger.client() as client:
        while True:
            lag: int = client.get("/readyz").json()["projections"]["publisher"]["lag"]
            if lag == 0 or time.monotonic() > deadline:
                return lag
            time.sleep(0.2)


def test_restarts_under_concurrent_writes_lose_and_double_nothing(ledger: Ledger, provider_token: str) -> None:
    started_before = server_started_at(ledger.cluster.url)
    with Writers(ledger, provider_token) as writers:
        time.sleep(2)
        ledger.cluster.restart("fast")
        time.sleep(2)
        ledger.cluster.restart("immediate")
        time.sleep(2)
        ledger.cluster.restart("fast")
        time.sleep(2)

    print("answers while restarting:", dict(writers.answers), "acknowledged:", len(writers.acknowledged))
    assert len(writers.acknowledged) > 20, writers.answers
    assert set(writers.answers) <= {"200", "201", "503"}, f"only 503 while the database is away: {writers.answers}"
    defined = defined_names(ledger.cluster.url)
    assert {key for key, times in defined.items() if times > 1} == set(), "an acknowledged write recorded twice"
    assert set(writers.acknowledged) <= set(defined), "an acknowledged write is missing from the log"

    assert ledger.runner is not None and ledger.runner.poll() is None, "the runner survived the restarts"
    ready = wait_ready(ledger)
    assert ready.status_code == 200, ready.text
    assert server_started_at(ledger.cluster.url) > started_before, "the database really restarted"
    signed = wait_signed(ledger)
    assert signed == 0, f"the signing step carried on after the restarts: {signed} positions behind"

    settings = ledger.settings
    views = open_views(settings)
    try:
        end = ready.json()["position"]
        deadline = time.monotonic() + 30
        while views.position() < end and time.monotonic() < deadline:
            time.sleep(0.1)
        followed = views.table_rows()
        assert ledger.stop(ledger.runner) == 0, "SIGTERM ends the runner cleanly"
        rebuild(settings)
        assert views.table_rows() == followed, "the views the runner kept through the restarts equal a rebuild"
    finally:
        close_views(views)
        ledger.start_runner()
    assert wait_ready(ledger).status_code == 200


def test_an_outage_answers_503_quickly_and_recovery_needs_no_one(ledger: Ledger, provider_token: str) -> None:
    ledger.cluster.stop("fast")
    try:
        with ledger.client() as client:
            for method, path, kwargs in (
                ("POST", "/v1/achievements", {"json": achievement("Fault outage"),
                                              "headers": bearer(provider_token, "outage-1")}),
                ("GET", "/readyz", {}),
                ("GET", "/v1/events", {"params": {"after": 0}, "headers": bearer(ADMIN_TOKEN)}),
                ("GET", "/v1/shared/an-unknown-share-link", {}),  # anonymous, answered from the views
            ):
                started = time.monotonic()
                answer = client.request(method, path, **kwargs)
                took = time.monotonic() - started
                assert answer.status_code == 503, (path, answer.text)
                assert answer.headers["content-type"] == "application/problem+json"
                assert answer.headers["retry-after"] == "1"
                assert took < QUICK, f"{path} took {took:.1f} s during the outage"
                print(f"during the outage {method} {path} answered 503 in {took:.2f} s")
            assert client.get("/healthz").status_code == 200, "liveness touches no database"
            time.sleep(3)  # a longer outage: the runner keeps waiting, with backoff
            assert ledger.runner is not None and ledger.runner.poll() is None
    finally:
        ledger.cluster.start()
    with ledger.client() as client:
        deadline = time.monotonic() + 20
        while True:
            answer = client.post("/v1/achievements", json=achievement("Fault outage"),
                                 headers=bearer(provider_token, "outage-1"))
            if answer.status_code == 201 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert answer.status_code == 201, answer.text
    assert wait_ready(ledger).status_code == 200


def test_the_first_requests_after_a_restart_find_live_connections(ledger: Ledger, provider_token: str) -> None:
    def read(client: httpx.Client) -> int:
        return client.get("/v1/events", params={"after": 0, "limit": 5}, headers=bearer(ADMIN_TOKEN)).status_code

    with ledger.client() as client:
        threads = [threading.Thread(target=read, args=(client,)) for _ in range(8)]  # several pooled connections
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        ledger.cluster.restart("fast")
        answers = [read(client) for _ in range(10)]
        written = client.post("/v1/achievements", json=achievement("Fault after restart"),
                              headers=bearer(provider_token, "after-restart")).status_code
    assert answers == [200] * 10 and written == 201, "pooled connections are checked before use"


def test_readiness_fails_when_the_runner_dies_and_returns_with_it(ledger: Ledger, provider_token: str) -> None:
    assert wait_ready(ledger).status_code == 200
    assert ledger.runner is not None
    ledger.runner.kill()
    ledger.runner.wait(10)
    with ledger.client() as client:
        for n in range(60):  # more than LER_READY_MAX_LAG events nobody applies
            client.post("/v1/achievements", json=achievement(f"Fault lag-{n}"), headers=bearer(provider_token))
        deadline = time.monotonic() + 15
        while True:
            answer = client.get("/readyz")
            problem: dict[str, Any] = answer.json()
            both = answer.status_code == 503 and all(word in problem["detail"] for word in ("heartbeat", "behind"))
            if both or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    assert answer.status_code == 503 and problem["code"] == "not-ready", problem
    assert "heartbeat" in problem["detail"] and "behind the log" in problem["detail"], problem
    ledger.start_runner()
    assert wait_ready(ledger).status_code == 200


def test_an_event_the_runner_cannot_decode_ends_it_with_a_nonzero_exit(cluster: Cluster) -> None:
    with psycopg.connect(cluster.url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE poisoned")
    env = ledger_env(cluster, "poisoned")
    poisoned = Ledger(cluster, env, "http://127.0.0.1:0")
    build_services(poisoned.settings).close()  # the tables
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("INSERT INTO storedledger_events (originator_id, originator_version, topic, state)"
                     " VALUES (gen_random_uuid(), 1, 'domain.nowhere:Gone.Happened', '{}')")
    runner = poisoned.start_runner()
    try:
        code = runner.wait(30)
    finally:
        poisoned.stop(runner)
    assert code != 0
    assert "retrying cannot fix" in poisoned.log_text()
