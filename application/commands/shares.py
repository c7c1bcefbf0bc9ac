"""Shares with employers, their openings, and erasure."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.commands.base import Command


@dataclass(frozen=True)
class GrantShare(Command):
    learner_id: UUID
    employer_id: UUID
    purpose: str
    expires_at: datetime
    credential_ids: tuple[UUID, ...] = ()
    skill_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class RevokeShare(Command):
    learner_id: UUID
    share_id: UUID


@dataclass(frozen=True)
class RecordShareOpening(Command):
    learner_id: UUID
    share_id: UUID
    viewer: str


@dataclass(frozen=True)
class EraseLearner(Command):
    learner_id: UUID
    reason: str
