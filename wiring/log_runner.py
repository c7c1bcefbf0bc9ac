"""The transparency log's runner: keeps the Merkle tree (projections/transparency_log.py) a page behind the
notification log and signs checkpoints with the ledger's log key. It runs beside the views runner: a thread of
the API process on the embedded default, a thread of `ler projections run` on PostgreSQL."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import InfrastructureFactory, IntegrityError, InterfaceError, OperationalError
from eventsourcing.utils import Environment, retry
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from projections.transparency_log import (
    TREE_NAME,
    CheckpointPolicy,
    LogTree,
    PostgresLogTree,
    SQLiteLogTree,
)
from transparency.leaves import StoredFact
from transparency.merkle import tree_root
from wiring.log_keys import LogKeys
from wiring.services import StoredLedger, store_env
from wiring.settings import Settings, load_settings

PAGE_SIZE = 2000
# The tree needs few connections (one writer, a few proof readers): the library's default opens five per pool.
SMALL_POOL = {"POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "3"}
POLL_SECONDS = 0.02  # embedded (SQLite): the runner is a thread of the API process
KEY_CHECK_SECONDS = 1.0
FOLLOW_PAUSE_SECONDS = 0.2  # PostgreSQL: a step per 0.2 s at most while the log is quiet or slower than a page
logger = logging.getLogger(__name__)


def open_tree(settings: Settings) -> LogTree:
    env = Environment(TREE_NAME, {**os.environ, **store_env(settings), **SMALL_POOL})
    factory: Any = InfrastructureFactory.construct(env=env)
    tree: LogTree = factory.tracking_recorder(PostgresLogTree if settings.uses_postgres else SQLiteLogTree)
    return tree


def stored_fact(notification: Any) -> StoredFact:
    return StoredFact(notification.id, notification.topic, notification.originator_id,
                      notification.originator_version, bytes(notification.state))


@retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
def read_facts(recorder: Any, uses_postgres: bool, after: int, limit: int) -> list[StoredFact]:
    """The stored events after a position, as leaves need them. PostgreSQL: those columns only, as tuples in
    binary (the state bytes as stored, not hex-decoded; no dicts, no notifications)."""
    if not uses_postgres:
        return [stored_fact(n) for n in recorder.select_notifications(start=after + 1, limit=limit)]
    statement = SQL("SELECT notification_id, topic, originator_id, originator_version, state FROM {}.{}"
                    " WHERE notification_id > %s ORDER BY notification_id LIMIT %s").format(
        Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
    with recorder.datastore.get_connection() as conn, conn.cursor(binary=True, row_factory=tuple_row) as cursor:
        cursor.execute(statement, (after, limit), prepare=True)
        return [StoredFact(*row) for row in cursor.fetchall()]


class TreeRunner:
    """Appends the log's new events to the tree a page per transaction; signs a checkpoint when one is due. It keeps
    the tree's right edge and last position in memory: a step is one read of the log and one write."""

    def __init__(self, settings: Settings, page_size: int = PAGE_SIZE):
        self.settings = settings
        self.tree = open_tree(settings)
        self.ledger = StoredLedger({**store_env(settings), **SMALL_POOL})
        self.page_size = page_size
        self.pause_seconds = FOLLOW_PAUSE_SECONDS if settings.uses_postgres else POLL_SECONDS
        self.policy = CheckpointPolicy(settings.checkpoint_every, settings.checkpoint_seconds)
        self.signer = LogKeys(settings)
        self.keys_checked_at = float("-inf")
        self.tree.migrate_legacy_leaves()
        self.reload()
        latest = self.tree.checkpoint()
        self.checkpointed = latest.size if latest else 0
        self.checkpointed_at = float("-inf")

    def reload(self) -> None:
        """Start again from what is stored (at start, and when another runner moved the tree)."""
        self.edge = self.tree.compact_range()
        self.position = self.tree.position()

    def close(self) -> None:
        self.tree.close()
        self.ledger.close()

    def step(self) -> int:
        """Add the next page of events as leaves (signing a checkpoint if due); how many were added."""
        facts = read_facts(self.ledger.recorder, self.settings.uses_postgres, self.position, self.page_size)
        size = self.edge.size + len(facts)
        due = self.policy.due(size, self.checkpointed, time.monotonic() - self.checkpointed_at) or self._key_pending()
        if facts or due:
            try:
                self.tree.append(self.edge, self.position, facts, self.signer if due else None,
                                 datetime.now(UTC).isoformat())
            except IntegrityError:  # another runner wrote these leaves first: go on from what it stored
                self.reload()
                return 0
        if facts:
            self.position = facts[-1].position
        if due:
            self.checkpointed, self.checkpointed_at = size, time.monotonic()
        return len(facts)

    def _key_pending(self) -> bool:
        """A rotation waiting for its transition checkpoint (looked for once a second)."""
        if time.monotonic() - self.keys_checked_at < KEY_CHECK_SECONDS:
            return False
        self.keys_checked_at = time.monotonic()
        return self.tree.key_pending()

    def catch_up(self, timeout: float = 600.0) -> int:
        """Add every event the log holds now, then sign a checkpoint of the whole tree; returns its size."""
        target = self.ledger.recorder.max_notification_id() or 0
        deadline = time.monotonic() + timeout
        while self.position < target:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the log's tree reached {self.position}, not {target}")
            self.step()
        if self.edge.size > self.checkpointed:
            self.tree.keep_checkpoint(self.edge, self.signer, datetime.now(UTC).isoformat())
            self.checkpointed = self.edge.size
        return self.edge.size

    def follow(self, stopped: Callable[[], bool], pause: Callable[[float], Any] = time.sleep) -> None:
        """Step until stopped; after a page that was not full, pause (events gather into larger pages)."""
        while not stopped():
            if self.step() < self.page_size and not stopped():
                pause(self.pause_seconds)


