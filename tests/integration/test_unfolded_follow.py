"""A follow keeps what it brings as stored and a command decodes it when it reads the aggregate (application/cache.py):
a worker no longer decodes every other worker's writes. Rules still see them: a command in one process after another
process closed the enrolment is refused as before, and a long run of followed events reads as the log makes it."""

from typing import Any

import pytest
from eventsourcing.application import project_aggregate as library_projection

from application.cache import UNFOLDED_MAX
from application.commands.enrolments import CompleteEnrolment, RecordAssessment
from domain.enrolment import Enrolment
from domain.errors import RuleBroken
from tests.domain.gwt import PORTFOLIO, FixedClock, World
from wiring.services import Services

pytestmark = pytest.mark.postgres


def _decodes(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    decoded: list[Any] = []
    mapper = services.ledger.aggregates.mapper
    original = mapper.to_domain_event

    def counted(stored: Any) -> Any:
        decoded.append(stored.originator_id)
        return original(stored)

    monkeypatch.setattr(mapper, "to_domain_event", counted)
    return decoded


def _state(aggregate: Any) -> dict[str, Any]:
    return {name: value for name, value in vars(aggregate).items() if name != "_pending_events"}


def test_a_followed_event_is_decoded_only_when_a_command_reads_its_aggregate(
        postgres_services: Services, second_process: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    world = World(postgres_services.ledger, FixedClock())
    provider = world.provider()
    achievement = world.achievement(provider)
    enrolments = [world.enrolment(provider, world.learner(), achievement) for _ in range(3)]
    reader = second_process.ledger
    reader.aggregates.follow()
    for enrolment in enrolments:
        world.assess(provider, enrolment)
    decoded = _decodes(second_process, monkeypatch)
    reader.aggregates.follow()
    assert decoded == []
    reader.execute(provider, RecordAssessment(enrolments[0], **PORTFOLIO))
    assert enrolments[0] in decoded, "the enrolment the command read (and its learner, achievement, provider)"
    assert not set(enrolments[1:]) & set(decoded), "nor the others' assessments, nor their creation"
    assert reader.aggregates.reads == 0


def test_a_rule_sees_what_another_process_wrote_though_it_was_not_decoded_yet(
        postgres_services: Services, second_process: Services) -> None:
    world = World(postgres_services.ledger, FixedClock())
    provider = world.provider()
    enrolment = world.enrolment(provider, world.learner(), world.achievement(provider))
    world.assess(provider, enrolment)
    reader = second_process.ledger
    reader.execute(provider, RecordAssessment(enrolment, **{**PORTFOLIO, "title": "Second"}))  # cached, decoded
    postgres_services.ledger.execute(provider, CompleteEnrolment(enrolment))
    with pytest.raises(RuleBroken, match="completed or withdrawn"):
        reader.execute(provider, RecordAssessment(enrolment, **{**PORTFOLIO, "title": "Third"}))
    assert reader.aggregates.collisions == 0, "refused by the rule on the followed state, not by the append"


def test_more_followed_events_than_are_kept_unfolded_read_as_the_log_makes_them(
        postgres_services: Services, second_process: Services) -> None:
    world = World(postgres_services.ledger, FixedClock())
    provider = world.provider()
    enrolment = world.enrolment(provider, world.learner(), world.achievement(provider))
    reader = second_process.ledger
    reader.aggregates.follow()
    for number in range(UNFOLDED_MAX + 5):
        world.assess(provider, enrolment, title=f"Assessment {number}")
        if number % 7 == 0:
            reader.aggregates.follow()
    reader.aggregates.follow()
    expected = library_projection(None, postgres_services.ledger.events.get(enrolment))
    followed = reader.load(Enrolment, enrolment)
    assert isinstance(followed, Enrolment) and followed.version == UNFOLDED_MAX + 6
    assert _state(followed) == _state(expected)
    assert reader.aggregates.reads == 0
