"""``make bench`` / ``python -m ops.bench [--size tiny|quick|full] [--json out.json]``.

Generates the data set through the Ledger in a fresh PostgreSQL schema, runs every measurement with its baseline
in the same run, prints a table and writes JSON to ops/bench/results/ (see ops/bench/README.md).
PostgreSQL: ``BENCH_DATABASE_URL`` or ``DATABASE_URL`` (its ``?schema=`` is ignored), default the local server.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import logging
import os
import secrets
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.logs import configure_logging
from ops.bench import appends, pool_check
from ops.bench.common import (
    RESULTS_DIR,
    Figure,
    database_url,
    figures_json,
    fresh_schema,
    machine,
    server_settings,
    table,
    write_json,
)
from ops.bench.dataset import Generator
from ops.bench.read_side import read_figures
from ops.bench.sizes import SIZES, Dataset, Size
from wiring.services import build_services
from wiring.settings import Settings, load_settings


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _guarded(key: str, label: str, run: Callable[[], list[Figure]], target: str = "") -> list[Figure]:
    """A measurement whose code is missing or fails is reported as not available; the others still run."""
    try:
        return run()
    except ImportError as error:
        return [Figure.missing(key, label, f"{error}", target)]
    except Exception as error:  # the harness reports, it does not fall over
        traceback.print_exc()
        return [Figure.missing(key, label, f"{type(error).__name__}: {error}", target)]


SECTIONS = ("dataset", "http", "batch", "history", "contention", "pages", "http_reads")


def run(size_name: str, json_path: Path | None, keep: bool = False, bulk: bool | None = None,
        only: Sequence[str] = SECTIONS) -> dict[str, Any]:
    size = SIZES[size_name]
    if bulk is not None:
        size = dataclasses.replace(size, bulk=bulk)
    url = database_url()
    configure_logging(json_logs=True, level=logging.WARNING)
    logging.disable(logging.INFO)
    started = time.perf_counter()
    log(f"bench: size {size.name} on {url}; sections {', '.join(only)}")
    figures: list[Figure] = []
    if "dataset" in only:
        figures += _dataset_figures(url, size, keep)
    if "http" in only:
        log("HTTP")
        figures += _guarded("http.append", "HTTP assessment append", lambda: _http(url, size), "ratio>=0.6")
    if "batch" in only:
        log("batch import")
        figures += _guarded("batch", "batch import", lambda: _batch(url, size), "ratio>=0.25")
    if "history" in only:
        log("long histories")
        figures += _guarded("history", "long histories", lambda: _history(url, size), "ratio>=0.67")
    if "contention" in only:
        log("contention")
        figures += _guarded("contention", "contention", lambda: _contention(url, size))
    if "http_reads" in only:
        log("reads through HTTP")
        figures += _guarded("http.read", "reads through HTTP", lambda: _http_reads(url, size), "p99<=15ms")
    if "pages" in only:
        log("pages (server render)")
        figures += _guarded("pages", "pages", lambda: _pages(url, size), "p99<=50ms")
    elapsed = time.perf_counter() - started
    print(table(figures))
    payload = {
        "when": datetime.now(UTC).isoformat(), "size": size.__dict__, "seconds": elapsed, "database": url,
        "server": server_settings(url), "machine": machine(), "git": _git_head(), "figures": figures_json(figures),
    }
    path = json_path or RESULTS_DIR / f"bench-{size.name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    write_json(path, payload)
    log(f"wrote {path} ({elapsed:.0f} s in all)")
    return payload


def _dataset_figures(url: str, size: Size, keep: bool) -> list[Figure]:
    """The data set written through the Ledger, then catch-up, reads at half and all the data, appends."""
    figures: list[Figure] = []
    with fresh_schema(url, "bench", keep=keep) as schema, tempfile.TemporaryDirectory() as data:
        env = {
            "LER_DATA_DIR": data, "DATABASE_URL": f"{url}?schema={schema}", "LER_LOG_FORMAT": "json",
            "LER_MASTER_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        }
        settings = load_settings(env)
        half = size.learners // 2
        how = "bulk path (commands in memory, one Ledger.save per learner)" if size.bulk else "commands"
        log(f"data set: {size.learners} learners, schema {schema}")
        log(f"data set, first half ({half} learners): Ledger {how}, 4 writers")
        services = build_services(settings)
        generator = Generator(services.ledger, size, progress=log)
        try:
            generator.catalogue()
            generator.learners_range(0, half)
            at_half = generator.dataset()
            log(f"  {at_half.commands} commands, {at_half.events} events in {at_half.seconds:.1f} s; "
                "views catch up (in this process)")
            _catch_up_here(settings)
            log("view reads at half the data")
            reads_half = _guarded_reads(settings, at_half, size.read_samples)
            log(f"data set, second half ({size.learners - half} learners)")
            generator.learners_range(half, size.learners)
            dataset = generator.dataset()
            payloads = appends.stored_payloads(dataset.saves, services.ledger.mapper)
        finally:
            generator.close()
            services.close()
        log(f"  {dataset.commands} commands, {len(dataset.learners)} learners, {dataset.events} events "
            f"in {dataset.seconds:.1f} s")
        rate = dataset.events / dataset.seconds
        figures.append(Figure(
            "dataset.events", f"data set: Ledger {'bulk path' if size.bulk else 'commands'}, {generator.writers} "
            "writers", "events/s", rate, text=f"{rate:,.0f} events/s ({dataset.commands / dataset.seconds:,.0f} cmd/s)",
            details={"commands": dataset.commands, "events": dataset.events, "seconds": dataset.seconds,
                     "learners": len(dataset.learners), "bulk": size.bulk,
                     "credential_share": size.credential_share}))
        log("projection catch-up from zero")
        figures += _guarded("projection.catch_up", "projection catch-up", lambda: _catch_up(settings, env, data),
                            "ratio>=0.5")
        log("view reads with all the data")
        reads_all = _guarded_reads(settings, dataset, size.read_samples)
        figures += _guarded("read", "view reads", lambda: read_figures(
            reads_half, reads_all, (len(at_half.learners), at_half.events), (len(dataset.learners), dataset.events)))
        log("appends")
        figures += _guarded("append", "appends", lambda: appends.measure(
            url, dataset.saves[: size.append_saves], payloads, size.raw_seconds, log=log))
        log("pooled connection check")
        figures += _guarded("pool.check", "pooled connection check",
                            lambda: pool_check.measure(url, seconds=min(1.0, size.raw_seconds)))
        log("transparency log")
        figures += _guarded("tlog", "transparency log", lambda: _tlog(url, dataset.saves[: size.append_saves], size))
    return figures


def _git_head() -> str:
    """The commit measured (``BENCH_GIT_HEAD`` when running from an exported tree)."""
    if os.environ.get("BENCH_GIT_HEAD"):
        return os.environ["BENCH_GIT_HEAD"]
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5,
                              cwd=Path(__file__).parents[2]).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _catch_up_here(settings: Settings) -> None:
    from ops.bench.read_side import catch_up_in_process

    catch_up_in_process(settings)


def _guarded_reads(settings: Settings, dataset: Dataset, samples: int) -> dict[str, dict[str, Any]]:
    from ops.bench.read_side import read_latencies

    try:
        return read_latencies(settings, dataset, samples, log)
    except Exception:  # the rows are then missing from the table; the traceback says why
        traceback.print_exc()
        return {}


def _catch_up(settings: Settings, env: dict[str, str], data: str) -> list[Figure]:
    from ops.bench.read_side import measure_catch_up

    return measure_catch_up(settings, env, Path(data), log)


def _tlog(url: str, saves: list[Any], size: Size) -> list[Figure]:
    from ops.bench.tlog import measure

    return measure(url, saves, 10_000 if size.name == "tiny" else (1 << 20) + 12_345, log)


def _batch(url: str, size: Size) -> list[Figure]:
    from ops.bench.batch import measure_batch

    return measure_batch(url, size, log)


def _history(url: str, size: Size) -> list[Figure]:
    from ops.bench.history import measure_history

    return measure_history(url, size, log)


def _contention(url: str, size: Size) -> list[Figure]:
    from ops.bench.contention import measure_contention

    return measure_contention(url, size, log)


def _http_reads(url: str, size: Size) -> list[Figure]:
    from ops.bench.http_reads import measure_http_reads

    return measure_http_reads(url, size, log)


def _pages(url: str, size: Size) -> list[Figure]:
    from ops.bench.pages import measure_pages

    return measure_pages(url, size, log)


def _http(url: str, size: Size) -> list[Figure]:
    from ops.bench.http import measure_http

    return measure_http(url, size, log)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.bench", description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--size", choices=sorted(SIZES), default="quick",
                        help="quick (default, a few minutes), full (10,000 learners, ~1M events), tiny (smoke test)")
    parser.add_argument("--json", type=Path, help="where to write the JSON (default ops/bench/results/)")
    parser.add_argument("--keep", action="store_true", help="keep the data set's schema")
    parser.add_argument("--bulk", action=argparse.BooleanOptionalAction, default=None,
                        help="the bulk data path (default: only at full size)")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run (default all: {','.join(SECTIONS)})")
    args = parser.parse_args(argv)
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(only) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown sections {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    run(args.size, args.json, args.keep, args.bulk, only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
