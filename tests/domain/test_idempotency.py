"""Idempotency keys: a retried write records nothing and answers with the first outcome."""

from dataclasses import replace
from datetime import date, timedelta
from uuid import UUID

import pytest

from application.commands import CompleteEnrolment, Enrol, GrantShare, RegisterLearner
from domain.errors import IdempotencyKeyReused, RuleBroken
from domain.idempotency import IdempotencyKey
from domain.values import Actor, Identifier
from tests.domain.gwt import ADMIN, when


@pytest.fixture
def uni(world):
    return world.provider()


@pytest.fixture
def learner(world):
    return world.learner()


@pytest.fixture
def course(world, uni):
    return world.achievement(uni)


def enrol(ledger, uni, learner, course, key="enrol-1", term="2024-T1"):
    return lambda: ledger.execute(uni, Enrol(
        learner, achievement_id=course, term=term, effective=date(2024, 3, 1),
    ), key)


def test_the_key_is_claimed_in_the_same_append_as_the_command(ledger, uni, learner, course):
    outcome = when(ledger, enrol(ledger, uni, learner, course))
    _, claimed = outcome.then("Enrolment.Enrolled", ("IdempotencyKey.Claimed", {"key": "enrol-1", "actor": uni}))
    assert claimed.originator_id == IdempotencyKey.create_id(uni, "enrol-1")
    assert claimed.outcome == str(outcome.result.id)
    assert not outcome.result.replayed


def test_a_replay_returns_the_first_outcome_and_records_nothing(ledger, uni, learner, course):
    first = ledger.execute(uni, Enrol(
        learner, achievement_id=course, term="2024-T1", effective=date(2024, 3, 1),
    ), "enrol-1")
    again = when(ledger, enrol(ledger, uni, learner, course)).then_nothing()
    assert again.id == first.id and again.replayed
    assert again.position == ledger.position()


def test_a_replay_of_a_command_that_creates_a_random_id_returns_that_id(ledger, world, learner):
    employer = world.employer()
    aroha = Actor.learner(learner)

    def share():
        return ledger.execute(aroha, GrantShare(
            learner, employer_id=UUID(employer.id), skill_urls=("urn:skill:x",), purpose="Job",
            expires_at=world.clock.now + timedelta(days=30),
        ), "share-1")

    first = share()
    again = when(ledger, share).then_nothing()
    assert again.id == first.id


def test_the_same_key_for_a_different_command_is_refused(ledger, uni, learner, course):
    ledger.execute(uni, Enrol(learner, achievement_id=course, term="2024-T1", effective=date(2024, 3, 1)), "enrol-1")
    when(ledger, enrol(ledger, uni, learner, course, term="2024-T2")).then_refused(
        IdempotencyKeyReused, "idempotency-key-reused")


def test_the_same_key_for_another_kind_of_command_is_refused(ledger, uni, learner, course):
    ledger.execute(uni, Enrol(learner, achievement_id=course, term="2024-T1", effective=date(2024, 3, 1)), "k")
    when(ledger, lambda: ledger.execute(uni, RegisterLearner(
        primary_identifier=Identifier("student id", "S9"),
    ), "k")).then_refused(
        IdempotencyKeyReused, "idempotency-key-reused")


def test_keys_belong_to_the_principal_that_used_them(ledger, world, uni, learner, course):
    ledger.execute(uni, Enrol(learner, achievement_id=course, term="2024-T1", effective=date(2024, 3, 1)), "k")
    other = world.provider("Other Polytechnic")
    theirs = world.achievement(other)
    when(ledger, lambda: ledger.execute(other, Enrol(
        learner, achievement_id=theirs, term="2024-T1",
    ), "k")).then("Enrolment.Enrolled", "IdempotencyKey.Claimed")


def test_a_refused_command_does_not_claim_its_key(ledger, world, uni, learner, course):
    enrolment = world.enrolment(uni, learner, course)

    def complete():
        return ledger.execute(uni, CompleteEnrolment(enrolment, effective=date(2024, 6, 1)), "done")

    when(ledger, complete).then_refused(RuleBroken, "not-assessed")
    world.assess(uni, enrolment)
    when(ledger, complete).then("Enrolment.Completed", "IdempotencyKey.Claimed")
    when(ledger, complete).then_nothing()


def test_a_replayed_registration_does_not_hand_out_the_token_again(ledger):
    def register():
        return ledger.execute(ADMIN, RegisterLearner(primary_identifier=Identifier("USI", "SAM0001")), "r1")

    first = register()
    again = when(ledger, register).then_nothing()
    assert again.id == first.id and first.token and again.token == ""


def test_a_repeated_registration_with_a_new_key_records_only_the_key(ledger, world):
    """Registering an existing learner records no learner event; the new key is still claimed so it replays."""
    learner = world.learner(number="S1000001")
    outcome = when(ledger, lambda: ledger.execute(ADMIN, RegisterLearner(
        primary_identifier=Identifier("student id", "S1000001"),
    ), "r2"))
    outcome.then("IdempotencyKey.Claimed")
    assert outcome.result.id == learner


def test_a_claim_is_stored_as_the_aggregate_it_stands_for_would_be(ledger, uni):
    fields = {"key": "lms-import-42/7", "fingerprint": "ab" * 32, "outcome": str(uni.id), "actor": uni,
              "effective": date(2025, 3, 4)}
    claimed = IdempotencyKey.claimed(**fields)
    [created] = IdempotencyKey.create_with_id(
        "Claimed", IdempotencyKey.create_id(uni, "lms-import-42/7"), **fields).collect_events()
    created = replace(created, timestamp=claimed.timestamp)
    assert claimed == created and list(vars(claimed)) == list(vars(created))  # the same attributes, in its order
    assert ledger.mapper.to_stored_event(claimed) == ledger.mapper.to_stored_event(created)
