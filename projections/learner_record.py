"""A learner's record as typed facts: what every learner view (skills, pathway, timeline, employer view, CLR) reads.

The projection keeps each learner's folded state as JSON (projections/learner_state.py, the stored format);
`LearnerRecord.of(state)` reads it into these frozen records, so every view rule works on typed facts, and tests
can give the facts directly, with no database and no signing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any
from uuid import UUID

from domain.credential import CredentialBasis, CredentialStatus, is_expired
from domain.enrolment import uncorrected
from domain.values import AssessmentOutcome, RplOutcome
from projections import events
from projections.events import EventClass

Json = dict[str, Any]
SkillLevels = Mapping[str, int]


class Standing(str, Enum):
    """Where a credential stands on a day: its status, or expired when active past its expiry date."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"


STATUS_AFTER: dict[EventClass, CredentialStatus] = {
    events.Issued: CredentialStatus.ACTIVE, events.Suspended: CredentialStatus.SUSPENDED,
    events.Reinstated: CredentialStatus.ACTIVE, events.Revoked: CredentialStatus.REVOKED,
    events.Superseded: CredentialStatus.SUPERSEDED,
}


def status_after(fact_name: str) -> CredentialStatus | None:
    """A credential's status after one of its events (by the stored fact's name), None for other events."""
    cls = events.NAMES.get(fact_name)
    return STATUS_AFTER.get(cls) if cls is not None else None


def standing(status: CredentialStatus, expires_on: date | None, on: date) -> Standing:
    if status is not CredentialStatus.ACTIVE:
        return Standing(status.value)
    return Standing.EXPIRED if is_expired(expires_on, on) else Standing.ACTIVE


@dataclass(frozen=True)
class HeldCredential:
    credential_id: UUID
    achievement_id: UUID
    provider_id: UUID
    status: CredentialStatus
    issued_on: date
    expires_on: date | None
    credits: Decimal | None
    skill_levels: SkillLevels
    basis: CredentialBasis
    basis_id: UUID
    replaced_by: UUID | None = None
    score: str = ""
    position: int = 0

    def standing(self, on: date) -> Standing:
        return standing(self.status, self.expires_on, on)

    def expired(self, on: date) -> bool:
        return is_expired(self.expires_on, on)

    @property
    def same_basis(self) -> tuple[UUID, UUID]:
        """What two credentials share when they certify the same learning: the achievement and the enrolment or
        RPL decision it was issued on (the learner is the record's)."""
        return self.achievement_id, self.basis_id


@dataclass(frozen=True)
class AssessmentResult:
    assessment_id: UUID
    title: str
    outcome: AssessmentOutcome
    skill_levels: SkillLevels
    assessor: str
    assessed_on: date
    corrects: UUID | None = None
    score: str = ""
    position: int = 0


@dataclass(frozen=True)
class EnrolmentRecord:
    enrolment_id: UUID
    achievement_id: UUID
    provider_id: UUID
    term: str
    enrolled_on: date
    assessments: tuple[AssessmentResult, ...] = ()
    completed_on: date | None = None
    withdrawn_on: date | None = None

    def current_assessments(self) -> list[AssessmentResult]:
        return uncorrected(self.assessments)


@dataclass(frozen=True)
class RplDecisionRecord:
    outcome: RplOutcome
    credits_granted: Decimal
    skill_levels: SkillLevels
    number: int = 1

    @property
    def grants(self) -> bool:
        return self.outcome is not RplOutcome.DECLINED


@dataclass(frozen=True)
class RplCaseRecord:
    case_id: UUID
    achievement_id: UUID
    provider_id: UUID
    applied_on: date
    decision: RplDecisionRecord | None = None
    decided_on: date | None = None
    appealed: bool = False


@dataclass(frozen=True)
class StatedSkill:
    url: str
    name: str
    framework: str
    code: str = ""


@dataclass(frozen=True)
class WorkRecord:
    experience_id: UUID
    employer_name: str
    role: str
    start: date
    stated_on: date
    skills: tuple[StatedSkill, ...] = ()
    end: date | None = None
    attested_by: str | None = None
    attested_on: date | None = None
    confirmed_skills: frozenset[str] = frozenset()
    disputed: bool = False


@dataclass(frozen=True)
class ShareRecord:
    """A share as granted; moments (`expires_at`, `granted_at`, `revoked_at`) are fixed-width UTC text."""

    share_id: UUID
    employer_id: UUID
    credential_ids: tuple[UUID, ...]
    skill_urls: tuple[str, ...]
    purpose: str
    expires_at: str
    granted_at: str
    revoked: bool = False
    revoked_at: str | None = None

    def live(self, now: str) -> bool:
        return not self.revoked and now < self.expires_at


