"""Issuing credentials (signed once, one per basis), re-issuing them, and changing their status."""

from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.authorization import Action, Parties, check
from application.commands.base import Command
from application.commands.credentials import (
    CredentialStatusChange,
    IssueCredential,
    ReinstateCredential,
    ReissueCredential,
    RevokeCredential,
    SupersedeCredential,
    SuspendCredential,
)
from application.handlers.base import Change, Handler, Records, highest_levels
from application.ports import CredentialDraft
from domain.achievement import Achievement
from domain.credential import Credential, CredentialBasis, CredentialStatus, CredentialTerms
from domain.enrolment import Enrolment
from domain.errors import AlreadyIssued, RuleBroken
from domain.ids import random_id
from domain.issued_basis import IssuedBasis
from domain.learner import Learner
from domain.provider import Provider
from domain.recognition import RecognitionCase
from domain.status_list import StatusList
from domain.values import Actor, SkillLevel

Earned = tuple[Decimal | None, tuple[SkillLevel, ...], str, date]
"""What the basis of a credential earned: credits, skill levels, score, and the date it was earned."""


def issue_credential(records: Records, actor: Actor, command: IssueCredential) -> Change:
    """One basis earns one credential: issuing again on it is refused naming the one that stands (an SIS re-sync
    mints nothing). Re-issuing is its own command."""
    achievement = records.load(Achievement, command.achievement_id)
    check(actor, Action.ISSUE_CREDENTIAL, Parties(provider_id=achievement.provider_id))
    records.check_standing(actor)
    learner = records.active_learner(command.learner_id)
    _check_not_issued(records, IssuedBasis.create_id(learner.id, achievement.id, command.basis, command.basis_id))
    credential, status_list = _new_credential(records, actor, learner, achievement, command.basis, command.basis_id,
                                              command.issued_on or records.today(), command.expires_on)
    claim = IssuedBasis.claim(
        learner_id=learner.id, achievement_id=achievement.id, basis=command.basis, basis_id=command.basis_id,
        credential_id=credential.id, actor=actor, effective=credential.terms.issued_on,
    )
    return Change(credential.id, [credential, status_list, claim])


def reissue_credential(records: Records, actor: Actor, command: ReissueCredential) -> Change:
    """A new credential on the basis of a revoked one, or superseding a standing one (marked superseded by it in the
    same save); the basis then names the new credential."""
    old = _issued_credential(records, actor, command.credential_id)
    if old.status is CredentialStatus.SUPERSEDED:
        raise RuleBroken("a superseded credential was replaced already: re-issue its replacement",
                         code="credential-superseded")
    achievement = records.load(Achievement, old.achievement_id)
    learner = records.active_learner(old.learner_id)
    credential, status_list = _new_credential(records, actor, learner, achievement, old.terms.basis,
                                              old.terms.basis_id, command.issued_on or records.today(),
                                              command.expires_on)
    changed: list[Aggregate] = [credential, status_list, _claim_for(records, old, credential, command.reason, actor)]
    if old.status is not CredentialStatus.REVOKED:
        old.supersede(credential, actor, credential.terms.issued_on)
        changed.append(old)
    return Change(credential.id, changed)


def _check_not_issued(records: Records, claim_id: UUID) -> None:
    if not records.exists(claim_id):
        return
    claim = records.load(IssuedBasis, claim_id)
    raise AlreadyIssued(f"credential {claim.credential_id} was issued on this basis already; to issue it again, "
                        f"re-issue that credential", existing_id=str(claim.credential_id))


def _claim_for(records: Records, old: Credential, new: Credential, reason: str, actor: Actor) -> IssuedBasis:
    """The basis now stands for the new credential. A credential issued before bases were recorded has no claim yet:
    its re-issue records one."""
    claim_id = IssuedBasis.create_id(old.learner_id, old.achievement_id, old.terms.basis, old.terms.basis_id)
    if not records.exists(claim_id):
        return IssuedBasis.claim(learner_id=old.learner_id, achievement_id=old.achievement_id, basis=old.terms.basis,
                                 basis_id=old.terms.basis_id, credential_id=new.id, actor=actor,
                                 effective=new.terms.issued_on)
    claim = records.load(IssuedBasis, claim_id)
    claim.reissue(old.id, new.id, reason, actor, new.terms.issued_on)
    return claim


