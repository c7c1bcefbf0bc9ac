"""Parts of the stored format written with less work (a batch writes two events per item, each with a timestamp
and a few envelopes): a dataclass's envelope by a function made for its fields, as ``dataclasses`` makes an
``__init__`` (each field read by name and written in place, without a comprehension, a ``zip`` or a tuple of the
values per instance), and a UTC datetime's text by orjson instead of ``isoformat``'s formatting calls."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson

TYPE_KEY = "_type_"
DATA_KEY = "_data_"


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


def datetime_text(moment: datetime) -> str:
    """``moment.isoformat()``: for a UTC moment (every recorded event's timestamp) the same text as orjson writes it
    (a property test compares them)."""
    if moment.tzinfo is UTC:
        return orjson.dumps(moment)[1:-1].decode()
    return moment.isoformat()


def state_tree(names: tuple[str, ...], last: dict[str, Any], encoder_of: Callable[[type], Callable[[Any], Any] | None],
               walk: Callable[[Any], Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The tree of an event's attributes ``names`` (in that order; read from the dict of its attributes, as
    ``dataclass_envelope`` reads fields), then the constant entries of ``last``."""
    reads = "".join(f"    v{n} = a[{name!r}]\n" for n, name in enumerate(names))
    tree = [_entry(name, n) for n, name in enumerate(names)] + [f"{key!r}: last[{key!r}]" for key in last]
    source = f"def made(a):\n{reads}    return {{{', '.join(tree)}}}\n"
    return _made(source, {"last": last, "encoder_of": encoder_of, "walk": walk})


def _entry(key: str, n: int) -> str:
    """A generated tree's entry for the value read into ``v{n}``: a ``str`` as it is, any other by its type's encoder,
    else by the walk."""
    return f"{key!r}: v{n} if type(v{n}) is str else (encoder_of(type(v{n})) or walk)(v{n})"


def _made(source: str, namespace: dict[str, Any]) -> Callable[[Any], Any]:
    """The function ``made`` that ``source`` defines, its free names from ``namespace``."""
    exec(source, namespace)
    made: Callable[[Any], Any] = namespace["made"]
    return made
