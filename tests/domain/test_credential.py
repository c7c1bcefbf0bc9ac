"""Credential: issued (signed once) -> suspended / reinstated -> revoked or superseded; expiry."""

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from application.commands import (
    AppealRpl,
    EraseLearner,
    IssueCredential,
    ReinstateCredential,
    RevokeCredential,
    SupersedeCredential,
    SuspendCredential,
)
from domain.credential import Credential, CredentialBasis, CredentialStatus
from domain.enrolment import Enrolment
from domain.errors import InvalidValue, NotPermitted, RuleBroken
from domain.values import Actor, AssessmentOutcome, RplOutcome, SkillLevel
from tests.domain.gwt import COMMUNICATION, PATIENT_CARE, certificate, rpl_decision, when


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
def credential(world, uni, learner, course):
    return world.credential(uni, learner, course)


def issue(ledger, provider, learner, course, basis_id, basis=CredentialBasis.ENROLMENT, **kwargs):
    return lambda: ledger.execute(provider, IssueCredential(
        learner, achievement_id=course, basis=basis, basis_id=basis_id, **{"issued_on": date(2024, 6, 1), **kwargs},
    ))


# ---- issuing -----------------------------------------------------------------------------------------------------

def test_a_credential_is_issued_for_a_completed_enrolment_signed_once(ledger, signer, world, uni, learner, course):
    enrolment = world.completed_enrolment(uni, learner, course)
    issued, allocated, _ = when(ledger, issue(ledger, uni, learner, course, enrolment,
                                              expires_on=date(2029, 6, 1))).then(
        ("Credential.Issued", {"learner_id": learner, "achievement_id": course, "provider_id": UUID(uni.id),
                               "status_index": 0, "effective": date(2024, 6, 1)}),
        ("StatusList.IndexAllocated", {"index": 0}),
        ("IssuedBasis.Claimed", {"basis_id": enrolment, "learner_id": learner}),
    )
    assert issued.terms.credits == Decimal(15)
    assert issued.terms.skill_levels == (SkillLevel(COMMUNICATION.url, 4),)
    assert issued.terms.score == "A-"
    assert issued.terms.expires_on == date(2029, 6, 1)
    assert [draft.credential_id for draft in signer.signed] == [issued.originator_id], "signed once, at issuance"
    assert isinstance(issued.document, str), "the signed document is stored in the event, sealed for the learner"
    assert ledger.signed_credential(issued.originator_id)["id"] == f"urn:uuid:{issued.originator_id}"
    assert allocated.credential_id == issued.originator_id


def test_each_credential_gets_the_next_status_index(ledger, world, uni, learner, course, credential):
    other = world.achievement(uni)
    enrolment = world.completed_enrolment(uni, learner, other)
    when(ledger, issue(ledger, uni, learner, other, enrolment)).then(
        ("Credential.Issued", {"status_index": 1}), ("StatusList.IndexAllocated", {"index": 1}), "IssuedBasis.Claimed")


def test_a_provider_issues_only_for_its_own_achievements(ledger, world, uni, learner, course):
    enrolment = world.completed_enrolment(uni, learner, course)
    other = world.provider("Other Polytechnic")
    when(ledger, issue(ledger, other, learner, course, enrolment)).then_refused(NotPermitted, "not-permitted")


def test_a_learner_does_not_issue_credentials(ledger, world, uni, learner, course):
    enrolment = world.completed_enrolment(uni, learner, course)
    when(ledger, issue(ledger, Actor.learner(learner), learner, course, enrolment)).then_refused(
        NotPermitted, "not-permitted")


def test_no_credential_for_an_enrolment_not_completed(ledger, world, uni, learner, course):
    enrolment = world.enrolment(uni, learner, course)
    world.assess(uni, enrolment)
    when(ledger, issue(ledger, uni, learner, course, enrolment)).then_refused(RuleBroken, "not-completed")


