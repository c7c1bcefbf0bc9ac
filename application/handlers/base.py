"""The machinery every Ledger command goes through: idempotency, optimistic-concurrency retries, the log line,
and the lookups and authorisation checks the command areas share."""

import hashlib
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from application.ports import CredentialSigner, KeyVault, PersonalDataVault
from domain.access import AccessToken
from domain.achievement import Achievement
from domain.errors import ConcurrencyConflict, DomainError, IdempotencyKeyReused, NotFound, NotPermitted, RuleBroken
from domain.idempotency import IdempotencyKey
from domain.learner import Learner
from domain.provider import Provider
from domain.values import Actor, ActorKind, SkillLevel

A = TypeVar("A", bound=Aggregate)
MAX_ATTEMPTS = 20
"""Each collision means another writer succeeded, so N writers racing on one aggregate need up to N attempts."""
BACKOFF_SECONDS = 0.002
BACKOFF_CAP_SECONDS = 0.1


@dataclass(frozen=True)
class Written:
    """A command's outcome: the aggregate it created or changed, and the log position reached."""

    id: UUID
    position: int
    token: str = ""
    replayed: bool = False


@dataclass(frozen=True)
class CommandHandled:
    """What a command did, for the log line ops writes: its name, who, the outcome or the refusal, how long."""

    name: str
    actor: Actor
    seconds: float
    written: Written | None = None
    error: DomainError | None = None


@dataclass
class Change:
    """What a command produced, before it is saved."""

    id: UUID
    aggregates: list[Aggregate] = field(default_factory=list)
    token: str = ""


class LedgerBase(Application[UUID]):

    def __init__(
        self, env: Mapping[str, str] | None = None, *, keys: KeyVault | None = None,
        vault: PersonalDataVault | None = None, signer: CredentialSigner | None = None,
        clock: Callable[[], datetime] | None = None, observe: Callable[[CommandHandled], None] | None = None,
    ):
        """Without ports the Ledger still reads its log (as projection runners do) but refuses commands that
        need keys, personal data or signing."""
        super().__init__(env)
        self._keys = keys
        self._vault = vault
        self._signer = signer
        self.clock = clock or (lambda: datetime.now(UTC))
        self.observe = observe or (lambda handled: None)

    @property
    def keys(self) -> KeyVault:
        return _plugged(self._keys, "key vault")

    @property
    def vault(self) -> PersonalDataVault:
        return _plugged(self._vault, "personal data vault")

    @property
    def signer(self) -> CredentialSigner:
        return _plugged(self._signer, "credential signer")

    # ---- the machinery every command goes through -------------------------------------------------

    def _execute(
        self, name: str, actor: Actor, idempotency_key: str | None, args: Any, operation: Callable[[], Change],
    ) -> Written:
        started = time.perf_counter()
        try:
            written = self._attempt(name, actor, idempotency_key, args, operation)
        except DomainError as error:
            self.observe(CommandHandled(name, actor, time.perf_counter() - started, error=error))
            raise
        self.observe(CommandHandled(name, actor, time.perf_counter() - started, written=written))
        return written

    def _attempt(
        self, name: str, actor: Actor, idempotency_key: str | None, args: Any, operation: Callable[[], Change],
    ) -> Written:
        fingerprint = hashlib.sha256(repr((name, args)).encode()).hexdigest()
        for attempt in range(MAX_ATTEMPTS):
            replay = self._replay(actor, idempotency_key, fingerprint)
            if replay is not None:
                return replay
            change = operation()
            if idempotency_key:
                change.aggregates.append(IdempotencyKey.claim(
                    key=idempotency_key, fingerprint=fingerprint, outcome=str(change.id), actor=actor,
                    effective=self.today(),
                ))
            try:
                return Written(change.id, self._save(change.aggregates), change.token)
            except IntegrityError:
                # Someone else wrote first: wait a random while (so the losers do not collide again in step),
                # then re-read and re-check the rules.
                time.sleep(random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_SECONDS * 2**attempt)))
        raise ConcurrencyConflict(f"{name} kept colliding with concurrent writes; try again")

    def _replay(self, actor: Actor, key: str | None, fingerprint: str) -> Written | None:
        if not key:
            return None
        record = self._first_event(IdempotencyKey.create_id(actor, key))
        if record is None:
            return None
        if record.fingerprint != fingerprint:
            raise IdempotencyKeyReused(f"idempotency key {key!r} was used for a different command")
        return Written(UUID(record.outcome), self.position(), replayed=True)

    def _save(self, aggregates: list[Aggregate]) -> int:
        recordings = self.save(*aggregates)
        return recordings[-1].notification.id if recordings else self.position()

    def position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def today(self) -> date:
        return self.clock().date()

    def load(self, kind: type[A], aggregate_id: UUID) -> A:
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"no {kind.__name__.lower()} {aggregate_id}") from None
        if not isinstance(aggregate, kind):
            raise NotFound(f"no {kind.__name__.lower()} {aggregate_id}")
        return aggregate

    def exists(self, aggregate_id: UUID) -> bool:
        return self._first_event(aggregate_id) is not None

    def _first_event(self, aggregate_id: UUID) -> Any:
        """One keyed read of an aggregate's first event: the whole of an idempotency record, and proof of existence,
        without the snapshot lookup a repository read makes."""
        return next(iter(self.events.get(aggregate_id, limit=1)), None)

    # ---- authorisation helpers ----------------------------------------------------------------------

    @staticmethod
    def _require(actor: Actor, *kinds: ActorKind) -> None:
        if actor.kind not in kinds:
            raise NotPermitted(f"a {actor.kind.value} may not do this")

    def _registered_provider(self, actor: Actor) -> Provider:
        self._require(actor, ActorKind.PROVIDER)
        provider = self.load(Provider, UUID(actor.id))
        provider.check_registered()
        return provider

    def _check_standing(self, actor: Actor) -> None:
        """A provider that acts must still be registered: a deregistered provider writes nothing more."""
        if actor.kind is ActorKind.PROVIDER:
            self._registered_provider(actor)

    def _active_learner(self, learner_id: UUID) -> Learner:
        learner = self.load(Learner, learner_id)
        learner.check_active()
        return learner

    def _own_achievement(self, actor: Actor, achievement_id: UUID) -> Achievement:
        provider = self._registered_provider(actor)
        achievement = self.load(Achievement, achievement_id)
        if achievement.provider_id != provider.id:
            raise NotPermitted("a provider acts only on its own achievements")
        return achievement

    @staticmethod
    def _check_skills_aligned(achievement: Achievement, skill_levels: tuple[SkillLevel, ...]) -> None:
        for level in skill_levels:
            if achievement.skill(level.skill_url) is None:
                raise RuleBroken(
                    f"{level.skill_url} is not a skill {achievement.spec.name} is aligned to", code="skill-not-aligned",
                )

    def _issue_token(self, principal: Actor, actor: Actor) -> tuple[AccessToken, str]:
        return AccessToken.issue(principal=principal, actor=actor, effective=self.today())


P = TypeVar("P")


def _plugged(port: P | None, name: str) -> P:
    if port is None:
        raise RuntimeError(f"this Ledger was built without a {name}")
    return port


def highest_levels(level_sets: Iterable[tuple[SkillLevel, ...]]) -> tuple[SkillLevel, ...]:
    best: dict[str, int] = {}
    for levels in level_sets:
        for level in levels:
            best[level.skill_url] = max(level.level, best.get(level.skill_url, 0))
    return tuple(SkillLevel(url, level) for url, level in best.items())

