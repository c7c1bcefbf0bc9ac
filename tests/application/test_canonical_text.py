"""A fingerprint hashes ``repr(canonical(command))``; ``canonical_text`` writes that text directly and must write it
exactly, for every shape a command's fields can take."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.commands.base import _fields_text, canonical, canonical_text


class Colour(Enum):
    RED = "red"
    PAIR = (1, "two")


class Kind(str, Enum):
    A = "a"


@dataclass(frozen=True)
class Empty:
    pass


@dataclass(frozen=True)
class One:
    only: Any


@dataclass(frozen=True)
class Three:
    first: Any
    second: Any
    third: Any = None


class Text(str):
    """A str subclass that is not an Enum: written as its repr, as ``canonical`` leaves it."""


plain = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(), st.uuids(), st.dates(),
    st.datetimes(), st.decimals(allow_nan=False), st.sampled_from([*Colour, *Kind]), st.text().map(Text),
    st.just(Empty()), st.frozensets(st.integers(), max_size=3),
)
values = st.recursive(plain, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple), st.builds(One, inner),
    st.builds(Three, inner, inner, inner), st.dictionaries(st.text(max_size=3), inner, max_size=3),
    st.dictionaries(st.integers(), inner, max_size=3),
), max_leaves=20)


@given(values)
def test_the_text_is_the_repr_of_the_canonical_value(value: object) -> None:
    assert canonical_text(value) == repr(canonical(value))


def test_the_shapes_a_command_holds() -> None:
    nested = Three(UUID(int=7), (One("x"),), {"b": date(2025, 1, 2), "a": [Decimal("1.50"), datetime(2025, 1, 1)]})
    for value in (nested, (), (1,), [1, 2], One(()), Three((), [], {}), Empty(), Colour.PAIR):
        assert canonical_text(value) == repr(canonical(value))


def test_the_text_of_a_dataclass_is_written_by_a_function_made_only_for_field_names() -> None:
    with pytest.raises(ValueError, match="not field names"):
        _fields_text(("a", "b); import os; ("))
