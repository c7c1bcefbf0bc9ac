"""The stored format of event state, and two transcoders that read and write it.

The format is the ``eventsourcing`` library's JSON format: plain JSON, where a value JSON cannot represent is written as
a two-key envelope ``{"_type_": name, "_data_": data}`` (the names ``uuid_hex``, ``decimal_str`` and ``datetime_iso``
are the library's own). This module adds the envelopes the library lacks, so that every value comes back with its type:

- ``tuple``: ``{"_type_": "tuple", "_data_": [...]}`` (JSON would turn it into a list);
- ``date_iso``: a ``datetime.date`` (the library only has ``datetime``);
- ``dict_items``: a dict that JSON cannot carry as an object (a non-``str`` key), or that would be mistaken for an
  envelope (exactly the keys ``_type_`` and ``_data_``), written as a list of ``[key, value]`` pairs;
- ``int_str``: an ``int`` outside the signed 64-bit range (orjson cannot write one and reads one back as a float, so it
  is written as a decimal string);
- one name per registered value object class (a dataclass: its class ``__name__``, data the dict of its ``__init__``
  fields) and per registered ``Enum`` (class name, data the member's value).

Both transcoders first turn the value into a pure JSON tree with the same function, so :class:`LedgerJSONTranscoder`
(stdlib :mod:`json`) and :class:`OrjsonTranscoder` write the same bytes and each reads what the other wrote. Both
subclass the library's ``JSONTranscoder``, so ``Application.register_transcodings()`` (called only for
``JSONTranscoder`` instances) registers on them, and the library's own transcodings work unchanged.

Floats are JSON numbers; a non-finite float (NaN, infinity) is refused with ``ValueError`` rather than written lossily.
A value of an unregistered type (including an unregistered ``Enum`` or ``str`` subclass) is refused with
``TranscodingNotRegisteredError`` rather than silently stored as its base type.
"""

from __future__ import annotations

import dataclasses
import json
import math
import operator
from collections.abc import Callable, Iterable
from datetime import date
from enum import Enum
from typing import Any

import orjson
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Transcoding,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)

from adapters.storage import envelopes
from adapters.storage.envelopes import DATA_KEY, INT_MAX, INT_MIN, TYPE_KEY, by_value, dataclass_envelope, last_kept

__all__ = ["DataclassAsDict", "DateAsISO", "EnumAsValue", "LedgerJSONTranscoder", "OrjsonTranscoder", "TupleAsList",
           "register_value_objects"]

_CONTAINERS = frozenset({dict, list})
_STR_ONLY = frozenset({str})


class TupleAsList(Transcoding):
    type = tuple
    name = "tuple"

    def encode(self, obj: tuple[Any, ...]) -> list[Any]:
        return list(obj)

    def decode(self, data: list[Any]) -> tuple[Any, ...]:
        return tuple(data)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


_STR_LEAVES = frozenset({UUIDAsHex, DecimalAsStr, DatetimeAsISO, DateAsISO})
"""Transcodings whose data is a ``str``: nothing under their envelope to walk."""
_LEAF_ENVELOPES: dict[type[Transcoding], Callable[[str], Callable[[Any], Any]]] = {
    UUIDAsHex: envelopes.uuid_envelope, DatetimeAsISO: envelopes.datetime_envelope, DateAsISO: envelopes.date_envelope,
}
"""Their envelopes made as their ``encode`` makes the text, in one call."""


class _DictAsItems(Transcoding):
    """Decode-only: the encoder writes these envelopes itself (see module docstring)."""

    type = dict
    name = "dict_items"

    def encode(self, obj: dict[Any, Any]) -> list[list[Any]]:
        return [[k, v] for k, v in obj.items()]

    def decode(self, data: list[list[Any]]) -> dict[Any, Any]:
        return dict(map(tuple, data))


class _BigIntAsStr(Transcoding):
    """Decode-only: ints outside the signed 64-bit range."""

    type = int
    name = "int_str"

    def encode(self, obj: int) -> str:
        return str(obj)

    def decode(self, data: str) -> int:
        return int(data)


class DataclassAsDict(Transcoding):
    """A dataclass as the dict of its ``__init__`` fields, named by its class ``__name__``.

    Decoding calls ``cls(**data)``, so ``__post_init__`` validation runs again on replay.
    """

    def __init__(self, cls: type) -> None:
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            raise TypeError(f"not a dataclass: {cls!r}")
        self.type = cls
        self.name = cls.__name__
        self.field_names = tuple(f.name for f in dataclasses.fields(cls) if f.init)

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self.field_names}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


