"""The Ledger on a real PostgreSQL: idempotency, and races between real threads.

Concurrency is optimistic per aggregate: two writers that read the same version collide on the unique
(originator_id, originator_version) and the loser re-reads and re-checks its rules. These tests start the writers
together behind a barrier, so they really do collide."""

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

import pytest

from application.commands import ApplyForRpl, Enrol, IssueCredential, RegisterLearner, RevokeCredential
from application.ledger import Ledger
from domain.credential import Credential, CredentialBasis, CredentialStatus
from domain.enrolment import Enrolment
from domain.errors import DomainError, IdempotencyKeyReused, RuleBroken
from domain.status_list import StatusList
from domain.values import Actor, Identifier
from tests.domain.gwt import ADMIN, FixedClock, World, events_of, name_of, when

pytestmark = pytest.mark.postgres

T = TypeVar("T")


@pytest.fixture
def ledger(postgres_services) -> Ledger:
    return postgres_services.ledger


@pytest.fixture
def world(ledger) -> World:
    return World(ledger, FixedClock())


def race(workers: int, task: Callable[[int], T]) -> list[T | DomainError]:
    """Run `task(i)` on `workers` real threads released together; each result, or the domain error it raised."""
    barrier = threading.Barrier(workers)

    def run(i: int) -> T | DomainError:
        barrier.wait()
        try:
            return task(i)
        except DomainError as error:
            return error

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, range(workers)))


def count(ledger: Ledger, event_name: str) -> int:
    return sum(1 for e in events_of(ledger) if name_of(e) == event_name)


def test_the_ledger_runs_on_postgres(ledger, world):
    uni = world.provider()
    credential = world.credential(uni)
    assert ledger.load(Credential, credential).status is CredentialStatus.ACTIVE
    assert ledger.recorder.__class__.__module__ == "adapters.storage.postgres"
    when(ledger, lambda: ledger.execute(uni, RevokeCredential(credential, reason="Issued in error"))).then(
        "Credential.Revoked")


# ---- idempotency ---------------------------------------------------------------------------------------------------

def test_an_idempotent_replay_records_nothing_on_postgres(ledger, world):
    uni = world.provider()
    learner, course = world.learner(), world.achievement(uni)

    def enrol(term: str = "2024-T1") -> Any:
        return ledger.execute(uni, Enrol(
            learner, achievement_id=course, term=term, effective=date(2024, 3, 1),
        ), "sis-42")

    first = when(ledger, enrol)
    first.then("Enrolment.Enrolled", "IdempotencyKey.Claimed")
    again = when(ledger, enrol).then_nothing()
    assert again.id == first.result.id and again.replayed
    when(ledger, lambda: enrol("2024-T2")).then_refused(IdempotencyKeyReused, "idempotency-key-reused")


def test_concurrent_commands_with_the_same_key_have_one_outcome(ledger, world):
    """An RPL application gets a fresh random id each attempt: only the key makes the retries one."""
    uni = world.provider()
    learner = world.learner()
    care = world.achievement(uni)
    sam = Actor.learner(learner)

    results = race(8, lambda _: ledger.execute(sam, ApplyForRpl(
        learner, achievement_id=care, claim="Aged care", effective=date(2024, 4, 1),
    ), "rpl-1"))
    assert not [r for r in results if isinstance(r, DomainError)], results
    assert len({r.id for r in results}) == 1  # type: ignore[union-attr]
    assert sum(1 for r in results if not r.replayed) == 1  # type: ignore[union-attr]
    assert count(ledger, "RecognitionCase.Applied") == 1
    assert count(ledger, "IdempotencyKey.Claimed") == 1


# ---- races ---------------------------------------------------------------------------------------------------------

def test_concurrent_assessments_on_one_enrolment_are_all_recorded(ledger, world):
    uni = world.provider()
    learner, course = world.learner(), world.achievement(uni)
    enrolment = world.enrolment(uni, learner, course)

    results = race(8, lambda i: world.assess(uni, enrolment, title=f"Task {i}"))
    assert not [r for r in results if isinstance(r, DomainError)], results
    recorded = ledger.load(Enrolment, enrolment)
    assert sorted(a.title for a in recorded.assessments.values()) == sorted(f"Task {i}" for i in range(8))
    assert recorded.version == 9
    assert count(ledger, "Enrolment.AssessmentRecorded") == 8


def test_concurrent_revocations_of_one_credential_revoke_it_once(ledger, world):
    uni = world.provider()
    credential = world.credential(uni)

    results = race(4, lambda i: ledger.execute(uni, RevokeCredential(credential, reason=f"Revocation {i}")))
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 3, results
    assert all(isinstance(r, RuleBroken) and r.code == "credential-revoked" for r in refused), refused
    assert count(ledger, "Credential.Revoked") == 1
    assert ledger.load(Credential, credential).status is CredentialStatus.REVOKED


def test_concurrent_registrations_of_one_learner_make_one_learner(ledger, world):
    uni = world.provider()
    identifier = Identifier("USI", "SAM0001234")

    results = race(8, lambda i: ledger.execute(uni if i % 2 else ADMIN, RegisterLearner(
        primary_identifier=identifier, profile={"name": "Sam O'Brien"},
    )))
    assert not [r for r in results if isinstance(r, DomainError)], results
    assert {r.id for r in results} == {ledger.records.learner_ids.learner_id(identifier)}  # type: ignore[union-attr]
    tokens = [bool(r.token) for r in results]  # type: ignore[union-attr]
    assert sum(tokens) <= 1 and not any(tokens[1::2]), "one learner, at most one token, and none to a provider"
    assert count(ledger, "Learner.Registered") == 1
    assert Counter(e.principal for e in events_of(ledger) if name_of(e) == "AccessToken.Issued")[
        Actor.learner(ledger.records.learner_ids.learner_id(identifier))] == sum(tokens)


def test_concurrent_enrolments_with_the_same_natural_key_make_one_enrolment(ledger, world):
    uni = world.provider()
    learner, course = world.learner(), world.achievement(uni)

    results = race(6, lambda _: ledger.execute(uni, Enrol(
        learner, achievement_id=course, term="2024-T1", effective=date(2024, 3, 1),
    )))
    assert not [r for r in results if isinstance(r, DomainError)], results
    assert len({r.id for r in results}) == 1  # type: ignore[union-attr]
    assert count(ledger, "Enrolment.Enrolled") == 1


def test_concurrent_issuances_by_one_provider_get_distinct_status_indexes(ledger, world):
    uni = world.provider()
    course = world.achievement(uni)
    learners = [world.learner() for _ in range(4)]
    enrolments = [world.completed_enrolment(uni, learner, course) for learner in learners]

    results = race(4, lambda i: ledger.execute(uni, IssueCredential(
        learners[i], achievement_id=course, basis=CredentialBasis.ENROLMENT, basis_id=enrolments[i],
        issued_on=date(2024, 6, 1),
    )))
    assert not [r for r in results if isinstance(r, DomainError)], results
    indexes = sorted(ledger.load(Credential, r.id).status_index for r in results)  # type: ignore[union-attr]
    assert indexes == [0, 1, 2, 3]
    assert ledger.load(StatusList, StatusList.create_id(UUID(uni.id))).allocated == 4
