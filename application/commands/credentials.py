"""Issuing credentials (signed once) and changing their status."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from application.commands.base import Command
from domain.credential import CredentialBasis


@dataclass(frozen=True)
class IssueCredential(Command):
    learner_id: UUID
    achievement_id: UUID
    basis: CredentialBasis
    basis_id: UUID
    issued_on: date | None = None
    expires_on: date | None = None


@dataclass(frozen=True)
class CredentialStatusChange(Command):
    credential_id: UUID
    reason: str
    effective: date | None = None


@dataclass(frozen=True)
class SuspendCredential(CredentialStatusChange):
    pass


@dataclass(frozen=True)
class ReinstateCredential(CredentialStatusChange):
    pass


@dataclass(frozen=True)
class RevokeCredential(CredentialStatusChange):
    pass


@dataclass(frozen=True)
class SupersedeCredential(Command):
    credential_id: UUID
    replaced_by: UUID
    effective: date | None = None


@dataclass(frozen=True)
class ReissueCredential(Command):
    """Issue again on a credential's basis: after it was revoked, or superseding it."""

    credential_id: UUID
    reason: str
    issued_on: date | None = None
    expires_on: date | None = None
