"""HTTP assessment appends against a minimal FastAPI peer, 4 and 16 clients, pairs alternated (see README.md).

Both servers run at once, each with the default worker processes (`ler serve` and ops/bench/peer.py share the uvicorn
settings). Each repetition is ``ROUNDS_PER_PAIR`` rounds, each the ledger then the peer or the peer then the ledger
(alternating from round to round), with the same load generator: ``clients`` threads with their own keep-alive
``httpx.Client``, one request in flight each, every answer must be 201. A repetition's ratio is the ledger's rate over
the peer's (each side's requests over the sum of its rounds' seconds): a burst of load on the machine during one
short run moves a round, not the pair. The figure is the median of the repetitions, with their spread.
The enrolments a repetition writes to are made just before it, through the Ledger in this process, so they reach the
servers the way earlier writes do (through the log they follow).
"""

from __future__ import annotations

import os
import socket
import statistics
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

from application.commands import DefineAchievement, Enrol, RegisterLearner, RegisterProvider
from domain.achievement import AchievementSpec
from domain.values import AchievementType, Actor, Identifier
from ops.bench.common import Figure, fresh_schema, latency_summary, proc_memory_mb, run_threads
from ops.bench.sizes import SKILLS, Size
from wiring.services import build_services
from wiring.settings import load_settings

CLIENT_COUNTS = (4, 16)
ROUNDS_PER_PAIR = 4
PER_ENROLMENT = 3
ADMIN_TOKEN = "bench-admin-" + uuid.uuid4().hex
PEER_TOKEN = "bench-peer-" + uuid.uuid4().hex
ROOT = Path(__file__).parents[2]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SERVER_POOLS = {"POSTGRES_POOL_SIZE": "4", "POSTGRES_MAX_OVERFLOW": "4"}


