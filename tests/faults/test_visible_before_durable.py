"""An event another session committed without waiting for its flush is visible before it is durable: the aggregate
cache can follow it, and a crash can then lose it. After a connection broke (a crash breaks them all) the cache starts
again from what the store holds, so no command decides on a lost version. A cluster of the test's own, whose WAL
writer waits 10 s, so an unflushed commit is lost by an immediate stop."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from eventsourcing.domain import Aggregate, event
from psycopg import sql

from tests.conftest import IN_CI
from tests.faults.cluster import Cluster, find_bin
from tests.faults.conftest import ledger_env
from wiring.services import build_services
from wiring.settings import load_settings


class Tally(Aggregate):
    @event("Opened")
    def __init__(self) -> None:
        self.total = 0

    @event("Added")
    def add(self, amount: int) -> None:
        self.total += amount


@pytest.fixture(scope="module")
def lazy_wal_cluster() -> Iterator[Cluster]:
    bin_dir = find_bin()
    if bin_dir is None:
        if IN_CI:
            pytest.fail("no PostgreSQL server programs (CI=true: fault tests must run, not skip)")
        pytest.skip("no PostgreSQL server programs (initdb, pg_ctl) installed")
    made = Cluster(bin_dir)
    made.options += " -c wal_writer_delay=10000"
    made.restart("fast")
    yield made
    made.destroy()


@pytest.fixture
def services(lazy_wal_cluster: Cluster) -> Iterator[Any]:
    built = build_services(load_settings(ledger_env(lazy_wal_cluster)))
    yield built
    built.close()


def commit_without_flush(url: str, table: str, stored: Any) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute(sql.SQL(
            "INSERT INTO {} (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)"
        ).format(sql.Identifier(table)), (stored.originator_id, stored.originator_version, stored.topic, stored.state))


def stored_versions(url: str, table: str, tally: Tally) -> list[int]:
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(sql.SQL("SELECT originator_version FROM {} WHERE originator_id = %s ORDER BY 1").format(
            sql.Identifier(table)), (tally.id,)).fetchall()
    return [version for (version,) in rows]


def test_the_cache_forgets_what_it_followed_before_a_crash(lazy_wal_cluster: Cluster, services: Any) -> None:
    ledger = services.ledger
    table = ledger.recorder.events_table_name
    url = lazy_wal_cluster.url
    for _ in range(3):  # the WAL writer may still write the commit in time (a full page): try with a new tally
        tally = Tally()
        ledger.save(tally)
        ledger.aggregates.follow()
        lost: Tally = ledger.aggregates.get(tally.id)
        lost.add(5)
        commit_without_flush(url, table, ledger.mapper.to_stored_event(lost.collect_events()[0]))
        ledger.aggregates.follow()
        assert ledger.aggregates.get(tally.id).total == 5, "the cache followed the unflushed event"
        lazy_wal_cluster.restart("immediate")
        if stored_versions(url, table, tally) == [1]:
            break
    else:
        pytest.skip("the unflushed commit survived the crash three times")
    ledger.aggregates.follow()
    current: Tally = ledger.aggregates.get(tally.id)
    assert (current.version, current.total) == (1, 0)
    current.add(7)
    ledger.save(current)
    assert stored_versions(url, table, tally) == [1, 2]
