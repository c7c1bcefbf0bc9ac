"""The domain tests run the Ledger in memory (the library's POPO recorders, the stored format's transcoder) with fake
ports and a fixed clock: no database, no real signing. Storage and signing have tiers of their own."""

import pytest

from application.ledger import Ledger
from tests.domain.gwt import FixedClock, World
from tests.fakes import FakePersonalDataVault, FakeSigner, memory_ledger


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def vault() -> FakePersonalDataVault:
    return FakePersonalDataVault()


@pytest.fixture
def signer() -> FakeSigner:
    return FakeSigner()


@pytest.fixture
def ledger(clock: FixedClock, vault: FakePersonalDataVault, signer: FakeSigner) -> Ledger:
    return memory_ledger(clock, vault=vault, signer=signer)


@pytest.fixture
def world(ledger: Ledger, clock: FixedClock) -> World:
    return World(ledger, clock)
