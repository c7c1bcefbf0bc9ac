"""Runs the read-side projection: in-process threads for the embedded default, or a separate long-running process
(`python -m wiring.projection_runner run`, wired to `ler projections run`) for PostgreSQL.

    python -m wiring.projection_runner run        # follow the log forever (SIGTERM/SIGINT stop it cleanly)
    python -m wiring.projection_runner rebuild    # empty the views and replay the log from position 0, then exit
    python -m wiring.projection_runner status     # each view's position and lag, as JSON

The views runner reads the notification log in pages (up to `LER_PROJECTION_BATCH`, default 2000, events) and
applies each page to the views in ONE transaction together with the tracking record of the page's last event
(`LedgerViews.process_prepared`); while a page is written, the next is read and decoded in a second thread. A runner
killed at any point resumes after the last committed page: nothing of a page is applied twice and nothing is skipped.
Caught up, it waits for new events (LISTEN/NOTIFY on PostgreSQL, polling on SQLite); readers in its process wait on
its commits (`ViewsProgress`). Beside it, a lagging step signs learners' CLRs and checks new credentials' proofs
ahead of reads (`projections.signed_documents`); the views never wait for it. A runner holds an advisory lock on
PostgreSQL for its lifetime, so two runners never process together and a rebuild refuses to run under a live one.
It rides out database restarts and outages (`wiring.supervision`): it reconnects with capped backoff, takes the lock
again and carries on from the tracking position; it records a heartbeat every `LER_HEARTBEAT_SECONDS`
(`projections.heartbeats`) that `/readyz` reads. Only a programming error ends it (non-zero exit).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import orjson
import psycopg
from eventsourcing.persistence import InfrastructureFactory, IntegrityError, Tracking
from eventsourcing.utils import Environment
from psycopg.sql import SQL, Identifier

from adapters.storage.availability import STORE_UNAVAILABLE
from credentials.publisher import Publisher
from credentials.urls import LedgerUrls
from projections.heartbeats import Heartbeats
from projections.postgres_views import PostgresLedgerViews
from projections.schema import APPLICATION_NAME, VIEW_NAME
from projections.signed_documents import PUBLISHED_NAME, SignedDocuments
from projections.sqlite_views import SQLiteLedgerViews
from projections.store import LedgerViews
from projections.transparency_log import TREE_NAME
from projections.view_batch import PreparedEvent, prepare_events
from wiring.log_runner import TreeThread, rebuild_tree, tree_status
from wiring.runner_lock import runner_lock
from wiring.services import StoredLedger, personal_data_vault, store_env
from wiring.settings import Settings, load_settings
from wiring.supervision import Backoff, Ticker, log, pause_until, supervise
from wiring.views_progress import ViewsProgress

VIEWS = (VIEW_NAME, TREE_NAME)
assert StoredLedger.name == APPLICATION_NAME, "the views track the application by its name"
BATCH_SIZE = 2000  # fewer round trips per event: each one is a wait for the GIL behind the reader thread
POLL_SECONDS = 0.02  # SQLite: how often a caught-up runner looks for new events
LISTEN_SECONDS = 0.25  # PostgreSQL: the longest wait for a NOTIFY before looking anyway (and checking for a stop)
logger = logging.getLogger(__name__)


def view_class(settings: Settings) -> type[LedgerViews]:
    return PostgresLedgerViews if settings.uses_postgres else SQLiteLedgerViews


def open_views(settings: Settings) -> LedgerViews:
    """The views' recorder (tables are created if missing)."""
    env = Environment(VIEW_NAME, {**os.environ, **store_env(settings)})
    factory: Any = InfrastructureFactory.construct(env=env)
    return factory.tracking_recorder(view_class(settings))  # type: ignore[no-any-return]


def close_views(views: LedgerViews) -> None:
    if isinstance(views, PostgresLedgerViews | SQLiteLedgerViews):
        views.datastore.close()


