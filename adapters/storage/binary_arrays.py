"""The appends' four arrays (ids, versions, topics, states) written in PostgreSQL's binary array format with struct,
instead of by psycopg's list dumpers, which look at every element in Python to choose a type and size the array
(measured in ops/bench/README.md, issue 13).

The format (``array_send``): dimensions, a has-nulls flag, the element type, each dimension's length and lower bound,
then each element as its length and its binary value. A value of one of the classes below is sent as it is, typed as
its array; the statements cast each parameter to the same type."""

import struct
from collections.abc import Sequence
from typing import Any, TypeVar
from uuid import UUID

import psycopg
from psycopg import pq
from psycopg.adapt import Dumper
from psycopg.postgres import types

_HEADER = struct.Struct("!iiIii")  # one dimension, no nulls, element type; its length, lower bound 1
_EMPTY = struct.Struct("!iiI")  # no dimensions
_LENGTH = struct.Struct("!i")
_BIGINT_ELEMENT = struct.Struct("!iq")  # its length (8), its value
_UUID_LENGTH = _LENGTH.pack(16)
_TOPIC_ELEMENTS: dict[str, bytes] = {}  # a batch repeats a few topics


class _Packed(bytes):
    element = ""
    element_oid = 0


class UuidArray(_Packed):
    element = "uuid"


class BigintArray(_Packed):
    element = "int8"


class TextArray(_Packed):
    element = "text"


class ByteaArray(_Packed):
    element = "bytea"


def _register(kind: type[_Packed]) -> None:
    info = types.get(kind.element)
    assert info is not None
    kind.element_oid = info.oid
    array_oid = info.array_oid

    class PackedDumper(Dumper):
        format = pq.Format.BINARY
        oid = array_oid

        def dump(self, obj: Any) -> Any:
            return obj

    psycopg.adapters.register_dumper(kind, PackedDumper)


for _kind in (UuidArray, BigintArray, TextArray, ByteaArray):
    _register(_kind)


P = TypeVar("P", bound=_Packed)


def _packed(kind: type[P], items: Sequence[bytes]) -> P:
    if not items:
        return kind(_EMPTY.pack(0, 0, kind.element_oid))
    parts = [_HEADER.pack(1, 0, kind.element_oid, len(items), 1)]
    for item in items:
        parts += (_LENGTH.pack(len(item)), item)
    return kind(b"".join(parts))


def _elements(kind: type[P], count: int, elements: bytes) -> P:
    if not count:
        return kind(_EMPTY.pack(0, 0, kind.element_oid))
    return kind(_HEADER.pack(1, 0, kind.element_oid, count, 1) + elements)


def _topic_element(topic: str) -> bytes:
    encoded = topic.encode()
    element = _TOPIC_ELEMENTS[topic] = _LENGTH.pack(len(encoded)) + encoded
    return element


def packed_columns(ids: list[Any], versions: list[int], topics: list[str], states: list[bytes]) -> tuple[Any, ...]:
    """The four arrays packed, or as given when an id is not a UUID (an originator id type of text)."""
    if not all(type(each) is UUID for each in ids):
        return ids, versions, topics, states
    known, pack = _TOPIC_ELEMENTS.get, _BIGINT_ELEMENT.pack
    return (
        packed_uuids(ids),
        _elements(BigintArray, len(versions), b"".join([pack(8, version) for version in versions])),
        _elements(TextArray, len(topics), b"".join([known(topic) or _topic_element(topic) for topic in topics])),
        _packed(ByteaArray, states),
    )


def packed_uuids(ids: Sequence[UUID]) -> UuidArray:
    """Ids as a uuid[] parameter, packed (psycopg's list dumper reads each element's text with a pattern)."""
    elements = _UUID_LENGTH + _UUID_LENGTH.join([each.bytes for each in ids]) if ids else b""
    return _elements(UuidArray, len(ids), elements)
