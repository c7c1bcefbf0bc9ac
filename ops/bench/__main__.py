"""``make bench`` / ``python -m ops.bench [--size tiny|quick|full] [--json out.json]``.

Generates the data set through the Ledger in a fresh PostgreSQL schema, runs every measurement with its baseline
in the same run, prints a table and writes JSON to ops/bench/results/ (see ops/bench/README.md).
PostgreSQL: ``BENCH_DATABASE_URL`` or ``DATABASE_URL`` (its ``?schema=`` is ignored), default the local server.
"""

from __future__ import annotations

import argparse
import base64
import logging
import secrets
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ops.bench import appends
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
from ops.bench.dataset import SIZES, Dataset, generate
from ops.logs import configure_logging
from ops.settings import Settings, load_settings
from ops.wiring import build_services


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


def run(size_name: str, json_path: Path | None, keep: bool = False) -> dict[str, Any]:
    size = SIZES[size_name]
    url = database_url()
    configure_logging(json_logs=True, level=logging.WARNING)
    logging.disable(logging.INFO)
    started = time.perf_counter()
    figures: list[Figure] = []
    with fresh_schema(url, "bench", keep=keep) as schema, tempfile.TemporaryDirectory() as data:
        settings = load_settings({
            "LER_DATA_DIR": data, "DATABASE_URL": f"{url}?schema={schema}",
            "LER_MASTER_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        })
        log(f"bench: size {size.name} ({size.learners} learners) on {url} schema {schema}")
        log("data set: writing through the Ledger's commands, 4 writers")
        services = build_services(settings)
        try:
            dataset = generate(services.ledger, size, progress=log)
            payloads = appends.stored_payloads(dataset.saves, services.ledger.mapper)
        finally:
            services.close()
        log(f"  {dataset.commands} commands, {len(dataset.saves)} saves, {dataset.events} events "
            f"in {dataset.seconds:.1f} s")
        figures.append(Figure("dataset.commands", "data set: Ledger commands, 4 writers (rules, reads, signing)",
                              "cmd/s", dataset.commands / dataset.seconds,
                              details={"commands": dataset.commands, "saves": len(dataset.saves),
                                       "events": dataset.events, "seconds": dataset.seconds,
                                       "learners": len(dataset.learners)}))
        log("appends")
        figures += _guarded("append", "appends", lambda: appends.measure(
            url, dataset.saves[: size.append_saves], payloads, size.raw_seconds, log=log))
        log("projection catch-up")
        figures += _guarded("projection.catch_up", "projection catch-up", lambda: _catch_up(settings), "ratio>=0.5")
        log("view reads")
        figures += _guarded("read", "view reads", lambda: _reads(settings, dataset, size.read_samples))
        log("HTTP")
        figures += _guarded("http.append.c4", "append through HTTP, 4 clients", lambda: _http(settings, dataset, size),
                            "ratio>=0.5")
    elapsed = time.perf_counter() - started
    print(table(figures))
    payload = {
        "when": datetime.now(UTC).isoformat(), "size": size.__dict__, "seconds": elapsed, "database": url,
        "server": server_settings(url), "machine": machine(), "figures": figures_json(figures),
    }
    path = json_path or RESULTS_DIR / f"bench-{size.name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    write_json(path, payload)
    log(f"wrote {path} ({elapsed:.0f} s in all)")
    return payload


def _catch_up(settings: Settings) -> list[Figure]:
    from ops.bench.read_side import measure_catch_up

    return measure_catch_up(settings, log)


def _reads(settings: Settings, dataset: Dataset, samples: int) -> list[Figure]:
    from ops.bench.read_side import measure_reads

    return measure_reads(settings, dataset, samples, log)


def _http(settings: Settings, dataset: Dataset, size: Any) -> list[Figure]:
    try:
        from ops.bench.http import measure_http  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        why = "the HTTP load generator (ops/bench/http.py) is not written yet"
        return [Figure.missing("http.append.c4", "append through HTTP, 4 clients", why, "ratio>=0.5"),
                Figure.missing("memory.api", "memory, API process", why)]
    return measure_http(settings, dataset, size, log)  # type: ignore[no-any-return,unused-ignore]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.bench", description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--size", choices=sorted(SIZES), default="quick",
                        help="quick (default, a few minutes), full (10,000 learners, ~1M events), tiny (smoke test)")
    parser.add_argument("--json", type=Path, help="where to write the JSON (default ops/bench/results/)")
    parser.add_argument("--keep", action="store_true", help="keep the data set's schema")
    args = parser.parse_args(argv)
    run(args.size, args.json, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
