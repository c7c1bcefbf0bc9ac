"""Aggregates read cold, and brought up to date by following the log, hold the state the library's own projection of
their events makes: the cache's projector (without the library's per-event Protocol check) folds the same events."""

from typing import Any
from uuid import UUID

from eventsourcing.application import project_aggregate as library_projection

from tests.domain.gwt import FixedClock, World, events_of
from tests.integration.stories import learner_with_a_share_and_an_assessment
from wiring.services import build_services
from wiring.settings import Settings


def _state(aggregate: Any) -> dict[str, Any]:
    return {name: value for name, value in vars(aggregate).items() if name != "_pending_events"}


def test_every_aggregate_read_cold_or_followed_is_what_its_events_make(any_settings: Settings) -> None:
    writer, reader = build_services(any_settings), build_services(any_settings)
    try:
        reader.ledger.aggregates.follow()
        learner_with_a_share_and_an_assessment(World(writer.ledger, FixedClock()))
        ids = {UUID(str(event.originator_id)) for event in events_of(writer.ledger)}
        reader.ledger.aggregates.follow()
        followed = [aggregate_id for aggregate_id in ids if reader.ledger.aggregates.cached(aggregate_id)]
        assert len(followed) >= len(ids) - 1, "all but the idempotency claims, which are not cached"
        cold = build_services(any_settings)
        try:
            for aggregate_id in ids:
                expected = _state(library_projection(None, writer.ledger.events.get(aggregate_id)))
                assert _state(cold.ledger.aggregates.get(aggregate_id)) == expected
                if aggregate_id in followed:
                    assert _state(reader.ledger.aggregates.get(aggregate_id)) == expected
            assert cold.ledger.aggregates.reads == len(ids)
        finally:
            cold.close()
    finally:
        writer.close()
        reader.close()