def server_env(url: str, schema: str, data: str, admin_token: str = ADMIN_TOKEN) -> dict[str, str]:
    """The settings of a `ler serve` (and the Ledger beside it) in a bench's scratch schema and data directory."""
    return {"LER_DATA_DIR": data, "DATABASE_URL": f"{url}?schema={schema}", "LER_ADMIN_TOKEN": admin_token,
            "LER_MASTER_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "LER_LOG_FORMAT": "json", **SERVER_POOLS}
"""At most 8 connections per pool and worker, as the peer's pool: the shared server allows 100 in all."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def enrolments(ledger: Any, actor: Actor, achievement: UUID, count: int, prefix: str) -> list[UUID]:
    """``count`` enrolments of new learners, written with 4 threads."""
    out: list[UUID] = []
    lock = threading.Lock()
    start = date(2024, 2, 1)

    def work(i: int) -> None:
        for n in range(i, count, 4):
            learner = ledger.execute(actor, RegisterLearner(
                primary_identifier=Identifier("student id", f"{prefix}{n:07d}"), effective=start)).id
            enrolment = ledger.execute(actor, Enrol(
                learner, achievement_id=achievement, term="2024-T1", effective=start + timedelta(days=5))).id
            with lock:
                out.append(enrolment)

    run_threads(4, work)
    return out


def body(n: int) -> dict[str, Any]:
    return {
        "title": f"Assessment {n}", "outcome": "passed", "score": "B+", "assessor": "Dr Assessor",
        "assessed_on": "2024-03-01",
        "skill_levels": [{"skill_url": SKILLS[0].url, "level": 2 + n % 4}, {"skill_url": SKILLS[1].url, "level": 3}],
        "evidence": [{"description": f"Portfolio item {n}", "url": f"https://evidence.example.org/{n}"}],
    }


def http_load(base: str, token: str, targets: Sequence[UUID], requests: int, clients: int) -> dict[str, Any]:
    """``requests`` assessment POSTs from ``clients`` threads, each over its own targets; rate and latency."""
    own = [list(targets[i::clients]) or list(targets) for i in range(clients)]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures: list[str] = []
    run_id = uuid.uuid4().hex[:8]

    def work(i: int) -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60.0) as client:
            for k, n in enumerate(range(i, requests, clients)):
                started = time.perf_counter()
                answer = client.post(f"/v1/enrolments/{own[i][k % len(own[i])]}/assessments", json=body(n),
                                     headers={"Idempotency-Key": f"bench-{run_id}-{n}"})
                latencies[i].append(time.perf_counter() - started)
                if answer.status_code != 201:
                    failures.append(f"{answer.status_code} {answer.text[:300]}")

    elapsed = run_threads(clients, work)
    if failures:
        raise RuntimeError(f"{len(failures)} of {requests} requests failed, e.g. {failures[0]}")
    samples = [s for own_latencies in latencies for s in own_latencies]
    return {"requests_per_s": requests / elapsed, "requests": requests, "seconds": elapsed, "clients": clients,
            "latency": latency_summary(samples), "samples": samples}


def combined(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One side of a pair from its rounds: requests over the sum of their seconds, latencies and CPU of all."""
    requests, seconds = sum(r["requests"] for r in runs), sum(r["seconds"] for r in runs)
    return {"requests_per_s": requests / seconds, "requests": requests, "seconds": seconds,
            "clients": runs[0]["clients"], "rounds": len(runs),
            "latency": latency_summary([s for r in runs for s in r["samples"]]),
            "server_cpu_us_per_request": sum(r["server_cpu_us_per_request"] * r["requests"] for r in runs) / requests}


class Server:
    """A server process on a free loopback port, its output in a file; stopped with SIGTERM."""

    def __init__(self, command: list[str], env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._log = log_path.open("wb")
        self.process = subprocess.Popen([sys.executable, "-m", *command, "--port", str(self.port)],
                                        env={**os.environ, **env}, stdout=self._log, stderr=subprocess.STDOUT, cwd=ROOT)

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

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def cpu_seconds(self) -> float:
        """User and system CPU time of the worker processes (the parent only supervises) so far."""
        ticks = 0
        for pid in self.workers() or [self.process.pid]:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / CLOCK_TICKS

    def memory_mb(self) -> dict[str, float]:
        """The largest worker's peak and current resident set (the parent only supervises)."""
        found = [proc_memory_mb(pid) for pid in self.workers() or [self.process.pid]]
        return {name: max(m.get(name, 0.0) for m in found) for name in ("VmHWM", "VmRSS")}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()


def with_cpu(server: Server, load: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The load's figures and the server's CPU time per request (its workers', from /proc)."""
    before = server.cpu_seconds()
    figures = load()
    figures["server_cpu_us_per_request"] = (server.cpu_seconds() - before) / figures["requests"] * 1e6
    return figures


def measure_http(url: str, size: Size, log: Callable[[str], None] = print) -> list[Figure]:
    with fresh_schema(url, "bench_http") as schema, tempfile.TemporaryDirectory() as data:
        env = server_env(url, schema, data)
        services = build_services(load_settings(env))
        servers: list[Server] = []
        try:
            ledger = services.ledger
            provider = ledger.execute(Actor.admin(), RegisterProvider(
                name="HTTP bench polytechnic", identifiers=(Identifier("NZQA provider", "9999"),),
                effective=date(2024, 1, 1)))
            actor = Actor.provider(provider.id)
            achievement = ledger.execute(actor, DefineAchievement(AchievementSpec(
                AchievementType.MICRO_CREDENTIAL, "Workplace data practice", "Assessed in the workplace.",
                "Pass a portfolio.", skills=SKILLS[:2]), effective=date(2024, 1, 1))).id
            ours = Server(["ops.cli", "serve", "--host", "127.0.0.1"], env, Path(data) / "server.log")
            peer = Server(["ops.bench.peer", "--url", url, "--schema", schema, "--token", PEER_TOKEN], {},
                          Path(data) / "peer.log")
            servers = [ours, peer]
            for server in servers:
                server.wait_ready()
            started_mb = ours.memory_mb()

            def run_ours(requests: int, clients: int, prefix: str) -> dict[str, Any]:
                targets = enrolments(ledger, actor, achievement, max(clients, requests // PER_ENROLMENT), prefix)
                return with_cpu(ours, lambda: http_load(ours.base, provider.token, targets, requests, clients))

            def run_peer(requests: int, clients: int, prefix: str) -> dict[str, Any]:
                targets = [uuid.uuid4() for _ in range(clients * 4)]
                return with_cpu(peer, lambda: http_load(peer.base, PEER_TOKEN, targets, requests, clients))

            warmup = max(40, size.http_requests // 10)
            run_ours(warmup, 4, "W")
            run_peer(warmup, 4, "W")
            figures = [_pairs(clients, size, run_ours, run_peer, log) for clients in CLIENT_COUNTS]
            memory = ours.memory_mb()
        finally:
            for server in servers:
                server.stop()
            services.close()
    figures.append(Figure(
        "memory.api", "memory, API worker process (peak / current RSS)", "MB", memory.get("VmHWM"),
        text=f"peak {memory.get('VmHWM', 0):.0f} MB / now {memory.get('VmRSS', 0):.0f} MB",
        details={"after_load": memory, "at_start": started_mb}))
    return figures


def _pairs(clients: int, size: Size, run_ours: Callable[[int, int, str], dict[str, Any]],
           run_peer: Callable[[int, int, str], dict[str, Any]], log: Callable[[str], None]) -> Figure:
    requests = size.http_requests
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for rep in range(size.repetitions):
        ours, theirs = [], []
        for n in range(ROUNDS_PER_PAIR):
            prefix = f"C{clients}R{rep}N{n}-"
            if (rep + n) % 2 == 0:
                ours.append(run_ours(requests, clients, prefix))
                theirs.append(run_peer(requests, clients, prefix))
            else:
                theirs.append(run_peer(requests, clients, prefix))
                ours.append(run_ours(requests, clients, prefix))
        ledger_run, peer_run = combined(ours), combined(theirs)
        pairs.append((ledger_run, peer_run))
        log(f"  {clients} clients, pair {rep + 1}: ledger {ledger_run['requests_per_s']:,.0f} req/s "
            f"(p99 {ledger_run['latency']['p99_ms']:.1f} ms, {ledger_run['server_cpu_us_per_request']:,.0f} us CPU), "
            f"peer {peer_run['requests_per_s']:,.0f} req/s ({peer_run['server_cpu_us_per_request']:,.0f} us CPU)")
    ratios = [ledger_run["requests_per_s"] / peer_run["requests_per_s"] for ledger_run, peer_run in pairs]
    ledger_rate = statistics.median(p[0]["requests_per_s"] for p in pairs)
    peer_rate = statistics.median(p[1]["requests_per_s"] for p in pairs)
    p99 = statistics.median(p[0]["latency"]["p99_ms"] for p in pairs)
    return Figure(
        f"http.append.c{clients}", f"HTTP assessment append, {clients} clients", "req/s", ledger_rate, peer_rate,
        "minimal FastAPI peer", statistics.median(ratios), "ratio>=0.6", pair_ratios=ratios,
        text=f"{ledger_rate:,.0f} req/s (p99 {p99:.1f} ms)",
        baseline_text=f"{peer_rate:,.0f} req/s (minimal FastAPI peer)",
        details={"pairs": [{"ledger": ours, "peer": theirs} for ours, theirs in pairs],
                 "workers": os.cpu_count(),
                 "server_cpu_us_per_request": {
                     "ledger": statistics.median(p[0]["server_cpu_us_per_request"] for p in pairs),
                     "peer": statistics.median(p[1]["server_cpu_us_per_request"] for p in pairs)}}).judge()
