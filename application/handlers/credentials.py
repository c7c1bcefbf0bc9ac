"""Issuing credentials (signed once) and changing their status."""

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from application.authorization import Action, Parties, check
from application.commands.base import Command
from application.commands.credentials import (
    CredentialStatusChange,
    IssueCredential,
    ReinstateCredential,
    RevokeCredential,
    SupersedeCredential,
    SuspendCredential,
)
from application.handlers.base import Change, Handler, Records, highest_levels
from application.ports import CredentialDraft
from domain.achievement import Achievement
from domain.credential import Credential, CredentialBasis, CredentialTerms
from domain.enrolment import Enrolment
from domain.errors import RuleBroken
from domain.provider import Provider
from domain.recognition import RecognitionCase
from domain.status_list import StatusList
from domain.values import Actor, SkillLevel

Earned = tuple[Decimal | None, tuple[SkillLevel, ...], str, date]
"""What the basis of a credential earned: credits, skill levels, score, and the date it was earned."""


def issue_credential(records: Records, actor: Actor, command: IssueCredential) -> Change:
    achievement = records.load(Achievement, command.achievement_id)
    check(actor, Action.ISSUE_CREDENTIAL, Parties(provider_id=achievement.provider_id))
    records.check_standing(actor)
    learner = records.active_learner(command.learner_id)
    issued = command.issued_on or records.today()
    credits, skill_levels, score, since = _earned(records, command, achievement)
    learner.check_not_before(issued, since, "issuance")
    terms = CredentialTerms(command.basis, command.basis_id, issued, command.expires_on, credits, skill_levels,
                            score).checked()
    status_list = records.load(StatusList, StatusList.create_id(achievement.provider_id))
    credential_id = uuid4()
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
    return Change(credential.id, [credential, status_list])


def _earned(records: Records, command: IssueCredential, achievement: Achievement) -> Earned:
    if command.basis is CredentialBasis.ENROLMENT:
        return _earned_by_enrolment(records.load(Enrolment, command.basis_id), command.learner_id, achievement)
    case = records.load(RecognitionCase, command.basis_id)
    if case.learner_id != command.learner_id or case.achievement_id != achievement.id:
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
    SupersedeCredential: supersede_credential,
}
