"""What every command shares: a name for logs and batches, and a fingerprint for idempotency keys."""

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass
from enum import Enum
from typing import ClassVar


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


def canonical(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        return tuple((f.name, canonical(getattr(value, f.name))) for f in fields(value))
    if isinstance(value, Mapping):
        return tuple(sorted((str(key), canonical(item)) for key, item in value.items()))
    if isinstance(value, tuple | list):
        return tuple(canonical(item) for item in value)
    if isinstance(value, Enum):
        return value.value
    return value
