"""What the read side needs of the personal-data vault: a learner's sealed words opened for a reader (or shown as
erased), their profile for the CLR's recipient, and the signed CLR sealed before it is kept."""

from collections.abc import Mapping
from typing import Any, Protocol, TypeVar
from uuid import UUID

T = TypeVar("T")


class PersonalData(Protocol):
    def reveal(self, learner_id: UUID, value: T, erased: bool = False) -> T: ...

    def profile(self, learner_id: UUID, sealed_profile: str) -> dict[str, str] | None: ...

    def seal_json(self, learner_id: UUID, document: Mapping[str, Any]) -> str: ...
