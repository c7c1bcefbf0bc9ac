"""Fixtures of the PostgreSQL integration tests: a second process's Ledger on the same schema, and Ledgers built
with and without the pool's connection check."""

from collections.abc import Iterator

import pytest

from wiring.services import Services, build_services
from wiring.settings import Settings, load_settings


@pytest.fixture
def second_process(postgres_settings: Settings) -> Iterator[Services]:
    """Another Ledger on the same schema: what a second `ler serve` worker holds."""
    built = build_services(postgres_settings)
    yield built
    built.close()


@pytest.fixture(params=["default", "unchecked"])
def counted_services(request, tmp_path, postgres_url: str, postgres_schema: str) -> Iterator[Services]:
    """The Ledger with the default settings (each pooled connection checked before use, without a round trip unless
    the server closed it: adapters/storage/pool.py) and with the check off: the counts are the same."""
    env = {"LER_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": f"{postgres_url}?schema={postgres_schema}"}
    if request.param == "unchecked":
        env["LER_DB_CHECK_CONNECTIONS"] = "0"
    built = build_services(load_settings(env))
    yield built
    built.close()
