"""Ids derived from natural keys are stored (an enrolment's, an idempotency key's): they must stay uuid5's."""

import uuid

from hypothesis import given
from hypothesis import strategies as st

from domain.ids import name_based_id


@given(st.uuids(), st.text())
def test_a_name_based_id_is_uuid5s(namespace: uuid.UUID, name: str) -> None:
    assert name_based_id(namespace, name) == uuid.uuid5(namespace, name)
    assert name_based_id(namespace, name).version == 5
