"""Recognition of prior learning: application, evidence, decision, appeal, revision."""

from decimal import Decimal
from uuid import UUID

from pydantic import Field

from api.requests.base import CommandRequest, SkillLevelIn, required
from api.types import BusinessDate, Credits, RequiredShortText, RequiredText, Url
from application.commands import AppealRpl, ApplyForRpl, Command, DecideRpl, ReviseRpl, SubmitRplEvidence
from domain.errors import InvalidValue
from domain.recognition import RplDecision
from domain.values import Evidence, RplOutcome


class RplApplication(CommandRequest):
    target_field = "learner_id"
    achievement_id: UUID
    claim: RequiredText
    effective: BusinessDate | None = None

    def to_command(self, target: UUID | None) -> Command:
        return ApplyForRpl(required(target), self.achievement_id, self.claim, self.effective)


class RplEvidence(CommandRequest):
    target_field = "case_id"
    description: RequiredText
    url: Url = ""
    effective: BusinessDate | None = None

    def to_command(self, target: UUID | None) -> Command:
        return SubmitRplEvidence(required(target), Evidence(self.description, self.url), self.effective)


class RplDecisionRequest(CommandRequest):
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

    def to_command(self, target: UUID | None) -> Command:
        return DecideRpl(required(target), self.decision(), self.effective)


class RplRevision(RplDecisionRequest):
    def to_command(self, target: UUID | None) -> Command:
        return ReviseRpl(required(target), self.decision(), self.effective)


class RplAppeal(CommandRequest):
    target_field = "case_id"
    grounds: RequiredText
    effective: BusinessDate | None = None

    def to_command(self, target: UUID | None) -> Command:
        return AppealRpl(required(target), self.grounds, self.effective)
