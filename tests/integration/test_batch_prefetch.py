"""A batch reads the aggregates it touches up front, in one query, in a process that has not cached them (a fresh
`ler serve` worker): every item still sees exactly what a read of its own would have given."""

from collections.abc import Callable, Iterator
from datetime import date
from uuid import UUID

import pytest
from eventsourcing.application import project_aggregate

from application.commands.enrolments import Enrol, RecordAssessment
from application.commands.principals import IssueToken
from application.ledger import Ledger
from domain.enrolment import Enrolment
from domain.learner import Learner
from domain.values import Actor, AssessmentOutcome, SkillLevel
from tests.domain.gwt import ADMIN, COMMUNICATION, FixedClock, World
from tests.integration.round_trips import RoundTrips
from wiring.services import Services, build_services
from wiring.settings import load_settings

pytestmark = pytest.mark.postgres


def _services(tmp_path, postgres_url: str, postgres_schema: str, name: str) -> Services:
    return build_services(load_settings({
        "LER_DATA_DIR": str(tmp_path / name), "DATABASE_URL": f"{postgres_url}?schema={postgres_schema}",
        "LER_DB_CHECK_CONNECTIONS": "0"}))


@pytest.fixture
def writer(tmp_path, postgres_url: str, postgres_schema: str) -> Iterator[Ledger]:
    built = _services(tmp_path, postgres_url, postgres_schema, "writer")
    yield built.ledger
    built.close()


@pytest.fixture
def fresh_worker(tmp_path, postgres_url: str, postgres_schema: str) -> Iterator[Callable[[], Ledger]]:
    """Another worker started after the writes: it has cached none of them."""
    started: list[Services] = []

    def start() -> Ledger:
        started.append(_services(tmp_path, postgres_url, postgres_schema, f"cold{len(started)}"))
        return started[-1].ledger

    yield start
    for built in started:
        built.close()


def _assessment(enrolment: UUID, n: int) -> RecordAssessment:
    return RecordAssessment(enrolment, title=f"Task {n}", outcome=AssessmentOutcome.PASSED, assessor="Dr Tane",
                            skill_levels=(SkillLevel(COMMUNICATION.url, 3),), assessed_on=date(2024, 4, 1))


def test_a_cold_batch_reads_what_its_items_touch_in_two_queries(writer, fresh_worker, monkeypatch) -> None:
    world = World(writer, FixedClock())
    provider = world.provider()
    achievement = world.achievement(provider)
    learners = [world.learner() for _ in range(20)]
    enrolled = [world.enrolment(provider, learner, achievement) for learner in learners[:10]]
    cold = fresh_worker()
    trips = RoundTrips(monkeypatch)
    with cold.unit_of_work([UUID(provider.id), achievement, *learners, *enrolled]) as work:
        for n, learner in enumerate(learners[10:]):
            cold.execute(provider, Enrol(learner, achievement_id=achievement, term="2024-T1",
                                         effective=date(2024, 3, 1)), idempotency_key=f"e-{n}")
        for n, enrolment in enumerate(enrolled):
            cold.execute(provider, _assessment(enrolment, n), idempotency_key=f"a-{n}")
    assert trips.count == 3, "follow the log, read the 41 aggregates at once, append every event"
    assert cold.aggregates.reads == 0 and len(work.positions) == 20
    writer.aggregates.follow()
    assert all(len(writer.load(Enrolment, enrolment).assessments) == 1 for enrolment in enrolled)


def test_what_the_named_aggregates_refer_to_is_read_in_a_second_query(writer, fresh_worker, monkeypatch) -> None:
    world = World(writer, FixedClock())
    provider = world.provider()
    achievement = world.achievement(provider)
    enrolled = [world.enrolment(provider, world.learner(), achievement) for _ in range(5)]
    cold = fresh_worker()
    trips = RoundTrips(monkeypatch)
    with cold.unit_of_work(enrolled):  # the enrolments name their learner, achievement and provider
        for n, enrolment in enumerate(enrolled):
            cold.execute(provider, _assessment(enrolment, n), idempotency_key=f"a-{n}")
    assert trips.count == 4, "follow, the enrolments, what they refer to, the append"
    assert cold.aggregates.reads == 0 and cold.aggregates.prefetches == 2


