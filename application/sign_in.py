"""Signing people in to the pages: one-time expiring sign-in links, server-side sessions, passkeys.

Who may make a link: an admin (for any learner or employer), the provider that registered a learner (for that
learner), or a learner or employer for themselves (from a session or with their token). A link serves once."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from application.authorization import Action, Parties, check
from application.ledger import Ledger
from domain.access import hash_secret, new_secret
from domain.employer import Employer
from domain.errors import InvalidValue
from domain.learner import Learner
from domain.values import Actor, ActorKind

LINK_MINUTES = 60
MAX_LINK_MINUTES = 7 * 24 * 60
SESSION_LIFETIME = timedelta(hours=8)
CHALLENGE_LIFETIME = timedelta(minutes=5)


@dataclass(frozen=True)
class SignInLink:
    token: str
    principal: Actor
    expires_at: datetime


@dataclass(frozen=True)
class Session:
    principal: Actor
    expires_at: datetime


@dataclass(frozen=True)
class Passkey:
    credential_id: str
    principal: Actor
    public_key: str
    sign_count: int
    label: str
    added_at: datetime
    last_used_at: datetime | None = None


class SignInStore(Protocol):
    def add_link(self, token_hash: str, principal: Actor, created_by: Actor, expires_at: datetime) -> None: ...

    def use_link(self, token_hash: str, now: datetime) -> Actor | None: ...

    def add_session(self, token_hash: str, principal: Actor, started_at: datetime, expires_at: datetime) -> None: ...

    def session(self, token_hash: str, now: datetime) -> Session | None: ...

    def end_session(self, token_hash: str) -> None: ...

    def add_challenge(self, challenge_hash: str, purpose: str, principal: Actor | None,
                      expires_at: datetime) -> None: ...

    def take_challenge(self, challenge_hash: str, purpose: str, now: datetime) -> tuple[bool, Actor | None]: ...

    def add_passkey(self, passkey: Passkey) -> None: ...

    def passkey(self, credential_id: str) -> Passkey | None: ...

    def passkeys_of(self, principal: Actor) -> list[Passkey]: ...

    def record_passkey_use(self, credential_id: str, sign_count: int, now: datetime) -> None: ...

    def remove_passkey(self, credential_id: str, principal: Actor) -> bool: ...

    def forget(self, principal: Actor) -> None: ...

    def close(self) -> None: ...


class SignIns:
    def __init__(self, store: SignInStore, ledger: Ledger, clock: Callable[[], datetime]):
        self.store = store
        self.ledger = ledger
        self.clock = clock

    # ---- links ----------------------------------------------------------------------------------------------

    def create_link(self, actor: Actor, principal: Actor, minutes: int = LINK_MINUTES) -> SignInLink:
        if not 1 <= minutes <= MAX_LINK_MINUTES:
            raise InvalidValue(f"a sign-in link lasts 1 to {MAX_LINK_MINUTES} minutes, not {minutes}")
        self._check_may_link(actor, principal)
        token = new_secret()
        expires_at = self.clock() + timedelta(minutes=minutes)
        self.store.add_link(hash_secret(token), principal, actor, expires_at)
        return SignInLink(token, principal, expires_at)

    def _check_may_link(self, actor: Actor, principal: Actor) -> None:
        """An admin; the provider that registered the learner (the provider concerned); the person themselves."""
        kinds: dict[ActorKind, type[Learner] | type[Employer]] = {
            ActorKind.LEARNER: Learner, ActorKind.EMPLOYER: Employer}
        if principal.kind not in kinds:
            raise InvalidValue("sign-in links are for learners and employers")
        principal_id = UUID(principal.id)
        registrar = self._registrar(principal_id) if principal.kind is ActorKind.LEARNER else None
        registered_by = UUID(registrar.id) if registrar and registrar.kind is ActorKind.PROVIDER else None
        check(actor, Action.MAKE_SIGN_IN_LINK, Parties(provider_id=registered_by, holder=principal))
        found = self.ledger.load(kinds[principal.kind], principal_id)
        if isinstance(found, Learner):
            found.check_active()

    def _registrar(self, learner_id: UUID) -> Actor | None:
        first = next(iter(self.ledger.events.get(learner_id, limit=1)), None)
        registrar = getattr(first, "actor", None)
        return registrar if isinstance(registrar, Actor) else None

    def sign_in_with_link(self, token: str) -> tuple[str, Session] | None:
        principal = self.store.use_link(hash_secret(token), self.clock()) if token else None
        return self.start_session(principal) if principal else None

    # ---- sessions -------------------------------------------------------------------------------------------

    def start_session(self, principal: Actor) -> tuple[str, Session]:
        token = new_secret()
        now = self.clock()
        session = Session(principal, now + SESSION_LIFETIME)
        self.store.add_session(hash_secret(token), principal, now, session.expires_at)
        return token, session

    def session(self, token: str) -> Session | None:
        if not token or len(token) > 200:
            return None
        return self.store.session(hash_secret(token), self.clock())

    def sign_out(self, token: str) -> None:
        if token:
            self.store.end_session(hash_secret(token))

    def forget(self, principal: Actor) -> None:
        """Ends every session, sign-in link and passkey of a principal: an erased learner signs in no more."""
        self.store.forget(principal)

    # ---- passkeys -------------------------------------------------------------------------------------------

    def remember_challenge(self, challenge: bytes, purpose: str, principal: Actor | None) -> None:
        self.store.add_challenge(hash_secret(challenge.hex()), purpose, principal, self.clock() + CHALLENGE_LIFETIME)

    def take_challenge(self, challenge: bytes, purpose: str) -> tuple[bool, Actor | None]:
        return self.store.take_challenge(hash_secret(challenge.hex()), purpose, self.clock())

    def add_passkey(self, principal: Actor, credential_id: str, public_key: str, sign_count: int, label: str) -> None:
        self.store.add_passkey(Passkey(credential_id, principal, public_key, sign_count, label.strip()[:80] or
                                       "Passkey", self.clock()))

    def passkey(self, credential_id: str) -> Passkey | None:
        return self.store.passkey(credential_id)

    def passkeys_of(self, principal: Actor) -> list[Passkey]:
        return self.store.passkeys_of(principal)

    def record_passkey_use(self, passkey: Passkey, sign_count: int) -> None:
        self.store.record_passkey_use(passkey.credential_id, sign_count, self.clock())

    def remove_passkey(self, principal: Actor, credential_id: str) -> None:
        if not self.store.remove_passkey(credential_id, principal):
            raise InvalidValue("no such passkey of yours")
