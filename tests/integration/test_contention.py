"""Writers contending for one aggregate on PostgreSQL, in one process and across two (two Ledgers on one schema, each
with its own log-following cache), and what a command costs in database round trips."""

import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from application.commands.enrolments import Enrol, RecordAssessment
from application.commands.principals import IssueToken, RevokeToken
from application.commands.shares import GrantShare
from application.ledger import Ledger
from domain.enrolment import Enrolment
from domain.errors import ConcurrencyConflict, DomainError
from domain.values import Actor, AssessmentOutcome, Evidence, SkillLevel
from tests.domain.gwt import ADMIN, COMMUNICATION, FixedClock, World, events_of, name_of
from tests.integration.round_trips import RoundTrips

pytestmark = pytest.mark.postgres
WRITERS = 4
PER_WRITER = 25


def _assess(ledger: Ledger, provider: Actor, enrolment: UUID, n: int) -> UUID:
    return ledger.execute(provider, RecordAssessment(
        enrolment, title=f"Task {n}", outcome=AssessmentOutcome.PASSED, score="B",
        skill_levels=(SkillLevel(COMMUNICATION.url, 3),), evidence=(Evidence(f"Item {n}"),), assessor="Dr Tane",
        assessed_on=date(2024, 5, 20)), idempotency_key=f"assess-{n}").id


def _race(ledgers: list[Ledger], provider: Actor, enrolment: UUID, learner: UUID, employer: Actor) -> list[Any]:
    """WRITERS threads released together, each recording assessments on the one enrolment and sharing the learner's
    record (work experience) in turn; every outcome or domain error, and any other exception."""
    barrier = threading.Barrier(WRITERS)

    def writer(i: int) -> list[Any]:
        ledger = ledgers[i % len(ledgers)]
        barrier.wait()
        outcomes: list[Any] = []
        for k in range(PER_WRITER):
            n = i * PER_WRITER + k
            try:
                outcomes.append(_assess(ledger, provider, enrolment, n))
                if k % 5 == 0:
                    outcomes.append(ledger.execute(Actor.learner(learner), GrantShare(
                        learner, employer_id=UUID(employer.id), skill_urls=(COMMUNICATION.url,),
                        purpose=f"Application {n}", expires_at=FixedClock().now.replace(year=2030))).id)
            except DomainError as error:
                outcomes.append(error)
        return outcomes

    with ThreadPoolExecutor(WRITERS) as pool:
        return [outcome for outcomes in pool.map(writer, range(WRITERS)) for outcome in outcomes]


@pytest.mark.parametrize("processes", [1, 2])
def test_four_writers_on_one_enrolment_and_one_learner_lose_nothing(postgres_services, second_process,
                                                                      processes: int) -> None:
    ledger = postgres_services.ledger
    world = World(ledger, FixedClock())
    provider, employer = world.provider(), world.employer()
    learner = world.learner()
    enrolment = world.enrolment(provider, learner, world.achievement(provider))
    ledgers = [ledger, second_process.ledger][:processes]

    outcomes = _race(ledgers, provider, enrolment, learner, employer)

    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert all(isinstance(e, ConcurrencyConflict) for e in errors), errors[:3]
    recorded = [e for e in events_of(ledger) if name_of(e) == "Enrolment.AssessmentRecorded"]
    shares = [e for e in events_of(ledger) if name_of(e) == "Learner.ShareGranted"]
    assert len(recorded) + len(shares) == len(outcomes) - len(errors)
    assert len({e.assessment.assessment_id for e in recorded}) == len(recorded)
    for reader in ledgers:  # each process's cache caught up with every writer
        reader.aggregates.follow()
        assert len(reader.load(Enrolment, enrolment).assessments) == len(recorded)


def test_a_token_revoked_in_another_process_is_refused_at_once(postgres_services, second_process) -> None:
    ledger, other = postgres_services.ledger, second_process.ledger
    provider = World(ledger, FixedClock()).provider()
    token = ledger.execute(ADMIN, IssueToken(provider)).token
    assert other.principal_for(token) == provider
    ledger.execute(ADMIN, RevokeToken(token))
    assert other.principal_for(token) is None