def batch_size() -> int:
    return max(1, int(os.environ.get("LER_PROJECTION_BATCH", BATCH_SIZE)))


def publisher_for(settings: Settings) -> Publisher:
    return Publisher.from_master_key(settings.master_key, LedgerUrls(settings.public_url))


class ViewsRunner:
    """Applies the notification log to the views, a page of events per transaction. While a page is written, the
    next one is read and decoded in a second thread; the latest catalogue entries are kept in memory between pages
    (forgotten whenever the runner reads the views' position again: before its first page and after a refused one)."""

    def __init__(self, settings: Settings, size: int | None = None, progress: ViewsProgress | None = None):
        self.settings = settings
        self.progress = progress or ViewsProgress()
        self.views = open_views(settings)
        try:
            self.ledger = StoredLedger(store_env(settings))
        except BaseException:
            close_views(self.views)
            raise
        if self.views.renew_older_format():
            log.warning("views written in an older format emptied: rebuilding them from the log",
                        component="projection runner")
        self.recorder: Any = self.ledger.recorder
        self.size = size or batch_size()
        self.position = self.views.position()
        self.progress.committed(self.position)  # a reader here waits on it before it looks at the views
        self.busy = False  # the last page was full: more events are waiting
        self.advanced = threading.Event()  # set after a page that changed a learner or a credential (wakes signing)
        self.catalogue: dict[tuple[str, str], Any] = {}
        self.committed: int | None = None  # the position this runner last committed (the catalogue's position)
        self.reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ler-views-read")
        self.ahead: tuple[int, Future[list[PreparedEvent]]] | None = None

    def close(self) -> None:
        self.reader.shutdown(wait=True, cancel_futures=True)
        self.ledger.close()
        close_views(self.views)

    def _read(self, after: int) -> list[PreparedEvent]:
        notifications = self.recorder.select_notifications(start=after + 1, limit=self.size)
        return prepare_events([(self.ledger.mapper.to_domain_event(n), n.id) for n in notifications])

    def _page(self, after: int) -> list[PreparedEvent]:
        ahead, self.ahead = self.ahead, None
        if ahead is not None and ahead[0] == after:
            return ahead[1].result()
        return self._read(after)

    def step(self) -> int:
        """Apply the next page of events (if any) in one transaction; returns how many were applied."""
        if self.committed is None:
            # Read until this runner commits: a page another runner applied first fails the tracking's check below.
            self.position = self.views.position()
            self.catalogue.clear()
        page = self._page(self.position)
        if not page:
            self.busy = False
            return 0
        last = page[-1].position
        if len(page) == self.size:  # more are likely waiting: read them while this page is written
            self.ahead = (last, self.reader.submit(self._read, last))
        try:
            signable = self.views.process_prepared(page, Tracking(APPLICATION_NAME, last), self.catalogue)
        except (IntegrityError, psycopg.IntegrityError):
            # Someone else applied (part of) this page first; nothing of ours was kept. Start again from theirs.
            logger.warning("views: events up to %s were applied by another runner", last)
            self.committed = None
            self.busy = True
            return 0
        except BaseException:
            self.committed = None
            raise
        self.position = self.committed = last
        self.busy = len(page) == self.size
        self.progress.committed(last)
        if signable:  # else the step finds nothing to sign: it moves past the page on its idle round
            self.advanced.set()
        return len(page)

    def catch_up(self, target: int, timeout: float) -> int:
        """Apply pages until the views reach `target`; TimeoutError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while self.views.position() < target:
            if time.monotonic() > deadline:
                raise TimeoutError(f"views at {self.views.position()}, not {target}, after {timeout} s")
            if self.step() == 0:
                time.sleep(POLL_SECONDS)
        return self.views.position()

    def follow(self, stopped: Callable[[], bool], pause: Callable[[float], Any] = time.sleep,
               tick: Callable[[], None] = lambda: None) -> None:
        """Apply pages as events arrive until `stopped()`; `tick()` after each page or wait."""
        with self._news(pause) as wait:
            while not stopped():
                if self.step() < self.size and not stopped():
                    wait()
                tick()

    @contextmanager
    def _news(self, pause: Callable[[float], Any]) -> Iterator[Callable[[], None]]:
        """A function that waits a little for new events: a NOTIFY on PostgreSQL (listening starts before the first
        look at the log, so none is missed), a short pause on SQLite."""
        if not self.settings.uses_postgres:
            yield lambda: pause(POLL_SECONDS)
            return
        with self.recorder.datastore.get_connection() as conn:
            conn.execute(SQL("LISTEN {0}").format(Identifier(self.recorder.channel_name)))

            def wait() -> None:
                for _ in conn.notifies(timeout=LISTEN_SECONDS, stop_after=1):
                    pass

            yield wait


def follow_connected(settings: Settings, stopped: Callable[[], bool], backoff: Backoff, publish: bool,
                     lock: psycopg.Connection[Any] | None = None, pause: Callable[[float], Any] = time.sleep,
                     progress: ViewsProgress | None = None) -> None:
    """One connected stretch of a runner's life: the views runner, its heartbeat, the signing thread and the
    transparency log's tree, until stopped or an error (a lost database included) ends it."""
    runner = ViewsRunner(settings, progress=progress)
    heartbeats = Heartbeats(runner.views)

    def beat() -> None:
        if lock is not None:
            lock.execute("SELECT 1")  # the session holding the advisory lock is alive (a restart ends it)
        heartbeats.beat(runner.position)

    ticker = Ticker(settings.operations.heartbeat_seconds, beat)
    over = threading.Event()
    failed: list[Exception] = []
    signing = None
    if publish:
        documents = SignedDocuments(runner.views, publisher_for(settings), personal_data_vault(settings))
        signing = threading.Thread(target=_sign, args=(documents, runner, over.is_set, failed), name="ler-signing",
                                   daemon=True)
        signing.start()
    tree = TreeThread(settings, over.is_set, pause, failed)

    def progressed() -> None:
        backoff.reset()
        ticker.tick()

    try:
        runner.follow(lambda: stopped() or bool(failed), pause, progressed)
    finally:
        over.set()
        runner.advanced.set()
        if signing is not None:
            signing.join()
        tree.join()
        runner.close()
    if failed:
        raise failed[0]


