"""Reads through HTTP at 10,000 learners: the skills profile, the employer view behind a share link and the signed
CLR, answered by `ler serve` (default workers), p50/p99 against the same reads in this process (see README.md).

The cheaper honest path to 10,000 learners: the data set's learners (the size's stories, written through the Ledger
as in every section) and then light learners (registered, one stated work experience each, as the pages section pads)
up to 10,000; the views catch up and the CLRs are signed ahead before the server starts, as a running runner keeps
them, and a runner process follows the log during the reads (as deployed beside `ler serve` on PostgreSQL). Every
read is keyed by learner or share (primary key or unique index), so the padding costs only deeper indexes; the reads
are of the data set's learners, who hold credentials, skills and shares. ``CLIENTS`` clients with their own
keep-alive connection, one request in flight each; every answer must be 200. Opening a share link records the
opening (a write) before the view, as the API does.
"""

from __future__ import annotations

import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from ops.bench.common import Figure, fresh_schema, latency_summary, run_threads
from ops.bench.http import ROOT, Server, server_env
from ops.bench.pages import TARGET_LEARNERS, _pad, _write_dataset
from ops.bench.read_side import catch_up_in_process
from ops.bench.sizes import Dataset, Size
from wiring.projection_runner import publish
from wiring.read_side import open_read_side
from wiring.services import build_services
from wiring.settings import Settings, load_settings

CLIENTS = 2
ADMIN_TOKEN = "bench-reads-" + secrets.token_hex(16)
READS = {
    "http.read.skills": "skills profile",
    "http.read.employer_view": "employer view (share link, opening recorded)",
    "http.read.clr": "CLR 2.0 (signed)",
}
Reader = Callable[[Any, str], httpx.Response]


def measure_http_reads(url: str, size: Size, log: Callable[[str], None]) -> list[Figure]:
    with fresh_schema(url, "bench_reads") as schema, tempfile.TemporaryDirectory() as data:
        env = server_env(url, schema, data, ADMIN_TOKEN)
        settings = load_settings(env)
        dataset = _write_dataset(settings, size, log)
        target = 2 * len(dataset.learners) if size.name == "tiny" else TARGET_LEARNERS  # tiny: a smoke test
        if len(dataset.learners) < target:
            log(f"  padding to {target:,} learners (registered, one stated work experience each)")
            _pad(settings, dataset, target - len(dataset.learners))
        started = time.perf_counter()
        catch_up_in_process(settings)
        publish(settings)
        log(f"  views caught up and CLRs signed in {time.perf_counter() - started:.0f} s")
        targets = _targets(settings, dataset)
        in_process = _in_process(settings, targets, size)
        server = Server(["ops.cli", "serve", "--host", "127.0.0.1"], env, Path(data) / "server.log")
        with (Path(data) / "runner.log").open("wb") as runner_log:
            runner = subprocess.Popen([sys.executable, "-m", "wiring.projection_runner", "run"],
                                      env={**os.environ, **env}, stdout=runner_log, stderr=subprocess.STDOUT, cwd=ROOT)
            try:
                server.wait_ready()
                over_http = _over_http(server.base, targets, size, log)
            finally:
                server.stop()
                runner.terminate()
                runner.wait(30)
    return [_figure(key, label, over_http[key], in_process[key], target) for key, label in READS.items()]


def _targets(settings: Settings, dataset: Dataset) -> dict[str, list[str]]:
    """What each read asks for: learners with a CLR, live share links; for the skills, every data set learner."""
    services = build_services(settings)
    read_side = open_read_side(services, run_projections=False)
    try:
        live = [token for _, _, _, token in dataset.shares
                if (access := read_side.share_by_token(token)) is not None and access.live]
        with_clr = [str(learner) for learner, held in dataset.credentials.items()
                    if held and _has_clr(read_side, learner)]
    finally:
        read_side.close()
        services.close()
    return {"http.read.skills": [str(learner) for learner in dataset.learners], "http.read.employer_view": live,
            "http.read.clr": with_clr}


