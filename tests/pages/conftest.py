"""Page fixtures: the whole site (API and pages) over a real ledger and read side, projections in-process."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from projections.read_side import ReadSide
from tests.api.conftest import ADMIN_TOKEN
from web.site import create_site
from wiring.read_side import open_read_side
from wiring.services import Services, build_services
from wiring.settings import Settings


@dataclass
class Site:
    services: Services
    read_side: ReadSide
    client: TestClient

    def browser(self) -> TestClient:
        """Another browser: its own cookie jar."""
        return TestClient(self.client.app, raise_server_exceptions=False)

    def close(self) -> None:
        self.client.close()
        self.read_side.close()
        self.services.close()


def open_site(settings: Settings) -> Site:
    services = build_services(settings)
    read_side = open_read_side(services, run_projections=True)
    client = TestClient(create_site(services, read_side, ADMIN_TOKEN), raise_server_exceptions=False)
    return Site(services, read_side, client)


@pytest.fixture
def site(sqlite_settings: Settings) -> Iterator[Site]:
    running = open_site(sqlite_settings)
    yield running
    running.close()
