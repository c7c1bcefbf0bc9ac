from collections.abc import Iterator

import pytest

from ops.read_side import ReadSide
from ops.settings import Settings
from ops.wiring import Services, build_services


@pytest.fixture
def embedded(sqlite_settings: Settings) -> Iterator[tuple[Services, ReadSide]]:
    """The embedded default: SQLite, the projection runner in-process."""
    services = build_services(sqlite_settings)
    read_side = ReadSide.open(services)
    yield services, read_side
    read_side.close()
    services.close()