class EnumAsValue(Transcoding):
    """An ``Enum`` member as its value, named by its class ``__name__``."""

    def __init__(self, cls: type[Enum]) -> None:
        if not (isinstance(cls, type) and issubclass(cls, Enum)):
            raise TypeError(f"not an Enum class: {cls!r}")
        self.type = cls
        self.name = cls.__name__
        self._cls = cls

    def encode(self, obj: Enum) -> Any:
        return obj.value

    def decode(self, data: Any) -> Enum:
        return self._cls(data)


def register_value_objects(transcoder: JSONTranscoder, classes: Iterable[type]) -> None:
    """Register a transcoding for each dataclass and ``Enum`` class in ``classes``.

    The stored name is the class ``__name__``, so renaming a class changes the stored
    format. Registering a second, different class under a name already taken raises
    ``ValueError`` (two ``Status`` enums in different modules would otherwise overwrite
    each other and old events would decode to the wrong type). Re-registering the same
    class is a no-op.
    """
    for cls in classes:
        transcoding: Transcoding
        if isinstance(cls, type) and issubclass(cls, Enum):
            transcoding = EnumAsValue(cls)
        elif isinstance(cls, type) and dataclasses.is_dataclass(cls):
            transcoding = DataclassAsDict(cls)
        else:
            raise TypeError(f"{cls!r} is neither a dataclass nor an Enum class")
        existing = transcoder.names.get(transcoding.name)
        if existing is not None:
            if existing.type is cls:
                continue
            raise ValueError(
                f"transcoding name {transcoding.name!r} is already registered for "
                f"{existing.type!r}; cannot also register {cls!r}"
            )
        transcoder.register(transcoding)


def _of_leaves(t: type) -> bool:
    """A frozen dataclass declared to hold only text and Enum members: an instance never changes."""
    params = getattr(t, "__dataclass_params__", None)
    return bool(params and params.frozen) and all(
        f.type is str or (isinstance(f.type, type) and issubclass(f.type, Enum)) for f in dataclasses.fields(t))


def _itself(o: Any) -> Any:
    return o


def _int_tree(o: int) -> Any:
    if INT_MIN <= o <= INT_MAX:
        return o
    return {TYPE_KEY: "int_str", DATA_KEY: str(o)}


def _float_tree(o: float) -> float:
    if not math.isfinite(o):
        raise ValueError(f"non-finite float {o!r} cannot be stored as JSON")
    return o


class _EnvelopeTranscoder(JSONTranscoder):
    """Shared parts: registration and the value -> JSON tree walk."""

    _encoders: dict[type, Callable[[Any], Any]]
    encode_tree: Callable[[Any], bytes]  # a tree from ``to_json_tree`` as the stored bytes

    def __init__(self) -> None:
        self._encoders = {}
        super().__init__()
        for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO(), TupleAsList()):
            self.register(transcoding)
        # Decode-only names: the walk writes these envelopes itself.
        for decode_only in (_DictAsItems(), _BigIntAsStr()):
            self.names[decode_only.name] = decode_only

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        self._encoders.clear()  # the same dict: writers made earlier hold its ``get``

    def encode(self, obj: Any) -> bytes:
        return self.encode_tree(self.to_json_tree(obj))

    def to_json_tree(self, o: Any) -> Any:
        """Return ``o`` as a tree of dict/list/str/int/float/bool/None with envelopes."""
        t = type(o)
        if t is str:
            return o
        encoder = self._encoders.get(t)
        if encoder is None:
            encoder = self._encoders[t] = self._encoder_for(t)
        return encoder(o)

    def _encoder_for(self, t: type) -> Callable[[Any], Any]:
        """How values of type ``t`` are written, made once per type: each value costs one lookup of its type."""
        return self._plain_encoder(t) or self._envelope_for(t)

    def _envelope_for(self, t: type) -> Callable[[Any], Any]:
        """The envelope of a registered type: a dataclass's fields and the library's leaf types are read directly,
        without building an intermediate dict and walking it again, and an Enum member's envelope is made once."""
        transcoding = self.types.get(t)
        if transcoding is None:
            raise TranscodingNotRegisteredError(
                f"Object of type {t} is not serializable. Please define and register "
                "a custom transcoding for this type."
            )
        name, encode, walk, encoders = transcoding.name, transcoding.encode, self.to_json_tree, self._encoders
        if type(transcoding) in _STR_LEAVES:
            made = _LEAF_ENVELOPES.get(type(transcoding))
            leaf = made(name) if made is not None else lambda o: {TYPE_KEY: name, DATA_KEY: encode(o)}
            return by_value(leaf) if t is date else leaf
        if type(transcoding) is EnumAsValue:
            enum: type[Enum] = transcoding.type
            members = {id(member): {TYPE_KEY: name, DATA_KEY: walk(member._value_)} for member in enum}
            return lambda o: members.get(id(o)) or {TYPE_KEY: name, DATA_KEY: walk(o._value_)}
        fields = transcoding.field_names if type(transcoding) is DataclassAsDict else ()
        if len(fields) > 1 and set(fields) != {TYPE_KEY, DATA_KEY}:
            envelope = dataclass_envelope(name, fields, encoders.get, walk)
            return last_kept(envelope, operator.attrgetter(*fields)) if _of_leaves(t) else envelope
        return lambda o: {TYPE_KEY: name, DATA_KEY: walk(encode(o))}

    def _plain_encoder(self, t: type) -> Callable[[Any], Any] | None:
        if t is bool or t is type(None):
            return _itself
        if t is int:
            return _int_tree
        if t is float:
            return _float_tree
        if t is dict:
            return self._dict_tree
        if t is list:
            return self._list_tree
        if t is tuple:
            return envelopes.tuple_envelope(self._encoders.get, self.to_json_tree)
        return None

    def _list_tree(self, o: list[Any] | tuple[Any, ...]) -> list[Any]:
        walk, encoders = self.to_json_tree, self._encoders
        return [v if type(v) is str else (encoders.get(type(v)) or walk)(v) for v in o]

    def _dict_tree(self, o: dict[Any, Any]) -> Any:
        walk, encoders = self.to_json_tree, self._encoders
        if set(map(type, o)) <= _STR_ONLY and (len(o) != 2 or TYPE_KEY not in o or DATA_KEY not in o):
            return {key: value if type(value) is str else (encoders.get(type(value)) or walk)(value)
                    for key, value in o.items()}
        return {TYPE_KEY: "dict_items", DATA_KEY: [[walk(k), walk(v)] for k, v in o.items()]}

    def _decode_envelope(self, name: Any, data: Any) -> Any:
        try:
            transcoding = self.names[name]
        except (KeyError, TypeError):
            raise TranscodingNotRegisteredError(
                f"Data serialized with name {name!r} is not deserializable. "
                "Please register a custom transcoding for this type."
            ) from None
        return transcoding.decode(data)


