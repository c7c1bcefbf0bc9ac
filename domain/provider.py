"""A registered education provider: its accreditation identifiers and signing keys."""

from dataclasses import dataclass
from datetime import date

from eventsourcing.domain import event

from domain.common import LedgerAggregate, require_text, unique
from domain.errors import InvalidValue, RuleBroken
from domain.values import Actor, Identifier


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 key: the public half as Multikey, the private half sealed by the ledger's key vault."""

    key_id: str
    public_key_multibase: str
    sealed_private_key: str


class Provider(LedgerAggregate):
    @classmethod
    def register(
        cls, *, name: str, identifiers: tuple[Identifier, ...], website: str, signing_key: SigningKey,
        actor: Actor, effective: date,
    ) -> "Provider":
        if not identifiers:
            raise InvalidValue("a provider is registered with at least one accreditation or registration identifier")
        unique(identifiers, lambda i: (i.scheme, i.value), "identifiers")
        if website and not website.startswith("https://"):
            raise InvalidValue("a provider's website must be an https URL")
        return cls(require_text(name, "provider name", 300), identifiers, website, signing_key, actor, effective)

    @event("Registered")
    def __init__(
        self, name: str, identifiers: tuple[Identifier, ...], website: str, signing_key: SigningKey,
        actor: Actor, effective: date,
    ):
        self.name = name
        self.identifiers = identifiers
        self.website = website
        self.keys: dict[str, SigningKey] = {signing_key.key_id: signing_key}
        self.active_key_id = signing_key.key_id
        self.registered_on = effective
        self.deregistered = False

    @property
    def active_key(self) -> SigningKey:
        return self.keys[self.active_key_id]

    def rotate_key(self, signing_key: SigningKey, actor: Actor, effective: date) -> None:
        self.check_registered()
        if signing_key.key_id in self.keys:
            raise RuleBroken("that signing key is already registered", code="key-already-registered")
        self._rotate_key(signing_key, actor, effective)

    @event("KeyRotated")
    def _rotate_key(self, signing_key: SigningKey, actor: Actor, effective: date) -> None:
        # Old keys stay, so credentials signed with them still verify.
        self.keys[signing_key.key_id] = signing_key
        self.active_key_id = signing_key.key_id

    def deregister(self, reason: str, actor: Actor, effective: date) -> None:
        self.check_registered()
        self.check_not_before(effective, self.registered_on, "deregistration")
        self._deregister(require_text(reason, "reason"), actor, effective)

    @event("Deregistered")
    def _deregister(self, reason: str, actor: Actor, effective: date) -> None:
        self.deregistered = True

    def check_registered(self) -> None:
        if self.deregistered:
            raise RuleBroken(f"provider {self.name} is no longer registered", code="provider-deregistered")
