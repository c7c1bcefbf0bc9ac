"""The transparency log: what keeping the Merkle tree costs the append path, how fast proofs are at 1M leaves, and
how far checkpoints trail the log.

Appends with and without the tree: the data set's saves (two re-keyed copies, so that a trial lasts seconds) are
appended through `Ledger.save` by 4 writer threads into a fresh schema, once with the tree runner following the log
in its own process (`python -m wiring.log_runner`, as beside `ler projections run`) and once without; pairs
alternate which goes first, repeated; the figure is the median of the per-pair ratios (with / without), judged with
their spread. In both arms one save goes first, untimed, and with the tree the runner has taken it in before the
clock starts: what is timed is the runner's steady state, not its start (imports, connections). How far the latest
checkpoint trails the log is sampled every 50 ms (events behind) in both arms (the same queries in both; only the
tree arm's samples are kept), and after the last append, the time until a checkpoint covers it (default policy:
every 1000 events or 10 s; the bench sets 1 s). The CPU time (user + system) per event appended of the tree
runner's process and of the writers' (the bench's own process) are reported beside the ratio: on a loaded machine
the ratio is noise, their quotient is what the tree costs in CPU (not counting PostgreSQL's work for it).

Proofs at 1M leaves: a tree of 1,048,576 + 12,345 pseudo-random leaves is written directly into a scratch schema's
tree tables (the same rows the runner writes); inclusion and consistency proofs for random leaves and sizes are
timed through `PostgresLogTree` (one query each). Baseline: a one-row primary-key SELECT on the same table.
"""

from __future__ import annotations

import hashlib
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from psycopg import sql

from ops.bench.common import Figure, connect, fresh_schema, latency_summary, run_threads
from transparency.merkle import CompactRange, consistency_proof, inclusion_proof
from wiring.log_runner import open_tree
from wiring.services import build_services
from wiring.settings import Settings, load_settings

ROOT = Path(__file__).parents[2]
PAIRS = 5
COPIES = 2  # re-keyed copies of the saves per trial: a trial of a few seconds, not one
WRITERS = 4
PROOF_SAMPLES = 2000


def _settings(url: str, schema: str, data: str, **extra: str) -> tuple[Settings, dict[str, str]]:
    env = {"LER_DATA_DIR": data, "DATABASE_URL": f"{url}?schema={schema}", "LER_LOG_FORMAT": "json",
           "LER_MASTER_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", **extra}
    return load_settings(env), env


def _rekeyed(saves: Sequence[Sequence[Any]]) -> list[list[Any]]:
    namespace = uuid.uuid4()
    return [[replace(e, originator_id=uuid.uuid5(namespace, e.originator_id.hex)) for e in save] for save in saves]


def _trailing(settings: Settings, stop: threading.Event, samples: list[int]) -> None:
    tree = open_tree(settings)
    try:
        with connect(settings.database_url.split("?")[0]) as conn:
            schema = settings.eventsourcing_env()["POSTGRES_SCHEMA"]
            end = sql.SQL("SELECT max(notification_id) FROM {}.storedledger_events").format(sql.Identifier(schema))
            while not stop.wait(0.05):
                latest = tree.checkpoint()
                row = conn.execute(end).fetchone()
                samples.append(max(0, int((row or [0])[0] or 0) - (latest.size if latest else 0)))
    finally:
        tree.close()


