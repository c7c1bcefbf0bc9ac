"""Ids: derived from a natural key (the value of ``uuid.uuid5``) or random (as ``uuid.uuid4``), made faster: a batch
makes one or two per item."""

from hashlib import sha1
from os import urandom
from uuid import UUID, SafeUUID

_VARIANT_AND_VERSION_BITS = (0xC000 << 48) | (0xF000 << 64)
_RFC_4122_VERSION_4 = (0x8000 << 48) | (4 << 76)
_RFC_4122_VERSION_5 = (0x8000 << 48) | (5 << 76)


def name_based_id(namespace: UUID, name: str) -> UUID:
    """``uuid.uuid5(namespace, name)``, without the standard library's import per call and its checks of bytes."""
    digest = int.from_bytes(sha1(namespace.int.to_bytes(16) + name.encode()).digest()[:16])
    return id_from_number((digest & ~_VARIANT_AND_VERSION_BITS) | _RFC_4122_VERSION_5)


def random_id() -> UUID:
    """``uuid.uuid4()``, without the checks of ``UUID(bytes=..., version=...)``: an id per recorded assessment."""
    return id_from_number((int.from_bytes(urandom(16)) & ~_VARIANT_AND_VERSION_BITS) | _RFC_4122_VERSION_4)


_SET_INT = vars(UUID)["int"].__set__
_SET_IS_SAFE = vars(UUID)["is_safe"].__set__
_UNKNOWN_SAFETY = SafeUUID.unknown  # read once: an Enum member read from its class is a descriptor call each time


def id_from_number(value: int) -> UUID:
    """``UUID(int=value)`` for a value known to fit in 128 bits (one made here, or an id as the store keeps it), set as
    ``UUID.__init__`` sets it (its two slots), without its checks of which arguments came."""
    made = object.__new__(UUID)
    _SET_INT(made, value)
    _SET_IS_SAFE(made, _UNKNOWN_SAFETY)
    return made
