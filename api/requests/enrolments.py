"""Enrolling, assessing, completing, withdrawing."""

from uuid import UUID

from pydantic import Field

from api.requests.base import CommandRequest, EvidenceIn, SkillLevelIn, required
from api.types import BusinessDate, Code, RequiredShortText, RequiredText
from application.commands import Command, CompleteEnrolment, Enrol, RecordAssessment, WithdrawEnrolment
from domain.values import AssessmentOutcome


class EnrolmentRequest(CommandRequest):
    target_field = "learner_id"
    achievement_id: UUID
    term: RequiredShortText = Field(examples=["2025-T1"])
    effective: BusinessDate | None = None

    def to_command(self, target: UUID | None) -> Command:
        return Enrol(required(target), self.achievement_id, self.term, self.effective)


class AssessmentRequest(CommandRequest):
    target_field = "enrolment_id"
    title: RequiredShortText = Field(examples=["Portfolio"])
    outcome: AssessmentOutcome
    score: Code = ""
    skill_levels: list[SkillLevelIn] = Field(default_factory=list, max_length=100)
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)
    assessor: RequiredShortText
    assessed_on: BusinessDate | None = None
    corrects: UUID | None = Field(default=None, description="The assessment this one corrects")

    def to_command(self, target: UUID | None) -> Command:
        return RecordAssessment(
            required(target), title=self.title, outcome=self.outcome, assessor=self.assessor, score=self.score,
            skill_levels=tuple([s.value_object() for s in self.skill_levels]),
            evidence=tuple([e.value_object() for e in self.evidence]), assessed_on=self.assessed_on,
            corrects=self.corrects,
        )


class CompletionRequest(CommandRequest):
    target_field = "enrolment_id"
    effective: BusinessDate | None = None

    def to_command(self, target: UUID | None) -> Command:
        return CompleteEnrolment(required(target), self.effective)


class WithdrawalRequest(CommandRequest):
    target_field = "enrolment_id"
    reason: RequiredText
    effective: BusinessDate | None = None

    def to_command(self, target: UUID | None) -> Command:
        return WithdrawEnrolment(required(target), self.reason, self.effective)
