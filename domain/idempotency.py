"""An idempotency key a principal used: the command it carried (as a fingerprint) and the outcome."""

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.common import LedgerAggregate
from domain.values import Actor

IDEMPOTENCY_NAMESPACE = uuid5(NAMESPACE_URL, "https://ler-ledger.example/idempotency-keys")


class IdempotencyKey(LedgerAggregate):
    @staticmethod
    def create_id(actor: Actor, key: str) -> UUID:
        return uuid5(IDEMPOTENCY_NAMESPACE, f"{actor}|{key}")

    @classmethod
    def claim(cls, *, key: str, fingerprint: str, outcome: str, actor: Actor, effective: date) -> "IdempotencyKey":
        return cls.create_with_id(
            "Claimed", cls.create_id(actor, key), key=key, fingerprint=fingerprint, outcome=outcome,
            actor=actor, effective=effective,
        )

    @event("Claimed")
    def __init__(self, key: str, fingerprint: str, outcome: str, actor: Actor, effective: date):
        self.key = key
        self.fingerprint = fingerprint
        self.outcome = outcome
