"""Snapshots of the aggregates the Ledger snapshots (learners, status lists, enrolments): each reads back through the
stored format as the same state its events make, and a long enrolment read cold starts from its latest snapshot."""

from collections.abc import Iterator
from itertools import pairwise
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import project_aggregate

from application.ledger import Ledger, snapshot_due
from domain.enrolment import Enrolment
from tests.domain.gwt import FixedClock, World, events_of
from tests.integration.stories import learner_with_a_share_and_an_assessment
from wiring.services import Services, build_services
from wiring.settings import Settings

SNAPSHOTTED = tuple(Ledger.snapshotting_intervals)
LONG = 130


@pytest.fixture
def snapshotting_every_event(monkeypatch: pytest.MonkeyPatch, any_settings: Settings) -> Iterator[Services]:
    monkeypatch.setattr(Ledger, "snapshotting_intervals", dict.fromkeys(SNAPSHOTTED, 1))
    built = build_services(any_settings)
    yield built
    built.close()


def _state(aggregate: Any) -> dict[str, Any]:
    return {name: value for name, value in vars(aggregate).items() if name != "_pending_events"}


def test_each_snapshot_reads_back_as_the_state_its_events_make(snapshotting_every_event: Services) -> None:
    ledger = snapshotting_every_event.ledger
    assert ledger.snapshots is not None
    learner_with_a_share_and_an_assessment(World(ledger, FixedClock()))
    checked = set()
    for aggregate_id in {event.originator_id for event in events_of(ledger)}:
        from_events = project_aggregate(None, ledger.events.get(aggregate_id))
        if type(from_events) not in SNAPSHOTTED:
            continue
        snapshot = next(iter(ledger.snapshots.get(aggregate_id, desc=True, limit=1)))
        assert snapshot.originator_version == from_events.version
        assert _state(project_aggregate(None, [snapshot])) == _state(from_events), type(from_events)
        checked.add(type(from_events))
    assert checked == set(SNAPSHOTTED)


def _long_enrolment(world: World) -> UUID:
    provider = world.provider()
    enrolment = world.enrolment(provider, world.learner(), world.achievement(provider))
    for n in range(LONG - 1):
        world.assess(provider, enrolment, title=f"Task {n}")
    return enrolment


def test_a_long_enrolment_read_cold_starts_from_its_snapshot(postgres_services: Services,
                                                             postgres_settings: Settings) -> None:
    ledger = postgres_services.ledger
    enrolment_id = _long_enrolment(World(ledger, FixedClock()))
    assert ledger.snapshots is not None
    latest = next(iter(ledger.snapshots.get(enrolment_id, desc=True, limit=1)))
    assert latest.originator_version == 100 == Ledger.snapshotting_intervals[Enrolment]

    cold = build_services(postgres_settings)
    try:
        read = cold.ledger.load(Enrolment, enrolment_id)
        assert cold.ledger.aggregates.reads == 1
        assert _state(read) == _state(ledger.load(Enrolment, enrolment_id))
        assert len(read.assessments) == LONG - 1
    finally:
        cold.close()


def test_a_command_that_crosses_an_interval_snapshots_what_it_saved(postgres_services: Services) -> None:
    ledger = postgres_services.ledger
    enrolment_id = _long_enrolment(World(ledger, FixedClock()))
    assert ledger.snapshots is not None
    snapshot = next(iter(ledger.snapshots.get(enrolment_id, desc=True, limit=1)))
    at_100 = project_aggregate(None, ledger.events.get(enrolment_id, lte=100))
    assert _state(project_aggregate(None, [snapshot])) == _state(at_100)


def test_snapshots_thin_out_as_a_history_grows_so_each_command_pays_about_the_same() -> None:
    due = [version for version in range(1, 13_000) if snapshot_due(version, 100)]
    assert due[:16] == [100 * k for k in range(1, 17)]
    assert [v for v in due if 1600 <= v < 3200] == list(range(1600, 3200, 200))
    assert [v for v in due if 6400 <= v < 12_800] == list(range(6400, 12_800, 800))
    for before, after in pairwise(due):
        assert after - before <= max(100, before // 8), "a cold read replays at most an eighth of the history"
