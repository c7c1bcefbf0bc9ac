"""The ledger's mapper (adapters/storage/stored_events.py) makes the stored event the library's Mapper makes: the same
columns and the same bytes, for the golden samples, for events holding any value the transcoders write, and where it
hands over to the library (an envelope-shaped state, a class version, a compressor)."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.compressor import ZlibCompressor
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Mapper, StoredEvent
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.storage import envelopes
from adapters.storage.stored_events import LedgerMapper
from adapters.storage.transcoding import LedgerJSONTranscoder, OrjsonTranscoder, register_value_objects
from domain.stored_types import STORED_VALUE_TYPES
from tests.domain.test_stored_format import SAMPLES
from tests.storage.test_transcoding import VALUE_OBJECTS, non_float_values


def mappers(transcoder_class: type[Any], compressor: Any = None) -> tuple[Mapper[UUID], Mapper[UUID]]:
    transcoder = transcoder_class()
    register_value_objects(transcoder, [*STORED_VALUE_TYPES, *VALUE_OBJECTS])
    return (LedgerMapper(transcoder=transcoder, compressor=compressor),
            Mapper(transcoder=transcoder, compressor=compressor))


def same(event: Any, transcoder_class: type[Any] = OrjsonTranscoder, compressor: Any = None) -> StoredEvent:
    lean, library = mappers(transcoder_class, compressor)
    stored = lean.to_stored_event(event)
    assert stored == library.to_stored_event(event)
    assert type(stored.originator_version) is int and stored.topic
    return stored


class Thing(Aggregate):
    @event("Made")
    def __init__(self, value: Any) -> None:
        self.value = value

    @event("Changed")
    def change(self, value: Any) -> None:
        self.value = value

    class Renamed(Aggregate.Event):
        class_version = 2
        name: str

    class Odd(Aggregate.Event):
        _type_: str
        _data_: Any


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name)
@pytest.mark.parametrize("transcoder_class", [OrjsonTranscoder, LedgerJSONTranscoder])
def test_the_golden_samples_are_stored_as_the_library_stores_them(sample: Any, transcoder_class: type[Any]) -> None:
    same(sample.build(), transcoder_class)


@settings(max_examples=150, deadline=None)
@given(value=non_float_values, later=non_float_values)
def test_any_value_an_event_holds_is_stored_as_the_library_stores_it(value: Any, later: Any) -> None:
    thing = Thing(value)
    thing.change(later)
    for each in thing.collect_events():
        same(each)
        same(each, LedgerJSONTranscoder)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(non_float_values, min_size=2, max_size=4))
def test_each_event_of_a_class_is_stored_as_the_library_stores_it_by_the_writer_made_for_the_first(
        values: list[Any]) -> None:
    lean, library = mappers(OrjsonTranscoder)
    thing = Thing(values[0])
    for value in values[1:]:
        thing.change(value)
    for each in thing.collect_events():
        assert lean.to_stored_event(each) == library.to_stored_event(each)
    again = Thing(values[-1]).collect_events()[0]
    assert lean.to_stored_event(again) == library.to_stored_event(again)


def test_an_event_whose_attributes_come_in_another_order_is_stored_in_its_own_order() -> None:
    lean, library = mappers(OrjsonTranscoder)
    first, second = Thing("a").collect_events()[0], Thing("b").collect_events()[0]
    lean.to_stored_event(first)
    attributes = dict(reversed(vars(second).items()))
    vars(second).clear()
    vars(second).update(attributes)
    stored = lean.to_stored_event(second)
    assert stored == library.to_stored_event(second) and stored.state.startswith(b'{"value":"b"')


def test_where_it_hands_over_to_the_library_the_bytes_are_the_same() -> None:
    renamed = Thing.Renamed(originator_id=uuid4(), originator_version=2, timestamp=Thing.Renamed.create_timestamp(),
                            name="x")
    assert b'"class_version":2' in same(renamed).state
    odd = Thing.Odd(originator_id=uuid4(), originator_version=2, timestamp=Thing.Odd.create_timestamp(),
                    _type_="tuple", _data_=[1])
    same(odd)  # three attributes: timestamp, _type_, _data_
    same(Thing((1, "a")).collect_events()[0], compressor=ZlibCompressor())


def test_a_state_of_exactly_the_envelope_keys_is_written_as_the_transcoder_writes_such_a_dict() -> None:
    made = Thing.Odd(originator_id=uuid4(), originator_version=2, timestamp=Thing.Odd.create_timestamp(),
                     _type_="tuple", _data_=[1])
    del made.__dict__["timestamp"]
    assert same(made).state.startswith(b'{"_type_":"dict_items"')


def test_a_made_envelope_reads_fields_by_name_and_refuses_what_is_not_a_name() -> None:
    made = envelopes.dataclass_envelope("Pair", ("a", "b"), {int: lambda v: v * 10, bytes: bytes.decode}.get,
                                        lambda v: ["walked", v])
    pair = type("Pair", (), {"a": "text", "b": b"4"})()
    assert made(pair) == {"_type_": "Pair", "_data_": {"a": "text", "b": "4"}}
    pair.b = 2.5
    assert made(pair) == {"_type_": "Pair", "_data_": {"a": "text", "b": ["walked", 2.5]}}
    for kept in (None, 4, -(2**63), 2**63 - 1):  # as the transcoder's encoders of None and ints of 64 bits leave them
        pair.b = kept
        assert made(pair) == {"_type_": "Pair", "_data_": {"a": "text", "b": kept}}
    pair.b = 2**63
    assert made(pair) == {"_type_": "Pair", "_data_": {"a": "text", "b": 2**63 * 10}}
    with pytest.raises(ValueError, match="not field names"):
        envelopes.dataclass_envelope("Bad", ("a", "b; import os"), {}.get, repr)


@given(moment=st.datetimes(timezones=st.just(UTC) | st.none() | st.timezones()))
def test_a_datetime_is_written_as_isoformat_writes_it(moment: datetime) -> None:
    written = envelopes.datetime_envelope("datetime_iso")(moment)
    assert written == {"_type_": "datetime_iso", "_data_": moment.isoformat()}
