"""A share link as the shares index holds it: enough to start recording its opening before the learner is read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class ShareLink:
    """Whose share, to whom, whether live at the moment read, and the learner's version (position, catalogue's)."""

    share_id: UUID
    learner_id: UUID
    employer_id: UUID
    live: bool
    version: tuple[int, int]

    @classmethod
    def of(cls, row: dict[str, Any], now: str) -> ShareLink:
        """From the shares index's row (`share_by_token_hash`); live as a share record is: not revoked or expired."""
        return cls(UUID(row["share_id"]), UUID(row["learner_id"]), UUID(row["employer_id"]),
                   not row["revoked"] and now < row["expires_at"], row["version"])
