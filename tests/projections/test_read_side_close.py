"""Closing the read side gives its database connections back, so a process that opens and closes it holds none."""

from wiring.read_side import open_read_side
from wiring.services import Services


def test_closing_the_read_side_closes_its_pool(postgres_services: Services) -> None:
    read_side = open_read_side(postgres_services, run_projections=False)
    assert read_side.position() >= 0
    pool = read_side.views.datastore.pool  # type: ignore[attr-defined]
    assert not pool.closed
    read_side.close()
    assert pool.closed