class TreeThread:
    """The tree runner in a thread of this process."""

    def __init__(self, settings: Settings, stopped: Callable[[], bool], pause: Callable[[float], Any] = time.sleep,
                 failed: list[Exception] | None = None):
        self.runner = TreeRunner(settings)
        self.failed = failed  # where an error is reported, to stop the runners beside it
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(stopped, pause), name="ler-tlog", daemon=True)
        self.thread.start()

    def _run(self, stopped: Callable[[], bool], pause: Callable[[float], Any]) -> None:
        try:
            self.runner.follow(stopped, pause)
        except Exception as error:
            logger.warning("the transparency log runner stopped: %s", error)
            self.error = error
            if self.failed is not None:
                self.failed.append(error)

    def join(self) -> None:
        self.thread.join()
        self.runner.close()


def rebuild_tree(settings: Settings) -> dict[str, Any]:
    """Recompute the tree from position 0 and compare it with every checkpoint kept: a checkpoint whose root the
    rebuilt tree does not reproduce means the stored events changed after it was signed."""
    tree = open_tree(settings)
    try:
        tree.reset_tree()
        runner = TreeRunner(settings)
        try:
            size = runner.catch_up()
        finally:
            runner.close()
        mismatched = []
        after = 0
        while sizes := tree.checkpoint_sizes(after, 1000):
            for checkpoint_size in sizes:
                kept = tree.checkpoint(checkpoint_size)
                if kept is not None and (checkpoint_size > size or tree_root(tree, checkpoint_size) != kept.root):
                    mismatched.append(checkpoint_size)
            after = sizes[-1]
    finally:
        tree.close()
    return {"view": TREE_NAME, "size": size, "checkpoints_not_reproduced": mismatched}


def tree_status(settings: Settings, end: int) -> dict[str, int]:
    tree = open_tree(settings)
    try:
        latest, position, size = tree.checkpoint(), tree.position(), tree.size()
    finally:
        tree.close()
    return {"position": position, "lag": max(0, end - position), "size": size,
            "checkpoint_size": latest.size if latest else 0}


def run_alone(settings: Settings, stopped: Callable[[], bool]) -> None:
    """The tree runner on its own (`python -m wiring.log_runner`): follow the log until `stopped()`."""
    runner = TreeRunner(settings)
    try:
        runner.follow(stopped)
    finally:
        runner.close()


def main() -> int:
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, frame: stopping.set())
    run_alone(load_settings(), stopping.is_set)
    return 0


if __name__ == "__main__":
    sys.exit(main())
