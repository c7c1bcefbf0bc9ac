"""The signed CLR a reader last served for each of its recent learners, by the position it was signed at: a CLR
unchanged since is answered without reading, decoding and revealing its document again (O(credentials) each time)."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from credentials.lru import Lru
from domain.errors import NotFound
from projections.personal_data import PersonalData

Json = dict[str, Any]
SERVED_KEPT = 256


class SignedClrRows(Protocol):
    def signed_clr(self, learner_id: str, known: int | None = None) -> tuple[int, int | None, Json | None] | None: ...


class ServedClrs:
    def __init__(self, views: SignedClrRows, personal: PersonalData, size: int = SERVED_KEPT):
        self.views = views
        self.personal = personal
        self.served = Lru(size)

    def lookup(self, learner_id: UUID) -> Json | None:
        """The signed CLR kept for the learner's current position, from one keyed read; None when none is current or
        it no longer opens (erased). NotFound for an unknown learner."""
        key = str(learner_id)
        served: tuple[int, Json] | None = self.served.get(key)
        found = self.views.signed_clr(key, None if served is None else served[0])
        if found is None:
            raise NotFound(f"no learner {learner_id}")
        position, signed_at, kept = found
        if signed_at != position:
            return None
        if served is not None and served[0] == signed_at:
            return dict(served[1])
        revealed: Json | None = None if kept is None else self.personal.reveal(learner_id, kept)
        if revealed is not None:
            self.served.put(key, (signed_at, revealed))
            return dict(revealed)
        return None
