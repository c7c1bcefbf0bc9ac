"""What the ledger needs from the outside world, as protocols; ops/ plugs in the implementations."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.achievement import Achievement
from domain.credential import CredentialTerms
from domain.learner import Learner
from domain.provider import Provider, SigningKey
from domain.values import Identifier


class KeyVault(Protocol):
    def new_signing_key(self) -> SigningKey: ...


class PersonalDataVault(Protocol):
    """Keeps personal data apart from the facts: sealed with a per-learner key that erasure destroys."""

    def seal(self, learner_id: UUID, profile: Mapping[str, str]) -> str: ...

    def open(self, learner_id: UUID, sealed: str) -> dict[str, str] | None: ...

    def forget(self, learner_id: UUID) -> None: ...

    def seal_text(self, learner_id: UUID, text: str) -> str: ...

    def seal_json(self, learner_id: UUID, document: Mapping[str, Any]) -> str: ...

    def open_json(self, learner_id: UUID, sealed: str) -> dict[str, Any] | None: ...


@runtime_checkable
class ReadsManyAggregates(Protocol):
    """A store that reads many aggregates in one round trip: their latest snapshots in ``snapshots`` (a recorder, or
    None) and their events after them."""

    def select_latest(
        self, originator_ids: Sequence[UUID], snapshots: object | None,
    ) -> tuple[list[StoredEvent], list[StoredEvent]]: ...


@runtime_checkable
class CountsOutages(Protocol):
    """A store that counts its connections found broken: after one, events it showed before may be lost (seen before
    their commit was durable, then a crash)."""

    def outages(self) -> int: ...


class AppendStream(Protocol):
    """One atomic append sent in chunks while the rest is still being worked out."""

    def send(self, events: Sequence[StoredEvent]) -> bool:
        """False: the stream gave up (nothing of it is appended); append everything at the end instead."""

    def finish(self, events: Sequence[StoredEvent]) -> list[int] | None:
        """The notification ids of everything sent and these events, committed; None: nothing was appended.
        Raises the store's IntegrityError on a conflict, having appended nothing."""

    def abandon(self) -> None: ...


@runtime_checkable
class StreamsAppends(Protocol):
    """A store that can take an append in chunks (None: not now)."""

    def open_stream(self) -> AppendStream | None: ...


class LearnerIds(Protocol):
    """A learner's id from their primary identifier, keyed with a secret so that the id reveals nothing."""

    def learner_id(self, identifier: Identifier) -> UUID: ...


@dataclass(frozen=True)
class CredentialDraft:
    """Everything a signer needs to write and sign an Open Badges 3.0 credential, once, at issuance."""

    credential_id: UUID
    provider: Provider
    achievement: Achievement
    learner: Learner
    learner_profile: Mapping[str, str]
    terms: CredentialTerms
    status_index: int


class CredentialSigner(Protocol):
    def sign(self, draft: CredentialDraft) -> dict[str, Any]: ...
