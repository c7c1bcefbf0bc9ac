"""Server-side render time of the pages people open most: the learner's home (`/me`, signed in) and the share page
an employer opens (`/shared/{token}`, which also records the opening), p50/p99 (see README.md, "pages").

The whole site (API and pages, `web.site.create_site`) runs in this process over the benchmark's data set in its own
schema, the views caught up and the signed documents published first (as a running runner does in the background).
Each request goes through an in-process client; the time is taken around the application call (ASGI in to the last
byte out), so it is the server's time, not the client's. The baseline is the read-side call the page makes (the
learner's overview and timeline; the employer view), so the ratio says how much of a page is its data.

Below 10,000 learners the data set is then padded to 10,000 with light learners (registered, one stated work
experience) and the same pages are timed again: every read behind these pages is keyed by learner or share (primary
key or unique index), so more learners cost only deeper indexes, and the padded figure says whether that shows.
"""

from __future__ import annotations

import base64
import random
import secrets
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from application.commands import RegisterLearner, StateWorkExperience
from domain.values import Actor, Identifier, Period
from domain.work_experience import Position, WorkKind
from ops.bench.common import Figure, fresh_schema, latency_summary, load_average, run_threads
from ops.bench.dataset import Generator
from ops.bench.read_side import catch_up_in_process
from ops.bench.sizes import SKILLS, Dataset, Size
from projections.work_claims import awaiting_attestation
from web.pages.attestation import PAGE_LIMIT
from web.pages.learner import TIMELINE_PAGE
from web.sessions import SESSION_COOKIE
from web.site import create_site
from wiring.projection_runner import publish
from wiring.read_side import open_read_side
from wiring.services import build_services
from wiring.settings import Settings, load_settings

TARGET_LEARNERS = 10_000
PADDING_WRITERS = 4
ADMIN_TOKEN = "bench-pages-" + secrets.token_hex(16)
PAGES = {
    "pages.learner_home": ("learner home page /me (server render)", "p99<=50ms"),
    "pages.share": ("share page /shared/{token} (server render, opening recorded)", "p99<=50ms"),
    "pages.attestation": ("employer's work to attest /employer/work-experience (server render)", ""),
}
ATTESTATION_SAMPLES = 50


class ServerTimer:
    """ASGI wrapper: the seconds from a request's arrival to its response's last byte."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.seconds: list[float] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            self.seconds.append(time.perf_counter() - started)


def measure_pages(url: str, size: Size, log: Callable[[str], None]) -> list[Figure]:
    with fresh_schema(url, "pages") as schema, tempfile.TemporaryDirectory() as data:
        settings = load_settings({
            "LER_DATA_DIR": data, "DATABASE_URL": f"{url}?schema={schema}", "LER_LOG_FORMAT": "json",
            "LER_MASTER_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()})
        dataset = _write_dataset(settings, size, log)
        log(f"  {len(dataset.learners)} learners, {dataset.events} events; views catch up")
        catch_up_in_process(settings)
        publish(settings)
        at_size = _render_times(settings, dataset, size.read_samples, log)
        padded = None
        target = 2 * len(dataset.learners) if size.name == "tiny" else TARGET_LEARNERS  # tiny: a smoke test
        if len(dataset.learners) < target:
            log(f"  padding to {target:,} learners (registered, one stated work experience each)")
            started = time.perf_counter()
            events = _pad(settings, dataset, target - len(dataset.learners))
            catch_up_in_process(settings)
            log(f"  {events} events; padded and caught up in {time.perf_counter() - started:.0f} s")
            padded = (_render_times(settings, dataset, size.read_samples, log), target, events)
    return _figures(at_size, padded, dataset)


def _write_dataset(settings: Settings, size: Size, log: Callable[[str], None]) -> Dataset:
    services = build_services(settings)
    generator = Generator(services.ledger, size, progress=log)
    try:
        generator.catalogue()
        generator.learners_range(0, size.learners)
        return generator.dataset()
    finally:
        generator.close()
        services.close()


def _pad(settings: Settings, dataset: Dataset, count: int) -> int:
    """`count` light learners, written through the Ledger with a few threads; the log's length after."""
    services = build_services(settings)
    registrar = Actor.provider(dataset.catalogue.providers[0])
    start = services.ledger.today() - timedelta(days=400)

    def work(i: int) -> None:
        for n in range(i, count, PADDING_WRITERS):
            learner = services.ledger.execute(registrar, RegisterLearner(
                primary_identifier=Identifier("bench padding", f"P{n:07d}"))).id
            services.ledger.execute(Actor.learner(learner), StateWorkExperience(learner, Position(
                WorkKind.EMPLOYMENT, "Padding Employer", "Analyst", Period(start), skills=(SKILLS[n % len(SKILLS)],),
                employer_id=dataset.catalogue.employers[n % len(dataset.catalogue.employers)])))

    try:
        run_threads(PADDING_WRITERS, work)
        return services.ledger.position()
    finally:
        services.close()


