"""The stored bytes the ledger's mapper writes (with its generated writers and envelopes made in one call) are the
bytes of the format written the plain way: each value walked by the rules of adapters/storage/transcoding.py's
docstring, through the library's own transcodings (``UUIDAsHex``, ``DatetimeAsISO``, ...), and dumped by orjson."""

import dataclasses
from datetime import date
from enum import Enum
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import JSONTranscoder
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.storage.stored_events import LedgerMapper
from adapters.storage.transcoding import OrjsonTranscoder, register_value_objects
from domain.enrolment import Assessment, Enrolment
from domain.ids import random_id
from domain.stored_types import STORED_VALUE_TYPES
from domain.values import Actor, AssessmentOutcome, Evidence, SkillLevel
from tests.storage.test_stored_events import Thing
from tests.storage.test_transcoding import VALUE_OBJECTS, non_float_values

TYPES = [*STORED_VALUE_TYPES, *VALUE_OBJECTS]


def reference(value: Any, library: JSONTranscoder) -> Any:
    """The format's tree of ``value``, walked the plain way (no writer made per class, no value kept)."""
    kind = type(value)
    if kind is str or kind is bool or value is None or kind is float:
        return value
    if kind is int:
        return value if -(2**63) <= value < 2**63 else {"_type_": "int_str", "_data_": str(value)}
    if kind is list:
        return [reference(v, library) for v in value]
    if kind is tuple:
        return {"_type_": "tuple", "_data_": [reference(v, library) for v in value]}
    if kind is dict:
        if all(type(k) is str for k in value) and set(value) != {"_type_", "_data_"}:
            return {k: reference(v, library) for k, v in value.items()}
        return {"_type_": "dict_items", "_data_": [[reference(k, library), reference(v, library)]
                                                   for k, v in value.items()]}
    transcoding = library.types[kind]
    if dataclasses.is_dataclass(value):
        data: Any = {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.init}
    elif isinstance(value, Enum):
        data = value.value
    else:
        data = transcoding.encode(value)
    return {"_type_": transcoding.name, "_data_": reference(data, library)}


def written_the_plain_way(event: Any, library: JSONTranscoder) -> bytes:
    state = {k: reference(v, library) for k, v in vars(event).items() if k not in ("originator_id",
                                                                                    "originator_version")}
    return orjson.dumps(state)


def check(events: list[Any]) -> None:
    transcoder = OrjsonTranscoder()
    register_value_objects(transcoder, TYPES)
    mapper = LedgerMapper(transcoder=transcoder)
    for event in events:
        assert mapper.to_stored_event(event).state == written_the_plain_way(event, transcoder)


urls = st.sampled_from(["https://s.example/a", "https://s.example/b", "urn:s:c"])
assessments = st.builds(
    Assessment, assessment_id=st.uuids(), title=st.text(min_size=1).filter(str.strip),
    outcome=st.sampled_from(AssessmentOutcome), score=st.text(max_size=5),
    skill_levels=st.lists(st.builds(SkillLevel, skill_url=urls, level=st.integers(1, 5)), max_size=3,
                          unique_by=lambda s: s.skill_url).map(tuple),
    evidence=st.lists(st.builds(Evidence, description=st.just("d"), url=st.text(max_size=5)), max_size=2).map(tuple),
    assessor=st.just("A"), assessed_on=st.dates(min_value=date(2026, 1, 1)), corrects=st.none() | st.uuids())


@settings(max_examples=100, deadline=None)
@given(batch=st.lists(assessments, min_size=1, max_size=4))
def test_a_batchs_events_are_written_as_the_plain_way_writes_them(batch: list[Assessment]) -> None:
    actor = Actor.provider(UUID(int=3))
    enrolment = Enrolment.enrol(learner_id=random_id(), achievement_id=random_id(), provider_id=UUID(int=3),
                                term="T1", actor=actor, effective=date(2026, 1, 1))
    for assessment in batch:  # its event as recorded, a correction's rules aside (it may name any id here)
        enrolment._record_assessment(enrolment.learner_id, assessment, actor, assessment.assessed_on)
    check(list(enrolment.collect_events()))


@settings(max_examples=150, deadline=None)
@given(value=non_float_values, later=non_float_values)
def test_any_value_is_written_as_the_plain_way_writes_it(value: Any, later: Any) -> None:
    thing = Thing(value)
    thing.change(later)
    thing.change(value)
    check(list(thing.collect_events()))
