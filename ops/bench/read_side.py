"""Projection catch-up against reading and decoding the same log, and view read latency from the ReadSide.

Catch-up runs in a real ``python -m wiring.projection_runner run`` process over views emptied first; this process polls
the views' tracking position (every 50 ms) and the runner's /proc status (VmHWM, VmRSS) until the runner reaches
the log's end, then stops it with SIGTERM. The rate is timed from the runner's first committed position to the end
(the process's start-up, imports and connections, is in the details), so it is comparable with the in-process
baseline of paging through the log and decoding every event.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ops.bench.common import Figure, latency_summary, proc_memory_mb
from ops.bench.sizes import Dataset
from wiring.services import build_services
from wiring.settings import Settings


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


def catch_up_in_process(settings: Settings) -> dict[str, Any]:
    """The views catch up in this process (``wiring.projection_runner.catch_up``), e.g. between two data set parts."""
    from wiring.projection_runner import catch_up

    started = time.perf_counter()
    position = catch_up(settings, timeout=7200)
    elapsed = time.perf_counter() - started
    return {"position": position, "seconds": elapsed}


def catch_up_process(settings: Settings, env: dict[str, str], log_path: Path, timeout: float = 7200.0,
                     reset: bool = True) -> dict[str, Any]:
    """A real runner process catches the (emptied) views up to the log's end; its rate and memory."""
    from projections.schema import APPLICATION_NAME
    from wiring.projection_runner import max_position, open_views

    target = max_position(settings)
    views = open_views(settings)
    if reset:
        views.reset()
    with log_path.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "wiring.projection_runner", "run"], env={**os.environ, **env},
                                   stdout=out, stderr=subprocess.STDOUT, cwd=Path(__file__).parents[2])
        first: tuple[float, int] | None = None
        samples: list[float] = []
        memory: dict[str, float] = {}
        try:
            while True:
                position = views.max_tracking_id(APPLICATION_NAME) or 0
                now = time.perf_counter()
                memory = proc_memory_mb(process.pid) or memory
                if "VmRSS" in memory:
                    samples.append(memory["VmRSS"])
                if position and first is None:
                    first = (now, position)
                if position >= target:
                    break
                if process.poll() is not None:
                    raise RuntimeError(f"the projection runner exited with {process.returncode} at {position}")
                if now - started > timeout:
                    raise RuntimeError(f"the projection runner reached {position} of {target} in {timeout} s")
                time.sleep(0.05)
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
    ended = now
    assert first is not None
    since_first = max(ended - first[0], 1e-6)
    return {
        "events_per_s": (target - first[1]) / since_first if target > first[1] else target / (ended - started),
        "position": target, "seconds_from_first_commit": since_first, "seconds_from_process_start": ended - started,
        "first_commit_after_s": first[0] - started, "first_position": first[1],
        "memory_mb": memory, "rss_samples_mb_max": max(samples, default=0.0), "samples": len(samples),
    }


def measure_catch_up(settings: Settings, env: dict[str, str], log_dir: Path,
                     log: Callable[[str], None]) -> list[Figure]:
    baseline = read_and_decode_rate(settings)
    log(f"  read and decode the log: {baseline['events_per_s']:,.0f} events/s")
    ours = catch_up_process(settings, env, log_dir / "runner.log")
    log(f"  projection catch-up from zero (runner process): {ours['events_per_s']:,.0f} events/s, "
        f"peak RSS {ours['memory_mb'].get('VmHWM', 0):.0f} MB")
    memory = ours["memory_mb"]
    return [
        Figure("projection.catch_up", "projection catch-up from zero (runner process)", "events/s",
               ours["events_per_s"], baseline["events_per_s"], "read+decode the log",
               ours["events_per_s"] / baseline["events_per_s"], "ratio>=0.5",
               details={"projection": ours, "baseline": baseline}).judge(),
        Figure("memory.projection", "memory, projection runner process (peak / at the end)", "MB",
               memory.get("VmHWM"), text=f"peak {memory.get('VmHWM', 0):.0f} MB / now {memory.get('VmRSS', 0):.0f} MB",
               details={"memory_mb": memory, "events": ours["position"]}),
    ]


def read_latencies(settings: Settings, dataset: Dataset, samples: int,
                   log: Callable[[str], None]) -> dict[str, dict[str, Any]]:
    """p50/p99 of each read (after a warm-up), keyed by the figure's key; labels and targets in ``READS``."""
    from ops.bench.sizes import SKILLS
    from wiring.projection_runner import publish
    from wiring.read_side import open_read_side

    # What a running runner's signing step does in the background: CLRs signed and proofs checked ahead of reads.
    published = publish(settings)
    log(f"  signed ahead of reads: {published['documents']} documents in {published['seconds']:.1f} s")
    services = build_services(settings)
    read_side = open_read_side(services, run_projections=False)
    rng = random.Random(11)
    with_credentials = [learner for learner, held in dataset.credentials.items() if held] or dataset.learners
    employers = dataset.catalogue.employers
    cases: dict[str, Callable[[], Any]] = {
        "read.clr": lambda: read_side.clr(rng.choice(with_credentials)),
        "read.skills": lambda: read_side.skills(rng.choice(dataset.learners)),
        "read.skill_query": lambda: read_side.skill_query(
            rng.choice(employers), [s.url for s in rng.sample(SKILLS, 2)], verified_only=True, min_level=2),
    }
    if dataset.shares:
        cases["read.employer_view"] = lambda: read_side.employer_view(rng.choice(dataset.shares)[3])
    results = {}
    try:
        for key, call in cases.items():
            for _ in range(min(20, samples)):  # warm the connection pool and caches of the process
                call()
            seconds = []
            for _ in range(samples):
                started = time.perf_counter()
                call()
                seconds.append(time.perf_counter() - started)
            results[key] = latency_summary(seconds)
            log(f"  {READS[key][0]}: p50 {results[key]['p50_ms']:.2f} ms, p99 {results[key]['p99_ms']:.2f} ms")
    finally:
        read_side.close()
        services.close()
    return results


READS = {
    "read.clr": ("CLR 2.0 (signed) read", "p99<=10ms"),
    "read.skills": ("skills profile read", "p99<=10ms"),
    "read.employer_view": ("employer view read", "p99<=10ms"),
    "read.skill_query": ("employer skill query (2 skills)", "p99<=50ms"),
}


def read_figures(at_half: dict[str, dict[str, Any]], at_all: dict[str, dict[str, Any]],
                 half: tuple[int, int], whole: tuple[int, int]) -> list[Figure]:
    """One row per read: latency with all the data, against the same read with half of it (ratio: p50 at half /
    p50 at all, 1.0 = flat as history grows)."""
    figures = []
    for key, (label, target) in READS.items():
        if key not in at_all:
            continue
        now, before = at_all[key], at_half.get(key)
        figure = Figure(key, f"{label}, {whole[0]:,} learners", "ms", now["p50_ms"], target=target,
                        details={**now, "at_half": before, "learners": whole[0], "events": whole[1],
                                 "learners_at_half": half[0], "events_at_half": half[1]})
        if before:
            figure.baseline = before["p50_ms"]
            figure.baseline_text = f"p50 {before['p50_ms']:.2f} / p99 {before['p99_ms']:.2f} ms at {half[0]:,}"
            figure.ratio = before["p50_ms"] / now["p50_ms"] if now["p50_ms"] else None
        figures.append(figure.judge())
    return figures


