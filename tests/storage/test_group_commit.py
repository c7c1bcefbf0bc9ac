"""Group commit (adapters/storage/postgres.py): concurrent saves from real threads, conflicts mixed in."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from uuid import UUID

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError

from adapters.storage.postgres import AppendOnlyPostgresApplicationRecorder

pytestmark = pytest.mark.postgres


class Counter(Aggregate):
    @event("Created")
    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    @event("Incremented")
    def increment(self, by: int) -> None:
        self.count += by


def new_app(env: dict[str, str], **extra: str) -> Application[UUID]:
    """An app named uniquely, so it has a stored events table of its own."""
    cls = type(f"Group{uuid.uuid4().hex[:8]}", (Application,), {})
    return cls(env={**env, **extra})


@pytest.fixture(
    params=[
        pytest.param({}, id="defaults: two batches in flight, no wait"),
        pytest.param({"LEDGER_GROUP_COMMIT_WRITERS": "1", "LEDGER_GROUP_COMMIT_WAIT_MS": "2"}, id="one writer, wait"),
        pytest.param({"LEDGER_EARLY_UNLOCK": "yes"}, id="lock released before the flush"),
    ]
)
def app(postgres_env: dict[str, str], request: pytest.FixtureRequest) -> Iterator[Application[UUID]]:
    application = new_app(postgres_env, **request.param)
    yield application
    application.close()


def test_group_commit_is_on_by_default_and_can_be_turned_off(postgres_env: dict[str, str]) -> None:
    on, off = new_app(postgres_env), new_app(postgres_env, LEDGER_GROUP_COMMIT="0")
    try:
        assert isinstance(on.recorder, AppendOnlyPostgresApplicationRecorder)
        assert isinstance(off.recorder, AppendOnlyPostgresApplicationRecorder)
        assert on.recorder.group_committer is not None
        assert off.recorder.group_committer is None
        for application in (on, off):
            counter = Counter("a")
            counter.increment(1)
            recordings = application.save(counter)
            assert [r.notification.id for r in recordings] == [1, 2]
            assert application.repository.get(counter.id).count == 1
    finally:
        on.close()
        off.close()


def test_one_save_is_atomic_and_a_conflict_raises_integrity_error(app: Application[UUID]) -> None:
    counter = Counter("a")
    app.save(counter)
    stale: Counter = app.repository.get(counter.id)
    fresh: Counter = app.repository.get(counter.id)
    fresh.increment(1)
    app.save(fresh)
    stale.increment(5)
    stale.increment(6)
    with pytest.raises(IntegrityError):
        app.save(stale)
    assert app.repository.get(counter.id).count == 1
    assert [n.originator_version for n in app.recorder.select_notifications(1, 10)] == [1, 2]


def test_concurrent_saves_with_conflicts(app: Application[UUID]) -> None:
    """Writers save new aggregates (2 events each) and increment shared ones from stale copies: every successful save
    is stored exactly once, each conflict fails only its own caller, ids are gapless and match each caller's ids."""
    recorder = app.recorder
    assert isinstance(recorder, AppendOnlyPostgresApplicationRecorder)
    committer = recorder.group_committer
    assert committer is not None
    shared = [Counter(f"shared{i}") for i in range(3)]
    app.save(*shared)
    writers, rounds = 6, 40
    barrier = threading.Barrier(writers)
    outcomes: list[list[tuple[str, object, list[int]]]] = [[] for _ in range(writers)]
    errors: list[BaseException] = []

    def work(w: int) -> None:
        try:
            for r in range(rounds):
                if r % 3 == 0:
                    # Everyone loads the same version, then saves: all but one of each version must conflict.
                    target = shared[r % len(shared)].id
                    copy: Counter = app.repository.get(target)
                    copy.increment(1)
                    copy.increment(1)
                    barrier.wait()
                    try:
                        recordings = app.save(copy)
                    except IntegrityError:
                        outcomes[w].append(("conflict", target, []))
                    else:
                        outcomes[w].append(("increment", target, [rec.notification.id for rec in recordings]))
                else:
                    counter = Counter(f"w{w}r{r}")
                    counter.increment(r)
                    recordings = app.save(counter)
                    outcomes[w].append(("new", counter.id, [rec.notification.id for rec in recordings]))
        except BaseException as error:
            errors.append(error)
            barrier.abort()

    seen: list[int] = []
    expected: list[int] = []

    def follow() -> None:
        with recorder.subscribe(gt=0) as subscription:
            for notification in subscription:
                seen.append(notification.id)
                if expected and len(seen) >= expected[0]:
                    break

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors

    notifications = recorder.select_notifications(1, 100_000)
    ids = [n.id for n in notifications]
    expected.append(len(ids))
    app.save(Counter("wake the follower up"))
    follower.join(timeout=30)
    # A rolled-back save leaves its sequence values unused (as with the library's recorder), but a subscriber
    # that read along while the writers wrote saw every committed event once, in id order: none committed late.
    assert seen[: len(ids)] == ids
    assert ids == sorted(set(ids))
    by_id = {n.id: n for n in notifications}
    stored = {(n.originator_id, n.originator_version) for n in notifications}
    assert len(stored) == len(notifications), "no event stored twice"

    successes = [o for per_writer in outcomes for o in per_writer if o[0] != "conflict"]
    conflicts = [o for per_writer in outcomes for o in per_writer if o[0] == "conflict"]
    assert conflicts, "the test must mix conflicts in"
    assert len(successes) + len(conflicts) == writers * rounds
    returned_ids = [i for _, _, got in successes for i in got]
    assert sorted(returned_ids) == ids[len(shared):], "each stored event belongs to exactly one successful save"
    for _kind, target, got in successes:
        assert len(got) == 2 and got == sorted(got)
        assert all(by_id[i].originator_id == target for i in got), "each caller gets its own events' ids"
    # Each shared counter: one winner per contested version, two events each, the count matches the events.
    for counter in shared:
        versions = sorted(n.originator_version for n in notifications if n.originator_id == counter.id)
        assert versions == list(range(1, len(versions) + 1))
        assert app.repository.get(counter.id).count == len(versions) - 1
    assert committer.batches < len(successes), "saves were grouped into fewer transactions"
    assert committer.fallbacks > 0, "conflicting saves were batched together and fell back to savepoints"
    if committer.early_unlock:
        assert 0 < committer.unlocked_early < committer.batches, "two in flight: released early; alone: not"


