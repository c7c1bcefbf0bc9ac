"""A credential: issued (signed once, stored signed), suspended and reinstated, revoked or superseded; it may expire."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.common import LedgerAggregate, require_text
from domain.errors import InvalidValue, RuleBroken
from domain.values import Actor, SkillLevel


class CredentialBasis(str, Enum):
    ENROLMENT = "enrolment"
    RECOGNITION = "recognition"


class CredentialStatus(str, Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class CredentialTerms:
    """What a credential states besides who holds it and what achievement it certifies."""

    basis: CredentialBasis
    basis_id: UUID
    issued_on: date
    expires_on: date | None
    credits: Decimal | None
    skill_levels: tuple[SkillLevel, ...]
    score: str = ""

    def checked(self) -> "CredentialTerms":
        if self.expires_on is not None and self.expires_on <= self.issued_on:
            raise InvalidValue(f"a credential cannot expire ({self.expires_on}) before it is issued ({self.issued_on})")
        return self


def is_expired(expires_on: date | None, on: date) -> bool:
    """A credential is expired from its expiry date on (the read side judges expiry with this too)."""
    return expires_on is not None and on >= expires_on


class Credential(LedgerAggregate):
    @classmethod
    def issue(
        cls, *, credential_id: UUID, learner_id: UUID, provider_id: UUID, achievement_id: UUID,
        terms: CredentialTerms, status_index: int, document: str, actor: Actor, effective: date,
    ) -> "Credential":
        return cls.create_with_id(
            "Issued", credential_id, learner_id=learner_id, provider_id=provider_id,
            achievement_id=achievement_id, terms=terms.checked(), status_index=status_index, document=document,
            actor=actor, effective=effective,
        )

    @event("Issued")
    def __init__(
        self, learner_id: UUID, provider_id: UUID, achievement_id: UUID, terms: CredentialTerms, status_index: int,
        document: dict[str, Any] | str, actor: Actor, effective: date,
    ):
        self.learner_id = learner_id
        self.provider_id = provider_id
        self.achievement_id = achievement_id
        self.terms = terms
        self.status_index = status_index
        self.document = document
        self.status = CredentialStatus.ACTIVE
        self.replaced_by: UUID | None = None

    def is_expired(self, on: date) -> bool:
        return is_expired(self.terms.expires_on, on)

    def _check_status(self, allowed: set[CredentialStatus], action: str) -> None:
        if self.status not in allowed:
            raise RuleBroken(
                f"cannot {action} a credential that is {self.status.value}", code=f"credential-{self.status.value}",
            )

    def suspend(self, reason: str, actor: Actor, effective: date) -> None:
        self._check_status({CredentialStatus.ACTIVE}, "suspend")
        self.check_not_before(effective, self.terms.issued_on, "suspension")
        self._suspend(self.learner_id, require_text(reason, "reason"), actor, effective)

    @event("Suspended")
    def _suspend(self, learner_id: UUID, reason: str, actor: Actor, effective: date) -> None:
        self.status = CredentialStatus.SUSPENDED

    def reinstate(self, reason: str, actor: Actor, effective: date) -> None:
        self._check_status({CredentialStatus.SUSPENDED}, "reinstate")
        self.check_not_before(effective, self.terms.issued_on, "reinstatement")
        self._reinstate(self.learner_id, require_text(reason, "reason"), actor, effective)

    @event("Reinstated")
    def _reinstate(self, learner_id: UUID, reason: str, actor: Actor, effective: date) -> None:
        self.status = CredentialStatus.ACTIVE

    def revoke(self, reason: str, actor: Actor, effective: date) -> None:
        self._check_status({CredentialStatus.ACTIVE, CredentialStatus.SUSPENDED}, "revoke")
        self.check_not_before(effective, self.terms.issued_on, "revocation")
        self._revoke(self.learner_id, require_text(reason, "reason"), actor, effective)

    @event("Revoked")
    def _revoke(self, learner_id: UUID, reason: str, actor: Actor, effective: date) -> None:
        self.status = CredentialStatus.REVOKED

    def supersede(self, replacement: "Credential", actor: Actor, effective: date) -> None:
        self._check_status({CredentialStatus.ACTIVE, CredentialStatus.SUSPENDED}, "supersede")
        if replacement.learner_id != self.learner_id or replacement.id == self.id:
            raise RuleBroken("a credential is superseded by another of the same learner", code="bad-replacement")
        if replacement.provider_id != self.provider_id or replacement.status is not CredentialStatus.ACTIVE:
            raise RuleBroken("a credential is superseded by an active one its provider issued", code="bad-replacement")
        self.check_not_before(effective, self.terms.issued_on, "supersession")
        self._supersede(self.learner_id, replacement.id, actor, effective)

    @event("Superseded")
    def _supersede(self, learner_id: UUID, replaced_by: UUID, actor: Actor, effective: date) -> None:
        self.status = CredentialStatus.SUPERSEDED
        self.replaced_by = replaced_by
