"""Request bodies of the write routes, each able to run its Ledger command. The single routes and the batch
(POST /v1/events) share them, so a command means the same thing however it arrives."""

from decimal import Decimal
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.types import (
    BusinessDate,
    Code,
    Credits,
    Hours,
    LongText,
    Moment,
    RequiredShortText,
    RequiredText,
    ShortText,
    Url,
)
from application.ledger import Ledger, Written
from domain.achievement import AchievementSpec
from domain.credential import CredentialBasis
from domain.errors import InvalidValue
from domain.recognition import RplDecision
from domain.values import (
    AchievementType,
    Actor,
    AssessmentOutcome,
    CreditRule,
    Evidence,
    Identifier,
    LevelFramework,
    Period,
    RplOutcome,
    Skill,
    SkillLevel,
)
from domain.work_experience import Position, WorkKind


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- value objects ------------------------------------------------------------------------------------------

class IdentifierIn(Model):
    scheme: RequiredShortText = Field(examples=["NZQA provider"])
    value: RequiredShortText = Field(examples=["7001"])

    def value_object(self) -> Identifier:
        return Identifier(self.scheme, self.value)


class SkillIn(Model):
    url: Url = Field(description="The skill's canonical id (absolute URL or URN)",
                     examples=["https://osmt.example.edu/api/skills/communication"])
    name: RequiredShortText
    framework: RequiredShortText = Field(examples=["OSMT RSD", "ESCO", "CASE"])
    code: Code = ""

    def value_object(self) -> Skill:
        return Skill(self.url, self.name, self.framework, self.code)


class SkillLevelIn(Model):
    skill_url: Url
    level: int = Field(ge=1, le=5, description="Demonstrated level, 1 to 5")

    def value_object(self) -> SkillLevel:
        return SkillLevel(self.skill_url, self.level)


class EvidenceIn(Model):
    description: RequiredText
    url: Url = ""

    def value_object(self) -> Evidence:
        return Evidence(self.description, self.url)


class CreditRuleIn(Model):
    label: RequiredShortText
    accepts: list[AchievementType] = Field(min_length=1, max_length=10)
    max_credits: Credits
    from_provider_id: UUID | None = None
    accepts_rpl: bool = True

    def value_object(self) -> CreditRule:
        return CreditRule(self.label, tuple(self.accepts), self.max_credits,
                          str(self.from_provider_id) if self.from_provider_id else "", self.accepts_rpl)


# ---- commands --------------------------------------------------------------------------------------------------

class Command(Model):
    """A write. `target` is the id in the route's path (a learner, an enrolment, ...), if any."""

    target_field: ClassVar[str] = ""

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        raise NotImplementedError


def _target(target: UUID | None) -> UUID:
    if target is None:
        raise InvalidValue("this command needs the id of what it acts on")
    return target


class ProviderRegistration(Command):
    name: RequiredShortText = Field(examples=["Te Whare Wānanga o Aotearoa University"])
    identifiers: list[IdentifierIn] = Field(min_length=1, max_length=20,
                                            description="Accreditation or registration identifiers")
    website: Url = Field(default="", description="An https URL", examples=["https://university.example.ac.nz"])
    effective: BusinessDate | None = None

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        return ledger.register_provider(
            actor, name=self.name, identifiers=tuple(i.value_object() for i in self.identifiers),
            website=self.website, effective=self.effective, idempotency_key=key)


class LearnerRegistration(Command):
    primary_identifier: IdentifierIn
    profile: dict[Code, ShortText] = Field(
        default_factory=dict, max_length=20,
        description="Personal data (name, email, ...): sealed apart from the facts, erasable",
        examples=[{"name": "Aroha Ngata", "email": "aroha@example.org"}])
    did: Url = Field(default="", description="Optional DID (starts with `did:`)")
    effective: BusinessDate | None = None

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        return ledger.register_learner(
            actor, primary_identifier=self.primary_identifier.value_object(), profile=dict(self.profile),
            did=self.did, effective=self.effective, idempotency_key=key)


class EmployerRegistration(Command):
    name: RequiredShortText = Field(examples=["Harbour City Council"])
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=20)

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        return ledger.register_employer(
            actor, name=self.name, identifiers=tuple(i.value_object() for i in self.identifiers),
            idempotency_key=key)


