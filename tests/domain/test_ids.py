"""Ids derived from natural keys are stored (an enrolment's, an idempotency key's): they must stay uuid5's."""

import uuid

from hypothesis import given
from hypothesis import strategies as st

from domain.ids import name_based_id, random_id


@given(st.uuids(), st.text())
def test_a_name_based_id_is_uuid5s(namespace: uuid.UUID, name: str) -> None:
    assert name_based_id(namespace, name) == uuid.uuid5(namespace, name)
    assert name_based_id(namespace, name).version == 5


def test_a_random_id_is_a_version_4_uuid_of_its_own() -> None:
    ids = [random_id() for _ in range(1000)]
    assert {(i.version, i.variant) for i in ids} == {(4, uuid.RFC_4122)}
    assert len(set(ids)) == len(ids)
