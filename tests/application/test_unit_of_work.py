"""A unit of work (a batch import) in memory: one line for what it appended, and the cyclic garbage collector off
while any batch runs, on again when the last one ends."""

import gc
import threading
import weakref
from datetime import date
from uuid import UUID

import pytest

from application.commands.enrolments import Enrol, RecordAssessment
from application.commands.principals import DeregisterProvider
from application.ledger import BatchHandled, CommandHandled, Ledger
from application.unit_of_work import collector_paused
from domain.enrolment import Enrolment
from domain.errors import NotFound, RuleBroken
from domain.idempotency import IdempotencyKey
from domain.values import Actor, AssessmentOutcome
from tests.domain.gwt import World


def test_the_collector_is_off_while_batches_run_and_on_after_the_last(ledger: Ledger) -> None:
    first_inside = threading.Event()
    second_done = threading.Event()
    seen: dict[str, bool] = {}

    def second() -> None:
        first_inside.wait()
        with ledger.unit_of_work():
            seen["second"] = gc.isenabled()
        second_done.set()

    other = threading.Thread(target=second)
    other.start()
    assert gc.isenabled()
    with ledger.unit_of_work():
        first_inside.set()
        second_done.wait()
        seen["first, after the second ended"] = gc.isenabled()
    other.join()
    assert seen == {"second": False, "first, after the second ended": False}
    assert gc.isenabled(), "on again after the last batch"


def test_the_collector_is_on_again_when_a_batch_fails(ledger: Ledger) -> None:
    try:
        with ledger.unit_of_work():
            raise NotFound("an item the caller's code did not expect")
    except NotFound:
        pass
    assert gc.isenabled()


class _Cycle:
    def __init__(self) -> None:
        self.itself = self


def test_what_a_batch_leaves_alive_is_frozen_and_its_garbage_cycles_are_swept_every_so_many_batches(
        ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collector_paused, "SWEEP_EVERY", 3)
    monkeypatch.setattr(collector_paused, "_ended", 0)
    with ledger.unit_of_work():
        kept, dropped = [_Cycle() for _ in range(1000)], _Cycle()
        garbage = weakref.ref(dropped)
        del dropped
    assert gc.isenabled() and gc.get_freeze_count() >= 1000, "what the batch left alive is not scanned again"
    gc.collect()
    assert garbage() is not None, "frozen with the rest until the sweep"
    for _ in range(2):
        with ledger.unit_of_work():
            pass
    assert garbage() is None, "the third batch's end collected the frozen objects once"
    assert gc.get_freeze_count() >= len(kept), "and froze what is alive again"


def test_a_batch_is_observed_once_for_what_it_appended(ledger: Ledger, world: World) -> None:
    provider = world.provider()
    achievement = world.achievement(provider)
    learners = [world.learner() for _ in range(3)]
    seen: list[CommandHandled | BatchHandled] = []
    ledger.observe = seen.append
    with ledger.unit_of_work():
        for learner in learners:
            ledger.execute(provider, Enrol(learner, achievement, "2024-T1", effective=date(2024, 3, 1)))
    [batch] = seen
    assert isinstance(batch, BatchHandled)
    assert (batch.actor, batch.commands, batch.events, batch.position) == (
        provider, {"enrol": 3}, 3, ledger.position())


def test_a_batch_caches_what_it_changed_but_not_its_claims_and_is_not_read_back(ledger: Ledger, world: World) -> None:
    provider = world.provider()
    achievement = world.achievement(provider)
    learner = world.learner()
    with ledger.unit_of_work() as work:
        ledger.execute(provider, Enrol(learner, achievement, "2024-T1", effective=date(2024, 3, 1)), "enrol-1")
    cache = ledger.aggregates
    assert cache.cached(Enrolment.create_id(learner, achievement, "2024-T1"))
    assert not cache.cached(IdempotencyKey.create_id(provider, "enrol-1"))
    assert cache.followed == ledger.position() == work.positions[0]


def test_rules_that_only_look_share_the_cached_aggregate_and_a_command_changes_its_own_copy(
        ledger: Ledger, world: World) -> None:
    provider = world.provider()
    achievement = world.achievement(provider)
    learner = world.learner()
    records = ledger.records
    cached = ledger.aggregates.get(learner, deepcopy_from_cache=False)
    assert records.read_active_learner(learner) is cached
    assert records.load(Enrolment, ledger.execute(provider, Enrol(
        learner, achievement, "2024-T1", effective=date(2024, 3, 1))).id) is not records.read(
        Enrolment, Enrolment.create_id(learner, achievement, "2024-T1"))
    with ledger.unit_of_work():
        ledger.execute(provider, Enrol(learner, achievement, "2024-T2", effective=date(2024, 3, 1)))
        enrolment = Enrolment.create_id(learner, achievement, "2024-T2")
        assert records.read(Enrolment, enrolment) is records.read(Enrolment, enrolment)
        assert records.load(Enrolment, enrolment) is not records.read(Enrolment, enrolment)
    assert ledger.aggregates.get(learner, deepcopy_from_cache=False).version == cached.version


def test_a_providers_standing_is_checked_once_per_batch_until_the_batch_changes_the_provider(
    ledger: Ledger, world: World,
) -> None:
    provider = world.provider()
    achievement = world.achievement(provider)
    first, second, third = (world.learner() for _ in range(3))
    reads = ledger.aggregates.reads
    with ledger.unit_of_work() as work:
        ledger.execute(provider, Enrol(first, achievement, "2024-T1", effective=date(2024, 3, 1)))
        assert work.in_standing == {provider.id}
        ledger.execute(provider, Enrol(second, achievement, "2024-T1", effective=date(2024, 3, 1)))
        ledger.execute(Actor.admin(), DeregisterProvider(UUID(provider.id), "closed", effective=date(2024, 3, 2)))
        assert work.in_standing == set()
        with pytest.raises(RuleBroken) as refused:
            ledger.execute(provider, Enrol(third, achievement, "2024-T1", effective=date(2024, 3, 3)))
    assert refused.value.code == "provider-deregistered"
    assert ledger.aggregates.reads == reads
    assert [e.learner_id for e in (ledger.load(Enrolment, Enrolment.create_id(lr, achievement, "2024-T1"))
                                   for lr in (first, second))] == [first, second]


def test_a_batch_takes_the_snapshots_that_fall_due_and_gives_each_command_its_position(
    ledger: Ledger, world: World, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(Ledger.snapshotting_intervals, Enrolment, 2)
    provider = world.provider()
    achievement = world.achievement(provider)
    learner = world.learner()
    before = ledger.position()
    with ledger.unit_of_work() as work:
        enrolment = ledger.execute(provider, Enrol(learner, achievement, "2024-T1", effective=date(2024, 3, 1)),
                                   "enrol-1").id
        ledger.execute(provider, RecordAssessment(enrolment, "Portfolio", AssessmentOutcome.PASSED, "Dr A",
                                                  assessed_on=date(2024, 3, 2)), "assess-1")
    assert work.positions == [before + 2, before + 4] == [before + 2, ledger.position()]
    assert ledger.snapshots is not None
    [snapshot] = ledger.snapshots.get(enrolment)
    assert snapshot.originator_version == 2
    assert ledger.load(Enrolment, enrolment).version == 2