def test_an_aggregate_read_from_its_snapshot_is_the_one_read_alone(writer, fresh_worker) -> None:
    learner = World(writer, FixedClock()).learner()
    writer.take_snapshot(learner)
    writer.execute(ADMIN, IssueToken(Actor.learner(learner)))  # the learner changes after its snapshot
    other = fresh_worker()
    [read] = other.aggregates.prefetch([learner])
    alone = other.aggregates._reconstruct_aggregate(learner, None, project_aggregate)
    assert read.version == alone.version > 1 and vars(read) == vars(alone)
    assert other.aggregates.prefetch([learner]) == [], "cached now: nothing to read"


def test_the_embedded_store_reads_each_aggregate_alone_instead(tmp_path) -> None:
    services = build_services(load_settings({"LER_DATA_DIR": str(tmp_path / "data")}))
    ledger = services.ledger
    learner = World(ledger, FixedClock()).learner()
    ledger.aggregates.forget([learner])
    assert ledger.aggregates.prefetch([learner]) == [] and ledger.aggregates.prefetches == 0
    assert ledger.load(Learner, learner).id == learner and ledger.aggregates.reads == 1
    services.close()


def test_the_next_follow_starts_after_the_batch_unless_another_writer_came_first(writer, fresh_worker) -> None:
    world = World(writer, FixedClock())
    provider = world.provider()
    achievement = world.achievement(provider)
    learners = [world.learner() for _ in range(4)]
    other = fresh_worker()
    with writer.unit_of_work(learners):
        for n, learner in enumerate(learners[:2]):
            writer.execute(provider, Enrol(learner, achievement, "2024-T1", effective=date(2024, 3, 1)), f"e-{n}")
    assert writer.aggregates.followed == writer.position(), "its own events are not read back"

    other.execute(provider, Enrol(learners[3], achievement, "2024-T1", effective=date(2024, 3, 1)))
    followed = writer.aggregates.followed
    with writer.unit_of_work(learners):  # follows the other's write first: then its own are next in the log
        writer.execute(provider, Enrol(learners[2], achievement, "2024-T1", effective=date(2024, 3, 1)), "e-2")
    assert followed < writer.aggregates.followed == writer.position()
    assert writer.aggregates.cached(Enrolment.create_id(learners[3], achievement, "2024-T1")), "the other's, followed"


def test_after_a_command_the_next_follow_starts_after_its_events_unless_another_writer_came_first(
        writer, fresh_worker) -> None:
    world = World(writer, FixedClock())
    provider = world.provider()
    achievement = world.achievement(provider)
    learners = [world.learner() for _ in range(3)]
    writer.execute(provider, Enrol(learners[0], achievement, "2024-T1", effective=date(2024, 3, 1)), "c-0")
    assert writer.aggregates.followed == writer.position(), "its own events are not read back"

    other = fresh_worker()
    other.execute(provider, Enrol(learners[1], achievement, "2024-T1", effective=date(2024, 3, 1)))
    followed = writer.aggregates.followed
    written = writer.execute(provider, Enrol(learners[2], achievement, "2024-T1", effective=date(2024, 3, 1)), "c-2")
    assert followed < writer.aggregates.followed == written.position == writer.position()
    assert writer.aggregates.cached(Enrolment.create_id(learners[1], achievement, "2024-T1")), "the other's, followed"
    assert writer.load(Enrolment, written.id).version == 1


def test_an_aggregate_not_cached_is_read_in_one_round_trip(writer, fresh_worker, monkeypatch) -> None:
    world = World(writer, FixedClock())
    provider = world.provider()
    enrolment = world.enrolment(provider, world.learner(), world.achievement(provider))
    writer.take_snapshot(enrolment)
    writer.execute(provider, _assessment(enrolment, 1))  # an event after the snapshot
    other = fresh_worker()
    trips = RoundTrips(monkeypatch)
    read = other.load(Enrolment, enrolment)
    assert trips.count == 1, "the snapshot and the events after it in one query (the library: two)"
    alone = other.aggregates._reconstruct_aggregate(enrolment, None, project_aggregate)
    assert read.version == alone.version == 2 and vars(read) == vars(alone)
    assert other.aggregates.reads == 1