def test_no_credential_when_the_pass_was_corrected_to_a_fail(ledger, world, uni, learner, course):
    enrolment = world.completed_enrolment(uni, learner, course)
    [passed] = ledger.load(Enrolment, enrolment).current_assessments()
    world.assess(uni, enrolment, outcome=AssessmentOutcome.FAILED, corrects=passed.assessment_id)
    when(ledger, issue(ledger, uni, learner, course, enrolment)).then_refused(RuleBroken, "not-passed")


def test_the_enrolment_must_be_this_learners(ledger, world, uni, learner, course):
    enrolment = world.completed_enrolment(uni, learner, course)
    someone_else = world.learner()
    when(ledger, issue(ledger, uni, someone_else, course, enrolment)).then_refused(RuleBroken, "basis-mismatch")


def test_the_enrolment_must_be_in_this_achievement(ledger, world, uni, learner, course):
    enrolment = world.completed_enrolment(uni, learner, course)
    other_course = world.achievement(uni)
    when(ledger, issue(ledger, uni, learner, other_course, enrolment)).then_refused(RuleBroken, "basis-mismatch")


def test_a_credential_cannot_precede_the_completion(ledger, world, uni, learner, course):
    enrolment = world.completed_enrolment(uni, learner, course)  # completed 2024-05-25
    when(ledger, issue(ledger, uni, learner, course, enrolment, issued_on=date(2024, 5, 24))).then_refused(
        RuleBroken, "date-out-of-order")


@pytest.mark.parametrize("expires_on", [date(2024, 6, 1), date(2024, 5, 31)])
def test_a_credential_cannot_expire_before_it_is_issued(ledger, world, uni, learner, course, expires_on):
    enrolment = world.completed_enrolment(uni, learner, course)
    when(ledger, issue(ledger, uni, learner, course, enrolment, expires_on=expires_on)).then_refused(
        InvalidValue, "invalid-value")


def test_a_credential_expires_on_its_expiry_date(ledger, world, uni, learner, course):
    credential = world.credential(uni, learner, course, expires_on=date(2025, 6, 1))
    loaded = ledger.load(Credential, credential)
    assert not loaded.is_expired(date(2025, 5, 31))
    assert loaded.is_expired(date(2025, 6, 1))


def test_no_credential_for_an_erased_learner(ledger, world, uni, learner, course):
    enrolment = world.completed_enrolment(uni, learner, course)
    ledger.execute(Actor.learner(learner), EraseLearner(learner, reason="Asked to be forgotten"))
    when(ledger, issue(ledger, uni, learner, course, enrolment)).then_refused(RuleBroken, "learner-erased")


# ---- issuing on recognition of prior learning ----------------------------------------------------------------------

@pytest.fixture
def care(world, uni):
    return world.achievement(uni, certificate())


def test_a_credential_follows_a_standing_rpl_grant(ledger, world, uni, learner, care):
    case = world.decided_case(uni, learner, care, rpl_decision(RplOutcome.PARTIALLY_GRANTED, Decimal(20)))
    [issued, _, _] = when(ledger, issue(ledger, uni, learner, care, case, basis=CredentialBasis.RECOGNITION)).then(
        "Credential.Issued", "StatusList.IndexAllocated", ("IssuedBasis.Claimed", {"basis_id": case}))
    assert issued.terms.basis is CredentialBasis.RECOGNITION
    assert issued.terms.credits == Decimal(20)
    assert issued.terms.skill_levels == (SkillLevel(PATIENT_CARE.url, 3),)


def test_no_credential_for_a_declined_rpl_case(ledger, world, uni, learner, care):
    case = world.decided_case(uni, learner, care, rpl_decision(RplOutcome.DECLINED, Decimal(0), ()))
    when(ledger, issue(ledger, uni, learner, care, case, basis=CredentialBasis.RECOGNITION)).then_refused(
        RuleBroken, "not-granted")


def test_no_credential_for_an_undecided_rpl_case(ledger, world, uni, learner, care):
    case = world.rpl_case(uni, learner, care)
    when(ledger, issue(ledger, uni, learner, care, case, basis=CredentialBasis.RECOGNITION)).then_refused(
        RuleBroken, "not-granted")