def _sign(documents: SignedDocuments, runner: ViewsRunner, over: Callable[[], bool], failed: list[Exception]) -> None:
    def on_error(error: Exception) -> None:
        if not isinstance(error, STORE_UNAVAILABLE):
            raise error
        log.warning("database unreachable; signing waits", component="signing", error=type(error).__name__)

    try:
        documents.follow(over, runner.advanced, lambda: runner.busy, on_error, lambda: runner.position)
    except Exception as error:
        failed.append(error)


class Projections:
    """The views runner and the signing step, in threads of this process (the embedded default, tests)."""

    def __init__(self, settings: Settings, publish: bool = True):
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.progress = ViewsProgress()
        backoff = Backoff(settings.operations.reconnect_max_seconds)

        def work() -> None:
            follow_connected(settings, self.stop.is_set, backoff, publish, pause=self.stop.wait,
                             progress=self.progress)

        self.thread = threading.Thread(target=self._run, args=(work, backoff), name="ler-views", daemon=True)
        self.thread.start()

    def _run(self, work: Callable[[], None], backoff: Backoff) -> None:
        try:
            supervise(work, self.stop.is_set, backoff, self.stop.wait, "in-process projections")
        except BaseException as error:
            self.error = error

    def wait_past(self, position: int, timeout: float) -> bool:
        return self.progress.wait_past(position, timeout)

    def close(self) -> None:
        self.stop.set()
        self.thread.join()

    def __enter__(self) -> Projections:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_runner(settings: Settings, publish: bool = True) -> Projections:
    return Projections(settings, publish)


