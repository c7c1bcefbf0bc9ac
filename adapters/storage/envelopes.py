"""Parts of the stored format written with less work (a batch writes two events per item, each with a timestamp
and a few envelopes): a dataclass's envelope by a function made for its fields, as ``dataclasses`` makes an
``__init__`` (each field read by name and written in place, without a comprehension, a ``zip`` or a tuple of the
values per instance), and a UTC datetime's text by orjson instead of ``isoformat``'s formatting calls."""

from collections.abc import Callable
from datetime import UTC
from enum import Enum
from typing import Any

import orjson

TYPE_KEY = "_type_"
DATA_KEY = "_data_"
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1


def dataclass_envelope(name: str, fields: tuple[str, ...], encoder_of: Callable[[type], Callable[[Any], Any] | None],
                       walk: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``{"_type_": name, "_data_": {field: tree of its value, ...}}`` in the order of ``fields`` (identifiers): a
    ``str`` value as it is, any other by ``encoder_of(its type)``, else by ``walk``."""
    if not all(field.isidentifier() for field in fields):
        raise ValueError(f"not field names: {fields!r}")
    reads = "".join(f"    v{n} = o.{field}\n" for n, field in enumerate(fields))
    data = ", ".join(_entry(field, n) for n, field in enumerate(fields))
    source = f"def made(o):\n{reads}    return {{{TYPE_KEY!r}: name, {DATA_KEY!r}: {{{data}}}}}\n"
    return _made(source, {"name": name, "encoder_of": encoder_of, "walk": walk})


def state_tree(names: tuple[str, ...], last: dict[str, Any], encoder_of: Callable[[type], Callable[[Any], Any] | None],
               walk: Callable[[Any], Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The tree of an event's attributes ``names`` (in that order; read from the dict of its attributes, as
    ``dataclass_envelope`` reads fields), then the constant entries of ``last``."""
    reads = "".join(f"    v{n} = a[{name!r}]\n" for n, name in enumerate(names))
    tree = [_entry(name, n) for n, name in enumerate(names)] + [f"{key!r}: last[{key!r}]" for key in last]
    source = f"def made(a):\n{reads}    return {{{', '.join(tree)}}}\n"
    return _made(source, {"last": last, "encoder_of": encoder_of, "walk": walk})


def _entry(key: str, n: int) -> str:
    """A generated tree's entry for the value read into ``v{n}``: a ``str``, ``None`` or an ``int`` of 64 bits as it
    is (as their encoders leave them, without their call), any other by its type's encoder, else by the walk."""
    return (f"{key!r}: v{n} if (t{n} := type(v{n})) is str or v{n} is None or t{n} is int and {INT_MIN} <= v{n} <= "
            f"{INT_MAX} else (encoder_of(t{n}) or walk)(v{n})")


def uuid_envelope(name: str) -> Callable[[Any], Any]:
    """The library's ``uuid_hex`` envelope (``UUID.hex``, also a call in Python) in one call."""
    return lambda o: {TYPE_KEY: name, DATA_KEY: f"{o.int:032x}"}


def datetime_envelope(name: str) -> Callable[[Any], Any]:
    """The library's ``datetime_iso`` envelope (``isoformat``) in one call: for a UTC moment (every recorded event's
    timestamp) the same text written by orjson (a property test compares them)."""
    return lambda o: {TYPE_KEY: name, DATA_KEY: orjson.dumps(o)[1:-1].decode() if o.tzinfo is UTC else o.isoformat()}


def date_envelope(name: str) -> Callable[[Any], Any]:
    return lambda o: {TYPE_KEY: name, DATA_KEY: o.isoformat()}


def tuple_envelope(encoder_of: Callable[[type], Callable[[Any], Any] | None],
                   walk: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``{"_type_": "tuple", "_data_": [tree of each item, ...]}`` in one call (and its list's)."""
    return lambda o: {TYPE_KEY: "tuple", DATA_KEY: [
        v if type(v) is str else (encoder_of(type(v)) or walk)(v) for v in o]}


def _made(source: str, namespace: dict[str, Any]) -> Callable[[Any], Any]:
    """The function ``made`` that ``source`` defines, its free names from ``namespace``."""
    exec(source, namespace)
    made: Callable[[Any], Any] = namespace["made"]
    return made


def last_kept(envelope: Callable[[Any], Any], values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], Any]:
    """``envelope``, remembering the last instance written and its tree: every event of a batch carries the same
    ``Actor`` object. Kept once the same instance comes twice in a row (an evidence of each assessment comes once,
    and is not looked at), and only if its values are what it declares (text and Enum members): it cannot change."""
    last: list[tuple[Any, Any]] = [(None, None)]

    def written(o: Any) -> Any:
        seen, kept = last[0]
        if seen is o and kept is not None:
            return kept
        tree = envelope(o)
        if seen is not o:
            last[0] = (o, None)  # one reference swapped: another thread sees the old pair or the new one
        elif all(type(value) is str or isinstance(value, Enum) for value in values(o)):
            last[0] = (o, tree)
        return tree

    return written


def by_value(envelope: Callable[[Any], Any], most: int = 4096) -> Callable[[Any], Any]:
    """``envelope``, remembering the trees of the last values written (up to ``most``): a batch's events carry few
    distinct dates, each written several times per item."""
    kept: dict[Any, Any] = {}

    def written(o: Any) -> Any:
        tree = kept.get(o)
        if tree is None:
            if len(kept) >= most:
                kept.clear()
            tree = kept[o] = envelope(o)
        return tree

    return written