class AchievementDefinition(Command):
    achievement_type: AchievementType
    name: RequiredShortText
    description: RequiredText
    criteria: RequiredText
    learning_outcomes: list[RequiredText] = Field(default_factory=list, max_length=50)
    skills: list[SkillIn] = Field(default_factory=list, max_length=100)
    credits: Credits | None = None
    hours: Hours | None = None
    level: int | None = Field(default=None, ge=1, le=10)
    level_framework: LevelFramework | None = None
    review_date: BusinessDate | None = None
    credit_rules: list[CreditRuleIn] = Field(default_factory=list, max_length=20)
    stacks_into: list[UUID] = Field(default_factory=list, max_length=20,
                                    description="Qualifications this achievement counts toward")
    effective: BusinessDate | None = None

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        spec = AchievementSpec(
            achievement_type=self.achievement_type, name=self.name, description=self.description,
            criteria=self.criteria, learning_outcomes=tuple(self.learning_outcomes),
            skills=tuple(s.value_object() for s in self.skills), credits=self.credits, hours=self.hours,
            level=self.level, level_framework=self.level_framework, review_date=self.review_date,
            credit_rules=tuple(r.value_object() for r in self.credit_rules), stacks_into=tuple(self.stacks_into),
        )
        return ledger.define_achievement(actor, spec, effective=self.effective, idempotency_key=key)


class EnrolmentRequest(Command):
    target_field = "learner_id"
    achievement_id: UUID
    term: RequiredShortText = Field(examples=["2025-T1"])
    effective: BusinessDate | None = None

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        return ledger.enrol(actor, _target(target), achievement_id=self.achievement_id, term=self.term,
                            effective=self.effective, idempotency_key=key)


class AssessmentRequest(Command):
    target_field = "enrolment_id"
    title: RequiredShortText = Field(examples=["Portfolio"])
    outcome: AssessmentOutcome
    score: Code = ""
    skill_levels: list[SkillLevelIn] = Field(default_factory=list, max_length=100)
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)
    assessor: RequiredShortText
    assessed_on: BusinessDate | None = None
    corrects: UUID | None = Field(default=None, description="The assessment this one corrects")

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        return ledger.record_assessment(
            actor, _target(target), title=self.title, outcome=self.outcome, score=self.score,
            skill_levels=tuple(s.value_object() for s in self.skill_levels),
            evidence=tuple(e.value_object() for e in self.evidence), assessor=self.assessor,
            assessed_on=self.assessed_on, corrects=self.corrects, idempotency_key=key)


class CompletionRequest(Command):
    target_field = "enrolment_id"
    effective: BusinessDate | None = None

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        return ledger.complete_enrolment(actor, _target(target), effective=self.effective, idempotency_key=key)


class WithdrawalRequest(Command):
    target_field = "enrolment_id"
    reason: RequiredText
    effective: BusinessDate | None = None

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        return ledger.withdraw_enrolment(actor, _target(target), reason=self.reason, effective=self.effective,
                                         idempotency_key=key)


class CredentialIssue(Command):
    target_field = "learner_id"
    achievement_id: UUID
    basis: CredentialBasis = Field(description="What earned it: a completed enrolment or a standing RPL grant")
    basis_id: UUID = Field(description="The enrolment or RPL case id")
    issued_on: BusinessDate | None = None
    expires_on: BusinessDate | None = None

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        return ledger.issue_credential(
            actor, _target(target), achievement_id=self.achievement_id, basis=self.basis, basis_id=self.basis_id,
            issued_on=self.issued_on, expires_on=self.expires_on, idempotency_key=key)


class StatusChange(Command):
    target_field = "credential_id"
    reason: RequiredText
    effective: BusinessDate | None = None
    action: ClassVar[str] = ""

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        change = {"revoke": ledger.revoke_credential, "suspend": ledger.suspend_credential,
                  "reinstate": ledger.reinstate_credential}[self.action]
        return change(actor, _target(target), reason=self.reason, effective=self.effective, idempotency_key=key)


class Revocation(StatusChange):
    action = "revoke"


