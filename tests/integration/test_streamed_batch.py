"""A large batch on PostgreSQL sends its events in chunks while later items are worked out, in one transaction that
holds the insert lock from the first chunk to the commit: it is still appended all at once or not at all."""

import time
from collections.abc import Callable, Iterator
from datetime import date
from uuid import UUID

import psycopg
import pytest

from adapters.storage.streamed_append import BATCH_STREAM_SECONDS
from application.commands.enrolments import Enrol, RecordAssessment
from application.ledger import Ledger
from application.unit_of_work import STREAM_CHUNK, BatchCollided, UnitOfWork
from domain.enrolment import Enrolment
from domain.values import Actor, AssessmentOutcome, SkillLevel
from tests.domain.gwt import COMMUNICATION, FixedClock, World
from wiring.services import build_services
from wiring.settings import load_settings

pytestmark = pytest.mark.postgres
LEARNERS = STREAM_CHUNK  # an enrolment and a claim each: two chunks' worth of events


@pytest.fixture
def ledger_with(tmp_path, postgres_url: str, postgres_schema: str) -> Iterator[Callable[..., Ledger]]:
    built = []

    def start(name: str) -> Ledger:
        built.append(build_services(load_settings({
            "LER_DATA_DIR": str(tmp_path / name), "DATABASE_URL": f"{postgres_url}?schema={postgres_schema}",
            "LER_DB_CHECK_CONNECTIONS": "0"})))
        return built[-1].ledger

    yield start
    for services in built:
        services.close()


@pytest.fixture
def ledger(ledger_with, monkeypatch) -> Ledger:
    monkeypatch.setenv(BATCH_STREAM_SECONDS, "60")  # a slow machine's batch streams to its end too
    return ledger_with("batch")


@pytest.fixture
def lock_holders(postgres_url: str, postgres_schema: str) -> Iterator[Callable[[], list[int]]]:
    """The backends holding the events table's insert lock now."""
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        def holders() -> list[int]:
            return [pid for (pid,) in conn.execute(
                "SELECT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relname = 'storedledger_events' AND l.mode = 'ExclusiveLock' "
                "AND l.granted", (postgres_schema,)).fetchall()]
        yield holders


def _soon(found: Callable[[], list[int]]) -> list[int]:
    """What ``found`` returns once it is not empty (the stream's thread sends on its own time)."""
    deadline = time.monotonic() + 5
    while not (result := found()) and time.monotonic() < deadline:
        time.sleep(0.01)
    return result


def _given(ledger: Ledger, count: int) -> tuple[Actor, UUID, list[UUID], int]:
    """A provider, its achievement, ``count`` learners, and the log's position after them."""
    world = World(ledger, FixedClock())
    provider = world.provider()
    achievement = world.achievement(provider)
    return provider, achievement, [world.learner() for _ in range(count)], ledger.position()


def _enrol_all(ledger: Ledger, work: UnitOfWork, provider: Actor, achievement: UUID, learners: list[UUID]) -> None:
    for n, learner in enumerate(learners):
        ledger.keep(work, provider, Enrol(learner, achievement, "2024-T1", effective=date(2024, 3, 1)), f"e-{n}")


def _stored_since(ledger: Ledger, position: int) -> list[tuple[int, UUID, int]]:
    found = ledger.recorder.select_notifications(start=position + 1, limit=10_000)
    return [(n.id, n.originator_id, n.originator_version) for n in found]


def test_a_large_batch_is_in_the_server_before_it_ends_and_appended_once_in_order(ledger, lock_holders) -> None:
    provider, achievement, learners, before = _given(ledger, LEARNERS)
    with ledger.unit_of_work() as work:
        _enrol_all(ledger, work, provider, achievement, learners)
        assert _soon(lock_holders), "its first chunks are inserted, under the insert lock, while the batch is open"
    stored = _stored_since(ledger, before)
    assert [position for position, _, _ in stored] == list(range(before + 1, before + 1 + 2 * LEARNERS))
    assert [stored[end - 1][0] for end in work.ends] == work.positions
    enrolments = {Enrolment.create_id(learner, achievement, "2024-T1") for learner in learners}
    assert enrolments <= {originator for _, originator, _ in stored}
    assert not lock_holders()