def max_position(settings: Settings) -> int:
    ledger = StoredLedger(store_env(settings))
    try:
        return ledger.recorder.max_notification_id() or 0
    finally:
        ledger.close()


def run_forever(settings: Settings, stop_after: float | None = None) -> None:
    """Follow the log until SIGTERM/SIGINT (or `stop_after` seconds), applying each event once; sign documents
    ahead of reads in a second thread. Database outages are waited out; a programming error is raised."""
    stopping = {"now": False}

    def stop(signum: int, frame: Any) -> None:
        stopping["now"] = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    started = time.monotonic()

    def stopped() -> bool:
        return stopping["now"] or (stop_after is not None and time.monotonic() - started >= stop_after)

    backoff = Backoff(settings.operations.reconnect_max_seconds)

    def work() -> None:
        with runner_lock(settings, wait=True, stopped=stopped) as lock:
            if settings.uses_postgres and lock is None:
                return  # stopped while another runner held the lock
            log.info("projection runner following the log", component="projection runner")
            follow_connected(settings, stopped, backoff, True, lock)

    try:
        supervise(work, stopped, backoff, pause_until(stopped), "projection runner")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def catch_up(settings: Settings, timeout: float = 600.0) -> int:
    """Run until the views reach the log's current end; returns the position reached."""
    target = max_position(settings)
    runner = ViewsRunner(settings)
    try:
        runner.catch_up(target, timeout)
        return target
    finally:
        runner.close()


def publish(settings: Settings, timeout: float = 3600.0) -> dict[str, Any]:
    """Sign every CLR and check every proof the views' current position calls for (what the signing step of a
    running runner does in the background); returns the position reached and the time taken."""
    started = time.perf_counter()
    views = open_views(settings)
    documents = SignedDocuments(views, publisher_for(settings), personal_data_vault(settings))
    target, made = views.position(), 0
    deadline = time.monotonic() + timeout
    while documents.position() < target:
        if time.monotonic() > deadline:
            raise TimeoutError(f"signed documents at {documents.position()}, not {target}, after {timeout} s")
        made += documents.step()
    return {"position": documents.position(), "documents": made,
            "seconds": round(time.perf_counter() - started, 3)}


def rebuild(settings: Settings, view_name: str | None = None, timeout: float = 3600.0) -> dict[str, Any]:
    """Empty the views and replay the whole log into them (the runner must be stopped)."""
    if view_name not in (None, *VIEWS):
        raise ValueError(f"no view {view_name!r}; views: {', '.join(VIEWS)}")
    started = time.perf_counter()
    if view_name == TREE_NAME:
        with runner_lock(settings, wait=False):
            return {**rebuild_tree(settings), "seconds": round(time.perf_counter() - started, 3)}
    with runner_lock(settings, wait=False):
        views = open_views(settings)
        views.reset()
        position = catch_up(settings, timeout)
    return {"view": VIEW_NAME, "position": position, "seconds": round(time.perf_counter() - started, 3)}


def status(settings: Settings) -> dict[str, dict[str, int]]:
    views = open_views(settings)
    end = max_position(settings)
    position = views.position()
    signed = views.published_position(PUBLISHED_NAME)
    return {VIEW_NAME: {"position": position, "lag": max(0, end - position)},
            "publisher": {"position": signed, "lag": max(0, position - signed)}, TREE_NAME: tree_status(settings, end)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wiring.projection_runner", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="follow the log forever")
    commands.add_parser("rebuild", help="rebuild the views from position 0").add_argument("view", nargs="?")
    commands.add_parser("status", help="each view's position and lag")
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.command == "run":
        run_forever(settings)
        return 0
    result: Any = rebuild(settings, args.view) if args.command == "rebuild" else status(settings)
    sys.stdout.write(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
