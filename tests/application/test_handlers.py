"""Command handlers: given events already in the log (made by the aggregates themselves, not by other commands),
when one command is executed, then exactly these new events, or a refusal and no new event."""

from datetime import date
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate

from application.commands import (
    CompleteEnrolment,
    Enrol,
    EraseLearner,
    IssueCredential,
    RecordAssessment,
    RegisterLearner,
    WithdrawEnrolment,
)
from application.ledger import Ledger
from domain.achievement import Achievement
from domain.credential import CredentialBasis
from domain.enrolment import Assessment, Enrolment
from domain.errors import IdempotencyKeyReused, NotFound, NotPermitted, RuleBroken
from domain.learner import Learner
from domain.provider import Provider
from domain.status_list import StatusList
from domain.values import Actor, AssessmentOutcome, Identifier, SkillLevel
from tests.domain.gwt import ADMIN, COMMUNICATION, START, micro_credential, when
from tests.fakes import FakeKeyVault, FakePersonalDataVault, FakeSigner


def given(ledger: Ledger, *aggregates: Aggregate) -> None:
    ledger.save(*aggregates)


def a_provider(name: str = "Harbour University") -> tuple[Provider, StatusList]:
    provider = Provider.register(name=name, identifiers=(Identifier("NZQA provider", name),), website="",
                                 signing_key=FakeKeyVault().new_signing_key(), actor=ADMIN, effective=START)
    return provider, StatusList.open(provider_id=provider.id, actor=ADMIN, effective=START)


def a_learner(ledger: Ledger, number: str = "S1") -> Learner:
    identifier = Identifier("student id", number)
    return Learner.register(learner_id=ledger.records.learner_ids.learner_id(identifier),
                            primary_identifier=identifier, did="", profile={}, seal=lambda personal: "sealed",
                            token_id=uuid4(), actor=ADMIN, effective=START)


def an_achievement(provider: Provider) -> Achievement:
    return Achievement.define(provider_id=provider.id, spec=micro_credential(), actor=Actor.provider(provider.id),
                              effective=START)


def an_enrolment(provider: Provider, learner: Learner, achievement: Achievement) -> Enrolment:
    return Enrolment.enrol(learner_id=learner.id, achievement_id=achievement.id, provider_id=provider.id,
                           term="2024-T1", actor=Actor.provider(provider.id), effective=date(2024, 3, 1))


def a_passed_assessment() -> Assessment:
    return Assessment(assessment_id=uuid4(), title="Portfolio", outcome=AssessmentOutcome.PASSED, score="A",
                      skill_levels=(SkillLevel(COMMUNICATION.url, 4),), evidence=(), assessor="Dr Tane",
                      assessed_on=date(2024, 5, 20), corrects=None)


@pytest.fixture
def uni(ledger: Ledger) -> Provider:
    provider, status_list = a_provider()
    given(ledger, provider, status_list)
    return provider


@pytest.fixture
def learner(ledger: Ledger) -> Learner:
    found = a_learner(ledger)
    given(ledger, found)
    return found


@pytest.fixture
def course(ledger: Ledger, uni: Provider) -> Achievement:
    found = an_achievement(uni)
    given(ledger, found)
    return found


def actor(provider: Provider) -> Actor:
    return Actor.provider(provider.id)


def test_enrol(ledger: Ledger, uni: Provider, learner: Learner, course: Achievement) -> None:
    when(ledger, lambda: ledger.execute(actor(uni), Enrol(learner.id, course.id, "2024-T1", date(2024, 3, 1)))).then(
        ("Enrolment.Enrolled", {"learner_id": learner.id, "achievement_id": course.id, "actor": actor(uni)}),
    )


def test_only_the_achievements_provider_enrols(ledger: Ledger, learner: Learner, course: Achievement) -> None:
    other, status_list = a_provider("Other Polytechnic")
    given(ledger, other, status_list)
    when(ledger, lambda: ledger.execute(actor(other), Enrol(learner.id, course.id, "2024-T1"))).then_refused(
        NotPermitted, "not-permitted")


def test_a_deregistered_provider_writes_nothing_more(ledger: Ledger, uni: Provider, learner: Learner,
                                                     course: Achievement) -> None:
    uni.deregister("Lost its registration", ADMIN, date(2024, 6, 1))
    given(ledger, uni)
    when(ledger, lambda: ledger.execute(actor(uni), Enrol(learner.id, course.id, "2024-T1"))).then_refused(
        RuleBroken, "provider-deregistered")


def test_an_assessment_names_only_skills_the_achievement_is_aligned_to(
        ledger: Ledger, uni: Provider, learner: Learner, course: Achievement) -> None:
    enrolment = an_enrolment(uni, learner, course)
    given(ledger, enrolment)
    unaligned = RecordAssessment(enrolment.id, "Portfolio", AssessmentOutcome.PASSED, "Dr Tane",
                                 skill_levels=(SkillLevel("https://skills.example.edu/welding", 3),))
    when(ledger, lambda: ledger.execute(actor(uni), unaligned)).then_refused(RuleBroken, "skill-not-aligned")