def test_a_batch_that_collides_after_streaming_appends_nothing(ledger, ledger_with, lock_holders) -> None:
    other_writer = ledger_with("other")
    world = World(ledger, FixedClock())
    provider = world.provider()
    achievement = world.achievement(provider)
    assessed = world.enrolment(provider, world.learner(), achievement)
    learners = [world.learner() for _ in range(LEARNERS)]
    with pytest.raises(BatchCollided), ledger.unit_of_work([assessed]) as work:
        other_writer.execute(provider, _assessment(assessed, "written meanwhile"))
        before = other_writer.position()
        ledger.keep(work, provider, _assessment(assessed, "in the batch"), "a-0")
        _enrol_all(ledger, work, provider, achievement, learners)
    assert _stored_since(ledger, before) == [] and not lock_holders()
    assert len(ledger.load(Enrolment, assessed).assessments) == 1


def test_a_batch_that_fails_midway_rolls_back_what_it_streamed(ledger, lock_holders) -> None:
    provider, achievement, learners, before = _given(ledger, LEARNERS)
    with pytest.raises(RuntimeError, match="the importer's own bug"), ledger.unit_of_work() as work:
        _enrol_all(ledger, work, provider, achievement, learners)
        assert _soon(lock_holders)
        raise RuntimeError("the importer's own bug")
    assert _stored_since(ledger, before) == [] and not lock_holders()
    ledger.execute(provider, Enrol(learners[0], achievement, "2024-T1", effective=date(2024, 3, 1)))  # not kept waiting


def test_a_stream_open_too_long_gives_up_and_the_batch_is_appended_at_its_end(
        ledger_with, lock_holders, monkeypatch) -> None:
    monkeypatch.setenv(BATCH_STREAM_SECONDS, "0.000001")
    ledger = ledger_with("slow")
    provider, achievement, learners, before = _given(ledger, 2 * LEARNERS)
    with ledger.unit_of_work() as work:
        _enrol_all(ledger, work, provider, achievement, learners)
        assert work.stream is None and not lock_holders(), "gave up at its second chunk, the lock released"
    positions = [position for position, _, _ in _stored_since(ledger, before)]
    assert positions == list(range(positions[0], positions[0] + 4 * LEARNERS)), "the rolled-back chunk's ids unused"


def test_a_broken_stream_leaves_the_batch_to_the_usual_append(ledger, postgres_url, lock_holders) -> None:
    provider, achievement, learners, before = _given(ledger, LEARNERS)
    with ledger.unit_of_work() as work:
        _enrol_all(ledger, work, provider, achievement, learners)
        [streaming] = _soon(lock_holders)
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (streaming,))
    assert len(_stored_since(ledger, before)) == 2 * LEARNERS and len(work.positions) == LEARNERS


@pytest.mark.parametrize("text", ["soon", "-1", "nan", "inf"])
def test_a_stream_time_that_is_not_a_number_of_seconds_is_refused_by_name(ledger_with, monkeypatch, text) -> None:
    monkeypatch.setenv(BATCH_STREAM_SECONDS, text)
    with pytest.raises(ValueError, match=f"{BATCH_STREAM_SECONDS} must be 0 \\(off\\) or a number of seconds"):
        ledger_with("misconfigured")


def test_streaming_is_off_when_its_time_is_zero(ledger_with, monkeypatch) -> None:
    monkeypatch.setenv(BATCH_STREAM_SECONDS, "0")
    with ledger_with("off").unit_of_work() as work:
        assert work.stream is None


def _assessment(enrolment: UUID, title: str) -> RecordAssessment:
    return RecordAssessment(enrolment, title=title, outcome=AssessmentOutcome.PASSED, assessor="Dr Tane",
                            skill_levels=(SkillLevel(COMMUNICATION.url, 3),), assessed_on=date(2024, 4, 1))