def test_an_assessment_takes_two_round_trips_with_a_warm_cache(counted_services, monkeypatch) -> None:
    ledger = counted_services.ledger
    world = World(ledger, FixedClock())
    provider = world.provider()
    enrolment = world.enrolment(provider, world.learner(), world.achievement(provider))
    _assess(ledger, provider, enrolment, 0)
    trips = RoundTrips(monkeypatch)
    _assess(ledger, provider, enrolment, 1)
    assert trips.count == 2, "follow the log, then the atomic append (idempotency key included)"
    _assess(ledger, provider, enrolment, 1)
    assert trips.count == 2 + 4, "a retry: follow, append (collides), the key, the position"


def _provider_with_token_and_enrolment(ledger: Any) -> tuple[Any, str, Any]:
    """A provider holding a bearer token, and an enrolment of theirs with one assessment already recorded."""
    world = World(ledger, FixedClock())
    provider = world.provider()
    token = ledger.execute(ADMIN, IssueToken(provider)).token
    enrolment = world.enrolment(provider, world.learner(), world.achievement(provider))
    _assess(ledger, provider, enrolment, 0)
    return provider, token, enrolment


def test_a_bearer_token_and_an_assessment_take_three_round_trips(counted_services, monkeypatch) -> None:
    ledger = counted_services.ledger
    provider, token, enrolment = _provider_with_token_and_enrolment(ledger)
    trips = RoundTrips(monkeypatch)
    assert ledger.principal_for(token) == provider
    _assess(ledger, provider, enrolment, 1)
    assert trips.count == 3, "follow the log for the token, then for the command, then the atomic append"


def test_a_request_s_token_check_and_its_assessment_share_one_follow(counted_services, monkeypatch) -> None:
    ledger = counted_services.ledger
    provider, token, enrolment = _provider_with_token_and_enrolment(ledger)
    trips = RoundTrips(monkeypatch)

    def request() -> None:
        ledger.arrived()
        assert ledger.principal_for(token) == provider
        _assess(ledger, provider, enrolment, 1)

    contextvars.copy_context().run(request)
    assert trips.count == 2, "follow the log once for the token and the command, then the atomic append"
    _assess(ledger, provider, enrolment, 2)
    assert trips.count == 2 + 2, "outside that request a command follows the log again"


def test_a_request_sees_what_another_process_wrote_before_it_arrived(postgres_services, second_process) -> None:
    ledger, other = postgres_services.ledger, second_process.ledger
    provider = World(ledger, FixedClock()).provider()
    token = ledger.execute(ADMIN, IssueToken(provider)).token

    def request() -> Actor | None:
        other.arrived()
        return other.principal_for(token)

    assert contextvars.copy_context().run(request) == provider
    ledger.execute(ADMIN, RevokeToken(token))
    assert contextvars.copy_context().run(request) is None


def test_a_unit_of_work_of_fifty_enrolments_is_two_round_trips(counted_services, monkeypatch) -> None:
    ledger = counted_services.ledger
    world = World(ledger, FixedClock())
    provider = world.provider()
    achievement = world.achievement(provider)
    learners = [world.learner() for _ in range(50)]
    trips = RoundTrips(monkeypatch)
    with ledger.unit_of_work() as work:
        written = [ledger.execute(provider, Enrol(learner, achievement_id=achievement, term="2024-T1",
                                                  effective=date(2024, 3, 1)), idempotency_key=f"e-{n}")
                   for n, learner in enumerate(learners)]
    assert trips.count == 2, "follow the log, then one append of every event"
    assert [w.pending for w in written] == list(range(50)) and work.positions == sorted(set(work.positions))
    assert sum(1 for e in events_of(ledger) if name_of(e) == "Enrolment.Enrolled") == 50


def test_a_collision_brings_the_cached_aggregate_up_to_date_without_reading_it_again(postgres_services,
                                                                                     second_process,
                                                                                     monkeypatch) -> None:
    ledger, other = postgres_services.ledger, second_process.ledger
    world = World(ledger, FixedClock())
    provider = world.provider()
    enrolment = world.enrolment(provider, world.learner(), world.achievement(provider))
    for n in range(30):
        _assess(ledger, provider, enrolment, n)
    _assess(other, provider, enrolment, 100)  # the other process writes after this one last followed the log
    cache = ledger.aggregates
    follow = cache.follow
    skipped = iter([lambda: None])
    monkeypatch.setattr(cache, "follow", lambda: next(skipped, follow)())  # this command starts from the stale copy
    reads = cache.reads

    _assess(ledger, provider, enrolment, 101)

    assert cache.collisions == 1, "the first attempt collided with the other process's assessment"
    assert cache.reads == reads, "the follow after the collision caught the cached enrolment up: no store read"
    assert len(ledger.load(Enrolment, enrolment).assessments) == 32
