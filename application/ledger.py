"""The Ledger application: `execute(actor, command, idempotency_key)` finds the command's handler, lets it check
the rules and produce a Change, then saves every new event of that Change in one atomic append (with the idempotency
key's claim, if any). Collisions with concurrent writers are retried from a fresh read."""

import math
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent, Repository
from eventsourcing.domain import Aggregate, Snapshot
from eventsourcing.persistence import IntegrityError, Recording

from application.cache import LogFollowingRepository
from application.commands.base import Command
from application.handlers import catalogue, credentials, enrolments, principals, recognition, shares, work_experience
from application.handlers.base import Change, Handler, Ports, Records, highest_levels
from application.ports import CredentialSigner, KeyVault, LearnerIds, PersonalDataVault, StreamsAppends
from application.unit_of_work import BatchCollided, BatchHandled, UnitOfWork, collector_paused, referenced_ids
from domain.access import AccessToken
from domain.credential import Credential
from domain.enrolment import Enrolment
from domain.errors import ConcurrencyConflict, DomainError, IdempotencyKeyReused
from domain.frozen import lean_init
from domain.idempotency import IdempotencyKey
from domain.learner import Learner
from domain.status_list import StatusList
from domain.values import Actor

__all__ = ["BatchHandled", "Change", "CommandHandled", "Ledger", "Written", "highest_levels"]

A = TypeVar("A", bound=Aggregate)
MAX_ATTEMPTS = 20
"""Each collision means another writer succeeded, so N writers racing on one aggregate need up to N attempts."""
BACKOFF_SECONDS = 0.002
BACKOFF_CAP_SECONDS = 0.1
DEFAULT_CACHE_SIZE = 10_000

HANDLERS: dict[type[Command], Handler] = {
    **principals.HANDLERS, **catalogue.HANDLERS, **enrolments.HANDLERS, **credentials.HANDLERS,
    **recognition.HANDLERS, **work_experience.HANDLERS, **shares.HANDLERS,
}


@lean_init
@dataclass(frozen=True)
class Written:
    """A command's outcome: the aggregate it created or changed, and the log position reached."""

    id: UUID
    position: int
    token: str = ""
    replayed: bool = False
    pending: int | None = None  # in a unit of work: the command's number there; its position comes at the end


@dataclass(frozen=True)
class CommandHandled:
    """What a command did, for the log line: its name, who, the outcome or the refusal, how long."""

    name: str
    actor: Actor
    seconds: float
    written: Written | None = None
    error: DomainError | None = None


def snapshot_due(version: int, interval: int) -> bool:
    """Every `interval` events up to 16 intervals, then every 1/16 to 1/8 of the history (the interval doubled as the
    history doubles): a snapshot costs as much as the state it holds, so at a fixed interval each command of a long
    history would pay more, its share of the next snapshot growing with the history."""
    step = interval
    while version >= step * 16:
        step *= 2
    return version % step == 0


