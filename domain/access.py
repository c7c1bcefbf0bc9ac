"""A bearer token that belongs to one principal, kept only as a hash, revocable."""

import hashlib
import secrets
from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.common import LedgerAggregate
from domain.errors import RuleBroken
from domain.ids import name_based_id
from domain.values import Actor

ACCESS_NAMESPACE = uuid5(NAMESPACE_URL, "https://ler-ledger.example/access-tokens")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    """256 bits of randomness, URL-safe."""
    return secrets.token_urlsafe(32)


class AccessToken(LedgerAggregate):
    @staticmethod
    def id_for(token: str) -> UUID:
        return name_based_id(ACCESS_NAMESPACE, hash_secret(token))

    @classmethod
    def issue(cls, *, principal: Actor, actor: Actor, effective: date) -> tuple["AccessToken", str]:
        token = new_secret()
        grant = cls.create_with_id(
            "Issued", cls.id_for(token), principal=principal, token_hash=hash_secret(token),
            actor=actor, effective=effective,
        )
        return grant, token

    @event("Issued")
    def __init__(self, principal: Actor, token_hash: str, actor: Actor, effective: date):
        self.principal = principal
        self.token_hash = token_hash
        self.revoked = False

    def revoke(self, actor: Actor, effective: date) -> None:
        if self.revoked:
            raise RuleBroken("that token was already revoked", code="token-already-revoked")
        self._revoke(actor, effective)

    @event("Revoked")
    def _revoke(self, actor: Actor, effective: date) -> None:
        self.revoked = True
