"""One basis (a learner's completed enrolment or RPL grant in an achievement) earns one current credential: issuing on
it again is refused naming the one that stands; re-issuing is its own command (after a revocation, or superseding)."""

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from application.commands import CompleteEnrolment, IssueCredential, ReissueCredential, RevokeCredential
from domain.credential import Credential, CredentialBasis, CredentialStatus
from domain.errors import AlreadyIssued, InvalidValue, NotFound, NotPermitted, RuleBroken
from domain.issued_basis import IssuedBasis
from domain.values import RplOutcome
from tests.domain.gwt import certificate, rpl_decision, when


@pytest.fixture
def uni(world):
    return world.provider()


@pytest.fixture
def learner(world):
    return world.learner()


@pytest.fixture
def course(world, uni):
    return world.achievement(uni)


@pytest.fixture
def enrolment(world, uni, learner, course):
    return world.completed_enrolment(uni, learner, course)


def issue(ledger, uni, learner, course, basis_id, basis=CredentialBasis.ENROLMENT, key=None):
    return lambda: ledger.execute(uni, IssueCredential(learner, course, basis, basis_id, issued_on=date(2024, 6, 1)),
                                  key)


def reissue(ledger, actor, credential_id, reason="corrected name", issued_on=None):
    return lambda: ledger.execute(actor, ReissueCredential(credential_id, reason, issued_on=issued_on))


def test_issuing_on_a_basis_claims_it_for_the_credential(ledger, uni, learner, course, enrolment):
    outcome = when(ledger, issue(ledger, uni, learner, course, enrolment))
    [_, _, claimed] = outcome.then("Credential.Issued", "StatusList.IndexAllocated", (
        "IssuedBasis.Claimed", {"learner_id": learner, "achievement_id": course, "basis": CredentialBasis.ENROLMENT,
                                "basis_id": enrolment, "credential_id": outcome.result.id, "actor": uni}))
    assert claimed.originator_id == IssuedBasis.create_id(learner, course, CredentialBasis.ENROLMENT, enrolment)


def test_issuing_again_on_the_same_basis_with_a_fresh_key_is_refused_naming_the_credential(
        ledger, uni, learner, course, enrolment):
    first = issue(ledger, uni, learner, course, enrolment, key="sync-1")().id
    error = when(ledger, issue(ledger, uni, learner, course, enrolment, key="sync-2")).then_refused(
        AlreadyIssued, "already-issued")
    assert isinstance(error, RuleBroken) and error.existing_id == str(first) and str(first) in error.message


def test_a_retry_with_the_same_key_still_replays_the_first_outcome(ledger, uni, learner, course, enrolment):
    first = issue(ledger, uni, learner, course, enrolment, key="k1")()
    again = when(ledger, issue(ledger, uni, learner, course, enrolment, key="k1")).then_nothing()
    assert again.id == first.id and again.replayed


def test_an_rpl_grant_is_a_basis_too(ledger, world, uni, learner):
    care = world.achievement(uni, certificate())
    case = world.decided_case(uni, learner, care, rpl_decision(RplOutcome.PARTIALLY_GRANTED, Decimal(20)))
    issue(ledger, uni, learner, care, case, CredentialBasis.RECOGNITION)()
    when(ledger, issue(ledger, uni, learner, care, case, CredentialBasis.RECOGNITION)).then_refused(
        AlreadyIssued, "already-issued")


def test_another_basis_of_the_same_learner_and_achievement_is_not_a_duplicate(ledger, world, uni, learner, course,
                                                                             enrolment):
    issue(ledger, uni, learner, course, enrolment)()
    retake = world.enrolment(uni, learner, course, term="2025-T1")
    world.assess(uni, retake)
    ledger.execute(uni, CompleteEnrolment(retake, effective=date(2024, 5, 25)))
    when(ledger, issue(ledger, uni, learner, course, retake)).then(
        "Credential.Issued", "StatusList.IndexAllocated", "IssuedBasis.Claimed")


def test_a_revoked_credential_is_reissued_on_its_basis(ledger, uni, learner, course, enrolment):
    old = issue(ledger, uni, learner, course, enrolment)()
    ledger.execute(uni, RevokeCredential(old.id, "issued with the wrong name", date(2024, 6, 2)))
    when(ledger, issue(ledger, uni, learner, course, enrolment)).then_refused(AlreadyIssued, "already-issued")
    outcome = when(ledger, reissue(ledger, uni, old.id, issued_on=date(2024, 6, 3)))
    [issued, _, _] = outcome.then(
        ("Credential.Issued", {"learner_id": learner, "effective": date(2024, 6, 3)}), "StatusList.IndexAllocated",
        ("IssuedBasis.Reissued", {"replaced": old.id, "credential_id": outcome.result.id, "reason": "corrected name",
                                  "learner_id": learner, "actor": uni}))
    assert issued.terms.basis_id == enrolment and ledger.load(Credential, old.id).status is CredentialStatus.REVOKED
    error = when(ledger, issue(ledger, uni, learner, course, enrolment)).then_refused(AlreadyIssued, "already-issued")
    assert error.existing_id == str(outcome.result.id), "the basis now names the new credential"


def test_reissuing_a_standing_credential_supersedes_it_in_the_same_save(ledger, uni, learner, course, enrolment):
    old = issue(ledger, uni, learner, course, enrolment)()
    outcome = when(ledger, reissue(ledger, uni, old.id, "new design", date(2024, 7, 1)))
    outcome.then("Credential.Issued", "StatusList.IndexAllocated", "IssuedBasis.Reissued",
                 ("Credential.Superseded", {"originator_id": old.id, "replaced_by": outcome.result.id}))


def test_only_the_current_credential_of_a_basis_is_reissued(ledger, uni, learner, course, enrolment):
    old = issue(ledger, uni, learner, course, enrolment)()
    ledger.execute(uni, ReissueCredential(old.id, "new design", issued_on=date(2024, 7, 1)))
    when(ledger, reissue(ledger, uni, old.id, "again")).then_refused(RuleBroken, "credential-superseded")


def test_only_the_issuing_provider_reissues(ledger, world, uni, learner, course, enrolment):
    old = issue(ledger, uni, learner, course, enrolment)()
    other = world.provider("Other Polytechnic")
    when(ledger, reissue(ledger, other, old.id, "mine now")).then_refused(NotPermitted, "not-permitted")


def test_a_reissue_gives_a_reason_and_needs_a_credential(ledger, uni, learner, course, enrolment):
    old = issue(ledger, uni, learner, course, enrolment)()
    when(ledger, reissue(ledger, uni, old.id, " ")).then_refused(InvalidValue, "invalid-value")
    when(ledger, reissue(ledger, uni, uuid4(), "x")).then_refused(NotFound, "not-found")
