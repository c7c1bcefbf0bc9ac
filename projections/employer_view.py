"""Shares and the employer-shareable view: exactly what one share grants (the chosen credentials with their
verification, the chosen skills with their evidence), its purpose and expiry, and nothing else."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.credential import CredentialStatus, is_expired
from projections.catalogue import Catalogue, Json, entry_name
from projections.learner_record import LearnerRecord, ShareRecord, Standing, standing
from projections.skills import EvidenceKind, Mark, SkillDefinition, SkillEntry, Verification, skills_profile

Day = date


@dataclass(frozen=True)
class ShareOpening:
    """One entry of a share's access log."""

    opened_at: str
    viewer: str
    recorded_by: str
    position: int

    @classmethod
    def of(cls, row: Json) -> ShareOpening:
        return cls(row["opened_at"], row["viewer"], row["recorded_by"], int(row["position"]))


@dataclass(frozen=True)
class ShareSummary:
    share_id: UUID
    employer_id: UUID
    employer: str
    purpose: str
    credential_ids: tuple[UUID, ...]
    skill_urls: tuple[str, ...]
    granted_at: str
    expires_at: str
    revoked: bool
    revoked_at: str | None
    live: bool
    openings: tuple[ShareOpening, ...]


@dataclass(frozen=True)
class ShareAccess:
    """What opening a share link needs to know before it records the opening and shows the view."""

    share_id: UUID
    learner_id: UUID
    employer_id: UUID
    live: bool
    revoked: bool
    expires_at: str
    purpose: str


@dataclass(frozen=True)
class CredentialCheck:
    """A recorded credential's verification: its proof, its issuer's standing, its status and expiry."""

    signature_valid: bool
    issuer_registered: bool
    revoked: bool
    suspended: bool
    superseded: bool
    expired: bool
    status: CredentialStatus
    valid: bool

    @classmethod
    def of(cls, status: CredentialStatus, expires_on: date | None, on: date, signature_valid: bool,
           issuer_registered: bool) -> CredentialCheck:
        stands = standing(status, expires_on, on)
        return cls(signature_valid=signature_valid, issuer_registered=issuer_registered,
                   revoked=status is CredentialStatus.REVOKED, suspended=status is CredentialStatus.SUSPENDED,
                   superseded=status is CredentialStatus.SUPERSEDED, expired=is_expired(expires_on, on), status=status,
                   valid=signature_valid and issuer_registered and stands is Standing.ACTIVE)


@dataclass(frozen=True)
class SharedCredential:
    credential_id: UUID
    achievement: str
    issuer: str
    document: Json
    verification: CredentialCheck


@dataclass(frozen=True)
class SharedEvidence:
    """Evidence as an employer sees it: a credential is named only when the share grants it."""

    kind: EvidenceKind
    issuer: str
    date: Day
    level: int | None
    verification: Verification
    marks: tuple[Mark, ...]
    credential_id: UUID | None = None


@dataclass(frozen=True)
class SharedSkill:
    skill: SkillDefinition
    level: int | None
    verification: Verification
    first_evidenced: Day
    last_evidenced: Day
    currency: float
    evidence: tuple[SharedEvidence, ...]


@dataclass(frozen=True)
class EmployerRef:
    id: UUID
    name: str


@dataclass(frozen=True)
class EmployerView:
    share_id: UUID
    purpose: str
    expires_at: str
    employer: EmployerRef
    credentials: tuple[SharedCredential, ...]
    skills: tuple[SharedSkill, ...]


@dataclass(frozen=True)
class RecordedCredential:
    """A credential as the views keep it (for the employer view and verification)."""

    credential_id: UUID
    achievement_id: UUID
    provider_id: UUID
    status: CredentialStatus
    expires_on: date | None
    document: Json


def share_summary(share: ShareRecord, catalogue: Catalogue, now: str,
                  openings: tuple[ShareOpening, ...]) -> ShareSummary:
    return ShareSummary(
        share_id=share.share_id, employer_id=share.employer_id,
        employer=entry_name(catalogue.employer(str(share.employer_id))), purpose=share.purpose,
        credential_ids=share.credential_ids, skill_urls=share.skill_urls, granted_at=share.granted_at,
        expires_at=share.expires_at, revoked=share.revoked, revoked_at=share.revoked_at, live=share.live(now),
        openings=openings)


def employer_view(record: LearnerRecord, share: ShareRecord, catalogue: Catalogue,
                  credentials: Mapping[UUID, RecordedCredential],
                  verify: Callable[[RecordedCredential], CredentialCheck], on: date,
                  half_life_years: float) -> EmployerView:
    shared = [credentials[c] for c in share.credential_ids if c in credentials]
    granted = set(share.skill_urls)
    profile = skills_profile(record, catalogue, on, half_life_years)
    return EmployerView(
        share_id=share.share_id, purpose=share.purpose, expires_at=share.expires_at,
        employer=EmployerRef(share.employer_id, entry_name(catalogue.employer(str(share.employer_id)))),
        credentials=tuple(SharedCredential(
            credential_id=row.credential_id, achievement=entry_name(catalogue.achievement(str(row.achievement_id))),
            issuer=entry_name(catalogue.provider(str(row.provider_id))), document=row.document,
            verification=verify(row)) for row in shared),
        skills=tuple(_shared_skill(entry, set(share.credential_ids)) for entry in profile.skills
                     if entry.skill.url in granted),
    )


def _shared_skill(entry: SkillEntry, shared_ids: set[UUID]) -> SharedSkill:
    evidence = tuple(SharedEvidence(
        kind=e.kind, issuer=e.issuer, date=e.date, level=e.level, verification=e.verification, marks=e.marks,
        credential_id=e.id if e.kind is EvidenceKind.CREDENTIAL and e.id in shared_ids else None)
        for e in entry.evidence)
    return SharedSkill(entry.skill, entry.level, entry.verification, entry.first_evidenced, entry.last_evidenced,
                       entry.currency, evidence)