def append_trial(url: str, saves: Sequence[Sequence[Any]], with_tree: bool) -> dict[str, Any]:
    """One timed run of the appends; first (untimed, in both arms) one save, and with the tree the runner started
    and caught up with it, so that the timing holds the runner's steady state, not its start."""
    work = [save for _ in range(COPIES) for save in _rekeyed(saves)]
    with fresh_schema(url, "bench_tlog") as schema, tempfile.TemporaryDirectory() as data:
        settings, env = _settings(url, schema, data, LER_CHECKPOINT_SECONDS="1")
        services = build_services(settings)
        open_tree(settings).close()  # the tree's tables, before the runner starts
        runner = subprocess.Popen([sys.executable, "-m", "wiring.log_runner"], cwd=ROOT,
                                  env={**os.environ, **env}) if with_tree else None
        samples: list[int] = []
        stop = threading.Event()
        sampler = threading.Thread(target=_trailing, args=(settings, stop, samples), daemon=True)
        try:
            services.ledger.save(*work[0])
            if runner is not None:
                _time_to_cover(settings, services.ledger.position())
            sampler.start()  # in both arms: its queries cost the same with the tree and without

            def write(i: int) -> None:
                for events in work[1 + i::WRITERS]:
                    services.ledger.save(*events)

            cpu_before, writers_before = _cpu_seconds(runner), _own_cpu_seconds()
            elapsed = run_threads(WRITERS, write)
            cpu, writers_cpu = _cpu_seconds(runner) - cpu_before, _own_cpu_seconds() - writers_before
            covered = _time_to_cover(settings, services.ledger.position()) if runner is not None else None
        finally:
            stop.set()
            if sampler.is_alive():
                sampler.join()
            if runner is not None:
                runner.send_signal(signal.SIGTERM)
                runner.wait(timeout=60)
            services.close()
    events = sum(len(save) for save in work[1:])
    return {"saves_per_s": (len(work) - 1) / elapsed, "seconds": elapsed, "saves": len(work) - 1, "events": events,
            "with_tree": with_tree, "trailing_events": samples if with_tree else [],
            "seconds_to_cover_last_append": covered, "runner_cpu_us_per_event": cpu / events * 1e6,
            "writers_cpu_us_per_event": writers_cpu / events * 1e6}


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_seconds(process: subprocess.Popen[bytes] | None) -> float:
    """The user + system CPU time a process used so far (Linux /proc; 0 without a process)."""
    if process is None:
        return 0.0
    try:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def _time_to_cover(settings: Settings, end: int, timeout: float = 120.0) -> float:
    tree = open_tree(settings)
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < timeout:
            latest = tree.checkpoint()
            if latest is not None and tree.position() >= end and latest.size >= tree.size():
                return time.perf_counter() - started
            time.sleep(0.01)
        return float("nan")
    finally:
        tree.close()


def measure_appends(url: str, saves: Sequence[Sequence[Any]], log: Callable[[str], None]) -> list[Figure]:
    ratios, withs, withouts, trailing, covers, cpu, writers_cpu = [], [], [], [], [], [], []
    for pair in range(PAIRS):
        order = (False, True) if pair % 2 == 0 else (True, False)
        results = {flag: append_trial(url, saves, flag) for flag in order}
        withs.append(results[True]["saves_per_s"])
        withouts.append(results[False]["saves_per_s"])
        ratios.append(withs[-1] / withouts[-1])
        trailing += results[True]["trailing_events"]
        covers.append(results[True]["seconds_to_cover_last_append"])
        cpu.append(results[True]["runner_cpu_us_per_event"])
        writers_cpu.append(results[True]["writers_cpu_us_per_event"])
        log(f"  pair {pair + 1}: with the tree {withs[-1]:,.0f} saves/s, without {withouts[-1]:,.0f} saves/s "
            f"({ratios[-1]:.2f}x; CPU per event: tree runner {cpu[-1]:.0f} us, writers {writers_cpu[-1]:.0f} us)")
    ratio = statistics.median(ratios)
    trail = latency_summary([t / 1000 for t in trailing]) if trailing else {}
    saves_per_trial = COPIES * len(saves) - 1
    figures = [
        Figure("tlog.append.w4", f"append with the Merkle tree maintained, {WRITERS} writers", "saves/s",
               statistics.median(withs), statistics.median(withouts), "same appends, no tree runner", ratio,
               "ratio>=0.9", details={"ratios": ratios, "with": withs, "without": withouts,
                                      "spread": [min(ratios), max(ratios)], "saves_per_trial": saves_per_trial,
                                      "runner_cpu_us_per_event": cpu, "writers_cpu_us_per_event": writers_cpu},
               note=f"median of {PAIRS} alternated pairs of {saves_per_trial:,} saves, ratios "
                    f"{min(ratios):.2f}-{max(ratios):.2f}; CPU per event: tree runner {statistics.median(cpu):.0f} us, "
                    f"writers {statistics.median(writers_cpu):.0f} us",
               pair_ratios=ratios).judge(),
        Figure("tlog.checkpoint.trailing", "checkpoint trails the log while appending (events)", "events",
               trail.get("p50_ms"), text=f"p50 {trail.get('p50_ms', 0):,.0f} / p99 {trail.get('p99_ms', 0):,.0f} "
                                         f"/ max {trail.get('max_ms', 0):,.0f} events",
               details={"samples": len(trailing), **trail}),
        Figure("tlog.checkpoint.cover", "last append covered by a checkpoint after", "s", statistics.median(covers),
               text=f"median {statistics.median(covers):.2f} s (max {max(covers):.2f} s; policy 1000 events or 1 s)",
               details={"seconds": covers}),
    ]
    return figures