def _new_credential(
    records: Records, actor: Actor, learner: Learner, achievement: Achievement, basis: CredentialBasis,
    basis_id: UUID, issued: date, expires_on: date | None,
) -> tuple[Credential, StatusList]:
    """What the basis earned, checked; a status index allocated; the document signed and sealed under the learner's
    key: the credential and its provider's status list."""
    credits, skill_levels, score, since = _earned(records, learner.id, basis, basis_id, achievement)
    learner.check_not_before(issued, since, "issuance")
    terms = CredentialTerms(basis, basis_id, issued, expires_on, credits, skill_levels, score).checked()
    status_list = records.load(StatusList, StatusList.create_id(achievement.provider_id))
    credential_id = random_id()
    index = status_list.allocate(credential_id, actor, issued)
    provider = records.load(Provider, achievement.provider_id)
    profile = records.vault.open(learner.id, learner.sealed_profile) or {}
    document = records.signer.sign(
        CredentialDraft(credential_id, provider, achievement, learner, profile, terms, index))
    credential = Credential.issue(
        credential_id=credential_id, learner_id=learner.id, provider_id=provider.id, achievement_id=achievement.id,
        terms=terms, status_index=index, document=records.vault.seal_json(learner.id, document), actor=actor,
        effective=issued,
    )
    return credential, status_list


def _earned(records: Records, learner_id: UUID, basis: CredentialBasis, basis_id: UUID,
            achievement: Achievement) -> Earned:
    if basis is CredentialBasis.ENROLMENT:
        return _earned_by_enrolment(records.load(Enrolment, basis_id), learner_id, achievement)
    case = records.load(RecognitionCase, basis_id)
    if case.learner_id != learner_id or case.achievement_id != achievement.id:
        raise RuleBroken("the RPL case is not this learner's for this achievement", code="basis-mismatch")
    if case.decision is None or not case.decision.grants or case.appealed:
        raise RuleBroken("a credential follows a standing RPL grant", code="not-granted")
    return case.decision.credits_granted, case.decision.skill_levels, "", case.applied_on


def _earned_by_enrolment(enrolment: Enrolment, learner_id: UUID, achievement: Achievement) -> Earned:
    if enrolment.learner_id != learner_id or enrolment.achievement_id != achievement.id:
        raise RuleBroken("the enrolment is not this learner's in this achievement", code="basis-mismatch")
    if enrolment.completed_on is None:
        raise RuleBroken("a credential is issued for a completed enrolment", code="not-completed")
    if not enrolment.passed:
        raise RuleBroken("the enrolment's passing assessment was corrected to a fail", code="not-passed")
    assessments = enrolment.current_assessments()
    score = next((a.score for a in reversed(assessments) if a.score), "")
    return achievement.spec.credits, highest_levels(a.skill_levels for a in assessments), score, \
        enrolment.completed_on


def _issued_credential(records: Records, actor: Actor, credential_id: UUID) -> Credential:
    credential = records.load(Credential, credential_id)
    check(actor, Action.CHANGE_CREDENTIAL_STATUS, Parties(provider_id=credential.provider_id))
    records.check_standing(actor)
    return credential


def suspend_credential(records: Records, actor: Actor, command: CredentialStatusChange) -> Change:
    credential = _issued_credential(records, actor, command.credential_id)
    credential.suspend(command.reason, actor, command.effective or records.today())
    return Change(credential.id, [credential])


def reinstate_credential(records: Records, actor: Actor, command: CredentialStatusChange) -> Change:
    credential = _issued_credential(records, actor, command.credential_id)
    credential.reinstate(command.reason, actor, command.effective or records.today())
    return Change(credential.id, [credential])


def revoke_credential(records: Records, actor: Actor, command: CredentialStatusChange) -> Change:
    credential = _issued_credential(records, actor, command.credential_id)
    credential.revoke(command.reason, actor, command.effective or records.today())
    return Change(credential.id, [credential])


def supersede_credential(records: Records, actor: Actor, command: SupersedeCredential) -> Change:
    credential = _issued_credential(records, actor, command.credential_id)
    replacement = records.load(Credential, command.replaced_by)
    credential.supersede(replacement, actor, command.effective or records.today())
    return Change(credential.id, [credential])


HANDLERS: dict[type[Command], Handler] = {
    IssueCredential: issue_credential, SuspendCredential: suspend_credential,
    ReinstateCredential: reinstate_credential, RevokeCredential: revoke_credential,
    SupersedeCredential: supersede_credential, ReissueCredential: reissue_credential,
}
