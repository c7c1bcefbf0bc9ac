"""As of a position or a date, every view equals a rebuild of the view from the log truncated at that point."""

from uuid import UUID

import pytest

from domain.errors import NotFound
from ops.demo import load_demo
from projections.facts import parse_moment
from projections.read_side import ReadSide
from projections.read_side_parts import AsOf
from tests.projections.helpers import caught_up, truncated_copy
from wiring.projection_runner import catch_up
from wiring.read_side import open_read_side
from wiring.services import build_services


def views_of(read_side: ReadSide, learner_id: UUID, qualification_id: UUID, as_of: AsOf | None) -> dict:
    def attempt(read):
        try:
            return read()
        except NotFound as error:
            return f"{type(error).__name__}: {error.code}"

    return {
        "clr": attempt(lambda: read_side.unsigned_clr(learner_id, as_of)),
        "skills": attempt(lambda: read_side.skills(learner_id, as_of)),
        "pathway": attempt(lambda: read_side.pathway(learner_id, qualification_id, as_of)),
        "record": attempt(lambda: read_side.record(learner_id, as_of, limit=1000)),
    }


def test_as_of_equals_a_rebuild_of_the_truncated_log(embedded, tmp_path):
    services, read_side = embedded
    ids = load_demo(services.ledger)
    caught_up(read_side, services)
    end = services.ledger.position()
    learners = (ids.ids["aroha"], ids.ids["sam"])
    positions = sorted({1, 14, 16, 19, 24, 30, 33, 35, 37, 38, end - 1, end})
    dated = 0
    for position in positions:
        copy = truncated_copy(services.settings, position, tmp_path / f"at-{position}")
        assert catch_up(copy) == position
        truncated_services = build_services(copy)
        truncated = open_read_side(truncated_services, run_projections=False)
        try:
            with truncated.views.transaction(commit=False) as cursor:
                row = truncated.views.one(cursor, "SELECT recorded_at FROM {log} WHERE position = ?", (position,))
            moment = parse_moment(row["recorded_at"])
            for learner in learners:
                expected = views_of(truncated, learner, ids.ids["bachelor"], None)
                assert views_of(read_side, learner, ids.ids["bachelor"], AsOf(position=position)) == expected, \
                    f"as of position {position}"
                # As of a date: the log truncated at that moment, judged on the same day.
                at = AsOf(at=moment)
                if read_side.views.position_at(row["recorded_at"]) == position:
                    dated += 1
                    assert views_of(read_side, learner, ids.ids["bachelor"], at) == \
                            views_of(truncated, learner, ids.ids["bachelor"], at), f"as of {moment}"
        finally:
            truncated.close()
            truncated_services.close()
    assert dated >= len(positions), "every cut was also checked as of its date"


@pytest.mark.parametrize("position", [0])
def test_before_anything_the_learner_is_unknown(embedded, position):
    services, read_side = embedded
    ids = load_demo(services.ledger)
    caught_up(read_side, services)
    with pytest.raises(NotFound):
        read_side.skills(ids.ids["aroha"], AsOf(position=position))
