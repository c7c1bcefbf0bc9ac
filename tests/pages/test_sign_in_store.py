"""The sign-in store on SQLite and PostgreSQL: a link serves once and not after it expires, a session ends, a
challenge serves once, passkeys belong to one principal."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from adapters.sign_in_store import PostgresSignInStore, SqliteSignInStore
from application.sign_in import Passkey, SignInStore
from domain.values import Actor

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
LEARNER, OTHER = Actor.learner(uuid4()), Actor.learner(uuid4())


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SignInStore]:
    if request.param == "sqlite":
        made: SignInStore = SqliteSignInStore(tmp_path / "sign-in.sqlite3")
    else:
        url, schema = request.getfixturevalue("postgres_url"), request.getfixturevalue("postgres_schema")
        made = PostgresSignInStore(url, schema)
    yield made
    made.close()


def test_a_link_serves_once_and_not_after_it_expires(store: SignInStore) -> None:
    store.add_link("h1", LEARNER, Actor.admin(), NOW + timedelta(minutes=5))
    store.add_link("h2", LEARNER, Actor.admin(), NOW + timedelta(minutes=5))
    assert store.use_link("h1", NOW) == LEARNER
    assert store.use_link("h1", NOW) is None
    assert store.use_link("h2", NOW + timedelta(minutes=6)) is None
    assert store.use_link("unknown", NOW) is None


def test_a_session_lasts_until_it_expires_or_ends(store: SignInStore) -> None:
    store.add_session("s1", LEARNER, NOW, NOW + timedelta(hours=1))
    found = store.session("s1", NOW)
    assert found is not None and found.principal == LEARNER and found.expires_at == NOW + timedelta(hours=1)
    assert store.session("s1", NOW + timedelta(hours=2)) is None
    store.end_session("s1")
    assert store.session("s1", NOW) is None


def test_a_challenge_serves_once_for_its_purpose(store: SignInStore) -> None:
    store.add_challenge("c1", "register", LEARNER, NOW + timedelta(minutes=5))
    assert store.take_challenge("c1", "sign-in", NOW) == (False, None)
    assert store.take_challenge("c1", "register", NOW) == (True, LEARNER)
    assert store.take_challenge("c1", "register", NOW) == (False, None)
    store.add_challenge("c2", "sign-in", None, NOW - timedelta(seconds=1))
    assert store.take_challenge("c2", "sign-in", NOW) == (False, None)


def test_passkeys_belong_to_one_principal(store: SignInStore) -> None:
    store.add_passkey(Passkey("k1", LEARNER, "pk", 0, "Laptop", NOW))
    store.record_passkey_use("k1", 7, NOW + timedelta(days=1))
    found = store.passkey("k1")
    assert found is not None and found.sign_count == 7 and found.last_used_at == NOW + timedelta(days=1)
    assert [p.credential_id for p in store.passkeys_of(LEARNER)] == ["k1"] and store.passkeys_of(OTHER) == []
    assert not store.remove_passkey("k1", OTHER)
    assert store.remove_passkey("k1", LEARNER) and store.passkey("k1") is None
