"""What every command shares: a name for logs and batches, and a fingerprint for idempotency keys."""

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import ClassVar
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
        return hashlib.sha256(repr((self.command_name, canonical(self))).encode()).hexdigest()


PLAIN = frozenset({str, int, float, bool, type(None), UUID, date, datetime, Decimal})
"""Values that stand for themselves (exactly these types: a subclass, e.g. a str Enum, is looked at further)."""
_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(kind: type) -> tuple[str, ...] | None:
    """A dataclass's field names (None for other types), looked up once per type: a batch fingerprints many."""
    try:
        return _FIELD_NAMES[kind]
    except KeyError:
        names = tuple(f.name for f in fields(kind)) if is_dataclass(kind) else None
        _FIELD_NAMES[kind] = names
        return names


def canonical(value: object) -> object:
    kind = type(value)
    if kind in PLAIN:
        return value
    names = _field_names(kind)
    if names is not None:
        return tuple((name, canonical(getattr(value, name))) for name in names)
    if isinstance(value, Mapping):
        return tuple(sorted((str(key), canonical(item)) for key, item in value.items()))
    if isinstance(value, tuple | list):
        return tuple(canonical(item) for item in value)
    if isinstance(value, Enum):
        return value.value
    return value
