"""Contention through HTTP: 4 clients on one enrolment and one learner of `ler serve` (default workers).

Two clients record assessments on the same enrolment (the provider's token), two grant shares of the same learner's
record (the learner's token), each request waiting for its answer before the next. Every answer must be 201 or a
409 (a conflict that kept colliding after the ledger's own retries); a 5xx fails the target. Reported: throughput,
latency and how many conflicts were retried away (those never reach the client) or answered 409.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from application.commands import DefineAchievement, Enrol, RegisterEmployer, RegisterLearner, RegisterProvider
from domain.achievement import AchievementSpec
from domain.values import AchievementType, Actor, Identifier
from ops.bench.common import Figure, fresh_schema, latency_summary, run_threads
from ops.bench.http import Server, body, server_env
from ops.bench.sizes import SKILLS, Size
from wiring.services import build_services
from wiring.settings import load_settings

CLIENTS = 4


def measure_contention(url: str, size: Size, log: Callable[[str], None] = print) -> list[Figure]:
    per_client = max(25, size.http_requests // 8)
    with fresh_schema(url, "bench_contention") as schema, tempfile.TemporaryDirectory() as data:
        env = server_env(url, schema, data)
        services = build_services(load_settings(env))
        server: Server | None = None
        try:
            ledger = services.ledger
            provider = ledger.execute(Actor.admin(), RegisterProvider(
                name="Contended polytechnic", identifiers=(Identifier("NZQA provider", "9696"),),
                effective=date(2024, 1, 1)))
            actor = Actor.provider(provider.id)
            achievement = ledger.execute(actor, DefineAchievement(AchievementSpec(
                AchievementType.MICRO_CREDENTIAL, "Shared practice", "Assessed.", "Pass.", skills=SKILLS[:2]),
                effective=date(2024, 1, 1))).id
            learner = ledger.execute(Actor.admin(), RegisterLearner(  # an admin's registration answers the token
                primary_identifier=Identifier("student id", "C0000001"), effective=date(2024, 1, 2)))
            enrolment = ledger.execute(actor, Enrol(
                learner.id, achievement_id=achievement, term="2024-T1", effective=date(2024, 2, 1))).id
            employer = ledger.execute(Actor.admin(), RegisterEmployer(
                name="Contended employer", identifiers=(Identifier("NZBN", "9429000000777"),))).id
            server = Server(["ops.cli", "serve", "--host", "127.0.0.1"], env, Path(data) / "server.log")
            server.wait_ready()
            statuses: Counter[int] = Counter()
            latencies: list[float] = []
            expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
            run = uuid.uuid4().hex[:6]

            def work(i: int) -> None:
                token = provider.token if i % 2 == 0 else learner.token
                with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {token}"},
                                  timeout=60.0) as client:
                    for n in range(per_client):
                        key = {"Idempotency-Key": f"{run}-{i}-{n}"}
                        started = time.perf_counter()
                        if i % 2 == 0:
                            answer = client.post(f"/v1/enrolments/{enrolment}/assessments", json=body(n), headers=key)
                        else:
                            answer = client.post(f"/v1/learners/{learner.id}/shares", headers=key, json={
                                "employer_id": str(employer), "skill_urls": [SKILLS[0].url],
                                "purpose": f"Application {i}-{n}", "expires_at": expires})
                        latencies.append(time.perf_counter() - started)
                        statuses[answer.status_code] += 1

            seconds = run_threads(CLIENTS, work)
        finally:
            if server is not None:
                server.stop()
            services.close()
    total = sum(statuses.values())
    errors = sum(count for status, count in statuses.items() if status >= 500)
    unexpected = sum(count for status, count in statuses.items() if status not in (201, 409) and status < 500)
    log(f"  {total} requests in {seconds:.1f} s ({total / seconds:,.0f} req/s): {dict(statuses)}")
    latency = latency_summary(latencies)
    details: dict[str, Any] = {"statuses": dict(statuses), "seconds": seconds, **latency}
    figure = Figure("contention.http", f"{CLIENTS} clients on one enrolment and one learner (HTTP)", "req/s",
                    total / seconds, target="no 5xx", details=details,
                    text=f"{total / seconds:,.0f} req/s, p99 {latency['p99_ms']:.0f} ms; "
                         f"201: {statuses[201]}, 409: {statuses[409]}, 5xx: {errors}")
    figure.met = errors == 0 and unexpected == 0
    figure.verdict = "yes" if figure.met else f"NO ({errors} 5xx, {unexpected} other)"
    return [figure]
