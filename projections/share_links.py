"""A share link as the shares index holds it: enough to start recording its opening before the learner is read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from projections.employer_view import ShareAccess
from projections.facts import moment
from projections.learner_record import LearnerRecord, ShareRecord


@dataclass(frozen=True)
class ShareLink:
    """Whose share, to whom, whether live at the moment read, and the learner's version (position, catalogue's) with
    their state then, as stored."""

    share_id: UUID
    learner_id: UUID
    employer_id: UUID
    live: bool
    version: tuple[int, int]
    state: str | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, row: dict[str, Any], now: str) -> ShareLink:
        """From the shares index's row (`share_by_token_hash`); live as a share record is: not revoked or expired."""
        return cls(UUID(row["share_id"]), UUID(row["learner_id"]), UUID(row["employer_id"]),
                   not row["revoked"] and now < row["expires_at"], row["version"], row.get("state"))


def share_access(record: LearnerRecord, share: ShareRecord, now: datetime) -> ShareAccess:
    """The share as its learner's record holds it, at a moment."""
    return ShareAccess(share.share_id, record.learner_id, share.employer_id, share.live(moment(now)), share.revoked,
                       share.expires_at, share.purpose)
