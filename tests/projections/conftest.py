from collections.abc import Iterator

import pytest

from projections.read_side import ReadSide
from wiring.read_side import open_read_side
from wiring.services import Services, build_services
from wiring.settings import Settings


@pytest.fixture
def embedded(sqlite_settings: Settings) -> Iterator[tuple[Services, ReadSide]]:
    """The embedded default: SQLite, the projection runner in-process."""
    services = build_services(sqlite_settings)
    read_side = open_read_side(services)
    yield services, read_side
    read_side.close()
    services.close()
