"""Issuing credentials (signed once) and changing their status."""

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from application.handlers.base import Change, LedgerBase, Written, highest_levels
from application.ports import CredentialDraft
from domain.achievement import Achievement
from domain.credential import Credential, CredentialBasis, CredentialTerms
from domain.enrolment import Enrolment
from domain.errors import RuleBroken
from domain.provider import Provider
from domain.recognition import RecognitionCase
from domain.status_list import StatusList
from domain.values import Actor, SkillLevel


class CredentialCommands(LedgerBase):

    def issue_credential(
        self, actor: Actor, learner_id: UUID, *, achievement_id: UUID, basis: CredentialBasis, basis_id: UUID,
        issued_on: date | None = None, expires_on: date | None = None, idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            achievement = self._own_achievement(actor, achievement_id)
            learner = self._active_learner(learner_id)
            issued = issued_on or self.today()
            credits, skill_levels, score, since = self._earned(basis, basis_id, learner.id, achievement)
            learner.check_not_before(issued, since, "issuance")
            terms = CredentialTerms(basis, basis_id, issued, expires_on, credits, skill_levels, score).checked()
            status_list = self.load(StatusList, StatusList.create_id(achievement.provider_id))
            credential_id = uuid4()
            index = status_list.allocate(credential_id, actor, issued)
            provider = self.load(Provider, achievement.provider_id)
            document = self.signer.sign(CredentialDraft(credential_id, provider, achievement, learner, terms, index))
            credential = Credential.issue(
                credential_id=credential_id, learner_id=learner.id, provider_id=provider.id,
                achievement_id=achievement.id, terms=terms, status_index=index, document=document, actor=actor,
                effective=issued,
            )
            return Change(credential.id, [credential, status_list])

        args = (learner_id, achievement_id, basis, basis_id, issued_on, expires_on)
        return self._execute("issue_credential", actor, idempotency_key, args, operation)

    def _earned(
        self, basis: CredentialBasis, basis_id: UUID, learner_id: UUID, achievement: Achievement,
    ) -> tuple[Decimal | None, tuple[SkillLevel, ...], str, date]:
        """What the basis of a credential earned: credits, skill levels, score, and the date it was earned."""
        if basis is CredentialBasis.ENROLMENT:
            enrolment = self.load(Enrolment, basis_id)
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
        case = self.load(RecognitionCase, basis_id)
        if case.learner_id != learner_id or case.achievement_id != achievement.id:
            raise RuleBroken("the RPL case is not this learner's for this achievement", code="basis-mismatch")
        if case.decision is None or not case.decision.grants or case.appealed:
            raise RuleBroken("a credential follows a standing RPL grant", code="not-granted")
        return case.decision.credits_granted, case.decision.skill_levels, "", case.applied_on

    def _own_credential(self, actor: Actor, credential_id: UUID) -> Credential:
        self._registered_provider(actor)
        return self.load(Credential, credential_id)

    def suspend_credential(
        self, actor: Actor, credential_id: UUID, *, reason: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            credential = self._own_credential(actor, credential_id)
            credential.suspend(reason, actor, effective or self.today())
            return Change(credential.id, [credential])

        args = (credential_id, reason, effective)
        return self._execute("suspend_credential", actor, idempotency_key, args, operation)

    def reinstate_credential(
        self, actor: Actor, credential_id: UUID, *, reason: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            credential = self._own_credential(actor, credential_id)
            credential.reinstate(reason, actor, effective or self.today())
            return Change(credential.id, [credential])

        args = (credential_id, reason, effective)
        return self._execute("reinstate_credential", actor, idempotency_key, args, operation)

    def revoke_credential(
        self, actor: Actor, credential_id: UUID, *, reason: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            credential = self._own_credential(actor, credential_id)
            credential.revoke(reason, actor, effective or self.today())
            return Change(credential.id, [credential])

        args = (credential_id, reason, effective)
        return self._execute("revoke_credential", actor, idempotency_key, args, operation)

    def supersede_credential(
        self, actor: Actor, credential_id: UUID, *, replaced_by: UUID, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            credential = self._own_credential(actor, credential_id)
            replacement = self.load(Credential, replaced_by)
            credential.supersede(replacement, actor, effective or self.today())
            return Change(credential.id, [credential])

        args = (credential_id, replaced_by, effective)
        return self._execute("supersede_credential", actor, idempotency_key, args, operation)
