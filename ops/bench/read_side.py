"""Projection catch-up against reading and decoding the same log, and view read latency from the ReadSide."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from ops.bench.common import Figure, latency_summary, max_rss_mb
from ops.bench.dataset import Dataset
from ops.settings import Settings
from ops.wiring import build_services


def read_and_decode_rate(settings: Settings, page: int = 1000) -> dict[str, Any]:
    """Baseline: page through the whole notification log and decode every event with the Ledger's mapper."""
    services = build_services(settings)
    try:
        ledger = services.ledger
        started = time.perf_counter()
        count, last = 0, 0
        while True:
            notifications = ledger.recorder.select_notifications(last + 1, page)
            if not notifications:
                break
            for notification in notifications:
                ledger.mapper.to_domain_event(notification)
            count += len(notifications)
            last = notifications[-1].id
        elapsed = time.perf_counter() - started
    finally:
        services.close()
    return {"events_per_s": count / elapsed, "events": count, "seconds": elapsed}


def catch_up_rate(settings: Settings) -> dict[str, Any]:
    from ops.projection_runner import catch_up

    started = time.perf_counter()
    position = catch_up(settings, timeout=3600)
    elapsed = time.perf_counter() - started
    return {"events_per_s": position / elapsed, "position": position, "seconds": elapsed}


def measure_catch_up(settings: Settings, log: Callable[[str], None]) -> list[Figure]:
    baseline = read_and_decode_rate(settings)
    log(f"  read and decode the log: {baseline['events_per_s']:,.0f} events/s")
    rss_before = max_rss_mb()
    ours = catch_up_rate(settings)
    log(f"  projection catch-up from zero: {ours['events_per_s']:,.0f} events/s")
    return [
        Figure("projection.catch_up", "projection catch-up from zero", "events/s", ours["events_per_s"],
               baseline["events_per_s"], "read+decode the log", ours["events_per_s"] / baseline["events_per_s"],
               "ratio>=0.5", details={"projection": ours, "baseline": baseline}).judge(),
        Figure("memory.projection", "memory, projection (in the bench process, peak RSS)", "MB", max_rss_mb(),
               details={"peak_rss_before_catch_up_mb": rss_before,
                        "note": "catch-up runs in the bench process; peak RSS of that process"}),
    ]


def measure_reads(settings: Settings, dataset: Dataset, samples: int, log: Callable[[str], None]) -> list[Figure]:
    from ops.bench.dataset import SKILLS
    from ops.read_side import ReadSide

    services = build_services(settings)
    read_side = ReadSide.open(services, run_projections=False)
    rng = random.Random(11)
    with_credentials = [learner for learner, held in dataset.credentials.items() if held] or dataset.learners
    figures = []
    try:
        def timed(call: Callable[[], Any]) -> dict[str, float]:
            for _ in range(min(20, samples)):  # warm the connection pool and caches of the process
                call()
            seconds = []
            for _ in range(samples):
                started = time.perf_counter()
                call()
                seconds.append(time.perf_counter() - started)
            return latency_summary(seconds)

        cases: list[tuple[str, str, Callable[[], Any], str]] = [
            ("read.clr", "CLR 2.0 (signed) read", lambda: read_side.clr(rng.choice(with_credentials)), "p99<=10ms"),
            ("read.skills", "skills profile read", lambda: read_side.skills(rng.choice(dataset.learners)),
             "p99<=10ms"),
        ]
        if dataset.shares:
            cases.append(("read.employer_view", "employer view read",
                          lambda: read_side.employer_view(rng.choice(dataset.shares)[3]), "p99<=10ms"))
        employers = dataset.catalogue.employers
        cases.append(("read.skill_query", "employer skill query (2 skills)", lambda: read_side.skill_query(
            rng.choice(employers), [s.url for s in rng.sample(SKILLS, 2)], verified_only=True, min_level=2),
            "p99<=50ms"))
        for key, label, call, target in cases:
            summary = timed(call)
            log(f"  {label}: p50 {summary['p50_ms']:.2f} ms, p99 {summary['p99_ms']:.2f} ms")
            figures.append(Figure(key, label, "ms", summary["p50_ms"],
                                  target=target, details=summary, note=f"p99 {summary['p99_ms']:.2f} ms").judge())
    finally:
        read_side.close()
        services.close()
    return figures
