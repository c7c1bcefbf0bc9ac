"""Recognition of prior learning: application, evidence, decision, appeal, revision."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from application.commands.base import Command
from domain.recognition import RplDecision
from domain.values import Evidence


@dataclass(frozen=True)
class ApplyForRpl(Command):
    learner_id: UUID
    achievement_id: UUID
    claim: str
    effective: date | None = None


@dataclass(frozen=True)
class SubmitRplEvidence(Command):
    case_id: UUID
    evidence: Evidence
    effective: date | None = None


@dataclass(frozen=True)
class DecideRpl(Command):
    case_id: UUID
    decision: RplDecision
    effective: date | None = None


@dataclass(frozen=True)
class AppealRpl(Command):
    case_id: UUID
    grounds: str
    effective: date | None = None


@dataclass(frozen=True)
class ReviseRpl(Command):
    case_id: UUID
    decision: RplDecision
    effective: date | None = None
