"""Ids derived from natural keys are stored (an enrolment's, an idempotency key's): they must stay uuid5's."""

import uuid

from hypothesis import given
from hypothesis import strategies as st

from domain.ids import name_based_id, random_id


@given(st.uuids(), st.text())
def test_a_name_based_id_is_uuid5s(namespace: uuid.UUID, name: str) -> None:
    made, standard = name_based_id(namespace, name), uuid.uuid5(namespace, name)
    assert made == standard and made.version == 5
    assert (str(made), repr(made), hash(made), made.is_safe, made.bytes) == (
        str(standard), repr(standard), hash(standard), standard.is_safe, standard.bytes)


def test_a_random_id_is_a_version_4_uuid_of_its_own() -> None:
    ids = [random_id() for _ in range(1000)]
    assert {(i.version, i.variant) for i in ids} == {(4, uuid.RFC_4122)}
    assert len(set(ids)) == len(ids)
    assert all(uuid.UUID(str(i)) == i and uuid.UUID(str(i)).is_safe == i.is_safe for i in ids)
