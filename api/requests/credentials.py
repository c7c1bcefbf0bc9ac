"""Issuing a credential and changing its status."""

from typing import ClassVar
from uuid import UUID

from pydantic import Field

from api.requests.base import CommandRequest, required
from api.types import BusinessDate, RequiredText
from application.commands import (
    Command,
    IssueCredential,
    ReinstateCredential,
    ReissueCredential,
    RevokeCredential,
    SupersedeCredential,
    SuspendCredential,
)
from application.commands.credentials import CredentialStatusChange
from domain.credential import CredentialBasis


class CredentialIssue(CommandRequest):
    target_field = "learner_id"
    achievement_id: UUID
    basis: CredentialBasis = Field(description="What earned it: a completed enrolment or a standing RPL grant")
    basis_id: UUID = Field(description="The enrolment or RPL case id")
    issued_on: BusinessDate | None = None
    expires_on: BusinessDate | None = None

    def to_command(self, target: UUID | None) -> Command:
        return IssueCredential(required(target), self.achievement_id, self.basis, self.basis_id, self.issued_on,
                               self.expires_on)


class Reissue(CommandRequest):
    target_field = "credential_id"
    reason: RequiredText = Field(description="Why it is issued again (e.g. the revoked one named the wrong course)")
    issued_on: BusinessDate | None = None
    expires_on: BusinessDate | None = None

    def to_command(self, target: UUID | None) -> Command:
        return ReissueCredential(required(target), self.reason, self.issued_on, self.expires_on)


class StatusChange(CommandRequest):
    target_field = "credential_id"
    reason: RequiredText
    effective: BusinessDate | None = None
    change: ClassVar[type[CredentialStatusChange]] = CredentialStatusChange

    def to_command(self, target: UUID | None) -> Command:
        return self.change(required(target), self.reason, self.effective)


class Revocation(StatusChange):
    change = RevokeCredential


class Suspension(StatusChange):
    change = SuspendCredential


class Reinstatement(StatusChange):
    change = ReinstateCredential


class Supersession(CommandRequest):
    target_field = "credential_id"
    replaced_by: UUID
    effective: BusinessDate | None = None

    def to_command(self, target: UUID | None) -> Command:
        return SupersedeCredential(required(target), self.replaced_by, self.effective)
