"""What a credential was issued on: a learner's completed enrolment or RPL grant in one achievement earns one current
credential. The id derives from the basis, so two issuances on the same basis write the same aggregate's first event
and the store refuses the second, whichever process makes it."""

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.common import LedgerAggregate, require_text
from domain.credential import CredentialBasis
from domain.errors import RuleBroken
from domain.ids import name_based_id
from domain.values import Actor

ISSUED_BASIS_NAMESPACE = uuid5(NAMESPACE_URL, "https://ler-ledger.example/issued-bases")


class IssuedBasis(LedgerAggregate):
    @staticmethod
    def create_id(learner_id: UUID, achievement_id: UUID, basis: CredentialBasis, basis_id: UUID) -> UUID:
        return name_based_id(ISSUED_BASIS_NAMESPACE, f"{learner_id}|{achievement_id}|{basis.value}|{basis_id}")

    @classmethod
    def claim(
        cls, *, learner_id: UUID, achievement_id: UUID, basis: CredentialBasis, basis_id: UUID, credential_id: UUID,
        actor: Actor, effective: date,
    ) -> "IssuedBasis":
        return cls.create_with_id(
            "Claimed", cls.create_id(learner_id, achievement_id, basis, basis_id), learner_id=learner_id,
            achievement_id=achievement_id, basis=basis, basis_id=basis_id, credential_id=credential_id, actor=actor,
            effective=effective,
        )

    @event("Claimed")
    def __init__(
        self, learner_id: UUID, achievement_id: UUID, basis: CredentialBasis, basis_id: UUID, credential_id: UUID,
        actor: Actor, effective: date,
    ):
        self.learner_id = learner_id
        self.achievement_id = achievement_id
        self.basis = basis
        self.basis_id = basis_id
        self.credential_id = credential_id

    def reissue(self, replaced: UUID, credential_id: UUID, reason: str, actor: Actor, effective: date) -> None:
        if replaced != self.credential_id:
            raise RuleBroken(f"only the basis's current credential ({self.credential_id}) is re-issued",
                             code="not-the-current-credential")
        self._reissue(self.learner_id, replaced, credential_id, require_text(reason, "reason"), actor, effective)

    @event("Reissued")
    def _reissue(
        self, learner_id: UUID, replaced: UUID, credential_id: UUID, reason: str, actor: Actor, effective: date,
    ) -> None:
        self.credential_id = credential_id
