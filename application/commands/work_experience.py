"""Work experience: stated, attested or disputed, ended."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from application.commands.base import Command
from domain.work_experience import Position


@dataclass(frozen=True)
class StateWorkExperience(Command):
    learner_id: UUID
    position: Position
    effective: date | None = None


@dataclass(frozen=True)
class AttestWorkExperience(Command):
    experience_id: UUID
    confirmed_skills: tuple[str, ...] = ()
    statement: str = ""
    effective: date | None = None


@dataclass(frozen=True)
class DisputeWorkExperience(Command):
    experience_id: UUID
    reason: str
    effective: date | None = None


@dataclass(frozen=True)
class EndWorkExperience(Command):
    experience_id: UUID
    ended_on: date