class Suspension(StatusChange):
    action = "suspend"


class Reinstatement(StatusChange):
    action = "reinstate"


class Supersession(Command):
    target_field = "credential_id"
    replaced_by: UUID
    effective: BusinessDate | None = None

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        return ledger.supersede_credential(actor, _target(target), replaced_by=self.replaced_by,
                                           effective=self.effective, idempotency_key=key)


class RplApplication(Command):
    target_field = "learner_id"
    achievement_id: UUID
    claim: RequiredText
    effective: BusinessDate | None = None

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        return ledger.apply_for_rpl(actor, _target(target), achievement_id=self.achievement_id, claim=self.claim,
                                    effective=self.effective, idempotency_key=key)


class RplEvidence(Command):
    target_field = "case_id"
    description: RequiredText
    url: Url = ""
    effective: BusinessDate | None = None

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        return ledger.submit_rpl_evidence(actor, _target(target), evidence=Evidence(self.description, self.url),
                                          effective=self.effective, idempotency_key=key)


class RplDecisionRequest(Command):
    target_field = "case_id"
    outcome: RplOutcome
    credits_granted: Credits = Field(default=Decimal(0))
    skill_levels: list[SkillLevelIn] = Field(default_factory=list, max_length=100)
    rationale: RequiredText
    assessor: RequiredShortText
    evidence_reviewed: list[int] = Field(min_length=1, max_length=100,
                                         description="Indexes (from 0) of the submitted evidence reviewed")
    effective: BusinessDate | None = None

    def decision(self) -> RplDecision:
        if any(not 0 <= index <= 10_000 for index in self.evidence_reviewed):
            raise InvalidValue("evidence_reviewed holds indexes of submitted evidence (from 0)")
        return RplDecision(self.outcome, self.credits_granted, tuple(s.value_object() for s in self.skill_levels),
                           self.rationale, self.assessor, tuple(self.evidence_reviewed))

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        return ledger.decide_rpl(actor, _target(target), decision=self.decision(), effective=self.effective,
                                 idempotency_key=key)


class RplRevision(RplDecisionRequest):
    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        return ledger.revise_rpl(actor, _target(target), decision=self.decision(), effective=self.effective,
                                 idempotency_key=key)


class RplAppeal(Command):
    target_field = "case_id"
    grounds: RequiredText
    effective: BusinessDate | None = None

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        return ledger.appeal_rpl(actor, _target(target), grounds=self.grounds, effective=self.effective,
                                 idempotency_key=key)


class WorkExperienceStatement(Command):
    target_field = "learner_id"
    kind: WorkKind
    employer_name: RequiredShortText
    role: RequiredShortText
    start: BusinessDate
    end: BusinessDate | None = None
    description: LongText = ""
    skills: list[SkillIn] = Field(default_factory=list, max_length=100)
    employer_id: UUID | None = Field(default=None, description="The registered employer who may attest it")
    placed_by: UUID | None = Field(default=None, description="The provider that placed the learner (may attest)")
    effective: BusinessDate | None = None

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        position = Position(
            self.kind, self.employer_name, self.role, Period(self.start, self.end), self.description,
            tuple(s.value_object() for s in self.skills), self.employer_id, self.placed_by)
        return ledger.state_work_experience(actor, _target(target), position=position, effective=self.effective,
                                            idempotency_key=key)


class Attestation(Command):
    target_field = "experience_id"
    confirmed_skills: list[Url] = Field(default_factory=list, max_length=100,
                                        description="Urls of the stated skills the attester confirms")
    statement: LongText = ""
    effective: BusinessDate | None = None

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        return ledger.attest_work_experience(
            actor, _target(target), confirmed_skills=tuple(self.confirmed_skills), statement=self.statement,
            effective=self.effective, idempotency_key=key)


class Dispute(Command):
    target_field = "experience_id"
    reason: RequiredText
    effective: BusinessDate | None = None

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        return ledger.dispute_work_experience(actor, _target(target), reason=self.reason, effective=self.effective,
                                              idempotency_key=key)


class WorkEnd(Command):
    target_field = "experience_id"
    ended_on: BusinessDate

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        return ledger.end_work_experience(actor, _target(target), ended_on=self.ended_on, idempotency_key=key)