def build_tree(url: str, schema: str, data: str, size: int) -> Settings:
    """Write a tree of `size` pseudo-random leaves straight into the tree tables (COPY)."""
    settings, _ = _settings(url, schema, data)
    tree = open_tree(settings)
    tree.close()
    edge = CompactRange()
    with connect(url) as conn, conn.cursor() as cursor:
        nodes = sql.SQL("COPY {}.ler_t_nodes (level, idx, hash) FROM STDIN").format(sql.Identifier(schema))
        with cursor.copy(nodes) as copy:
            for index in range(size):
                for (level, node_index), value in edge.append(hashlib.sha256(index.to_bytes(8, "big")).digest()):
                    copy.write_row((level, node_index, value))
        cursor.execute(sql.SQL("INSERT INTO {}.ler_t_runs (first_position, first_leaf) VALUES (1, 0)").format(
            sql.Identifier(schema)))  # positions 1..size, no gaps: one run
        cursor.execute(sql.SQL("ANALYZE {}.ler_t_nodes").format(sql.Identifier(schema)))
    return settings


def measure_proofs(url: str, size: int, log: Callable[[str], None]) -> list[Figure]:
    with fresh_schema(url, "bench_tlog_proofs") as schema, tempfile.TemporaryDirectory() as data:
        started = time.perf_counter()
        settings = build_tree(url, schema, data, size)
        log(f"  a tree of {size:,} leaves written in {time.perf_counter() - started:.0f} s")
        tree = open_tree(settings)
        rng = random.Random(6962)
        try:
            timings: dict[str, list[float]] = {"inclusion": [], "consistency": [], "baseline": []}
            for _ in range(PROOF_SAMPLES):
                for name in ("baseline", "inclusion", "consistency"):
                    begun = time.perf_counter()
                    if name == "inclusion":
                        inclusion_proof(tree, rng.randrange(size), size)
                    elif name == "consistency":
                        consistency_proof(tree, rng.randrange(1, size), size)
                    else:
                        tree.nodes([(0, rng.randrange(size))])
                    timings[name].append(time.perf_counter() - begun)
        finally:
            tree.close()
    base = latency_summary(timings["baseline"])
    figures = []
    for name in ("inclusion", "consistency"):
        summary = latency_summary(timings[name])
        figures.append(Figure(
            f"tlog.proof.{name}", f"{name} proof at {size:,} leaves", "ms", summary["p99_ms"], base["p99_ms"],
            "one-row primary-key SELECT", base["p99_ms"] / summary["p99_ms"], "p99<=5ms",
            text=f"p50 {summary['p50_ms']:.2f} / p99 {summary['p99_ms']:.2f} ms",
            baseline_text=f"p50 {base['p50_ms']:.2f} / p99 {base['p99_ms']:.2f} ms",
            details={**summary, "baseline": base}).judge())
    return figures


def measure(url: str, saves: Sequence[Sequence[Any]], proof_size: int, log: Callable[[str], None]) -> list[Figure]:
    log("transparency log: appends with and without the tree")
    figures = measure_appends(url, saves, log)
    log("transparency log: proofs")
    return figures + measure_proofs(url, proof_size, log)
