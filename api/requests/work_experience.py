"""Work experience: stated, attested or disputed, ended."""

from uuid import UUID

from pydantic import Field

from api.requests.base import CommandRequest, SkillIn, required
from api.types import BusinessDate, LongText, RequiredShortText, RequiredText, Url
from application.commands import (
    AttestWorkExperience,
    Command,
    DisputeWorkExperience,
    EndWorkExperience,
    StateWorkExperience,
)
from domain.values import Period
from domain.work_experience import Position, WorkKind


class WorkExperienceStatement(CommandRequest):
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

    def to_command(self, target: UUID | None) -> Command:
        position = Position(
            self.kind, self.employer_name, self.role, Period(self.start, self.end), self.description,
            tuple(s.value_object() for s in self.skills), self.employer_id, self.placed_by)
        return StateWorkExperience(required(target), position, self.effective)


class Attestation(CommandRequest):
    target_field = "experience_id"
    confirmed_skills: list[Url] = Field(default_factory=list, max_length=100,
                                        description="Urls of the stated skills the attester confirms")
    statement: LongText = ""
    effective: BusinessDate | None = None

    def to_command(self, target: UUID | None) -> Command:
        return AttestWorkExperience(required(target), tuple(self.confirmed_skills), self.statement, self.effective)


class Dispute(CommandRequest):
    target_field = "experience_id"
    reason: RequiredText
    effective: BusinessDate | None = None

    def to_command(self, target: UUID | None) -> Command:
        return DisputeWorkExperience(required(target), self.reason, self.effective)


class WorkEnd(CommandRequest):
    target_field = "experience_id"
    ended_on: BusinessDate

    def to_command(self, target: UUID | None) -> Command:
        return EndWorkExperience(required(target), self.ended_on)
