"""A learner: identity (personal data sealed apart), optional DID, the shares they grant, and erasure."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import event

from domain.common import LedgerAggregate, ProfileSealer, require_text
from domain.errors import InvalidValue, NotFound, RuleBroken
from domain.values import Actor, Identifier


@dataclass(frozen=True)
class Share:
    share_id: UUID
    employer_id: UUID
    credential_ids: tuple[UUID, ...]
    skill_urls: tuple[str, ...]
    purpose: str
    expires_at: datetime
    token_hash: str
    revoked: bool = False

    def is_live(self, at: datetime) -> bool:
        return not self.revoked and at < self.expires_at


class Learner(LedgerAggregate):
    """The DID and the identifiers live only in the sealed profile: `did`, `identity_hash` and `identity_salt` stay
    empty in new events and are kept for the stored format of learners registered before."""

    @classmethod
    def register(
        cls, *, learner_id: UUID, primary_identifier: Identifier, did: str, profile: Mapping[str, str],
        seal: ProfileSealer, token_id: UUID | None, actor: Actor, effective: date,
    ) -> "Learner":
        if did and not did.startswith("did:"):
            raise InvalidValue("a DID starts with 'did:'")
        personal = {**profile, "identifier_scheme": primary_identifier.scheme,
                    "identifier": primary_identifier.value, **({"did": did} if did else {})}
        return cls.create_with_id(
            "Registered", learner_id, did="", sealed_profile=seal(personal), identity_hash="", identity_salt="",
            actor=actor, effective=effective, token_ids=(token_id,) if token_id else (),
        )

    @event("Registered")
    def __init__(
        self, did: str, sealed_profile: str, identity_hash: str, identity_salt: str, actor: Actor, effective: date,
        token_ids: tuple[UUID, ...] = (),
    ):
        self.did = did
        self.sealed_profile = sealed_profile
        self.identity_hash = identity_hash
        self.identity_salt = identity_salt
        self.registered_on = effective
        self.shares: dict[str, Share] = {}  # keyed by str(share_id), so snapshots stay plain JSON
        self.token_ids = list(token_ids)
        self.erased = False

    @property
    def granted_tokens(self) -> tuple[UUID, ...]:
        return tuple(getattr(self, "token_ids", ()))  # snapshots taken before access was tracked have none

    def grant_access(self, token_id: UUID, actor: Actor, effective: date) -> None:
        self.check_active()
        self._grant_access(token_id, actor, effective)

    @event("AccessGranted")
    def _grant_access(self, token_id: UUID, actor: Actor, effective: date) -> None:
        self.token_ids.append(token_id)

    def check_active(self) -> None:
        if self.erased:
            raise RuleBroken("this learner's record was erased", code="learner-erased")

    def grant_share(self, share: Share, actor: Actor, effective: date, now: datetime) -> None:
        self.check_active()
        if str(share.share_id) in self.shares:
            raise RuleBroken("that share exists already", code="share-exists")
        if not share.credential_ids and not share.skill_urls:
            raise InvalidValue("a share grants at least one credential or skill")
        if share.expires_at <= now:
            raise InvalidValue("a share must expire in the future")
        require_text(share.purpose, "share purpose", 500)
        self._grant_share(share, actor, effective)

    @event("ShareGranted")
    def _grant_share(self, share: Share, actor: Actor, effective: date) -> None:
        self.shares[str(share.share_id)] = share

    def share(self, share_id: UUID) -> Share:
        if str(share_id) not in self.shares:
            raise NotFound(f"no share {share_id}")
        return self.shares[str(share_id)]

    def revoke_share(self, share_id: UUID, actor: Actor, effective: date) -> None:
        if self.share(share_id).revoked:
            raise RuleBroken("that share was already revoked", code="share-already-revoked")
        self._revoke_share(share_id, actor, effective)

    @event("ShareRevoked")
    def _revoke_share(self, share_id: UUID, actor: Actor, effective: date) -> None:
        self.shares[str(share_id)] = Share(**{**self.shares[str(share_id)].__dict__, "revoked": True})

    def record_opening(self, share_id: UUID, viewer: str, actor: Actor, effective: date, now: datetime) -> None:
        if not self.share(share_id).is_live(now):
            raise RuleBroken("that share has ended", code="share-ended")
        self._record_opening(share_id, viewer, actor, effective)

    @event("ShareOpened")
    def _record_opening(self, share_id: UUID, viewer: str, actor: Actor, effective: date) -> None:
        pass

    def erase(self, reason: str, actor: Actor, effective: date) -> None:
        self.check_active()
        self._erase(require_text(reason, "reason"), actor, effective)

    @event("Erased")
    def _erase(self, reason: str, actor: Actor, effective: date) -> None:
        self.erased = True
        self.sealed_profile = ""
        self.did = ""
        self.identity_hash = ""
        self.shares = {sid: Share(**{**s.__dict__, "revoked": True}) for sid, s in self.shares.items()}
