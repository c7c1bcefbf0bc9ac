"""HTTP appends with 4 concurrent clients against a real server process, and that process's memory.

Setup (in this process, through the Ledger): a fresh schema; one provider with a micro-credential aligned to two
skills; learners enrolled beforehand, one enrolment per 3 requests, for each of the two runs below.

Figure: ``python -m ops.cli serve`` (uvicorn, the API's app factory, PostgreSQL, ``LER_ADMIN_TOKEN`` set) on a free
loopback port; 4 client threads, each with its own keep-alive ``httpx.Client``, issue a fixed number of
``POST /v1/enrolments/{id}/assessments`` (skill levels, evidence, an ``Idempotency-Key`` each) round-robin over their
own enrolments, each waiting for its answer before the next (a bounded load: at most 4 requests in flight). Every
answer must be 201. A short warm-up runs first on other enrolments.

Baselines, measured in the same run: raw psycopg one-row INSERT transactions, 4 threads (``raw_insert_rate``),
and the same commands through the Ledger in this process with 4 threads ("in-process").

Memory: VmHWM (peak) and VmRSS of the server process, from /proc, after the load.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from application.commands import DefineAchievement, Enrol, RecordAssessment, RegisterLearner, RegisterProvider
from domain.achievement import AchievementSpec
from domain.values import AchievementType, Actor, AssessmentOutcome, Evidence, Identifier, SkillLevel
from ops.bench.appends import raw_insert_rate
from ops.bench.common import Figure, fresh_schema, latency_summary, proc_memory_mb, run_threads
from ops.bench.dataset import SKILLS, Size
from wiring.services import build_services
from wiring.settings import load_settings

CLIENTS = 4
PER_ENROLMENT = 3
ADMIN_TOKEN = "bench-admin-" + uuid.uuid4().hex


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _enrolments(ledger: Any, actor: Actor, achievement: UUID, count: int, prefix: str) -> list[UUID]:
    """``count`` enrolments of new learners, written with 4 threads."""
    out: list[UUID] = []
    lock = threading.Lock()
    start = date(2024, 2, 1)

    def work(i: int) -> None:
        for n in range(i, count, CLIENTS):
            learner = ledger.execute(actor, RegisterLearner(
                primary_identifier=Identifier("student id", f"{prefix}{n:07d}"), effective=start,
            )).id
            enrolment = ledger.execute(actor, Enrol(
                learner, achievement_id=achievement, term="2024-T1", effective=start + timedelta(days=5),
            )).id
            with lock:
                out.append(enrolment)

    run_threads(CLIENTS, work)
    return out


def _body(n: int) -> dict[str, Any]:
    return {
        "title": f"Assessment {n}", "outcome": "passed", "score": "B+", "assessor": "Dr Assessor",
        "assessed_on": "2024-03-01",
        "skill_levels": [{"skill_url": SKILLS[0].url, "level": 2 + n % 4}, {"skill_url": SKILLS[1].url, "level": 3}],
        "evidence": [{"description": f"Portfolio item {n}", "url": f"https://evidence.example.org/{n}"}],
    }


def _split(items: Sequence[UUID], clients: int) -> list[list[UUID]]:
    return [list(items[i::clients]) for i in range(clients)]


def http_load(base: str, token: str, enrolments: Sequence[UUID], requests: int,
              clients: int = CLIENTS) -> dict[str, Any]:
    """``requests`` assessment POSTs from ``clients`` threads, each over its own enrolments; rate and latency."""
    own = _split(enrolments, clients)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures: list[str] = []
    run_id = uuid.uuid4().hex[:8]

    def work(i: int) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=60.0) as client:
            for k, n in enumerate(range(i, requests, clients)):
                enrolment = own[i][k % len(own[i])]
                started = time.perf_counter()
                answer = client.post(f"/v1/enrolments/{enrolment}/assessments", json=_body(n),
                                     headers={"Idempotency-Key": f"bench-{run_id}-{n}"})
                latencies[i].append(time.perf_counter() - started)
                if answer.status_code != 201:
                    failures.append(f"{answer.status_code} {answer.text[:300]}")

    elapsed = run_threads(clients, work)
    if failures:
        raise RuntimeError(f"{len(failures)} of {requests} requests failed, e.g. {failures[0]}")
    return {"requests_per_s": requests / elapsed, "requests": requests, "seconds": elapsed, "clients": clients,
            "latency": latency_summary([s for own_latencies in latencies for s in own_latencies])}


def in_process_load(ledger: Any, actor: Actor, enrolments: Sequence[UUID], commands: int,
                    clients: int = CLIENTS) -> dict[str, Any]:
    """The same commands through the Ledger directly, ``clients`` threads."""
    own = _split(enrolments, clients)
    run_id = uuid.uuid4().hex[:8]

    def work(i: int) -> None:
        for k, n in enumerate(range(i, commands, clients)):
            body = _body(n)
            ledger.execute(actor, RecordAssessment(
                own[i][k % len(own[i])], title=body["title"], outcome=AssessmentOutcome.PASSED, score=body["score"],
                skill_levels=tuple(SkillLevel(s["skill_url"], s["level"]) for s in body["skill_levels"]),
                evidence=tuple(Evidence(e["description"], e["url"]) for e in body["evidence"]),
                assessor=body["assessor"], assessed_on=date(2024, 3, 1),
            ), f"bench-{run_id}-{n}")

    elapsed = run_threads(clients, work)
    return {"commands_per_s": commands / elapsed, "commands": commands, "seconds": elapsed, "threads": clients}


class Server:
    """``python -m ops.cli serve`` on a free loopback port, its output in a file; stopped with SIGTERM."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ops.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env={**os.environ, **env}, stdout=self._log, stderr=subprocess.STDOUT, cwd=Path(__file__).parents[2])

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer /healthz within {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()


def measure_http(url: str, payloads: Sequence[tuple[str, bytes]], size: Size, raw_seconds: float,
                 log: Callable[[str], None] = print) -> list[Figure]:
    requests = size.http_requests
    warmup = max(20, requests // 20)
    per_run = (requests + PER_ENROLMENT - 1) // PER_ENROLMENT
    with fresh_schema(url, "bench_http") as schema, tempfile.TemporaryDirectory() as data:
        env = {
            "LER_DATA_DIR": data, "DATABASE_URL": f"{url}?schema={schema}", "LER_ADMIN_TOKEN": ADMIN_TOKEN,
            "LER_MASTER_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "LER_LOG_FORMAT": "json",
        }
        settings = load_settings(env)
        services = build_services(settings)
        server: Server | None = None
        try:
            ledger = services.ledger
            provider = ledger.execute(Actor.admin(), RegisterProvider(
                name="HTTP bench polytechnic", identifiers=(Identifier("NZQA provider", "9999"),),
                effective=date(2024, 1, 1),
            ))
            actor = Actor.provider(provider.id)
            achievement = ledger.execute(actor, DefineAchievement(AchievementSpec(
                AchievementType.MICRO_CREDENTIAL, "Workplace data practice", "Assessed in the workplace.",
                "Pass a portfolio.", skills=SKILLS[:2]), effective=date(2024, 1, 1))).id
            log(f"  setting up {2 * per_run + warmup // PER_ENROLMENT + 4} enrolments")
            warm = _enrolments(ledger, actor, achievement, warmup // PER_ENROLMENT + CLIENTS, "W")
            over_http = _enrolments(ledger, actor, achievement, per_run, "H")
            in_process = _enrolments(ledger, actor, achievement, per_run, "P")

            server = Server(env, Path(data) / "server.log")
            server.wait_ready()
            started_mb = proc_memory_mb(server.process.pid)
            http_load(server.base, provider.token, warm, warmup)
            result = http_load(server.base, provider.token, over_http, requests)
            memory = proc_memory_mb(server.process.pid)
            log(f"  HTTP, {CLIENTS} clients: {result['requests_per_s']:,.0f} requests/s, "
                f"p50 {result['latency']['p50_ms']:.1f} ms, p99 {result['latency']['p99_ms']:.1f} ms; "
                f"server peak RSS {memory.get('VmHWM', 0):.0f} MB")
            server.stop()
            server = None
            local = in_process_load(ledger, actor, in_process, requests)
            log(f"  in-process, {CLIENTS} threads: {local['commands_per_s']:,.0f} commands/s")
        finally:
            if server is not None:
                server.stop()
            services.close()
    raw = raw_insert_rate(url, payloads, CLIENTS, raw_seconds)
    log(f"  raw INSERT, {CLIENTS} writers: {raw['tx_per_s']:,.0f} tx/s")
    rate = result["requests_per_s"]
    details = {"http": result, "in_process": local, "raw": raw, "server_memory_mb": memory,
               "server_memory_at_start_mb": started_mb, "warmup_requests": warmup}
    return [
        Figure("http.append.c4", f"append through HTTP, {CLIENTS} clients (assessments)", "req/s", rate,
               raw["tx_per_s"], "raw 1-row INSERT tx/s", rate / raw["tx_per_s"], "ratio>=0.5", details=details,
               baseline_text=f"{raw['tx_per_s']:,.0f} tx/s (raw 1-row INSERT, 4 threads)").judge(),
        Figure("http.append.c4.vs_in_process", "  same, against the commands in-process (4 threads)", "req/s", rate,
               local["commands_per_s"], "Ledger in-process cmd/s", rate / local["commands_per_s"], details=details,
               baseline_text=f"{local['commands_per_s']:,.0f} cmd/s (same commands, Ledger in-process)"),
        Figure("http.latency", "  HTTP assessment latency, 4 clients", "ms", result["latency"]["p50_ms"],
               details=dict(result["latency"])),
        Figure("memory.api", "memory, API server process (peak / current RSS)", "MB", memory.get("VmHWM"),
               text=f"peak {memory.get('VmHWM', 0):.0f} MB / now {memory.get('VmRSS', 0):.0f} MB",
               details={"after_load": memory, "at_start": started_mb, "requests": requests + warmup}),
    ]