class Ledger(Application[UUID]):
    name = "Ledger"
    snapshotting_intervals = {StatusList: 100, Learner: 100, Enrolment: 100}

    def __init__(
        self, env: Mapping[str, str] | None = None, *, keys: KeyVault | None = None,
        vault: PersonalDataVault | None = None, signer: CredentialSigner | None = None,
        clock: Callable[[], datetime] | None = None,
        observe: Callable[[CommandHandled | BatchHandled], None] | None = None,
        learner_ids: LearnerIds | None = None,
    ):
        super().__init__(env)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.observe = observe or (lambda handled: None)
        self.records = Records(self, Ports(keys, vault, signer, learner_ids), self.clock)

    def execute(self, actor: Actor, command: Command, idempotency_key: str | None = None) -> Written:
        started = time.perf_counter()
        try:
            written = self._attempt(actor, command, idempotency_key)
        except DomainError as error:
            self.observe(CommandHandled(command.command_name, actor, time.perf_counter() - started, error=error))
            raise
        work = self.records.work
        if written.pending is not None and work is not None:  # logged with the unit of work, once it is appended
            work.handled[command.command_name] += 1
            work.actor = actor
            return written
        self.observe(CommandHandled(command.command_name, actor, time.perf_counter() - started, written=written))
        return written

    def keep(self, work: UnitOfWork, actor: Actor, command: Command, idempotency_key: str | None = None) -> Written:
        """``execute`` in a unit of work (a batch's item): the same rules, replay and log lines, without its retry
        loop, as nothing is appended before the unit of work ends; the change and its claim are kept there."""
        started = time.perf_counter()
        fingerprint = command.fingerprint()
        try:
            change = self._checked_change(actor, idempotency_key, fingerprint, HANDLERS[type(command)], command)
        except DomainError as error:
            self.observe(CommandHandled(command.command_name, actor, time.perf_counter() - started, error=error))
            raise
        if isinstance(change, Written):  # a replay of the key's first outcome
            self.observe(CommandHandled(command.command_name, actor, time.perf_counter() - started, written=change))
            return change
        claim = self._claim(actor, idempotency_key, fingerprint, change.id)
        work.handled[command.command_name] += 1
        work.actor = actor
        return Written(change.id, 0, change.token, pending=work.keep(change.aggregates, claim, change.after_saved))

    def construct_repository(self) -> Repository[UUID]:
        return LogFollowingRepository(
            self.events, self.snapshots, self.recorder, self.mapper,
            int(self.env.get("AGGREGATE_CACHE_MAXSIZE") or DEFAULT_CACHE_SIZE),
        )

    @property
    def aggregates(self) -> LogFollowingRepository:
        repository = self.repository
        assert isinstance(repository, LogFollowingRepository)
        return repository

    def _attempt(self, actor: Actor, command: Command, idempotency_key: str | None) -> Written:
        """Reads come from the log-following cache (one query); the idempotency key is read only when the atomic
        append collides (a retry's claim always does) or a rule refuses (a retried command may break one now)."""
        handle = HANDLERS[type(command)]
        fingerprint = command.fingerprint()
        work = self.records.work
        follow = work is None and type(command) not in shares.RULES_ON_THE_CHANGED_AGGREGATE_ONLY
        for attempt in range(MAX_ATTEMPTS):
            if follow:
                self.aggregates.follow()
            change = self._checked_change(actor, idempotency_key, fingerprint, handle, command)
            if isinstance(change, Written):
                return change
            claim = self._claim(actor, idempotency_key, fingerprint, change.id)
            if work is not None:
                return Written(change.id, 0, change.token,
                               pending=work.keep(change.aggregates, claim, change.after_saved))
            read_at = {aggregate.id: aggregate.version - len(aggregate.pending_events) for aggregate in
                       change.aggregates}
            try:
                written = Written(change.id, self._save(change.aggregates, claim), change.token)
            except IntegrityError:
                replay = self._replay(actor, idempotency_key, fingerprint)
                if replay is not None:
                    return replay
                # Someone else wrote first: bring those aggregates up to date, wait a random while (so the losers do
                # not collide again in step), then re-check the rules.
                self.aggregates.after_collision(read_at)
                time.sleep(random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_SECONDS * 2**attempt)))
                continue
            if change.after_saved is not None:
                change.after_saved()
            return written
        raise ConcurrencyConflict(f"{command.command_name} kept colliding with concurrent writes; try again")

    def _checked_change(
        self, actor: Actor, idempotency_key: str | None, fingerprint: str, handle: Handler, command: Command,
    ) -> Change | Written:
        """The command's change, or the replay of the first outcome."""
        try:
            return handle(self.records, actor, command)
        except DomainError:
            replay = self._replay(actor, idempotency_key, fingerprint)
            if replay is not None:
                return replay
            raise

    def _claim(self, actor: Actor, idempotency_key: str | None, fingerprint: str, outcome: UUID) -> Any:
        """The idempotency key's claim (an event), appended after the change's events."""
        if not idempotency_key:
            return None
        return IdempotencyKey.claimed(key=idempotency_key, fingerprint=fingerprint, outcome=str(outcome), actor=actor,
                                      effective=self.today())

    @contextmanager
    def unit_of_work(self, touching: Iterable[UUID] = ()) -> Iterator[UnitOfWork]:
        """Commands executed inside append together at the end (see application/unit_of_work.py); raises
        BatchCollided when that append collides, having written nothing. The aggregates ``touching`` names, and
        those they refer to, are read up front in one query each where the store can."""
        started = time.perf_counter()
        recorder = self.events.recorder
        work = UnitOfWork(stream=recorder.open_stream() if isinstance(recorder, StreamsAppends) else None,
                          to_stored=self.events.mapper.to_stored_event)
        self.records.work = work
        with collector_paused():
            try:
                self.aggregates.follow()
                self.aggregates.prefetch(referenced_ids(self.aggregates.prefetch(touching)))
                yield work
            except BaseException:
                if work.stream is not None:
                    work.stream.abandon()
                raise
            finally:
                self.records.work = None
            self._append(work, started)

    def _append(self, work: UnitOfWork, started: float) -> None:
        if not work.events:
            work.appended([], self.position())
            return
        try:
            positions = self._record_batch(work)
        except IntegrityError as error:
            self.aggregates.forget(work.aggregates)
            raise BatchCollided(str(error)) from error
        work.appended(positions, 0)
        self.aggregates.appended(positions[0], positions[-1])
        work.after_saved()
        self.observe(BatchHandled(work.actor, dict(work.handled), len(work.events), positions[-1],
                                  time.perf_counter() - started))

    def _record_batch(self, work: UnitOfWork) -> list[int]:
        """What ``save`` does with a batch's events (one atomic insert, the aggregates cached as saved, snapshots that
        fall due), without a Recording and a Notification made per event (2,000 of each): it needs only positions.
        The library's notify hooks, which do nothing here, are not called."""
        streamed, rest = work.stored_events()
        positions: Sequence[int] | None = work.stream.finish(rest) if work.stream is not None else None
        if positions is None:
            positions = self.events.recorder.insert_events(streamed + rest)
        assert positions is not None and len(positions) == len(work.events)
        self.aggregates.remember_saved(work.aggregates.values(), copy=False)  # each a command's own, done with
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        processing_event.events.extend(work.events)
        processing_event.aggregates.update(work.aggregates)
        self._take_snapshots(processing_event)
        return list(positions)

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's save, collecting by class instead of by runtime protocol checks (one per object)."""
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        for obj in objs:
            if isinstance(obj, Aggregate):
                processing_event.events.extend(obj.collect_events())
                processing_event.aggregates[obj.id] = obj
            elif obj is not None:
                processing_event.events.append(obj)
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)
        return recordings

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """A snapshot of the saved aggregate in hand, not (as the library does) of the same read back from the store:
        at 1,000 events that read was a tenth of them decoded again in the command that crossed an interval."""
        if self.snapshots is None:
            return
        every = math.gcd(*self.snapshotting_intervals.values()) or 1  # a version no interval divides is never due
        for event in processing_event.events:
            if event.originator_version % every:
                continue
            aggregate = processing_event.aggregates.get(event.originator_id)
            if aggregate is None:
                continue
            interval = self.snapshotting_intervals.get(type(aggregate))
            if interval is None or not snapshot_due(event.originator_version, interval):
                continue
            if aggregate.version == event.originator_version:
                self.snapshots.put([Snapshot.take(aggregate)])
            else:
                self.take_snapshot(event.originator_id, event.originator_version)

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        recordings = super()._record(processing_event)
        self.aggregates.remember_saved(processing_event.aggregates.values())
        return recordings

    def _replay(self, actor: Actor, key: str | None, fingerprint: str) -> Written | None:
        if not key:
            return None
        record = self.records.first_event(IdempotencyKey.create_id(actor, key))
        if record is None:
            return None
        if record.fingerprint != fingerprint:
            raise IdempotencyKeyReused(f"idempotency key {key!r} was used for a different command")
        return Written(UUID(record.outcome), self.position(), replayed=True)

    def _save(self, aggregates: list[Aggregate], claim: Any) -> int:
        recordings = self.save(*aggregates, claim)  # the aggregates are cached as saved (``_record``)
        if not recordings:
            return self.position()
        self.aggregates.appended(recordings[0].notification.id, recordings[-1].notification.id)
        return recordings[-1].notification.id

    def position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def today(self) -> date:
        return self.clock().date()

    def load(self, kind: type[A], aggregate_id: UUID) -> A:
        return self.records.load(kind, aggregate_id)

    def signed_credential(self, credential_id: UUID) -> dict[str, Any] | None:
        """The credential as signed at issuance, opened from under the learner's key (None once they are erased)."""
        credential = self.load(Credential, credential_id)
        if isinstance(credential.document, dict):
            return credential.document
        return self.records.vault.open_json(credential.learner_id, credential.document)

    def arrived(self) -> None:
        """A request arrived: the follows of the log it makes (its token, its command) share one (cache.py)."""
        self.aggregates.arrived()

    def principal_for(self, token: str) -> Actor | None:
        """The principal a bearer token belongs to, from the cache once the log is followed (a token revoked in
        another process is refused from then on)."""
        self.aggregates.follow()
        try:
            grant: Aggregate = self.repository.get(AccessToken.id_for(token))
        except AggregateNotFoundError:
            return None
        if not isinstance(grant, AccessToken) or grant.revoked:
            return None
        return grant.principal
