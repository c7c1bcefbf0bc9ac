"""Runs the read-side projection: in-process threads for the embedded default, or a separate long-running process
(`python -m ops.projection_runner run`, wired to `ler projections run`) for PostgreSQL.

    python -m ops.projection_runner run        # follow the log forever (SIGTERM/SIGINT stop it cleanly)
    python -m ops.projection_runner rebuild    # empty the views and replay the log from position 0, then exit
    python -m ops.projection_runner status     # each view's position and lag, as JSON

A runner holds an advisory lock on PostgreSQL for its lifetime, so two runners never process together and a rebuild
refuses to run under a live runner. A runner killed at any point resumes from its tracking record: every view
change is committed with the tracking record of its event, so no event is applied twice and none is skipped.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import psycopg
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.projection import ProjectionRunner
from eventsourcing.utils import Environment

from ops.settings import Settings, load_settings
from ops.wiring import StoredLedger, store_env
from projections.store import (
    APPLICATION_NAME,
    VIEW_NAME,
    LedgerViews,
    LedgerViewsProjection,
    PostgresLedgerViews,
    SQLiteLedgerViews,
)

VIEWS = (VIEW_NAME,)
assert StoredLedger.name == APPLICATION_NAME, "the views track the application by its name"
POLLING_RECORDER = "projections.store:PollingSQLiteApplicationRecorder"
LOCK_KEY = 0x4C45525F5649  # "LER_VI": the runner's advisory lock


class RunnerBusy(RuntimeError):
    pass


def view_class(settings: Settings) -> type[LedgerViews]:
    return PostgresLedgerViews if settings.uses_postgres else SQLiteLedgerViews


def runner_env(settings: Settings) -> dict[str, str]:
    env = store_env(settings)
    if not settings.uses_postgres:
        env["APPLICATION_RECORDER_TOPIC"] = POLLING_RECORDER
    return env


def open_views(settings: Settings) -> LedgerViews:
    """The views' recorder for reading (tables are created if missing)."""
    env = Environment(LedgerViewsProjection.name, {**os.environ, **store_env(settings)})
    factory: Any = InfrastructureFactory.construct(env=env)
    return factory.tracking_recorder(view_class(settings))


def start_runner(settings: Settings) -> ProjectionRunner[StoredLedger, LedgerViews]:
    return ProjectionRunner(application_class=StoredLedger, projection_class=LedgerViewsProjection,
                            view_class=view_class(settings), env=runner_env(settings))


def max_position(settings: Settings) -> int:
    ledger = StoredLedger(store_env(settings))
    try:
        return ledger.recorder.max_notification_id() or 0
    finally:
        ledger.close()


@contextmanager
def runner_lock(settings: Settings, wait: bool) -> Iterator[None]:
    """PostgreSQL: a session advisory lock held while a runner (or a rebuild) works. SQLite: nothing (in-process)."""
    if not settings.uses_postgres:
        yield
        return
    with psycopg.connect(settings.database_url.split("?")[0], autocommit=True) as conn:
        if wait:
            conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        else:
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()
            if not row or not row[0]:
                raise RunnerBusy("a projection runner is working on these views: stop it first")
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))


def run_forever(settings: Settings, stop_after: float | None = None) -> None:
    """Follow the log until SIGTERM/SIGINT (or `stop_after` seconds), applying each event once."""
    stopping = {"now": False}

    def stop(signum: int, frame: Any) -> None:
        stopping["now"] = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    started = time.monotonic()
    try:
        with runner_lock(settings, wait=True), start_runner(settings) as runner:
            while not stopping["now"] and (stop_after is None or time.monotonic() - started < stop_after):
                runner.run_forever(timeout=0.2)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def catch_up(settings: Settings, timeout: float = 600.0) -> int:
    """Run until the views reach the log's current end; returns the position reached."""
    target = max_position(settings)
    with start_runner(settings) as runner:
        runner.wait(target, timeout=timeout)
        return target


def rebuild(settings: Settings, view_name: str | None = None, timeout: float = 3600.0) -> dict[str, Any]:
    """Empty the views and replay the whole log into them (the runner must be stopped)."""
    if view_name not in (None, *VIEWS):
        raise ValueError(f"no view {view_name!r}; views: {', '.join(VIEWS)}")
    started = time.perf_counter()
    with runner_lock(settings, wait=False):
        views = open_views(settings)
        views.reset()
        position = catch_up(settings, timeout)
    return {"view": VIEW_NAME, "position": position, "seconds": round(time.perf_counter() - started, 3)}


def status(settings: Settings) -> dict[str, dict[str, int]]:
    views = open_views(settings)
    end = max_position(settings)
    position = views.max_tracking_id(APPLICATION_NAME) or 0
    return {VIEW_NAME: {"position": position, "lag": max(0, end - position)}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.projection_runner", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="follow the log forever")
    rebuild_parser = commands.add_parser("rebuild", help="rebuild the views from position 0")
    rebuild_parser.add_argument("view", nargs="?", default=None)
    commands.add_parser("status", help="each view's position and lag")
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.command == "run":
        run_forever(settings)
        return 0
    if args.command == "rebuild":
        result: Any = rebuild(settings, args.view)
    else:
        result = status(settings)
    sys.stdout.write(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
