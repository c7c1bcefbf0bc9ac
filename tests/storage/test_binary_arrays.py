"""The appends' arrays packed by struct (adapters/storage/binary_arrays.py) reach PostgreSQL as the same values
psycopg's own list dumpers send, whatever the sizes, characters and bytes."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.storage.binary_arrays import BigintArray, packed_columns
from tests.storage.conftest import postgres_connect

pytestmark = pytest.mark.postgres
STATEMENT = "SELECT %b::uuid[], %b::bigint[], %b::text[], %b::bytea[]"

events = st.lists(st.tuples(
    st.uuids(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=80),
    st.binary(max_size=700)), max_size=12)


@pytest.fixture(scope="module")
def conn(postgres_env: dict[str, str]) -> Any:
    with postgres_connect(postgres_env) as connection:
        yield connection


@settings(max_examples=60, deadline=None)
@given(events)
def test_packed_arrays_reach_the_server_as_the_lists_do(conn: psycopg.Connection[Any],
                                                         given_events: list[Any]) -> None:
    columns = tuple(list(column) for column in zip(*given_events, strict=True)) or ([], [], [], [])
    packed = packed_columns(*columns)
    assert isinstance(packed[1], BigintArray)
    assert conn.execute(STATEMENT, packed).fetchone() == conn.execute(STATEMENT, columns).fetchone()


def test_ids_that_are_not_uuids_are_left_to_psycopg() -> None:
    columns = (["a", "b"], [1, 2], ["t", "t"], [b"", b""])
    assert packed_columns(*columns) == columns
    assert packed_columns(*([uuid.uuid4(), "b"], [1, 2], ["t", "t"], [b"", b""]))[0][1] == "b"
