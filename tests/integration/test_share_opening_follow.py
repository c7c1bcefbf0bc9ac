"""A share link's opening is recorded without following the log first: its rule (the share is live) reads only the
learner it changes, and the atomic append refuses that learner at a stale version. Two Ledgers on one schema stand
for two `ler serve` workers, each with its own log-following cache."""

import pytest

from application.commands.shares import RecordShareOpening, RevokeShare
from application.ledger import Ledger
from domain.errors import RuleBroken
from domain.values import Actor
from tests.domain.gwt import FixedClock, World, name_of, new_events, when
from tests.integration.round_trips import RoundTrips

pytestmark = pytest.mark.postgres
YEARS = 24 * 365 * 5  # the second Ledger keeps the real time: the share must still be live for it


def _share(ledger: Ledger) -> tuple[RecordShareOpening, Actor]:
    world = World(ledger, FixedClock())
    employer, learner = world.employer(), world.learner()
    share = world.share(learner, employer, hours=YEARS)
    return RecordShareOpening(learner, share.id, viewer="Harbour City Council HR"), employer


def test_an_opening_with_the_learner_cached_is_one_round_trip(counted_services, monkeypatch) -> None:
    ledger = counted_services.ledger
    opening, employer = _share(ledger)
    ledger.execute(employer, opening)
    before = ledger.position()
    trips = RoundTrips(monkeypatch)
    written = ledger.execute(employer, opening)
    assert trips.count == 1, "the atomic append only"
    assert written.position == before + 1
    assert [name_of(e) for e in new_events(ledger, before)] == ["Learner.ShareOpened"]


def test_an_opening_after_another_process_revoked_the_share_is_refused(postgres_services,
                                                                       second_process) -> None:
    ledger, other = postgres_services.ledger, second_process.ledger
    opening, employer = _share(ledger)
    other.execute(employer, opening)  # the other worker now holds the learner in its cache
    ledger.execute(Actor.learner(opening.learner_id), RevokeShare(opening.learner_id, opening.share_id))
    when(other, lambda: other.execute(employer, opening)).then_refused(RuleBroken, "share-ended")


def test_an_opening_after_another_process_wrote_to_the_learner_is_recorded_once(postgres_services,
                                                                                second_process) -> None:
    ledger, other = postgres_services.ledger, second_process.ledger
    opening, employer = _share(ledger)
    other.execute(employer, opening)
    ledger.execute(employer, opening)  # the learner moved on in the log behind the other worker's cache
    before = other.position()
    other.execute(employer, opening)
    assert other.aggregates.collisions == 1, "the stale learner's append collided, and the retry was recorded"
    recorded = new_events(other, before)
    assert [(name_of(e), e.originator_version) for e in recorded] == [("Learner.ShareOpened", 5)]