def _render_times(settings: Settings, dataset: Dataset, samples: int,
                  log: Callable[[str], None]) -> dict[str, dict[str, Any]]:
    services = build_services(settings)
    read_side = open_read_side(services, run_projections=False)
    timer = ServerTimer(create_site(services, read_side, ADMIN_TOKEN))
    rng = random.Random(23)
    learners = rng.sample(dataset.learners, min(len(dataset.learners), 50))
    sessions = {learner: services.sign_ins.start_session(Actor.learner(learner))[0] for learner in learners}
    live = [token for _, _, _, token in dataset.shares if (s := read_side.share_by_token(token)) and s.live]
    results: dict[str, dict[str, Any]] = {}
    try:
        with TestClient(timer, base_url=services.urls.public_url) as client:
            home = _page_times(client, timer, samples, lambda: _home_request(rng.choice(learners), sessions))
            results["pages.learner_home"] = {**home, "baseline": _read_times(samples, lambda: _home_reads(
                read_side, rng.choice(learners)))}
            if live:
                share = _page_times(client, timer, samples, lambda: (f"/shared/{rng.choice(live)}", {}))
                results["pages.share"] = {**share, "baseline": _read_times(samples, lambda: read_side.employer_view(
                    rng.choice(live)))}
            results["pages.attestation"] = _attestation_times(client, timer, services, read_side, dataset, rng)
    finally:
        read_side.close()
        services.close()
    for key, found in results.items():
        found["load"] = load_average()
        log(f"  {PAGES[key][0]}: p50 {found['p50_ms']:.2f} ms, p99 {found['p99_ms']:.2f} ms "
            f"(its reads alone: p50 {found['baseline']['p50_ms']:.2f} ms)")
    return results


def _attestation_times(client: TestClient, timer: ServerTimer, services: Any, read_side: Any, dataset: Dataset,
                       rng: random.Random) -> dict[str, Any]:
    """The employers' pages of work awaiting them: the stated work naming each, by the views' stated_work index."""
    employers = {e: services.sign_ins.start_session(Actor.employer(e))[0] for e in dataset.catalogue.employers}
    page = _page_times(client, timer, ATTESTATION_SAMPLES, lambda: (
        "/employer/work-experience", {SESSION_COOKIE: employers[rng.choice(list(employers))]}))
    reads = _read_times(ATTESTATION_SAMPLES, lambda: awaiting_attestation(
        read_side.views, read_side.personal, rng.choice(list(employers)), PAGE_LIMIT + 1))
    return {**page, "baseline": reads}


def _home_request(learner: UUID, sessions: dict[UUID, str]) -> tuple[str, dict[str, str]]:
    return "/me", {SESSION_COOKIE: sessions[learner]}


def _home_reads(read_side: Any, learner: UUID) -> None:
    read_side.overview(learner)
    read_side.record(learner, limit=TIMELINE_PAGE + 1)


def _page_times(client: TestClient, timer: ServerTimer, samples: int,
                request: Callable[[], tuple[str, dict[str, str]]]) -> dict[str, float]:
    for warm_up in range(min(20, samples) + samples):
        path, cookies = request()
        client.cookies.clear()
        client.cookies.update(cookies)
        answer = client.get(path, headers={"Accept": "text/html"})
        if answer.status_code != 200:
            raise RuntimeError(f"{path.split('/')[1]} answered {answer.status_code}")
        if warm_up == min(20, samples) - 1:
            timer.seconds.clear()  # warmed: the pool's connections and the templates are ready
    return latency_summary(timer.seconds[-samples:])


def _read_times(samples: int, call: Callable[[], Any]) -> dict[str, float]:
    seconds = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return latency_summary(seconds)


def _figures(at_size: dict[str, dict[str, Any]], padded: tuple[dict[str, dict[str, Any]], int, int] | None,
             dataset: Dataset) -> list[Figure]:
    figures = []
    for key, (label, target) in PAGES.items():
        if key not in at_size:
            continue
        rows = [(at_size[key], len(dataset.learners), dataset.events, "")]
        if padded is not None and key in padded[0]:
            rows.append((padded[0][key], padded[1], padded[2], ".padded"))
        for found, learners, events, suffix in rows:
            baseline = found["baseline"]
            figures.append(Figure(
                key + suffix, f"{label}, {learners:,} learners", "ms", found["p50_ms"], baseline["p50_ms"],
                "its read-side calls alone", baseline["p50_ms"] / found["p50_ms"] if found["p50_ms"] else None,
                target, text=f"p50 {found['p50_ms']:.2f} / p99 {found['p99_ms']:.2f} ms",
                baseline_text=f"p50 {baseline['p50_ms']:.2f} / p99 {baseline['p99_ms']:.2f} ms",
                details={**found, "learners": learners, "events": events,
                         "padded": bool(suffix)}, load=found["load"]).judge())
    return figures