class LedgerJSONTranscoder(_EnvelopeTranscoder):
    """The stored format, written and read with the standard library's :mod:`json`."""

    def __init__(self) -> None:
        super().__init__()
        self._dumps: Callable[[Any], str] = json.JSONEncoder(
            separators=(",", ":"), ensure_ascii=False, allow_nan=False, check_circular=False
        ).encode

    def encode_tree(self, tree: Any) -> bytes:
        return self._dumps(tree).encode("utf8")

    # decode() is the library's: json.JSONDecoder(object_hook=self._decode_obj), which
    # resolves envelopes bottom-up through self.names, the same as OrjsonTranscoder.


class OrjsonTranscoder(_EnvelopeTranscoder):
    """The stored format, written and read with orjson.

    orjson writes UUIDs, enums, tuples, dates and dataclasses natively but without their
    types, so the value is first walked into a pure JSON tree (as for the stdlib
    transcoder). ``OPT_PASSTHROUGH_DATETIME | OPT_PASSTHROUGH_DATACLASS`` and the
    ``default`` hook are a safety net: nothing reaches them after the walk. Decoding
    parses with orjson, then walks the tree in place to rebuild typed values.

    That walk visits every container in Python, while the stdlib decoder calls its
    object hook only once per JSON object, from C. Measured (ops/bench/transcoder_compare),
    orjson + walk decodes small events faster, but a state holding a ~4 KB JSON-LD
    document slower than the stdlib, so payloads longer than ``stdlib_decode_above``
    bytes are decoded with the stdlib decoder (same format, same result).
    """

    _OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
    stdlib_decode_above: int | None = 2048

    def encode_tree(self, tree: Any) -> bytes:
        return orjson.dumps(tree, default=self._default, option=self._OPTIONS)

    def _default(self, o: Any) -> Any:
        return self.to_json_tree(o)

    def decode(self, data: bytes) -> Any:
        if self.stdlib_decode_above is not None and len(data) > self.stdlib_decode_above:
            return super().decode(data)
        o = orjson.loads(data)
        return self._from_json_tree(o) if type(o) in _CONTAINERS else o

    def _from_json_tree(self, o: Any) -> Any:
        """Rebuild typed values in a freshly parsed tree (mutated in place)."""
        walk = self._from_json_tree
        if type(o) is dict:
            if len(o) == 2 and TYPE_KEY in o and DATA_KEY in o:
                inner = o[DATA_KEY]
                if type(inner) in _CONTAINERS:
                    inner = walk(inner)
                return self._decode_envelope(o[TYPE_KEY], inner)
            for k, v in o.items():
                if type(v) in _CONTAINERS:
                    o[k] = walk(v)
            return o
        for i, v in enumerate(o):
            if type(v) in _CONTAINERS:
                o[i] = walk(v)
        return o