def test_a_subscriber_sees_every_event_in_order_while_writers_write(app: Application[UUID]) -> None:
    writers, per_writer = 4, 60
    seen: list[int] = []
    total = writers * per_writer * 2

    def follow() -> None:
        with app.recorder.subscribe(gt=0) as subscription:
            for notification in subscription:
                seen.append(notification.id)
                if len(seen) >= total:
                    break

    follower = threading.Thread(target=follow)
    follower.start()

    def write(w: int) -> None:
        for r in range(per_writer):
            counter = Counter(f"{w}-{r}")
            counter.increment(1)
            app.save(counter)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    follower.join(timeout=30)
    assert not follower.is_alive()
    assert seen == list(range(1, total + 1))


def test_with_the_lock_released_before_the_flush_an_event_after_a_missing_version_is_refused(
        postgres_env: dict[str, str]) -> None:
    """A version that was visible but lost in a crash must not have events appended after it: the append refuses an
    event whose previous version is neither stored nor in the same save, alone, as a conflict."""
    application = new_app(postgres_env, LEDGER_EARLY_UNLOCK="yes")
    try:
        committer = application.recorder.group_committer  # type: ignore[attr-defined]
        counter = Counter("a")
        application.save(counter)
        lost: Counter = application.repository.get(counter.id)
        lost.increment(1)
        lost.collect_events()  # never stored: as if a crash lost it
        lost.increment(2)
        with pytest.raises(IntegrityError):
            application.save(lost)
        several = Counter("b")
        several.increment(1)
        several.increment(2)
        application.save(several)  # versions 1 to 3 in one save
        stored_before = len(application.recorder.select_notifications(1, 100))
        assert stored_before == 4
        writers, rounds = 4, 10
        barrier = threading.Barrier(writers)
        outcomes: list[tuple[bool, str]] = []

        def work(w: int) -> None:
            for r in range(rounds):
                counter_w = Counter(f"{w}-{r}")
                gapped = (w + r) % 2 == 0
                if gapped:
                    counter_w.collect_events()
                    counter_w.increment(3)
                barrier.wait()
                outcomes.append((gapped, _outcome(application, counter_w)))

        threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(set(outcomes)) == [(False, "saved"), (True, "IntegrityError")]
        assert len(application.recorder.select_notifications(1, 1000)) == stored_before + writers * rounds // 2
        assert committer.early_unlock
    finally:
        application.close()


def _outcome(application: Application[UUID], aggregate: Aggregate) -> str:
    try:
        application.save(aggregate)
    except IntegrityError:
        return "IntegrityError"
    return "saved"


def test_group_commit_settings_are_read_and_checked(postgres_env: dict[str, str]) -> None:
    application = new_app(postgres_env)
    try:
        committer = application.recorder.group_committer  # type: ignore[attr-defined]
        assert (committer.max_writers, committer.max_wait, committer.max_batch) == (2, 0.0, 64)
    finally:
        application.close()
    with pytest.raises(ValueError, match="LEDGER_GROUP_COMMIT_WRITERS"):
        new_app(postgres_env, LEDGER_GROUP_COMMIT_WRITERS="0")