def _has_clr(read_side: Any, learner: UUID) -> bool:
    try:
        read_side.clr(learner)
        return True
    except Exception:  # ClrEmpty: no current credential (all suspended, revoked or superseded)
        return False


def _in_process(settings: Settings, targets: dict[str, list[str]], size: Size) -> dict[str, list[float]]:
    """The same reads in this process (the employer view without recording an opening): the baseline."""
    services = build_services(settings)
    read_side = open_read_side(services, run_projections=False)
    calls: dict[str, Callable[[str], Any]] = {
        "http.read.skills": lambda learner: read_side.skills(UUID(learner)),
        "http.read.employer_view": read_side.employer_view,
        "http.read.clr": lambda learner: read_side.clr(UUID(learner)),
    }
    rng = random.Random(5)
    timed: dict[str, list[float]] = {key: [] for key in READS}
    try:
        for _ in range(size.repetitions):
            for key, call in calls.items():
                for _ in range(size.read_samples):
                    target = rng.choice(targets[key])
                    started = time.perf_counter()
                    call(target)
                    timed[key].append(time.perf_counter() - started)
    finally:
        read_side.close()
        services.close()
    return timed


def _over_http(base: str, targets: dict[str, list[str]], size: Size,
               log: Callable[[str], None]) -> dict[str, list[list[float]]]:
    paths: dict[str, Callable[[str], str]] = {
        "http.read.skills": lambda learner: f"/v1/learners/{learner}/skills",
        "http.read.employer_view": lambda token: f"/v1/shared/{token}",
        "http.read.clr": lambda learner: f"/v1/learners/{learner}/clr",
    }
    for key, path in paths.items():  # warm each worker's connections and contexts
        _load(base, [path(t) for t in targets[key][:20]], 20)
    runs: dict[str, list[list[float]]] = {key: [] for key in READS}
    rng = random.Random(11)
    for rep in range(size.repetitions):
        order = list(paths) if rep % 2 == 0 else list(reversed(paths))
        for key in order:
            wanted = [paths[key](rng.choice(targets[key])) for _ in range(size.read_samples)]
            runs[key].append(_load(base, wanted, CLIENTS))
            summary = latency_summary(runs[key][-1])
            log(f"  {READS[key]}, repetition {rep + 1}: p50 {summary['p50_ms']:.2f} / p99 {summary['p99_ms']:.2f} ms")
    return runs


def _load(base: str, wanted: Sequence[str], clients: int) -> list[float]:
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {ADMIN_TOKEN}",
                                                  "Accept": "application/json"}, timeout=60.0) as client:
            for path in wanted[i::clients]:
                started = time.perf_counter()
                answer = client.get(path)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if answer.status_code != 200:
                        failures.append(f"{path}: {answer.status_code} {answer.text[:200]}")

    run_threads(clients, work)
    if failures:
        raise RuntimeError(f"{len(failures)} of {len(wanted)} reads failed, e.g. {failures[0]}")
    return latencies


def _figure(key: str, label: str, runs: list[list[float]], in_process: list[float], learners: int) -> Figure:
    over_http = latency_summary([seconds for run in runs for seconds in run])
    here = latency_summary(in_process)
    ratios = [here["p50_ms"] / latency_summary(run)["p50_ms"] for run in runs]
    worst = max(latency_summary(run)["p99_ms"] for run in runs)
    return Figure(
        key, f"{label} through HTTP, {learners:,} learners", "ms", over_http["p99_ms"], here["p99_ms"], "in-process",
        statistics.median(ratios), "p99<=15ms", pair_ratios=ratios,
        text=f"p50 {over_http['p50_ms']:.2f} / p99 {over_http['p99_ms']:.2f} ms",
        baseline_text=f"p50 {here['p50_ms']:.2f} / p99 {here['p99_ms']:.2f} ms in-process",
        details={**over_http, "worst_repetition_p99_ms": worst, "in_process": here, "clients": CLIENTS,
                 "learners": learners}).judge()
