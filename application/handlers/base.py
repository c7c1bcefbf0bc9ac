"""What every handler works with: the Change it returns, and the Records it reads (aggregates by id, today's date,
the ports) with the lookups several areas share."""

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate

from application.cache import LogFollowingRepository, private_copy
from application.ports import CredentialSigner, KeyVault, LearnerIds, PersonalDataVault
from application.unit_of_work import UnitOfWork
from domain.achievement import Achievement
from domain.errors import NotFound, RuleBroken
from domain.learner import Learner
from domain.provider import Provider
from domain.values import Actor, ActorKind, Sealer, SkillLevel

A = TypeVar("A", bound=Aggregate)
P = TypeVar("P")


@dataclass
class Change:
    """What a command produced, before it is saved; `after_saved` runs once the events are stored."""

    id: UUID
    aggregates: list[Aggregate] = field(default_factory=list)
    token: str = ""
    after_saved: Callable[[], None] | None = None


@dataclass(frozen=True)
class Ports:
    """Without ports the Ledger still reads its log (as projection runners do) but refuses commands that need keys,
    personal data or signing."""

    keys: KeyVault | None = None
    vault: PersonalDataVault | None = None
    signer: CredentialSigner | None = None
    learner_ids: LearnerIds | None = None


class Records:
    def __init__(self, application: Application[UUID], ports: Ports, clock: Callable[[], datetime]):
        self._application = application
        self.ports = ports
        self.clock = clock
        self._local = threading.local()

    @property
    def work(self) -> UnitOfWork | None:
        """The unit of work this thread's commands run in, if any (a batch import)."""
        found: UnitOfWork | None = getattr(self._local, "work", None)
        return found

    @work.setter
    def work(self, work: UnitOfWork | None) -> None:
        self._local.work = work

    @property
    def cache(self) -> LogFollowingRepository:
        repository = self._application.repository
        assert isinstance(repository, LogFollowingRepository)
        return repository

    @property
    def keys(self) -> KeyVault:
        return _plugged(self.ports.keys, "key vault")

    @property
    def vault(self) -> PersonalDataVault:
        return _plugged(self.ports.vault, "personal data vault")

    @property
    def signer(self) -> CredentialSigner:
        return _plugged(self.ports.signer, "credential signer")

    @property
    def learner_ids(self) -> LearnerIds:
        return _plugged(self.ports.learner_ids, "learner id keying")

    def sealer(self, learner_id: UUID) -> Sealer:
        """Seals a learner's own words under their key, so that erasing them makes the words unreadable."""
        return lambda text: self.vault.seal_text(learner_id, text)

    def today(self) -> date:
        return self.clock().date()

    def load(self, kind: type[A], aggregate_id: UUID) -> A:
        """The command's own copy of the aggregate, to change."""
        return self._found(kind, aggregate_id, copy=True)

    def read(self, kind: type[A], aggregate_id: UUID) -> A:
        """The aggregate as the cache holds it, shared: for rules that only look at it (never to be changed)."""
        return self._found(kind, aggregate_id, copy=False)

    def _found(self, kind: type[A], aggregate_id: UUID, copy: bool) -> A:
        """The unit of work's latest of the aggregate (a batch's earlier items may have changed it), else the cache's;
        a private copy when the command will change it."""
        work: UnitOfWork | None = getattr(self._local, "work", None)
        aggregate: Aggregate | None = work.aggregates.get(aggregate_id) if work is not None else None
        if aggregate is not None:
            if copy:
                aggregate = private_copy(aggregate)
        else:
            try:
                aggregate = self._application.repository.get(aggregate_id, deepcopy_from_cache=copy)
            except AggregateNotFoundError:
                raise NotFound(f"no {kind.__name__.lower()} {aggregate_id}") from None
        if not isinstance(aggregate, kind):
            raise NotFound(f"no {kind.__name__.lower()} {aggregate_id}")
        return aggregate

    def exists(self, aggregate_id: UUID) -> bool:
        """In a unit of work, from memory only: one that exists unseen makes the batch's append collide, and then
        each command runs alone and finds it."""
        work = self.work
        if work is not None:
            return aggregate_id in work.aggregates or self.cache.cached(aggregate_id)
        return self.cache.cached(aggregate_id) or self.first_event(aggregate_id) is not None

    def first_event(self, aggregate_id: UUID) -> Any:
        """One keyed read of an aggregate's first event: the whole of an idempotency record, and proof of existence,
        without the snapshot lookup a repository read makes."""
        return next(iter(self._application.events.get(aggregate_id, limit=1)), None)

    def check_standing(self, actor: Actor) -> None:
        """A provider that acts must still be registered: a deregistered provider writes nothing more. In a unit of
        work, once per provider (the log is not followed during one, so only the batch's own events could change it)."""
        if actor.kind is not ActorKind.PROVIDER:
            return
        work: UnitOfWork | None = getattr(self._local, "work", None)
        if work is not None and actor.id in work.in_standing:
            return
        self.read(Provider, UUID(actor.id)).check_registered()
        if work is not None:
            work.in_standing.add(actor.id)

    def active_learner(self, learner_id: UUID) -> Learner:
        learner = self.load(Learner, learner_id)
        learner.check_active()
        return learner

    def read_active_learner(self, learner_id: UUID) -> Learner:
        """As ``active_learner``, shared (never to be changed)."""
        learner = self.read(Learner, learner_id)
        learner.check_active()
        return learner


def _plugged(port: P | None, name: str) -> P:
    if port is None:
        raise RuntimeError(f"this Ledger was built without a {name}")
    return port


def check_skills_aligned(achievement: Achievement, skill_levels: tuple[SkillLevel, ...]) -> None:
    for level in skill_levels:
        if achievement.skill(level.skill_url) is None:
            raise RuleBroken(
                f"{level.skill_url} is not a skill {achievement.spec.name} is aligned to", code="skill-not-aligned",
            )


def highest_levels(level_sets: Iterable[tuple[SkillLevel, ...]]) -> tuple[SkillLevel, ...]:
    best: dict[str, int] = {}
    for levels in level_sets:
        for level in levels:
            best[level.skill_url] = max(level.level, best.get(level.skill_url, 0))
    return tuple(SkillLevel(url, level) for url, level in best.items())


Handler = Callable[[Records, Actor, Any], Change]
"""A command handler: reads what the rules need, checks who may, asks the aggregates, returns the Change."""
