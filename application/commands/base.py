"""What every command shares: a name for logs and batches, and a fingerprint for idempotency keys."""

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from operator import attrgetter
from typing import Any, ClassVar
from uuid import UUID


@dataclass(frozen=True)
class Command:
    """A frozen record of what a caller asks the ledger to do. `command_name` is the class name in snake case
    (`RecordAssessment` -> `record_assessment`): the name the log line and the batch route use."""

    command_name: ClassVar[str] = "command"

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.command_name = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()

    def fingerprint(self) -> str:
        """Equal for equal commands, whatever order a mapping field was filled in: a retry under the same
        idempotency key must carry the same command."""
        return hashlib.sha256(f"({self.command_name!r}, {canonical_text(self)})".encode()).hexdigest()


PLAIN: frozenset[type] = frozenset({str, int, float, bool, type(None), UUID, date, datetime, Decimal})
"""Values that stand for themselves (exactly these types: a subclass, e.g. a str Enum, is looked at further)."""
_CANONICAL: dict[type, Callable[[Any], object]] = {}
"""How each type's values are made canonical, worked out once per type: a batch fingerprints a command per item."""


def _uuid_repr(value: UUID) -> str:
    """``repr`` of a UUID without its two calls in Python (``__repr__``, ``__str__``)."""
    h = f"{value.int:032x}"
    return f"UUID('{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}')"


_PLAIN_TEXT: dict[type, Callable[[Any], str]] = {kind: _uuid_repr if kind is UUID else repr for kind in PLAIN}
_PLAIN_TEXT[date] = lru_cache(maxsize=4096)(repr)  # a batch's commands carry few distinct dates
_TEXT: dict[type, Callable[[Any], str]] = dict(_PLAIN_TEXT)
"""How each type's canonical value is written, worked out once per type (see ``canonical_text``): a value of a type
seen before is written by one lookup here and one call."""


def canonical(value: object) -> object:
    kind = type(value)
    try:
        make = _CANONICAL[kind]
    except KeyError:
        make = _CANONICAL[kind] = _canonical_for(kind)
    return make(value)


def _itself(value: object) -> object:
    return value


def _canonical_for(kind: type) -> Callable[[Any], object]:
    if kind in PLAIN:
        return _itself
    if is_dataclass(kind):
        names = tuple(f.name for f in fields(kind))
        if len(names) < 2:  # attrgetter of one name reads a value, not a tuple
            return lambda value: tuple((name, canonical(getattr(value, name))) for name in names)
        read = attrgetter(*names)
        return lambda value: tuple(zip(
            names, [v if type(v) in PLAIN else canonical(v) for v in read(value)], strict=False))
    if issubclass(kind, Mapping):
        return lambda value: tuple(sorted((str(key), canonical(item)) for key, item in value.items()))
    if issubclass(kind, tuple | list):
        return lambda value: tuple([v if type(v) in PLAIN else canonical(v) for v in value])
    if issubclass(kind, Enum):
        return lambda value: value.value
    return _itself


def canonical_text(value: object) -> str:
    """``repr(canonical(value))`` (what the fingerprint hashes), written without building the canonical tuples
    first: a third of the cost of a batch item's fingerprint."""
    kind = type(value)
    try:
        write = _TEXT[kind]
    except KeyError:
        write = _TEXT[kind] = _text_for(kind)
    return write(value)


def _text_for(kind: type) -> Callable[[Any], str]:
    if kind in PLAIN:
        return _PLAIN_TEXT[kind]
    if is_dataclass(kind):
        names = tuple(f.name for f in fields(kind))
        if not names:
            return lambda value: "()"
        return _fields_text(names)
    if issubclass(kind, Mapping):
        return lambda value: repr(canonical(value))
    if issubclass(kind, tuple | list):
        return _sequence_text
    if issubclass(kind, Enum):
        return lambda value: repr(value._value_)
    return repr


def _fields_text(names: tuple[str, ...]) -> Callable[[Any], str]:
    """The text of a dataclass with these fields, by a function made for them (as ``dataclasses`` makes an
    ``__init__``): each field read by name and written into one f-string, a ``str`` by ``repr`` without a lookup."""
    if not all(name.isidentifier() for name in names):
        raise ValueError(f"not field names: {names!r}")
    reads = "".join(f"    v{n} = value.{name}\n" for n, name in enumerate(names))
    parts = [f"({name!r}, {{repr(v{n}) if type(v{n}) is str else (texts(type(v{n})) or text)(v{n})}})"
             for n, name in enumerate(names)]
    written = f'f"({", ".join(parts)}{"," if len(names) == 1 else ""})"'
    namespace: dict[str, Any] = {"texts": _TEXT.get, "text": canonical_text}
    exec(f"def write(value):\n{reads}    return {written}\n", namespace)
    made: Callable[[Any], str] = namespace["write"]
    return made


def _sequence_text(value: tuple[Any, ...] | list[Any]) -> str:
    known = _TEXT.get
    texts = [(known(type(v)) or canonical_text)(v) for v in value]
    if len(texts) == 1:
        return f"({texts[0]},)"
    return "(" + ", ".join(texts) + ")"
