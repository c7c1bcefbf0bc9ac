"""A dataclass's envelope written by a function made for its fields, as ``dataclasses`` makes an ``__init__``: each
field read by name and its value written in place, without a comprehension, a ``zip`` or a tuple of the values per
instance (a batch writes a few such envelopes per event)."""

from collections.abc import Callable
from typing import Any

TYPE_KEY = "_type_"
DATA_KEY = "_data_"


def dataclass_envelope(name: str, fields: tuple[str, ...], encoder_of: Callable[[type], Callable[[Any], Any] | None],
                       walk: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``{"_type_": name, "_data_": {field: tree of its value, ...}}`` in the order of ``fields`` (identifiers): a
    ``str`` value as it is, any other by ``encoder_of(its type)``, else by ``walk``."""
    if not all(field.isidentifier() for field in fields):
        raise ValueError(f"not field names: {fields!r}")
    reads = "".join(f"    v{n} = o.{field}\n" for n, field in enumerate(fields))
    data = ", ".join(f"{field!r}: v{n} if type(v{n}) is str else (encoder_of(type(v{n})) or walk)(v{n})"
                     for n, field in enumerate(fields))
    source = f"def envelope(o):\n{reads}    return {{{TYPE_KEY!r}: name, {DATA_KEY!r}: {{{data}}}}}\n"
    namespace: dict[str, Any] = {"name": name, "encoder_of": encoder_of, "walk": walk}
    exec(source, namespace)
    made: Callable[[Any], Any] = namespace["envelope"]
    return made