def test_the_learner_withdraws_their_enrolment(ledger: Ledger, uni: Provider, learner: Learner,
                                               course: Achievement) -> None:
    enrolment = an_enrolment(uni, learner, course)
    given(ledger, enrolment)
    withdraw = WithdrawEnrolment(enrolment.id, "Moved away", date(2024, 4, 1))
    when(ledger, lambda: ledger.execute(Actor.learner(learner.id), withdraw)).then(
        ("Enrolment.Withdrawn", {"reason": "Moved away", "actor": Actor.learner(learner.id)}))


def test_issuing_signs_once_and_allocates_a_status_index(ledger: Ledger, signer: FakeSigner, uni: Provider,
                                                         learner: Learner, course: Achievement) -> None:
    enrolment = an_enrolment(uni, learner, course)
    enrolment.record_assessment(a_passed_assessment(), actor(uni), date(2024, 5, 20))
    enrolment.complete(actor(uni), date(2024, 5, 25))
    given(ledger, enrolment)
    issue = IssueCredential(learner.id, course.id, CredentialBasis.ENROLMENT, enrolment.id, date(2024, 6, 1))
    [issued, _, _] = when(ledger, lambda: ledger.execute(actor(uni), issue)).then(
        ("Credential.Issued", {"status_index": 0, "learner_id": learner.id}),
        ("StatusList.IndexAllocated", {"index": 0}),
        ("IssuedBasis.Claimed", {"basis_id": enrolment.id}),
    )
    assert [draft.credential_id for draft in signer.signed] == [issued.originator_id]


def test_a_credential_waits_for_completion(ledger: Ledger, signer: FakeSigner, uni: Provider, learner: Learner,
                                           course: Achievement) -> None:
    enrolment = an_enrolment(uni, learner, course)
    given(ledger, enrolment)
    issue = IssueCredential(learner.id, course.id, CredentialBasis.ENROLMENT, enrolment.id)
    when(ledger, lambda: ledger.execute(actor(uni), issue)).then_refused(RuleBroken, "not-completed")
    assert signer.signed == [], "nothing is signed for a refused command"


def test_a_retry_under_the_same_key_replays(ledger: Ledger, uni: Provider, learner: Learner,
                                            course: Achievement) -> None:
    enrolment = an_enrolment(uni, learner, course)
    given(ledger, enrolment)
    complete = CompleteEnrolment(enrolment.id)
    first = ledger.execute(actor(uni), RecordAssessment(enrolment.id, "Portfolio", AssessmentOutcome.PASSED,
                                                        "Dr Tane", assessed_on=date(2024, 5, 1)), "key-1")
    replayed = when(ledger, lambda: ledger.execute(actor(uni), RecordAssessment(
        enrolment.id, "Portfolio", AssessmentOutcome.PASSED, "Dr Tane", assessed_on=date(2024, 5, 1)), "key-1",
    )).then_nothing()
    assert (replayed.id, replayed.replayed) == (first.id, True)
    when(ledger, lambda: ledger.execute(actor(uni), complete, "key-1")).then_refused(
        IdempotencyKeyReused, "idempotency-key-reused")


def test_registering_a_known_learner_finds_them(ledger: Ledger, learner: Learner) -> None:
    again = RegisterLearner(Identifier("student id", "S1"), {"name": "Aroha"})
    written = when(ledger, lambda: ledger.execute(ADMIN, again)).then_nothing()
    assert (written.id, written.token) == (learner.id, "")


def test_erasure_forgets_the_personal_data_once_recorded(ledger: Ledger, vault: FakePersonalDataVault) -> None:
    registered = ledger.execute(ADMIN, RegisterLearner(Identifier("student id", "S9"), {"name": "Aroha"}))
    sealed = ledger.load(Learner, registered.id).sealed_profile
    when(ledger, lambda: ledger.execute(Actor.learner(registered.id), EraseLearner(registered.id, "Asked"))).then(
        "Learner.Erased", "AccessToken.Revoked")
    assert vault.open(registered.id, sealed) is None
    assert ledger.principal_for(registered.token) is None, "the learner's token is revoked with the erasure"


def test_a_refused_erasure_forgets_nothing(ledger: Ledger, vault: FakePersonalDataVault) -> None:
    registered = ledger.execute(ADMIN, RegisterLearner(Identifier("student id", "S9"), {"name": "Aroha"}))
    sealed = ledger.load(Learner, registered.id).sealed_profile
    someone_else = Actor.learner(UUID(int=7))
    when(ledger, lambda: ledger.execute(someone_else, EraseLearner(registered.id, "x"))).then_refused(
        NotPermitted, "not-permitted")
    assert vault.open(registered.id, sealed) == {"name": "Aroha", "identifier_scheme": "student id",
                                                 "identifier": "S9"}


def test_an_unknown_enrolment_is_not_found(ledger: Ledger, uni: Provider) -> None:
    when(ledger, lambda: ledger.execute(actor(uni), CompleteEnrolment(UUID(int=1)))).then_refused(
        NotFound, "not-found")