def test_no_credential_while_the_grant_is_under_appeal(ledger, world, uni, learner, care):
    case = world.decided_case(uni, learner, care, rpl_decision(RplOutcome.PARTIALLY_GRANTED, Decimal(20)))
    ledger.execute(Actor.learner(learner), AppealRpl(case, grounds="More evidence", effective=date(2024, 4, 25)))
    when(ledger, issue(ledger, uni, learner, care, case, basis=CredentialBasis.RECOGNITION)).then_refused(
        RuleBroken, "not-granted")


def test_the_rpl_case_must_be_this_learners_for_this_achievement(ledger, world, uni, learner, care, course):
    case = world.decided_case(uni, learner, care)
    someone_else = world.learner()
    when(ledger, issue(ledger, uni, someone_else, care, case, basis=CredentialBasis.RECOGNITION)).then_refused(
        RuleBroken, "basis-mismatch")
    when(ledger, issue(ledger, uni, learner, course, case, basis=CredentialBasis.RECOGNITION)).then_refused(
        RuleBroken, "basis-mismatch")


# ---- status: suspend, reinstate, revoke, supersede -------------------------------------------------------------------

def test_the_issuer_suspends_and_reinstates(ledger, uni, learner, credential):
    when(ledger, lambda: ledger.execute(uni, SuspendCredential(
        credential, reason="Under investigation", effective=date(2024, 7, 1),
    ))).then(
        ("Credential.Suspended", {"learner_id": learner, "reason": "Under investigation"}))
    when(ledger, lambda: ledger.execute(uni, ReinstateCredential(
        credential, reason="Cleared", effective=date(2024, 7, 9),
    ))
         ).then(("Credential.Reinstated", {"learner_id": learner, "reason": "Cleared"}))
    assert ledger.load(Credential, credential).status is CredentialStatus.ACTIVE


def test_a_suspended_credential_is_not_suspended_again(ledger, uni, credential):
    ledger.execute(uni, SuspendCredential(credential, reason="Investigation"))
    when(ledger, lambda: ledger.execute(uni, SuspendCredential(credential, reason="Again"))).then_refused(
        RuleBroken, "credential-suspended")


def test_only_a_suspended_credential_is_reinstated(ledger, uni, credential):
    when(ledger, lambda: ledger.execute(uni, ReinstateCredential(credential, reason="x"))).then_refused(
        RuleBroken, "credential-active")


def test_the_issuer_revokes(ledger, uni, learner, credential):
    when(ledger, lambda: ledger.execute(uni, RevokeCredential(
        credential, reason="Issued in error", effective=date(2024, 8, 1),
    ))).then(
        ("Credential.Revoked", {"learner_id": learner, "reason": "Issued in error", "actor": uni}))


def test_a_suspended_credential_can_be_revoked(ledger, uni, credential):
    ledger.execute(uni, SuspendCredential(credential, reason="Investigation"))
    when(ledger, lambda: ledger.execute(uni, RevokeCredential(credential, reason="Misconduct found"))).then(
        "Credential.Revoked")


def test_no_second_revocation(ledger, uni, credential):
    ledger.execute(uni, RevokeCredential(credential, reason="Issued in error"))
    when(ledger, lambda: ledger.execute(uni, RevokeCredential(credential, reason="Again"))).then_refused(
        RuleBroken, "credential-revoked")


@pytest.mark.parametrize("command", [SuspendCredential, ReinstateCredential])
def test_a_revoked_credential_is_final(ledger, uni, credential, command):
    ledger.execute(uni, RevokeCredential(credential, reason="Issued in error"))
    when(ledger, lambda: ledger.execute(uni, command(credential, reason="x"))).then_refused(
        RuleBroken, "credential-revoked")


@pytest.mark.parametrize("command", [SuspendCredential, ReinstateCredential, RevokeCredential])
def test_only_the_issuing_provider_changes_status(ledger, world, learner, credential, command):
    other = world.provider("Other Polytechnic")
    when(ledger, lambda: ledger.execute(other, command(credential, reason="x"))).then_refused(
        NotPermitted, "not-permitted")
    when(ledger, lambda: ledger.execute(Actor.learner(learner), command(credential, reason="x"))).then_refused(
        NotPermitted, "not-permitted")


