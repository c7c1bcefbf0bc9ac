"""Round trips of the stored event format through both transcoders (see adapters/storage/transcoding.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, make_dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError
from eventsourcing.utils import get_topic
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.storage.transcoding import LedgerJSONTranscoder, OrjsonTranscoder, register_value_objects


class Colour(str, Enum):
    RED = "red"
    GREEN = "green"


class Grade(Enum):
    PASS = "pass"
    FAIL = "fail"


@dataclass(frozen=True)
class Point:
    x: int
    label: str = ""


@dataclass(frozen=True)
class Box:
    items: tuple[Any, ...]
    meta: dict[str, Any]
    inner: Point | None = None
    when: date | None = None
    amount: Decimal = Decimal("0")
    colour: Colour = Colour.RED
    derived: int = field(init=False, default=0)


@dataclass(frozen=True)
class Envelopish:
    """A value object whose fields dict looks like an envelope."""

    _type_: str
    _data_: Any


Tag = make_dataclass("Tag", [("text", str), ("colour", Colour)], frozen=True)
"""Declared to hold only text and Enum members (real annotations, as the domain's ``Actor``): its last instance's
envelope is kept."""

VALUE_OBJECTS = (Colour, Grade, Point, Box, Envelopish, Tag)


def make(cls: type[JSONTranscoder]) -> JSONTranscoder:
    transcoder = cls()
    register_value_objects(transcoder, VALUE_OBJECTS)
    return transcoder


class OrjsonOnlyTranscoder(OrjsonTranscoder):
    """Never hands decoding to the stdlib, whatever the size (the default does above 2 KB)."""

    stdlib_decode_above = None


TRANSCODERS = (LedgerJSONTranscoder, OrjsonTranscoder, OrjsonOnlyTranscoder)

# --- strategies -------------------------------------------------------------------------------

text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=20)
offsets = st.integers(min_value=-23 * 3600 - 59 * 60, max_value=23 * 3600 + 59 * 60).map(
    lambda s: timezone(timedelta(seconds=s))
)
# `fold` is not stored (ISO 8601 has no place for it; it means nothing with a fixed offset).
aware_datetimes = st.datetimes(timezones=st.just(UTC) | offsets).map(lambda d: d.replace(fold=0))
naive_datetimes = st.datetimes().map(lambda d: d.replace(fold=0))
floats = st.floats(allow_nan=False, allow_infinity=False)
non_float_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),  # includes ints beyond 64 bits
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    text,
    st.sampled_from(["_type_", "_data_", "tuple", "uuid_hex"]),
    st.uuids(),
    aware_datetimes,
    naive_datetimes,
    st.dates(),
    st.decimals(allow_nan=False),
    st.sampled_from(Colour),
    st.sampled_from(Grade),
)
scalars = non_float_scalars | floats
hashable = st.one_of(
    text, st.integers(), st.uuids(), st.dates(), st.sampled_from(Colour), st.tuples(text, st.integers())
)


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(text, children, max_size=4),
        st.dictionaries(hashable, children, max_size=3),  # arbitrary keys
        st.fixed_dictionaries({"_type_": children, "_data_": children}),  # looks like an envelope
        st.fixed_dictionaries({"_type_": st.just("tuple"), "_data_": st.lists(children, max_size=2)}),
        st.builds(Point, x=st.integers(), label=text),
        st.builds(
            Box,
            items=st.lists(children, max_size=3).map(tuple),
            meta=st.dictionaries(text, children, max_size=3),
            inner=st.none() | st.builds(Point, x=st.integers()),
            when=st.none() | st.dates(),
            amount=st.decimals(allow_nan=False, allow_infinity=False),
            colour=st.sampled_from(Colour),
        ),
        st.builds(Envelopish, _type_=text, _data_=children),
    )


values = st.recursive(scalars, _containers, max_leaves=25)
# orjson and json write some floats differently (1e-05 / 0.00001), each reading the other's exactly.
non_float_values = st.recursive(non_float_scalars, _containers, max_leaves=25)


def assert_identical(actual: Any, expected: Any) -> None:
    """Equal, and every nested value of the same type (== alone equates 1, 1.0 and True)."""
    assert actual == expected or (isinstance(expected, float) and math.isnan(expected))
    assert repr(actual) == repr(expected)


# --- properties -------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", TRANSCODERS, ids=lambda c: c.__name__)
@settings(max_examples=300, deadline=None)
@given(value=values)
def test_round_trip(cls: type[JSONTranscoder], value: Any) -> None:
    transcoder = make(cls)
    assert_identical(transcoder.decode(transcoder.encode(value)), value)


@settings(max_examples=300, deadline=None)
@given(value=values)
def test_each_decodes_what_the_other_encodes(value: Any) -> None:
    stdlib, fast = make(LedgerJSONTranscoder), make(OrjsonOnlyTranscoder)
    stdlib_bytes, fast_bytes = stdlib.encode(value), fast.encode(value)
    assert_identical(fast.decode(stdlib_bytes), value)
    assert_identical(stdlib.decode(fast_bytes), value)


@settings(max_examples=300, deadline=None)
@given(value=non_float_values)
def test_same_bytes_without_floats(value: Any) -> None:
    assert make(LedgerJSONTranscoder).encode(value) == make(OrjsonTranscoder).encode(value)


class EnvelopeEachTimeTranscoder(OrjsonTranscoder):
    """Each registered value's envelope made the plain way: its transcoding's data, walked again."""

    def _envelope_for(self, t: type) -> Any:
        transcoding = self.types[t]
        return lambda o: {"_type_": transcoding.name, "_data_": self.to_json_tree(transcoding.encode(o))}


@settings(max_examples=300, deadline=None)
@given(value=non_float_values)
def test_envelopes_made_once_per_type_write_the_same_bytes(value: Any) -> None:
    assert make(OrjsonTranscoder).encode(value) == make(EnvelopeEachTimeTranscoder).encode(value)


def test_the_last_instance_of_text_and_enum_members_is_written_as_before() -> None:
    kept, plain = make(OrjsonTranscoder), make(EnvelopeEachTimeTranscoder)
    one, other = Tag("a", Colour.RED), Tag("b", Colour.GREEN)
    for value in ([one, {"x": one}, (one,)], [other, one, other], one):
        assert kept.encode(value) == plain.encode(value)


def test_dates_written_again_and_past_the_kept_ones_are_written_as_before() -> None:
    kept, plain = make(OrjsonTranscoder), make(EnvelopeEachTimeTranscoder)
    dates = [date(2000, 1, 1) + timedelta(days=n % 5000) for n in range(10_000)]
    assert kept.encode(dates) == plain.encode(dates)
    assert kept.encode([date(2026, 3, 1), datetime(2026, 3, 1, tzinfo=UTC)]) == plain.encode(
        [date(2026, 3, 1), datetime(2026, 3, 1, tzinfo=UTC)])


def test_an_instance_holding_what_it_does_not_declare_is_written_afresh_each_time() -> None:
    transcoder = make(OrjsonTranscoder)
    smuggled = Tag(["a"], Colour.RED)
    assert b'"text":["a"]' in transcoder.encode(smuggled)
    smuggled.text.append("b")
    assert b'"text":["a","b"]' in transcoder.encode(smuggled)
    smuggled.text.append("c")  # however often it comes
    assert b'"text":["a","b","c"]' in transcoder.encode(smuggled)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=100, deadline=None)
@given(value=json_values)
def test_plain_json_is_written_as_plain_json(value: Any) -> None:
    """Values JSON can carry exactly are stored exactly as the library's JSONTranscoder stores them."""
    library = JSONTranscoder()
    for cls in TRANSCODERS:
        assert make(cls).encode(value) == library.encode(value) or _has_envelope_shaped_dict(value)


def _has_envelope_shaped_dict(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"_type_", "_data_"} or any(_has_envelope_shaped_dict(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_envelope_shaped_dict(v) for v in value)
    return False


# --- examples and refusals --------------------------------------------------------------------


def test_library_json_transcoder_loses_tuples() -> None:
    """Why the library's JSONTranscoder is not used as is: json writes tuples natively as lists."""
    library = JSONTranscoder()
    assert library.decode(library.encode({"t": (1, 2)})) == {"t": [1, 2]}


@pytest.mark.parametrize("cls", TRANSCODERS, ids=lambda c: c.__name__)
def test_known_encoding(cls: type[JSONTranscoder]) -> None:
    transcoder = make(cls)
    value = {"p": Point(1, "a"), "t": (Colour.RED,), "d": date(2024, 2, 29), "big": 2**64}
    assert transcoder.encode(value) == (
        b'{"p":{"_type_":"Point","_data_":{"x":1,"label":"a"}},'
        b'"t":{"_type_":"tuple","_data_":[{"_type_":"Colour","_data_":"red"}]},'
        b'"d":{"_type_":"date_iso","_data_":"2024-02-29"},'
        b'"big":{"_type_":"int_str","_data_":"18446744073709551616"}}'
    )


@pytest.mark.parametrize("cls", TRANSCODERS, ids=lambda c: c.__name__)
def test_refuses_unregistered_types_and_non_finite_floats(cls: type[JSONTranscoder]) -> None:
    class Unregistered(str, Enum):
        A = "a"

    transcoder = make(cls)
    with pytest.raises(TranscodingNotRegisteredError):
        transcoder.encode({"x": Unregistered.A})
    with pytest.raises(TranscodingNotRegisteredError):
        transcoder.encode({"x": frozenset()})
    with pytest.raises(ValueError, match="non-finite"):
        transcoder.encode({"x": float("nan")})
    with pytest.raises(TranscodingNotRegisteredError):
        transcoder.decode(b'{"_type_":"NoSuchType","_data_":1}')


def test_register_value_objects_rejects_name_clash_and_non_value_types() -> None:
    transcoder = make(OrjsonTranscoder)
    register_value_objects(transcoder, [Point])  # same class again: fine

    other_point: type = dataclass(frozen=True)(type("Point", (), {"__annotations__": {"y": int}}))
    with pytest.raises(ValueError, match="already registered"):
        register_value_objects(transcoder, [other_point])
    with pytest.raises(TypeError):
        register_value_objects(transcoder, [int])


# --- through an application: aggregates compare equal after a round trip ------------------------


class Learner(Aggregate):
    @event("Registered")
    def __init__(self, name: str, born: date, ids: tuple[UUID, ...], box: Box, doc: dict[str, Any]) -> None:
        self.name = name
        self.born = born
        self.ids = ids
        self.box = box
        self.doc = doc
        self.grades: tuple[Grade, ...] = ()

    @event("Graded")
    def grade(self, grade: Grade, points: tuple[Point, ...]) -> None:
        self.grades = (*self.grades, grade)
        self.points = points


class LedgerApp(Application[UUID]):
    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_value_objects(transcoder, VALUE_OBJECTS)


@pytest.mark.parametrize("cls", TRANSCODERS, ids=lambda c: c.__name__)
def test_aggregate_equal_after_round_trip(cls: type[JSONTranscoder]) -> None:
    app = LedgerApp(env={"TRANSCODER_TOPIC": get_topic(cls)})
    assert type(app.mapper.transcoder) is cls
    learner = Learner(
        "Ada",
        date(1815, 12, 10),
        (uuid4(), uuid4()),
        Box(items=(Point(1), (2, 3)), meta={"k": [1, {"n": None}]}, when=date(2020, 1, 1)),
        {"@context": ["https://www.w3.org/ns/credentials/v2"], "proof": {"created": "2024-01-01T00:00:00Z"}},
    )
    learner.grade(Grade.PASS, (Point(1, "a"), Point(2, "b")))
    app.save(learner)
    copy: Learner = app.repository.get(learner.id)
    assert copy == learner
    assert isinstance(copy.ids, tuple) and isinstance(copy.box.items[1], tuple)
    assert copy.created_on.tzinfo is not None
    assert copy.created_on == learner.created_on
