"""The domain tests run the real Ledger (SQLite in a temporary folder, real Ed25519 signing) on a fixed clock."""

from collections.abc import Iterator

import pytest

from application.ledger import Ledger
from tests.domain.gwt import FixedClock, World
from wiring.services import Services, build_services
from wiring.settings import Settings


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def fixed_services(sqlite_settings: Settings, clock: FixedClock) -> Iterator[Services]:
    built = build_services(sqlite_settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def ledger(fixed_services: Services) -> Ledger:
    return fixed_services.ledger


@pytest.fixture
def world(ledger: Ledger, clock: FixedClock) -> World:
    return World(ledger, clock)