class ShareGrant(Command):
    target_field = "learner_id"
    employer_id: UUID
    credential_ids: list[UUID] = Field(default_factory=list, max_length=100)
    skill_urls: list[Url] = Field(default_factory=list, max_length=100)
    purpose: RequiredShortText = Field(examples=["Application for Communications Advisor"])
    expires_at: Moment = Field(description="When the share ends (a timezone-aware date-time)")

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        return ledger.grant_share(
            actor, _target(target), employer_id=self.employer_id, credential_ids=tuple(self.credential_ids),
            skill_urls=tuple(self.skill_urls), purpose=self.purpose, expires_at=self.expires_at,
            idempotency_key=key)


class ErasureRequest(Command):
    target_field = "learner_id"
    reason: RequiredText

    def run(self, ledger: Ledger, actor: Actor, target: UUID | None, key: str | None) -> Written:
        return ledger.erase_learner(actor, _target(target), reason=self.reason, idempotency_key=key)


# ---- batch items (POST /v1/events) -----------------------------------------------------------------------------

class BatchItem(Model):
    idempotency_key: str = Field(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$",
                                 description="Each item's own idempotency key: a retried batch replays each item")

    def target(self) -> UUID | None:
        field = getattr(self, "target_field", "")
        return getattr(self, field) if field else None


class RegisterLearnerItem(BatchItem, LearnerRegistration):
    command: Literal["register_learner"]


class DefineAchievementItem(BatchItem, AchievementDefinition):
    command: Literal["define_achievement"]


class EnrolItem(BatchItem, EnrolmentRequest):
    command: Literal["enrol"]
    learner_id: UUID


class RecordAssessmentItem(BatchItem, AssessmentRequest):
    command: Literal["record_assessment"]
    enrolment_id: UUID


class CompleteEnrolmentItem(BatchItem, CompletionRequest):
    command: Literal["complete_enrolment"]
    enrolment_id: UUID


class WithdrawEnrolmentItem(BatchItem, WithdrawalRequest):
    command: Literal["withdraw_enrolment"]
    enrolment_id: UUID


class IssueCredentialItem(BatchItem, CredentialIssue):
    command: Literal["issue_credential"]
    learner_id: UUID


class RevokeCredentialItem(BatchItem, Revocation):
    command: Literal["revoke_credential"]
    credential_id: UUID


class SuspendCredentialItem(BatchItem, Suspension):
    command: Literal["suspend_credential"]
    credential_id: UUID


class ReinstateCredentialItem(BatchItem, Reinstatement):
    command: Literal["reinstate_credential"]
    credential_id: UUID


class SupersedeCredentialItem(BatchItem, Supersession):
    command: Literal["supersede_credential"]
    credential_id: UUID


class ApplyForRplItem(BatchItem, RplApplication):
    command: Literal["apply_for_rpl"]
    learner_id: UUID


class SubmitRplEvidenceItem(BatchItem, RplEvidence):
    command: Literal["submit_rpl_evidence"]
    case_id: UUID


class DecideRplItem(BatchItem, RplDecisionRequest):
    command: Literal["decide_rpl"]
    case_id: UUID


class ReviseRplItem(BatchItem, RplRevision):
    command: Literal["revise_rpl"]
    case_id: UUID


class AttestWorkExperienceItem(BatchItem, Attestation):
    command: Literal["attest_work_experience"]
    experience_id: UUID


class DisputeWorkExperienceItem(BatchItem, Dispute):
    command: Literal["dispute_work_experience"]
    experience_id: UUID


BATCH_ITEM_TYPES: tuple[type[BatchItem], ...] = (
    RegisterLearnerItem, DefineAchievementItem, EnrolItem, RecordAssessmentItem, CompleteEnrolmentItem,
    WithdrawEnrolmentItem, IssueCredentialItem, RevokeCredentialItem, SuspendCredentialItem,
    ReinstateCredentialItem, SupersedeCredentialItem, ApplyForRplItem, SubmitRplEvidenceItem, DecideRplItem,
    ReviseRplItem, AttestWorkExperienceItem, DisputeWorkExperienceItem,
)