def test_a_status_change_gives_a_reason(ledger, uni, credential):
    when(ledger, lambda: ledger.execute(uni, RevokeCredential(credential, reason=""))).then_refused(
        InvalidValue, "invalid-value")


@pytest.mark.parametrize("command", [SuspendCredential, RevokeCredential])
def test_a_status_change_cannot_precede_the_issue(ledger, uni, credential, command):
    when(ledger, lambda: ledger.execute(uni, command(credential, reason="x", effective=date(2024, 5, 31)))
         ).then_refused(RuleBroken, "date-out-of-order")


def test_a_reinstatement_cannot_precede_the_issue(ledger, uni, credential):
    ledger.execute(uni, SuspendCredential(credential, reason="x", effective=date(2024, 7, 1)))
    when(ledger, lambda: ledger.execute(uni, ReinstateCredential(credential, reason="x", effective=date(2024, 5, 31)))
         ).then_refused(RuleBroken, "date-out-of-order")


def test_a_credential_is_superseded_by_a_newer_one(ledger, world, uni, learner, course, credential):
    replacement = world.credential(uni, learner, world.achievement(uni))
    when(ledger, lambda: ledger.execute(uni, SupersedeCredential(
        credential, replaced_by=replacement, effective=date(2024, 9, 1),
    ))).then(
        ("Credential.Superseded", {"learner_id": learner, "replaced_by": replacement}))
    assert ledger.load(Credential, credential).status is CredentialStatus.SUPERSEDED


def test_a_superseded_credential_is_final(ledger, world, uni, learner, credential):
    replacement = world.credential(uni, learner, world.achievement(uni))
    ledger.execute(uni, SupersedeCredential(credential, replaced_by=replacement))
    when(ledger, lambda: ledger.execute(uni, RevokeCredential(credential, reason="x"))).then_refused(
        RuleBroken, "credential-superseded")
    when(ledger, lambda: ledger.execute(uni, SupersedeCredential(credential, replaced_by=replacement))).then_refused(
        RuleBroken, "credential-superseded")


def test_a_revoked_credential_is_not_superseded(ledger, world, uni, learner, credential):
    replacement = world.credential(uni, learner, world.achievement(uni))
    ledger.execute(uni, RevokeCredential(credential, reason="x"))
    when(ledger, lambda: ledger.execute(uni, SupersedeCredential(credential, replaced_by=replacement))).then_refused(
        RuleBroken, "credential-revoked")


def test_the_replacement_is_another_credential_of_the_same_learner(ledger, world, uni, credential):
    when(ledger, lambda: ledger.execute(uni, SupersedeCredential(credential, replaced_by=credential))).then_refused(
        RuleBroken, "bad-replacement")
    someone_elses = world.credential(uni)
    when(ledger, lambda: ledger.execute(uni, SupersedeCredential(credential, replaced_by=someone_elses))).then_refused(
        RuleBroken, "bad-replacement")


def test_the_replacement_is_active(ledger, world, uni, learner, credential):
    replacement = world.credential(uni, learner, world.achievement(uni))
    ledger.execute(uni, RevokeCredential(replacement, reason="Also in error"))
    when(ledger, lambda: ledger.execute(uni, SupersedeCredential(credential, replaced_by=replacement))).then_refused(
        RuleBroken, "bad-replacement")


def test_the_replacement_is_issued_by_the_same_provider(ledger, world, uni, learner, credential):
    other = world.provider("Other Polytechnic")
    theirs = world.credential(other, learner, world.achievement(other))
    when(ledger, lambda: ledger.execute(uni, SupersedeCredential(credential, replaced_by=theirs))).then_refused(
        RuleBroken, "bad-replacement")


def test_only_the_issuer_supersedes(ledger, world, uni, learner, credential):
    replacement = world.credential(uni, learner, world.achievement(uni))
    other = world.provider("Other Polytechnic")
    when(ledger, lambda: ledger.execute(other, SupersedeCredential(credential, replaced_by=replacement))).then_refused(
        NotPermitted, "not-permitted")
