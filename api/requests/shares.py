"""Sharing with an employer."""

from uuid import UUID

from pydantic import Field

from api.requests.base import CommandRequest, required
from api.types import Moment, RequiredShortText, Url
from application.commands import Command, GrantShare


class ShareGrant(CommandRequest):
    target_field = "learner_id"
    employer_id: UUID
    credential_ids: list[UUID] = Field(default_factory=list, max_length=100)
    skill_urls: list[Url] = Field(default_factory=list, max_length=100)
    purpose: RequiredShortText = Field(examples=["Application for Communications Advisor"])
    expires_at: Moment = Field(description="When the share ends (a timezone-aware date-time)")

    def to_command(self, target: UUID | None) -> Command:
        return GrantShare(required(target), self.employer_id, self.purpose, self.expires_at,
                          tuple(self.credential_ids), tuple(self.skill_urls))