@dataclass(frozen=True)
class LearnerRecord:
    learner_id: UUID
    position: int = 0
    credentials: tuple[HeldCredential, ...] = ()
    enrolments: tuple[EnrolmentRecord, ...] = ()
    rpl_cases: tuple[RplCaseRecord, ...] = ()
    work: tuple[WorkRecord, ...] = ()
    shares: tuple[ShareRecord, ...] = ()
    registered: bool = True
    erased: bool = False
    did: str = ""
    identity_hash: str = ""
    identity_salt: str = ""
    recorded_at: str = ""

    def credential(self, credential_id: UUID | None) -> HeldCredential | None:
        return next((c for c in self.credentials if c.credential_id == credential_id), None)

    def share(self, share_id: UUID) -> ShareRecord | None:
        return next((s for s in self.shares if s.share_id == share_id), None)

    def achievement_of(self, subject_id: UUID | None) -> UUID | None:
        """The achievement a credential, enrolment or RPL case of this learner is about."""
        items: list[HeldCredential | EnrolmentRecord | RplCaseRecord] = [*self.credentials, *self.enrolments,
                                                                         *self.rpl_cases]
        return next((i.achievement_id for i in items if _subject_id(i) == subject_id), None)

    @classmethod
    def of(cls, state: Json) -> LearnerRecord:
        return cls(
            learner_id=_id(state["learner_id"]), position=int(state["position"]),
            credentials=tuple(_credential(i, c) for i, c in state["credentials"].items()),
            enrolments=tuple(_enrolment(i, e) for i, e in state["enrolments"].items()),
            rpl_cases=tuple(_case(i, c) for i, c in state["rpl"].items()),
            work=tuple(_work(i, w) for i, w in state["work"].items()),
            shares=tuple(_share(s) for s in state["shares"].values()),
            registered=bool(state["registered"]), erased=bool(state["erased"]), did=state["did"],
            identity_hash=state["identity_hash"], identity_salt=state["identity_salt"],
            recorded_at=state["recorded_at"] or "",
        )


def _subject_id(item: HeldCredential | EnrolmentRecord | RplCaseRecord) -> UUID:
    if isinstance(item, HeldCredential):
        return item.credential_id
    return item.enrolment_id if isinstance(item, EnrolmentRecord) else item.case_id


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _uuid(text: str | None) -> UUID | None:
    return _id(text) if text else None


@lru_cache(maxsize=65536)
def _id(text: str) -> UUID:
    """Ids repeat across reads (a learner's own, their providers' and achievements'): parsed once, shared (a UUID is
    immutable)."""
    return UUID(text)


def _credits(text: str | None) -> Decimal | None:
    return Decimal(text) if text is not None else None


def _credential(credential_id: str, c: Json) -> HeldCredential:
    return HeldCredential(
        credential_id=_id(credential_id), achievement_id=_id(c["achievement_id"]), provider_id=_id(c["provider_id"]),
        status=CredentialStatus(c["status"]), issued_on=date.fromisoformat(c["issued_on"]),
        expires_on=_day(c["expires_on"]), credits=_credits(c["credits"]), skill_levels=c["skill_levels"],
        basis=CredentialBasis(c["basis"]), basis_id=_id(c["basis_id"]), replaced_by=_uuid(c["replaced_by"]),
        score=c["score"], position=int(c["position"]),
    )


def _enrolment(enrolment_id: str, e: Json) -> EnrolmentRecord:
    return EnrolmentRecord(
        enrolment_id=_id(enrolment_id), achievement_id=_id(e["achievement_id"]), provider_id=_id(e["provider_id"]),
        term=e["term"], enrolled_on=date.fromisoformat(e["enrolled_on"]),
        assessments=tuple(AssessmentResult(
            assessment_id=_id(i), title=a["title"], outcome=AssessmentOutcome(a["outcome"]),
            skill_levels=a["skill_levels"], assessor=a["assessor"], assessed_on=date.fromisoformat(a["assessed_on"]),
            corrects=_uuid(a["corrects"]), score=a["score"], position=int(a["position"]),
        ) for i, a in e["assessments"].items()),
        completed_on=_day(e["completed_on"]), withdrawn_on=_day(e["withdrawn_on"]),
    )


def _case(case_id: str, c: Json) -> RplCaseRecord:
    decision = c["decision"]
    return RplCaseRecord(
        case_id=_id(case_id), achievement_id=_id(c["achievement_id"]), provider_id=_id(c["provider_id"]),
        applied_on=date.fromisoformat(c["applied_on"]),
        decision=None if decision is None else RplDecisionRecord(
            outcome=RplOutcome(decision["outcome"]), credits_granted=Decimal(decision["credits_granted"] or 0),
            skill_levels=decision["skill_levels"], number=int(decision["number"])),
        decided_on=_day(c["decided_on"]), appealed=bool(c["appealed"]),
    )


def _work(experience_id: str, w: Json) -> WorkRecord:
    return WorkRecord(
        experience_id=_id(experience_id), employer_name=w["employer_name"], role=w["role"],
        start=date.fromisoformat(w["start"]), stated_on=date.fromisoformat(w["stated_on"]),
        skills=tuple(StatedSkill(s["url"], s["name"], s["framework"], s.get("code") or "") for s in w["skills"]),
        end=_day(w["end"]), attested_by=w["attested_by"], attested_on=_day(w["attested_on"]),
        confirmed_skills=frozenset(w["confirmed_skills"]), disputed=bool(w["disputed"]),
    )


def _share(s: Json) -> ShareRecord:
    return ShareRecord(
        share_id=_id(s["share_id"]), employer_id=_id(s["employer_id"]),
        credential_ids=tuple(_id(c) for c in s["credential_ids"]), skill_urls=tuple(s["skill_urls"]),
        purpose=s["purpose"], expires_at=s["expires_at"], granted_at=s["granted_at"], revoked=bool(s["revoked"]),
        revoked_at=s["revoked_at"],
    )
